//! Reading a dataset: bytes from a JSON or a CSV directory into records, with
//! where each came from.
//!
//! A clean file takes a fast path: it is read straight into the data model
//! (the pledges file a chunk at a time on two cores, a CSV dataset row by row
//! into the types), with no JSON tree and no syntax scan. A file the types
//! refuse is read record by record: the records they accept
//! stay typed, and only those they refuse become JSON trees, so that the
//! validator can explain them and a bad record costs only itself. A CSV
//! dataset whose structure is broken (a header, an unknown parent, an
//! ordinal) is read value by value.
//! Positions (line and column, or CSV table, row and column) are found only
//! for the findings that need them.

pub(crate) mod chunked;
pub(crate) mod csv_trees;
pub(crate) mod csv_typed;
pub(crate) mod csv_values;
pub(crate) mod files;
pub use files::read_regular;
pub(crate) mod json;
pub(crate) mod locate;
pub(crate) mod split;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, LineIndex};
use crate::error::Error;
use crate::journal::{Access, LOCK_WAIT, Lock};
use crate::model::strict::Object;
use crate::model::{
    ActorsFile, EventsFile, Manifest, PledgesFile, Resources, SourcesFile, StatementsFile,
};
use crate::schema::FileKind;
use crate::tables::DATAPACKAGE;

/// The default limit on the size of one data file or CSV table, in bytes
/// (4 GiB): the generator's largest file at a million pledges is about
/// 1.6 GB. A larger file is the diagnostic `file-too-large`, not read.
pub const MAX_FILE_SIZE: u64 = 4 << 30;

/// The default limit on the size of one archived source text, in bytes
/// (64 MiB).
pub const MAX_ARCHIVE_FILE_SIZE: u64 = 64 << 20;

/// Reads the whole of `path` as the loaders do: only if it is a regular
/// file (a link, FIFO or device is refused, nothing read from it) of at
/// most `max_size` bytes, and never more than that even if it grows.
///
/// # Errors
/// The I/O error; a file that is not regular or is too large is an error
/// whose message says which.
pub fn read_file(path: &Path, max_size: u64) -> std::io::Result<Vec<u8>> {
    files::read_regular(path, max_size)
}

/// A whole file read into the data model.
#[derive(Debug)]
pub(crate) enum Typed {
    Manifest(Manifest),
    Actors(ActorsFile),
    Sources(SourcesFile),
    Pledges(PledgesFile),
    Events(EventsFile),
    Statements(StatementsFile),
}

impl Typed {
    /// Reads `text` as a `kind` file, if the types accept it.
    pub(crate) fn parse(kind: FileKind, text: &str) -> Option<Self> {
        match kind {
            FileKind::Manifest => strict(serde_json::from_str(text)).map(Self::Manifest),
            FileKind::Actors => strict(serde_json::from_str(text)).map(Self::Actors),
            FileKind::Sources => strict(serde_json::from_str(text)).map(Self::Sources),
            // The largest file, on two cores.
            FileKind::Pledges => chunked::parse_pledges(text).map(Self::Pledges),
            FileKind::Events => strict(serde_json::from_str(text)).map(Self::Events),
            FileKind::Statements => strict(serde_json::from_str(text)).map(Self::Statements),
        }
    }

    /// Reads a parsed document as a `kind` file, if the types accept it.
    pub(crate) fn from_value(kind: FileKind, value: &Value) -> Option<Self> {
        match kind {
            FileKind::Manifest => strict(Object::deserialize(value)).map(Self::Manifest),
            FileKind::Actors => strict(Object::deserialize(value)).map(Self::Actors),
            FileKind::Sources => strict(Object::deserialize(value)).map(Self::Sources),
            FileKind::Pledges => strict(Object::deserialize(value)).map(Self::Pledges),
            FileKind::Events => strict(Object::deserialize(value)).map(Self::Events),
            FileKind::Statements => strict(Object::deserialize(value)).map(Self::Statements),
        }
    }

    /// The file's `$schema`.
    pub(crate) fn schema_reference(&self) -> &str {
        match self {
            Self::Manifest(m) => &m.schema,
            Self::Actors(f) => &f.schema,
            Self::Sources(f) => &f.schema,
            Self::Pledges(f) => &f.schema,
            Self::Events(f) => &f.schema,
            Self::Statements(f) => &f.schema,
        }
    }
}

/// The value of a whole struct read from a JSON object (see [`Object`]).
fn strict<T, E>(read: Result<Object<T>, E>) -> Option<T> {
    read.ok().map(|o| o.0)
}

