//! CSV → JSON: reading the tables back into records, remembering for each
//! value the cell it came from.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::csv_trees::{ChildRows, CsvRecords, KindRows, Row, Slots, cell_types};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::schema::FileKind;
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

/// Reads one table: checks its header, returns how to find each of the
/// table's headers in its rows, and the rows. Past `keep` unexpected
/// columns, or rows that cannot be read, the rest are counted in `skipped`
/// rather than made into diagnostics. Only the rows `wanted` (by their
/// place and their first cell) are returned.
fn read_table(
    path: &Path,
    table: &Table,
    max_size: u64,
    keep: usize,
    wanted: &dyn Fn(usize, Option<&str>) -> bool,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
    skipped: &mut Vec<(Code, PathBuf, usize)>,
) -> Option<(Slots, Vec<Row>)> {
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
                rows.push(Slots::row(&index, read - 1, line, &record));
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
    Some((Slots::new(&index), rows))
}

/// Reads the CSV dataset in `dir`, making at most `keep` diagnostics of
/// one code in one table where a table can hold very many.
pub(crate) fn read_dir(dir: &Path, max_size: u64, keep: usize) -> CsvInput {
    let (mut input, kinds) = read_rows(dir, max_size, keep, None);
    for (kind, mut rows) in kinds {
        let list: Vec<Value> = (0..rows.rows.len()).map(|i| rows.take_tree(i)).collect();
        let mut file = Map::new();
        file.insert(
            "$schema".into(),
            Value::String(super::csv_trees::schema_reference(kind)),
        );
        file.insert(collection(kind).into(), Value::Array(list));
        input.values.insert(kind, Value::Object(file));
    }
    input
}

/// Reads the records at the rows `only` names (by kind, each a main
/// table's row places, ascending), for a dataset the fast path has read
/// but for these rows: their tables are read again, and only their rows
/// kept, to be made into trees one at a time. `None` if one of them cannot
/// be read so.
pub(crate) fn read_records(
    dir: &Path,
    max_size: u64,
    only: &HashMap<FileKind, Vec<usize>>,
) -> Option<HashMap<FileKind, CsvRecords>> {
    let (_, kinds) = read_rows(dir, max_size, usize::MAX, Some(only));
    let mut kinds: HashMap<FileKind, KindRows> = kinds.into_iter().collect();
    let mut records = HashMap::new();
    for (&kind, wanted) in only {
        let rows = kinds.remove(&kind)?;
        let places: Vec<usize> = rows.rows.iter().map(|row| row.index).collect();
        if places.len() != wanted.len() {
            return None;
        }
        records.insert(kind, CsvRecords { places, rows });
    }
    Some(records)
}

/// A main table's ids: the first row of each, and whether each row is
/// the first of its id (a repeated id's later rows have no children).
struct IdIndex {
    rows: HashMap<String, usize>,
    first: Vec<bool>,
}

impl IdIndex {
    /// The index of `records`' ids.
    fn of(records: &KindRows) -> Self {
        let mut index = IdIndex {
            rows: HashMap::with_capacity(records.rows.len()),
            first: Vec::with_capacity(records.rows.len()),
        };
        for i in 0..records.rows.len() {
            let first = match records.id(i) {
                Some(id) => match index.rows.entry(id.to_owned()) {
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(i);
                        true
                    }
                    std::collections::hash_map::Entry::Occupied(_) => false,
                },
                None => false,
            };
            index.first.push(first);
        }
        index
    }
}

/// Finds a child row's parent among its main table's rows: where the last
/// row's parent was, or the row after it (a table in its parents' order
/// has its rows so), else by the index. The guesses read the rows in
/// order; the index is a lookup at random, which at 400k parents misses
/// the cache on nearly every row.
struct Parents<'p> {
    index: &'p IdIndex,
    rows: &'p KindRows,
    last: Cell<usize>,
}

impl<'p> Parents<'p> {
    fn new(index: &'p IdIndex, rows: &'p KindRows) -> Self {
        Self {
            index,
            rows,
            last: Cell::new(0),
        }
    }

    /// How many main rows there are.
    fn len(&self) -> usize {
        self.rows.rows.len()
    }

    /// The place of the first main row whose id is `id`, as the index
    /// gives it.
    fn find(&self, id: &str) -> Option<usize> {
        let last = self.last.get();
        for guess in [last, last + 1] {
            if self.index.first.get(guess) == Some(&true) && self.rows.id(guess) == Some(id) {
                self.last.set(guess);
                return Some(guess);
            }
        }
        let found = *self.index.rows.get(id)?;
        self.last.set(found);
        Some(found)
    }
}

