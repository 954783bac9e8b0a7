//! CSV → JSON: reading the tables back into records, remembering for each
//! value the cell it came from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::schema::FileKind;
use crate::schema::subschema_at;
use crate::tables::manifest_value;
use crate::tables::{DATAPACKAGE, Shape, TABLES, Table, collection};

/// The lines of one table's rows: for a main table, one per record; for a
/// child table, the lines of each parent's items in ordinal order, parent
/// after parent.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TableLines {
    table: &'static Table,
    path: PathBuf,
    lines: Vec<Line>,
    /// Child tables: where each parent's lines start in `lines`, and a last
    /// entry for the end.
    starts: Vec<u32>,
}

/// A row's line number. Four bytes, not eight: a million-pledge dataset has
/// millions of rows, and their lines are kept for as long as the report
/// may need them.
pub(crate) type Line = u32;

/// A line as [`Line`]; past four billion lines a finding's line saturates
/// rather than wrapping.
pub(crate) fn line_of(line: usize) -> Line {
    Line::try_from(line).unwrap_or(Line::MAX)
}

impl TableLines {
    /// A main table's lines, one per record.
    pub(crate) fn main(table: &'static Table, path: PathBuf, lines: Vec<Line>) -> Self {
        Self {
            table,
            path,
            lines,
            starts: Vec::new(),
        }
    }

    /// A child table's lines, one list per parent record.
    pub(crate) fn child<'l>(
        table: &'static Table,
        path: PathBuf,
        per_parent: impl IntoIterator<Item = &'l [Line]>,
    ) -> Self {
        let mut lines = Vec::new();
        let mut starts = vec![0];
        for items in per_parent {
            lines.extend_from_slice(items);
            starts.push(u32::try_from(lines.len()).unwrap_or(u32::MAX));
        }
        Self::child_parts(table, path, lines, starts)
    }

    /// A child table's lines, parent after parent, and where each parent's
    /// start in them (with a last entry for the end).
    pub(crate) fn child_parts(
        table: &'static Table,
        path: PathBuf,
        lines: Vec<Line>,
        starts: Vec<u32>,
    ) -> Self {
        Self {
            table,
            path,
            lines,
            starts,
        }
    }

    /// The lines of the items of parent record `index` (child tables).
    fn items(&self, index: usize) -> Option<&[Line]> {
        let (&start, &end) = (self.starts.get(index)?, self.starts.get(index + 1)?);
        self.lines.get(start as usize..end as usize)
    }
}

/// Where each record and value of a CSV dataset came from, kept as row
/// lines only: a cell's place is worked out from a JSON Pointer on demand.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct CsvMap {
    pub package: PathBuf,
    pub tables: Vec<TableLines>,
}

impl CsvMap {
    /// The row and cell of the value at `pointer` in a `kind` file, or of
    /// its nearest located parent.
    pub fn locate(&self, kind: FileKind, pointer: &str) -> Option<Location> {
        if kind == FileKind::Manifest {
            return Some(Location {
                path: self.package.clone(),
                line: None,
                column: None,
            });
        }
        let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
        let index: usize = tokens.get(1)?.parse().ok()?;
        let rest = &tokens[2..];
        let at = |t: &TableLines, line: Line, column: Option<usize>| Location {
            path: t.path.clone(),
            line: Some(line as usize),
            column,
        };
        let main = self
            .tables
            .iter()
            .find(|t| t.table.kind == kind && t.table.shape == Shape::Main)?;
        let row = *main.lines.get(index)?;
        let Some(&field) = rest.first() else {
            return Some(at(main, row, Some(1)));
        };
        if let Some(child) = self.tables.iter().find(|t| {
            t.table.kind == kind
                && matches!(t.table.shape, Shape::Child { field: f, .. } if f == field)
        }) {
            let lines = child.items(index)?;
            let Some(j) = rest.get(1).and_then(|j| j.parse::<usize>().ok()) else {
                return Some(
                    lines
                        .first()
                        .map_or_else(|| at(main, row, Some(1)), |&l| at(child, l, None)),
                );
            };
            let line = *lines.get(j)?;
            let inner = rest.get(2).copied().unwrap_or("");
            let column = child
                .table
                .columns
                .iter()
                .position(|c| c.path == inner)
                .map_or(3, |i| i + 3);
            return Some(at(child, line, Some(column)));
        }
        let path = rest.join("/");
        let column = main
            .table
            .columns
            .iter()
            .position(|c| c.path == path)
            .or_else(|| {
                main.table
                    .columns
                    .iter()
                    .position(|c| c.path.starts_with(&format!("{field}/")) || c.path == field)
            });
        Some(at(main, row, column.map(|i| i + 1)))
    }
}

