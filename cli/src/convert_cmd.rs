//! `pledges convert`.

use std::path::Path;

use ukraine_pledges::load::read_file;

use ukraine_pledges::write::{canonical_files, file_name, schema_dir_of, write_json_dir};
use ukraine_pledges::write::{csv_files, write_csv_dir};

use crate::args::{ConvertArgs, Target};
use crate::{ERROR, FAILURE, Holds, SUCCESS, emit, fail, holds, load_or_report, recover};

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The `.csv` files in `dir` that are not among `files`, sorted.
fn extra_tables(dir: &Path, files: &[(String, Vec<u8>)]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut extra: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".csv") && !files.iter().any(|(n, _)| *n == *name)
        })
        .map(|e| crate::escape::visible(&e.path().display().to_string()).into_owned())
        .collect();
    extra.sort();
    extra
}

pub fn run(args: &ConvertArgs) -> u8 {
    if same_dir(&args.input, &args.output) && !args.force && !args.check {
        return fail(format_args!(
            "{}: the output is the input directory; pass --force to write there anyway",
            args.output.display()
        ));
    }
    if let Err(code) = recover(&args.output) {
        return code;
    }
    // Writing one format into a directory that holds the other would make
    // a directory that is neither (or, JSON over CSV, hide the tables).
    let other = match (args.to, holds(&args.output)) {
        (Target::Csv, Holds::Json) => Some("a JSON dataset (dataset.json)"),
        (Target::Json, Holds::Csv) => Some("a CSV dataset (datapackage.json)"),
        _ => None,
    };
    if let (Some(other), false, false) = (other, args.force, args.check) {
        return fail(format_args!(
            "{}: this is {other}, and this writes {}; pass --force to write there anyway",
            args.output.display(),
            args.to.name()
        ));
    }
    let dataset = match load_or_report(&args.input, &args.limit) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    let schema_dir = args
        .schema_dir
        .clone()
        .unwrap_or_else(|| schema_dir_of(&dataset));
    let files: Vec<(String, Vec<u8>)> = match (args.to, args.check) {
        (Target::Csv, true) => csv_files(&dataset),
        (Target::Json, true) => canonical_files(&dataset, &schema_dir)
            .into_iter()
            .map(|(kind, text)| (file_name(&dataset, kind).to_owned(), text.into_bytes()))
            .collect(),
        (_, false) => Vec::new(),
    };
    if args.check {
        let stale: Vec<String> = files
            .iter()
            .filter(|(name, bytes)| {
                // At most one byte more than the fresh file is read.
                let limit = bytes.len() as u64 + 1;
                read_file(&args.output.join(name), limit).ok().as_deref() != Some(bytes.as_slice())
            })
            .map(|(name, _)| args.output.join(name).display().to_string())
            .collect();
        // A table the package does not list would be read by no one, and
        // hides that the directory is out of step (a retired table).
        let extra: Vec<String> = match args.to {
            Target::Csv => extra_tables(&args.output, &files),
            Target::Json => Vec::new(),
        };
        if stale.is_empty() && extra.is_empty() {
            return SUCCESS;
        }
        // The hint never names a command that would overwrite an edit:
        // `sync` takes the data from the form that was edited.
        let mut text = format!(
            "{} is out of step with {}; if {} is a dataset's csv/ form, run `pledges sync`, which keeps whichever form you edited; otherwise regenerate it from {}:\n",
            args.output.display(),
            args.input.display(),
            args.output.display(),
            args.input.display()
        );
        for path in stale {
            text.push_str(&format!("  {path}\n"));
        }
        if !extra.is_empty() {
            text.push_str(
                "these .csv files are not in the data package (a conversion removes those an older package listed; remove the others):\n",
            );
            for path in extra {
                text.push_str(&format!("  {path}\n"));
            }
        }
        return if emit(&text).is_ok() { FAILURE } else { ERROR };
    }
    // Streamed into the files rather than written from memory.
    let written = match args.to {
        Target::Csv => write_csv_dir(&dataset, &args.output),
        Target::Json => write_json_dir(&dataset, &args.output, &schema_dir),
    };
    // The process ends next and the system takes its memory back whole;
    // freeing a large dataset record by record first (a quarter of a second
    // for a million pledges) would only make the user wait.
    std::mem::forget(dataset);
    match written {
        Ok(()) => SUCCESS,
        Err(e) => fail(e),
    }
}
