//! Canonical JSON: how the dataset's files are written.
//!
//! Records sorted by id, keys in schema order, two-space indent, one trailing
//! newline, text in Unicode NFC. Writing a dataset read from canonical files
//! gives the same bytes back.

use std::path::Path;

use serde::Serialize;

use crate::dataset::Dataset;
use crate::error::Error;
use crate::model::{ActorsFile, PledgesFile, SourcesFile};
use crate::schema::FileKind;
use crate::write::atomic_write;

/// Pretty JSON with two-space indent and a trailing newline.
///
/// # Panics
/// Never for the crate's own types, which always serialise.
#[must_use]
pub fn to_canonical_json<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("dataset types serialise");
    text.push('\n');
    text
}

/// The four files of `dataset` as canonical JSON, with the `$schema` of each
/// pointing at `schema_dir` (relative to the data directory).
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
    let resources = &dataset.manifest().resources;
    for (kind, text) in canonical_files(dataset, schema_dir) {
        let name = match kind {
            FileKind::Actors => resources.actors.as_str(),
            FileKind::Sources => resources.sources.as_str(),
            FileKind::Pledges => resources.pledges.as_str(),
            _ => kind.default_file_name(),
        };
        atomic_write(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}
