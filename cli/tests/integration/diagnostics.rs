//! One fixture per diagnostic code: break the valid fixture in one way and
//! check the code, the file, the line and the column reported.

use std::collections::HashSet;

use ukraine_pledges::Code;

use crate::helpers::{Fixture, places};

/// How a case breaks the fixture.
enum Break {
    /// Replace the one occurrence of `.1` in file `.0` with `.2`.
    Edit(&'static str, &'static str, &'static str),
    /// Run a function on the fixture.
    With(fn(&Fixture)),
}
use Break::{Edit, With};

struct Case {
    code: &'static str,
    breaks: &'static [Break],
    file: &'static str,
    at: Option<(usize, usize)>,
}

const P: &str = "pledges.json";
const A: &str = "actors.json";
const S: &str = "sources.json";
const M: &str = "dataset.json";
/// A file name longer than file systems allow (255 bytes).
const LONG_NAME: &str = "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp.json";

fn cases() -> Vec<Case> {
    vec![
        Case {
            code: "missing-file",
            breaks: &[With(|f| std::fs::remove_file(f.file(P)).unwrap())],
            file: P,
            at: None,
        },
        Case {
            code: "not-a-file",
            breaks: &[With(|f| {
                std::fs::remove_file(f.file(P)).unwrap();
                std::fs::create_dir(f.file(P)).unwrap();
            })],
            file: P,
            at: None,
        },
        #[cfg(unix)]
        Case {
            code: "not-a-file",
            // A link is never followed, wherever it points.
            breaks: &[With(|f| {
                std::fs::remove_file(f.file(P)).unwrap();
                std::os::unix::fs::symlink("/etc/passwd", f.file(P)).unwrap();
            })],
            file: P,
            at: None,
        },
        Case {
            code: "unreadable-file",
            // A name longer than the file system allows: the look-up fails.
            breaks: &[With(|f| {
                f.edit(M, "\"pledges.json\"", &format!("\"{LONG_NAME}\""))
            })],
            file: LONG_NAME,
            at: None,
        },
        Case {
            code: "file-too-large",
            // Past the default limit by its size alone (a sparse file: no
            // disk is used and nothing of it is read).
            breaks: &[With(|f| {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(f.file(P))
                    .unwrap();
                file.set_len(ukraine_pledges::load::MAX_FILE_SIZE + 1)
                    .unwrap();
            })],
            file: P,
            at: None,
        },
        Case {
            code: "empty-file",
            breaks: &[With(|f| f.write(P, ""))],
            file: P,
            at: None,
        },
        Case {
            code: "utf8-bom",
            breaks: &[With(|f| {
                let text = std::fs::read(f.file(P)).unwrap();
                f.write(P, [b"\xEF\xBB\xBF".as_slice(), &text].concat());
            })],
            file: P,
            at: Some((1, 1)),
        },
        Case {
            code: "invalid-utf8",
            breaks: &[With(|f| {
                let mut bytes = std::fs::read(f.file(P)).unwrap();
                let at = bytes.windows(11).position(|w| w == b"France: two").unwrap() + 8;
                bytes[at] = 0xFF;
                f.write(P, bytes);
            })],
            file: P,
            at: Some((6, 25)),
        },
        Case {
            code: "json-syntax",
            breaks: &[Edit(P, "\"france-ships\",", "\"france-ships\"")],
            file: P,
            at: Some((6, 7)),
        },
        Case {
            code: "trailing-content",
            breaks: &[With(|f| {
                let text = std::fs::read_to_string(f.file(P)).unwrap();
                f.write(P, format!("{text}x"));
            })],
            file: P,
            at: Some((83, 1)),
        },
        Case {
            code: "duplicate-key",
            breaks: &[Edit(
                P,
                "\"title\": \"France: two ships\",",
                "\"title\": \"France: two ships\", \"title\": \"x\",",
            )],
            file: P,
            at: Some((6, 37)),
        },
        Case {
            code: "too-deep",
            breaks: &[With(|f| {
                let deep = format!("\"roles\": {}{}", "[".repeat(70), "]".repeat(70));
                f.edit(P, "\"roles\": []", &deep);
            })],
            file: P,
            at: Some((12, 77)),
        },
        Case {
            code: "number-out-of-range",
            breaks: &[Edit(P, "\"amount\": 2.0", "\"amount\": 1e999")],
            file: P,
            at: Some((38, 21)),
        },
        Case {
            code: "missing-field",
            breaks: &[Edit(P, "\"title\": \"France: two ships\",\n", "")],
            file: P,
            at: Some((4, 5)),
        },
        Case {
            code: "unknown-field",
            breaks: &[Edit(P, "\"roles\": []", "\"rols\": []")],
            file: P,
            at: Some((12, 7)),
        },
        Case {
            code: "wrong-type",
            breaks: &[Edit(
                P,
                "\"beneficiary\": \"ukraine\"",
                "\"beneficiary\": 5",
            )],
            file: P,
            at: Some((11, 7)),
        },
        Case {
            code: "invalid-value",
            breaks: &[Edit(
                P,
                "\"committed\",\n      \"status_reports\"",
                "\"commited\",\n      \"status_reports\"",
            )],
            file: P,
            at: Some((16, 7)),
        },
        Case {
            code: "invalid-format",
            breaks: &[Edit(A, "\"FR\"", "\"fr\"")],
            file: A,
            at: Some((8, 7)),
        },
        Case {
            code: "invalid-date",
            breaks: &[Edit(
                P,
                "\"announced\": \"2026-01\"",
                "\"announced\": \"2026-02-30\"",
            )],
            file: P,
            at: Some((45, 7)),
        },
        Case {
            code: "empty-value",
            breaks: &[Edit(P, "\"unit\": \"ships\"", "\"unit\": \"\"")],
            file: P,
            at: Some((39, 11)),
        },
        Case {
            code: "too-long",
            breaks: &[With(|f| {
                let long = format!("\"quote\": \"{}\"", "a".repeat(301));
                f.edit(
                    P,
                    "\"quote\": \"France pledged \\\"two ships\\\" for the Black Sea\"",
                    &long,
                );
            })],
            file: P,
            at: Some((49, 11)),
        },
        Case {
            code: "out-of-range",
            breaks: &[Edit(P, "\"amount\": 2.0", "\"amount\": -1")],
            file: P,
            at: Some((38, 11)),
        },
        Case {
            code: "duplicate-id",
            breaks: &[Edit(A, "\"id\": \"ukraine\"", "\"id\": \"france\"")],
            file: A,
            at: Some((17, 7)),
        },
        Case {
            code: "unsorted-ids",
            breaks: &[
                Edit(A, "\"id\": \"ukraine\"", "\"id\": \"a-ukraine\""),
                Edit(
                    P,
                    "\"beneficiary\": \"ukraine\"",
                    "\"beneficiary\": \"a-ukraine\"",
                ),
            ],
            file: A,
            at: Some((17, 7)),
        },
        Case {
            code: "unknown-reference",
            breaks: &[Edit(P, "        \"france\"\n", "        \"frnce\"\n")],
            file: P,
            at: Some((9, 9)),
        },
        Case {
            code: "unused-record",
            breaks: &[Edit(
                P,
                "\"beneficiary\": \"ukraine\"",
                "\"beneficiary\": null",
            )],
            file: A,
            at: Some((17, 7)),
        },
        Case {
            code: "invalid-retirement",
            breaks: &[Edit(
                A,
                "\"notes\": null,\n      \"retired\": null\n    },\n    {\n      \"id\": \"ukraine\"",
                "\"notes\": null,\n      \"retired\": {\"reason\": \"superseded\", \"replaced_by\": null, \"note\": \"Merged.\"}\n    },\n    {\n      \"id\": \"ukraine\"",
            )],
            file: A,
            at: Some((14, 43)),
        },
        Case {
            code: "reference-to-retired",
            breaks: &[Edit(
                A,
                "\"notes\": null,\n      \"retired\": null\n    },\n    {\n      \"id\": \"ukraine\"",
                "\"notes\": null,\n      \"retired\": {\"reason\": \"withdrawn\", \"replaced_by\": null, \"note\": \"A misreading.\"}\n    },\n    {\n      \"id\": \"ukraine\"",
            )],
            file: P,
            at: Some((9, 9)),
        },
        Case {
            code: "unknown-country",
            breaks: &[Edit(A, "\"FR\"", "\"XX\"")],
            file: A,
            at: Some((8, 7)),
        },
        Case {
            code: "country-not-state",
            breaks: &[Edit(
                A,
                "\"kind\": \"state\",\n      \"iso_3166\": \"FR\"",
                "\"kind\": \"coalition\",\n      \"iso_3166\": \"FR\"",
            )],
            file: A,
            at: Some((8, 7)),
        },
        Case {
            code: "state-without-country",
            breaks: &[Edit(A, "\"iso_3166\": \"FR\"", "\"iso_3166\": null")],
            file: A,
            at: Some((8, 7)),
        },
        Case {
            code: "whitespace",
            breaks: &[Edit(P, "\"France: two ships\"", "\"France:  two ships\"")],
            file: P,
            at: Some((6, 7)),
        },
        Case {
            code: "control-character",
            breaks: &[Edit(P, "\"France: two ships\"", "\"France:\\ttwo ships\"")],
            file: P,
            at: Some((6, 7)),
        },
        Case {
            code: "formula-prefix",
            breaks: &[Edit(P, "\"France: two ships\"", "\"=France: two ships\"")],
            file: P,
            at: Some((6, 7)),
        },
        Case {
            code: "url-credentials",
            breaks: &[Edit(
                S,
                "https://example.org",
                "https://user:pw@example.org",
            )],
            file: S,
            at: Some((8, 7)),
        },
        Case {
            code: "announced-after-source",
            breaks: &[Edit(
                P,
                "\"announced\": \"2026-01\"",
                "\"announced\": \"2026-03\"",
            )],
            file: P,
            at: Some((45, 7)),
        },
        Case {
            code: "role-not-pledger",
            breaks: &[Edit(
                P,
                "\"roles\": []",
                "\"roles\": [{\"actor\": \"ukraine\", \"role\": \"lead\"}]",
            )],
            file: P,
            at: Some((12, 38)),
        },
        Case {
            code: "scope-not-pledger",
            breaks: &[Edit(
                P,
                "\"applies_to\": null",
                "\"applies_to\": \"ukraine\"",
            )],
            file: P,
            at: Some((31, 11)),
        },
        Case {
            code: "invisible-character",
            breaks: &[Edit(
                P,
                "\"France: two ships\"",
                "\"France: two\u{202E}spihs\"",
            )],
            file: P,
            at: Some((6, 7)),
        },
        Case {
            code: "link-to-self",
            breaks: &[Edit(
                P,
                "\"inferences\": [",
                "\"links\": [{\"kind\": \"part_of\", \"pledge\": \"france-ships\"}],\n      \"inferences\": [",
            )],
            file: P,
            at: Some((64, 37)),
        },
        Case {
            code: "part-of-cycle",
            breaks: &[With(|f| {
                // A second pledge, and each part of the other.
                let text = std::fs::read_to_string(f.file(P)).unwrap();
                let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                let list = doc["pledges"].as_array_mut().unwrap();
                let mut other = list[0].clone();
                other["id"] = "france-ships-more".into();
                other["links"] = serde_json::json!([{"kind": "part_of", "pledge": "france-ships"}]);
                list[0]["links"] =
                    serde_json::json!([{"kind": "part_of", "pledge": "france-ships-more"}]);
                list.push(other);
                f.write(P, serde_json::to_string_pretty(&doc).unwrap() + "\n");
            })],
            file: P,
            at: Some((166, 11)),
        },
        Case {
            code: "unknown-claim",
            breaks: &[Edit(
                P,
                "/status_reports/0 /quantities/0\"",
                "/status_reports/0 /quantities/0 /roles/3\"",
            )],
            file: P,
            at: Some((50, 11)),
        },
        Case {
            code: "unattested-claim",
            breaks: &[Edit(
                P,
                "\"claims\": \"/conditions/0\"",
                "\"claims\": \"/categories/0\"",
            )],
            file: P,
            at: Some((28, 9)),
        },
        Case {
            code: "duplicate-category",
            breaks: &[Edit(
                P,
                "\"military_aid\"\n      ]",
                "\"military_aid\",\n        \"military_aid\"\n      ]",
            )],
            file: P,
            at: Some((15, 9)),
        },
        Case {
            code: "quantity-shape",
            breaks: &[Edit(P, "\"kind\": \"count\"", "\"kind\": \"money\"")],
            file: P,
            at: Some((36, 9)),
        },
        Case {
            code: "unknown-currency",
            breaks: &[Edit(
                P,
                "\"kind\": \"count\",\n          \"amount\": 2.0,\n          \"unit\": \"ships\",\n          \"currency\": null",
                "\"kind\": \"money\",\n          \"amount\": 2.0,\n          \"unit\": null,\n          \"currency\": \"EUX\"",
            )],
            file: P,
            at: Some((40, 11)),
        },
        Case {
            code: "report-not-quoted",
            breaks: &[Edit(
                P,
                " /status_reports/0 /quantities/0",
                " /quantities/0",
            )],
            file: P,
            at: Some((18, 9)),
        },
        Case {
            code: "status-unexplained",
            breaks: &[Edit(
                P,
                "\"committed\",\n      \"status_reports\"",
                "\"delivered\",\n      \"status_reports\"",
            )],
            file: P,
            at: Some((16, 7)),
        },
        Case {
            code: "status-reports-out-of-order",
            breaks: &[With(|f| {
                // A second report, as of a date before the first's.
                let text = std::fs::read_to_string(f.file(P)).unwrap();
                let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                let pledge = &mut doc["pledges"][0];
                pledge["status_reports"][0]["as_of"] = "2026-01".into();
                let mut earlier = pledge["status_reports"][0].clone();
                earlier["as_of"] = "2025-12".into();
                pledge["status_reports"]
                    .as_array_mut()
                    .unwrap()
                    .push(earlier);
                pledge["evidence"][0]["claims"] =
                    "/pledgers/0 /categories/0 /status_reports/0 /status_reports/1 /quantities/0"
                        .into();
                f.write(P, serde_json::to_string_pretty(&doc).unwrap() + "\n");
            })],
            file: P,
            at: Some((25, 9)),
        },
        Case {
            code: "invalid-version",
            breaks: &[Edit(M, "\"version\": \"1.0.0\"", "\"version\": \"1.0\"")],
            file: M,
            at: Some((6, 3)),
        },
        Case {
            code: "schema-version-mismatch",
            breaks: &[Edit(
                M,
                "\"schema_version\": \"0.2.0\"",
                "\"schema_version\": \"9.9.9\"",
            )],
            file: M,
            at: Some((7, 3)),
        },
        Case {
            code: "schema-reference",
            breaks: &[Edit(P, "schema/pledges.schema.json", "schema/other.json")],
            file: P,
            at: Some((2, 3)),
        },
        Case {
            code: "archive-missing",
            breaks: &[Edit(S, "\"report.txt\"", "\"missing.txt\"")],
            file: S,
            at: Some((17, 9)),
        },
        Case {
            code: "archive-checksum",
            breaks: &[With(|f| {
                std::fs::write(
                    f.archive().join("report.txt"),
                    "France pledged \"two ships\" for the Black Sea",
                )
                .unwrap()
            })],
            file: S,
            at: Some((18, 9)),
        },
        Case {
            code: "quote-not-found",
            breaks: &[Edit(P, "\\\"two ships\\\"", "\\\"three ships\\\"")],
            file: P,
            at: Some((49, 11)),
        },
    ]
}

#[test]
fn valid_fixture_has_no_diagnostics() {
    let fixture = Fixture::new();
    assert_eq!(fixture.validate().diagnostics, vec![]);
}

#[test]
fn each_case_reports_its_code_at_the_right_place() {
    let mut misplaced = Vec::new();
    for case in cases() {
        let fixture = Fixture::new();
        for b in case.breaks {
            match b {
                Edit(file, from, to) => fixture.edit(file, from, to),
                With(f) => f(&fixture),
            }
        }
        let report = fixture.validate();
        let found = places(&report);
        let expected = (
            case.code.to_owned(),
            case.file.to_owned(),
            case.at.map(|a| a.0),
            case.at.map(|a| a.1),
        );
        if !found.contains(&expected) {
            misplaced.push(format!(
                "case {}: expected {expected:?}, found {found:?}",
                case.code
            ));
        }
        assert!(
            !report.is_valid(true),
            "case {} should fail with --deny-warnings",
            case.code
        );
    }
    assert!(misplaced.is_empty(), "{}", misplaced.join("\n"));
}

#[test]
fn every_code_has_a_case_and_a_documentation_row() {
    let mut covered: HashSet<&str> = cases().iter().map(|c| c.code).collect();
    covered.extend(crate::convert::csv_cases().iter().map(|c| c.code));
    let docs = std::fs::read_to_string(crate::helpers::root().join("docs/diagnostics.md")).unwrap();
    for code in Code::ALL {
        // An internal disagreement between schema and types cannot be
        // provoked from a file: the equivalence properties guard it instead.
        if *code != Code::TypeMismatch {
            assert!(
                covered.contains(code.as_str()),
                "no fixture triggers {code}"
            );
        }
        assert!(
            docs.contains(&format!("| `{code}` |")),
            "docs/diagnostics.md has no row for {code}"
        );
    }
}

#[test]
fn all_problems_are_reported_in_one_run_in_file_order() {
    let fixture = Fixture::new();
    fixture.edit(P, "        \"france\"\n", "        \"frnce\"\n");
    fixture.edit(A, "\"FR\"", "\"XX\"");
    fixture.edit(M, "\"version\": \"1.0.0\"", "\"version\": \"one\"");
    let codes: Vec<String> = places(&fixture.validate())
        .into_iter()
        .map(|p| format!("{}:{}", p.1, p.0))
        .collect();
    // (`france` still holds a statement, so it is not left unreferenced.)
    assert_eq!(
        codes,
        [
            "dataset.json:invalid-version",
            "actors.json:unknown-country",
            "pledges.json:unknown-reference"
        ]
    );
}

#[test]
fn unknown_field_suggests_the_near_miss() {
    let fixture = Fixture::new();
    fixture.edit(P, "\"pledgers\":", "\"pledger\":");
    let report = fixture.validate();
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::UnknownField)
        .expect("unknown-field");
    assert_eq!(d.pointer, "/pledges/0/pledger");
    assert_eq!(d.hint.as_deref(), Some("did you mean `pledgers`?"));
}

