#![allow(clippy::print_stdout, clippy::print_stderr)]
//! Prints one pledge with its conditions and the evidence for it: the one
//! whose id is given, or the first.
//!
//! ```sh
//! cargo run --example show_pledge -- germany-infantry-vehicles
//! ```

use std::process::ExitCode;

use ukraine_pledges::Dataset;

fn main() -> ExitCode {
    let data = Dataset::bundled();
    let first = data.pledges().first().map(|p| p.id.to_string());
    let Some(id) = std::env::args().nth(1).or(first) else {
        eprintln!("the dataset has no pledges");
        return ExitCode::FAILURE;
    };
    let Some(pledge) = data.pledge(&id) else {
        eprintln!("no pledge has the id `{id}`");
        return ExitCode::FAILURE;
    };
    println!("{}\n\n{}\n", pledge.title, pledge.description);
    for condition in &pledge.conditions {
        println!("condition ({:?}): {}", condition.kind, condition.text);
    }
    if let Some(q) = &pledge.quantity {
        println!(
            "quantity: {} {} {}",
            q.amount,
            q.unit,
            q.per.map(|p| format!("per {p:?}")).unwrap_or_default()
        );
    }
    for (evidence, source) in data.evidence(pledge) {
        println!(
            "\n  “{}”\n    — {} ({:?})",
            evidence.quote, source.title, source.kind
        );
    }
    ExitCode::SUCCESS
}
