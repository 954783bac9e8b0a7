//! The validator: every rule a reviewer would check, as a [`Report`].
//!
//! Validation runs in layers, each on what the previous one could read, and
//! collects every problem in one pass:
//!
//! 1. **read**: files exist and are UTF-8 JSON, with no duplicate keys;
//! 2. **schema**: each file against its JSON Schema (see [`crate::schema`]);
//! 3. **integrity**: unique ids, references that resolve, nothing orphaned;
//! 4. **semantics**: real country codes, clean text, consistent dates;
//! 5. **evidence** (with an archive directory): checksums and verbatim quotes.
//!
//! Every diagnostic carries the JSON Pointer of the offending value and, from
//! it, the line and column in the file.
//!
//! A clean file takes a fast path: it is read straight into the data model
//! (the pledges file on two cores, a CSV dataset row by row into the types),
//! with no JSON tree and no syntax scan. The types accept exactly what the
//! schemas accept (property tests hold the two to that), so the schema and
//! the scan run only when the types refuse a file, to say what is wrong and
//! where. Text is read again only to place a finding.

mod evidence;
mod id_index;
mod integrity;
mod parallel;
mod read;
pub(crate) mod schema;
mod semantics;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use evidence::fold_quote_text;
pub use semantics::SCHEMA_VERSION;

use crate::convert::{DATAPACKAGE, is_csv_dir};
use crate::convert::{from_csv, typed_rows};
use crate::dataset::Dataset;
use crate::diagnostic::{Code, Diagnostic, Report};
use crate::error::Error;
use crate::locate::{self, LineIndex};
use crate::model::strict::Object;
use crate::model::{
    Actor, ActorsFile, Manifest, Pledge, PledgesFile, Resources, Source, SourcesFile,
};
use crate::schema::FileKind;

/// What to check beyond the dataset itself.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Options {
    /// A directory holding each source's archived text, to check checksums
    /// and quotes against (`pledges validate --archive DIR`).
    pub archive: Option<PathBuf>,
}

impl Options {
    /// Checks quotes against the archived texts in `dir`.
    #[must_use]
    pub fn with_archive(mut self, dir: impl Into<PathBuf>) -> Self {
        self.archive = Some(dir.into());
        self
    }
}

/// A whole file read into the data model.
#[derive(Debug)]
pub(crate) enum Typed {
    Manifest(Manifest),
    Actors(ActorsFile),
    Sources(SourcesFile),
    Pledges(PledgesFile),
}

impl Typed {
    /// Reads `text` as a `kind` file, if the types accept it.
    pub(crate) fn parse(kind: FileKind, text: &str) -> Option<Self> {
        match kind {
            FileKind::Manifest => strict(serde_json::from_str(text)).map(Self::Manifest),
            FileKind::Actors => strict(serde_json::from_str(text)).map(Self::Actors),
            FileKind::Sources => strict(serde_json::from_str(text)).map(Self::Sources),
            // The largest file, on two cores.
            FileKind::Pledges => parallel::parse_pledges(text).map(Self::Pledges),
        }
    }

    /// Reads a parsed document as a `kind` file, if the types accept it.
    fn from_value(kind: FileKind, value: &Value) -> Option<Self> {
        match kind {
            FileKind::Manifest => strict(Object::deserialize(value)).map(Self::Manifest),
            FileKind::Actors => strict(Object::deserialize(value)).map(Self::Actors),
            FileKind::Sources => strict(Object::deserialize(value)).map(Self::Sources),
            FileKind::Pledges => strict(Object::deserialize(value)).map(Self::Pledges),
        }
    }

    /// The file's `$schema`.
    fn schema_reference(&self) -> &str {
        match self {
            Self::Manifest(m) => &m.schema,
            Self::Actors(f) => &f.schema,
            Self::Sources(f) => &f.schema,
            Self::Pledges(f) => &f.schema,
        }
    }

    /// Moves the records into `records`.
    fn into_records(self, records: &mut Records) {
        match self {
            Self::Manifest(m) => records.manifest = Some(m),
            Self::Actors(f) => records.actors = Indexed::whole(f.actors),
            Self::Sources(f) => records.sources = Indexed::whole(f.sources),
            Self::Pledges(f) => records.pledges = Indexed::whole(f.pledges),
        }
    }
}

