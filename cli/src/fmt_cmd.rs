//! `pledges fmt`.

use ukraine_pledges::Dataset;
use ukraine_pledges::write::{canonical_files, file_name, schema_dir_of};

use crate::args::FmtArgs;
use crate::{FAILURE, SUCCESS, emit, fail, load_or_report};

pub fn run(args: &FmtArgs) -> u8 {
    let dataset: Dataset = match load_or_report(&args.dir) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    let mut changed = Vec::new();
    let mut staged = Vec::new();
    for (kind, text) in canonical_files(&dataset, &schema_dir_of(&dataset)) {
        let path = args.dir.join(file_name(&dataset, kind));
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes()) {
            changed.push(path.display().to_string());
            staged.push((path, text));
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
    for (path, text) in staged {
        if let Err(e) = ukraine_pledges::write::atomic_write(&path, text.as_bytes()) {
            return fail(e);
        }
    }
    let text: String = changed.iter().map(|p| format!("formatted {p}\n")).collect();
    if emit(&text).is_err() {
        return crate::ERROR;
    }
    SUCCESS
}
