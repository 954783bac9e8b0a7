//! Uses the crate's public API the way a downstream program would: the
//! bundled dataset when the `bundled` feature is on, a directory (with the
//! library's `validate` feature) otherwise.

use std::process::ExitCode;

use ukraine_pledges::Dataset;
use ukraine_pledges::model::ConditionKind;

#[cfg(feature = "bundled")]
fn dataset() -> Result<Dataset, ukraine_pledges::Error> {
    Ok(Dataset::bundled().clone())
}

#[cfg(all(not(feature = "bundled"), feature = "load"))]
fn dataset() -> Result<Dataset, ukraine_pledges::Error> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../../data".to_owned());
    Dataset::load(dir)
}

fn main() -> ExitCode {
    let data = match dataset() {
        Ok(data) => data,
        Err(e) => {
            eprintln!("downstream-check: {e}");
            return ExitCode::FAILURE;
        }
    };
    let after_ceasefire = data.pledges_with_condition(ConditionKind::Ceasefire).count();
    let zelenskyy = data.actor_by_alias("zelensky").map(|a| a.name.to_string());
    println!(
        "{} pledges, {after_ceasefire} after a ceasefire; zelensky is {}",
        data.pledges().len(),
        zelenskyy.as_deref().unwrap_or("unknown")
    );
    if after_ceasefire == 0 || zelenskyy.is_none() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
