//! Diagnostics: what the validator found, as data that callers render.

#[cfg(feature = "validate")]
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// The longest a message or hint is, in characters: the values they quote
/// come from the data, and a 50 MB id is shown by its start.
pub const MESSAGE_MAX: usize = 400;

/// `text`, cut to [`MESSAGE_MAX`] characters with an ellipsis and the
/// number of characters left out.
fn shortened(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(MESSAGE_MAX) {
        let more = text[cut..].chars().count();
        text.truncate(cut);
        text.push_str(&format!("… ({more} more characters)"));
    }
    text
}

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails validation.
    Error,
    /// Reported, but fails validation only when warnings are denied.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $severity:ident, $layer:ident; )*) => {
        /// The stable code of a [`Diagnostic`]. `docs/diagnostics.md` has one
        /// row per code, with an example of the fix.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as it is printed, e.g. `unknown-reference`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The severity diagnostics with this code have.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The validation layer that reports this code.
            #[must_use]
            pub fn layer(self) -> Layer {
                match self { $(Code::$variant => Layer::$layer,)* }
            }
        }
    };
}

codes! {
    /// A file the dataset needs does not exist.
    MissingFile = "missing-file", Error, Read;
    /// A path where a file should be is a directory or other non-file.
    NotAFile = "not-a-file", Error, Read;
    /// A file exists but cannot be read (permissions, a symlink loop).
    UnreadableFile = "unreadable-file", Error, Read;
    /// A file is larger than the limit on what is read of one file.
    FileTooLarge = "file-too-large", Error, Read;
    /// A file is empty.
    EmptyFile = "empty-file", Error, Read;
    /// A file starts with a UTF-8 byte-order mark (accepted).
    Utf8Bom = "utf8-bom", Warning, Read;
    /// A file is not valid UTF-8.
    InvalidUtf8 = "invalid-utf8", Error, Read;
    /// A file is not valid JSON.
    JsonSyntax = "json-syntax", Error, Read;
    /// Something follows the JSON document.
    TrailingContent = "trailing-content", Error, Read;
    /// A key appears twice in one object.
    DuplicateKey = "duplicate-key", Error, Read;
    /// Arrays and objects are nested too deep.
    TooDeep = "too-deep", Error, Read;
    /// A number too large to represent.
    NumberOutOfRange = "number-out-of-range", Error, Read;
    /// A CSV table's header has a missing, extra, renamed or misplaced column.
    CsvHeader = "csv-header", Error, Read;
    /// A CSV row cannot be read (a field count that differs from the header).
    CsvSyntax = "csv-syntax", Error, Read;
    /// A child-table row's ordinal is not a whole number, or a record's ordinals have gaps or repeats.
    CsvOrdinal = "csv-ordinal", Error, Read;
    /// A required field is missing.
    MissingField = "missing-field", Error, Schema;
    /// A field the schema does not define.
    UnknownField = "unknown-field", Error, Schema;
    /// A value of the wrong JSON type.
    WrongType = "wrong-type", Error, Schema;
    /// A value outside the allowed set (e.g. an unknown category).
    InvalidValue = "invalid-value", Error, Schema;
    /// A string that does not match its format (an id, a code, a URL).
    InvalidFormat = "invalid-format", Error, Schema;
    /// A date that is malformed or does not exist (30 February).
    InvalidDate = "invalid-date", Error, Schema;
    /// An empty string or list where content is required.
    EmptyValue = "empty-value", Error, Schema;
    /// A string longer than allowed (a quote over 300 characters).
    TooLong = "too-long", Error, Schema;
    /// A number outside its range.
    OutOfRange = "out-of-range", Error, Schema;
    /// Two records of one kind share an id.
    DuplicateId = "duplicate-id", Error, Integrity;
    /// Records are not sorted by id.
    UnsortedIds = "unsorted-ids", Warning, Integrity;
    /// An id that refers to no record.
    UnknownReference = "unknown-reference", Error, Integrity;
    /// An actor or source that no record refers to.
    UnusedRecord = "unused-record", Warning, Integrity;
    /// A retirement that does not hold together (superseded without a replacement, …).
    InvalidRetirement = "invalid-retirement", Error, Integrity;
    /// A current record refers to a retired one.
    ReferenceToRetired = "reference-to-retired", Warning, Integrity;
    /// The schema accepted a record the Rust types refused: a bug in this tool.
    TypeMismatch = "internal-type-mismatch", Error, Integrity;
    /// A country code that ISO 3166-1 does not assign.
    UnknownCountry = "unknown-country", Error, Semantics;
    /// A country code on an actor that is not a state.
    CountryNotState = "country-not-state", Error, Semantics;
    /// A state without a country code.
    StateWithoutCountry = "state-without-country", Warning, Semantics;
    /// Leading, trailing or doubled whitespace.
    Whitespace = "whitespace", Error, Semantics;
    /// A bidirectional control or zero-width character in text.
    InvisibleCharacter = "invisible-character", Error, Semantics;
    /// A control character (tab, newline, …) in text.
    ControlCharacter = "control-character", Error, Semantics;
    /// Text a spreadsheet would run as a formula (starts with `=`, `+`, `-`, `@`).
    FormulaPrefix = "formula-prefix", Error, Semantics;
    /// A URL with a user name or password in it.
    UrlCredentials = "url-credentials", Error, Semantics;
    /// A pledge announced after the sources that report it were published.
    AnnouncedAfterSource = "announced-after-source", Error, Semantics;
    /// The manifest's version is not semantic versioning.
    InvalidVersion = "invalid-version", Error, Semantics;
    /// A lead or contributor role for an actor that is not a pledger.
    RoleNotPledger = "role-not-pledger", Error, Semantics;
    /// A condition that applies to one actor who is not a pledger.
    ScopeNotPledger = "scope-not-pledger", Error, Semantics;
    /// A pledge that links to itself, or a document produced at itself.
    LinkToSelf = "link-to-self", Error, Semantics;
    /// A category listed twice on one pledge.
    DuplicateCategory = "duplicate-category", Error, Semantics;
    /// A quantity whose fields do not fit its kind (money without a currency, a count without a unit, …).
    QuantityShape = "quantity-shape", Error, Semantics;
    /// A currency code that is not an assigned ISO 4217 code.
    UnknownCurrency = "unknown-currency", Error, Semantics;
    /// One source's report (a status report, an account of an event) that no quote from that source supports.
    ReportNotQuoted = "report-not-quoted", Error, Semantics;
    /// A pledge's status that is not its latest report's, or reports that disagree in an unknown order, with no `status_note` saying why.
    StatusUnexplained = "status-unexplained", Error, Semantics;
    /// Status reports not in the order of the dates or events they are as of.
    StatusReportsOutOfOrder = "status-reports-out-of-order", Warning, Semantics;
    /// `part_of` links that go round in a circle.
    PartOfCycle = "part-of-cycle", Error, Semantics;
    /// A claim (in evidence or an inference) that names nothing in its record.
    UnknownClaim = "unknown-claim", Error, Semantics;
    /// A claim of a record that no quote supports and no inference explains.
    UnattestedClaim = "unattested-claim", Error, Semantics;
    /// The data declares a schema version other than this tool's.
    SchemaVersionMismatch = "schema-version-mismatch", Warning, Semantics;
    /// A file's `$schema` does not point at its schema.
    SchemaReference = "schema-reference", Warning, Semantics;
    /// A source's archived file is not in the archive.
    ArchiveMissing = "archive-missing", Error, Evidence;
    /// A source's archived file does not have the recorded SHA-256.
    ArchiveChecksum = "archive-checksum", Error, Evidence;
    /// A quote does not appear in its source's archived text.
    QuoteNotFound = "quote-not-found", Error, Evidence;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The validation layers, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// Files, bytes, JSON syntax.
    Read,
    /// The JSON Schemas.
    Schema,
    /// Ids and references between records.
    Integrity,
    /// Meaning: dates, codes, text hygiene.
    Semantics,
    /// Quotes against archived sources.
    Evidence,
}

