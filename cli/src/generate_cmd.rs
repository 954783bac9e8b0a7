//! `pledges generate`.

use ukraine_pledges::generate;
use ukraine_pledges::schema::FileKind;
use ukraine_pledges::write::{canonical_files, file_name};
use ukraine_pledges::write::{write_csv_dir, write_files};

use crate::args::GenerateArgs;
use crate::{ERROR, SUCCESS, emit, fail};

pub fn run(args: &GenerateArgs) -> u8 {
    // Both are bounded by their arguments' ranges, so they fit.
    let (Ok(pledges), Ok(corrupt)) = (usize::try_from(args.pledges), usize::try_from(args.corrupt))
    else {
        return fail("--pledges or --corrupt is too large for this machine");
    };
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
    if let Err(e) =
        write_files(&args.out, &files).and_then(|()| write_csv_dir(&dataset, &args.out.join("csv")))
    {
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
