//! `pledges fmt`.

use ukraine_pledges::Dataset;
use ukraine_pledges::load::read_file;
use ukraine_pledges::write::{canonical_files, file_name, schema_dir_of, write_files};

use crate::args::FmtArgs;
use crate::{FAILURE, Holds, SUCCESS, emit, fail, holds, load_or_report, recover};

pub fn run(args: &FmtArgs) -> u8 {
    if let Err(code) = recover(&args.dir) {
        return code;
    }
    // fmt rewrites a JSON dataset in place; anything else it would turn
    // into one, which is never what `fmt` was asked for.
    match holds(&args.dir) {
        Holds::Json => {}
        Holds::Csv if args.force => {}
        Holds::Csv => {
            return fail(format_args!(
                "{}: this is a CSV dataset (datapackage.json), and fmt writes JSON; \
                 run `pledges convert --to json` to make a JSON copy, or pass --force to write JSON there anyway",
                args.dir.display()
            ));
        }
        Holds::Nothing => {
            return fail(format_args!(
                "{}: not a JSON dataset (no dataset.json); fmt only rewrites an existing dataset \
                 (`pledges convert --to json` or `pledges generate` write a new one)",
                args.dir.display()
            ));
        }
    }
    let dataset: Dataset = match load_or_report(&args.dir, &args.limit) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    let mut changed = Vec::new();
    let mut staged = Vec::new();
    for (kind, text) in canonical_files(&dataset, &schema_dir_of(&dataset)) {
        let name = file_name(&dataset, kind);
        let path = args.dir.join(name);
        // At most one byte more than the canonical text is read: more
        // than that differs anyway.
        let limit = text.len() as u64 + 1;
        if read_file(&path, limit).ok().as_deref() != Some(text.as_bytes()) {
            changed.push(path.display().to_string());
            staged.push((name.to_owned(), text.into_bytes()));
        }
    }
    if args.check {
        if changed.is_empty() {
            return SUCCESS;
        }
        let mut text = String::from("these files are not in canonical form; run `pledges fmt`:\n");
        for path in &changed {
            text.push_str(&format!("  {path}\n"));
        }
        return if emit(&text).is_ok() {
            FAILURE
        } else {
            crate::ERROR
        };
    }
    // The changed files as one change: all of them or none.
    if !staged.is_empty()
        && let Err(e) = write_files(&args.dir, &staged)
    {
        return fail(e);
    }
    let text: String = changed.iter().map(|p| format!("formatted {p}\n")).collect();
    if emit(&text).is_err() {
        return crate::ERROR;
    }
    SUCCESS
}