impl CsvMap {
    /// The table the value at `pointer` in a `kind` file comes from (by
    /// its place in `tables`), as [`locate`](Self::locate) finds it, without
    /// the row.
    pub(crate) fn table_of(&self, kind: FileKind, pointer: &str) -> Option<usize> {
        let field = pointer.split('/').nth(3);
        let child = field.and_then(|field| {
            self.tables.iter().position(|t| {
                t.table.kind == kind
                    && matches!(t.table.shape, Shape::Child { field: f, .. } if f == field)
            })
        });
        child.or_else(|| {
            self.tables
                .iter()
                .position(|t| t.table.kind == kind && t.table.shape == Shape::Main)
        })
    }

    /// The path of the table at `index` in `tables`.
    pub(crate) fn table_path(&self, index: usize) -> Option<&Path> {
        self.tables.get(index).map(|t| t.path.as_path())
    }
}

/// A cell (or row, or file) that a JSON value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Location {
    pub path: PathBuf,
    /// 1-based line of the row in the file.
    pub line: Option<usize>,
    /// 1-based field number within the row.
    pub column: Option<usize>,
}

/// The records of a CSV dataset as JSON values, with where each came from.
#[derive(Debug, Default)]
pub(crate) struct CsvInput {
    pub values: HashMap<FileKind, Value>,
    /// Which row and cell each record and value came from.
    pub map: CsvMap,
    pub diagnostics: Vec<(Diagnostic, Option<usize>)>,
    /// Problems counted past the limit rather than made into diagnostics.
    pub skipped: Vec<(Code, PathBuf, usize)>,
    /// The package descriptor's text, for positions of its own problems.
    pub package_text: Option<String>,
}

/// What JSON a column's cells become: text, or a number of the schema's
/// `number` or `integer` type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CellType {
    Text,
    Number,
    Integer,
}