/// One problem found in a dataset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// The file, as the path the validator was given joined with its name.
    #[serde(serialize_with = "path_as_text")]
    pub file: PathBuf,
    /// 1-based line of the offending value, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the offending value, when known.
    pub column: Option<usize>,
    /// JSON Pointer of the offending value (`""` for the whole file).
    pub pointer: String,
    /// What is wrong, in words a newcomer understands.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub hint: Option<String>,
}

fn path_as_text<S: serde::Serializer>(
    path: &std::path::Path,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&path.display())
}

impl Diagnostic {
    /// A diagnostic with `code`'s severity and no position yet.
    #[must_use]
    pub fn new(
        code: Code,
        file: impl Into<PathBuf>,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: code.severity(),
            file: file.into(),
            line: None,
            column: None,
            pointer: pointer.into(),
            message: shortened(message.into()),
            hint: None,
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(shortened(hint.into()));
        self
    }

    /// Sets the position.
    #[must_use]
    pub fn at(mut self, position: Position) -> Self {
        self.line = Some(position.line);
        self.column = Some(position.column);
        self
    }
}

/// The outcome of validating a dataset: the diagnostics, in a stable order
/// (file, line, column, code), at most a limit of each code in each file
/// (the validator's `Options::with_max_per_code_and_file`; the first ones
/// found are kept), and how many more of each there were.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The problems found, up to the limit of each code in each file.
    pub diagnostics: Vec<Diagnostic>,
    /// For each code and file past the limit, how many more problems there
    /// were, by file (the data files in their usual order) and code.
    pub omitted: Vec<Omitted>,
}

