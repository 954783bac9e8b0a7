//! Canonical JSON: how the dataset's files are written.
//!
//! Records sorted by id, keys in schema order, two-space indent, one trailing
//! newline, text in Unicode NFC. Writing a dataset read from canonical files
//! gives the same bytes back.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use unicode_normalization::{UnicodeNormalization, is_nfc};

use crate::dataset::Dataset;
use crate::error::Error;
use crate::model::{ActorsFile, PledgesFile, SourcesFile};
use crate::schema::FileKind;
use crate::write::atomic_write;

/// Pretty JSON with two-space indent, keys in declaration order, every
/// string in Unicode NFC, and a trailing newline.
#[must_use]
pub fn to_canonical_json<T: Serialize>(value: &T) -> String {
    // The crate's types always serialise; Null is never written for them.
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    nfc_strings(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn nfc_strings(value: &mut Value) {
    match value {
        Value::String(s) if !is_nfc(s) => *s = s.nfc().collect(),
        Value::Array(items) => items.iter_mut().for_each(nfc_strings),
        Value::Object(members) => members.values_mut().for_each(nfc_strings),
        _ => {}
    }
}

/// The four files of `dataset` as canonical JSON, with the `$schema` of each
/// pointing at `schema_dir` (relative to the data directory, e.g. `../schema`).
#[must_use]
pub fn canonical_files(dataset: &Dataset, schema_dir: &str) -> Vec<(FileKind, String)> {
    let schema = |kind: FileKind| format!("{schema_dir}/{}", kind.schema_file_name());
    let mut manifest = dataset.manifest().clone();
    manifest.schema = schema(FileKind::Manifest);
    vec![
        (FileKind::Manifest, to_canonical_json(&manifest)),
        (
            FileKind::Actors,
            to_canonical_json(&ActorsFile {
                schema: schema(FileKind::Actors),
                actors: dataset.actors().to_vec(),
            }),
        ),
        (
            FileKind::Sources,
            to_canonical_json(&SourcesFile {
                schema: schema(FileKind::Sources),
                sources: dataset.sources().to_vec(),
            }),
        ),
        (
            FileKind::Pledges,
            to_canonical_json(&PledgesFile {
                schema: schema(FileKind::Pledges),
                pledges: dataset.pledges().to_vec(),
            }),
        ),
    ]
}

/// Writes `dataset` into `dir` as canonical JSON, each file atomically.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_json_dir(dataset: &Dataset, dir: &Path, schema_dir: &str) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for (kind, text) in canonical_files(dataset, schema_dir) {
        atomic_write(&dir.join(file_name(dataset, kind)), text.as_bytes())?;
    }
    Ok(())
}

/// The directory part of the manifest's `$schema` (e.g. `../schema`), where
/// a dataset's files point for their schemas.
#[must_use]
pub fn schema_dir_of(dataset: &Dataset) -> String {
    match dataset.manifest().schema.rsplit_once('/') {
        Some((dir, _)) => dir.to_owned(),
        None => ".".to_owned(),
    }
}

/// The file name each [`FileKind`] has in `dataset`'s directory.
#[must_use]
pub fn file_name(dataset: &Dataset, kind: FileKind) -> &str {
    let resources = &dataset.manifest().resources;
    match kind {
        FileKind::Actors => resources.actors.as_str(),
        FileKind::Sources => resources.sources.as_str(),
        FileKind::Pledges => resources.pledges.as_str(),
        _ => kind.default_file_name(),
    }
}
