//! The dataset as an Excel workbook: the flat view first, a sheet per table, the codebook, all read from the SQLite export built in memory.
//!
//! Every sheet is one table or view of the database of
//! [`sqlite`], in its order (`pledges_flat`, the tables of
//! the CSV layout, `pledge_derived`, `dataset`, then the codebook:
//! `codebook_tables`, `codebook`, `code_lists`, `codes`), written row by
//! row from a query of that database: the flat sheet holds exactly the
//! rows of the view. The first row holds a readable title per column,
//! with the column's description as a note; it is frozen and has an
//! autofilter, and the columns are as wide as their text (up to a limit).
//!
//! Text is always written as a string, never as a formula, whatever it
//! starts with (`=`, `+`, `-`, `@`). Excel's limits are kept: a table with
//! more rows than a sheet holds (1,048,575 below the header) continues on
//! sheets named `NAME (2)`, `NAME (3)`, …; a text longer than a cell holds
//! (32,767 characters) is an error naming the table, row and column, and
//! nothing is written.

use std::path::Path;

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use rust_xlsxwriter::{DocProperties, Format, Note, Workbook, Worksheet, XlsxError};

use super::layout::{TableSpec, layout};
use super::{replace_file, sqlite};
use crate::dataset::Dataset;
use crate::error::Error;

/// The most rows an Excel sheet has, its header row included.
pub const MAX_ROWS_PER_SHEET: u32 = 1_048_576;

/// The most characters (UTF-16 code units) an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;

/// The longest sheet name Excel takes.
const MAX_SHEET_NAME: usize = 31;

/// The widest a column is made, in characters.
const MAX_WIDTH: usize = 60;

/// Writes `dataset` to `path` as an Excel workbook (`.xlsx`), through a
/// temporary file beside it renamed into place when complete.
///
/// # Errors
/// [`ErrorKind::NotAFile`](crate::ErrorKind::NotAFile) when `path` is a
/// directory, a symbolic link or anything but a regular file; an I/O
/// error; [`ErrorKind::Export`](crate::ErrorKind::Export) for a text
/// longer than an Excel cell holds (nothing is written then).
pub fn write(dataset: &Dataset, path: &Path) -> Result<(), Error> {
    write_split(dataset, path, MAX_ROWS_PER_SHEET - 1)
}

/// [`write`], with at most `rows_per_sheet` data rows on a sheet.
fn write_split(dataset: &Dataset, path: &Path, rows_per_sheet: u32) -> Result<(), Error> {
    let connection = sqlite::in_memory(dataset, path)?;
    let specs = layout();
    let xlsx = |e: XlsxError| Error::export(path, format!("Excel: {e}"));
    replace_file(path, |temporary, file| {
        let mut workbook = Workbook::new();
        // A sheet's rows are staged in a file until the workbook is saved:
        // beside the output rather than in the system's temporary directory
        // (which may be in memory). The files are unnamed: a killed run
        // leaves none of them.
        if let Some(dir) = temporary.parent().filter(|d| !d.as_os_str().is_empty()) {
            workbook.set_tempdir(dir).map_err(xlsx)?;
        }
        // Much of the time a large workbook takes goes into compressing it:
        // level 3 (of 9; the default is 6) saved a sixth of the time for a
        // seventh more bytes at 100k synthetic pledges (42 → 48 MB).
        workbook.set_zip_compression_level(3);
        let manifest = dataset.manifest();
        workbook.set_properties(
            &DocProperties::new()
                .set_title(manifest.title.as_str())
                .set_subject(format!("version {}", manifest.version))
                .set_comment(manifest.description.as_str())
                .set_company(manifest.license.as_str()),
        );
        let header = Format::new().set_bold();
        for spec in &specs {
            sheets(
                &mut workbook,
                &connection,
                spec,
                &header,
                rows_per_sheet,
                path,
            )?;
        }
        workbook.save_to_writer(file).map_err(xlsx)
    })
}

/// The name of the `part`th sheet of `table` (from 1), at most 31 characters.
fn sheet_name(table: &str, part: usize) -> String {
    let suffix = if part == 1 {
        String::new()
    } else {
        format!(" ({part})")
    };
    let room = MAX_SHEET_NAME - suffix.len();
    let base: String = table.chars().take(room).collect();
    format!("{base}{suffix}")
}

/// Adds one sheet for `spec` with its header row.
fn new_sheet<'w>(
    workbook: &'w mut Workbook,
    spec: &TableSpec,
    part: usize,
    header: &Format,
) -> Result<&'w mut Worksheet, XlsxError> {
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(sheet_name(spec.name, part))?;
    for (col, column) in (0u16..).zip(&spec.columns) {
        sheet.write_string_with_format(0, col, &column.title, header)?;
        let note = Note::new(&column.description)
            .add_author_prefix(false)
            .set_width(360);
        sheet.insert_note(0, col, &note)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(sheet)
}

