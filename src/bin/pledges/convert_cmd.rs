//! `pledges convert`.

use std::path::Path;

use ukraine_pledges::convert::{csv_files, write_files};
use ukraine_pledges::format::{canonical_files, file_name, schema_dir_of};

use crate::args::{ConvertArgs, Target};
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, load_or_report};

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

pub fn run(args: &ConvertArgs) -> u8 {
    if same_dir(&args.input, &args.output) && !args.force {
        return fail(format_args!(
            "{}: the output is the input directory; pass --force to write there anyway",
            args.output.display()
        ));
    }
    let dataset = match load_or_report(&args.input) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    let files: Vec<(String, Vec<u8>)> = match args.to {
        Target::Csv => csv_files(&dataset),
        Target::Json => canonical_files(
            &dataset,
            args.schema_dir
                .as_deref()
                .unwrap_or(&schema_dir_of(&dataset)),
        )
        .into_iter()
        .map(|(kind, text)| (file_name(&dataset, kind).to_owned(), text.into_bytes()))
        .collect(),
    };
    if args.check {
        let stale: Vec<String> = files
            .iter()
            .filter(|(name, bytes)| {
                std::fs::read(args.output.join(name)).ok().as_deref() != Some(bytes.as_slice())
            })
            .map(|(name, _)| args.output.join(name).display().to_string())
            .collect();
        if stale.is_empty() {
            return SUCCESS;
        }
        let mut text = format!(
            "{} is out of step with {}; run `pledges convert --to {} {} {}`:\n",
            args.output.display(),
            args.input.display(),
            args.to.name(),
            args.input.display(),
            args.output.display()
        );
        for path in stale {
            text.push_str(&format!("  {path}\n"));
        }
        return if emit(&text).is_ok() { FAILURE } else { ERROR };
    }
    match write_files(&args.output, &files) {
        Ok(()) => SUCCESS,
        Err(e) => fail(e),
    }
}
