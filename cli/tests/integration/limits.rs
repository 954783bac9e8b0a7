//! Bounded reads: every file read has a size limit, and a file past it is
//! the diagnostic `file-too-large`, never read.

use proptest::prelude::*;
use ukraine_pledges::validate::{Options, validate_dir};
use ukraine_pledges::write::write_csv_dir;
use ukraine_pledges::{Code, Dataset};

use crate::helpers::{Fixture, pledges, stderr, stdout};

fn file_sizes(dir: &std::path::Path) -> Vec<(String, u64)> {
    let mut sizes: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().len())
        })
        .collect();
    sizes.sort();
    sizes
}

/// The files reported as too large, by name, sorted.
fn too_large(report: &ukraine_pledges::Report) -> Vec<String> {
    let mut names: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::FileTooLarge)
        .map(|d| d.file.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whatever the limit, exactly the files larger than it are reported
    /// as too large, JSON or CSV, and a dataset whose files all fit has no
    /// such finding.
    #[test]
    fn exactly_the_files_past_the_limit_are_too_large(limit in 1u64..2500, csv in any::<bool>()) {
        let fixture = Fixture::new();
        let dir = if csv {
            let dataset = Dataset::load(fixture.data()).unwrap();
            let dir = fixture.tmp.path().join("csv");
            write_csv_dir(&dataset, &dir).unwrap();
            dir
        } else {
            fixture.data()
        };
        let over: Vec<String> = file_sizes(&dir)
            .into_iter()
            .filter(|(_, size)| *size > limit)
            .map(|(name, _)| name)
            .collect();
        let options = Options::default().with_max_file_size(limit);
        let report = validate_dir(&dir, &options).unwrap();
        // A table that is too large is reported; the dataset.json a CSV
        // dataset has none of is not looked for.
        prop_assert_eq!(too_large(&report), over);
    }
}

/// `--max-file-size` lowers the limit: validate exits 1 with the file and
/// the limit in the finding; the other commands that read a dataset stop
/// (exit 1) and say why.
#[test]
fn max_file_size_is_a_diagnostic_with_the_file_and_the_limit() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let out = pledges(
        dir,
        &[
            "validate",
            "valid",
            "--max-file-size",
            "1000",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "file-too-large")
        .collect();
    assert_eq!(found.len(), 1, "{report}");
    assert!(found[0]["file"].as_str().unwrap().ends_with("pledges.json"));
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("limit of 1000 bytes"),
        "{}",
        found[0]
    );
    assert_eq!(
        pledges(dir, &["validate", "valid", "--max-file-size", "1KiB"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        pledges(dir, &["validate", "valid", "--max-file-size", "4KiB"])
            .status
            .code(),
        Some(0)
    );
    for args in [
        &["list", "--data", "valid", "--max-file-size", "1000"][..],
        &["show", "x", "--data", "valid", "--max-file-size", "1000"],
        &["diff", "valid", "valid", "--max-file-size", "1000"],
        &[
            "convert",
            "--to",
            "csv",
            "valid",
            "csv",
            "--max-file-size",
            "1000",
        ],
        &["fmt", "valid", "--max-file-size", "1000"],
        &[
            "check-release",
            "valid",
            "--base",
            "valid",
            "--max-file-size",
            "1000",
        ],
    ] {
        let out = pledges(dir, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("file-too-large"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!dir.join("csv").exists());
}

/// An archived text past `--max-archive-file-size` is a finding on the
/// source that names it; under the limit it is checked as usual.
#[test]
fn an_archived_text_past_its_limit_is_too_large() {
    let fixture = Fixture::new();
    let (data, archive) = (fixture.data(), fixture.archive());
    let run = |limit: &str| {
        let args = [
            "validate".as_ref(),
            data.as_os_str(),
            "--archive".as_ref(),
            archive.as_os_str(),
            "--max-archive-file-size".as_ref(),
            limit.as_ref(),
        ];
        std::process::Command::new(env!("CARGO_BIN_EXE_pledges"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run("10");
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("file-too-large"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("limit of 10 bytes"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        run("64MiB").status.code(),
        Some(0),
        "{}",
        stdout(&run("64MiB"))
    );
}

/// A size that is not one, or out of 1 byte to 1 TiB, is a usage error.
#[test]
fn a_size_out_of_range_is_a_usage_error() {
    let fixture = Fixture::new();
    for size in [
        "0",
        "",
        "2TiB",
        "1.5GiB",
        "10GB",
        "-1",
        "99999999999999999999",
    ] {
        let out = pledges(
            fixture.tmp.path(),
            &["validate", "valid", "--max-file-size", size],
        );
        assert_eq!(out.status.code(), Some(2), "{size:?}");
    }
    let out = pledges(
        fixture.tmp.path(),
        &["validate", "valid", "--max-file-size", "1TiB"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