/// Sets the widths and the autofilter of a finished sheet of `rows` data rows.
fn finish(sheet: &mut Worksheet, widths: &[usize], rows: u32) -> Result<(), XlsxError> {
    for (col, width) in (0u16..).zip(widths) {
        // The bold header needs a little more room than its characters.
        let width = (*width + 2).clamp(6, MAX_WIDTH);
        #[allow(clippy::cast_precision_loss)]
        sheet.set_column_width(col, width as f64)?;
    }
    let last = u16::try_from(widths.len().saturating_sub(1)).unwrap_or(u16::MAX);
    sheet.autofilter(0, 0, rows.max(1), last)?;
    Ok(())
}

/// Writes the rows of `spec` from `connection` onto as many sheets as it takes.
fn sheets(
    workbook: &mut Workbook,
    connection: &Connection,
    spec: &TableSpec,
    header: &Format,
    rows_per_sheet: u32,
    path: &Path,
) -> Result<(), Error> {
    let xlsx = |e: XlsxError| Error::export(path, format!("Excel: {e}"));
    let sqlite = |e: rusqlite::Error| Error::export(path, format!("SQLite: {e}"));
    let order = if spec.is_view() {
        ""
    } else {
        " ORDER BY rowid"
    };
    let sql = format!("SELECT * FROM \"{}\"{order}", spec.name);
    let mut statement = connection.prepare(&sql).map_err(sqlite)?;
    let mut rows = statement.query([]).map_err(sqlite)?;
    let title_widths: Vec<usize> = spec
        .columns
        .iter()
        .map(|c| c.title.chars().count() + 1)
        .collect();
    let mut widths = title_widths.clone();
    let mut part = 1;
    let mut sheet = new_sheet(workbook, spec, part, header).map_err(xlsx)?;
    let mut row_in_sheet: u32 = 0;
    let mut row_in_table: u64 = 0;
    while let Some(row) = rows.next().map_err(sqlite)? {
        if row_in_sheet == rows_per_sheet {
            finish(sheet, &widths, row_in_sheet).map_err(xlsx)?;
            part += 1;
            widths.clone_from(&title_widths);
            sheet = new_sheet(workbook, spec, part, header).map_err(xlsx)?;
            row_in_sheet = 0;
        }
        row_in_sheet += 1;
        row_in_table += 1;
        for (col, column) in (0u16..).zip(&spec.columns) {
            let at = usize::from(col);
            match row.get_ref(at).map_err(sqlite)? {
                ValueRef::Null | ValueRef::Blob(_) => {}
                ValueRef::Integer(n) => {
                    #[allow(clippy::cast_precision_loss)]
                    sheet
                        .write_number(row_in_sheet, col, n as f64)
                        .map_err(xlsx)?;
                    widths[at] = widths[at].max(n.to_string().len());
                }
                ValueRef::Real(x) => {
                    sheet.write_number(row_in_sheet, col, x).map_err(xlsx)?;
                    widths[at] = widths[at].max(x.to_string().len());
                }
                ValueRef::Text(bytes) => {
                    let text = String::from_utf8_lossy(bytes);
                    let length = text.encode_utf16().count();
                    if length > MAX_CELL_CHARS {
                        return Err(Error::export(
                            path,
                            format!(
                                "table {}, row {row_in_table}, column {}: the text has {length} characters, more than the {MAX_CELL_CHARS} an Excel cell holds; export to SQLite (`--to sqlite`) instead",
                                spec.name, column.name
                            ),
                        ));
                    }
                    // Always a string: text that starts with `=` is never a formula.
                    sheet
                        .write_string(row_in_sheet, col, text.as_ref())
                        .map_err(xlsx)?;
                    if widths[at] < MAX_WIDTH {
                        widths[at] = widths[at].max(text.chars().count().min(MAX_WIDTH));
                    }
                }
            }
        }
    }
    finish(sheet, &widths, row_in_sheet).map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx, open_workbook};

    #[test]
    fn sheet_names_stay_within_excels_31_characters() {
        assert_eq!(sheet_name("pledges", 1), "pledges");
        assert_eq!(sheet_name("pledge_evidence", 2), "pledge_evidence (2)");
        let long = "a_table_name_that_is_much_too_long_for_excel";
        assert_eq!(sheet_name(long, 1).len(), 31);
        assert_eq!(sheet_name(long, 12).len(), 31);
        assert!(sheet_name(long, 12).ends_with(" (12)"));
    }

    #[test]
    fn a_table_longer_than_a_sheet_continues_on_the_next() {
        let dataset = crate::generate::dataset(25, 4);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("split.xlsx");
        write_split(&dataset, &path, 10).unwrap();
        let mut workbook: Xlsx<_> = open_workbook(&path).unwrap();
        let names = workbook.sheet_names();
        assert!(names.contains(&"pledges (3)".to_owned()), "{names:?}");
        assert!(!names.contains(&"pledges (4)".to_owned()), "{names:?}");
        let mut ids = Vec::new();
        for name in ["pledges", "pledges (2)", "pledges (3)"] {
            let range = workbook.worksheet_range(name).unwrap();
            assert_eq!(range.get((0, 0)), Some(&Data::String("ID".to_owned())));
            ids.extend(range.rows().skip(1).map(|r| r[0].to_string()));
        }
        let expected: Vec<String> = dataset.pledges().iter().map(|p| p.id.to_string()).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn a_text_longer_than_a_cell_is_an_error_and_nothing_is_written() {
        let dataset = with_first_pledge(|p| {
            p.description = crate::model::Text::new("word ".repeat(7000).trim()).unwrap();
        });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.xlsx");
        let error = write(&dataset, &path).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("table pledges, row 1, column description"),
            "{message}"
        );
        assert!(message.contains("32767"), "{message}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A small synthetic dataset with its first pledge changed by `edit`.
    fn with_first_pledge(edit: impl FnOnce(&mut crate::model::Pledge)) -> Dataset {
        let dataset = crate::generate::dataset(3, 1);
        let mut pledges = dataset.pledges().to_vec();
        edit(&mut pledges[0]);
        Dataset::from_parts(
            dataset.manifest().clone(),
            dataset.actors().to_vec(),
            dataset.sources().to_vec(),
            pledges,
            dataset.events().to_vec(),
            dataset.statements().to_vec(),
        )
    }

    /// A dataset whose first pledge has `title`.
    fn titled(title: &str) -> Dataset {
        with_first_pledge(|p| p.title = crate::model::Text::new(title).unwrap())
    }

    /// The first pledge's title as the SQLite file and the workbook
    /// (flat sheet and `pledges` sheet) hold it.
    fn read_back(dataset: &Dataset) -> (String, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let book = dir.path().join("p.xlsx");
        sqlite::write(dataset, &db).unwrap();
        write(dataset, &book).unwrap();
        let connection = Connection::open(&db).unwrap();
        let id = dataset.pledges()[0].id.as_str();
        let from_db: String = connection
            .query_row("SELECT title FROM pledges WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
        let cell = |workbook: &mut Xlsx<_>, sheet: &str| {
            let range = workbook.worksheet_range(sheet).unwrap();
            let row = range
                .rows()
                .find(|r| r[0] == Data::String(id.to_owned()))
                .unwrap();
            match &row[1] {
                Data::String(s) => s.clone(),
                other => panic!("not a string: {other:?}"),
            }
        };
        let flat = cell(&mut workbook, "pledges_flat");
        let table = cell(&mut workbook, "pledges");
        (from_db, flat, table)
    }

    #[test]
    fn formula_looking_text_is_written_as_a_string_never_a_formula() {
        for title in [
            "=1+1",
            "+SUM(A1:A2)",
            "-2",
            "@HYPERLINK(\"http://x\")",
            "=cmd|' /C calc'!A0",
        ] {
            let dataset = titled(title);
            let (db, flat, table) = read_back(&dataset);
            assert_eq!(
                (db.as_str(), flat.as_str(), table.as_str()),
                (title, title, title)
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("f.xlsx");
        write(&titled("=1+1"), &book).unwrap();
        let mut workbook: Xlsx<_> = open_workbook(&book).unwrap();
        for sheet in workbook.sheet_names() {
            let formulas = workbook.worksheet_formula(&sheet).unwrap();
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "{sheet} has a formula"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]

        /// Any text a record may hold comes back from the database and the
        /// workbook exactly as it went in.
        #[test]
        fn any_text_round_trips_through_sqlite_and_xlsx(title in "(.|\n){1,40}|_x00[0-9A-F]{2}_ and \"<b>&amp;</b>\"") {
            let Ok(_) = crate::model::Text::new(title.as_str()) else {
                return Ok(());
            };
            let dataset = titled(&title);
            let (db, flat, table) = read_back(&dataset);
            proptest::prop_assert_eq!(&db, &title);
            proptest::prop_assert_eq!(&flat, &title);
            proptest::prop_assert_eq!(&table, &title);
        }
    }
}
