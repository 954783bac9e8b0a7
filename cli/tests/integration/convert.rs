//! JSON ⇄ CSV conversion and canonical formatting.

use std::path::Path;

use proptest::prelude::*;
use ukraine_pledges::validate::{Options, validate_dir};
use ukraine_pledges::write::{canonical_files, write_json_dir};
use ukraine_pledges::write::{csv_files, write_csv_dir, write_files};
use ukraine_pledges::{Dataset, generate};

use crate::helpers::{Fixture, places, pledges, root, stdout};

/// Writes the fixture's CSV form into `<tmp>/csv` and returns that path.
fn fixture_csv(fixture: &Fixture) -> std::path::PathBuf {
    let dataset = Dataset::load(fixture.data()).unwrap();
    let dir = fixture.tmp.path().join("csv");
    write_files(&dir, &csv_files(&dataset)).unwrap();
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} once in {}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn texts(files: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    files
        .iter()
        .map(|(n, b)| (n.clone(), String::from_utf8_lossy(b).into_owned()))
        .collect()
}

/// Every file in `dir` (hidden ones too), sorted by name, with its text.
fn dir_texts(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap_or_default())
        })
        .collect();
    files.sort();
    files
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_streamed_into_files_is_csv_files_byte_for_byte(n in 0usize..40, seed in any::<u64>()) {
        let dataset = generate::dataset(n, seed);
        let tmp = tempfile::tempdir().unwrap();
        write_csv_dir(&dataset, tmp.path()).unwrap();
        let mut expected = texts(&csv_files(&dataset));
        expected.sort();
        prop_assert_eq!(dir_texts(tmp.path()), expected);
    }

    #[test]
    fn json_to_csv_to_json_is_identical_and_csv_round_trips_byte_for_byte(n in 0usize..40, seed in any::<u64>()) {
        let dataset = generate::dataset(n, seed);
        let json = canonical_files(&dataset, "../schema");
        let csv = csv_files(&dataset);
        let tmp = tempfile::tempdir().unwrap();
        write_files(tmp.path(), &csv).unwrap();
        let back = Dataset::load(tmp.path()).unwrap();
        prop_assert_eq!(canonical_files(&back, "../schema"), json);
        prop_assert_eq!(texts(&csv_files(&back)), texts(&csv));
    }

    #[test]
    fn fmt_is_idempotent(n in 0usize..40, seed in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        write_json_dir(&generate::dataset(n, seed), tmp.path(), "../schema").unwrap();
        let once = canonical_files(&Dataset::load(tmp.path()).unwrap(), "../schema");
        write_json_dir(&Dataset::load(tmp.path()).unwrap(), tmp.path(), "../schema").unwrap();
        let twice = canonical_files(&Dataset::load(tmp.path()).unwrap(), "../schema");
        prop_assert_eq!(once, twice);
    }
}

#[test]
fn shipped_csv_equals_a_fresh_conversion() {
    let dataset = Dataset::load(root().join("data")).unwrap();
    for (name, bytes) in csv_files(&dataset) {
        let committed = std::fs::read(root().join("data/csv").join(&name)).unwrap_or_default();
        assert!(
            committed == bytes,
            "data/csv/{name} is stale: run `cargo run -- convert --to csv data data/csv`"
        );
    }
}

#[test]
fn spreadsheet_csv_with_bom_and_crlf_reads_the_same() {
    let fixture = Fixture::new();
    let dir = fixture_csv(&fixture);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, format!("\u{FEFF}{}", text.replace('\n', "\r\n"))).unwrap();
        }
    }
    let report = validate_dir(&dir, &Options::default()).unwrap();
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert!(report.codes().iter().all(|c| c.as_str() == "utf8-bom"));
    assert_eq!(
        Dataset::load(&dir).unwrap(),
        Dataset::load(fixture.data()).unwrap()
    );
}

/// A CSV case: an edit to one table and the diagnostic expected in it.
pub struct CsvCase {
    pub code: &'static str,
    pub table: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub at: (Option<usize>, Option<usize>),
}

pub fn csv_cases() -> Vec<CsvCase> {
    vec![
        CsvCase {
            code: "csv-header",
            table: "pledge_evidence.csv",
            from: "source_id,quote",
            to: "source_id,quotes",
            at: (Some(1), Some(4)),
        },
        CsvCase {
            code: "csv-header",
            table: "pledge_evidence.csv",
            from: "ordinal,source_id",
            to: "source_id,ordinal",
            at: (Some(1), None),
        },
        CsvCase {
            code: "csv-syntax",
            table: "pledge_pledgers.csv",
            from: "france-ships,1,france\n",
            to: "france-ships,1,france\nfrance-ships,2\n",
            at: (Some(3), None),
        },
        CsvCase {
            code: "csv-ordinal",
            table: "pledge_pledgers.csv",
            from: "france-ships,1,",
            to: "france-ships,2,",
            at: (Some(2), Some(2)),
        },
        CsvCase {
            code: "invalid-value",
            table: "pledges.csv",
            from: ",committed,",
            to: ",commited,",
            at: (Some(2), Some(5)),
        },
        CsvCase {
            code: "unknown-reference",
            table: "pledge_pledgers.csv",
            from: ",france\n",
            to: ",frnce\n",
            at: (Some(2), Some(3)),
        },
        CsvCase {
            code: "unknown-reference",
            table: "pledge_evidence.csv",
            from: "france-ships,1,",
            to: "no-such-pledge,1,",
            at: (Some(2), Some(1)),
        },
        CsvCase {
            code: "invalid-date",
            table: "pledges.csv",
            from: ",2026-01,",
            to: ",2026-02-30,",
            at: (Some(2), Some(9)),
        },
        CsvCase {
            code: "wrong-type",
            table: "pledge_quantities.csv",
            from: ",2,ships,",
            to: ",two,ships,",
            at: (Some(2), Some(4)),
        },
    ]
}

