//! `pledges export`: the SQLite database answers the analysts' questions
//! in one query each, its keys hold, and the workbook holds the same rows;
//! every expectation is derived from the fixture's JSON, not written down.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use rusqlite::Connection;
use rusqlite::types::Value as Sql;
use serde_json::Value;
use tempfile::TempDir;
use ukraine_pledges::export::sqlite::QUERIES;
use ukraine_pledges::tables::TABLES;

use crate::helpers::{pledges, root, stderr, stdout};

/// Text that a careless export would mangle: quotes of both kinds,
/// markup, entities, an escape Excel's XML uses, and formulas inside it.
const TRICKY: &str =
    "He said \"no\" — it's <b>bold</b> & <script>x</script>; 50% =SUM(A1) +1 -2 @me _x0041_";

/// A copy of `tests/fixtures/NAME` in a temporary directory.
fn fixture(name: &str) -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(root().join("tests/fixtures").join(name)).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    (tmp, dir)
}

/// The records of `file` in `dir`, sorted by id.
fn records(dir: &Path, file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(format!("{file}.json"))).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut records = doc[file].as_array().cloned().unwrap_or_default();
    records.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    records
}

fn text(value: &Value) -> Sql {
    value
        .as_str()
        .map_or(Sql::Null, |s| Sql::Text(s.to_owned()))
}

fn int(n: usize) -> Sql {
    Sql::Integer(i64::try_from(n).unwrap())
}

