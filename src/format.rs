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
use crate::write::write_set;

/// Pretty JSON with two-space indent, keys in declaration order, every
/// string in Unicode NFC, and a trailing newline.
#[must_use]
pub fn to_canonical_json<T: Serialize>(value: &T) -> String {
    // The crate's types always serialise.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    // Keys and punctuation are ASCII, and no ASCII character composes with
    // what precedes it, so the text is NFC exactly when every string in it
    // is; only a text that is not takes the normalising path.
    if !is_nfc_text(&text) {
        text = normalised_json(value);
    }
    text.push('\n');
    text
}

/// Whether `text` is in NFC, checking only around its non-ASCII runs.
///
/// An ASCII character is a starter that nothing before it composes with or
/// reorders across, so the text is NFC exactly when each run of non-ASCII
/// characters, with the ASCII character before it (which a combining mark
/// could compose with), is.
fn is_nfc_text(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = skip_ascii(bytes, i);
        if i == bytes.len() {
            break;
        }
        let start = i.saturating_sub(1);
        while i < bytes.len() && !bytes[i].is_ascii() {
            i += 1;
        }
        // Both ends are ASCII bytes or the ends of the text: char boundaries.
        if !text.get(start..i).is_some_and(is_nfc) {
            return false;
        }
    }
    true
}

/// The index of the first non-ASCII byte at or after `i` (or the end),
/// skipping eight bytes at a time.
fn skip_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii() {
        i += 1;
    }
    i
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

/// A record file as canonical JSON.
fn canonical_collection<T: Serialize>(schema: String, kind: FileKind, records: &[T]) -> String {
    to_canonical_json(&FileOf::new(schema, kind, records))
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
            canonical_collection(schema(FileKind::Actors), FileKind::Actors, dataset.actors()),
        ),
        (
            FileKind::Sources,
            canonical_collection(
                schema(FileKind::Sources),
                FileKind::Sources,
                dataset.sources(),
            ),
        ),
        (
            FileKind::Pledges,
            canonical_collection(
                schema(FileKind::Pledges),
                FileKind::Pledges,
                dataset.pledges(),
            ),
        ),
    ]
}

/// Writes `dataset` into `dir` as canonical JSON, the four files as one
/// change (see [`write_set`]): each record file is serialised straight into
/// its file rather than held in memory first.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_json_dir(dataset: &Dataset, dir: &Path, schema_dir: &str) -> Result<(), Error> {
    let schema = |kind: FileKind| format!("{schema_dir}/{}", kind.schema_file_name());
    let mut manifest = dataset.manifest().clone();
    manifest.schema = schema(FileKind::Manifest);
    let names: Vec<&str> = FileKind::ALL
        .iter()
        .map(|&kind| file_name(dataset, kind))
        .collect();
    write_set(dir, &names, |name, file| {
        let kind = FileKind::ALL
            .into_iter()
            .find(|&k| file_name(dataset, k) == name)
            .unwrap_or(FileKind::Manifest);
        match kind {
            FileKind::Manifest => stream_canonical(&manifest, file),
            FileKind::Actors => {
                stream_canonical(&FileOf::new(schema(kind), kind, dataset.actors()), file)
            }
            FileKind::Sources => {
                stream_canonical(&FileOf::new(schema(kind), kind, dataset.sources()), file)
            }
            FileKind::Pledges => {
                stream_canonical(&FileOf::new(schema(kind), kind, dataset.pledges()), file)
            }
        }
    })
}

/// Writes [`to_canonical_json`]'s text of `value` into `file`, serialising
/// straight into it; only if the text turns out not to be NFC is it
/// written again, normalised.
fn stream_canonical<T: Serialize>(value: &T, file: &mut std::fs::File) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let mut out = std::io::BufWriter::with_capacity(1 << 20, NfcWatch::new(&mut *file));
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    let watch = out
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    if watch.finish()? {
        return Ok(());
    }
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(to_canonical_json(value).as_bytes())
}

/// A writer that passes bytes on and tells, at the end, whether they were
/// NFC text, checking each non-ASCII run with the ASCII byte before it as
/// [`is_nfc_text`] does.
struct NfcWatch<W: std::io::Write> {
    inner: W,
    /// The current non-ASCII run, after the ASCII byte before it.
    run: Vec<u8>,
    last_ascii: Option<u8>,
    nfc: bool,
}

impl<W: std::io::Write> NfcWatch<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            run: Vec::new(),
            last_ascii: None,
            nfc: true,
        }
    }

    fn end_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let mut text = Vec::with_capacity(self.run.len() + 1);
        text.extend(self.last_ascii);
        text.extend_from_slice(&self.run);
        self.nfc &= std::str::from_utf8(&text).is_ok_and(is_nfc);
        self.run.clear();
    }

    fn observe(&mut self, bytes: &[u8]) {
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii() {
                self.end_run();
                i = skip_ascii(bytes, i);
                self.last_ascii = Some(bytes[i - 1]);
            } else {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii() {
                    i += 1;
                }
                self.run.extend_from_slice(&bytes[start..i]);
            }
        }
    }

    /// Flushes, and says whether everything written was NFC.
    fn finish(mut self) -> std::io::Result<bool> {
        self.end_run();
        self.inner.flush()?;
        Ok(self.nfc)
    }
}

impl<W: std::io::Write> std::io::Write for NfcWatch<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.observe(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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

    proptest! {
        /// The run-by-run check agrees with checking the whole text.
        #[test]
        fn nfc_check_by_runs_agrees_with_the_whole_text(
            text in "[ae\u{300}\u{301}\u{316}\u{327}\u{338}\u{1100}\u{1161}\u{11a8}\u{ac00}=<\" é]{0,24}",
        ) {
            prop_assert_eq!(is_nfc_text(&text), is_nfc(&text), "{:?}", text);
        }
    }

    proptest! {
        /// Watching a text written in arbitrary pieces tells the same as
        /// checking it whole.
        #[test]
        fn nfc_watch_over_pieces_agrees_with_the_whole_text(
            text in "[ae\u{300}\u{301}\u{316}\u{338}\u{1100}\u{1161}=< é]{0,40}",
            cuts in proptest::collection::vec(0..60usize, 0..6),
        ) {
            use std::io::Write;
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.push(0);
            cuts.push(bytes.len());
            cuts.sort_unstable();
            let mut watch = NfcWatch::new(Vec::new());
            for piece in cuts.windows(2) {
                watch.write_all(&bytes[piece[0]..piece[1]]).unwrap();
            }
            prop_assert_eq!(watch.finish().unwrap(), is_nfc(&text));
        }
    }

    #[test]
    fn streamed_files_are_the_canonical_texts_nfc_or_not() {
        let dataset = crate::generate::dataset(40, 9);
        let mut actors = dataset.actors().to_vec();
        actors[0].name = Text::new("Cafe\u{301} = e\u{301}").unwrap();
        let changed = Dataset::from_parts(
            dataset.manifest().clone(),
            actors,
            dataset.sources().to_vec(),
            dataset.pledges().to_vec(),
        );
        for dataset in [dataset, changed] {
            let dir = tempfile::tempdir().unwrap();
            write_json_dir(&dataset, dir.path(), "../schema").unwrap();
            for (kind, text) in canonical_files(&dataset, "../schema") {
                let written = std::fs::read_to_string(dir.path().join(file_name(&dataset, kind)));
                assert_eq!(written.unwrap(), text, "{kind:?}");
            }
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
