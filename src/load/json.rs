//! Layer 1: files, bytes and JSON syntax.

use std::io::ErrorKind;
use std::path::Path;

use serde_json::Value;

use super::files::{NotRegular, TooLarge};
use crate::diagnostic::{Code, Diagnostic};
use crate::load::Typed;
use crate::load::locate::{self, ScanProblem};
use crate::load::split::{Split, split_text};
use crate::schema::FileKind;

/// A dataset file as far as it could be read.
#[derive(Debug)]
pub(crate) struct ReadFile {
    /// The text, without a byte-order mark, when the file is UTF-8 and was
    /// not read on the fast path (see [`reread_text`] for those).
    pub text: Option<String>,
    /// The parsed document, when it is JSON and could not be read straight
    /// into the data model.
    pub value: Option<Value>,
    /// The document read straight into the data model: the fast path, taken
    /// when the text is clean JSON that the types accept.
    pub typed: Option<Typed>,
    /// A collection file the types refuse, read record by record: the
    /// records they accept typed, the others by their place in `text` (then `value` is
    /// `None`).
    pub split: Option<Split>,
    /// The problems the syntax scan found past `keep` of one code: counted,
    /// not made into diagnostics.
    pub skipped: Vec<(Code, usize)>,
}

/// Reads and parses `path`, pushing what is wrong onto `out`. Byte offsets
/// in the diagnostics are turned into positions later, from `text`.
pub(crate) fn read_json(
    path: &Path,
    max_size: u64,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> ReadFile {
    let bytes = super::files::read_regular(path, max_size);
    parse_json(path, None, bytes, usize::MAX, out)
}

/// The message of `file-too-large`, from the error that says the limit.
pub(crate) fn too_large_message(e: &std::io::Error) -> String {
    format!("{e}; nothing of it was read (raise the limit with --max-file-size)")
}

/// Like [`read_json`], on bytes already read (or the error reading them),
/// making diagnostics of at most `keep` syntax problems of one code (a
/// million repeated keys cost a count each past those).
pub(crate) fn parse_json(
    path: &Path,
    kind: Option<FileKind>,
    bytes: std::io::Result<Vec<u8>>,
    keep: usize,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> ReadFile {
    let mut file = ReadFile {
        text: None,
        value: None,
        typed: None,
        split: None,
        skipped: Vec::new(),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            let (code, message) = match (e.kind(), NotRegular::of(&e)) {
                (_, Some(why)) => (Code::NotAFile, why.to_string()),
                _ if TooLarge::of(&e).is_some() => (Code::FileTooLarge, too_large_message(&e)),
                (ErrorKind::NotFound, _) => {
                    (Code::MissingFile, "the file does not exist".to_owned())
                }
                (ErrorKind::IsADirectory, _) => {
                    (Code::NotAFile, "this is a directory, not a file".to_owned())
                }
                _ if path.is_dir() => {
                    (Code::NotAFile, "this is a directory, not a file".to_owned())
                }
                _ => (
                    Code::UnreadableFile,
                    format!("the file cannot be read: {e}"),
                ),
            };
            out.push((Diagnostic::new(code, path, "", message), None));
            return file;
        }
    };
    let bytes = match strip_bom(
        path,
        &bytes,
        "save the file as UTF-8 without BOM; `pledges fmt` removes it",
        out,
    ) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.push((
            Diagnostic::new(Code::EmptyFile, path, "", "the file is empty").with_hint(
                "a dataset file holds one JSON object, e.g. `{\"$schema\": …, \"pledges\": []}`",
            ),
            None,
        ));
        return file;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Report against the valid prefix, which is where the bad byte sits.
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            out.push((
                Diagnostic::new(
                    Code::InvalidUtf8,
                    path,
                    "",
                    format!("invalid UTF-8 at byte {valid}"),
                )
                .with_hint("save the file as UTF-8"),
                Some(valid),
            ));
            file.text = Some(prefix);
            return file;
        }
    };
    // The fast path: the types refuse duplicate fields, trailing content,
    // out-of-range numbers and every syntax error, so a document they accept
    // has nothing for the scan to report (a property test holds the two to
    // that). Its text is not kept: positions of later findings re-read it.
    if let Some(typed) = kind.and_then(|kind| Typed::parse(kind, &text)) {
        file.typed = Some(typed);
        return file;
    }
    let scan = locate::scan(&text, &[]);
    let mut fatal = false;
    // Only repeated keys do not stop the scan, so only they can be many.
    let mut repeats = 0usize;
    for problem in scan.problems {
        fatal |= problem.is_fatal();
        let offset = problem.offset();
        if matches!(problem, ScanProblem::DuplicateKey { .. }) {
            repeats += 1;
            if repeats > keep {
                continue;
            }
        }
        let diagnostic = match problem {
            ScanProblem::Syntax { message, .. } => {
                Diagnostic::new(Code::JsonSyntax, path, "", message)
            }
            ScanProblem::TrailingContent { .. } => Diagnostic::new(
                Code::TrailingContent,
                path,
                "",
                "unexpected content after the end of the JSON document",
            )
            .with_hint(
                "a dataset file holds exactly one JSON object; remove what follows its closing `}`",
            ),
            ScanProblem::DuplicateKey { pointer, .. } => {
                let key = pointer
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .replace("~1", "/")
                    .replace("~0", "~");
                Diagnostic::new(
                    Code::DuplicateKey,
                    path,
                    pointer.clone(),
                    format!("the key `{key}` appears twice in one object"),
                )
                .with_hint("keep one of the two; JSON readers disagree on which one wins")
            }
            ScanProblem::TooDeep { .. } => Diagnostic::new(
                Code::TooDeep,
                path,
                "",
                format!(
                    "arrays and objects are nested more than {} deep",
                    locate::MAX_DEPTH
                ),
            ),
            ScanProblem::NumberOutOfRange { .. } => Diagnostic::new(
                Code::NumberOutOfRange,
                path,
                "",
                "this number is too large to represent",
            ),
        };
        out.push((diagnostic, Some(offset)));
    }
    if repeats > keep {
        file.skipped.push((Code::DuplicateKey, repeats - keep));
    }
    // A collection file is read record by record, so that one bad record
    // costs only itself a tree; any other file, or one whose records are
    // not an array, is read whole.
    if !fatal && let Some(split) = kind.and_then(|kind| split_text(kind, &text, repeats > 0)) {
        file.split = Some(split);
    } else if !fatal {
        match serde_json::from_str(&text) {
            Ok(value) => file.value = Some(value),
            Err(e) => out.push((
                Diagnostic::new(Code::JsonSyntax, path, "", format!("{e}")),
                None,
            )),
        }
    }
    file.text = Some(text);
    file
}

