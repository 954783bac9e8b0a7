//! CSV rows kept compactly, and the JSON tree of each record built from its
//! rows only when it is wanted.
//!
//! A record's tree needs the rows of its main table and of each child
//! table, which are read one table after another. Kept as rows (each row's
//! cells in one string), a million refused records cost about their text;
//! as trees they cost many times that. So the rows are kept, and each tree
//! is made when it is checked and dropped after.

use serde_json::{Map, Value};

use crate::schema::{FileKind, subschema_at};
use crate::tables::{Shape, TABLES, Table, collection};

/// The `$schema` a record file read from CSV is given, on either path.
pub(crate) fn schema_reference(kind: FileKind) -> String {
    format!("../schema/{}", kind.schema_file_name())
}

/// What JSON a column's cells become: text, or a number of the schema's
/// `number` or `integer` type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellType {
    Text,
    Number,
    Integer,
}

/// The cell type of each of `table`'s columns, from the schema.
pub(crate) fn cell_types(table: &Table) -> Vec<CellType> {
    let root = table.kind.schema().to_value();
    table
        .columns
        .iter()
        .map(|c| {
            let base = format!("/{}/0", collection(table.kind));
            let pointer = match table.shape {
                Shape::Main => format!("{base}/{}", c.path),
                Shape::Child { field, .. } => format!("{base}/{field}/0/{}", c.path),
            };
            // `"number"`, or `["number", "null"]` for a nullable one (an
            // empty cell is null either way).
            let types =
                subschema_at(&root, pointer.trim_end_matches('/')).and_then(|s| s.get("type"));
            let is = |name: &str| {
                types.is_some_and(|t| {
                    t.as_str() == Some(name)
                        || t.as_array()
                            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(name)))
                })
            };
            if is("number") {
                CellType::Number
            } else if is("integer") {
                CellType::Integer
            } else {
                CellType::Text
            }
        })
        .collect()
}

/// The JSON of a cell (`None`: its column is missing): null when empty.
fn cell_value(cell: Option<&str>, cell_type: CellType) -> Value {
    let Some(text) = cell.filter(|t| !t.is_empty()) else {
        return Value::Null;
    };
    let number = match cell_type {
        CellType::Text => None,
        // A whole number stays one (`3`, not `3.0`), for the types to read.
        CellType::Integer => text
            .parse::<i64>()
            .ok()
            .map(serde_json::Number::from)
            .or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
            }),
        CellType::Number => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64),
    };
    match number {
        Some(n) => Value::Number(n),
        None => Value::String(text.to_owned()),
    }
}

fn set_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('/') {
        None => {
            object.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = object
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                set_path(inner, rest, value);
            }
        }
    }
}

/// One row of a table.
#[derive(Default)]
pub(crate) struct Row {
    /// Its place among the table's rows that could be read.
    pub index: usize,
    pub line: usize,
    /// The cells of the table's headers (a child table's parent and
    /// ordinal first) that the file's header row has, in the table's
    /// order, one after another; empty once the row is made a tree.
    text: Box<str>,
    /// Where each of those cells ends in `text`.
    ends: Box<[usize]>,
}

/// How the cells of a table's rows are found: the slot of each of the
/// table's headers (parent and ordinal first, for a child table) among a
/// row's cells, `None` where the header row lacks it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Slots(Vec<Option<usize>>);

impl Slots {
    /// The slots of the table's headers, from where each is in the file's
    /// header row (`None`: not there).
    pub(crate) fn new(positions: &[Option<usize>]) -> Self {
        let mut next = 0;
        Self(
            positions
                .iter()
                .map(|p| {
                    p.map(|_| {
                        next += 1;
                        next - 1
                    })
                })
                .collect(),
        )
    }

    /// A row from a record of the file: the cells at `positions` (as given
    /// to [`Slots::new`]) that it has.
    pub(crate) fn row(
        positions: &[Option<usize>],
        index: usize,
        line: usize,
        record: &csv::StringRecord,
    ) -> Row {
        let cells = || {
            positions
                .iter()
                .flatten()
                .map(|&p| record.get(p).unwrap_or_default())
        };
        let mut text = String::with_capacity(cells().map(str::len).sum());
        let ends = cells()
            .map(|cell| {
                text.push_str(cell);
                text.len()
            })
            .collect();
        Row {
            index,
            line,
            text: text.into_boxed_str(),
            ends,
        }
    }

