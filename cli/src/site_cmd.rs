//! `pledges site`: the static website of a dataset.

use ukraine_pledges::site;

use crate::args::SiteArgs;
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, load_or_report_with};

pub fn run(args: &SiteArgs) -> u8 {
    // Never replace, even with --force, the dataset or the archive being
    // read, nor a directory that holds them.
    if let Ok(out) = std::fs::canonicalize(&args.out) {
        let inputs = [Some(&args.data), args.archive.as_ref()];
        for input in inputs.into_iter().flatten() {
            if std::fs::canonicalize(input).is_ok_and(|i| i.starts_with(&out)) {
                return fail(format_args!(
                    "{}: the site would replace {}, which it is built from; choose another --out",
                    args.out.display(),
                    input.display()
                ));
            }
        }
    }
    // With an archive the data are validated against it first, so a quote
    // not found or a checksum that does not match is reported in full, as
    // `validate --archive` reports it (exit 1).
    let mut options =
        ukraine_pledges::validate::Options::default().with_max_file_size(args.limit.max_file_size);
    if let Some(archive) = &args.archive {
        options = options.with_archive(archive);
    }
    let data = match load_or_report_with(&args.data, &options) {
        Ok(data) => data,
        Err(code) => return code,
    };
    match site::publish(&data, args.archive.as_deref(), &args.out, args.force) {
        Ok(summary) => {
            let text = format!(
                "{}: {} files, {} bytes{}; the largest is {} ({} bytes)\n",
                args.out.display(),
                summary.files,
                summary.bytes,
                if summary.with_archive {
                    ", with the archived texts"
                } else {
                    ", without the archived texts (no --archive)"
                },
                summary.largest.0,
                summary.largest.1
            );
            if emit(&text).is_err() { ERROR } else { SUCCESS }
        }
        Err(e) if e.is_invalid_data() => {
            fail(e);
            FAILURE
        }
        Err(e) => fail(e),
    }
}
