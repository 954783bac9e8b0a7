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
    for q in &pledge.quantities {
        // An amount the sources speak of without giving it is `None`, not 0.
        let amount = q
            .amount
            .map_or("an unstated amount".to_owned(), |a| a.to_string());
        let unit = q
            .currency
            .as_ref()
            .map(ToString::to_string)
            .or(q.unit.as_ref().map(ToString::to_string));
        println!(
            "quantity ({}): {amount} {}",
            q.kind,
            unit.unwrap_or_default()
        );
    }
    for report in &pledge.status_reports {
        println!("status as {} reports it: {}", report.source, report.status);
    }
    for (evidence, source) in data.evidence(pledge) {
        println!(
            "\n  “{}”\n    — {} ({:?})",
            evidence.quote, source.title, source.kind
        );
    }
    ExitCode::SUCCESS
}
