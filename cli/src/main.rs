//! `pledges`: the command-line face of the `ukraine_pledges` library. It
//! parses arguments, calls the library and renders what comes back.

mod add_cmd;
mod args;
mod codebook_cmd;
mod convert_cmd;
mod diff_cmd;
mod escape;
mod export_cmd;
mod fmt_cmd;
mod generate_cmd;
mod generated;
mod git;
mod other_records;
mod query_cmd;
mod quote_cmd;
mod render;
mod schema_cmd;
mod site_cmd;
mod sync_cmd;
mod validate_cmd;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

/// The allocator: jemalloc, because an invalid dataset is checked record
/// by record, each record's tree made and dropped, and glibc's allocator
/// spent a third of such a run (BENCHMARKS.md, worst cases).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Exit code: the data is valid, or the command succeeded.
pub const SUCCESS: u8 = 0;
/// Exit code: the data is invalid, or a check found a difference.
pub const FAILURE: u8 = 1;
/// Exit code: usage or input/output error.
pub const ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate(args) => validate_cmd::run(&args),
        Command::Schema(args) => schema_cmd::run(&args),
        Command::Codebook(args) => codebook_cmd::run(&args),
        Command::Convert(args) => convert_cmd::run(&args),
        Command::Fmt(args) => fmt_cmd::run(&args),
        Command::List(args) => query_cmd::list(&args),
        Command::Show(args) => query_cmd::show(&args),
        Command::Diff(args) => diff_cmd::run_diff(&args),
        Command::CheckRelease(args) => diff_cmd::run_check_release(&args),
        Command::Sync(args) => sync_cmd::run(&args),
        Command::Generate(args) => generate_cmd::run(&args),
        Command::Add(args::AddCommand::Source(args)) => add_cmd::source(&args),
        Command::Quote(args) => quote_cmd::run(&args),
        Command::Site(args) => site_cmd::run(&args),
        Command::Export(args) => export_cmd::run(&args),
    };
    ExitCode::from(code)
}

/// Writes `text` to standard output; a closed pipe is not an error.
pub fn emit(text: &str) -> Result<(), std::io::Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes an error message to standard error and returns [`ERROR`].
pub fn fail(message: impl std::fmt::Display) -> u8 {
    let _ = writeln!(std::io::stderr(), "pledges: error: {message}");
    ERROR
}

/// Finishes or discards a set write to `dir` that was interrupted (see
/// `ukraine_pledges::journal`), saying so in one line on standard error.
/// The library would do it too on the first read or write of `dir`, but
/// silently; doing it here first is how the user hears of it.
pub fn recover(dir: &std::path::Path) -> Result<(), u8> {
    match ukraine_pledges::journal::recover(dir) {
        Ok(Some(recovery)) => {
            let _ = writeln!(
                std::io::stderr(),
                "pledges: note: {}: {recovery}",
                dir.display()
            );
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) => Err(fail(e)),
    }
}

/// What `dir` holds: a JSON dataset (`dataset.json`), a CSV one
/// (`datapackage.json` alone), or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// A JSON dataset.
    Json,
    /// A CSV dataset.
    Csv,
    /// No dataset (or no directory).
    Nothing,
}

/// What `dir` holds (nothing is followed or read).
pub fn holds(dir: &std::path::Path) -> Holds {
    let has = |name: &str| std::fs::symlink_metadata(dir.join(name)).is_ok();
    if has("dataset.json") {
        Holds::Json
    } else if has("datapackage.json") {
        Holds::Csv
    } else {
        Holds::Nothing
    }
}

/// Loads the dataset in `dir`; when it cannot, prints why (the validation
/// report on standard error) and returns the exit code to use.
pub fn load_or_report(
    dir: &std::path::Path,
    limit: &args::ReadLimit,
) -> Result<ukraine_pledges::Dataset, u8> {
    let options =
        ukraine_pledges::validate::Options::default().with_max_file_size(limit.max_file_size);
    load_or_report_with(dir, &options)
}

/// [`load_or_report`], validating as `options` say (e.g. the quotes
/// against an archive).
pub fn load_or_report_with(
    dir: &std::path::Path,
    options: &ukraine_pledges::validate::Options,
) -> Result<ukraine_pledges::Dataset, u8> {
    use ukraine_pledges::ErrorKind;
    recover(dir)?;
    match ukraine_pledges::Dataset::load_with(dir, options) {
        Ok(dataset) => Ok(dataset),
        Err(e) => match e.kind() {
            ErrorKind::Invalid(report) => {
                let text = render::human(report, dir, render::Style { color: false });
                let _ = writeln!(
                    std::io::stderr(),
                    "{text}pledges: error: {} has errors; fix them first (`pledges validate {}`)",
                    dir.display(),
                    dir.display()
                );
                Err(FAILURE)
            }
            _ => Err(fail(e)),
        },
    }
}
