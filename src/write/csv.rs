//! JSON → CSV: the dataset as relational tables, written cell by cell from
//! the typed records.

use std::io::{self, Write};

use super::{RowSink, table_rows};
use crate::dataset::Dataset;
use crate::tables::{Cell, Row, TABLES, Table};

/// Writes rows as CSV: UTF-8 without BOM, LF line ends, fields quoted only
/// where needed.
struct Rows<W: Write> {
    writer: csv::Writer<W>,
    /// A buffer for cells written with `Display`.
    number: String,
}

impl<W: Write> Rows<W> {
    fn new(table: &Table, out: W) -> csv::Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        writer.write_record(table.headers())?;
        Ok(Self {
            writer,
            number: String::new(),
        })
    }

    fn field(&mut self, cell: Cell<'_>) -> csv::Result<()> {
        use std::fmt::Write as _;
        match cell {
            Cell::Empty => self.writer.write_field(""),
            Cell::Text(s) => self.writer.write_field(s),
            Cell::Shown(value) => {
                self.number.clear();
                let _ = write!(self.number, "{value}");
                self.writer.write_field(&self.number)
            }
        }
    }

    fn record(&mut self, table: &Table, record: &impl Row) -> csv::Result<()> {
        for column in 0..table.columns.len() {
            self.field(record.cell(column))?;
        }
        self.writer.write_record(None::<&[u8]>)
    }

    fn finish(self) -> io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

impl<W: Write> RowSink for Rows<W> {
    type Error = csv::Error;

    fn row<R: Row>(
        &mut self,
        table: &Table,
        key: Option<(&str, usize)>,
        row: &R,
    ) -> csv::Result<()> {
        if let Some((parent, ordinal)) = key {
            self.field(Cell::Text(parent))?;
            self.field(Cell::Shown(&ordinal))?;
        }
        self.record(table, row)
    }
}

/// Writes one table of `dataset` as CSV into `out`, and returns it.
pub(crate) fn write_table<W: Write>(table: &Table, dataset: &Dataset, out: W) -> io::Result<W> {
    let mut rows = Rows::new(table, out)?;
    table_rows(table, dataset, &mut rows)?;
    rows.finish()
}

/// One table of `dataset` as CSV bytes.
fn table_bytes(table: &Table, dataset: &Dataset) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    write_table(table, dataset, Vec::new()).unwrap_or_default()
}

/// [`TABLES`] in two shares of about equal size: the pledges' evidence and
/// inferences, and the rest.
pub(crate) fn two_shares() -> (Vec<Table>, Vec<Table>) {
    let second = |t: &Table| matches!(t.name, "pledge_evidence" | "pledge_inferences");
    TABLES.iter().partition(|t| !second(t))
}

/// Every CSV table of `dataset` as `(file name, bytes)`, in [`TABLES`]
/// order, the pledges' larger tables written on a second core.
#[must_use]
pub fn csv_tables(dataset: &Dataset) -> Vec<(String, Vec<u8>)> {
    let (left, right) = two_shares();
    let write = |tables: &[Table]| -> Vec<(String, Vec<u8>)> {
        tables
            .iter()
            .map(|t| (t.file_name(), table_bytes(t, dataset)))
            .collect()
    };
    std::thread::scope(|threads| {
        let second = threads.spawn(|| write(&right));
        let mut files = write(&left);
        match second.join() {
            Ok(more) => files.extend(more),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        // In [`TABLES`] order.
        files.sort_by_key(|(name, _)| TABLES.iter().position(|t| t.file_name() == *name));
        files
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FileKind;
    use crate::tables::Shape;
    use serde_json::Value;

    /// The reference: each record turned into JSON, each cell looked up by
    /// its column's path, as the tables are defined.
    fn reference_table(table: &Table, dataset: &Dataset) -> Vec<u8> {
        fn cell(value: Option<&Value>) -> String {
            match value {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.as_f64().map_or(n.to_string(), |f| f.to_string()),
                Some(other) => other.to_string(),
            }
        }
        fn at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
            if path.is_empty() {
                Some(value)
            } else {
                path.split('/').try_fold(value, |v, key| v.get(key))
            }
        }
        let records: Vec<Value> = match table.kind {
            FileKind::Actors => dataset
                .actors()
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
            FileKind::Sources => dataset
                .sources()
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
            FileKind::Pledges => dataset
                .pledges()
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
            FileKind::Events => dataset
                .events()
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
            _ => dataset
                .statements()
                .iter()
                .map(|r| serde_json::to_value(r).unwrap())
                .collect(),
        };
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer.write_record(table.headers()).unwrap();
        for record in &records {
            let id = cell(record.get("id"));
            match table.shape {
                Shape::Main => {
                    let row: Vec<String> = table
                        .columns
                        .iter()
                        .map(|c| cell(at(record, c.path)))
                        .collect();
                    writer.write_record(&row).unwrap();
                }
                Shape::Child { field, .. } => {
                    let items = record.get(field).and_then(Value::as_array).unwrap();
                    for (j, item) in items.iter().enumerate() {
                        let mut row = vec![id.clone(), (j + 1).to_string()];
                        row.extend(table.columns.iter().map(|c| cell(at(item, c.path))));
                        writer.write_record(&row).unwrap();
                    }
                }
            }
        }
        writer.into_inner().unwrap()
    }

    /// A generated dataset with the optional fields the generator leaves
    /// empty filled in, and a withdrawn record.
    fn richer(dataset: Dataset) -> Dataset {
        use crate::model::{PartialDate, Retirement, RetirementReason, Text, WikidataId};
        let date = |s: &str| s.parse::<PartialDate>().unwrap();
        let mut actors = dataset.actors().to_vec();
        let mut sources = dataset.sources().to_vec();
        let mut pledges = dataset.pledges().to_vec();
        if let Some(a) = actors.first_mut() {
            a.wikidata = Some(WikidataId::new("Q212").unwrap());
            a.role = Some(Text::new("Envoy, \"special\"").unwrap());
            a.retired = Some(Retirement {
                reason: RetirementReason::Withdrawn,
                replaced_by: None,
                note: Text::new("A duplicate.").unwrap(),
            });
        }
        for (i, s) in sources.iter_mut().enumerate() {
            s.published = Some(date(["2025", "2025-03", "2025-03-07"][i % 3]));
        }
        for (i, p) in pledges.iter_mut().enumerate() {
            p.announced = (i % 2 == 0).then(|| date("2024-02-29"));
            if let Some(q) = p.quantities.first_mut() {
                q.amount = [Some(0.0), Some(480.0), None, Some(1e21), Some(12345.678)][i % 5];
            }
        }
        Dataset::from_parts(
            dataset.manifest().clone(),
            actors,
            sources,
            pledges,
            dataset.events().to_vec(),
            dataset.statements().to_vec(),
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Cells written from the typed records are the cells the table
        /// definitions give for the records' JSON.
        #[test]
        fn typed_cells_match_the_json_of_each_record(seed in 0..1000u64, size in 1..30usize) {
            let dataset = richer(crate::generate::dataset(size, seed));
            for table in TABLES {
                proptest::prop_assert_eq!(
                    String::from_utf8(table_bytes(table, &dataset)).unwrap(),
                    String::from_utf8(reference_table(table, &dataset)).unwrap(),
                    "{}", table.name
                );
            }
        }
    }
}