/// The bytes after a UTF-8 byte-order mark, if `bytes` starts with one; the
/// mark is accepted with a warning that carries `hint`.
pub(crate) fn strip_bom<'b>(
    path: &Path,
    bytes: &'b [u8],
    hint: &str,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> Option<&'b [u8]> {
    let rest = bytes.strip_prefix(b"\xEF\xBB\xBF")?;
    out.push((
        Diagnostic::new(
            Code::Utf8Bom,
            path,
            "",
            "the file starts with a UTF-8 byte-order mark",
        )
        .with_hint(hint),
        Some(0),
    ));
    Some(rest)
}

/// The text of a file read on the fast path, read again when a finding in
/// it needs a line and column: as [`parse_json`] saw it, without a
/// byte-order mark.
pub(crate) fn reread_text(bytes: std::io::Result<Vec<u8>>) -> Option<String> {
    let mut bytes = bytes.ok()?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PLEDGES: &str = include_str!("../../tests/fixtures/valid/pledges.json");
    const ACTORS: &str = include_str!("../../tests/fixtures/valid/actors.json");

    /// A valid file with one line repeated, removed or spliced with
    /// arbitrary text: the edits that make duplicate keys, trailing content
    /// and broken syntax.
    fn edited(text: &'static str) -> impl Strategy<Value = String> {
        let lines = text.lines().count();
        (
            0..lines,
            0..lines,
            0..3u8,
            "[ -~]{0,6}|\\\\u[dD][89aAbB][0-9a-fA-F]{2}|1e999|,|\\}|\"",
        )
            .prop_map(move |(a, b, edit, splice)| {
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                match edit {
                    0 => {
                        let line = lines[a].clone();
                        lines.insert(b, line);
                    }
                    1 => {
                        lines.remove(a);
                    }
                    _ => {
                        let at = lines[a].len() / 2;
                        let at = (0..=at)
                            .rev()
                            .find(|&i| lines[a].is_char_boundary(i))
                            .unwrap_or(0);
                        lines[a].insert_str(at, &splice);
                    }
                }
                lines.join("\n")
            })
    }

    proptest! {
        /// The fast path skips the syntax scan: whatever the types accept,
        /// the scan finds nothing wrong with.
        #[test]
        fn typed_parse_accepts_only_what_the_scan_passes(
            (kind, text) in prop_oneof![
                edited(PLEDGES).prop_map(|t| (FileKind::Pledges, t)),
                edited(ACTORS).prop_map(|t| (FileKind::Actors, t)),
            ]
        ) {
            if Typed::parse(kind, &text).is_some() {
                let scan = locate::scan(&text, &[]);
                prop_assert!(scan.problems.is_empty(), "{:?}", scan.problems);
            }
        }
    }

    #[test]
    fn a_duplicate_key_takes_the_slow_path() {
        let text = PLEDGES.replacen(
            "\"status\": \"committed\",",
            "\"status\": \"committed\",\n      \"status\": \"committed\",",
            1,
        );
        assert!(Typed::parse(FileKind::Pledges, &text).is_none());
        let mut out = Vec::new();
        let file = parse_json(
            Path::new("pledges.json"),
            Some(FileKind::Pledges),
            Ok(text.into_bytes()),
            usize::MAX,
            &mut out,
        );
        assert!(file.typed.is_none());
        assert!(
            out.iter().any(|(d, _)| d.code == Code::DuplicateKey),
            "{out:?}"
        );
    }
}