/// The value of a whole struct read from a JSON object (see [`Object`]).
fn strict<T, E>(read: Result<Object<T>, E>) -> Option<T> {
    read.ok().map(|o| o.0)
}

/// The paths of a dataset's four files.
#[derive(Clone, Debug)]
pub(crate) struct Files {
    pub manifest: PathBuf,
    pub actors: PathBuf,
    pub sources: PathBuf,
    pub pledges: PathBuf,
}

impl Files {
    fn path(&self, kind: FileKind) -> &Path {
        match kind {
            FileKind::Manifest => &self.manifest,
            FileKind::Actors => &self.actors,
            FileKind::Sources => &self.sources,
            FileKind::Pledges => &self.pledges,
        }
    }
}

/// One share of the records, for checks that run on two cores: share
/// `part` of `parts` of the pledges, with everything else in share 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Part {
    pub part: usize,
    pub parts: usize,
}

impl Part {
    /// All the records, in one share.
    pub(crate) const WHOLE: Self = Self { part: 0, parts: 1 };

    /// The share of `n` items this part takes.
    pub(crate) fn range(self, n: usize) -> std::ops::Range<usize> {
        n * self.part / self.parts..n * (self.part + 1) / self.parts
    }
}

/// The records of one file that could be read, each with its index in the
/// file.
#[derive(Debug)]
pub(crate) struct Indexed<T> {
    items: Vec<T>,
    /// Each item's index in the file; `None` when every record was read,
    /// so that the item's place is its index.
    index: Option<Vec<usize>>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: Some(Vec::new()),
        }
    }
}

impl<T> Indexed<T> {
    /// Every record of a file.
    fn whole(items: Vec<T>) -> Self {
        Self { items, index: None }
    }

    /// Adds the record at `index` of a file read record by record.
    fn push(&mut self, index: usize, item: T) {
        let positions = self
            .index
            .get_or_insert_with(|| (0..self.items.len()).collect());
        positions.push(index);
        self.items.push(item);
    }

