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
use crate::schema::FileKind;
use crate::write::atomic_write;

/// Pretty JSON with two-space indent, keys in declaration order, every
/// string in Unicode NFC, and a trailing newline.
#[must_use]
pub fn to_canonical_json<T: Serialize>(value: &T) -> String {
    // The crate's types always serialise.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    // Keys and punctuation are ASCII, and no ASCII character composes with
    // what precedes it, so the text is NFC exactly when every string in it
    // is; only a text that is not takes the normalising path.
    if !is_nfc(&text) {
        text = normalised_json(value);
    }
    text.push('\n');
    text
}

/// [`to_canonical_json`] by way of a JSON tree whose strings are normalised
/// one by one (without the trailing newline).
fn normalised_json<T: Serialize>(value: &T) -> String {
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    nfc_strings(&mut value);
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

fn nfc_strings(value: &mut Value) {
    match value {
        Value::String(s) if !is_nfc(s) => *s = s.nfc().collect(),
        Value::Array(items) => items.iter_mut().for_each(nfc_strings),
        Value::Object(members) => members.values_mut().for_each(nfc_strings),
        _ => {}
    }
}

/// A record file as written: its `$schema` and its records, borrowed.
#[derive(Serialize)]
struct FileOf<'a, T> {
    #[serde(rename = "$schema")]
    schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    actors: Option<&'a [T]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sources: Option<&'a [T]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pledges: Option<&'a [T]>,
}

impl<'a, T> FileOf<'a, T> {
    fn new(schema: String, kind: FileKind, records: &'a [T]) -> Self {
        let mut file = Self {
            schema,
            actors: None,
            sources: None,
            pledges: None,
        };
        match kind {
            FileKind::Actors => file.actors = Some(records),
            FileKind::Sources => file.sources = Some(records),
            _ => file.pledges = Some(records),
        }
        file
    }
}

/// The four files of `dataset` as canonical JSON, with the `$schema` of each
/// pointing at `schema_dir` (relative to the data directory, e.g. `../schema`).
/// The pledges are written on a second core.
#[must_use]
pub fn canonical_files(dataset: &Dataset, schema_dir: &str) -> Vec<(FileKind, String)> {
    let schema = |kind: FileKind| format!("{schema_dir}/{}", kind.schema_file_name());
    let mut manifest = dataset.manifest().clone();
    manifest.schema = schema(FileKind::Manifest);
    std::thread::scope(|threads| {
        let pledges = threads.spawn(|| {
            to_canonical_json(&FileOf::new(
                schema(FileKind::Pledges),
                FileKind::Pledges,
                dataset.pledges(),
            ))
        });
        let mut files = vec![
            (FileKind::Manifest, to_canonical_json(&manifest)),
            (
                FileKind::Actors,
                to_canonical_json(&FileOf::new(
                    schema(FileKind::Actors),
                    FileKind::Actors,
                    dataset.actors(),
                )),
            ),
            (
                FileKind::Sources,
                to_canonical_json(&FileOf::new(
                    schema(FileKind::Sources),
                    FileKind::Sources,
                    dataset.sources(),
                )),
            ),
        ];
        match pledges.join() {
            Ok(text) => files.push((FileKind::Pledges, text)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        files
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ActorsFile, Text};
    use proptest::prelude::*;

    proptest! {
        /// Checking the whole text for NFC and normalising string by string
        /// agree: the quick path gives the normalising path's bytes.
        #[test]
        fn canonical_json_is_the_string_by_string_nfc_form(
            name in "[ae\u{300}\u{301}\u{316}\u{327}\u{338}=<\"\\\\ ]{1,8}",
        ) {
            let dataset = crate::generate::dataset(2, 3);
            let mut actors = dataset.actors().to_vec();
            actors[0].name = Text::new(name).unwrap();
            let file = ActorsFile { schema: "s".to_owned(), actors };
            let mut expected = normalised_json(&file);
            expected.push('\n');
            prop_assert_eq!(to_canonical_json(&file), expected);
        }
    }

    #[test]
    fn borrowed_files_serialise_as_the_file_types() {
        let dataset = crate::generate::dataset(3, 1);
        let owned = ActorsFile {
            schema: "s".to_owned(),
            actors: dataset.actors().to_vec(),
        };
        let borrowed = FileOf::new("s".to_owned(), FileKind::Actors, dataset.actors());
        assert_eq!(to_canonical_json(&owned), to_canonical_json(&borrowed));
    }
}