/// Runs `pledges export --to FORMAT FILE --data DIR` and returns the file.
fn export(dir: &Path, format: &str, name: &str) -> PathBuf {
    let out = dir.parent().unwrap().join(name);
    let run = pledges(
        dir.parent().unwrap(),
        &[
            "export",
            "--to",
            format,
            out.to_str().unwrap(),
            "--data",
            dir.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    out
}

/// The rows a canned query returns.
fn answer(db: &Connection, name: &str) -> Vec<Vec<Sql>> {
    let query = QUERIES
        .iter()
        .find(|q| q.name == name)
        .expect("a canned query");
    rows(db, query.sql)
}

fn rows(db: &Connection, sql: &str) -> Vec<Vec<Sql>> {
    let mut statement = db.prepare(sql).unwrap();
    let width = statement.column_count();
    statement
        .query_map([], |row| (0..width).map(|i| row.get::<_, Sql>(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The fixtures the questions are asked of: the query fixture (with a
/// tricky title) and the small valid one.
fn exported_fixtures() -> Vec<(TempDir, PathBuf, Connection)> {
    ["query", "valid"]
        .into_iter()
        .map(|name| {
            let (tmp, dir) = fixture(name);
            let path = dir.join("pledges.json");
            let text = std::fs::read_to_string(&path).unwrap();
            let mut doc: Value = serde_json::from_str(&text).unwrap();
            doc["pledges"][0]["title"] = Value::String(TRICKY.to_owned());
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
            let db = export(&dir, "sqlite", "pledges.db");
            let connection = Connection::open(db).unwrap();
            (tmp, dir, connection)
        })
        .collect()
}

/// Converts the JSON dataset `dir` to CSV in `<tmp>/csv`, and returns that.
fn csv_form(tmp: &Path, dir: &Path) -> PathBuf {
    let csv = tmp.join("csv");
    let run = pledges(
        tmp,
        &[
            "convert",
            "--to",
            "csv",
            dir.to_str().unwrap(),
            csv.to_str().unwrap(),
        ],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    csv
}

#[test]
fn the_database_answers_which_pledges_take_effect_only_after_a_ceasefire() {
    let mut found = 0;
    for (_tmp, dir, db) in exported_fixtures() {
        let mut expected = Vec::new();
        for p in records(&dir, "pledges") {
            for c in p["conditions"].as_array().unwrap() {
                if c["kind"] == "ceasefire" {
                    expected.push(vec![
                        text(&p["id"]),
                        text(&p["title"]),
                        text(&p["status"]),
                        text(&c["text"]),
                    ]);
                }
            }
        }
        found += expected.len();
        assert_eq!(answer(&db, "after_ceasefire"), expected);
        // The flat view says the same.
        let flat: Vec<Vec<Sql>> = expected.iter().map(|r| vec![r[0].clone()]).collect();
        let mut flat = flat;
        flat.dedup();
        assert_eq!(
            rows(
                &db,
                "SELECT id FROM pledges_flat WHERE after_ceasefire = 1 ORDER BY id"
            ),
            flat
        );
    }
    assert!(found > 0, "the fixtures have ceasefire conditions");
}

#[test]
fn the_database_answers_which_states_pledge_troops() {
    let mut found = 0;
    for (_tmp, dir, db) in exported_fixtures() {
        let actors: BTreeMap<String, Value> = records(&dir, "actors")
            .into_iter()
            .map(|a| (a["id"].as_str().unwrap().to_owned(), a))
            .collect();
        let mut states: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in records(&dir, "pledges") {
            let troops = p["categories"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "troop_deployment");
            for pledger in p["pledgers"].as_array().unwrap() {
                let id = pledger.as_str().unwrap();
                if troops && actors[id]["kind"] == "state" {
                    let pledge = p["id"].as_str().unwrap().to_owned();
                    states.entry(id.to_owned()).or_default().insert(pledge);
                }
            }
        }
        found += states.len();
        let answer = answer(&db, "states_pledging_troops");
        let got: Vec<(Vec<Sql>, BTreeSet<String>)> = answer
            .into_iter()
            .map(|mut row| {
                let Some(Sql::Text(ids)) = row.pop() else {
                    panic!("pledge ids as text")
                };
                (row, ids.split(',').map(str::to_owned).collect())
            })
            .collect();
        let expected: Vec<(Vec<Sql>, BTreeSet<String>)> = states
            .into_iter()
            .map(|(id, pledges)| {
                let row = vec![
                    Sql::Text(id.clone()),
                    text(&actors[&id]["name"]),
                    int(pledges.len()),
                ];
                (row, pledges)
            })
            .collect();
        assert_eq!(got, expected);
    }
    assert!(found > 0, "a fixture has a state pledging troops");
}

#[test]
fn the_database_lists_every_quantity_with_its_unit() {
    let mut found = 0;
    for (_tmp, dir, db) in exported_fixtures() {
        let mut expected = Vec::new();
        for p in records(&dir, "pledges") {
            for (i, q) in p["quantities"].as_array().unwrap().iter().enumerate() {
                let unit = ["unit", "currency", "time_unit"]
                    .iter()
                    .map(|k| &q[*k])
                    .find(|v| v.is_string())
                    .map_or_else(
                        || {
                            if q["kind"] == "share" {
                                Sql::Text("percent".to_owned())
                            } else {
                                Sql::Null
                            }
                        },
                        text,
                    );
                expected.push(vec![
                    text(&p["id"]),
                    text(&p["title"]),
                    int(i + 1),
                    text(&q["kind"]),
                    q["amount"].as_f64().map_or(Sql::Null, Sql::Real),
                    unit,
                    text(&q["per"]),
                ]);
            }
        }
        found += expected.len();
        assert_eq!(answer(&db, "quantities"), expected);
    }
    assert!(found > 0, "the fixtures have quantities");
}

#[test]
fn the_database_counts_the_pledges_each_source_attests() {
    for (_tmp, dir, db) in exported_fixtures() {
        let pledges = records(&dir, "pledges");
        let mut expected: Vec<(i64, Vec<Sql>)> = records(&dir, "sources")
            .iter()
            .map(|s| {
                let id = s["id"].as_str().unwrap();
                let quotes: Vec<&Value> = pledges
                    .iter()
                    .flat_map(|p| {
                        p["evidence"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .filter(move |e| e["source"] == id)
                            .map(move |_| &p["id"])
                    })
                    .collect();
                let distinct: BTreeSet<&str> = quotes.iter().filter_map(|v| v.as_str()).collect();
                let row = vec![
                    text(&s["id"]),
                    text(&s["title"]),
                    text(&s["reliability"]["grade"]),
                    int(distinct.len()),
                    int(quotes.len()),
                ];
                (-i64::try_from(distinct.len()).unwrap(), row)
            })
            .collect();
        // Most pledges first, then by id (the rows are already by id).
        expected.sort_by_key(|(most, _)| *most);
        let expected: Vec<Vec<Sql>> = expected.into_iter().map(|(_, row)| row).collect();
        assert!(!expected.is_empty());
        assert_eq!(answer(&db, "pledges_per_source"), expected);
    }
}

#[test]
fn the_database_answers_what_relies_on_the_united_states() {
    let mut found = 0;
    for (_tmp, dir, db) in exported_fixtures() {
        // The United States and every actor acting for it, directly or
        // through a chain of affiliations.
        let actors = records(&dir, "actors");
        let mut us: BTreeSet<String> = actors
            .iter()
            .filter(|a| a["iso_3166"] == "US")
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect();
        loop {
            let before = us.len();
            for a in &actors {
                if a["affiliation"].as_str().is_some_and(|of| us.contains(of)) {
                    us.insert(a["id"].as_str().unwrap().to_owned());
                }
            }
            if us.len() == before {
                break;
            }
        }
        let mut expected = Vec::new();
        let mut flat = Vec::new();
        for p in records(&dir, "pledges") {
            let mut relies = false;
            for (i, c) in p["conditions"].as_array().unwrap().iter().enumerate() {
                let on_us = c["actor"].as_str().is_some_and(|a| us.contains(a));
                if c["kind"] == "us_backstop" || on_us {
                    relies = true;
                    expected.push(vec![
                        text(&p["id"]),
                        text(&p["title"]),
                        int(i + 1),
                        text(&c["kind"]),
                        text(&c["text"]),
                    ]);
                }
            }
            flat.push(vec![text(&p["id"]), int(usize::from(relies))]);
        }
        found += expected.len();
        assert_eq!(answer(&db, "relies_on_us"), expected);
        assert_eq!(
            rows(&db, "SELECT id, relies_on_us FROM pledges_flat ORDER BY id"),
            flat
        );
    }
    assert!(found > 0, "a fixture has a pledge that relies on the US");
}

#[test]
fn every_table_is_there_with_its_rows_and_every_foreign_key_holds() {
    for (tmp, dir, db) in exported_fixtures() {
        let csv = csv_form(tmp.path(), &dir);
        for table in TABLES {
            let mut reader = csv::Reader::from_path(csv.join(table.file_name())).unwrap();
            let headers: Vec<String> = reader
                .headers()
                .unwrap()
                .iter()
                .map(str::to_owned)
                .collect();
            let rows_in_csv = reader.records().count();
            let columns: Vec<String> = rows(
                &db,
                &format!("SELECT name FROM pragma_table_info('{}')", table.name),
            )
            .into_iter()
            .map(|r| match &r[0] {
                Sql::Text(name) => name.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
            assert_eq!(columns, headers, "{}", table.name);
            let count = rows(&db, &format!("SELECT count(*) FROM \"{}\"", table.name));
            assert_eq!(count, vec![vec![int(rows_in_csv)]], "{}", table.name);
        }
        assert_eq!(
            rows(&db, "PRAGMA foreign_key_check"),
            Vec::<Vec<Sql>>::new()
        );
        assert_eq!(
            rows(&db, "PRAGMA integrity_check"),
            vec![vec![Sql::Text("ok".to_owned())]]
        );
        // The child tables are keyed by their parent's id and ordinal, and
        // name their parent with a foreign key.
        let keys = rows(
            &db,
            "SELECT name FROM pragma_table_info('pledge_evidence') WHERE pk > 0 ORDER BY pk",
        );
        assert_eq!(
            keys,
            vec![
                vec![Sql::Text("pledge_id".to_owned())],
                vec![Sql::Text("ordinal".to_owned())]
            ]
        );
        let references = rows(
            &db,
            "SELECT \"from\", \"table\" FROM pragma_foreign_key_list('pledge_evidence') ORDER BY \"from\"",
        );
        assert_eq!(
            references,
            vec![
                vec![
                    Sql::Text("pledge_id".to_owned()),
                    Sql::Text("pledges".to_owned())
                ],
                vec![
                    Sql::Text("source_id".to_owned()),
                    Sql::Text("sources".to_owned())
                ],
            ]
        );
    }
}

#[test]
fn text_with_quotes_markup_and_formulas_round_trips_exactly() {
    for (_tmp, dir, db) in exported_fixtures() {
        let first = &records(&dir, "pledges")
            .into_iter()
            .find(|p| p["title"] == TRICKY)
            .expect("the edited pledge");
        let id = first["id"].as_str().unwrap();
        for sql in [
            "SELECT title FROM pledges WHERE id = ?1",
            "SELECT title FROM pledges_flat WHERE id = ?1",
        ] {
            let title: String = db.query_row(sql, [id], |r| r.get(0)).unwrap();
            assert_eq!(title, TRICKY);
        }
        let book = export(&dir, "xlsx", "pledges.xlsx");
        let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
        for sheet in ["pledges_flat", "pledges"] {
            let range = workbook.worksheet_range(sheet).unwrap();
            let row = range
                .rows()
                .find(|r| r[0] == Data::String(id.to_owned()))
                .unwrap();
            assert_eq!(row[1], Data::String(TRICKY.to_owned()), "{sheet}");
        }
    }
}

/// A database value as calamine reads the cell it was written to.
fn cell_of(value: &Sql) -> Data {
    match value {
        Sql::Null | Sql::Blob(_) => Data::Empty,
        #[allow(clippy::cast_precision_loss)]
        Sql::Integer(n) => Data::Float(*n as f64),
        Sql::Real(x) => Data::Float(*x),
        Sql::Text(s) => Data::String(s.clone()),
    }
}

#[test]
fn the_workbook_opens_with_the_flat_view_then_every_table_with_readable_headers() {
    for (_tmp, dir, db) in exported_fixtures() {
        let book = export(&dir, "xlsx", "pledges.xlsx");
        let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
        let names = workbook.sheet_names();
        assert_eq!(names[0], "pledges_flat");
        let tables: Vec<String> = TABLES.iter().map(|t| t.name.to_owned()).collect();
        assert_eq!(names[1..=tables.len()], tables[..]);
        for extra in ["pledge_derived", "dataset", "codebook", "codes"] {
            assert!(names.iter().any(|n| n == extra), "{extra}: {names:?}");
        }
        assert!(names.iter().all(|n| n.chars().count() <= 31));
        for name in &names {
            let range = workbook.worksheet_range(name).unwrap();
            let header: Vec<Data> = range.rows().next().unwrap().to_vec();
            let titles: Vec<Data> = rows(
                &db,
                &format!("SELECT title FROM codebook WHERE table_name = '{name}' ORDER BY ordinal"),
            )
            .iter()
            .map(|r| cell_of(&r[0]))
            .collect();
            assert_eq!(header, titles, "{name}");
            let table_rows = rows(&db, &format!("SELECT * FROM \"{name}\""));
            let sheet_rows: Vec<Vec<Data>> = range.rows().skip(1).map(<[Data]>::to_vec).collect();
            let expected: Vec<Vec<Data>> = table_rows
                .iter()
                .map(|r| r.iter().map(cell_of).collect())
                .collect();
            assert_eq!(
                sheet_rows, expected,
                "{name}: the sheet holds the table's rows"
            );
        }
        // A person reads the flat sheet's titles, not column names.
        let range = workbook.worksheet_range("pledges_flat").unwrap();
        assert!(
            range
                .rows()
                .next()
                .unwrap()
                .contains(&Data::String("Conditional on a ceasefire".to_owned()))
        );
    }
}

#[test]
fn the_export_refuses_a_directory_or_a_symlink_with_exit_2() {
    let (tmp, dir) = fixture("valid");
    for format in ["sqlite", "xlsx", "datasette-metadata"] {
        let run = pledges(
            tmp.path(),
            &[
                "export",
                "--to",
                format,
                ".",
                "--data",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(run.status.code(), Some(2), "{format}: {}", stderr(&run));
        assert!(
            stderr(&run).contains("not a regular file"),
            "{}",
            stderr(&run)
        );
    }
    #[cfg(unix)]
    {
        let target = tmp.path().join("kept.db");
        std::fs::write(&target, b"kept").unwrap();
        std::os::unix::fs::symlink(&target, tmp.path().join("link.db")).unwrap();
        let run = pledges(
            tmp.path(),
            &[
                "export",
                "--to",
                "sqlite",
                "link.db",
                "--data",
                dir.to_str().unwrap(),
            ],
        );
        assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
        assert_eq!(std::fs::read(&target).unwrap(), b"kept");
    }
}

#[test]
fn invalid_data_exits_1_and_writes_nothing() {
    let (tmp, dir) = fixture("valid");
    let path = dir.join("pledges.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("\"status\": \"", "\"status\": \"x", 1)).unwrap();
    let run = pledges(
        tmp.path(),
        &[
            "export",
            "--to",
            "sqlite",
            "out.db",
            "--data",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["valid"]);
}

#[test]
fn an_export_replaces_the_old_file_whole_and_leaves_no_temporary_file() {
    let (tmp, dir) = fixture("valid");
    std::fs::write(tmp.path().join("pledges.db"), b"an old file").unwrap();
    let db = export(&dir, "sqlite", "pledges.db");
    let db = Connection::open(db).unwrap();
    assert_eq!(
        rows(&db, "SELECT count(*) FROM pledges"),
        vec![vec![int(records(&dir, "pledges").len())]]
    );
    export(&dir, "xlsx", "pledges.xlsx");
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["pledges.db", "pledges.xlsx", "valid"]);
}

#[test]
fn the_shipped_datasette_metadata_is_current_and_describes_the_database() {
    let run = pledges(
        &root(),
        &[
            "export",
            "--to",
            "datasette-metadata",
            "datasette/metadata.json",
            "--check",
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        stdout(&run),
        stderr(&run)
    );

    let (_tmp, dir) = fixture("valid");
    let meta = export(&dir, "datasette-metadata", "metadata.json");
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(meta).unwrap()).unwrap();
    let database = &meta["databases"]["pledges"];
    let db = Connection::open(export(&dir, "sqlite", "pledges.db")).unwrap();
    for row in rows(
        &db,
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
    ) {
        let Sql::Text(name) = &row[0] else { panic!() };
        let table = &database["tables"][name];
        assert!(table["description"].is_string(), "{name}");
        for column in rows(
            &db,
            &format!("SELECT name FROM pragma_table_info('{name}')"),
        ) {
            let Sql::Text(column) = &column[0] else {
                panic!()
            };
            assert!(table["columns"][column].is_string(), "{name}.{column}");
        }
    }
    for query in QUERIES {
        assert_eq!(database["queries"][query.name]["sql"], query.sql);
    }
    assert!(meta["license"].is_string() && meta["source_url"].is_string());
}

#[test]
fn check_is_refused_for_a_binary_export() {
    let (tmp, dir) = fixture("valid");
    let run = pledges(
        tmp.path(),
        &[
            "export",
            "--to",
            "sqlite",
            "x.db",
            "--check",
            "--data",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(!tmp.path().join("x.db").exists());
}

#[test]
fn a_csv_dataset_exports_the_same_database_as_its_json_form() {
    let (tmp, dir) = fixture("query");
    let csv = csv_form(tmp.path(), &dir);
    let from_json = Connection::open(export(&dir, "sqlite", "from-json.db")).unwrap();
    let from_csv = Connection::open(export(&csv, "sqlite", "from-csv.db")).unwrap();
    let names = rows(
        &from_json,
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name",
    );
    assert!(names.len() > TABLES.len());
    for name in names {
        let Sql::Text(name) = &name[0] else { panic!() };
        let sql = format!("SELECT * FROM \"{name}\"");
        assert_eq!(rows(&from_csv, &sql), rows(&from_json, &sql), "{name}");
    }
}
