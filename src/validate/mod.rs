//! The validator: every rule a reviewer would check, as a [`Report`].
//!
//! Validation runs in layers, each on what the previous one could read, and
//! collects every problem in one pass:
//!
//! 1. **read** (the [`load`] layer): files exist and are UTF-8
//!    JSON, with no duplicate keys, or CSV tables with their data package;
//! 2. **schema**: each file against its JSON Schema (see [`crate::schema`]);
//! 3. **integrity**: unique ids, references that resolve, nothing orphaned;
//! 4. **semantics**: real country codes, clean text, consistent dates;
//! 5. **evidence** (with an archive directory): checksums and verbatim quotes.
//!
//! Every diagnostic carries the JSON Pointer of the offending value and, from
//! it, the line and column in the file (or the CSV table, row and column).
//!
//! The types accept exactly what the schemas accept (property tests hold the
//! two to that), so the schema runs only when the types refuse a file, to
//! say what is wrong and where.

mod claims;
mod evidence;
mod id_index;
mod integrity;
pub mod matcher;
pub(crate) mod records;
pub(crate) mod schema;
mod semantics;
mod status;
mod tally;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

pub use evidence::{QuoteLocator, fold_quote_text, locate_quote, sha256_hex};

use crate::diagnostic::{Code, Diagnostic, Report};
use crate::error::Error;
use crate::load::{self, Input, Origin, Typed};
use crate::model::strict::Object;
use crate::model::{Actor, Event, Manifest, Pledge, Source, Statement};
use crate::schema::FileKind;
use records::{Indexed, Records};

pub(crate) use load::Files;
pub(crate) use records::Part;

/// What to check beyond the dataset itself, and how much to read.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Options {
    /// A directory holding each source's archived text, to check checksums
    /// and quotes against (`pledges validate --archive DIR`).
    pub archive: Option<PathBuf>,
    /// The most bytes read of one data file or CSV table; a larger one is
    /// the diagnostic `file-too-large` (default [`load::MAX_FILE_SIZE`]).
    pub max_file_size: u64,
    /// The most bytes read of one archived text; a larger one is the
    /// diagnostic `file-too-large` (default [`load::MAX_ARCHIVE_FILE_SIZE`]).
    pub max_archive_file_size: u64,
    /// The most diagnostics of one code in one file the report keeps; the
    /// rest are counted in [`Report::omitted`] (default
    /// [`MAX_PER_CODE_AND_FILE`]).
    pub max_per_code_and_file: usize,
}

/// The default limit on the diagnostics of one code in one file a report
/// keeps: enough to see every pattern, few enough that a file of a million
/// errors costs no more to report than to read.
pub const MAX_PER_CODE_AND_FILE: usize = 1000;

impl Default for Options {
    fn default() -> Self {
        Self {
            archive: None,
            max_file_size: load::MAX_FILE_SIZE,
            max_archive_file_size: load::MAX_ARCHIVE_FILE_SIZE,
            max_per_code_and_file: MAX_PER_CODE_AND_FILE,
        }
    }
}

impl Options {
    /// Reads at most `bytes` of each data file or CSV table.
    #[must_use]
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Reads at most `bytes` of each archived text.
    #[must_use]
    pub fn with_max_archive_file_size(mut self, bytes: u64) -> Self {
        self.max_archive_file_size = bytes;
        self
    }

    /// Keeps at most `n` diagnostics of one code in one file (at least one).
    #[must_use]
    pub fn with_max_per_code_and_file(mut self, n: usize) -> Self {
        self.max_per_code_and_file = n.max(1);
        self
    }

    /// Checks quotes against the archived texts in `dir`.
    #[must_use]
    pub fn with_archive(mut self, dir: impl Into<PathBuf>) -> Self {
        self.archive = Some(dir.into());
        self
    }
}