/// Problems of one code in one file past the limit: counted, not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Omitted {
    /// Their code.
    pub code: Code,
    /// Their severity (the code's).
    pub severity: Severity,
    /// Their file.
    #[serde(serialize_with = "path_as_text")]
    pub file: PathBuf,
    /// How many there were beyond those in [`Report::diagnostics`].
    pub count: usize,
}

impl Report {
    /// The number of errors, counting those past the limit.
    #[must_use]
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// The number of warnings, counting those past the limit.
    #[must_use]
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        let kept = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count();
        let omitted: usize = self
            .omitted
            .iter()
            .filter(|o| o.severity == severity)
            .map(|o| o.count)
            .sum();
        kept + omitted
    }

    /// Whether the dataset passes: no errors, and no warnings either when
    /// `deny_warnings`.
    #[must_use]
    pub fn is_valid(&self, deny_warnings: bool) -> bool {
        self.errors() == 0 && (!deny_warnings || self.warnings() == 0)
    }

    /// The codes reported, in order (handy in tests).
    #[must_use]
    pub fn codes(&self) -> Vec<Code> {
        self.diagnostics.iter().map(|d| d.code).collect()
    }
}

/// Keeps the first `limit` diagnostics of each code in each file, in the
/// order they are made (not their order in the file), and counts the rest.
#[cfg(feature = "validate")]
#[derive(Debug)]
pub(crate) struct Cap {
    limit: usize,
    seen: HashMap<std::ffi::OsString, HashMap<Code, usize>>,
}

