//! `pledges generate`.

use ukraine_pledges::generate;
use ukraine_pledges::schema::FileKind;
use ukraine_pledges::write::write_files_and_csv_dir;
use ukraine_pledges::write::{canonical_files, file_name};

use crate::args::GenerateArgs;
use crate::{ERROR, Holds, SUCCESS, emit, fail, holds, recover};

/// Where in `--out` the CSV form goes.
const CSV_DIR: &str = "csv";

pub fn run(args: &GenerateArgs) -> u8 {
    // Both are bounded by their arguments' ranges, so they fit.
    let (Ok(pledges), Ok(corrupt)) = (usize::try_from(args.pledges), usize::try_from(args.corrupt))
    else {
        return fail("--pledges or --corrupt is too large for this machine");
    };
    let csv = args.out.join(CSV_DIR);
    for dir in [&args.out, &csv] {
        if let Err(code) = recover(dir) {
            return code;
        }
    }
    // A dataset already there is not overwritten, nor JSON written into a
    // CSV directory, unless asked to.
    if !args.force {
        for (dir, writes) in [(&args.out, Holds::Json), (&csv, Holds::Csv)] {
            let what = match holds(dir) {
                Holds::Nothing => continue,
                found if found == writes => "a dataset is already there",
                Holds::Csv => {
                    "this is a CSV dataset (datapackage.json), and generate writes JSON there"
                }
                _ => "this is a JSON dataset (dataset.json), and generate writes CSV there",
            };
            return fail(format_args!(
                "{}: {what}; pass --force to overwrite it, or choose another --out",
                dir.display()
            ));
        }
    }
    let dataset = generate::dataset(pledges, args.seed);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut planted = Vec::new();
    for (kind, text) in canonical_files(&dataset, "../schema") {
        let name = file_name(&dataset, kind).to_owned();
        if kind == FileKind::Pledges && args.corrupt > 0 {
            let Ok(mut doc) = serde_json::from_str(&text) else {
                return fail("generated JSON does not parse");
            };
            planted = generate::corrupt(&mut doc, corrupt, args.seed);
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            files.push((name, text.into_bytes()));
        } else {
            files.push((name, text.into_bytes()));
        }
    }
    if let Err(e) = write_files_and_csv_dir(&args.out, &files, &dataset, CSV_DIR) {
        return fail(e);
    }
    if args.corrupt > 0 {
        let mut text = serde_json::to_string_pretty(&planted).unwrap_or_default();
        text.push('\n');
        if emit(&text).is_err() {
            return ERROR;
        }
    }
    SUCCESS
}
