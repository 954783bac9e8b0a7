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
    /// Print, write or check the codebook: every file, field and allowed value, with its meaning.
    Codebook(CodebookArgs),
    /// Convert a dataset between canonical JSON and CSV tables with a data package.
    Convert(ConvertArgs),
    /// Rewrite a JSON dataset in canonical form (sorted, schema key order, NFC).
    Fmt(FmtArgs),
    /// List pledges (filtered by actor, category, status, condition, credibility), events or statements.
    List(ListArgs),
    /// Show one pledge, event or statement with its evidence.
    Show(ShowArgs),
    /// Show what changed between two versions of a dataset, record by record.
    Diff(DiffArgs),
    /// Check that the version and changelog follow the data's changes.
    CheckRelease(CheckReleaseArgs),
    /// Bring the JSON dataset and its CSV form (DIR/csv) in step, from whichever was edited.
    Sync(SyncArgs),
    /// Write a synthetic dataset for tests and benchmarks.
    Generate(GenerateArgs),
    /// Add a record, doing the bookkeeping: `add source FILE --archive DIR`.
    #[command(subcommand)]
    Add(AddCommand),
    /// Print the passage of an archived source that best matches TEXT, verbatim, to paste as a quote.
    Quote(QuoteArgs),
    /// Build a static website of the dataset: an index with filters, a page per record, charts, the archived texts.
    Site(SiteArgs),
    /// Export the dataset for analysts: a SQLite database, an Excel workbook, or Datasette metadata.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pledges export --to sqlite pledges.db
  datasette pledges.db --metadata datasette/metadata.json
  pledges export --to xlsx pledges.xlsx --data data/csv
  pledges export --to datasette-metadata datasette/metadata.json --check")]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// The file to write. It is written to a temporary file beside it and
    /// renamed into place when complete, replacing a file already there; a
    /// directory, a symbolic link or anything but a regular file is refused
    /// (exit 2).
    pub file: PathBuf,
    #[command(flatten)]
    pub data: DataArg,
    /// With --to datasette-metadata: write nothing; exit 1 if FILE differs
    /// from the metadata generated from the dataset.
    #[arg(long)]
    pub check: bool,
}

/// The format `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A SQLite database: a table per record type and per list, with
    /// primary and foreign keys, the flat view `pledges_flat`, the
    /// codebook as tables.
    Sqlite,
    /// An Excel workbook: the flat view first, a sheet per table, the
    /// codebook.
    Xlsx,
    /// The Datasette metadata (JSON) for the SQLite database, named
    /// pledges.db: descriptions of every table and column, canned queries.
    DatasetteMetadata,
}

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Copy a text into the archive and append its source record (checksum computed).
    Source(AddSourceArgs),
}

#[derive(Debug, Args)]
pub struct AddSourceArgs {
    /// The source's text, as a UTF-8 file; it is archived under this file name.
    pub file: PathBuf,
    /// The archive directory to copy it into.
    #[arg(long, value_name = "DIR")]
    pub archive: PathBuf,
    /// The source's id [default: from the file name].
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The JSON dataset directory whose sources file gets the record.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    #[command(flatten)]
    pub limit: ReadLimit,
}

#[derive(Debug, Args)]
pub struct QuoteArgs {
    /// The source's id.
    pub source: String,
    /// The words as you remember them (at most 300 characters): case,
    /// punctuation, quote marks, dashes and a few wrong words are forgiven.
    pub text: String,
    /// The archive directory of source texts.
    #[arg(long, value_name = "DIR")]
    pub archive: PathBuf,
    /// The dataset directory.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    /// Print the passage as a JSON string (quoted and escaped).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub limit: ReadLimit,
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The directory to write the site into. It is built beside DIR and
    /// swapped in by renames, so DIR holds the old site or the new one,
    /// never half of one. A DIR that holds files and is not a site this
    /// command wrote is refused (exit 2) unless --force.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Directory of archived source texts: each is checked (its SHA-256,
    /// every quote found in it, as `validate --archive` checks them) and
    /// shown on its source's page with every quoted passage highlighted.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// The dataset directory (JSON or CSV).
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub data: PathBuf,
    /// Replace DIR even if it is not a site this command wrote.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub limit: ReadLimit,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// How many pledges, 1 to 10,000,000 (actors: about a tenth of that,
    /// sources: a fifth).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub pledges: u64,
    /// The seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The directory to write (dataset.json and the record files: actors, sources, pledges, events, statements; csv/).
    /// Each of DIR and DIR/csv is written as one change: all its files or
    /// none, even if the run is killed.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Overwrite a dataset already in DIR or DIR/csv (without it, exit 2).
    #[arg(long)]
    pub force: bool,
    /// Plant this many known errors in pledges.json and print them as JSON
    /// (the CSV form stays clean).
    #[arg(long, default_value_t = 0, value_name = "K", value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub corrupt: u64,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// OLD NEW dataset directories; with --git, only NEW (default `data`).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Read the old side from this git revision of the NEW directory (e.g. `origin/main`).
    #[arg(long, value_name = "REV", value_parser = git_rev)]
    pub git: Option<String>,
    /// How to print.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    #[command(flatten)]
    pub limit: ReadLimit,
}

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Lines for a terminal.
    Human,
    /// A summary table and details, for a pull-request comment.
    Markdown,
    /// One JSON object.
    Json,
}

