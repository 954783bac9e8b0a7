//! JSON → CSV: the dataset as relational tables.

use serde_json::Value;

use crate::convert::tables::{Shape, TABLES, Table};
use crate::dataset::Dataset;
use crate::schema::FileKind;

/// The text of one cell: empty for null, numbers in their shortest exact
/// form, strings as they are.
pub(crate) fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// Looks up a `/`-separated relative path (`""` is the value itself).
pub(crate) fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    if path.is_empty() {
        Some(value)
    } else {
        path.split('/').try_fold(value, |v, key| v.get(key))
    }
}

fn records(dataset: &Dataset, kind: FileKind) -> Vec<Value> {
    let to_values = |values: Result<Vec<Value>, serde_json::Error>| values.unwrap_or_default();
    match kind {
        FileKind::Actors => to_values(dataset.actors().iter().map(serde_json::to_value).collect()),
        FileKind::Sources => {
            to_values(dataset.sources().iter().map(serde_json::to_value).collect())
        }
        _ => to_values(dataset.pledges().iter().map(serde_json::to_value).collect()),
    }
}

/// Writes one table as CSV bytes: UTF-8 without BOM, LF line ends, fields
/// quoted only where needed.
pub(crate) fn table_bytes(table: &Table, records: &[Value]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(table.headers());
    for record in records {
        let id = cell(record.get("id"));
        match table.shape {
            Shape::Main => {
                let row: Vec<String> = table
                    .columns
                    .iter()
                    .map(|c| cell(at(record, c.path)))
                    .collect();
                let _ = writer.write_record(&row);
            }
            Shape::Child { field, .. } => {
                for (j, item) in record
                    .get(field)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let mut row = vec![id.clone(), (j + 1).to_string()];
                    row.extend(table.columns.iter().map(|c| cell(at(item, c.path))));
                    let _ = writer.write_record(&row);
                }
            }
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// Every CSV table of `dataset` as `(file name, bytes)`, in [`TABLES`] order.
#[must_use]
pub fn csv_tables(dataset: &Dataset) -> Vec<(String, Vec<u8>)> {
    let by_kind: Vec<(FileKind, Vec<Value>)> =
        [FileKind::Actors, FileKind::Sources, FileKind::Pledges]
            .into_iter()
            .map(|k| (k, records(dataset, k)))
            .collect();
    TABLES
        .iter()
        .map(|table| {
            let rows = by_kind
                .iter()
                .find(|(k, _)| *k == table.kind)
                .map(|(_, r)| r.as_slice())
                .unwrap_or_default();
            (table.file_name(), table_bytes(table, rows))
        })
        .collect()
}
