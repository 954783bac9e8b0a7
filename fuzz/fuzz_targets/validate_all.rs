//! Arbitrary bytes cut at 0xFF into the six files of a dataset.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ukraine_pledges::validate::validate_in_memory;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(6, |&b| b == 0xFF);
    let mut next = || parts.next().unwrap_or(b"");
    let files: [(&str, &[u8]); 6] = [
        ("dataset.json", next()),
        ("actors.json", next()),
        ("sources.json", next()),
        ("pledges.json", next()),
        ("events.json", next()),
        ("statements.json", next()),
    ];
    let _ = validate_in_memory(Path::new("fuzz"), &files);
});