/// The form `pledges sync` takes the data from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SyncFrom {
    /// The JSON files in DIR.
    Json,
    /// The CSV tables in DIR/csv.
    Csv,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The JSON dataset; its CSV form is DIR/csv.
    #[arg(default_value = "data")]
    pub dir: PathBuf,
    /// Take the data from this form. Without it, the form that holds other
    /// data is the one edited since the last git commit; when both were (or
    /// git cannot say), nothing is written and the differing records are
    /// listed.
    #[arg(long, value_enum)]
    pub from: Option<SyncFrom>,
    #[command(flatten)]
    pub limit: ReadLimit,
}

#[derive(Debug, Args)]
pub struct CheckReleaseArgs {
    /// The dataset directory being released.
    #[arg(default_value = "data")]
    pub dir: PathBuf,
    /// The previous release, as a directory.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "git",
        conflicts_with = "git"
    )]
    pub base: Option<PathBuf>,
    /// The previous release, as a git revision of DIR (e.g. `origin/main`).
    #[arg(long, value_name = "REV", value_parser = git_rev)]
    pub git: Option<String>,
    /// The changelog that must have a section for the new version.
    #[arg(long, default_value = "CHANGELOG.md", value_name = "FILE")]
    pub changelog: PathBuf,
    #[command(flatten)]
    pub limit: ReadLimit,
}

/// Where `list` and `show` read the dataset from.
#[derive(Debug, Args)]
pub struct DataArg {
    /// A dataset directory (JSON or CSV) [default: `./data` when it exists,
    /// else the dataset built into this binary].
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(flatten)]
    pub limit: ReadLimit,
}

/// How much of one file the commands that read a dataset read.
#[derive(Debug, Args)]
pub struct ReadLimit {
    /// The most bytes read of one data file or CSV table, 1 to 1TiB, in
    /// bytes or with a suffix (KiB, MiB, GiB, TiB); a larger file is the
    /// diagnostic `file-too-large`, and nothing of it is read.
    #[arg(long, value_name = "BYTES", default_value = "4GiB", value_parser = byte_size)]
    pub max_file_size: u64,
}

/// Output format of `list` and `show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// Text for people.
    Human,
    /// JSON for scripts.
    Json,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list: pledges, events (meetings, summits, the documents
    /// they produced) or statements (positions, demands, assessments).
    #[arg(value_enum, default_value_t = RecordKind::Pledges)]
    pub records: RecordKind,
    #[command(flatten)]
    pub data: DataArg,
    /// Only pledges by this actor or anyone acting for it (an id or any name, e.g. `zelensky`);
    /// events it took part in; statements it holds.
    #[arg(long, value_name = "ACTOR")]
    pub actor: Option<String>,
    /// Only pledges that name this actor anywhere: pledger, beneficiary, role, condition.
    #[arg(long, value_name = "ACTOR")]
    pub involving: Option<String>,
    /// Only pledges in this category (e.g. `troop_deployment`).
    #[arg(long)]
    pub category: Option<String>,
    /// Only pledges with this status (e.g. `committed`).
    #[arg(long)]
    pub status: Option<String>,
    /// Only pledges with a condition of this kind (e.g. `ceasefire`).
    #[arg(long, value_name = "KIND")]
    pub condition: Option<String>,
    /// Only pledges with a claim the sources disagree on (a quote supports
    /// it, another contradicts it).
    #[arg(long)]
    pub contested: bool,
    /// Only pledges whose every claim a quote supports at this credibility
    /// or better: 1 (confirmed by other sources) to 6 (cannot be judged).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=6))]
    pub min_credibility: Option<u8>,
    /// How to print.
    #[arg(long, value_enum, default_value_t = QueryFormat::Human)]
    pub format: QueryFormat,
}

