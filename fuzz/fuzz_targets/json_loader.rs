//! Arbitrary bytes as `pledges.json`, beside the valid test fixture.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ukraine_pledges::validate::{Options, validate_in_memory, validate_in_memory_with};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid/");

fuzz_target!(|data: &[u8]| {
    let manifest = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid/dataset.json"));
    let actors = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid/actors.json"));
    let sources = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/valid/sources.json"));
    let files: [(&str, &[u8]); 4] =
        [("dataset.json", manifest), ("actors.json", actors), ("sources.json", sources), ("pledges.json", data)];
    let report = validate_in_memory(Path::new(FIXTURE), &files);
    // Past a limit of one finding per code and file the rest are only
    // counted (the schema's by a walk that builds nothing): the counts are
    // the same as with no limit.
    let capped = validate_in_memory_with(
        Path::new(FIXTURE),
        &files,
        &Options::default().with_max_per_code_and_file(1),
    );
    assert_eq!(
        (capped.errors(), capped.warnings()),
        (report.errors(), report.warnings()),
        "{capped:?}\n{report:?}"
    );
    // Every diagnostic with a line points inside the file it names.
    for d in &report.diagnostics {
        if let (Some(line), true) = (d.line, d.file.ends_with("pledges.json")) {
            assert!(line <= data.split(|&b| b == b'\n').count(), "{d:?}");
        }
    }
});
