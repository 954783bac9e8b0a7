//! JSON → CSV: the dataset as relational tables, written cell by cell from
//! the typed records.

use std::io::{self, Write};

use crate::dataset::Dataset;
use crate::model::{Actor, Condition, Evidence, Pledge, Retirement, Source};
use crate::schema::FileKind;
use crate::tables::{Shape, TABLES, Table};

/// The content of one cell.
#[derive(Clone, Copy)]
enum Cell<'a> {
    /// Null: an empty cell.
    Empty,
    Text(&'a str),
    /// A number (in its shortest exact form, `480`, `0.5`) or a date.
    Shown(&'a dyn std::fmt::Display),
}

fn text(value: &impl AsRef<str>) -> Cell<'_> {
    Cell::Text(value.as_ref())
}

fn optional<T: AsRef<str>>(value: Option<&T>) -> Cell<'_> {
    value.map_or(Cell::Empty, |v| Cell::Text(v.as_ref()))
}

fn name(value: &'static str) -> Cell<'static> {
    Cell::Text(value)
}

/// A record or list item whose columns a [`Table`] names by path.
trait Cells {
    /// The cell at a column's `path`; `None` for a path the type does not
    /// have (a test holds [`TABLES`] and these to each other).
    fn cell(&self, path: &str) -> Option<Cell<'_>>;
}

fn retired<'a, Id: AsRef<str>>(
    retired: Option<&'a Retirement<Id>>,
    field: &str,
) -> Option<Cell<'a>> {
    Some(match (retired, field) {
        (None, "reason" | "replaced_by" | "note") => Cell::Empty,
        (Some(r), "reason") => name(r.reason.as_str()),
        (Some(r), "replaced_by") => optional(r.replaced_by.as_ref()),
        (Some(r), "note") => text(&r.note),
        _ => return None,
    })
}

impl Cells for Actor {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        Some(match path {
            "id" => text(&self.id),
            "name" => text(&self.name),
            "kind" => name(self.kind.as_str()),
            "iso_3166" => optional(self.iso_3166.as_ref()),
            "wikidata" => optional(self.wikidata.as_ref()),
            "affiliation" => optional(self.affiliation.as_ref()),
            "role" => optional(self.role.as_ref()),
            "notes" => optional(self.notes.as_ref()),
            _ => return retired(self.retired.as_ref(), path.strip_prefix("retired/")?),
        })
    }
}

impl Cells for Source {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        Some(match path {
            "id" => text(&self.id),
            "title" => text(&self.title),
            "publisher" => optional(self.publisher.as_ref()),
            "url" => optional(self.url.as_ref()),
            "published" => self
                .published
                .as_ref()
                .map_or(Cell::Empty, |d| Cell::Shown(d)),
            "kind" => name(self.kind.as_str()),
            "language" => text(&self.language),
            "archive/file" => text(&self.archive.file),
            "archive/sha256" => text(&self.archive.sha256),
            "notes" => optional(self.notes.as_ref()),
            _ => return retired(self.retired.as_ref(), path.strip_prefix("retired/")?),
        })
    }
}

impl Cells for Pledge {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        let quantity = self.quantity.as_ref();
        Some(match path {
            "id" => text(&self.id),
            "title" => text(&self.title),
            "description" => text(&self.description),
            "beneficiary" => optional(self.beneficiary.as_ref()),
            "category" => name(self.category.as_str()),
            "status" => name(self.status.as_str()),
            "commitment" => self.commitment.map_or(Cell::Empty, |c| name(c.as_str())),
            "quantity/amount" => quantity.map_or(Cell::Empty, |q| Cell::Shown(&q.amount)),
            "quantity/unit" => quantity.map_or(Cell::Empty, |q| text(&q.unit)),
            "quantity/per" => quantity
                .and_then(|q| q.per)
                .map_or(Cell::Empty, |p| name(p.as_str())),
            "announced" => self
                .announced
                .as_ref()
                .map_or(Cell::Empty, |d| Cell::Shown(d)),
            _ => return retired(self.retired.as_ref(), path.strip_prefix("retired/")?),
        })
    }
}

impl Cells for Condition {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        Some(match path {
            "kind" => name(self.kind.as_str()),
            "actor" => optional(self.actor.as_ref()),
            "text" => text(&self.text),
            _ => return None,
        })
    }
}

impl Cells for Evidence {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        Some(match path {
            "source" => text(&self.source),
            "quote" => text(&self.quote),
            _ => return None,
        })
    }
}

/// A list item that is a single string (an alias, an actor id).
struct Item<'a>(&'a str);

