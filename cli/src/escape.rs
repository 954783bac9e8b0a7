//! Text from the data made safe to print: controls and invisible characters
//! shown as escapes, and markdown and HTML neutralised in the markdown diff.
//!
//! A value or a line of a file written by a stranger can hold an escape
//! sequence for the terminal, a newline followed by a GitHub workflow
//! command, a right-to-left override, or HTML for the job summary. Every
//! format escapes them, so what is printed is what the data says.

use std::borrow::Cow;
use std::fmt::Write as _;

use ukraine_pledges::model::is_invisible;

/// Whether `c` is shown as an escape: a control other than the tab, or a
/// bidirectional control or zero-width character.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\t') || is_invisible(c)
}

/// The entity for `c` in HTML text, if it needs one.
fn entity(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "&amp;",
        '<' => "&lt;",
        '>' => "&gt;",
        '"' => "&quot;",
        '\'' => "&#39;",
        _ => return None,
    })
}

/// `text` with every control (but the tab) and invisible character written
/// as `\u{…}`.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as markdown that shows it literally, within a line: visible, HTML
/// written as entities and markdown's inline punctuation escaped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match c {
            '&' | '<' | '>' => out.push_str(entity(c).unwrap_or_default()),
            '\t' => out.push(' '),
            // What makes emphasis, code, links, images, strikethrough and
            // table cells mid-line (the text never starts a line).
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` inside a markdown code span in a table: visible, no backtick to
/// close the span, no pipe to end the cell.
pub fn code_span(text: &str) -> String {
    visible(text)
        .replace('`', "'")
        .replace('|', "\\|")
        .replace('\t', " ")
}

/// `text` inside an HTML element: visible, with `&`, `<`, `>`, `"` and `'`
/// as entities.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match entity(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_invisible_characters_are_shown_as_escapes() {
        assert_eq!(visible("plain text"), "plain text");
        assert_eq!(visible("a\nb\x1b[31m"), "a\\u{000A}b\\u{001B}[31m");
        assert_eq!(visible("tab\there"), "tab\there");
        assert_eq!(visible("abc\u{202E}fed"), "abc\\u{202E}fed");
        assert_eq!(
            visible("zero\u{200B}width\u{FEFF}"),
            "zero\\u{200B}width\\u{FEFF}"
        );
    }

    #[test]
    fn markdown_and_html_from_the_data_is_never_markup() {
        assert_eq!(
            markdown("<img src=x onerror=alert(1)> [x](javascript:y) **b**"),
            "&lt;img src=x onerror=alert\\(1\\)&gt; \\[x\\]\\(javascript:y\\) \\*\\*b\\*\\*"
        );
        assert_eq!(code_span("a`b|c"), "a'b\\|c");
        assert_eq!(
            html("<code>\"x\" & 'y'</code>"),
            "&lt;code&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/code&gt;"
        );
        assert!(!markdown("line\nbreak").contains('\n'));
    }
}
