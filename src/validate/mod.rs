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

mod evidence;
mod integrity;
mod read;
pub(crate) mod schema;
mod semantics;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use evidence::fold_quote_text;
pub use semantics::SCHEMA_VERSION;

use crate::convert::from_csv;
use crate::convert::{DATAPACKAGE, is_csv_dir};
use crate::dataset::Dataset;
use crate::diagnostic::{Code, Diagnostic, Report};
use crate::error::Error;
use crate::locate::{self, LineIndex};
use crate::model::{Actor, Manifest, Pledge, Resources, Source};
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

/// The records that could be read, each with its index in its file.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub manifest: Option<Manifest>,
    pub actors: Vec<(usize, Actor)>,
    pub sources: Vec<(usize, Source)>,
    pub pledges: Vec<(usize, Pledge)>,
    /// The `id` of every record that has a string id, read or not, so that a
    /// broken record does not make every reference to it dangle too.
    pub actor_ids: Vec<(usize, String)>,
    pub source_ids: Vec<(usize, String)>,
    pub pledge_ids: Vec<(usize, String)>,
    /// Whether every file and record was read.
    pub complete: bool,
    /// The parsed files, as far as they were read.
    pub values: HashMap<FileKind, Value>,
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
        self.collection(kind).is_some()
    }

    /// The records of a collection file as raw values, with their indexes.
    pub fn raw_items(&self, kind: FileKind) -> impl Iterator<Item = (usize, &Value)> {
        self.collection(kind).into_iter().flatten().enumerate()
    }
}

/// Validates the dataset in `dir` (the directory holding `dataset.json`).
///
/// # Errors
/// [`Error`] when `dir` itself cannot be read as a directory. Problems in the
/// dataset are not errors: they are the [`Report`]'s diagnostics.
pub fn validate_dir(dir: &Path, options: &Options) -> Result<Report, Error> {
    check_dir(dir, options).map(|(report, _)| report)
}

/// Reads a JSON file as the validator does, pushing read problems (with byte
/// offsets where known) onto `out`.
pub(crate) fn read_json_file(
    path: &Path,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> read::ReadFile {
    read::read_json(path, out)
}

/// What was read from a dataset directory, before the checks.
struct Input {
    files: Files,
    values: HashMap<FileKind, Value>,
    /// JSON text per file, for positions (JSON datasets).
    texts: HashMap<PathBuf, String>,
    /// Where each value came from (CSV datasets).
    locations: Option<HashMap<(FileKind, String), from_csv::Location>>,
    pending: Vec<(Diagnostic, Option<usize>)>,
}

/// Reads a JSON dataset, each file's bytes coming from `load`.
fn read_json_dir(dir: &Path, load: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>) -> Input {
    let mut pending = Vec::new();
    let manifest_path = dir.join(FileKind::Manifest.default_file_name());
    let manifest_file = read::parse_json(&manifest_path, load(&manifest_path), &mut pending);
    let resources = manifest_file
        .value
        .as_ref()
        .and_then(|v| v.get("resources"))
        .and_then(|r| Resources::deserialize(r).ok());
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
        values: HashMap::new(),
        texts: HashMap::new(),
        locations: None,
        pending,
    };
    let read_one = |kind: FileKind, file: read::ReadFile, input: &mut Input| {
        if let Some(value) = file.value {
            input.values.insert(kind, value);
        }
        if let Some(text) = file.text {
            input.texts.insert(input.files.path(kind).to_owned(), text);
        }
    };
    read_one(FileKind::Manifest, manifest_file, &mut input);
    for kind in [FileKind::Actors, FileKind::Sources, FileKind::Pledges] {
        let path = input.files.path(kind).to_owned();
        let file = read::parse_json(&path, load(&path), &mut input.pending);
        read_one(kind, file, &mut input);
    }
    input
}