#[test]
fn csv_problems_are_reported_at_file_row_and_column() {
    for case in csv_cases() {
        let fixture = Fixture::new();
        let dir = fixture_csv(&fixture);
        edit(&dir.join(case.table), case.from, case.to);
        let report = validate_dir(&dir, &Options::default()).unwrap();
        let expected = (
            case.code.to_owned(),
            case.table.to_owned(),
            case.at.0,
            case.at.1,
        );
        assert!(
            places(&report).contains(&expected),
            "expected {expected:?}, found {:#?}",
            places(&report)
        );
    }
}

#[test]
fn cli_convert_round_trip_and_check() {
    let fixture = Fixture::canonical();
    let dir = fixture.tmp.path();
    assert_eq!(
        pledges(dir, &["convert", "--to", "csv", "valid", "csv"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        pledges(dir, &["convert", "--to", "csv", "valid", "csv", "--check"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        pledges(
            dir,
            &[
                "convert",
                "--to",
                "json",
                "csv",
                "back",
                "--schema-dir",
                "../../../schema"
            ]
        )
        .status
        .code(),
        Some(0)
    );
    for name in [
        "dataset.json",
        "actors.json",
        "sources.json",
        "pledges.json",
    ] {
        assert_eq!(
            std::fs::read(dir.join("back").join(name)).unwrap(),
            std::fs::read(dir.join("valid").join(name)).unwrap(),
            "{name}"
        );
    }
    edit(
        &dir.join("csv/pledges.csv"),
        "France: two ships",
        "France: 2 ships",
    );
    let out = pledges(dir, &["convert", "--to", "csv", "valid", "csv", "--check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("csv/pledges.csv"), "{}", stdout(&out));
}

#[test]
fn a_failed_conversion_leaves_the_destination_as_it_was() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    assert_eq!(
        pledges(dir, &["convert", "--to", "csv", "valid", "csv"])
            .status
            .code(),
        Some(0)
    );
    let before = std::fs::read(dir.join("csv/pledges.csv")).unwrap();
    fixture.edit(
        "pledges.json",
        "\"committed\",\n      \"status_reports\"",
        "\"commited\",\n      \"status_reports\"",
    );
    fixture.edit("pledges.json", "France: two ships", "France: 2 ships");
    let out = pledges(dir, &["convert", "--to", "csv", "valid", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[invalid-value]"));
    assert_eq!(std::fs::read(dir.join("csv/pledges.csv")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("csv"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn convert_refuses_to_write_into_its_input_unless_forced() {
    let fixture = Fixture::new();
    let out = pledges(
        fixture.tmp.path(),
        &["convert", "--to", "csv", "valid", "valid"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!fixture.file("pledges.csv").exists());
}

#[test]
fn fmt_sorts_normalises_and_then_has_nothing_to_do() {
    let fixture = Fixture::canonical();
    let dir = fixture.tmp.path();
    // Decomposed é (e + combining acute) and actors out of order.
    fixture.edit(
        "actors.json",
        "\"name\": \"France\"",
        "\"name\": \"Fre\u{301}nce\"",
    );
    let text = std::fs::read_to_string(fixture.file("actors.json")).unwrap();
    let (head, rest) = text.split_once("    {\n      \"id\": \"france\"").unwrap();
    let (france, ukraine) = rest.split_once("    },\n    {").unwrap();
    let ukraine = ukraine
        .trim_end()
        .trim_end_matches('}')
        .trim_end()
        .trim_end_matches(']')
        .trim_end()
        .trim_end_matches('}');
    let swapped = format!(
        "{head}    {{{ukraine}}},\n    {{\n      \"id\": \"france\"{france}    }}\n  ]\n}}\n"
    );
    std::fs::write(fixture.file("actors.json"), swapped).unwrap();
    assert_eq!(
        pledges(dir, &["fmt", "--check", "valid"]).status.code(),
        Some(1)
    );
    let out = pledges(dir, &["fmt", "valid"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "formatted valid/actors.json\n");
    let formatted = std::fs::read_to_string(fixture.file("actors.json")).unwrap();
    assert!(formatted.contains("\"name\": \"Fr\u{e9}nce\""));
    assert!(formatted.find("\"france\"").unwrap() < formatted.find("\"ukraine\"").unwrap());
    assert_eq!(
        pledges(dir, &["fmt", "--check", "valid"]).status.code(),
        Some(0)
    );
    assert_eq!(stdout(&pledges(dir, &["fmt", "valid"])), "");
}

/// A finding in a CSV dataset gives a hint that applies to a table, not
/// one that names a command for JSON files.
#[test]
fn csv_findings_have_hints_for_tables() {
    let fixture = Fixture::new();
    let dir = fixture_csv(&fixture);
    let path = dir.join("actors.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(1, 2);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let report = validate_dir(&dir, &Options::default()).unwrap();
    let unsorted = report
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "unsorted-ids")
        .expect("unsorted-ids");
    let hint = unsorted.hint.as_deref().unwrap();
    assert!(
        hint.starts_with("sort the rows of actors.csv by id"),
        "{hint}"
    );
}
