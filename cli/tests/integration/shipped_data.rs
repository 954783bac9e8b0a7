//! The dataset in `data/` passes every check, quotes included.

use ukraine_pledges::Dataset;
use ukraine_pledges::model::Category;
use ukraine_pledges::validate::{Options, validate_dir};

use crate::helpers::root;

#[test]
fn shipped_dataset_has_no_errors_or_warnings_against_the_archive() {
    let archive = root().join("../shared/seeds");
    let mut options = Options::default();
    if archive.is_dir() {
        options = options.with_archive(archive);
    }
    let report = validate_dir(&root().join("data"), &options).unwrap();
    assert_eq!(report.diagnostics, vec![], "data/ should be clean");
}

#[test]
fn shipped_dataset_records_the_pledges_the_sources_report() {
    let dataset = Dataset::load(root().join("data")).unwrap();
    let pledge = |id: &str| {
        dataset
            .pledges()
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let vehicles = pledge("germany-infantry-vehicles");
    assert_eq!(vehicles.quantity.as_ref().map(|q| q.amount), Some(480.0));
    assert!(
        vehicles
            .conditions
            .iter()
            .any(|c| c.actor.as_ref().is_some_and(|a| a == "united-states"))
    );
    let troops = pledge("france-uk-forces-after-peace-deal");
    assert_eq!(troops.category, Category::TroopDeployment);
    assert!(
        troops
            .conditions
            .iter()
            .any(|c| c.actor.as_ref().is_some_and(|a| a == "uk-parliament"))
    );
    // Nothing in the sources dates a pledge: unknown is null, never guessed.
    assert!(dataset.pledges().iter().all(|p| p.announced.is_none()));
    assert!(
        dataset
            .sources()
            .iter()
            .all(|s| s.published.is_none() && s.url.is_none())
    );
}
