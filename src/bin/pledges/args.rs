//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Validate, convert and query the ukraine-pledges dataset.
///
/// Exit codes: 0 success (the data is valid), 1 the data is invalid or a
/// check failed, 2 usage or input/output error.
#[derive(Debug, Parser)]
#[command(name = "pledges", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a dataset: files, schema, references, meaning, and (with --archive) quotes.
    Validate(ValidateArgs),
    /// Print, write or check the JSON Schemas generated from the data model.
    Schema(SchemaArgs),
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The dataset directory (the one holding dataset.json).
    #[arg(default_value = "data")]
    pub dir: PathBuf,
    /// Directory of archived source texts: check each source's SHA-256 and
    /// that every quote appears in it verbatim.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// How to print the diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Messages with the offending line, like a compiler.
    Human,
    /// One JSON object: `{"valid": …, "diagnostics": […]}`.
    Json,
    /// GitHub Actions workflow commands, shown on the pull request's lines.
    Github,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write every schema into this directory.
    #[arg(long, value_name = "DIR", conflicts_with = "check")]
    pub write: Option<PathBuf>,
    /// Exit 1 if the schemas in this directory differ from the generated ones.
    #[arg(long, value_name = "DIR")]
    pub check: Option<PathBuf>,
}