/// The records `pledges list` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RecordKind {
    /// Pledges, offers and proposals.
    Pledges,
    /// Meetings, summits, calls and the documents they produced.
    Events,
    /// Positions, demands, assessments and warnings.
    Statements,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The id of a pledge, an event or a statement.
    pub id: String,
    #[command(flatten)]
    pub data: DataArg,
    /// How to print.
    #[arg(long, value_enum, default_value_t = QueryFormat::Human)]
    pub format: QueryFormat,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: Target,
    /// The dataset to read: a JSON directory (with dataset.json) or a CSV one (with datapackage.json).
    pub input: PathBuf,
    /// The directory to write into (created if missing). Its files are
    /// replaced as one change: all or none, even if the run is killed; a
    /// table the old datapackage.json listed and the new one does not is
    /// removed with it.
    pub output: PathBuf,
    /// Write nothing; exit 1 and list the files in OUTPUT that differ from a
    /// fresh conversion (with --to csv, also .csv files not in the package).
    #[arg(long)]
    pub check: bool,
    /// Allow OUTPUT to be the INPUT directory, or to hold a dataset in the
    /// other format (without it, exit 2).
    #[arg(long)]
    pub force: bool,
    /// With --to json: where the written files point for their schemas,
    /// relative to OUTPUT [default: as recorded in the input, else ../schema].
    #[arg(long, value_name = "DIR")]
    pub schema_dir: Option<String>,
    #[command(flatten)]
    pub limit: ReadLimit,
}

/// The format `convert` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// CSV tables and datapackage.json.
    Csv,
    /// Canonical JSON.
    Json,
}

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The JSON dataset directory (the one holding dataset.json), rewritten
    /// in place: the files that change are replaced as one change, all or
    /// none, even if the run is killed. A directory that holds no
    /// dataset.json is refused (exit 2).
    #[arg(default_value = "data")]
    pub dir: PathBuf,
    /// Write nothing; exit 1 and list the files that are not canonical.
    #[arg(long)]
    pub check: bool,
    /// Write JSON into a directory that holds a CSV dataset
    /// (datapackage.json); without it, that is refused (exit 2).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub limit: ReadLimit,
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
    #[command(flatten)]
    pub limit: ReadLimit,
    /// The most bytes read of one archived text, 1 to 1TiB, in bytes or
    /// with a suffix (KiB, MiB, GiB, TiB); a larger one is the diagnostic
    /// `file-too-large`.
    #[arg(long, value_name = "BYTES", default_value = "64MiB", value_parser = byte_size)]
    pub max_archive_file_size: u64,
    /// The most diagnostics of one code in one file kept, 1 to 100000000;
    /// the rest are counted. The human and GitHub formats print at most 50
    /// of each and count the rest; `--format json` lists those kept and
    /// gives the counts in `omitted`.
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub max_per_code: u64,
}

/// Output format of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Messages with the offending line, like a compiler.
    Human,
    /// One JSON object: `{"valid": …, "diagnostics": […], "omitted": […]}`.
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

/// The largest size a limit can be given: 1 TiB.
const MAX_BYTES: u64 = 1 << 40;

/// A number of bytes, 1 to 1 TiB: digits, then optionally `KiB`, `MiB`,
/// `GiB` or `TiB` (powers of 1024).
fn byte_size(value: &str) -> Result<u64, String> {
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(digits);
    let shift = match unit {
        "" => 0,
        "KiB" => 10,
        "MiB" => 20,
        "GiB" => 30,
        "TiB" => 40,
        _ => return Err("a size is a number of bytes, or one with KiB, MiB, GiB or TiB after it (e.g. `512MiB`)".to_owned()),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|n| (1..=MAX_BYTES).contains(n));
    bytes.ok_or_else(|| "a size is from 1 byte to 1TiB".to_owned())
}

#[derive(Debug, Args)]
pub struct CodebookArgs {
    /// Write the codebook (markdown) to this file [default: print it].
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
    /// Write nothing; exit 1 if the file given with --out differs from the
    /// generated codebook.
    #[arg(long, requires = "out")]
    pub check: bool,
}

/// A git revision as given on the command line: never empty, never an
/// option (`--output=…` would reach git as one), no spaces or control
/// characters. What it names is resolved by git, after `--end-of-options`.
fn git_rev(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("a revision is needed, e.g. `origin/main`".to_owned());
    }
    if value.starts_with('-') {
        return Err("a revision does not start with `-`".to_owned());
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a revision has no spaces or control characters".to_owned());
    }
    Ok(value.to_owned())
}
