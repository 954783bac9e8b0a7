//! Arbitrary bytes as `pledges.csv`, beside the CSV form of the shipped data.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ukraine_pledges::Dataset;
use ukraine_pledges::write::{csv_files, write_files};
use ukraine_pledges::validate::{Options, validate_dir};

/// A CSV dataset written once per process, in memory-backed storage when
/// there is some.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
        let tmp = tempfile::Builder::new().prefix("pledges-fuzz-").tempdir_in(base).expect("temp dir").keep();
        let data = Dataset::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid")).expect("fixture");
        write_files(&tmp, &csv_files(&data)).expect("csv");
        tmp
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = dir();
    std::fs::write(dir.join("pledges.csv"), data).expect("write");
    let _ = validate_dir(dir, &Options::default()).expect("the directory exists");
});