impl Cells for Item<'_> {
    fn cell(&self, path: &str) -> Option<Cell<'_>> {
        path.is_empty().then_some(Cell::Text(self.0))
    }
}

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

    fn record(&mut self, table: &Table, record: &dyn Cells) -> csv::Result<()> {
        for column in table.columns {
            self.field(record.cell(column.path).unwrap_or(Cell::Empty))?;
        }
        self.writer.write_record(None::<&[u8]>)
    }

    fn items<'a>(
        &mut self,
        table: &Table,
        parent: &str,
        items: impl Iterator<Item = &'a dyn Cells>,
    ) -> csv::Result<()> {
        for (j, item) in items.enumerate() {
            self.field(Cell::Text(parent))?;
            self.field(Cell::Shown(&(j + 1)))?;
            self.record(table, item)?;
        }
        Ok(())
    }

    fn finish(self) -> io::Result<W> {
        self.writer.into_inner().map_err(|e| e.into_error())
    }
}

/// Writes one table of `dataset` as CSV into `out`, and returns it.
pub(crate) fn write_table<W: Write>(table: &Table, dataset: &Dataset, out: W) -> io::Result<W> {
    let mut rows = Rows::new(table, out)?;
    let field = match table.shape {
        Shape::Main => None,
        Shape::Child { field, .. } => Some(field),
    };
    match (table.kind, field) {
        (FileKind::Actors, None) => {
            for a in dataset.actors() {
                rows.record(table, a)?;
            }
        }
        (FileKind::Sources, None) => {
            for s in dataset.sources() {
                rows.record(table, s)?;
            }
        }
        (FileKind::Pledges, None) => {
            for p in dataset.pledges() {
                rows.record(table, p)?;
            }
        }
        (FileKind::Actors, Some("aliases")) => {
            for a in dataset.actors() {
                let items: Vec<Item<'_>> = a.aliases.iter().map(|t| Item(t.as_str())).collect();
                rows.items(table, a.id.as_str(), items.iter().map(|i| i as &dyn Cells))?;
            }
        }
        (FileKind::Pledges, Some(list)) => {
            for p in dataset.pledges() {
                let id = p.id.as_str();
                match list {
                    "pledgers" | "involved" => {
                        let ids = if list == "pledgers" {
                            &p.pledgers
                        } else {
                            &p.involved
                        };
                        let items: Vec<Item<'_>> = ids.iter().map(|t| Item(t.as_str())).collect();
                        rows.items(table, id, items.iter().map(|i| i as &dyn Cells))?;
                    }
                    "conditions" => {
                        rows.items(table, id, p.conditions.iter().map(|c| c as &dyn Cells))?;
                    }
                    "evidence" => {
                        rows.items(table, id, p.evidence.iter().map(|e| e as &dyn Cells))?;
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    rows.finish()
}

/// One table of `dataset` as CSV bytes.
fn table_bytes(table: &Table, dataset: &Dataset) -> Vec<u8> {
    // Writing to a Vec cannot fail.
    write_table(table, dataset, Vec::new()).unwrap_or_default()
}

/// [`TABLES`] in two shares of about equal size: the pledges' two largest
/// tables, and the rest.
pub(crate) fn two_shares() -> (&'static [Table], &'static [Table]) {
    TABLES.split_at(TABLES.len() - 2)
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
        let second = threads.spawn(|| write(right));
        let mut files = write(left);
        match second.join() {
            Ok(more) => files.extend(more),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        files
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
            _ => dataset
                .pledges()
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
            if let Some(q) = p.quantity.as_mut() {
                q.amount = [0.0, 480.0, 0.5, 1e21, 12345.678][i % 5];
            }
        }
        Dataset::from_parts(dataset.manifest().clone(), actors, sources, pledges)
    }

    #[test]
    fn every_column_path_names_a_field_of_its_record() {
        let dataset = crate::generate::dataset(3, 1);
        for table in TABLES {
            let path_ok = |record: &dyn Cells| {
                for column in table.columns {
                    assert!(
                        record.cell(column.path).is_some(),
                        "{}: {}",
                        table.name,
                        column.path
                    );
                }
            };
            match (table.kind, table.shape) {
                (FileKind::Actors, Shape::Main) => path_ok(&dataset.actors()[0]),
                (FileKind::Sources, Shape::Main) => path_ok(&dataset.sources()[0]),
                (FileKind::Pledges, Shape::Main) => path_ok(&dataset.pledges()[0]),
                (
                    _,
                    Shape::Child {
                        field: "conditions",
                        ..
                    },
                ) => {
                    path_ok(
                        &dataset
                            .pledges()
                            .iter()
                            .find_map(|p| p.conditions.first())
                            .unwrap()
                            .clone(),
                    );
                }
                (
                    _,
                    Shape::Child {
                        field: "evidence", ..
                    },
                ) => path_ok(&dataset.pledges()[0].evidence[0]),
                _ => path_ok(&Item("x")),
            }
        }
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