fn number_columns(table: &Table) -> Vec<CellType> {
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

/// [`to_value`] of a cell read (`None`: the column is missing), its text
/// moved into the value rather than copied.
fn cell_value(cell: Option<String>, kind: CellType) -> Value {
    match cell {
        None => Value::Null,
        Some(text) if kind == CellType::Text => {
            if text.is_empty() {
                Value::Null
            } else {
                Value::String(text)
            }
        }
        Some(text) => to_value(&text, kind),
    }
}

fn to_value(text: &str, cell: CellType) -> Value {
    if text.is_empty() {
        return Value::Null;
    }
    let number = match cell {
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

struct Row {
    /// Its place among the table's rows that could be read.
    index: usize,
    line: usize,
    cells: Vec<Option<String>>,
}

/// Reads one table: checks its header, returns its rows with every value
/// column in definition order (`None` where the column is missing). Past
/// `keep` unexpected columns, or rows that cannot be read, the rest are
/// counted in `skipped` rather than made into diagnostics. Only the rows
/// `wanted` (by their place and their first cell) are returned.
fn read_table(
    path: &Path,
    table: &Table,
    max_size: u64,
    keep: usize,
    wanted: &dyn Fn(usize, Option<&str>) -> bool,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
    skipped: &mut Vec<(Code, PathBuf, usize)>,
) -> Option<Vec<Row>> {
    let bytes = match super::files::read_regular(path, max_size) {
        Ok(bytes) => bytes,
        Err(e) if super::files::TooLarge::of(&e).is_some() => {
            let message = super::json::too_large_message(&e);
            out.push((Diagnostic::new(Code::FileTooLarge, path, "", message), None));
            return None;
        }
        Err(e) => {
            let code = if super::files::NotRegular::of(&e).is_some() {
                Code::NotAFile
            } else if e.kind() == std::io::ErrorKind::NotFound {
                Code::MissingFile
            } else if path.is_dir() {
                Code::NotAFile
            } else {
                Code::UnreadableFile
            };
            out.push((
                Diagnostic::new(code, path, "", format!("cannot read the table: {e}")),
                None,
            ));
            return None;
        }
    };
    // Spreadsheets save a byte-order mark; accept it, with a warning.
    let bytes = crate::load::json::strip_bom(
        path,
        &bytes,
        "accepted; `pledges convert` writes UTF-8 without BOM",
        out,
    )
    .unwrap_or(&bytes[..]);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        let mut d = Diagnostic::new(
            Code::InvalidUtf8,
            path,
            "",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
        .with_hint("save the table as UTF-8 CSV");
        d.line = Some(line);
        out.push((d, None));
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let expected = table.headers();
    let actual: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_owned).collect(),
        Err(e) => {
            out.push((
                Diagnostic::new(
                    Code::CsvSyntax,
                    path,
                    "",
                    format!("cannot read the header row: {e}"),
                ),
                None,
            ));
            return None;
        }
    };
    let header_problem = |message: String, column: Option<usize>, hint: String| {
        let mut d = Diagnostic::new(Code::CsvHeader, path, "", message).with_hint(hint);
        d.line = Some(1);
        d.column = column;
        d
    };
    // Worked out once, not once per column: a header may have a million.
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|e| !actual.iter().any(|a| a == e))
        .collect();
    let columns = expected.join(", ");
    // Missing columns first, so that a million unexpected ones cannot push
    // them past the limit.
    for name in &missing {
        out.push((
            header_problem(
                format!("missing column `{name}`"),
                None,
                format!("the columns are: {columns}"),
            ),
            None,
        ));
    }
    let mut unexpected = 0usize;
    for (i, name) in actual.iter().enumerate() {
        if !expected.contains(&name.as_str()) {
            unexpected += 1;
            if unexpected > keep {
                continue;
            }
            let hint = match did_you_mean(name, missing.iter().copied()) {
                Some(near) => format!("did you mean `{near}`? The columns are: {columns}"),
                None => format!("remove it; the columns are: {columns}"),
            };
            out.push((
                header_problem(format!("unexpected column `{name}`"), Some(i + 1), hint),
                None,
            ));
        }
    }
    if unexpected > keep {
        skipped.push((Code::CsvHeader, path.to_owned(), unexpected - keep));
    }
    let known: Vec<&String> = actual
        .iter()
        .filter(|a| expected.contains(&a.as_str()))
        .collect();
    let in_order: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|e| known.iter().any(|k| k == e))
        .collect();
    if known
        .iter()
        .map(|s| s.as_str())
        .ne(in_order.iter().copied())
    {
        out.push((
            header_problem(
                "the columns are out of order".to_owned(),
                None,
                format!("order them as: {}", expected.join(", ")),
            ),
            None,
        ));
    }
    let index: Vec<Option<usize>> = expected
        .iter()
        .map(|e| actual.iter().position(|a| a == e))
        .collect();

    let mut rows = Vec::new();
    let mut bad_rows = 0usize;
    let mut read = 0usize;
    for record in reader.records() {
        match record {
            Ok(record) => {
                read += 1;
                if !wanted(read - 1, record.get(0)) {
                    continue;
                }
                let line = record.position().map_or(0, |p| p.line() as usize);
                let cells = index
                    .iter()
                    .map(|i| i.and_then(|i| record.get(i)).map(str::to_owned))
                    .collect();
                rows.push(Row {
                    index: read - 1,
                    line,
                    cells,
                });
            }
            Err(e) => {
                bad_rows += 1;
                if bad_rows > keep {
                    continue;
                }
                let mut d = Diagnostic::new(Code::CsvSyntax, path, "", format!("{e}")).with_hint("every row needs as many fields as the header; quote fields that contain commas, quotes or line breaks");
                d.line = e.position().map(|p| p.line() as usize);
                out.push((d, None));
            }
        }
    }
    if bad_rows > keep {
        skipped.push((Code::CsvSyntax, path.to_owned(), bad_rows - keep));
    }
    Some(rows)
}

/// Reads the CSV dataset in `dir`, making at most `keep` diagnostics of
/// one code in one table where a table can hold very many.
pub(crate) fn read_dir(dir: &Path, max_size: u64, keep: usize) -> CsvInput {
    read_rows(dir, max_size, keep, None).0
}