/// The paths of a dataset's files.
#[derive(Clone, Debug)]
pub(crate) struct Files {
    pub manifest: PathBuf,
    pub actors: PathBuf,
    pub sources: PathBuf,
    pub pledges: PathBuf,
    pub events: PathBuf,
    pub statements: PathBuf,
}

impl Files {
    /// The path of the `kind` file.
    pub(crate) fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Manifest => &self.manifest,
            FileKind::Actors => &self.actors,
            FileKind::Sources => &self.sources,
            FileKind::Pledges => &self.pledges,
            FileKind::Events => &self.events,
            FileKind::Statements => &self.statements,
        }
    }

    /// Each file's default name in `dir`.
    pub(crate) fn in_dir(dir: &Path) -> Self {
        let path = |kind: FileKind| dir.join(kind.default_file_name());
        Self {
            manifest: path(FileKind::Manifest),
            actors: path(FileKind::Actors),
            sources: path(FileKind::Sources),
            pledges: path(FileKind::Pledges),
            events: path(FileKind::Events),
            statements: path(FileKind::Statements),
        }
    }
}

/// Reads a JSON file as the validator does, pushing read problems (with byte
/// offsets where known) onto `out`.
pub(crate) fn read_json_file(
    path: &Path,
    max_size: u64,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> json::ReadFile {
    json::read_json(path, max_size, out)
}

/// Where a dataset's bytes come from: the file system, or memory (a file
/// name and its bytes, for each file).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    /// Files on disk, each read only up to this many bytes.
    Disk(u64),
    /// Files held in memory, found by file name.
    Memory(&'a [(&'a str, &'a [u8])]),
}

impl Origin<'_> {
    /// The bytes of the file at `path`.
    pub(crate) fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self {
            Self::Disk(max_size) => files::read_regular(path, *max_size),
            Self::Memory(files) => {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default();
                files
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, bytes)| bytes.to_vec())
                    .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        }
    }
}

/// Reads the text of a file read on the fast path again, to place a finding.
pub(crate) fn reread_text(origin: Origin<'_>, path: &Path) -> Option<String> {
    json::reread_text(origin.read(path))
}

/// What was read from a dataset directory, before the checks.
pub(crate) struct Input {
    pub(crate) files: Files,
    /// Files read straight into the data model (the fast path).
    pub(crate) typed: HashMap<FileKind, Typed>,
    /// Files read as JSON trees (when the fast path did not apply).
    pub(crate) values: HashMap<FileKind, Value>,
    /// Collection files read record by record (when the fast path did not
    /// apply to the whole file).
    pub(crate) split: HashMap<FileKind, split::Split>,
    /// JSON text per file, for positions, where it was kept.
    pub(crate) texts: HashMap<PathBuf, String>,
    /// Files read on the fast path, whose text was not kept: read again
    /// only if a finding in them needs a position.
    pub(crate) reread: Vec<PathBuf>,
    /// Where each value came from (CSV datasets).
    pub(crate) locations: Option<csv_values::CsvMap>,
    pub(crate) pending: Vec<(Diagnostic, Option<usize>)>,
    /// Problems counted but not made into diagnostics, past the limit of
    /// their code in their file.
    pub(crate) skipped: Vec<(Code, PathBuf, usize)>,
}

impl Input {
    fn add(&mut self, kind: FileKind, file: json::ReadFile) {
        let path = self.files.path(kind).to_owned();
        if let Some(typed) = file.typed {
            self.typed.insert(kind, typed);
            self.reread.push(path.clone());
        }
        if let Some(value) = file.value {
            self.values.insert(kind, value);
        }
        if let Some(split) = file.split {
            self.split.insert(kind, split);
        }
        let skipped = file.skipped.into_iter();
        self.skipped
            .extend(skipped.map(|(code, n)| (code, self.files.path(kind).to_owned(), n)));
        if let Some(text) = file.text {
            self.texts.insert(path, text);
        }
    }
}

