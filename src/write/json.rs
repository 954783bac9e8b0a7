//! Canonical JSON: how the dataset's files are written.
//!
//! Records sorted by id, keys in schema order, two-space indent, one trailing
//! newline, text in Unicode NFC. Writing a dataset read from canonical files
//! gives the same bytes back.

use super::canonical::{self, skip_ascii};

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use unicode_normalization::{UnicodeNormalization, is_nfc};

use crate::dataset::Dataset;
use crate::error::Error;
use crate::schema::FileKind;
use crate::write::files::{Replaces, SYNC_AHEAD, with_sync_ahead, write_set_replacing};

/// Pretty JSON with two-space indent, keys in declaration order, every
/// string in Unicode NFC, and a trailing newline.
#[must_use]
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    if canonical::write_value(&mut out, 0, value).is_ok() {
        out.push(b'\n');
        // Only whole `str`s are ever written, so this always holds.
        if let Ok(text) = String::from_utf8(out) {
            return text;
        }
    }
    serde_json_canonical(value)
}

/// [`to_canonical_json`] by way of serde_json's own pretty printer and a
/// normalising pass: for values the fast writer leaves alone (raw JSON
/// values), and the reference the fast writer is tested against.
fn serde_json_canonical<T: Serialize + ?Sized>(value: &T) -> String {
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

/// serde_json's pretty text of `value` by way of a JSON tree whose string
/// values are normalised one by one (without the trailing newline).
fn normalised_json<T: Serialize + ?Sized>(value: &T) -> String {
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

/// Records per chunk when a record file is written on two cores.
const CHUNK: usize = 256;

/// Writes a record file: `{"$schema": schema, key: [records]}` as
/// canonical JSON. The records are written in chunks of [`CHUNK`], on two
/// cores when there are more than two chunks, each chunk written to `out`
/// in order as soon as it is ready, so that memory holds two chunks, not
/// the file.
fn write_record_file<T: Serialize + Sync>(
    out: &mut (dyn Write + Send),
    schema: &str,
    key: &str,
    records: &[T],
) -> std::io::Result<()> {
    let mut head = Vec::with_capacity(128);
    head.push(b'{');
    canonical::newline_indent(&mut head, 1)?;
    // Keys as serde_json writes them, escaped but not normalised.
    serde_json::to_writer(&mut head, "$schema")?;
    head.extend_from_slice(b": ");
    canonical::write_value(&mut head, 1, schema)?;
    head.push(b',');
    canonical::newline_indent(&mut head, 1)?;
    serde_json::to_writer(&mut head, key)?;
    head.extend_from_slice(b": [");
    if records.is_empty() {
        head.extend_from_slice(b"]\n}\n");
        return out.write_all(&head);
    }
    out.write_all(&head)?;
    write_items(records, out)?;
    out.write_all(b"\n  ]\n}\n")
}

/// Appends records `chunk` as items of a top-level array (depth 2), the
/// first of them the array's first item when `first`.
fn write_chunk<T: Serialize>(chunk: &[T], first: bool, buf: &mut Vec<u8>) -> std::io::Result<()> {
    for (i, record) in chunk.iter().enumerate() {
        if !first || i > 0 {
            buf.push(b',');
        }
        canonical::newline_indent(buf, 2)?;
        canonical::write_value(buf, 2, record)?;
    }
    Ok(())
}

/// Writes the items of the records array on two threads: each serialises
/// alternate chunks and, when its chunk's turn comes, writes it to `out`
/// itself, so that the copy into `out` (the kernel's, for a file) is
/// shared between the two cores like the serialising. Each thread holds one
/// chunk at a time.
fn write_items<T: Serialize + Sync>(
    records: &[T],
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    use std::sync::{Condvar, Mutex};

    /// The output, the chunk whose turn it is to be written, and the first
    /// error, after which both threads stop.
    struct Turn<'o> {
        out: &'o mut (dyn Write + Send),
        next: usize,
        failed: Option<std::io::Error>,
    }

    let chunks: Vec<&[T]> = records.chunks(CHUNK).collect();
    if chunks.len() <= 2 {
        let mut buf = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            write_chunk(chunk, i == 0, &mut buf)?;
        }
        return out.write_all(&buf);
    }
    let turn = Mutex::new(Turn {
        out,
        next: 0,
        failed: None,
    });
    let turned = Condvar::new();
    /// Stops the other thread, rather than leave it waiting for a turn
    /// that will never come, when this one panics.
    struct OnPanic<'s, 'o>(&'s Mutex<Turn<'o>>, &'s Condvar);
    impl Drop for OnPanic<'_, '_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                if let Ok(mut state) = self.0.lock() {
                    state.failed = Some(std::io::Error::other("a serialising thread panicked"));
                }
                self.1.notify_all();
            }
        }
    }
    let lane = |first: usize| {
        let _stop = OnPanic(&turn, &turned);
        let mut buf = Vec::new();
        for i in (first..chunks.len()).step_by(2) {
            buf.clear();
            let written = write_chunk(chunks[i], i == 0, &mut buf);
            // A poisoned lock means the other thread panicked, which the
            // scope passes on.
            let Ok(mut state) = turn.lock() else { return };
            while state.next != i && state.failed.is_none() {
                let Ok(waited) = turned.wait(state) else {
                    return;
                };
                state = waited;
            }
            if state.failed.is_some() {
                return;
            }
            match written.and_then(|()| state.out.write_all(&buf)) {
                Ok(()) => state.next += 1,
                Err(e) => state.failed = Some(e),
            }
            drop(state);
            turned.notify_all();
        }
    };
    std::thread::scope(|threads| {
        threads.spawn(|| lane(1));
        lane(0);
    });
    let state = turn
        .into_inner()
        .map_err(|_| std::io::Error::other("a serialising thread stopped"))?;
    match state.failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The text of a record file: see [`write_record_file`].