    /// The records, each with its index in the file.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.items.iter().enumerate().map(|(i, item)| {
            let index = self.index.as_ref().map_or(i, |index| index[i]);
            (index, item)
        })
    }

    /// One share of the records, each with its index in the file.
    pub(crate) fn part(&self, part: Part) -> impl Iterator<Item = (usize, &T)> {
        let range = part.range(self.items.len());
        let start = range.start;
        self.items[range].iter().enumerate().map(move |(i, item)| {
            let i = start + i;
            let index = self.index.as_ref().map_or(i, |index| index[i]);
            (index, item)
        })
    }

    /// How many records were read.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The records, without their indexes.
    fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl<'a, T> IntoIterator for &'a Indexed<T> {
    type Item = (usize, &'a T);
    type IntoIter = Box<dyn Iterator<Item = (usize, &'a T)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// The records that could be read, each with its index in its file.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub manifest: Option<Manifest>,
    pub actors: Indexed<Actor>,
    pub sources: Indexed<Source>,
    pub pledges: Indexed<Pledge>,
    /// Whether every file and record was read.
    pub complete: bool,
    /// The files that had to be read as JSON trees (off the fast path).
    pub values: HashMap<FileKind, Value>,
    /// The files read whole into the data model.
    pub whole: Vec<FileKind>,
}

impl Records {
    /// A file's parsed document, if it was read.
    pub fn raw(&self, kind: FileKind) -> Option<&Value> {
        self.values.get(&kind)
    }

    fn collection(&self, kind: FileKind) -> Option<&Vec<Value>> {
        let key = match kind {
            FileKind::Actors => "actors",
            FileKind::Sources => "sources",
            FileKind::Pledges => "pledges",
            _ => return None,
        };
        self.raw(kind)?.get(key)?.as_array()
    }

    /// Whether a collection file was read and holds its array of records.
    pub fn has_collection(&self, kind: FileKind) -> bool {
        self.collection(kind).is_some() || self.whole.contains(&kind)
    }

    /// The records of a collection file as raw values, with their indexes.
    pub fn raw_items(&self, kind: FileKind) -> impl Iterator<Item = (usize, &Value)> {
        self.collection(kind).into_iter().flatten().enumerate()
    }

    /// The `id` of every record of a collection that has a string id, read
    /// into the model or not, so that a broken record does not make every
    /// reference to it dangle too.
    pub fn ids(&self, kind: FileKind) -> Vec<(usize, &str)> {
        if self.raw(kind).is_some() {
            return self
                .raw_items(kind)
                .filter_map(|(i, item)| Some((i, item.get("id")?.as_str()?)))
                .collect();
        }
        match kind {
            FileKind::Actors => self
                .actors
                .iter()
                .map(|(i, a)| (i, a.id.as_str()))
                .collect(),
            FileKind::Sources => self
                .sources
                .iter()
                .map(|(i, s)| (i, s.id.as_str()))
                .collect(),
            FileKind::Pledges => self
                .pledges
                .iter()
                .map(|(i, p)| (i, p.id.as_str()))
                .collect(),
            FileKind::Manifest => Vec::new(),
        }
    }
}

/// Validates the dataset in `dir` (the directory holding `dataset.json`).
///
/// # Errors
/// [`Error`] when `dir` itself cannot be read as a directory. Problems in the
/// dataset are not errors: they are the [`Report`]'s diagnostics.
pub fn validate_dir(dir: &Path, options: &Options) -> Result<Report, Error> {
    let (report, dataset) = check_dir(dir, options)?;
    // Freeing millions of small records takes a noticeable share of a large
    // validation; the report does not wait for it.
    if let Some(dataset) = dataset {
        let _ = std::thread::Builder::new()
            .name("pledges-free".to_owned())
            .spawn(move || drop(dataset));
    }
    Ok(report)
}

/// Reads a JSON file as the validator does, pushing read problems (with byte
/// offsets where known) onto `out`.
pub(crate) fn read_json_file(
    path: &Path,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> read::ReadFile {
    read::read_json(path, out)
}

pub(crate) use read::strip_bom;

/// Where a dataset's bytes come from: the file system, or memory.
type Load<'a> = &'a (dyn Fn(&Path) -> std::io::Result<Vec<u8>> + Sync);

/// What was read from a dataset directory, before the checks.
struct Input {
    files: Files,
    /// Files read straight into the data model (the fast path).
    typed: HashMap<FileKind, Typed>,
    /// Files read as JSON trees (when the fast path did not apply).
    values: HashMap<FileKind, Value>,
    /// JSON text per file, for positions, where it was kept.
    texts: HashMap<PathBuf, String>,
    /// Files read on the fast path, whose text was not kept: read again
    /// only if a finding in them needs a position.
    reread: Vec<PathBuf>,
    /// Where each value came from (CSV datasets).
    locations: Option<from_csv::CsvMap>,
    pending: Vec<(Diagnostic, Option<usize>)>,
}

impl Input {
    fn add(&mut self, kind: FileKind, file: read::ReadFile) {
        let path = self.files.path(kind).to_owned();
        if let Some(typed) = file.typed {
            self.typed.insert(kind, typed);
            self.reread.push(path.clone());
        }
        if let Some(value) = file.value {
            self.values.insert(kind, value);
        }
        if let Some(text) = file.text {
            self.texts.insert(path, text);
        }
    }
}

/// Reads a JSON dataset, each file's bytes coming from `load`: the manifest
/// first (it names the other files), then the pledges on one core while the
/// actors and sources are read on the other. With `stream`, the files are on
/// disk, and a clean pledges file is read from there in chunks instead.
fn read_json_dir(dir: &Path, load: Load<'_>, stream: bool) -> Input {
    let mut pending = Vec::new();
    let manifest_path = dir.join(FileKind::Manifest.default_file_name());
    let manifest_file = read::parse_json(
        &manifest_path,
        Some(FileKind::Manifest),
        load(&manifest_path),
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
            _ => kind.default_file_name(),
        };
        dir.join(file)
    };
    let files = Files {
        manifest: manifest_path,
        actors: name(FileKind::Actors),
        sources: name(FileKind::Sources),
        pledges: name(FileKind::Pledges),
    };
    let mut input = Input {
        files,
        typed: HashMap::new(),
        values: HashMap::new(),
        texts: HashMap::new(),
        reread: Vec::new(),
        locations: None,
        pending,
    };
    input.add(FileKind::Manifest, manifest_file);
    let read = |kind: FileKind, path: &Path| {
        let mut out = Vec::new();
        // The pledges file is read from disk a chunk at a time, never whole,
        // when it is clean; otherwise it is read whole, to say what is wrong.
        if stream && kind == FileKind::Pledges {
            let file = std::fs::File::open(path).ok();
            if let Some(pledges) = file.and_then(|f| parallel::read_pledges(f, parallel::CHUNK)) {
                let typed = Some(Typed::Pledges(pledges));
                let (text, value) = (None, None);
                return (kind, read::ReadFile { text, value, typed }, out);
            }
        }
        let file = read::parse_json(path, Some(kind), load(path), &mut out);
        (kind, file, out)
    };
    let files = input.files.clone();
    let read_all = std::thread::scope(|threads| {
        let pledges = threads.spawn(|| read(FileKind::Pledges, &files.pledges));
        let mut read_all = vec![
            read(FileKind::Actors, &files.actors),
            read(FileKind::Sources, &files.sources),
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
/// (unless `fast` is off, for tests), otherwise value by value.
fn read_csv_dir(dir: &Path, fast: bool) -> Input {
    let files = Files {
        manifest: dir.join(FileKind::Manifest.default_file_name()),
        actors: dir.join(FileKind::Actors.default_file_name()),
        sources: dir.join(FileKind::Sources.default_file_name()),
        pledges: dir.join(FileKind::Pledges.default_file_name()),
    };
    if let Some(csv) = fast.then(|| typed_rows::read_dir(dir)).flatten() {
        let schema = typed_rows::schema_reference;
        let typed = HashMap::from([
            (FileKind::Manifest, Typed::Manifest(csv.manifest)),
            (
                FileKind::Actors,
                Typed::Actors(ActorsFile {
                    schema: schema(FileKind::Actors),
                    actors: csv.actors,
                }),
            ),
            (
                FileKind::Sources,
                Typed::Sources(SourcesFile {
                    schema: schema(FileKind::Sources),
                    sources: csv.sources,
                }),
            ),
            (
                FileKind::Pledges,
                Typed::Pledges(PledgesFile {
                    schema: schema(FileKind::Pledges),
                    pledges: csv.pledges,
                }),
            ),
        ]);
        let texts = csv
            .package_text
            .map(|text| HashMap::from([(dir.join(DATAPACKAGE), text)]))
            .unwrap_or_default();
        return Input {
            files,
            typed,
            values: HashMap::new(),
            texts,
            reread: Vec::new(),
            locations: Some(csv.map),
            pending: Vec::new(),
        };
    }
    let csv = from_csv::read_dir(dir);
    let mut texts = HashMap::new();
    if let Some(text) = csv.package_text {
        texts.insert(dir.join(DATAPACKAGE), text);
    }
    Input {
        files,
        typed: HashMap::new(),
        values: csv.values,
        texts,
        reread: Vec::new(),
        locations: Some(csv.map),
        pending: csv.diagnostics,
    }
}

/// Validates `dir` (JSON or CSV) and, when it has no errors, returns the
/// dataset too.
pub(crate) fn check_dir(dir: &Path, options: &Options) -> Result<(Report, Option<Dataset>), Error> {
    check_dir_with(dir, options, true)
}

/// [`check_dir`], with the CSV fast path on or off (the tests compare the two).
fn check_dir_with(
    dir: &Path,
    options: &Options,
    fast_csv: bool,
) -> Result<(Report, Option<Dataset>), Error> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::not_a_directory(dir));
    }
    let load = |path: &Path| std::fs::read(path);
    let input = if is_csv_dir(dir) {
        read_csv_dir(dir, fast_csv)
    } else {
        read_json_dir(dir, &load, true)
    };
    Ok(check_input(input, options, &load))
}

/// Validates a JSON dataset held in memory, as if its files were in `dir`:
/// `files` maps each file name (`dataset.json`, `actors.json`, …) to its
/// bytes. Diagnostics name the files as `dir` joined with the name.
#[must_use]
pub fn validate_in_memory(dir: &Path, files: &[(&str, &[u8])]) -> Report {
    check_in_memory(dir, files).0
}

/// [`validate_in_memory`], with the dataset when it has no errors.
pub(crate) fn check_in_memory(dir: &Path, files: &[(&str, &[u8])]) -> (Report, Option<Dataset>) {
    let load = |path: &Path| -> std::io::Result<Vec<u8>> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, bytes)| bytes.to_vec())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    };
    check_input(read_json_dir(dir, &load, false), &Options::default(), &load)
}