/// Reads a JSON dataset, each file's bytes coming from `load`: the manifest
/// first (it names the other files), then the pledges on one core while the
/// actors and sources are read on the other. With `stream`, the files are on
/// disk, and a clean pledges file is read from there in chunks instead.
fn read_json_dir(dir: &Path, load: Origin<'_>, stream: bool, keep: usize) -> Input {
    let max_size = match load {
        Origin::Disk(max_size) => max_size,
        Origin::Memory(_) => u64::MAX,
    };
    let mut pending = Vec::new();
    let manifest_path = dir.join(FileKind::Manifest.default_file_name());
    let manifest_file = json::parse_json(
        &manifest_path,
        Some(FileKind::Manifest),
        load.read(&manifest_path),
        keep,
        &mut pending,
    );
    let resources = match (&manifest_file.typed, &manifest_file.value) {
        (Some(Typed::Manifest(m)), _) => Some(m.resources.clone()),
        (_, Some(v)) => v
            .get("resources")
            .and_then(|r| strict::<Resources, _>(Object::deserialize(r))),
        _ => None,
    };
    let name = |kind: FileKind| -> PathBuf {
        let file = match (&resources, kind) {
            (Some(r), FileKind::Actors) => r.actors.as_str(),
            (Some(r), FileKind::Sources) => r.sources.as_str(),
            (Some(r), FileKind::Pledges) => r.pledges.as_str(),
            (Some(r), FileKind::Events) => r.events.as_str(),
            (Some(r), FileKind::Statements) => r.statements.as_str(),
            _ => kind.default_file_name(),
        };
        dir.join(file)
    };
    let files = Files {
        manifest: manifest_path,
        actors: name(FileKind::Actors),
        sources: name(FileKind::Sources),
        pledges: name(FileKind::Pledges),
        events: name(FileKind::Events),
        statements: name(FileKind::Statements),
    };
    let mut input = Input {
        files,
        typed: HashMap::new(),
        values: HashMap::new(),
        split: HashMap::new(),
        texts: HashMap::new(),
        reread: Vec::new(),
        locations: None,
        pending,
        skipped: Vec::new(),
    };
    input.add(FileKind::Manifest, manifest_file);
    let read = |kind: FileKind, path: &Path| {
        let mut out = Vec::new();
        // The pledges file is read from disk a chunk at a time, never whole,
        // when it is clean; otherwise it is read whole, to say what is wrong.
        if stream && kind == FileKind::Pledges {
            let mut file = files::open_regular(path, max_size)
                .ok()
                .map(|f| files::bounded(f, max_size));
            // A file that grew past the limit while it was read is read
            // again whole below, which says so.
            let pledges = file
                .as_mut()
                .and_then(|f| chunked::read_pledges(&mut *f, chunked::CHUNK))
                .filter(|_| !file.as_ref().is_some_and(files::past_limit));
            if let Some(pledges) = pledges {
                let typed = Some(Typed::Pledges(pledges));
                let (text, value, split) = (None, None, None);
                let file = json::ReadFile {
                    text,
                    value,
                    typed,
                    split,
                    skipped: Vec::new(),
                };
                return (kind, file, out);
            }
        }
        let file = json::parse_json(path, Some(kind), load.read(path), keep, &mut out);
        (kind, file, out)
    };
    let files = input.files.clone();
    let read_all = std::thread::scope(|threads| {
        let pledges = threads.spawn(|| read(FileKind::Pledges, &files.pledges));
        let mut read_all = vec![
            read(FileKind::Actors, &files.actors),
            read(FileKind::Sources, &files.sources),
            read(FileKind::Events, &files.events),
            read(FileKind::Statements, &files.statements),
        ];
        match pledges.join() {
            Ok(file) => read_all.push(file),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        read_all
    });
    for (kind, file, out) in read_all {
        input.add(kind, file);
        input.pending.extend(out);
    }
    input
}

/// Reads a CSV dataset: straight into the data model when it is clean
/// (unless `fast` is off, for tests), with the rows the types refuse read
/// again alone and kept as rows, to be made trees one at a time; otherwise (a header, an unknown parent, an
/// ordinal, a byte that is not UTF-8) value by value.
fn read_csv_dir(dir: &Path, fast: bool, max_size: u64, keep: usize) -> Input {
    if let Some(input) = fast.then(|| read_csv_typed(dir, max_size)).flatten() {
        return input;
    }
    let files = Files::in_dir(dir);
    let csv = csv_values::read_dir(dir, max_size, keep);
    let mut texts = HashMap::new();
    if let Some(text) = csv.package_text {
        texts.insert(dir.join(DATAPACKAGE), text);
    }
    Input {
        files,
        typed: HashMap::new(),
        values: csv.values,
        split: HashMap::new(),
        texts,
        reread: Vec::new(),
        locations: Some(csv.map),
        pending: csv.diagnostics,
        skipped: csv.skipped,
    }
}

/// The places of the records the types refused.
fn refused_places<T>(records: &[Option<T>]) -> Vec<usize> {
    (0..records.len())
        .filter(|&i| records[i].is_none())
        .collect()
}

/// A CSV dataset's records of one kind: the file whole when the types
/// accepted every row, else split, with the rows of those they refused.
fn csv_records<T>(
    kind: FileKind,
    records: Vec<Option<T>>,
    rows: Option<csv_trees::CsvRecords>,
    whole: impl FnOnce(String, Vec<T>) -> Typed,
    wrap: impl FnOnce(Vec<(usize, T)>) -> split::Items,
) -> Option<Result<Typed, split::Split>> {
    let schema = csv_trees::schema_reference(kind);
    let Some(rows) = rows else {
        let all: Option<Vec<T>> = records.into_iter().collect();
        return Some(Ok(whole(schema, all?)));
    };
    let typed: Vec<(usize, T)> = records
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r?)))
        .collect();
    split::from_rows(kind, schema, typed, rows, wrap).map(Err)
}

