//! Rendering a validation report: human, JSON, GitHub annotations.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

use ukraine_pledges::diagnostic::LineIndex;
use ukraine_pledges::{Diagnostic, Report, Severity};

use crate::escape::visible;

/// ANSI styles, or none.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(self, severity: Severity) -> String {
        match severity {
            Severity::Error => self.paint("1;31", "error"),
            Severity::Warning => self.paint("1;33", "warning"),
        }
    }
    fn accent(self, text: &str) -> String {
        self.paint("1;34", text)
    }
    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// How many diagnostics of one code in one file are printed in the human
/// and GitHub formats; the rest are counted in one closing line each
/// (`--format json` lists those the report kept, and counts the rest).
pub const SHOWN_PER_CODE_AND_FILE: usize = 50;

/// The diagnostics to print, and for each (code, file) past the limit how
/// many more there were (those the report kept beyond the limit, and those
/// it only counted), in order of first appearance.
fn capped(report: &Report) -> (Vec<&Diagnostic>, Vec<(String, String, usize)>) {
    let mut seen: HashMap<(ukraine_pledges::Code, &Path), usize> = HashMap::new();
    let mut shown = Vec::new();
    let mut order = Vec::new();
    for d in &report.diagnostics {
        let n = seen.entry((d.code, d.file.as_path())).or_insert(0);
        *n += 1;
        if *n <= SHOWN_PER_CODE_AND_FILE {
            shown.push(d);
        } else if *n == SHOWN_PER_CODE_AND_FILE + 1 {
            order.push((d.code, d.file.as_path()));
        }
    }
    let mut omitted: HashMap<(ukraine_pledges::Code, &Path), usize> = HashMap::new();
    for o in &report.omitted {
        *omitted.entry((o.code, o.file.as_path())).or_insert(0) += o.count;
        if !order.contains(&(o.code, o.file.as_path())) {
            order.push((o.code, o.file.as_path()));
        }
    }
    let more = order
        .into_iter()
        .map(|(code, file)| {
            let kept = seen.get(&(code, file)).copied().unwrap_or(0);
            let n = kept.saturating_sub(SHOWN_PER_CODE_AND_FILE)
                + omitted.get(&(code, file)).copied().unwrap_or(0);
            let file = file.display().to_string();
            (code.as_str().to_owned(), visible(&file).into_owned(), n)
        })
        .collect();
    (shown, more)
}

/// The largest file whose lines are shown under its findings.
const MAX_SHOWN_FILE: u64 = ukraine_pledges::load::MAX_FILE_SIZE;

/// Like a compiler: the message, the place, the line with a caret, the hint.
pub fn human(report: &Report, dir: &Path, style: Style) -> String {
    let mut texts: HashMap<&Path, Option<(String, LineIndex)>> = HashMap::new();
    let mut out = String::new();
    let (shown, more) = capped(report);
    for d in shown {
        let _ = writeln!(
            out,
            "{}{} {}",
            style.severity(d.severity),
            style.bold(&format!("[{}]:", d.code)),
            style.bold(&visible(&d.message))
        );
        let file = d.file.display().to_string();
        let file = visible(&file);
        let place = match (d.line, d.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            _ => file.into_owned(),
        };
        let pointer = if d.pointer.is_empty() {
            String::new()
        } else {
            format!(" at {}", visible(&d.pointer))
        };
        let width = d.line.map_or(1, |line| line.to_string().len());
        let _ = writeln!(out, "{:width$}{} {place}{pointer}", "", style.accent("-->"));
        if let (Some(line), Some(column)) = (d.line, d.column) {
            let text = texts.entry(d.file.as_path()).or_insert_with(|| {
                // The file was read to find the line; a file that is no
                // longer a regular one of that size shows no line.
                let text = ukraine_pledges::load::read_file(&d.file, MAX_SHOWN_FILE).ok()?;
                let text =
                    String::from_utf8_lossy(text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text))
                        .into_owned();
                let index = LineIndex::new(&text);
                Some((text, index))
            });
            if let Some((text, index)) = text {
                let line_text: String = index.line_text(text, line).chars().take(160).collect();
                let shown = visible(&line_text);
                let gutter = style.accent(&format!("{:width$} |", ""));
                let _ = writeln!(out, "{gutter}");
                let _ = writeln!(out, "{} {shown}", style.accent(&format!("{line} |")));
                // Under the character at `column`, counted as it is shown.
                let before: String = line_text.chars().take(column.saturating_sub(1)).collect();
                let caret_at: String = visible(&before)
                    .chars()
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let caret = style.paint(
                    if d.severity == Severity::Error {
                        "1;31"
                    } else {
                        "1;33"
                    },
                    "^",
                );
                let _ = writeln!(out, "{gutter} {caret_at}{caret}");
            }
        }
        if let Some(hint) = &d.hint {
            let _ = writeln!(
                out,
                "{:width$} {} {}",
                "",
                style.accent("= hint:"),
                visible(hint)
            );
        }
        out.push('\n');
    }
    for (code, file, n) in &more {
        let _ = writeln!(
            out,
            "… and {n} more `{code}` in {file} (`--format json` lists up to `--max-per-code` of each code and counts the rest)\n"
        );
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let _ = if errors == 0 && warnings == 0 {
        writeln!(out, "{}: valid", dir.display())
    } else {
        writeln!(
            out,
            "{}: {}, {}",
            dir.display(),
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    };
    out
}

/// One JSON object: `{"valid": bool, "diagnostics": [...], "omitted":
/// [...]}`, `omitted` counting, for each code and file past the limit, the
/// diagnostics not listed.
pub fn json(report: &Report, valid: bool) -> String {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        valid: bool,
        diagnostics: &'a [Diagnostic],
        omitted: &'a [ukraine_pledges::diagnostic::Omitted],
    }
    let mut text = serde_json::to_string_pretty(&Out {
        valid,
        diagnostics: &report.diagnostics,
        omitted: &report.omitted,
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::…`).
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    let (shown, more) = capped(report);
    for d in shown {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = d.file.display().to_string();
        let mut properties = format!("file={}", escape_property(&visible(&file)));
        if let Some(line) = d.line {
            let _ = write!(properties, ",line={line}");
        }
        if let Some(column) = d.column {
            let _ = write!(properties, ",col={column}");
        }
        let _ = write!(properties, ",title={}", escape_property(d.code.as_str()));
        let mut message = visible(&d.message).into_owned();
        if let Some(hint) = &d.hint {
            message.push_str(" (hint: ");
            message.push_str(&visible(hint));
            message.push(')');
        }
        let _ = writeln!(out, "::{command} {properties}::{}", escape_data(&message));
    }
    for (code, file, n) in &more {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            escape_property(code),
            escape_data(&format!(
                "{n} more `{code}` in {file}; `pledges validate --format json` lists up to `--max-per-code` of each code and counts the rest"
            ))
        );
    }
    out
}