/// Reads the records at the rows `only` names (by kind, each a main
/// table's row places, ascending) as JSON trees with their places, for a
/// dataset the fast path has read but for these rows: their tables are
/// read again, and only their rows made into trees. `None` if one of them
/// cannot be read so.
pub(crate) fn read_records(
    dir: &Path,
    max_size: u64,
    only: &HashMap<FileKind, Vec<usize>>,
) -> Option<HashMap<FileKind, Vec<(usize, Value)>>> {
    let (mut input, places) = read_rows(dir, max_size, usize::MAX, Some(only));
    let mut records = HashMap::new();
    for (&kind, wanted) in only {
        let Value::Object(mut file) = input.values.remove(&kind)? else {
            return None;
        };
        let Value::Array(items) = file.remove(collection(kind))? else {
            return None;
        };
        let found: Vec<(usize, Value)> = places.get(&kind)?.iter().copied().zip(items).collect();
        if found.len() != wanted.len() {
            return None;
        }
        records.insert(kind, found);
    }
    Some(records)
}

/// [`read_dir`], or with `only`, [`read_records`]'s rows alone; with the
/// place of each record read, by kind.
fn read_rows(
    dir: &Path,
    max_size: u64,
    keep: usize,
    only: Option<&HashMap<FileKind, Vec<usize>>>,
) -> (CsvInput, HashMap<FileKind, Vec<usize>>) {
    let mut input = CsvInput::default();
    let mut places: HashMap<FileKind, Vec<usize>> = HashMap::new();
    let package_path = dir.join(DATAPACKAGE);
    let package = crate::load::read_json_file(&package_path, max_size, &mut input.diagnostics);
    if let Some(value) = &package.value {
        input
            .values
            .insert(FileKind::Manifest, manifest_value(value));
    }
    input.package_text = package.text;
    input.map.package = package_path;

    let mut ids: HashMap<FileKind, HashMap<String, usize>> = HashMap::new();
    let mut records: HashMap<FileKind, Vec<Value>> = HashMap::new();
    for table in TABLES {
        if only.is_some_and(|only| !only.contains_key(&table.kind)) {
            continue;
        }
        let path = dir.join(table.file_name());
        let numbers = number_columns(table);
        // With `only`, a main table's wanted rows by place, a child
        // table's by their parent.
        let rows_wanted = only.and_then(|only| only.get(&table.kind));
        let parents = ids.get(&table.kind);
        let wanted = |place: usize, first: Option<&str>| match (rows_wanted, table.shape) {
            (None, _) => true,
            (Some(rows), Shape::Main) => rows.binary_search(&place).is_ok(),
            (Some(_), Shape::Child { .. }) => {
                first.is_some_and(|id| parents.is_some_and(|p| p.contains_key(id)))
            }
        };
        let read = read_table(
            &path,
            table,
            max_size,
            keep,
            &wanted,
            &mut input.diagnostics,
            &mut input.skipped,
        );
        let Some(rows) = read else {
            continue;
        };
        let coll = collection(table.kind);
        match table.shape {
            Shape::Main => {
                let list = records.entry(table.kind).or_default();
                let id_index = ids.entry(table.kind).or_default();
                let mut main_lines = Vec::with_capacity(rows.len());
                let placed = places.entry(table.kind).or_default();
                // Each record's members: its columns' top-level fields and
                // its lists, so that the object is allocated once.
                let members =
                    table.columns.len() + TABLES.iter().filter(|t| t.kind == table.kind).count();
                for row in rows {
                    let index = list.len();
                    placed.push(row.index);
                    let mut object = Map::with_capacity(members);
                    let line = row.line;
                    for (i, (column, cell)) in table.columns.iter().zip(row.cells).enumerate() {
                        set_path(&mut object, column.path, cell_value(cell, numbers[i]));
                    }
                    // A nested object whose cells are all empty is null.
                    for value in object.values_mut() {
                        if matches!(value, Value::Object(inner) if inner.values().all(Value::is_null))
                        {
                            *value = Value::Null;
                        }
                    }
                    for child in TABLES.iter().filter(|t| t.kind == table.kind) {
                        if let Shape::Child { field, .. } = child.shape {
                            object.insert(field.to_owned(), Value::Array(Vec::new()));
                        }
                    }
                    if let Some(Value::String(id)) = object.get("id") {
                        id_index.entry(id.clone()).or_insert(index);
                    }
                    main_lines.push(line_of(line));
                    list.push(Value::Object(object));
                }
                input
                    .map
                    .tables
                    .push(TableLines::main(table, path.clone(), main_lines));
            }
            Shape::Child {
                field,
                parent_column,
            } => {
                // Without its main table a child table has nothing to attach to.
                let Some(parent_ids) = parents else {
                    continue;
                };
                let mut items: HashMap<usize, Vec<(usize, Row)>> = HashMap::new();
                for row in rows {
                    let parent = row
                        .cells
                        .first()
                        .and_then(Option::as_deref)
                        .unwrap_or_default();
                    let Some(&index) = parent_ids.get(parent) else {
                        if only.is_some() {
                            continue;
                        }
                        let mut d = Diagnostic::new(
                            Code::UnknownReference,
                            &path,
                            "",
                            format!("`{parent_column}` is `{parent}`, but no row of {coll}.csv has that id"),
                        )
                        .with_hint(format!("correct the id, or add the record to {coll}.csv"));
                        d.line = Some(row.line);
                        d.column = Some(1);
                        input.diagnostics.push((d, None));
                        continue;
                    };
                    let ordinal = row
                        .cells
                        .get(1)
                        .and_then(Option::as_deref)
                        .unwrap_or_default();
                    match ordinal.parse::<usize>() {
                        Ok(n) if n >= 1 => items.entry(index).or_default().push((n, row)),
                        _ => {
                            let mut d = Diagnostic::new(
                                Code::CsvOrdinal,
                                &path,
                                "",
                                format!("the ordinal `{ordinal}` is not a whole number from 1"),
                            );
                            d.line = Some(row.line);
                            d.column = Some(2);
                            input.diagnostics.push((d, None));
                        }
                    }
                }
                let list = records.entry(table.kind).or_default();
                let mut child_lines: Vec<Vec<Line>> = vec![Vec::new(); list.len()];
                let mut parents: Vec<usize> = items.keys().copied().collect();
                parents.sort_unstable();
                for index in parents {
                    let mut rows = items.remove(&index).unwrap_or_default();
                    rows.sort_by_key(|(n, row)| (*n, row.line));
                    let ordinals: Vec<usize> = rows.iter().map(|(n, _)| *n).collect();
                    if ordinals.iter().enumerate().any(|(j, n)| *n != j + 1) {
                        let id = list[index]
                            .get("id")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        let row = rows
                            .iter()
                            .enumerate()
                            .find(|(j, (n, _))| *n != j + 1)
                            .map_or(&rows[0].1, |(_, (_, r))| r);
                        let mut d = Diagnostic::new(
                            Code::CsvOrdinal,
                            &path,
                            "",
                            format!("the ordinals of `{id}` are {ordinals:?}; expected 1 to {} without gaps or repeats", ordinals.len()),
                        )
                        .with_hint(format!("number the rows of `{id}` 1, 2, 3, … in the order they should appear"));
                        d.line = Some(row.line);
                        d.column = Some(2);
                        input.diagnostics.push((d, None));
                    }
                    child_lines[index] = rows.iter().map(|(_, row)| line_of(row.line)).collect();
                    let mut array = Vec::with_capacity(rows.len());
                    for (_, row) in rows {
                        let mut values = row.cells.into_iter().skip(2);
                        let item = if table.columns.len() == 1 && table.columns[0].path.is_empty() {
                            cell_value(values.next().flatten(), numbers[0])
                        } else {
                            let mut object = Map::with_capacity(table.columns.len());
                            for (i, (column, cell)) in table.columns.iter().zip(values).enumerate()
                            {
                                set_path(&mut object, column.path, cell_value(cell, numbers[i]));
                            }
                            Value::Object(object)
                        };
                        array.push(item);
                    }
                    if let Some(Value::Object(record)) = list.get_mut(index) {
                        record.insert(field.to_owned(), Value::Array(array));
                    }
                }
                input.map.tables.push(TableLines::child(
                    table,
                    path.clone(),
                    child_lines.iter().map(Vec::as_slice),
                ));
            }
        }
    }
    for kind in FileKind::RECORDS {
        if let Some(list) = records.remove(&kind) {
            let mut file = Map::new();
            file.insert(
                "$schema".into(),
                Value::String(super::csv_typed::schema_reference(kind)),
            );
            file.insert(collection(kind).into(), Value::Array(list));
            input.values.insert(kind, Value::Object(file));
        }
    }
    (input, places)
}