/// A CSV dataset read on the fast path, the rows the types refuse read
/// again, to be made trees as they are checked; `None` when the fast path
/// gives up.
fn read_csv_typed(dir: &Path, max_size: u64) -> Option<Input> {
    let csv = csv_typed::read_dir(dir, max_size)?;
    let refused: HashMap<FileKind, Vec<usize>> = [
        (FileKind::Actors, refused_places(&csv.actors)),
        (FileKind::Sources, refused_places(&csv.sources)),
        (FileKind::Pledges, refused_places(&csv.pledges)),
        (FileKind::Events, refused_places(&csv.events)),
        (FileKind::Statements, refused_places(&csv.statements)),
    ]
    .into_iter()
    .filter(|(_, places)| !places.is_empty())
    .collect();
    let mut rows = if refused.is_empty() {
        HashMap::new()
    } else {
        csv_values::read_records(dir, max_size, &refused)?
    };
    let mut typed = HashMap::from([(FileKind::Manifest, Typed::Manifest(csv.manifest))]);
    let mut split = HashMap::new();
    // Each kind's file, whole, or split with its refused rows.
    macro_rules! place {
        ($kind:ident, $records:ident, $file:ident) => {
            let read = csv_records(
                FileKind::$kind,
                csv.$records,
                rows.remove(&FileKind::$kind),
                |schema, $records| Typed::$kind($file { schema, $records }),
                split::Items::$kind,
            )?;
            match read {
                Ok(whole) => {
                    typed.insert(FileKind::$kind, whole);
                }
                Err(part) => {
                    split.insert(FileKind::$kind, part);
                }
            }
        };
    }
    place!(Actors, actors, ActorsFile);
    place!(Sources, sources, SourcesFile);
    place!(Pledges, pledges, PledgesFile);
    place!(Events, events, EventsFile);
    place!(Statements, statements, StatementsFile);
    let texts = csv
        .package_text
        .map(|text| HashMap::from([(dir.join(DATAPACKAGE), text)]))
        .unwrap_or_default();
    Some(Input {
        files: Files::in_dir(dir),
        typed,
        values: HashMap::new(),
        split,
        texts,
        reread: Vec::new(),
        locations: Some(csv.map),
        pending: Vec::new(),
        skipped: Vec::new(),
    })
}

/// Reads the dataset in `dir`, JSON or CSV: a CSV dataset straight into the
/// data model when it is clean (unless `fast_csv` is off, for the tests that
/// compare the two paths), otherwise value by value. A set write to `dir`
/// that was interrupted is finished or discarded first (see
/// [`crate::journal::recover`]). No file is read past `max_size` bytes,
/// and no more than `keep` problems of one code in one file are made into
/// diagnostics by the reading (the rest are counted).
///
/// # Errors
/// [`Error`] when `dir` itself cannot be read as a directory, or an
/// interrupted write in it cannot be recovered.
pub(crate) fn read_dir(
    dir: &Path,
    fast_csv: bool,
    max_size: u64,
    keep: usize,
) -> Result<Input, Error> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::not_a_directory(dir));
    }
    // No set write starts in `dir` until its files are read; and an
    // interrupted one is looked for under the lock, since a write killed
    // just before it was taken leaves its journal.
    let mut tries = 0;
    let _lock = loop {
        let lock = Lock::take(dir, Access::Shared, LOCK_WAIT)?;
        if !crate::journal::has_managed_names(dir)? {
            break lock;
        }
        drop(lock);
        tries += 1;
        if tries > 4 {
            let e = std::io::Error::other(
                "an interrupted write here was recovered, yet its journal or staging \
                 is back each time; another program may be writing this directory",
            );
            return Err(Error::io(dir, e));
        }
        crate::journal::recover(dir)?;
    };
    Ok(if is_csv_dir(dir) {
        read_csv_dir(dir, fast_csv, max_size, keep)
    } else {
        read_json_dir(dir, Origin::Disk(max_size), true, keep)
    })
}