/// The records of a dataset with no errors, for [`Dataset`](crate::Dataset).
#[derive(Debug, PartialEq)]
pub(crate) struct Valid {
    pub(crate) manifest: Manifest,
    pub(crate) actors: Vec<Actor>,
    pub(crate) sources: Vec<Source>,
    pub(crate) pledges: Vec<Pledge>,
    pub(crate) events: Vec<Event>,
    pub(crate) statements: Vec<Statement>,
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

/// Validates `dir` (JSON or CSV) and, when it has no errors, returns its
/// records too.
pub(crate) fn check_dir(dir: &Path, options: &Options) -> Result<(Report, Option<Valid>), Error> {
    check_dir_with(dir, options, true)
}

/// [`check_dir`], with the CSV fast path on or off (the tests compare the two).
fn check_dir_with(
    dir: &Path,
    options: &Options,
    fast_csv: bool,
) -> Result<(Report, Option<Valid>), Error> {
    let keep = options.max_per_code_and_file.max(1);
    let input = load::read_dir(dir, fast_csv, options.max_file_size, keep)?;
    Ok(check_input(
        input,
        options,
        Origin::Disk(options.max_file_size),
    ))
}

/// [`validate_in_memory`], with the records when they have no errors.
pub(crate) fn check_in_memory(dir: &Path, files: &[(&str, &[u8])]) -> (Report, Option<Valid>) {
    check_in_memory_with(dir, files, &Options::default())
}

fn check_in_memory_with(
    dir: &Path,
    files: &[(&str, &[u8])],
    options: &Options,
) -> (Report, Option<Valid>) {
    let input = load::read_in_memory(dir, files, options.max_per_code_and_file.max(1));
    check_input(input, options, Origin::Memory(files))
}

/// Validates a JSON dataset held in memory, as if its files were in `dir`:
/// `files` maps each file name (`dataset.json`, `actors.json`, …) to its
/// bytes. Diagnostics name the files as `dir` joined with the name.
#[must_use]
pub fn validate_in_memory(dir: &Path, files: &[(&str, &[u8])]) -> Report {
    check_in_memory(dir, files).0
}

/// [`validate_in_memory`] with `options` (of which the limit of findings
/// kept per code and file applies; the file size limit is for reads).
#[must_use]
pub fn validate_in_memory_with(dir: &Path, files: &[(&str, &[u8])], options: &Options) -> Report {
    check_in_memory_with(dir, files, options).0
}

fn check_input(input: Input, options: &Options, origin: Origin<'_>) -> (Report, Option<Valid>) {
    let Input {
        files,
        mut typed,
        mut values,
        mut split,
        mut texts,
        reread,
        locations,
        mut pending,
        mut skipped,
    } = input;
    let keep = options.max_per_code_and_file.max(1);

    let mut found: Vec<Diagnostic> = Vec::new();
    let mut records = Records {
        complete: true,
        ..Records::default()
    };
    let mut whole: Vec<FileKind> = Vec::new();
    let mut broken: Vec<FileKind> = Vec::new();
    for kind in FileKind::ALL {
        let path = files.path(kind);
        // A JSON tree (CSV input, or JSON off the fast path) is first tried
        // whole against the types: the schema and the types accept the same
        // documents, so the schema only has to explain a refusal. Refused,
        // a collection is split into its records, to explain only those.
        if let Some(value) = values.remove(&kind) {
            match Typed::from_value(kind, &value) {
                Some(t) => {
                    typed.insert(kind, t);
                }
                None => match load::split::split_value(kind, value) {
                    Ok(s) => {
                        split.insert(kind, s);
                    }
                    Err(value) => {
                        values.insert(kind, value);
                    }
                },
            }
        }
        if let Some(t) = typed.remove(&kind) {
            if locations.is_none() {
                semantics::check_schema_reference(kind, path, t.schema_reference(), &mut found);
            }
            into_records(t, &mut records);
            whole.push(kind);
            continue;
        }
        if let Some(s) = split.remove(&kind) {
            let check_reference = locations.is_none();
            let mut gate = schema::Gate::new(keep, kind, path, locations.as_ref());
            let text = texts.get(path).map(String::as_str);
            check_split(
                kind,
                path,
                s,
                text,
                check_reference,
                &mut gate,
                &mut records,
                &mut found,
            );
            // Its array of records, or an id in it, is broken: references
            // into the file may name what it lost.
            if gate.broken() {
                broken.push(kind);
            }
            skipped.extend(gate.skipped());
            whole.push(kind);
            continue;
        }
        let Some(value) = values.get(&kind) else {
            records.complete = false;
            continue;
        };
        // The manifest, or a collection file whose records are not an array.
        let mut gate = schema::Gate::new(keep, kind, path, locations.as_ref());
        let schema_problems = schema::check(kind, path, value, &mut gate);
        skipped.extend(gate.skipped());
        records.complete &= schema_problems.is_empty();
        if kind.collection().is_some() {
            broken.push(kind);
            records.complete = false;
        }
        found.extend(schema_problems);
        if kind == FileKind::Manifest {
            read_manifest(path, value, &mut records, &mut found);
        }
        semantics::check_text(path, value, &mut found);
        if let (None, Some(reference)) = (&locations, value.get("$schema").and_then(Value::as_str))
        {
            semantics::check_schema_reference(kind, path, reference, &mut found);
        }
    }
    drop(values);
    records.whole = whole;
    // A record file that could not be read (whole or in part): references
    // into it that do not resolve may name records it lost, so they are not
    // reported; the read error is.
    // The files with a read problem, each once (a file may have a million).
    let mut unread: Vec<&Path> = Vec::new();
    for (d, _) in &pending {
        if d.code.layer() == crate::diagnostic::Layer::Read
            && !unread.iter().any(|f| f.as_os_str() == d.file.as_os_str())
        {
            unread.push(&d.file);
        }
    }
    records.partial = FileKind::RECORDS
        .into_iter()
        .filter(|&kind| {
            broken.contains(&kind)
                || unread.iter().any(|file| {
                    *file == files.path(kind)
                        || crate::tables::TABLES.iter().any(|t| {
                            t.kind == kind
                                && file.file_name().and_then(|n| n.to_str())
                                    == Some(t.file_name().as_str())
                        })
                })
        })
        .collect();
    // Text and references on two cores, then dates and evidence.
    integrity::check(&records, &files, &mut found, &|part| {
        let mut found = Vec::new();
        semantics::check_text_records(&records, &files, &records.whole, part, &mut found);
        found
    });
    semantics::check_records(&records, &files, &mut found);
    claims::check(&records, &files, &mut found);
    status::check(&records, &files, &mut found);
    if let Some(archive) = &options.archive {
        let max_size = options.max_archive_file_size;
        evidence::check(&records, &files, archive, max_size, &mut found);
    }

    // Past the limit, diagnostics are counted before they are placed: a
    // million findings cost a count each, not a position each.
    let mut cap = crate::diagnostic::Cap::new(keep);
    let mut diagnostics: Vec<Diagnostic> = match &locations {
        Some(locations) => {
            let kinds: HashMap<PathBuf, FileKind> = FileKind::ALL
                .iter()
                .map(|&k| (files.path(k).to_owned(), k))
                .collect();
            found
                .into_iter()
                .map(|d| load::relocate(d, &kinds, locations))
                .filter(|d| cap.keep(d))
                .collect()
        }
        None => {
            pending.extend(found.into_iter().map(|d| (d, None)));
            Vec::new()
        }
    };
    pending.retain(|(d, _)| cap.keep(d));
    // Files read on the fast path are read again only to place findings.
    for path in reread {
        if pending.iter().any(|(d, _)| d.file == path)
            && let Some(text) = load::reread_text(origin, &path)
        {
            texts.insert(path, text);
        }
    }
    diagnostics.extend(load::position(pending, &texts));
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
    for (code, file, n) in skipped {
        cap.count(code, &file, n);
    }
    let mut omitted = cap.omitted();
    omitted.sort_by(|a, b| {
        let rank = |file: &Path| {
            let rank = FileKind::ALL.iter().position(|&k| files.path(k) == file);
            rank.unwrap_or(FileKind::ALL.len())
        };
        (rank(&a.file), &a.file, a.code).cmp(&(rank(&b.file), &b.file, b.code))
    });
    let report = Report {
        diagnostics,
        omitted,
    };

    let valid = match (report.errors(), records.manifest) {
        (0, Some(manifest)) => Some(Valid {
            manifest,
            actors: records.actors.into_items(),
            sources: records.sources.into_items(),
            pledges: records.pledges.into_items(),
            events: records.events.into_items(),
            statements: records.statements.into_items(),
        }),
        _ => None,
    };
    (report, valid)
}

/// Reads the manifest from its tree, which the types refused whole.
fn read_manifest(path: &Path, value: &Value, records: &mut Records, out: &mut Vec<Diagnostic>) {
    match Object::<Manifest>::deserialize(value) {
        Ok(Object(manifest)) => records.manifest = Some(manifest),
        Err(e) => {
            if records.complete && schema::is_valid(FileKind::Manifest, value) {
                out.push(Diagnostic::new(
                    Code::TypeMismatch,
                    path,
                    "",
                    format!("the schema accepts the manifest but the data model refuses it: {e}"),
                ));
            }
            records.complete = false;
        }
    }
}

/// The one record of [`check_split`]'s file of one record, found by its
/// place (the second member, the first item) rather than by hashing the
/// collection's key again for each of a million records.
fn the_record(alone: &mut Value) -> Option<&mut Value> {
    alone
        .as_object_mut()?
        .values_mut()
        .nth(1)?
        .as_array_mut()?
        .first_mut()
}

/// Checks a collection file read record by record: its shell against the
/// file's schema, and each refused record against the schema on its own
/// (in a file of one record, its pointers then moved to its place), with
/// the text checks on the trees. A refused record is made a tree only
/// while it is checked (from `text`, the file's text, when the split kept
/// its place there), and then only what the reference checks read of it
/// is kept (`integrity::raw_links_of`). Moves the records into `records`.
/// Schema findings past `gate`'s limit are counted in it rather than made,
/// and it says whether the file's array or an id in it is broken.
#[allow(clippy::too_many_arguments)]
fn check_split(
    kind: FileKind,
    path: &Path,
    split: load::split::Split,
    text: Option<&str>,
    check_reference: bool,
    gate: &mut schema::Gate<'_>,
    records: &mut Records,
    out: &mut Vec<Diagnostic>,
) {
    let Some((key, _)) = kind.collection() else {
        return;
    };
    let load::split::Split {
        shell,
        mut items,
        refused,
    } = split;
    let (retry, mut adopted) = (refused.retries(), false);
    let mut problems = schema::check(kind, path, &shell, gate);
    let shell_valid = problems.is_empty();
    // A file of one record, its other members as small as the schema allows.
    let mut alone = Value::Object(
        [
            ("$schema".to_owned(), Value::String(String::new())),
            (key.to_owned(), Value::Array(vec![Value::Null])),
        ]
        .into_iter()
        .collect(),
    );
    let at_first = format!("/{key}/0");
    let in_file = format!("/{key}/");
    let mut kept = Vec::with_capacity(refused.len());
    let tally = tally::for_kind(kind);
    let mut findings = Vec::new();
    let mut digits = itoa::Buffer::new();
    for (index, item) in refused.into_trees(text) {
        let index_text = digits.format(index);
        let mut place = String::with_capacity(in_file.len() + index_text.len());
        place.push_str(&in_file);
        place.push_str(index_text);
        let Some(item) = item else {
            // Not possible for a span the split made; said rather than lost.
            problems.push(Diagnostic::new(
                Code::JsonSyntax,
                path,
                place,
                "this record could not be read a second time",
            ));
            kept.push((index, records::RawLinks::default()));
            continue;
        };
        if retry && items.adopt(index, &item) {
            adopted = true;
            continue;
        }
        match the_record(&mut alone) {
            Some(slot) => *slot = item,
            None => alone[key][0] = item,
        }
        // Once every finding of a record would only be counted, count them
        // by the walk that builds nothing, not by jsonschema's errors
        // (each with its paths) that would be made and dropped.
        if let Some(tally) = tally.filter(|_| gate.any_spent()) {
            findings.clear();
            let record = the_record(&mut alone).map_or(&Value::Null, |r| &*r);
            if !tally.count_record(key, record, &at_first, gate, &mut findings) {
                tally.count(&alone, gate, &mut findings);
            }
            // A record's findings come in runs of one code in one table
            // (a missing field's, say): each run is looked up once.
            let same =
                |a: &tally::Finding, b: &tally::Finding| a.code == b.code && a.table == b.table;
            if !findings.is_empty()
                && findings
                    .chunk_by(same)
                    .all(|run| gate.spent(run[0].code, run[0].table))
            {
                for run in findings.chunk_by(same) {
                    let breaks = run.iter().any(|f| f.breaks);
                    gate.add_many(run[0].code, run[0].table, breaks, run.len());
                }
                let item = the_record(&mut alone)
                    .map(std::mem::take)
                    .unwrap_or_default();
                semantics::check_text_at(path, place, &item, out);
                kept.push((index, integrity::raw_links_of(kind, &item)));
                continue;
            }
        }
        let counted = gate.counted();
        let mut own: Vec<Diagnostic> = schema::check(kind, path, &alone, gate)
            .into_iter()
            .filter_map(|mut d| {
                let rest = d.pointer.strip_prefix(&at_first)?;
                if !(rest.is_empty() || rest.starts_with('/')) {
                    return None;
                }
                d.pointer = format!("{place}{rest}");
                Some(d)
            })
            .collect();
        let item = the_record(&mut alone)
            .map(std::mem::take)
            .unwrap_or_default();
        if own.is_empty() && gate.counted() == counted {
            // The schema accepts the record, yet the types refused it: the
            // two disagree, which is a bug here.
            own.push(Diagnostic::new(
                Code::TypeMismatch,
                path,
                place.clone(),
                "the schema accepts this record but the data model refuses it",
            ));
        }
        problems.extend(own);
        semantics::check_text_at(path, place, &item, out);
        kept.push((index, integrity::raw_links_of(kind, &item)));
    }
    if adopted {
        items.sort();
    }
    records.complete &= shell_valid && kept.is_empty();
    out.extend(problems);
    semantics::check_text(path, &shell, out);
    if let (true, Some(reference)) = (
        check_reference,
        shell.get("$schema").and_then(Value::as_str),
    ) {
        semantics::check_schema_reference(kind, path, reference, out);
    }
    let every = kept.is_empty();
    fn place<T>(items: Vec<(usize, T)>, every: bool) -> Indexed<T> {
        if every {
            Indexed::whole(items.into_iter().map(|(_, t)| t).collect())
        } else {
            Indexed::by_index(items)
        }
    }
    match items {
        load::split::Items::Actors(v) => records.actors = place(v, every),
        load::split::Items::Sources(v) => records.sources = place(v, every),
        load::split::Items::Pledges(v) => records.pledges = place(v, every),
        load::split::Items::Events(v) => records.events = place(v, every),
        load::split::Items::Statements(v) => records.statements = place(v, every),
    }
    records.refused.insert(kind, kept);
}

/// Moves the records of a file read whole into `records`.
fn into_records(typed: Typed, records: &mut Records) {
    match typed {
        Typed::Manifest(m) => records.manifest = Some(m),
        Typed::Actors(f) => records.actors = Indexed::whole(f.actors),
        Typed::Sources(f) => records.sources = Indexed::whole(f.sources),
        Typed::Pledges(f) => records.pledges = Indexed::whole(f.pledges),
        Typed::Events(f) => records.events = Indexed::whole(f.events),
        Typed::Statements(f) => records.statements = Indexed::whole(f.statements),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TABLES;
    use crate::write::csv_files;
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

    /// A JSON dataset of `n` generated pledges, its pledges.json's text
    /// edited by `edit`; the directory, and the path of pledges.json.
    fn json_dataset(n: usize, edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        crate::write::write_json_dir(&crate::generate::dataset(n, 1), dir.path(), "../schema")
            .unwrap();
        let path = dir.path().join("pledges.json");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
        (dir, path)
    }

    #[test]
    fn past_the_limit_repeated_keys_unknown_and_missing_fields_are_counted_not_made() {
        let repeats: String = (0..30).map(|_| "\"title\": \"t\", ").collect();
        let unknown: String = (0..25).map(|i| format!("\"extra{i}\": 1, ")).collect();
        let (dir, path) = json_dataset(3, |text| {
            text.replacen("\"id\": ", &format!("{repeats}{unknown}\"id\": "), 1)
        });
        let options = Options::default().with_max_per_code_and_file(10);
        let report = validate_dir(dir.path(), &options).unwrap();
        let kept = |code| report.diagnostics.iter().filter(|d| d.code == code).count();
        let omitted = |code| {
            report
                .omitted
                .iter()
                .filter(|o| o.code == code && o.file == path)
                .map(|o| o.count)
                .sum::<usize>()
        };
        // The title appears 31 times: 30 repeats.
        assert_eq!(
            (kept(Code::DuplicateKey), omitted(Code::DuplicateKey)),
            (10, 20)
        );
        assert_eq!(
            (kept(Code::UnknownField), omitted(Code::UnknownField)),
            (10, 15)
        );
        // Every one is counted, kept or not; the kept ones have places.
        let all = validate_dir(dir.path(), &Options::default()).unwrap();
        assert_eq!(report.errors(), all.errors());
        assert!(all.omitted.is_empty());
        assert!(report.diagnostics.iter().all(|d| d.line.is_some()));

        // Empty records: each misses every required field, counted past
        // the limit without being described, to the same total.
        let empty = vec!["{}"; 30].join(", ");
        let text =
            format!("{{\"$schema\": \"../schema/pledges.schema.json\", \"pledges\": [{empty}]}}");
        std::fs::write(&path, text).unwrap();
        let report = validate_dir(dir.path(), &options).unwrap();
        let all = validate_dir(dir.path(), &Options::default()).unwrap();
        let missing = |r: &Report| {
            let kept = r
                .diagnostics
                .iter()
                .filter(|d| d.code == Code::MissingField)
                .count();
            let omitted: usize = r
                .omitted
                .iter()
                .filter(|o| o.code == Code::MissingField)
                .map(|o| o.count)
                .sum();
            (kept, omitted)
        };
        let (kept, omitted) = missing(&report);
        assert_eq!(kept, 10);
        assert_eq!(kept + omitted, missing(&all).0);
        assert!(missing(&all).0 >= 30 * 5, "{:?}", missing(&all));
        assert_eq!(report.errors(), all.errors());
    }

    #[test]
    fn a_repeated_key_in_a_record_is_only_a_repeated_key() {
        let (dir, _) = json_dataset(3, |text| {
            text.replacen("\"title\": ", "\"title\": \"x\", \"title\": ", 1)
        });
        let report = validate_dir(dir.path(), &Options::default()).unwrap();
        assert_eq!(report.codes(), [Code::DuplicateKey], "{report:?}");
    }

    #[test]
    fn misspelt_fields_explain_the_missing_ones_past_the_limit_too() {
        let (dir, _) = json_dataset(30, |text| text.replace("\"title\": ", "\"titel\": "));
        let capped = validate_dir(
            dir.path(),
            &Options::default().with_max_per_code_and_file(10),
        )
        .unwrap();
        let all = validate_dir(dir.path(), &Options::default()).unwrap();
        assert!(
            all.codes().iter().all(|&c| c == Code::UnknownField),
            "{all:?}"
        );
        assert_eq!(all.errors(), 30);
        assert_eq!(capped.codes(), [Code::UnknownField; 10]);
        assert_eq!(capped.errors(), 30);
    }

    #[test]
    fn a_csv_datasets_findings_past_the_limit_are_counted_in_their_tables() {
        let dir = tempfile::tempdir().unwrap();
        write_csv(dir.path(), 1, &[]);
        let path = dir.path().join("pledges.csv");
        set_column(&path, "status", "bogus");
        let capped = validate_dir(
            dir.path(),
            &Options::default().with_max_per_code_and_file(3),
        )
        .unwrap();
        let all = validate_dir(dir.path(), &Options::default()).unwrap();
        assert_eq!(all.errors(), 12, "{all:?}");
        assert_eq!(capped.errors(), 12);
        assert_eq!(capped.diagnostics.len(), 3);
        assert!(capped.diagnostics.iter().all(|d| d.file == path));
        assert_eq!(capped.omitted.len(), 1, "{:?}", capped.omitted);
        assert_eq!(
            (&capped.omitted[0].file, capped.omitted[0].count),
            (&path, 9)
        );
    }

    /// Sets `column` of every row of the CSV file at `path` to `text`.
    fn set_column(path: &Path, column: &str, text: &str) {
        let bytes = std::fs::read(path).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let headers = reader.headers().unwrap().clone();
        let at = headers.iter().position(|h| h == column).unwrap();
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        writer.write_record(&headers).unwrap();
        for row in reader.records() {
            let mut row: Vec<String> = row.unwrap().iter().map(str::to_owned).collect();
            row[at] = text.to_owned();
            writer.write_record(&row).unwrap();
        }
        std::fs::write(path, writer.into_inner().unwrap()).unwrap();
    }

    #[test]
    fn findings_counted_past_the_limit_keep_their_child_tables() {
        let dir = tempfile::tempdir().unwrap();
        write_csv(dir.path(), 3, &[]);
        let pledges = dir.path().join("pledges.csv");
        let evidence = dir.path().join("pledge_evidence.csv");
        set_column(&pledges, "status", "bogus");
        set_column(&evidence, "stance", "bogus");
        let all = validate_dir(dir.path(), &Options::default()).unwrap();
        let capped = validate_dir(
            dir.path(),
            &Options::default().with_max_per_code_and_file(2),
        )
        .unwrap();
        let in_file =
            |r: &Report, file: &Path| r.diagnostics.iter().filter(|d| d.file == file).count();
        let omitted = |file: &Path| {
            capped
                .omitted
                .iter()
                .filter(|o| o.file == file)
                .map(|o| o.count)
                .sum::<usize>()
        };
        // Twelve pledges, and more evidence rows than the limit.
        assert_eq!(in_file(&all, &pledges), 12, "{all:?}");
        assert!(in_file(&all, &evidence) > 2, "{all:?}");
        for file in [&pledges, &evidence] {
            assert_eq!(in_file(&capped, file), 2, "{capped:?}");
            assert_eq!(in_file(&capped, file) + omitted(file), in_file(&all, file));
        }
        assert_eq!(capped.errors(), all.errors());
    }

    #[test]
    fn in_memory_validation_keeps_the_limit_it_is_given() {
        let dataset = crate::generate::dataset(12, 5);
        let mut files: Vec<(String, Vec<u8>)> =
            crate::write::canonical_files(&dataset, "../schema")
                .into_iter()
                .map(|(kind, text)| (kind.default_file_name().to_owned(), text.into_bytes()))
                .collect();
        let at = files.iter().position(|(n, _)| n == "pledges.json").unwrap();
        let text = String::from_utf8(files[at].1.clone()).unwrap();
        files[at].1 = text
            .replace("\"status\": \"", "\"status\": \"x")
            .into_bytes();
        let named: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let dir = Path::new("d");
        let all = validate_in_memory(dir, &named);
        let capped = validate_in_memory_with(
            dir,
            &named,
            &Options::default().with_max_per_code_and_file(1),
        );
        assert!(all.errors() >= 12, "{all:?}");
        assert_eq!(capped.diagnostics.len(), 1, "{capped:?}");
        assert_eq!(capped.errors(), all.errors());
    }

    #[test]
    fn a_clean_csv_dataset_takes_the_fast_path() {
        let dir = tempfile::tempdir().unwrap();
        write_csv(dir.path(), 7, &[]);
        let typed =
            crate::load::csv_typed::read_dir(dir.path(), u64::MAX).expect("the fast path reads it");
        assert_eq!(typed.pledges.len(), 12);
        let (report, dataset) = check_dir(dir.path(), &Options::default()).unwrap();
        assert!(report.diagnostics.is_empty(), "{report:?}");
        assert_eq!(
            dataset.map(crate::Dataset::from_valid),
            Some(crate::generate::dataset(12, 7))
        );
    }

    /// A row the CSV fast path refused whose tree the types accept (the
    /// two readings disagreeing) is taken into the typed records in its
    /// place, not reported, as the slow path would read it; a row whose
    /// tree they refuse too is reported, and the others keep their places.
    #[test]
    fn a_refused_csv_row_whose_tree_the_types_accept_is_taken_in_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let pledges = TABLES.iter().position(|t| t.name == "pledges").unwrap();
        let status = TABLES[pledges]
            .headers()
            .iter()
            .position(|h| *h == "status");
        let edit = Edit::Cell {
            row: 4,
            column: status.unwrap(),
            text: "bogus",
        };
        write_csv(dir.path(), 3, &[(pledges, edit)]);
        let wanted = HashMap::from([(FileKind::Pledges, vec![2, 4, 5])]);
        let mut rows = load::csv_values::read_records(dir.path(), u64::MAX, &wanted).unwrap();
        let typed = load::csv_typed::read_dir(dir.path(), u64::MAX).unwrap();
        let others: Vec<(usize, Pledge)> = typed
            .pledges
            .into_iter()
            .enumerate()
            .filter(|(i, _)| ![2, 4, 5].contains(i))
            .map(|(i, p)| (i, p.unwrap()))
            .collect();
        let split = load::split::from_rows(
            FileKind::Pledges,
            load::csv_trees::schema_reference(FileKind::Pledges),
            others,
            rows.remove(&FileKind::Pledges).unwrap(),
            load::split::Items::Pledges,
        )
        .unwrap();
        let path = dir.path().join("pledges.csv");
        let mut gate = schema::Gate::new(MAX_PER_CODE_AND_FILE, FileKind::Pledges, &path, None);
        let mut records = Records {
            complete: true,
            ..Records::default()
        };
        let mut found = Vec::new();
        check_split(
            FileKind::Pledges,
            &path,
            split,
            None,
            false,
            &mut gate,
            &mut records,
            &mut found,
        );
        let found: Vec<(Code, &str)> = found.iter().map(|d| (d.code, d.pointer.as_str())).collect();
        assert_eq!(found, [(Code::InvalidValue, "/pledges/4/status")]);
        assert!(!records.complete);
        let refused: Vec<usize> = records
            .raw_items(FileKind::Pledges)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(refused, [4]);
        let read: Vec<(usize, &Pledge)> = records.pledges.iter().collect();
        let generated = crate::generate::dataset(12, 3);
        let expected: Vec<(usize, &Pledge)> = generated
            .pledges()
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 4)
            .collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn a_bad_cell_leaves_the_other_rows_on_the_fast_path() {
        let dir = tempfile::tempdir().unwrap();
        let pledges = TABLES.iter().position(|t| t.name == "pledges").unwrap();
        let status = TABLES[pledges]
            .headers()
            .iter()
            .position(|h| *h == "status")
            .unwrap();
        let edit = Edit::Cell {
            row: 4,
            column: status,
            text: "bogus",
        };
        write_csv(dir.path(), 2, &[(pledges, edit)]);
        let typed = crate::load::csv_typed::read_dir(dir.path(), u64::MAX).expect("fast path");
        let refused: Vec<usize> = (0..typed.pledges.len())
            .filter(|&i| typed.pledges[i].is_none())
            .collect();
        assert_eq!(refused, [4]);
        let fast = check_dir_with(dir.path(), &Options::default(), true).unwrap();
        let slow = check_dir_with(dir.path(), &Options::default(), false).unwrap();
        assert_eq!(fast.0.codes(), [Code::InvalidValue], "{:?}", fast.0);
        assert_eq!(fast.0.diagnostics[0].pointer, "/pledges/4/status");
        assert_eq!(fast, slow);
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
        assert!(crate::load::csv_typed::read_dir(dir.path(), u64::MAX).is_none());
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

    /// An edit of one member of one pledge, as a careless or hostile
    /// contributor might make it.
    #[derive(Clone, Debug)]
    enum RecordEdit {
        Remove(usize),
        Set(usize, Value),
        Add(&'static str),
        Replace(Value),
    }

    fn record_edit() -> impl Strategy<Value = RecordEdit> {
        let value = prop_oneof![
            Just(Value::Null),
            Just(Value::from(7)),
            Just(Value::from("")),
            Just(Value::from("x")),
            Just(serde_json::json!([])),
            Just(serde_json::json!({"id": "y"})),
        ];
        prop_oneof![
            (0..20usize).prop_map(RecordEdit::Remove),
            (0..20usize, value.clone()).prop_map(|(k, v)| RecordEdit::Set(k, v)),
            proptest::sample::select(&["extra", "titel", "$schema"][..]).prop_map(RecordEdit::Add),
            value.prop_map(RecordEdit::Replace),
        ]
    }

    fn edit_record(record: &mut Value, edit: &RecordEdit) {
        let key = |object: &serde_json::Map<String, Value>, k: usize| {
            object.keys().nth(k % object.len().max(1)).cloned()
        };
        match (edit, record.as_object_mut()) {
            (RecordEdit::Remove(k), Some(object)) => {
                if let Some(name) = key(object, *k) {
                    object.shift_remove(&name);
                }
            }
            (RecordEdit::Set(k, v), Some(object)) => {
                if let Some(name) = key(object, *k) {
                    object.insert(name, v.clone());
                }
            }
            (RecordEdit::Add(name), Some(object)) => {
                object.insert((*name).to_owned(), Value::from(1));
            }
            (RecordEdit::Replace(v), _) => *record = v.clone(),
            _ => {}
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A file read record by record (the records the types accept kept
        /// typed, each refused one checked on its own) gets exactly the
        /// schema findings the whole file gets, at the same pointers, and
        /// the same report whether it came as JSON text or as a tree.
        #[test]
        fn records_checked_one_by_one_get_the_whole_files_schema_findings(
            seed in 0..4u64,
            edits in proptest::collection::vec((0..12usize, record_edit()), 1..4),
        ) {
            let dataset = crate::generate::dataset(12, seed);
            let mut files: Vec<(String, Vec<u8>)> = crate::write::canonical_files(&dataset, "../schema")
                .into_iter()
                .map(|(kind, text)| (kind.default_file_name().to_owned(), text.into_bytes()))
                .collect();
            let at = files.iter().position(|(n, _)| n == "pledges.json").unwrap();
            let mut value: Value = serde_json::from_slice(&files[at].1).unwrap();
            for (index, edit) in &edits {
                edit_record(&mut value["pledges"][*index], edit);
            }
            files[at].1 = serde_json::to_vec_pretty(&value).unwrap();
            let dir = Path::new("d");
            let path = dir.join("pledges.json");
            let mut gate = schema::Gate::new(usize::MAX, FileKind::Pledges, &path, None);
            let mut whole: Vec<(String, Code)> =
                schema::check(FileKind::Pledges, &path, &value, &mut gate)
                    .into_iter()
                    .map(|d| (d.pointer, d.code))
                    .collect();
            let named: Vec<(&str, &[u8])> =
                files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
            let (report, _) = check_in_memory(dir, &named);
            let mut split: Vec<(String, Code)> = report
                .diagnostics
                .iter()
                .filter(|d| d.file == path && d.code.layer() == crate::diagnostic::Layer::Schema)
                .map(|d| (d.pointer.clone(), d.code))
                .collect();
            whole.sort();
            whole.dedup();
            split.sort();
            split.dedup();
            prop_assert_eq!(&split, &whole);
            // The same file as a tree (as a CSV dataset read value by
            // value arrives) splits into the same records.
            let json = std::str::from_utf8(&files[at].1).unwrap();
            let repeats = load::locate::scan(json, &[])
                .problems
                .iter()
                .any(|p| matches!(p, load::locate::ScanProblem::DuplicateKey { .. }));
            let text = load::split::split_text(FileKind::Pledges, json, repeats);
            let tree = load::split::split_value(FileKind::Pledges, value.clone()).ok();
            let refused = |s: &Option<load::split::Split>| {
                s.as_ref().map(|s| s.refused.indexes())
            };
            prop_assert!(text.is_some());
            prop_assert_eq!(refused(&text), refused(&tree));
            let count = |s: &Option<load::split::Split>| match s.as_ref().map(|s| &s.items) {
                Some(load::split::Items::Pledges(p)) => p.len() + s.as_ref().unwrap().refused.len(),
                _ => 0,
            };
            prop_assert_eq!(count(&text), 12);
        }
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
                ("pledge_roles", 2, "actor-nowhere"),
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
            prop_assert!(crate::load::csv_typed::read_dir(dir.path(), u64::MAX).is_some());
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