/// A misspelt field is one finding: not also the field it meant as
/// missing, nor the actor it named as unused.
#[test]
fn a_misspelt_field_is_one_diagnostic() {
    let fixture = Fixture::new();
    fixture.edit(P, "\"pledgers\":", "\"pledger\":");
    let codes: Vec<String> = places(&fixture.validate())
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(codes, ["unknown-field"]);
}

/// A file that cannot be read is one finding: the references that only its
/// records would resolve are not reported as unknown too.
#[test]
fn an_unreadable_file_hides_the_references_it_would_resolve() {
    for broken in [
        "",
        "{\"$schema\": \"../../../schema/sources.schema.json\", \"sources\": 3}\n",
        "[1, 2]\n",
    ] {
        let fixture = Fixture::new();
        fixture.write(S, broken);
        let codes: Vec<String> = places(&fixture.validate())
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(codes.len(), 1, "{broken:?}: {codes:?}");
        assert!(
            !codes.contains(&"unknown-reference".to_owned()),
            "{broken:?}: {codes:?}"
        );
    }
}

#[test]
fn a_broken_record_does_not_make_references_to_it_dangle() {
    let fixture = Fixture::new();
    // Ukraine's record breaks, but its id still exists for references.
    fixture.edit(A, "\"Q212\"", "\"212\"");
    let codes: Vec<String> = places(&fixture.validate())
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(codes, ["invalid-format"]);
}

