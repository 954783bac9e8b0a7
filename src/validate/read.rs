//! Layer 1: files, bytes and JSON syntax.

use std::io::ErrorKind;
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic};
use crate::locate::{self, ScanProblem};
use crate::schema::FileKind;
use crate::validate::Typed;

/// A dataset file as far as it could be read.
#[derive(Debug)]
pub(crate) struct ReadFile {
    /// The text, without a byte-order mark, when the file is UTF-8.
    pub text: Option<String>,
    /// The parsed document, when it is JSON and could not be read straight
    /// into the data model.
    pub value: Option<Value>,
    /// The document read straight into the data model: the fast path, taken
    /// when the text is clean JSON that the types accept.
    pub typed: Option<Typed>,
}

/// Reads and parses `path`, pushing what is wrong onto `out`. Byte offsets
/// in the diagnostics are turned into positions later, from `text`.
pub(crate) fn read_json(path: &Path, out: &mut Vec<(Diagnostic, Option<usize>)>) -> ReadFile {
    parse_json(path, None, std::fs::read(path), out)
}

/// Like [`read_json`], on bytes already read (or the error reading them).
pub(crate) fn parse_json(
    path: &Path,
    kind: Option<FileKind>,
    bytes: std::io::Result<Vec<u8>>,
    out: &mut Vec<(Diagnostic, Option<usize>)>,
) -> ReadFile {
    let mut file = ReadFile {
        text: None,
        value: None,
        typed: None,
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(e) => {
            let (code, message) = match e.kind() {
                ErrorKind::NotFound => (Code::MissingFile, "the file does not exist".to_owned()),
                ErrorKind::IsADirectory => {
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
    // The syntax scan (duplicate keys, positions) and the typed parse read
    // the same text on two cores; when both succeed no JSON tree is built.
    let (scan, typed) = std::thread::scope(|threads| {
        let scanner = threads.spawn(|| locate::scan(&text, &[]));
        let typed = kind.and_then(|kind| Typed::parse(kind, &text));
        (scanner.join().unwrap_or_default(), typed)
    });
    if scan.problems.is_empty() && typed.is_some() {
        file.typed = typed;
        file.text = Some(text);
        return file;
    }
    let mut fatal = false;
    for problem in scan.problems {
        fatal |= problem.is_fatal();
        let offset = problem.offset();
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
    if !fatal {
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