#[cfg(feature = "validate")]
impl Cap {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            seen: HashMap::new(),
        }
    }

    /// Whether `d` is kept; it is counted either way.
    pub(crate) fn keep(&mut self, d: &Diagnostic) -> bool {
        let file = d.file.as_os_str();
        let counts = match self.seen.get_mut(file) {
            Some(counts) => counts,
            None => self.seen.entry(file.to_owned()).or_default(),
        };
        let n = counts.entry(d.code).or_insert(0);
        *n += 1;
        *n <= self.limit
    }

    /// Counts `n` more of `code` in `file`, none of them kept (the reading
    /// counted them instead of making them); called after every
    /// [`keep`](Self::keep).
    pub(crate) fn count(&mut self, code: Code, file: &std::path::Path, n: usize) {
        let counts = self.seen.entry(file.as_os_str().to_owned()).or_default();
        *counts.entry(code).or_insert(0) += n;
    }

    /// For each code and file past the limit, how many more there were.
    pub(crate) fn omitted(self) -> Vec<Omitted> {
        let limit = self.limit;
        self.seen
            .into_iter()
            .flat_map(|(file, counts)| {
                counts
                    .into_iter()
                    .filter(move |&(_, n)| n > limit)
                    .map(move |(code, n)| Omitted {
                        code,
                        severity: code.severity(),
                        file: PathBuf::from(file.clone()),
                        count: n - limit,
                    })
            })
            .collect()
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a
/// likely typo ("did you mean").
#[must_use]
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut letters = Letters::of(word);
    candidates
        .into_iter()
        .filter(|c| letters.may_be_near(c))
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|&(score, _)| score >= NEAR)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The Jaro-Winkler similarity at which a candidate is a likely typo.
const NEAR: f64 = 0.8;

/// The characters of a word, counted, to rule out most candidates without
/// scoring them: a hostile file can ask for a "did you mean" of every one
/// of a million keys, each against every field name.
struct Letters {
    /// Each ASCII character's count, taken down while a candidate is
    /// weighed and put back after (so below zero for a moment).
    ascii: [i32; 128],
    /// Characters outside ASCII, counted together (a bound, not a count
    /// of matches).
    other: i32,
    len: usize,
}

impl Letters {
    fn of(word: &str) -> Self {
        let mut letters = Letters {
            ascii: [0; 128],
            other: 0,
            len: 0,
        };
        for c in word.chars() {
            letters.len += 1;
            *letters.slot(c) += 1;
        }
        letters
    }

    /// The count `c` is kept in.
    fn slot(&mut self, c: char) -> &mut i32 {
        if c.is_ascii() {
            &mut self.ascii[c as usize]
        } else {
            &mut self.other
        }
    }

    /// Whether `candidate` can score [`NEAR`] or more against the word.
    /// Jaro-Winkler adds its prefix bonus only to a Jaro similarity above
    /// 0.7, and Jaro is `(m/a + m/b + (m - t)/m) / 3` for `m` matching
    /// characters, at most the characters the two share: so `m/a + m/b`
    /// must exceed 1.1. Never false for a candidate that would score.
    fn may_be_near(&mut self, candidate: &str) -> bool {
        if self.len == 0 || candidate.is_empty() {
            return true;
        }
        // Each of the candidate's characters takes one of the word's, if
        // one is left; the counts are put back after, rather than copied
        // for each candidate.
        let (mut shared, mut len) = (0u32, 0usize);
        if candidate.is_ascii() {
            // A field name or an id: a byte is a character.
            for &b in candidate.as_bytes() {
                let slot = &mut self.ascii[usize::from(b & 0x7f)];
                shared += u32::from(*slot > 0);
                *slot -= 1;
            }
            for &b in candidate.as_bytes() {
                self.ascii[usize::from(b & 0x7f)] += 1;
            }
            len = candidate.len();
        } else {
            for c in candidate.chars() {
                len += 1;
                let slot = self.slot(c);
                shared += u32::from(*slot > 0);
                *slot -= 1;
            }
            for c in candidate.chars() {
                *self.slot(c) += 1;
            }
        }
        let shared = f64::from(shared);
        #[allow(clippy::cast_precision_loss)]
        let bound = shared / self.len as f64 + shared / len as f64;
        // A margin for rounding: the filter must never drop a near miss.
        bound > 1.1 - 1e-9
    }
}

/// A place in a text file: 1-based line, and 1-based column counted in
/// characters (Unicode scalar values), as editors show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column number in characters, from 1.
    pub column: usize,
}

