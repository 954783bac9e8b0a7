#![allow(clippy::print_stdout, clippy::print_stderr)]
//! Lists the pledges that take effect only after a ceasefire, with who made
//! them and their status.
//!
//! ```sh
//! cargo run --example ceasefire_pledges
//! ```

use ukraine_pledges::Dataset;
use ukraine_pledges::model::ConditionKind;

fn main() {
    let data = Dataset::bundled();
    let mut count = 0;
    for pledge in data.pledges_with_condition(ConditionKind::Ceasefire) {
        let pledgers: Vec<&str> = pledge
            .pledgers
            .iter()
            .filter_map(|id| data.actor(id.as_str()))
            .map(|actor| actor.name.as_str())
            .collect();
        println!(
            "{} ({}; {:?})",
            pledge.title,
            pledgers.join(", "),
            pledge.status
        );
        count += 1;
    }
    println!("{count} pledges take effect only after a ceasefire");
}
