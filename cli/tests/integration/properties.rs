//! Arbitrary valid datasets, broken in one known way: the validator reports
//! exactly that problem, at the place it was made.

use proptest::prelude::*;
use serde_json::{Value, json};
use ukraine_pledges::generate;
use ukraine_pledges::validate::{Options, validate_dir};
use ukraine_pledges::write::write_json_dir;
use ukraine_pledges::{Code, Severity};

#[derive(Debug, Clone, Copy)]
enum Break {
    DanglingPledger,
    ImpossibleDate,
    UnknownField,
    DuplicateId,
    UnknownCategory,
    /// A doubled space in a text field, found by the typed fast path.
    DirtyText(&'static str),
}

/// Line and column of byte `offset`, counted independently of the crate.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Where `key` is written on the line that holds `marker`.
fn key_on_marker_line(text: &str, marker: &str, key: &str) -> (usize, usize) {
    let at = text.find(marker).expect("marker written");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    line_col(
        text,
        line_start + text[line_start..].find(key).expect("key on line"),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn one_break_gives_exactly_one_error_at_its_place(
        n in 2usize..40,
        seed in any::<u64>(),
        pick in any::<prop::sample::Index>(),
        which in prop::sample::select(vec![
            Break::DanglingPledger, Break::ImpossibleDate, Break::UnknownField, Break::DuplicateId, Break::UnknownCategory,
            Break::DirtyText("/title"), Break::DirtyText("/description"), Break::DirtyText("/conditions/0/text"),
            Break::DirtyText("/evidence/0/quote"),
        ]),
    ) {
        let dataset = generate::dataset(n, seed);
        let tmp = tempfile::tempdir().unwrap();
        write_json_dir(&dataset, tmp.path(), "../schema").unwrap();
        let path = tmp.path().join("pledges.json");
        let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let i = pick.index(n - 1) + 1; // never the first, so DuplicateId has an earlier twin
        let record = &mut doc["pledges"][i];
        let (code, pointer) = match which {
            Break::DanglingPledger => { record["pledgers"][0] = json!("zz-missing"); (Code::UnknownReference, format!("/pledges/{i}/pledgers/0")) }
            Break::ImpossibleDate => { record["announced"] = json!("2026-02-30"); (Code::InvalidDate, format!("/pledges/{i}/announced")) }
            Break::UnknownField => { record["zz_extra"] = json!(1); (Code::UnknownField, format!("/pledges/{i}/zz_extra")) }
            Break::DuplicateId => {
                // Renaming a record would also break references to its old id.
                for p in doc["pledges"].as_array_mut().unwrap() { p["retired"] = json!(null); }
                let twin = doc["pledges"][i - 1]["id"].clone();
                let old = std::mem::replace(&mut doc["pledges"][i]["id"], twin.clone());
                // Statements about the renamed pledge now name its twin.
                let statements = tmp.path().join("statements.json");
                let text = std::fs::read_to_string(&statements).unwrap();
                let from = format!("\"{}\"", old.as_str().unwrap());
                let to = format!("\"{}\"", twin.as_str().unwrap());
                std::fs::write(&statements, text.replace(&from, &to)).unwrap();
                (Code::DuplicateId, format!("/pledges/{i}/id")) }
            Break::UnknownCategory => { record["categories"][0] = json!("zz-category"); (Code::InvalidValue, format!("/pledges/{i}/categories/0")) }
            Break::DirtyText(at) => { *record.pointer_mut(at).unwrap() = json!("zz  dirty"); (Code::Whitespace, format!("/pledges/{i}{at}")) }
        };
        let text = serde_json::to_string_pretty(&doc).unwrap();
        std::fs::write(&path, &text).unwrap();
        let expected_at = match which {
            Break::DanglingPledger => line_col(&text, text.find("\"zz-missing\"").unwrap()),
            Break::ImpossibleDate => key_on_marker_line(&text, "\"2026-02-30\"", "\"announced\""),
            Break::UnknownField => line_col(&text, text.find("\"zz_extra\"").unwrap()),
            Break::DuplicateId => {
                let id = doc["pledges"][i]["id"].as_str().unwrap();
                let needle = format!("\"id\": \"{id}\"");
                let first = text.find(&needle).unwrap();
                line_col(&text, first + 1 + text[first + 1..].find(&needle).unwrap())
            }
            Break::UnknownCategory => line_col(&text, text.find("\"zz-category\"").unwrap()),
            Break::DirtyText(at) => {
                let key = format!("\"{}\"", at.rsplit('/').next().unwrap());
                key_on_marker_line(&text, "\"zz  dirty\"", &key)
            }
        };

        let report = validate_dir(tmp.path(), &Options::default()).unwrap();
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
        prop_assert_eq!(errors.len(), 1, "{:#?}", errors);
        let d = errors[0];
        prop_assert_eq!(d.code, code);
        prop_assert_eq!(&d.pointer, &pointer);
        prop_assert_eq!((d.line, d.column), (Some(expected_at.0), Some(expected_at.1)));
        prop_assert!(d.file.ends_with("pledges.json"));
    }

    #[test]
    fn generated_datasets_are_valid(n in 0usize..60, seed in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        write_json_dir(&generate::dataset(n, seed), tmp.path(), "../schema").unwrap();
        let report = validate_dir(tmp.path(), &Options::default()).unwrap();
        prop_assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    }
}

#[test]
fn generate_plants_exactly_the_errors_it_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let out = crate::helpers::pledges(
        tmp.path(),
        &[
            "generate",
            "--pledges",
            "200",
            "--seed",
            "3",
            "--out",
            "gen",
            "--corrupt",
            "12",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::helpers::stderr(&out)
    );
    let planted: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(planted.len(), 12);
    let report = validate_dir(&tmp.path().join("gen"), &Options::default()).unwrap();
    let mut found: Vec<(String, String)> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| (d.code.as_str().to_owned(), d.pointer.clone()))
        .collect();
    let mut expected: Vec<(String, String)> = planted
        .iter()
        .map(|p| {
            (
                p["code"].as_str().unwrap().to_owned(),
                p["pointer"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    expected.sort();
    assert_eq!(found, expected);
    // The CSV form stays clean.
    assert!(
        validate_dir(&tmp.path().join("gen/csv"), &Options::default())
            .unwrap()
            .is_valid(false)
    );
}
