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

use crate::dataset::Dataset;
use crate::error::Error;
use crate::format::to_canonical_json;
use crate::write::atomic_write;

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

/// Writes `files` into `dir`: every file goes to a temporary name first and
/// is renamed into place only when all were written, so a failure leaves
/// `dir` as it was.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staged = tempfile::Builder::new()
        .prefix(".pledges-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    for (name, bytes) in files {
        atomic_write(&staged.path().join(name), bytes)?;
    }
    for (name, _) in files {
        let target = dir.join(name);
        std::fs::rename(staged.path().join(name), &target).map_err(|e| Error::io(&target, e))?;
    }
    Ok(())
}