fn read_csv_dir(dir: &Path) -> Input {
    let csv = from_csv::read_dir(dir);
    // Checks report against the JSON file each record would be in; the
    // locations then move each diagnostic to the CSV cell it came from.
    let files = Files {
        manifest: dir.join(FileKind::Manifest.default_file_name()),
        actors: dir.join(FileKind::Actors.default_file_name()),
        sources: dir.join(FileKind::Sources.default_file_name()),
        pledges: dir.join(FileKind::Pledges.default_file_name()),
    };
    let mut texts = HashMap::new();
    if let Some(text) = csv.package_text {
        texts.insert(dir.join(DATAPACKAGE), text);
    }
    Input {
        files,
        values: csv.values,
        texts,
        locations: Some(csv.locations),
        pending: csv.diagnostics,
    }
}

/// Validates `dir` (JSON or CSV) and, when it has no errors, returns the
/// dataset too.
pub(crate) fn check_dir(dir: &Path, options: &Options) -> Result<(Report, Option<Dataset>), Error> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::not_a_directory(dir));
    }
    let input = if is_csv_dir(dir) {
        read_csv_dir(dir)
    } else {
        read_json_dir(dir, &|path| std::fs::read(path))
    };
    Ok(check_input(input, options))
}

#[cfg(feature = "bundled")]
/// Validates a JSON dataset held in memory, as if its files were in `dir`:
/// `files` maps each file name to its bytes.
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
    check_input(read_json_dir(dir, &load), &Options::default())
}

fn check_input(input: Input, options: &Options) -> (Report, Option<Dataset>) {
    let Input {
        files,
        values,
        texts,
        locations,
        mut pending,
    } = input;

    let mut found: Vec<Diagnostic> = Vec::new();
    let mut records = Records {
        complete: true,
        ..Records::default()
    };
    for kind in FileKind::ALL {
        let path = files.path(kind);
        let Some(value) = values.get(&kind) else {
            records.complete = false;
            continue;
        };
        let schema_problems = schema::check(kind, path, value);
        records.complete &= schema_problems.is_empty();
        found.extend(schema_problems);
        collect_records(kind, path, value, &mut records, &mut found);
        semantics::check_text(path, value, &mut found);
        if locations.is_none() {
            semantics::check_schema_reference(kind, path, value, &mut found);
        }
    }
    records.values = values;
    integrity::check(&records, &files, &mut found);
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
            records.actors.into_iter().map(|(_, r)| r).collect(),
            records.sources.into_iter().map(|(_, r)| r).collect(),
            records.pledges.into_iter().map(|(_, r)| r).collect(),
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
    locations: &HashMap<(FileKind, String), from_csv::Location>,
) -> Diagnostic {
    let Some(&kind) = kinds.get(&d.file) else {
        return d;
    };
    let mut pointer = d.pointer.as_str();
    loop {
        if let Some(location) = locations.get(&(kind, pointer.to_owned())) {
            d.file = location.path.clone();
            d.line = location.line;
            d.column = location.column;
            return d;
        }
        match pointer.rfind('/') {
            Some(i) => pointer = &pointer[..i],
            None => return d,
        }
    }
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
        ids: &mut Vec<(usize, String)>,
        records: &mut Vec<(usize, T)>,
        complete: &mut bool,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(items) = value.get(collection).and_then(Value::as_array) else {
            *complete = false;
            return;
        };
        for (index, item) in items.iter().enumerate() {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                ids.push((index, id.to_owned()));
            }
            match T::deserialize(item) {
                Ok(record) => records.push((index, record)),
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
        FileKind::Manifest => match Manifest::deserialize(value) {
            Ok(manifest) => records.manifest = Some(manifest),
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
        FileKind::Actors => each(
            "actors",
            path,
            value,
            &mut records.actor_ids,
            &mut records.actors,
            complete,
            out,
        ),
        FileKind::Sources => each(
            "sources",
            path,
            value,
            &mut records.source_ids,
            &mut records.sources,
            complete,
            out,
        ),
        FileKind::Pledges => each(
            "pledges",
            path,
            value,
            &mut records.pledge_ids,
            &mut records.pledges,
            complete,
            out,
        ),
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
