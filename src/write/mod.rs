//! Writing a dataset: canonical JSON, the CSV tables with their data
//! package, and publishing a set of files all at once.
//!
//! JSON → CSV writes one table per record type and one per many-valued
//! field (see [`TABLES`]); CSV → JSON reads them back
//! (the [`load`](crate::load) layer), validated like any dataset, and writes
//! canonical JSON. An empty cell is null: the data model has no empty
//! strings, so nothing is lost.

mod canonical;
pub mod codebook;
mod csv;
pub mod datapackage;
pub(crate) mod files;
mod json;

use std::fs::File;
use std::io::Write as _;
use std::path::Path;

pub use csv::csv_tables;
pub use files::{atomic_write, write_set};
pub use json::{canonical_files, file_name, schema_dir_of, to_canonical_json, write_json_dir};

use crate::dataset::Dataset;
use crate::error::Error;
use crate::schema::FileKind;
use crate::tables::{Children, DATAPACKAGE, Record, Row, Shape, TABLES, Table};
use files::{Replaces, SYNC_AHEAD, with_sync_ahead, write_set_in_lanes, write_set_with_dir};

/// Every file of the CSV form of `dataset`: the tables and
/// `datapackage.json`, as `(file name, bytes)`.
#[must_use]
pub fn csv_files(dataset: &Dataset) -> Vec<(String, Vec<u8>)> {
    let mut files = csv_tables(dataset);
    files.push((
        DATAPACKAGE.to_owned(),
        to_canonical_json(&datapackage::datapackage(dataset.manifest())).into_bytes(),
    ));
    files
}

/// Writes the CSV form of `dataset` into `dir`: the tables and
/// `datapackage.json`, the same bytes as [`csv_files`], streamed into their
/// files on two cores, as one change (see [`write_set`]): a table the old
/// `datapackage.json` in `dir` lists and the new one does not (a retired
/// table) is removed in the same change. Other files are left alone.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_csv_dir(dataset: &Dataset, dir: &Path) -> Result<(), Error> {
    let package = to_canonical_json(&datapackage::datapackage(dataset.manifest()));
    let (left, right) = csv::two_shares();
    let names = |tables: &[Table]| -> Vec<String> { tables.iter().map(Table::file_name).collect() };
    let (left, right) = (names(&left), names(&right));
    // The package last, so that it is renamed into place after its tables.
    let lanes = [
        left.iter().map(String::as_str).collect(),
        right
            .iter()
            .map(String::as_str)
            .chain([DATAPACKAGE])
            .collect(),
    ];
    write_set_in_lanes(dir, &lanes, Replaces::CsvPackage, &|name, file| {
        if name == DATAPACKAGE {
            return file.write_all(package.as_bytes());
        }
        let Some(table) = TABLES.iter().find(|t| t.file_name() == name) else {
            return Ok(());
        };
        with_sync_ahead(file, SYNC_AHEAD, |file| {
            let out = std::io::BufWriter::with_capacity(1 << 20, file);
            csv::write_table(table, dataset, out)?.flush()
        })
        .map(|_| ())
    })
}

/// Writes `files` into `dir`: every file goes to a temporary name first and
/// is renamed into place only when all were written, so a failure leaves
/// `dir` as it was.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
    write_set(dir, &names_of(files), from_memory(files))
}

/// The names of `files`, held in memory as `(name, bytes)`.
fn names_of(files: &[(String, Vec<u8>)]) -> Vec<&str> {
    files.iter().map(|(name, _)| name.as_str()).collect()
}

/// What fills each file of a set from `files`, held in memory.
fn from_memory(
    files: &[(String, Vec<u8>)],
) -> impl FnMut(&str, &mut File) -> std::io::Result<()> + '_ {
    |name, file| {
        let bytes = files
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, bytes)| bytes.as_slice());
        file.write_all(bytes)
    }
}

/// Writes `files` into `dir` and the CSV form of `dataset` into its
/// subdirectory `csv_dir` (as [`write_csv_dir`] would), all as one change:
/// killed at any moment, `dir` and `dir/csv_dir` hold the old files and
/// tables or the new ones, or the next read or write of `dir` finishes the
/// change. The CSV directory is staged whole and swapped with the old one
/// in one step where the platform can (`renameat2` on Linux), so a reader
/// of `dir/csv_dir` alone also sees the whole old set or the whole new one.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written, or the
/// `csv_dir` that is not a plain name or has a file in its way.
pub fn write_files_and_csv_dir(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    dataset: &Dataset,
    csv_dir: &str,
) -> Result<(), Error> {
    write_set_with_dir(dir, &names_of(files), from_memory(files), csv_dir, |csv| {
        write_csv_dir(dataset, csv)
    })
}

/// What takes the rows of one table, one by one (see [`table_rows`]).
pub(crate) trait RowSink {
    /// What a row can fail with.
    type Error;

    /// One row of `table`: for a child table, `key` is the parent's id and
    /// the item's place in its list, from 1.
    fn row<R: Row>(
        &mut self,
        table: &Table,
        key: Option<(&str, usize)>,
        row: &R,
    ) -> Result<(), Self::Error>;
}

/// Gives `sink` the rows of `table` of `dataset`, in order: the records
/// themselves, or the items of one of their lists (the CSV tables and the
/// exports are written from this one walk).
pub(crate) fn table_rows<S: RowSink>(
    table: &Table,
    dataset: &Dataset,
    sink: &mut S,
) -> Result<(), S::Error> {
    match table.kind {
        FileKind::Actors => records(table, dataset.actors(), sink),
        FileKind::Sources => records(table, dataset.sources(), sink),
        FileKind::Pledges => records(table, dataset.pledges(), sink),
        FileKind::Events => records(table, dataset.events(), sink),
        FileKind::Statements => records(table, dataset.statements(), sink),
        // The manifest is the package descriptor, not a table.
        _ => Ok(()),
    }
}

/// The rows of `table` from `records`.
fn records<R: Record, S: RowSink>(
    table: &Table,
    records: &[R],
    sink: &mut S,
) -> Result<(), S::Error> {
    if table.shape == Shape::Main {
        return records.iter().try_for_each(|r| sink.row(table, None, r));
    }
    /// Gives the sink the items of the one list that `table` holds.
    struct List<'s, 'p, S: RowSink> {
        sink: &'s mut S,
        table: &'s Table,
        parent: &'p str,
        result: Result<(), S::Error>,
    }
    impl<'p, S: RowSink> Children<'p> for List<'_, 'p, S> {
        fn items<I: Row>(&mut self, table: &'static Table, items: &'p [I]) {
            if table.name != self.table.name || self.result.is_err() {
                return;
            }
            for (j, item) in items.iter().enumerate() {
                self.result = self.sink.row(table, Some((self.parent, j + 1)), item);
                if self.result.is_err() {
                    return;
                }
            }
        }
    }
    for record in records {
        let parent = record.cell(0).text().unwrap_or_default();
        let mut list = List {
            sink: &mut *sink,
            table,
            parent,
            result: Ok(()),
        };
        record.children(&mut list);
        list.result?;
    }
    Ok(())
}