/// Reads the tables of [`read_dir`], or with `only`, [`read_records`]'s
/// rows alone: the rows of each kind whose main table could be read.
fn read_rows(
    dir: &Path,
    max_size: u64,
    keep: usize,
    only: Option<&HashMap<FileKind, Vec<usize>>>,
) -> (CsvInput, Vec<(FileKind, KindRows)>) {
    let mut input = CsvInput::default();
    let package_path = dir.join(DATAPACKAGE);
    let package = crate::load::read_json_file(&package_path, max_size, &mut input.diagnostics);
    if let Some(value) = &package.value {
        input
            .values
            .insert(FileKind::Manifest, manifest_value(value));
    }
    input.package_text = package.text;
    input.map.package = package_path;

    let mut ids: HashMap<FileKind, IdIndex> = HashMap::new();
    let mut kinds: Vec<(FileKind, KindRows)> = Vec::new();
    for table in TABLES {
        if only.is_some_and(|only| !only.contains_key(&table.kind)) {
            continue;
        }
        let path = dir.join(table.file_name());
        // With `only`, a main table's wanted rows by place, a child
        // table's by their parent.
        let rows_wanted = only.and_then(|only| only.get(&table.kind));
        let parents = ids.get(&table.kind).and_then(|index| {
            let (_, rows) = kinds.iter().find(|(kind, _)| *kind == table.kind)?;
            Some(Parents::new(index, rows))
        });
        let wanted = |place: usize, first: Option<&str>| match (rows_wanted, table.shape) {
            (None, _) => true,
            (Some(rows), Shape::Main) => rows.binary_search(&place).is_ok(),
            (Some(_), Shape::Child { .. }) => {
                first.is_some_and(|id| parents.as_ref().is_some_and(|p| p.find(id).is_some()))
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
        let Some((slots, rows)) = read else {
            continue;
        };
        let coll = collection(table.kind);
        match table.shape {
            Shape::Main => {
                let main_lines = rows.iter().map(|row| line_of(row.line)).collect();
                let records = KindRows {
                    table,
                    types: cell_types(table),
                    slots,
                    rows,
                    children: Vec::new(),
                };
                ids.insert(table.kind, IdIndex::of(&records));
                input
                    .map
                    .tables
                    .push(TableLines::main(table, path.clone(), main_lines));
                kinds.push((table.kind, records));
            }
            Shape::Child {
                field: _,
                parent_column,
            } => {
                // Without its main table a child table has nothing to attach to.
                let Some(parent_ids) = parents else {
                    continue;
                };
                // Each parent's rows, by the parent's place among the main rows.
                let mut items: Vec<Vec<(usize, Row)>> = std::iter::repeat_with(Vec::new)
                    .take(parent_ids.len())
                    .collect();
                for row in rows {
                    let parent = slots.cell(&row, 0).unwrap_or_default();
                    let Some(index) = parent_ids.find(parent) else {
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
                    let ordinal = slots.cell(&row, 1).unwrap_or_default();
                    match ordinal.parse::<usize>() {
                        Ok(n) if n >= 1 => {
                            if let Some(group) = items.get_mut(index) {
                                group.push((n, row));
                            }
                        }
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
                let Some((_, records)) = kinds.iter_mut().find(|(kind, _)| *kind == table.kind)
                else {
                    continue;
                };
                let n = records.rows.len();
                let mut child_lines: Vec<Vec<Line>> = vec![Vec::new(); n];
                let mut by_parent: Vec<Vec<Row>> =
                    std::iter::repeat_with(Vec::new).take(n).collect();
                for (index, mut rows) in items.into_iter().enumerate() {
                    if rows.is_empty() {
                        continue;
                    }
                    rows.sort_by_key(|(n, row)| (*n, row.line));
                    let ordinals: Vec<usize> = rows.iter().map(|(n, _)| *n).collect();
                    if ordinals.iter().enumerate().any(|(j, n)| *n != j + 1) {
                        let id = records.id(index).unwrap_or_default().to_owned();
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
                    by_parent[index] = rows.into_iter().map(|(_, row)| row).collect();
                }
                input.map.tables.push(TableLines::child(
                    table,
                    path.clone(),
                    child_lines.iter().map(Vec::as_slice),
                ));
                records.children.push(ChildRows {
                    table,
                    types: cell_types(table),
                    slots,
                    items: by_parent,
                });
            }
        }
    }
    (input, kinds)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{IdIndex, Parents};
    use crate::load::csv_trees::{KindRows, Slots, cell_types};
    use crate::tables::{Shape, TABLES};

    /// A main table whose rows hold only an id.
    fn main_rows(ids: &[String]) -> KindRows {
        let table = TABLES
            .iter()
            .find(|t| t.shape == Shape::Main && t.columns.first().is_some_and(|c| c.path == "id"))
            .unwrap();
        let positions: Vec<Option<usize>> = (0..table.columns.len())
            .map(|c| (c == 0).then_some(0))
            .collect();
        let rows = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let record = csv::StringRecord::from(vec![id.as_str()]);
                Slots::row(&positions, i, i + 2, &record)
            })
            .collect();
        KindRows {
            table,
            types: cell_types(table),
            slots: Slots::new(&positions),
            rows,
            children: Vec::new(),
        }
    }

    proptest! {
        /// Whatever the ids (repeated, empty) and whatever order the
        /// child rows ask in, the finder names the first row of each id,
        /// as a search from the top would, and nothing for an id no row has.
        #[test]
        fn a_parent_is_found_at_the_first_row_of_its_id(
            ids in proptest::collection::vec("(a|b|c|d|)", 0..12),
            asked in proptest::collection::vec("(a|b|c|d|e|)", 0..24),
        ) {
            let rows = main_rows(&ids);
            let index = IdIndex::of(&rows);
            let parents = Parents::new(&index, &rows);
            for id in &asked {
                let first = ids.iter().position(|i| i == id).filter(|_| !id.is_empty());
                prop_assert_eq!(parents.find(id), first, "{:?} in {:?}", id, ids);
            }
        }
    }
}