fn record_file_text<T: Serialize + Sync>(schema: &str, key: &str, records: &[T]) -> String {
    let mut out = Vec::new();
    // Writing into a Vec fails only if a record cannot be serialised, which
    // the crate's types always can.
    let _ = write_record_file(&mut out, schema, key, records);
    String::from_utf8(out).unwrap_or_default()
}

/// The files of `dataset` as canonical JSON, with the `$schema` of each
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
            record_file_text(&schema(FileKind::Actors), "actors", dataset.actors()),
        ),
        (
            FileKind::Sources,
            record_file_text(&schema(FileKind::Sources), "sources", dataset.sources()),
        ),
        (
            FileKind::Pledges,
            record_file_text(&schema(FileKind::Pledges), "pledges", dataset.pledges()),
        ),
        (
            FileKind::Events,
            record_file_text(&schema(FileKind::Events), "events", dataset.events()),
        ),
        (
            FileKind::Statements,
            record_file_text(
                &schema(FileKind::Statements),
                "statements",
                dataset.statements(),
            ),
        ),
    ]
}

/// Writes `dataset` into `dir` as canonical JSON, the files as one
/// change (see [`write_set`](super::write_set)), removing in the same change
/// a record file the old `dataset.json` in `dir` lists and the new one does
/// not: each record file is serialised on two cores
/// straight into its file, a few chunks of records at a time, rather than
/// held in memory whole.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_json_dir(dataset: &Dataset, dir: &Path, schema_dir: &str) -> Result<(), Error> {
    let schema = |kind: FileKind| format!("{schema_dir}/{}", kind.schema_file_name());
    let mut manifest = dataset.manifest().clone();
    manifest.schema = schema(FileKind::Manifest);
    // The largest file first, so that it is synced while the others are
    // written; the manifest last, so that it is renamed into place last.
    let names: Vec<&str> = FileKind::ALL
        .iter()
        .rev()
        .map(|&kind| file_name(dataset, kind))
        .collect();
    write_set_replacing(dir, &names, Replaces::JsonDataset, |name, file| {
        let kind = FileKind::ALL
            .into_iter()
            .find(|&k| file_name(dataset, k) == name)
            .unwrap_or(FileKind::Manifest);
        let schema = schema(kind);
        // Flushed to the device as it is written (a small file never is).
        with_sync_ahead(file, SYNC_AHEAD, |out| match kind {
            FileKind::Manifest => out.write_all(to_canonical_json(&manifest).as_bytes()),
            FileKind::Actors => write_record_file(out, &schema, "actors", dataset.actors()),
            FileKind::Sources => write_record_file(out, &schema, "sources", dataset.sources()),
            FileKind::Pledges => write_record_file(out, &schema, "pledges", dataset.pledges()),
            FileKind::Events => write_record_file(out, &schema, "events", dataset.events()),
            FileKind::Statements => {
                write_record_file(out, &schema, "statements", dataset.statements())
            }
        })
        .map(|((), _)| ())
    })
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
        FileKind::Events => resources.events.as_str(),
        FileKind::Statements => resources.statements.as_str(),
        FileKind::Manifest => kind.default_file_name(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::model::{ActorsFile, EventsFile, PledgesFile, SourcesFile, StatementsFile, Text};
    use proptest::prelude::*;

    /// Any JSON value: strings with quotes, backslashes, control
    /// characters, combining marks and other non-ASCII text; integers and
    /// floats; nested and empty containers.
    fn json_value() -> impl Strategy<Value = Value> {
        let text = "[a\"\\\\\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f} e\u{301}\u{300}\u{327}é\u{212b}Ω\u{ac00}\u{1100}\u{1161}ї😀]{0,20}";
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            text.prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text, inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
        .boxed()
    }

    /// Every shape serde's derive writes, to hold the fast writer to
    /// serde_json on the ones the data model does not use yet.
    #[derive(Serialize)]
    enum Shapes {
        Unit,
        Newtype(String),
        Tuple(u8, Option<String>, ()),
        EmptyTuple(),
        Struct {
            a: f32,
            b: Vec<char>,
            c: Option<Box<Shapes>>,
        },
        EmptyStruct {},
    }

    #[derive(Serialize)]
    struct Everything<'a> {
        shapes: Vec<Shapes>,
        bytes: &'a [u8],
        #[serde(with = "serde_bytes_as_seq")]
        more: (),
        unit_struct: UnitStruct,
        newtype: Newtype,
        tuple: (i8, i16, i32, i128, u16, u32, u128),
        map: BTreeMap<String, Vec<()>>,
        text: &'a str,
    }

    #[derive(Serialize)]
    struct UnitStruct;

    #[derive(Serialize)]
    struct Newtype(&'static str);

    mod serde_bytes_as_seq {
        pub fn serialize<S: serde::Serializer>(_: &(), s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"\x00\xff")
        }
    }

    proptest! {
        /// The fast writer gives serde_json's pretty text, with string
        /// values in NFC, for any JSON value.
        #[test]
        fn fast_writer_writes_what_serde_json_writes(value in json_value()) {
            prop_assert_eq!(to_canonical_json(&value), serde_json_canonical(&value));
        }

        /// Any string, escaped and normalised as serde_json and NFC would.
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(text in any::<String>()) {
            prop_assert_eq!(to_canonical_json(&text), serde_json_canonical(&text));
            prop_assert_eq!(to_canonical_json(&[&text]), serde_json_canonical(&[&text]));
        }

        /// Checking the whole text for NFC and normalising string by string
        /// agree: the fast writer gives the normalising path's bytes.
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

        /// The run-by-run check agrees with checking the whole text.
        #[test]
        fn nfc_check_by_runs_agrees_with_the_whole_text(
            text in "[ae\u{300}\u{301}\u{316}\u{327}\u{338}\u{1100}\u{1161}\u{11a8}\u{ac00}=<\" é]{0,24}",
        ) {
            prop_assert_eq!(is_nfc_text(&text), is_nfc(&text), "{:?}", text);
        }
    }

    #[test]
    fn every_serde_shape_is_written_as_serde_json_writes_it() {
        let value = Everything {
            shapes: vec![
                Shapes::Unit,
                Shapes::Newtype("Cafe\u{301}".to_owned()),
                Shapes::Tuple(7, None, ()),
                Shapes::Tuple(0, Some("\t".to_owned()), ()),
                Shapes::EmptyTuple(),
                Shapes::Struct {
                    a: 1.5,
                    b: vec!['\u{212b}', '"'],
                    c: Some(Box::new(Shapes::Struct {
                        a: f32::NAN,
                        b: Vec::new(),
                        c: None,
                    })),
                },
                Shapes::EmptyStruct {},
            ],
            bytes: b"\x01\x02",
            more: (),
            unit_struct: UnitStruct,
            newtype: Newtype("n"),
            tuple: (-1, -2, -3, -4, 5, 6, 7),
            map: BTreeMap::from([
                ("e\u{301}".to_owned(), vec![(), ()]),
                (String::new(), Vec::new()),
            ]),
            text: "x",
        };
        assert_eq!(to_canonical_json(&value), serde_json_canonical(&value));
    }

    /// Nesting deeper than the writer's run of spaces is indented as
    /// serde_json indents it.
    #[test]
    fn deep_nesting_is_indented_as_serde_json_indents_it() {
        let mut value = serde_json::json!({"e\u{301}": ["x", {}]});
        for depth in 0..40 {
            value = serde_json::json!({ format!("k{depth}"): [value, depth] });
        }
        assert_eq!(to_canonical_json(&value), serde_json_canonical(&value));
    }

    #[test]
    fn what_the_fast_writer_leaves_alone_goes_through_serde_json() {
        let raw = serde_json::value::RawValue::from_string("{\"a\" : [1,2]}".to_owned()).unwrap();
        let with_raw = BTreeMap::from([("raw", &raw)]);
        let keyed_by_number = BTreeMap::from([(1u8, "one"), (20, "twenty")]);
        assert_eq!(
            to_canonical_json(&with_raw),
            serde_json_canonical(&with_raw)
        );
        assert_eq!(
            to_canonical_json(&keyed_by_number),
            "{\n  \"1\": \"one\",\n  \"20\": \"twenty\"\n}\n"
        );
    }

    /// The files as serde_json writes the file types, normalised.
    fn reference_files(dataset: &Dataset) -> Vec<String> {
        let schema = |kind: FileKind| format!("../schema/{}", kind.schema_file_name());
        let mut manifest = dataset.manifest().clone();
        manifest.schema = schema(FileKind::Manifest);
        vec![
            serde_json_canonical(&manifest),
            serde_json_canonical(&ActorsFile {
                schema: schema(FileKind::Actors),
                actors: dataset.actors().to_vec(),
            }),
            serde_json_canonical(&SourcesFile {
                schema: schema(FileKind::Sources),
                sources: dataset.sources().to_vec(),
            }),
            serde_json_canonical(&PledgesFile {
                schema: schema(FileKind::Pledges),
                pledges: dataset.pledges().to_vec(),
            }),
            serde_json_canonical(&EventsFile {
                schema: schema(FileKind::Events),
                events: dataset.events().to_vec(),
            }),
            serde_json_canonical(&StatementsFile {
                schema: schema(FileKind::Statements),
                statements: dataset.statements().to_vec(),
            }),
        ]
    }

    /// Record files big enough to be written in chunks on two cores, and
    /// one with an empty list, come out as serde_json writes the file
    /// types, both streamed and in memory, NFC or not.
    #[test]
    fn record_files_are_serde_jsons_text_streamed_or_not() {
        let dataset = crate::generate::dataset(CHUNK * 3 + 7, 9);
        let mut actors = dataset.actors().to_vec();
        actors[0].name = Text::new("Cafe\u{301} = e\u{301}").unwrap();
        let changed = Dataset::from_parts(
            dataset.manifest().clone(),
            actors,
            Vec::new(),
            dataset.pledges().to_vec(),
            dataset.events().to_vec(),
            Vec::new(),
        );
        for dataset in [dataset, changed] {
            let expected = reference_files(&dataset);
            let dir = tempfile::tempdir().unwrap();
            write_json_dir(&dataset, dir.path(), "../schema").unwrap();
            let in_memory = canonical_files(&dataset, "../schema");
            for ((kind, text), expected) in in_memory.into_iter().zip(expected) {
                let written = std::fs::read_to_string(dir.path().join(file_name(&dataset, kind)));
                assert_eq!(written.unwrap(), expected, "{kind:?} streamed");
                assert_eq!(text, expected, "{kind:?} in memory");
            }
        }
    }

    /// A failing output stops both serialising threads and is reported.
    #[test]
    fn a_failing_output_stops_the_chunked_writer() {
        struct FailAfter(usize);
        impl Write for FailAfter {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= 1;
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let dataset = crate::generate::dataset(CHUNK * 6, 2);
        let err = write_record_file(&mut FailAfter(3), "s", "pledges", dataset.pledges());
        assert_eq!(err.unwrap_err().to_string(), "disk full");
    }

    /// A record that panics on the second thread stops the first one too:
    /// the panic comes through, and nothing waits for a turn forever.
    #[test]
    fn a_panicking_record_stops_the_chunked_writer() {
        struct Record(usize);
        impl Serialize for Record {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                assert!(self.0 != CHUNK + 1, "record {} cannot be written", self.0);
                s.serialize_u64(self.0 as u64)
            }
        }
        let records: Vec<Record> = (0..CHUNK * 4).map(Record).collect();
        let written = std::panic::catch_unwind(|| {
            write_record_file(&mut Vec::new(), "s", "numbers", &records)
        });
        assert!(written.is_err());
    }
}
