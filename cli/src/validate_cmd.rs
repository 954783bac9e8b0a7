//! `pledges validate`.

use std::io::IsTerminal;

use ukraine_pledges::validate::{Options, validate_dir};

use crate::args::{ColorChoice, Format, ValidateArgs};
use crate::render::{self, Style};
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, recover};

pub fn run(args: &ValidateArgs) -> u8 {
    let mut options = Options::default()
        .with_max_file_size(args.limit.max_file_size)
        .with_max_archive_file_size(args.max_archive_file_size)
        .with_max_per_code_and_file(usize::try_from(args.max_per_code).unwrap_or(usize::MAX));
    if let Some(archive) = &args.archive {
        if !archive.is_dir() {
            return fail(format_args!(
                "{}: the archive is not a directory",
                archive.display()
            ));
        }
        options = options.with_archive(archive);
    }
    if let Err(code) = recover(&args.dir) {
        return code;
    }
    let report = match validate_dir(&args.dir, &options) {
        Ok(report) => report,
        Err(e) => return fail(e),
    };
    let valid = report.is_valid(args.deny_warnings);
    let text = match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            render::human(&report, &args.dir, Style { color })
        }
        Format::Json => render::json(&report, valid),
        Format::Github => render::github(&report),
    };
    match emit(&text) {
        Ok(()) if valid => SUCCESS,
        Ok(()) => FAILURE,
        Err(_) => ERROR,
    }
}