/// Reads a JSON dataset held in memory, as if its files were in `dir`,
/// making at most `keep` diagnostics of one code in one file.
pub(crate) fn read_in_memory<'a>(
    dir: &Path,
    files: &'a [(&'a str, &'a [u8])],
    keep: usize,
) -> Input {
    read_json_dir(dir, Origin::Memory(files), false, keep)
}

/// Whether `dir` holds a CSV dataset (a `datapackage.json` and no
/// `dataset.json`).
#[must_use]
pub fn is_csv_dir(dir: &Path) -> bool {
    dir.join(DATAPACKAGE).is_file() && !dir.join(FileKind::Manifest.default_file_name()).exists()
}

/// Moves a diagnostic from the JSON record it was found in to the CSV cell
/// that value came from (the nearest located parent pointer).
pub(crate) fn relocate(
    mut d: Diagnostic,
    kinds: &HashMap<PathBuf, FileKind>,
    map: &csv_values::CsvMap,
) -> Diagnostic {
    let Some(&kind) = kinds.get(&d.file) else {
        return d;
    };
    if let Some(location) = map.locate(kind, &d.pointer) {
        d.file = location.path;
        d.line = location.line;
        d.column = location.column;
    }
    // Hints that speak of JSON files and commands that read them, said as
    // they apply to a table.
    let table = d
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match d.code {
        Code::UnsortedIds => {
            d.hint = Some(format!(
                "sort the rows of {table} by id (`pledges fmt` sorts a JSON dataset; `pledges sync` rewrites the tables from it)"
            ));
        }
        Code::MissingField => {
            d.hint = Some(format!(
                "fill in this cell of {table}: the column is required"
            ));
        }
        _ => {}
    }
    d
}

/// Turns byte offsets and JSON Pointers into lines and columns.
pub(crate) fn position(
    pending: Vec<(Diagnostic, Option<usize>)>,
    texts: &HashMap<PathBuf, String>,
) -> Vec<Diagnostic> {
    let mut wanted: HashMap<PathBuf, Vec<String>> = HashMap::new();
    for (d, offset) in &pending {
        if offset.is_none() && texts.contains_key(&d.file) {
            let list = wanted.entry(d.file.clone()).or_default();
            // The pointer and each of its parents, nearest first, to fall back on.
            let mut p = d.pointer.as_str();
            loop {
                list.push(p.to_owned());
                match p.rfind('/') {
                    Some(i) => p = &p[..i],
                    None => break,
                }
            }
        }
    }
    let offsets: HashMap<PathBuf, HashMap<String, usize>> = wanted
        .into_iter()
        .map(|(path, pointers)| {
            let refs: Vec<&str> = pointers.iter().map(String::as_str).collect();
            let found = locate::scan(&texts[&path], &refs).offsets;
            (path, found)
        })
        .collect();
    let located: Vec<(Diagnostic, Option<usize>)> = pending
        .into_iter()
        .map(|(d, offset)| {
            if !texts.contains_key(d.file.as_path()) {
                return (d, None);
            }
            let offset = offset.or_else(|| {
                let found = offsets.get(&d.file)?;
                let mut p = d.pointer.as_str();
                loop {
                    if let Some(&o) = found.get(p) {
                        return Some(o);
                    }
                    p = &p[..p.rfind('/')?];
                }
            });
            (d, offset)
        })
        .collect();
    // Each file's offsets in ascending order, turned into positions in one
    // pass over its text: many findings on one long line cost the line
    // once, not once each.
    let mut by_file: HashMap<&Path, Vec<(usize, usize)>> = HashMap::new();
    for (i, (d, offset)) in located.iter().enumerate() {
        if let Some(offset) = *offset {
            by_file
                .entry(d.file.as_path())
                .or_default()
                .push((offset, i));
        }
    }
    let mut at: Vec<Option<crate::diagnostic::Position>> = vec![None; located.len()];
    for (file, mut wanted) in by_file {
        let Some(text) = texts.get(file) else {
            continue;
        };
        wanted.sort_unstable();
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = wanted.iter().map(|&(o, _)| o).collect();
        for (&(_, i), position) in wanted.iter().zip(index.positions(text, &offsets)) {
            at[i] = Some(position);
        }
    }
    located
        .into_iter()
        .zip(at)
        .map(|((d, _), position)| match position {
            Some(position) => d.at(position),
            None => d,
        })
        .collect()
}