fn check_input(input: Input, options: &Options, load: Load<'_>) -> (Report, Option<Dataset>) {
    let Input {
        files,
        mut typed,
        values,
        mut texts,
        reread,
        locations,
        mut pending,
    } = input;

    let mut found: Vec<Diagnostic> = Vec::new();
    let mut records = Records {
        complete: true,
        ..Records::default()
    };
    let mut whole: Vec<FileKind> = Vec::new();
    for kind in FileKind::ALL {
        let path = files.path(kind);
        // A JSON tree (CSV input, or JSON off the fast path) is first tried
        // whole against the types: the schema and the types accept the same
        // documents, so the schema only has to explain a refusal.
        if let Some(t) = values
            .get(&kind)
            .and_then(|value| Typed::from_value(kind, value))
        {
            typed.insert(kind, t);
        }
        if let Some(t) = typed.remove(&kind) {
            if locations.is_none() {
                semantics::check_schema_reference(kind, path, t.schema_reference(), &mut found);
            }
            t.into_records(&mut records);
            whole.push(kind);
            continue;
        }
        let Some(value) = values.get(&kind) else {
            records.complete = false;
            continue;
        };
        let schema_problems = schema::check(kind, path, value);
        records.complete &= schema_problems.is_empty();
        found.extend(schema_problems);
        collect_records(kind, path, value, &mut records, &mut found);
        semantics::check_text(path, value, &mut found);
        if let (None, Some(reference)) = (&locations, value.get("$schema").and_then(Value::as_str))
        {
            semantics::check_schema_reference(kind, path, reference, &mut found);
        }
        records.values.insert(kind, value.clone());
    }
    drop(values);
    records.whole = whole;
    // Text and references on two cores, then dates and evidence.
    integrity::check(&records, &files, &mut found, &|part| {
        let mut found = Vec::new();
        semantics::check_text_records(&records, &files, &records.whole, part, &mut found);
        found
    });
    semantics::check_records(&records, &files, &mut found);
    if let Some(archive) = &options.archive {
        evidence::check(&records, &files, archive, &mut found);
    }

    let mut diagnostics = match &locations {
        Some(locations) => {
            let kinds: HashMap<PathBuf, FileKind> = FileKind::ALL
                .iter()
                .map(|&k| (files.path(k).to_owned(), k))
                .collect();
            found
                .into_iter()
                .map(|d| relocate(d, &kinds, locations))
                .collect()
        }
        None => {
            pending.extend(found.into_iter().map(|d| (d, None)));
            Vec::new()
        }
    };
    // Files read on the fast path are read again only to place findings.
    for path in reread {
        if pending.iter().any(|(d, _)| d.file == path)
            && let Some(text) = read::reread_text(load(&path))
        {
            texts.insert(path, text);
        }
    }
    diagnostics.extend(position(pending, &texts));
    let order = |d: &Diagnostic| -> (usize, PathBuf) {
        let rank = FileKind::ALL.iter().position(|&k| files.path(k) == d.file);
        (rank.unwrap_or(FileKind::ALL.len()), d.file.clone())
    };
    diagnostics.sort_by(|a, b| {
        order(a)
            .cmp(&order(b))
            .then_with(|| (a.line, a.column).cmp(&(b.line, b.column)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.pointer.cmp(&b.pointer))
    });
    diagnostics.dedup();
    let report = Report { diagnostics };

    let dataset = match (report.errors(), records.manifest) {
        (0, Some(manifest)) => Some(Dataset::from_parts(
            manifest,
            records.actors.into_items(),
            records.sources.into_items(),
            records.pledges.into_items(),
        )),
        _ => None,
    };
    (report, dataset)
}

/// Moves a diagnostic from the JSON record it was found in to the CSV cell
/// that value came from (the nearest located parent pointer).
fn relocate(
    mut d: Diagnostic,
    kinds: &HashMap<PathBuf, FileKind>,
    map: &from_csv::CsvMap,
) -> Diagnostic {
    let Some(&kind) = kinds.get(&d.file) else {
        return d;
    };
    if let Some(location) = map.locate(kind, &d.pointer) {
        d.file = location.path;
        d.line = location.line;
        d.column = location.column;
    }
    d
}

/// Deserialises each record of a file on its own, so that one broken record
/// does not hide the others.
fn collect_records(
    kind: FileKind,
    path: &Path,
    value: &Value,
    records: &mut Records,
    out: &mut Vec<Diagnostic>,
) {
    fn each<T: for<'de> Deserialize<'de>>(
        collection: &str,
        path: &Path,
        value: &Value,
        records: &mut Indexed<T>,
        complete: &mut bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(items) = value.get(collection).and_then(Value::as_array) else {
            *complete = false;
            return;
        };
        for (index, item) in items.iter().enumerate() {
            match Object::<T>::deserialize(item) {
                Ok(Object(record)) => records.push(index, record),
                Err(e) => {
                    if *complete {
                        // The schema accepted the file, yet the types refused
                        // this record: the two disagree, which is a bug here.
                        out.push(Diagnostic::new(
                            Code::TypeMismatch,
                            path,
                            format!("/{collection}/{index}"),
                            format!(
                                "the schema accepts this record but the data model refuses it: {e}"
                            ),
                        ));
                    }
                    *complete = false;
                }
            }
        }
    }
    let complete = &mut records.complete;
    match kind {
        FileKind::Manifest => match Object::<Manifest>::deserialize(value) {
            Ok(Object(manifest)) => records.manifest = Some(manifest),
            Err(e) => {
                if *complete && schema::is_valid(kind, value) {
                    out.push(Diagnostic::new(
                        Code::TypeMismatch,
                        path,
                        "",
                        format!(
                            "the schema accepts the manifest but the data model refuses it: {e}"
                        ),
                    ));
                }
                *complete = false;
            }
        },
        FileKind::Actors => each("actors", path, value, &mut records.actors, complete, out),
        FileKind::Sources => each("sources", path, value, &mut records.sources, complete, out),
        FileKind::Pledges => each("pledges", path, value, &mut records.pledges, complete, out),
    }
}

/// Turns byte offsets and JSON Pointers into lines and columns.
fn position(
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
    let mut indexes: HashMap<PathBuf, LineIndex> = HashMap::new();
    pending
        .into_iter()
        .map(|(d, offset)| {
            let Some(text) = texts.get(d.file.as_path()).map(String::as_str) else {
                return d;
            };
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
            match offset {
                Some(offset) => {
                    let index = indexes
                        .entry(d.file.clone())
                        .or_insert_with(|| LineIndex::new(text));
                    let at = index.position(text, offset);
                    d.at(at)
                }
                None => d,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::csv_files;
    use crate::convert::tables::TABLES;
    use proptest::prelude::*;

    /// One edit of one table of a valid CSV dataset.
    #[derive(Clone, Debug)]
    enum Edit {
        Cell {
            row: usize,
            column: usize,
            text: &'static str,
        },
        CopyCell {
            row: usize,
            column: usize,
            from: usize,
        },
        DeleteRow(usize),
        RepeatRow(usize),
        /// A byte that is not UTF-8 at the end of a row's last cell.
        NotUtf8(usize),
        SwapRows(usize, usize),
        RenameHeader(usize),
        Bom,
    }

    const TEXTS: &[&str] = &[
        "",
        "x",
        " padded",
        "-1",
        "1e400",
        "NaN",
        "0",
        "2",
        "3",
        "01",
        "superseded",
        "withdrawn",
        "a,b",
        "\"q\"",
        "é",
        "ceasefire",
        "france",
        "line\nbreak",
        "2024-02-30",
    ];

    fn edit() -> impl Strategy<Value = Edit> {
        let row = 0..40usize;
        let column = 0..16usize;
        prop_oneof![
            4 => (row.clone(), column.clone(), proptest::sample::select(TEXTS))
                .prop_map(|(row, column, text)| Edit::Cell { row, column, text }),
            2 => (row.clone(), column, row.clone())
                .prop_map(|(row, column, from)| Edit::CopyCell { row, column, from }),
            1 => row.clone().prop_map(Edit::DeleteRow),
            1 => row.clone().prop_map(Edit::RepeatRow),
            1 => (row.clone(), row.clone()).prop_map(|(a, b)| Edit::SwapRows(a, b)),
            1 => (0..16usize).prop_map(Edit::RenameHeader),
            1 => Just(Edit::Bom),
            1 => row.prop_map(Edit::NotUtf8),
        ]
    }

    fn apply(bytes: &[u8], edit: &Edit) -> Vec<u8> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes);
        // Bytes, not text: an earlier edit may have left a row that is not
        // UTF-8.
        let mut rows: Vec<Vec<Vec<u8>>> = reader
            .byte_records()
            .map(|r| {
                r.map(|r| r.iter().map(<[u8]>::to_vec).collect())
                    .unwrap_or_default()
            })
            .collect();
        let body = rows.len().saturating_sub(1).max(1);
        let width = rows.first().map_or(1, Vec::len).max(1);
        match *edit {
            Edit::Cell { row, column, text } => {
                if let Some(cell) = rows
                    .get_mut(1 + row % body)
                    .and_then(|r| r.get_mut(column % width))
                {
                    *cell = text.as_bytes().to_vec();
                }
            }
            Edit::CopyCell { row, column, from } => {
                let value = rows
                    .get(1 + from % body)
                    .and_then(|r| r.get(column % width))
                    .cloned();
                if let (Some(value), Some(cell)) = (
                    value,
                    rows.get_mut(1 + row % body)
                        .and_then(|r| r.get_mut(column % width)),
                ) {
                    *cell = value;
                }
            }
            Edit::DeleteRow(row) if rows.len() > 1 => {
                rows.remove(1 + row % body);
            }
            Edit::RepeatRow(row) if rows.len() > 1 => {
                let copy = rows[1 + row % body].clone();
                rows.insert(1 + row % body, copy);
            }
            Edit::SwapRows(a, b) if rows.len() > 1 => rows.swap(1 + a % body, 1 + b % body),
            Edit::RenameHeader(column) => {
                if let Some(cell) = rows.first_mut().and_then(|r| r.get_mut(column % width)) {
                    cell.push(b'x');
                }
            }
            _ => {}
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let mut out = writer.into_inner().unwrap();
        if matches!(edit, Edit::Bom) {
            out.splice(0..0, *b"\xEF\xBB\xBF");
        }
        if let Edit::NotUtf8(row) = *edit {
            let ends: Vec<usize> = (0..out.len()).filter(|&i| out[i] == b'\n').collect();
            if let Some(&end) = ends.get(1 + row % ends.len().saturating_sub(1).max(1)) {
                out.insert(end, 0xFF);
            }
        }
        out
    }

    fn write_csv(dir: &Path, seed: u64, edits: &[(usize, Edit)]) {
        let dataset = crate::generate::dataset(12, seed);
        for (name, mut bytes) in csv_files(&dataset) {
            for (table, edit) in edits {
                if TABLES[table % TABLES.len()].file_name() == name {
                    bytes = apply(&bytes, edit);
                }
            }
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    #[test]
    fn a_clean_csv_dataset_takes_the_fast_path() {
        let dir = tempfile::tempdir().unwrap();
        write_csv(dir.path(), 7, &[]);
        let typed = typed_rows::read_dir(dir.path()).expect("the fast path reads it");
        assert_eq!(typed.pledges.len(), 12);
        let (report, dataset) = check_dir(dir.path(), &Options::default()).unwrap();
        assert!(report.diagnostics.is_empty(), "{report:?}");
        assert_eq!(dataset, Some(crate::generate::dataset(12, 7)));
    }

    #[test]
    fn text_problems_in_any_column_are_reported_alike_on_both_paths() {
        // Each column of each table in turn gets doubled whitespace, which
        // every column refuses or warns of; the proptest reaches every
        // column only now and then.
        for (table, t) in TABLES.iter().enumerate() {
            for column in 0..t.headers().len() {
                let dir = tempfile::tempdir().unwrap();
                let edit = Edit::Cell {
                    row: 0,
                    column,
                    text: "two  spaces",
                };
                write_csv(dir.path(), 1, &[(table, edit)]);
                let fast = check_dir_with(dir.path(), &Options::default(), true).unwrap();
                let slow = check_dir_with(dir.path(), &Options::default(), false).unwrap();
                assert!(!fast.0.diagnostics.is_empty(), "{} column {column}", t.name);
                assert_eq!(fast, slow, "{} column {column}", t.name);
            }
        }
    }

    #[test]
    fn a_cell_that_is_not_utf8_is_reported_on_either_path() {
        let dir = tempfile::tempdir().unwrap();
        let pledges = TABLES.iter().position(|t| t.name == "pledges").unwrap();
        write_csv(dir.path(), 3, &[(pledges, Edit::NotUtf8(4))]);
        assert!(typed_rows::read_dir(dir.path()).is_none());
        let fast = check_dir_with(dir.path(), &Options::default(), true).unwrap();
        let slow = check_dir_with(dir.path(), &Options::default(), false).unwrap();
        let codes: Vec<Code> = fast.0.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::InvalidUtf8], "{:?}", fast.0);
        assert_eq!(fast, slow);
    }

    /// `bytes` (a table) with its rows in the order of `keys`: a child
    /// table's rows a parent's group at a time, so that each parent's rows
    /// stay together and in order, which any valid table keeps.
    fn reorder(bytes: &[u8], keys: &[u32]) -> Vec<u8> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes);
        let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let header = rows.remove(0);
        let child = header.get(1) == Some("ordinal");
        let mut groups: Vec<Vec<csv::StringRecord>> = Vec::new();
        for row in rows {
            match groups.last_mut() {
                Some(group) if child && group[0].get(0) == row.get(0) => group.push(row),
                _ => groups.push(vec![row]),
            }
        }
        let mut keyed: Vec<(u32, usize, Vec<csv::StringRecord>)> = groups
            .into_iter()
            .enumerate()
            .map(|(i, group)| (keys[i % keys.len()], i, group))
            .collect();
        keyed.sort_by_key(|(key, i, _)| (*key, *i));
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer.write_record(&header).unwrap();
        for (_, _, group) in keyed {
            for row in group {
                writer.write_record(&row).unwrap();
            }
        }
        writer.into_inner().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(160))]

        /// Tables in any order of their records (a child table's rows
        /// kept together by parent) are read by the fast path, not handed
        /// to the slow one, into the same report and dataset, a dangling
        /// reference in a child table placed on the same line.
        #[test]
        fn tables_in_any_order_are_read_by_the_fast_path_as_by_the_slow_one(
            seed in 0..4u64,
            reordered in proptest::collection::vec(0..TABLES.len(), 0..4),
            keys in proptest::collection::vec(any::<u32>(), 1..64),
            dangling in proptest::option::of((0..3usize, 0..40usize)),
        ) {
            let dir = tempfile::tempdir().unwrap();
            // A reference to no record, in a table where every pledge has
            // rows, or one where many have none.
            let cells = [
                ("pledge_evidence", 2, "source-nowhere"),
                ("pledge_involved", 2, "actor-nowhere"),
                ("pledge_conditions", 3, "actor-nowhere"),
            ];
            let edits: Vec<(usize, Edit)> = dangling
                .map(|(cell, row)| {
                    let (name, column, text) = cells[cell];
                    let table = TABLES.iter().position(|t| t.name == name).unwrap();
                    (table, Edit::Cell { row, column, text })
                })
                .into_iter()
                .collect();
            write_csv(dir.path(), seed, &edits);
            for &table in &reordered {
                let path = dir.path().join(TABLES[table].file_name());
                let bytes = std::fs::read(&path).unwrap();
                std::fs::write(&path, reorder(&bytes, &keys)).unwrap();
            }
            prop_assert!(typed_rows::read_dir(dir.path()).is_some());
            let fast = check_dir_with(dir.path(), &Options::default(), true).unwrap();
            let slow = check_dir_with(dir.path(), &Options::default(), false).unwrap();
            prop_assert_eq!(
                fast.0.diagnostics.iter().any(|d| d.code == Code::UnknownReference),
                dangling.is_some()
            );
            prop_assert_eq!(&fast.0, &slow.0);
            prop_assert_eq!(&fast.1, &slow.1);
        }

        /// The CSV fast path and the value-by-value path give the same
        /// report (every finding, file, line and column) and the same
        /// dataset, whatever the edits.
        #[test]
        fn csv_fast_path_and_slow_path_agree(
            seed in 0..4u64,
            edits in proptest::collection::vec((0..TABLES.len(), edit()), 0..3),
        ) {
            let dir = tempfile::tempdir().unwrap();
            write_csv(dir.path(), seed, &edits);
            let fast = check_dir_with(dir.path(), &Options::default(), true).unwrap();
            let slow = check_dir_with(dir.path(), &Options::default(), false).unwrap();
            prop_assert_eq!(&fast.0, &slow.0);
            prop_assert_eq!(&fast.1, &slow.1);
        }
    }
}