    /// Header `h`'s cell in `row`; `None` when the header row lacks it.
    pub(crate) fn cell<'r>(&self, row: &'r Row, h: usize) -> Option<&'r str> {
        let slot = self.0.get(h).copied().flatten()?;
        let start = match slot {
            0 => 0,
            _ => *row.ends.get(slot - 1)?,
        };
        row.text.get(start..*row.ends.get(slot)?)
    }
}

/// The rows read of one child table, each parent's in ordinal order.
pub(crate) struct ChildRows {
    pub table: &'static Table,
    pub types: Vec<CellType>,
    pub slots: Slots,
    /// Each parent record's rows, by the parent's place among the records.
    pub items: Vec<Vec<Row>>,
}

/// The rows of one kind's records: its main table's, one per record, and
/// its child tables'.
pub(crate) struct KindRows {
    pub table: &'static Table,
    pub types: Vec<CellType>,
    pub slots: Slots,
    pub rows: Vec<Row>,
    pub children: Vec<ChildRows>,
}

impl KindRows {
    /// Record `i`'s `id` cell, where it has a non-empty one.
    pub(crate) fn id(&self, i: usize) -> Option<&str> {
        let h = self.table.columns.iter().position(|c| c.path == "id")?;
        self.slots
            .cell(&self.rows[i], h)
            .filter(|id| !id.is_empty())
    }

    /// The tree of record `i`, its rows given up to make it (so a record's
    /// tree is made once).
    pub(crate) fn take_tree(&mut self, i: usize) -> Value {
        let row = std::mem::take(&mut self.rows[i]);
        let row = &row;
        let table = self.table;
        // Its columns' top-level fields and its lists: allocated once.
        let lists = TABLES.iter().filter(|t| t.kind == table.kind);
        let mut object = Map::with_capacity(table.columns.len() + lists.clone().count());
        for (c, column) in table.columns.iter().enumerate() {
            let cell = self.slots.cell(row, c);
            set_path(&mut object, column.path, cell_value(cell, self.types[c]));
        }
        // A nested object whose cells are all empty is null.
        for value in object.values_mut() {
            if matches!(value, Value::Object(inner) if inner.values().all(Value::is_null)) {
                *value = Value::Null;
            }
        }
        for child in lists {
            if let Shape::Child { field, .. } = child.shape {
                object.insert(field.to_owned(), Value::Array(Vec::new()));
            }
        }
        for child in &mut self.children {
            let Shape::Child { field, .. } = child.table.shape else {
                continue;
            };
            let Some(rows) = child.items.get_mut(i).map(std::mem::take) else {
                continue;
            };
            if rows.is_empty() {
                continue;
            }
            let columns = child.table.columns;
            let array = rows
                .iter()
                .map(|row| {
                    // A child table's first two headers are its parent and ordinal.
                    let cell = |c: usize| child.slots.cell(row, c + 2);
                    if columns.len() == 1 && columns[0].path.is_empty() {
                        cell_value(cell(0), child.types[0])
                    } else {
                        let mut item = Map::with_capacity(columns.len());
                        for (c, column) in columns.iter().enumerate() {
                            set_path(&mut item, column.path, cell_value(cell(c), child.types[c]));
                        }
                        Value::Object(item)
                    }
                })
                .collect();
            object.insert(field.to_owned(), Value::Array(array));
        }
        Value::Object(object)
    }
}

/// The records of one kind the CSV fast path refused, as rows, each with
/// its place among the main table's rows: their trees are made one at a
/// time, as they are asked for.
pub(crate) struct CsvRecords {
    pub(crate) places: Vec<usize>,
    pub(crate) rows: KindRows,
}

impl std::fmt::Debug for CsvRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRecords")
            .field("kind", &self.rows.table.kind)
            .field("places", &self.places)
            .finish_non_exhaustive()
    }
}

impl CsvRecords {
    /// How many records there are.
    pub(crate) fn len(&self) -> usize {
        self.places.len()
    }

    /// Each record's tree with its place, made as it is reached.
    pub(crate) fn into_trees(mut self) -> impl Iterator<Item = (usize, Value)> {
        let places = std::mem::take(&mut self.places);
        places
            .into_iter()
            .enumerate()
            .map(move |(i, place)| (place, self.rows.take_tree(i)))
    }
}
