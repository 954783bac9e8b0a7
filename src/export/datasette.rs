//! The Datasette metadata of the SQLite export: title, licence, source, a description of every table and column, the analysts' questions as canned queries.
//!
//! Generated from the same description of the tables as the database, so
//! it never describes a column the database does not have. The repository
//! ships it as `datasette/metadata.json`, kept current by CI:
//!
//! ```sh
//! pledges export --to sqlite pledges.db
//! datasette pledges.db --metadata datasette/metadata.json
//! ```

use serde_json::{Map, Value, json};

use super::layout::{FLAT, Kind, layout};
use super::sqlite::QUERIES;
use crate::dataset::Dataset;

/// The database's name in the metadata: Datasette names a database after
/// its file, so the file is `pledges.db`.
pub const DATABASE: &str = "pledges";

/// Where the tool and the data are published.
const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The command that writes the shipped metadata, as the drift check says.
pub const WRITE_COMMAND: &str = "pledges export --to datasette-metadata datasette/metadata.json";

/// The metadata for the SQLite export of `dataset` (its title,
/// description and licence come from the manifest).
#[must_use]
pub fn metadata(dataset: &Dataset) -> Value {
    let manifest = dataset.manifest();
    let license = manifest.license.as_str();
    let mut tables = Map::new();
    for spec in layout() {
        let columns: Map<String, Value> = spec
            .columns
            .iter()
            .map(|c| (c.name.clone(), Value::String(c.description.clone())))
            .collect();
        let mut table = json!({ "description": spec.description, "columns": columns });
        let label = match spec.kind {
            Kind::Data(t) if t.name == "actors" || t.name == "events" => Some("name"),
            Kind::Data(t) if matches!(t.name, "sources" | "pledges" | "statements") => {
                Some("title")
            }
            _ => None,
        };
        if let Some(label) = label {
            table["label_column"] = json!(label);
        }
        if spec.name == FLAT {
            table["sort"] = json!("id");
        }
        tables.insert(spec.name.to_owned(), table);
    }
    let queries: Map<String, Value> = QUERIES
        .iter()
        .map(|q| {
            (
                q.name.to_owned(),
                json!({ "title": q.title, "description": q.description, "sql": q.sql }),
            )
        })
        .collect();
    let mut out = json!({
        "title": manifest.title.as_str(),
        "description": manifest.description.as_str(),
        "license": license,
        "source": "ukraine-pledges",
        "source_url": REPOSITORY,
        "databases": {
            DATABASE: {
                "title": manifest.title.as_str(),
                "description": format!(
                    "The dataset as tables: one per record type and per list (a list's rows keyed by their record's id and ordinal), `{FLAT}` to read without joins, and the codebook (`codebook`, `codes`). Written by `pledges export --to sqlite`."
                ),
                "tables": tables,
                "queries": queries,
            }
        }
    });
    if let Some(url) = license_url(license) {
        out["license_url"] = json!(url);
    }
    out
}

/// [`metadata`] as the shipped file holds it: pretty JSON, two-space
/// indent, one trailing newline.
#[must_use]
pub fn metadata_json(dataset: &Dataset) -> String {
    let mut text = serde_json::to_string_pretty(&metadata(dataset)).unwrap_or_default();
    text.push('\n');
    text
}

fn license_url(license: &str) -> Option<&'static str> {
    match license {
        "CC-BY-4.0" => Some("https://creativecommons.org/licenses/by/4.0/"),
        "CC0-1.0" => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_and_column_of_the_database_is_described() {
        let dataset = crate::generate::dataset(3, 1);
        let metadata = metadata(&dataset);
        let tables = &metadata["databases"][DATABASE]["tables"];
        let connection =
            super::super::sqlite::in_memory(&dataset, std::path::Path::new("x")).unwrap();
        let mut statement = connection
            .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
            .unwrap();
        let names: Vec<String> = statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(names.len() > 25, "{names:?}");
        for name in names {
            let described = &tables[&name];
            assert!(described["description"].is_string(), "{name}");
            let mut columns = connection
                .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))
                .unwrap();
            for column in columns.query_map([], |r| r.get::<_, String>(0)).unwrap() {
                let column = column.unwrap();
                assert!(described["columns"][&column].is_string(), "{name}.{column}");
            }
        }
    }
}
