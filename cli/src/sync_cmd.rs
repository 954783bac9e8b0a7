//! `pledges sync`: the JSON and CSV forms of a dataset brought in step from
//! whichever was edited, never over an edit.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ukraine_pledges::Dataset;
use ukraine_pledges::diff::diff;
use ukraine_pledges::schema::FileKind;
use ukraine_pledges::write::{csv_files, file_name, schema_dir_of, write_csv_dir, write_json_dir};

use crate::args::{ReadLimit, SyncArgs, SyncFrom};
use crate::{FAILURE, SUCCESS, fail, git, load_or_report, recover};

/// The CSV directory of the JSON dataset in `dir`: `dir/csv`.
fn csv_dir(dir: &Path) -> PathBuf {
    dir.join("csv")
}

/// The records the two datasets hold differently, as `pledges ID` lines.
fn differing(a: &Dataset, b: &Dataset) -> Vec<String> {
    let changes = diff(a, b);
    let mut lines = Vec::new();
    if !changes.manifest.is_empty() {
        let fields: Vec<&str> = changes.manifest.iter().map(|c| c.field.as_str()).collect();
        lines.push(format!("manifest: {}", fields.join(", ")));
    }
    for (name, c) in changes.collections() {
        let ids = c
            .added
            .iter()
            .map(|r| &r.id)
            .chain(c.removed.iter().map(|r| &r.id))
            .chain(c.changed.iter().map(|r| &r.id));
        lines.extend(ids.map(|id| format!("{name} {}", crate::escape::visible(id))));
    }
    lines
}

/// When `dir` is a JSON dataset whose `csv/` holds a CSV form with other
/// data, the records that differ; `None` when there is no CSV form or it is
/// in step (or cannot be read: `validate` says why).
pub fn csv_out_of_step(dir: &Path, json: &Dataset, limit: &ReadLimit) -> Option<Vec<String>> {
    let csv = csv_dir(dir);
    if !csv.join("datapackage.json").is_file() {
        return None;
    }
    let options =
        ukraine_pledges::validate::Options::default().with_max_file_size(limit.max_file_size);
    let from_csv = Dataset::load_with(&csv, &options).ok()?;
    (from_csv != *json).then(|| differing(json, &from_csv))
}

/// The files of the JSON form and of the CSV form, by name in their directories.
fn json_names(dataset: &Dataset) -> Vec<String> {
    FileKind::ALL
        .iter()
        .map(|&k| file_name(dataset, k).to_owned())
        .collect()
}

fn csv_names(dataset: &Dataset) -> Vec<String> {
    csv_files(dataset)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

pub fn run(args: &SyncArgs) -> u8 {
    let dir = &args.dir;
    let csv = csv_dir(dir);
    for d in [dir, &csv] {
        if let Err(code) = recover(d) {
            return code;
        }
    }
    let json = match load_or_report(dir, &args.limit) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let has_csv = csv.join("datapackage.json").is_file();
    let from_csv = if has_csv {
        match load_or_report(&csv, &args.limit) {
            Ok(d) => Some(d),
            Err(code) => return code,
        }
    } else {
        None
    };
    let mut err = std::io::stderr();
    let source = match (&from_csv, args.from) {
        (None, Some(SyncFrom::Csv)) => {
            return fail(format_args!(
                "{}: there is no CSV form to take",
                csv.display()
            ));
        }
        (None, _) => &json,
        (Some(c), _) if *c == json => &json,
        (Some(c), Some(SyncFrom::Csv)) => c,
        (Some(_), Some(SyncFrom::Json)) => &json,
        (Some(c), None) => {
            let json_edited = git::unchanged_since_head(dir, &json_names(&json)).map(|u| !u);
            let csv_edited = git::unchanged_since_head(&csv, &csv_names(c)).map(|u| !u);
            match (json_edited, csv_edited) {
                (Some(true), Some(false)) => &json,
                (Some(false), Some(true)) => c,
                _ => {
                    let mut text = format!(
                        "pledges: error: {} and {} hold different data, and {}; nothing was written. They differ in:\n",
                        dir.display(),
                        csv.display(),
                        if json_edited.is_none() || csv_edited.is_none() {
                            "git cannot say which was edited"
                        } else {
                            "both were edited since the last commit"
                        }
                    );
                    for line in differing(&json, c) {
                        let _ = writeln!(text, "  {line}");
                    }
                    let _ = writeln!(
                        text,
                        "keep one form's edits and pass --from json or --from csv; the other form's edits to these records are then replaced"
                    );
                    let _ = err.write_all(text.as_bytes());
                    return FAILURE;
                }
            }
        }
    };
    let taken = if std::ptr::eq(source, &json) {
        "JSON"
    } else {
        "CSV"
    };
    if let Err(e) = write_json_dir(source, dir, &schema_dir_of(&json)) {
        return fail(e);
    }
    if let Err(e) = write_csv_dir(source, &csv) {
        return fail(e);
    }
    let _ = writeln!(
        err,
        "pledges: {} and {} are in step, from the {taken} form (dataset {})",
        dir.display(),
        csv.display(),
        crate::escape::visible(&source.manifest().version)
    );
    SUCCESS
}