/// Line starts of a text, to turn byte offsets into [`Position`]s.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text` (`\n` ends a line; a `\r` before it
    /// belongs to the line).
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { starts }
    }

    /// The position of byte `offset` in `text` (the text this index was
    /// built from). An offset inside a character counts as that character.
    #[must_use]
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The positions of `offsets` (ascending) in `text`, in one pass: the
    /// characters between two offsets on one line are counted once.
    #[must_use]
    pub fn positions(&self, text: &str, offsets: &[usize]) -> Vec<Position> {
        let mut out = Vec::with_capacity(offsets.len());
        let mut last: Option<(usize, Position)> = None;
        for &offset in offsets {
            let offset = offset.min(text.len());
            let line = self.starts.partition_point(|&s| s <= offset) - 1;
            let position = match last {
                Some((before, at)) if at.line == line + 1 && before <= offset => {
                    let more = text.as_bytes()[before..offset]
                        .iter()
                        .filter(|&&b| (b & 0xC0) != 0x80)
                        .count();
                    Position {
                        line: at.line,
                        column: at.column + more,
                    }
                }
                _ => self.position(text, offset),
            };
            last = Some((offset, position));
            out.push(position);
        }
        out
    }

    /// The text of 1-based `line`, without its line ending.
    #[must_use]
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }
}

/// Escapes one JSON Pointer reference token (`~` and `/`).
#[must_use]
pub fn escape_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_token(&mut out, token);
    out
}

/// Appends `token` to `pointer`, escaped as [`escape_token`] does.
pub(crate) fn push_token(pointer: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        pointer.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The filter before scoring never changes which candidate is
        /// suggested.
        #[test]
        fn did_you_mean_suggests_what_scoring_every_candidate_would(
            word in "(a|b|c|d|é|ß|x|-){0,9}",
            others in proptest::collection::vec("(a|b|c|d|é|ß|y|-){0,9}", 0..4),
            edits in proptest::collection::vec(
                proptest::collection::vec((0usize..10, 0usize..10, "(a|é|z|)"), 1..4),
                0..5,
            ),
        ) {
            // Near misses of the word (characters replaced, moved, cut or
            // added, a few at a time) and strings of their own.
            let mut candidates: Vec<String> = edits
                .iter()
                .map(|steps| {
                    let mut near: Vec<char> = word.chars().collect();
                    for (at, to, with) in steps {
                        if near.is_empty() {
                            near.extend(with.chars());
                            continue;
                        }
                        let c = near.remove(at % near.len());
                        match with.chars().next() {
                            Some(w) if at % 2 == 0 => near.insert(to % (near.len() + 1), w),
                            Some(_) => near.insert(to % (near.len() + 1), c),
                            None => {}
                        }
                    }
                    near.into_iter().collect()
                })
                .collect();
            candidates.extend(others);
            let scored = candidates
                .iter()
                .map(|c| (strsim::jaro_winkler(&word, c), c.as_str()))
                .filter(|&(score, _)| score >= NEAR)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, c)| c);
            proptest::prop_assert_eq!(did_you_mean(&word, candidates.iter().map(String::as_str)), scored);
        }

        /// Positions found in one pass are those found one at a time.
        #[test]
        fn positions_in_one_pass_are_positions_one_by_one(
            text in "(a|é|\n|\r\n|€|x){0,60}",
            mut offsets in proptest::collection::vec(0usize..70, 0..12),
        ) {
            offsets.sort_unstable();
            let index = LineIndex::new(&text);
            let one_by_one: Vec<Position> = offsets.iter().map(|&o| index.position(&text, o)).collect();
            proptest::prop_assert_eq!(index.positions(&text, &offsets), one_by_one);
        }
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{code}"
            );
        }
    }

    #[test]
    fn did_you_mean_finds_near_misses_only() {
        assert_eq!(
            did_you_mean("pledger", ["pledgers", "beneficiary"]),
            Some("pledgers")
        );
        assert_eq!(did_you_mean("frnce", ["france", "germany"]), Some("france"));
        assert_eq!(did_you_mean("zzz", ["france", "germany"]), None);
    }
}
