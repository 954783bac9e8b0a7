//! The codebook and the data package's code lists say everything the model
//! says: every table, column and allowed value, with its meaning.

use serde_json::Value;
use ukraine_pledges::schema::FileKind;
use ukraine_pledges::tables::TABLES;
use ukraine_pledges::write::codebook::codebook;
use ukraine_pledges::write::datapackage::datapackage;

use crate::helpers::{Fixture, pledges, root, stdout};

/// Every value of every enum in the generated schemas, with its
/// description: `(enum name, value, meaning)`.
fn codes() -> Vec<(String, String, String)> {
    let mut codes = Vec::new();
    for kind in FileKind::ALL {
        let schema = kind.schema().to_value();
        let Some(Value::Object(defs)) = schema.get("$defs") else {
            continue;
        };
        for (name, def) in defs {
            for branch in def["oneOf"].as_array().into_iter().flatten() {
                if let Some(value) = branch["const"].as_str() {
                    let meaning = branch["description"].as_str().unwrap_or_default();
                    codes.push((name.clone(), value.to_owned(), meaning.to_owned()));
                }
            }
        }
    }
    codes
}

/// Every property name of every object in the generated schemas.
fn fields() -> Vec<String> {
    let mut names = Vec::new();
    for kind in FileKind::ALL {
        let schema = kind.schema().to_value();
        let objects = std::iter::once(&schema).chain(
            schema["$defs"]
                .as_object()
                .into_iter()
                .flat_map(|d| d.values()),
        );
        for object in objects {
            names.extend(
                object["properties"]
                    .as_object()
                    .into_iter()
                    .flat_map(|p| p.keys().cloned()),
            );
        }
    }
    names
}

#[test]
fn every_enum_value_in_the_schemas_has_its_meaning() {
    let codes = codes();
    assert!(codes.len() > 10, "the schemas have code lists: {codes:?}");
    for (name, value, meaning) in codes {
        assert!(
            !meaning.trim().is_empty(),
            "{name} `{value}` has no description in the schema"
        );
    }
}

#[test]
fn codebook_lists_every_table_column_field_and_code_with_its_meaning() {
    let book = codebook();
    for kind in FileKind::ALL {
        assert!(
            book.contains(&format!("### {}\n", kind.default_file_name())),
            "{kind:?}"
        );
    }
    for table in TABLES {
        let heading = format!("### {}\n", table.file_name().replace('_', "\\_"));
        let at = book
            .find(&heading)
            .unwrap_or_else(|| panic!("no section for {}", table.name));
        let section = &book[at..];
        let section = &section[..section[4..]
            .find("\n### ")
            .map_or(section.len(), |end| end + 4)];
        for header in table.headers() {
            assert!(
                section.contains(&format!("| `{header}` |")),
                "{}: no row for `{header}`",
                table.name
            );
        }
    }
    for field in fields() {
        assert!(
            book.contains(&format!("| `{field}` |")),
            "no row for field `{field}`"
        );
    }
    for (name, value, meaning) in codes() {
        assert!(
            book.contains(&format!("### {name}\n")),
            "no code list for {name}"
        );
        let start: Vec<&str> = meaning.split_whitespace().take(3).collect();
        let row = format!("| `{value}` | {}", start.join(" "));
        assert!(book.contains(&row), "{name}: no row {row:?}");
    }
}

#[test]
fn codebook_escapes_what_would_be_markup() {
    let book = codebook();
    // A pipe in a pattern would end a table cell: every row of a table
    // has as many cells as its header.
    let mut header_cells = None;
    for line in book.lines() {
        if !line.starts_with('|') {
            header_cells = None;
            continue;
        }
        let cells = line.replace("\\|", "").matches('|').count();
        let expected = *header_cells.get_or_insert(cells);
        assert_eq!(cells, expected, "a cell holds an unescaped pipe: {line}");
    }
    // HTML would be rendered, not shown.
    assert!(!book.contains('<'), "raw HTML in the codebook");
}

#[test]
fn codebook_check_fails_on_a_stale_file_and_passes_once_written() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let missing = pledges(dir, &["codebook", "--out", "book.md", "--check"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stdout(&missing).contains("book.md does not exist"),
        "{}",
        stdout(&missing)
    );

    std::fs::write(
        dir.join("book.md"),
        codebook().replace("| `state` |", "| `nation` |"),
    )
    .unwrap();
    let stale = pledges(dir, &["codebook", "--out", "book.md", "--check"]);
    assert_eq!(stale.status.code(), Some(1));
    let message = stdout(&stale);
    assert!(
        message.contains("book.md differs from the data model"),
        "{message}"
    );
    assert!(
        message.contains("run `pledges codebook --out book.md`"),
        "{message}"
    );

    let written = pledges(dir, &["codebook", "--out", "book.md"]);
    assert_eq!(written.status.code(), Some(0));
    let fresh = pledges(dir, &["codebook", "--out", "book.md", "--check"]);
    assert_eq!(fresh.status.code(), Some(0), "{}", stdout(&fresh));
    assert_eq!(
        std::fs::read_to_string(dir.join("book.md")).unwrap(),
        stdout(&pledges(dir, &["codebook"]))
    );
}

#[test]
fn committed_codebook_matches_the_data_model() {
    let committed = std::fs::read_to_string(root().join("docs/codebook.md")).unwrap_or_default();
    assert!(
        committed == codebook(),
        "docs/codebook.md is stale: run `cargo run -- codebook --out docs/codebook.md`"
    );
}

#[test]
fn data_package_gives_every_enum_column_its_codes_with_meanings() {
    let fixture = Fixture::new();
    let dataset = ukraine_pledges::Dataset::load(fixture.data()).expect("the fixture is valid");
    let package = datapackage(dataset.manifest());
    let meanings: Vec<(String, String)> = codes().into_iter().map(|(_, v, m)| (v, m)).collect();
    let mut enum_columns = 0;
    for resource in package["resources"].as_array().unwrap() {
        for field in resource["schema"]["fields"].as_array().unwrap() {
            let Some(allowed) = field["constraints"]["enum"].as_array() else {
                assert!(field.get("categories").is_none(), "{field}");
                continue;
            };
            enum_columns += 1;
            let categories = field["categories"]
                .as_array()
                .unwrap_or_else(|| panic!("no categories: {field}"));
            let values: Vec<&Value> = categories.iter().map(|c| &c["value"]).collect();
            assert_eq!(
                values,
                allowed.iter().collect::<Vec<_>>(),
                "{}",
                field["name"]
            );
            for category in categories {
                let value = category["value"].as_str().unwrap();
                let label = category["label"].as_str().unwrap();
                assert!(
                    meanings
                        .iter()
                        .any(|(v, m)| v == value
                            && m.split_whitespace().eq(label.split_whitespace())),
                    "{}: `{value}` has label {label:?}, not its meaning",
                    field["name"]
                );
            }
        }
    }
    assert!(enum_columns > 0, "no enum columns in the package");
}