#[test]
fn warnings_alone_pass_unless_denied() {
    let fixture = Fixture::new();
    fixture.edit(P, "schema/pledges.schema.json", "schema/other.json");
    let report = fixture.validate();
    assert_eq!(report.errors(), 0);
    assert_eq!(report.warnings(), 1);
    assert!(report.is_valid(false));
    assert!(!report.is_valid(true));
}

/// A pledges file of many chunks is read from disk a chunk at a time; when
/// it is clean that gives the records written, and when it is not (a
/// byte-order mark, a mistake far from its start) the report is the one
/// the same bytes give in memory, read whole, at the same places.
#[test]
fn a_pledges_file_of_many_chunks_reads_from_disk_as_from_memory() {
    use ukraine_pledges::validate::{Options, validate_dir, validate_in_memory};
    use ukraine_pledges::write::write_json_dir;
    use ukraine_pledges::{Dataset, generate};

    let dataset = generate::dataset(1000, 11);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_json_dir(&dataset, dir, "../schema").unwrap();
    let pledges = std::fs::read_to_string(dir.join(P)).unwrap();
    assert!(pledges.len() > 4 * 256 * 1024, "{} bytes", pledges.len());
    assert_eq!(Dataset::load(dir).unwrap().pledges(), dataset.pledges());

    let last_status = pledges.rfind("\"status\": \"").unwrap() + "\"status\": \"".len();
    for broken in [
        format!("\u{feff}{pledges}"),
        format!("{pledges}]"),
        format!(
            "{}commited{}",
            &pledges[..last_status],
            &pledges[last_status..]
        ),
        pledges.replacen("\n  ]\n}", "\n  ,]\n}", 1),
    ] {
        std::fs::write(dir.join(P), &broken).unwrap();
        let on_disk = validate_dir(dir, &Options::default()).unwrap();
        let files: Vec<(String, Vec<u8>)> = [M, A, S, P, "events.json", "statements.json"]
            .iter()
            .map(|name| (name.to_string(), std::fs::read(dir.join(name)).unwrap()))
            .collect();
        let files: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .collect();
        let in_memory = validate_in_memory(dir, &files);
        assert!(!on_disk.diagnostics.is_empty());
        assert_eq!(places(&on_disk), places(&in_memory));
    }
}
