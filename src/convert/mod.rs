//! Lossless conversion between the canonical JSON and CSV tables with a
//! Frictionless data package.
//!
//! JSON → CSV writes one table per record type and one per many-valued
//! field (see [`tables::TABLES`]); CSV → JSON reads them back, validated like
//! any dataset, and writes canonical JSON. An empty cell is null: the data
//! model has no empty strings, so nothing is lost.

pub mod datapackage;
pub(crate) mod from_csv;
pub mod tables;
mod to_csv;
pub(crate) mod typed_rows;

use std::path::Path;

pub use from_csv::DATAPACKAGE;
pub use to_csv::csv_tables;

use crate::convert::tables::{TABLES, Table};
use crate::dataset::Dataset;
use crate::error::Error;
use crate::format::to_canonical_json;
use crate::write::{SYNC_AHEAD, with_sync_ahead, write_set, write_set_in_lanes};
use std::io::Write as _;

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

/// Whether `dir` holds a CSV dataset (a `datapackage.json` and no
/// `dataset.json`).
#[must_use]
pub fn is_csv_dir(dir: &Path) -> bool {
    dir.join(DATAPACKAGE).is_file() && !dir.join("dataset.json").exists()
}

/// Writes the CSV form of `dataset` into `dir`: the tables and
/// `datapackage.json`, the same bytes as [`csv_files`], streamed into their
/// files on two cores. Every file goes to a temporary name first and is
/// renamed into place only when all were written, so a failure leaves
/// `dir` as it was.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_csv_dir(dataset: &Dataset, dir: &Path) -> Result<(), Error> {
    let package = to_canonical_json(&datapackage::datapackage(dataset.manifest()));
    let (left, right) = to_csv::two_shares();
    let names = |tables: &[Table]| -> Vec<String> { tables.iter().map(Table::file_name).collect() };
    let (left, right) = (names(left), names(right));
    // The package last, so that it is renamed into place after its tables.
    let lanes = [
        left.iter().map(String::as_str).collect(),
        right
            .iter()
            .map(String::as_str)
            .chain([DATAPACKAGE])
            .collect(),
    ];
    write_set_in_lanes(dir, &lanes, &|name, file| {
        if name == DATAPACKAGE {
            return file.write_all(package.as_bytes());
        }
        let Some(table) = TABLES.iter().find(|t| t.file_name() == name) else {
            return Ok(());
        };
        with_sync_ahead(file, SYNC_AHEAD, |file| {
            let out = std::io::BufWriter::with_capacity(1 << 20, file);
            to_csv::write_table(table, dataset, out)?.flush()
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
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    write_set(dir, &names, |name, file| {
        let bytes = files
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[][..], |(_, bytes)| bytes.as_slice());
        file.write_all(bytes)
    })
}
