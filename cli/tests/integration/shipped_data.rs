//! The dataset in `data/` passes every check, quotes included, and is the
//! one compiled into the crate. (No test pins what the data says.)

use ukraine_pledges::Dataset;
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
fn bundled_dataset_is_the_one_in_data() {
    let loaded = Dataset::load(root().join("data")).unwrap();
    assert_eq!(&loaded, Dataset::bundled());
}
