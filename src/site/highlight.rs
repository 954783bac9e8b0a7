//! Highlighting quoted passages in an archived text: well-nested `<mark>`s, however the passages overlap.

use std::fmt::Write as _;
use std::ops::Range;

/// `text` as HTML (to go inside an element that keeps its whitespace), with
/// each of `passages` (byte ranges on character boundaries, none empty, in
/// the order they are numbered from 1) marked: its first piece is
/// `<mark id="q{n}">`, a piece reopened after an overlapping passage ended
/// inside it is `<mark class="cont">`, and where it ends comes a numbered
/// link to `#passage-{n}`. The marks are always well nested, and the text
/// content (without the `<sup class="ref">` links) is `text`.
pub(crate) fn highlight(text: &str, passages: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + passages.len() * 96);
    // Boundaries: where passages start or end.
    let mut starts: Vec<usize> = (0..passages.len()).collect();
    // Outermost first: the earliest start, then the latest end.
    starts.sort_by(|&a, &b| {
        let (a, b) = (&passages[a], &passages[b]);
        a.start.cmp(&b.start).then(b.end.cmp(&a.end))
    });
    let mut cuts: Vec<usize> = passages.iter().flat_map(|p| [p.start, p.end]).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut open: Vec<usize> = Vec::new();
    let mut next_start = 0;
    let mut at = 0;
    for cut in cuts {
        let cut = cut.min(text.len());
        if cut > at {
            escape_into(&mut out, &text[at..cut]);
            at = cut;
        }
        // Close the passages that end here, and whatever is open inside them.
        if let Some(lowest) = open.iter().position(|&k| passages[k].end <= cut) {
            let above: Vec<usize> = open.drain(lowest..).collect();
            for &k in above.iter().rev() {
                out.push_str("</mark>");
                if passages[k].end <= cut {
                    let n = k + 1;
                    let _ = write!(
                        out,
                        "<sup class=\"ref\"><a href=\"#passage-{n}\" aria-label=\"passage {n}\">{n}</a></sup>"
                    );
                }
            }
            for k in above {
                if passages[k].end > cut {
                    out.push_str("<mark class=\"cont\">");
                    open.push(k);
                }
            }
        }
        while next_start < starts.len() && passages[starts[next_start]].start <= cut {
            let k = starts[next_start];
            next_start += 1;
            if passages[k].end > cut {
                let _ = write!(out, "<mark id=\"q{}\">", k + 1);
                open.push(k);
            }
        }
    }
    if at < text.len() {
        escape_into(&mut out, &text[at..]);
    }
    for _ in open {
        out.push_str("</mark>");
    }
    out
}

/// `text` with `&`, `<` and `>` as entities, for element content.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The text content of `html` (entities decoded, `sup` elements
    /// skipped), and whether its elements are well nested.
    fn read(html: &str) -> (String, bool) {
        use html5gum::{Token, Tokenizer};
        let mut text = String::new();
        let mut stack: Vec<Vec<u8>> = Vec::new();
        let mut in_sup = 0;
        for token in Tokenizer::new(html).flatten() {
            match token {
                Token::StartTag(tag) => {
                    if tag.name.as_slice() == b"sup" {
                        in_sup += 1;
                    }
                    stack.push(tag.name.to_vec());
                }
                Token::EndTag(tag) => {
                    if stack.pop().as_deref() != Some(tag.name.as_slice()) {
                        return (text, false);
                    }
                    if tag.name.as_slice() == b"sup" {
                        in_sup -= 1;
                    }
                }
                Token::String(s) if in_sup == 0 => {
                    text.push_str(&String::from_utf8_lossy(&s.value));
                }
                _ => {}
            }
        }
        (text, stack.is_empty())
    }

    #[test]
    fn overlapping_passages_nest_and_keep_the_text() {
        let text = "one two three four";
        let html = highlight(text, &[0..7, 4..13, 8..13]);
        let (content, nested) = read(&html);
        assert!(nested, "{html}");
        assert_eq!(content, text);
        assert!(html.contains("<mark id=\"q1\">one <mark id=\"q2\">two"));
        assert!(html.contains("<mark id=\"q3\">three</mark>"));
        assert_eq!(html.matches("id=\"q").count(), 3);
    }

    #[test]
    fn markup_in_the_text_stays_text() {
        let html = highlight("a <b>&</mark> c", &[Range { start: 2, end: 13 }]);
        assert_eq!(
            html,
            "a <mark id=\"q1\">&lt;b&gt;&amp;&lt;/mark&gt;</mark><sup class=\"ref\"><a href=\"#passage-1\" aria-label=\"passage 1\">1</a></sup> c"
        );
    }

    proptest! {
        /// Any passages over any text: well-nested marks, one `id` per
        /// passage, and the text content is the text.
        #[test]
        fn any_passages_give_well_nested_marks_over_the_same_text(
            text in "[a-c<>&\"' \\n\u{e9}\u{1F600}]{0,30}",
            raw in proptest::collection::vec((0usize..40, 1usize..15), 0..8),
        ) {
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let passages: Vec<Range<usize>> = raw
                .into_iter()
                .filter_map(|(s, len)| {
                    let s = s % bounds.len();
                    let e = (s + len).min(bounds.len() - 1);
                    (e > s).then(|| bounds[s]..bounds[e])
                })
                .collect();
            let html = highlight(&text, &passages);
            let (content, nested) = read(&html);
            prop_assert!(nested, "{}", html);
            prop_assert_eq!(content, text);
            for n in 1..=passages.len() {
                let id = format!("id=\"q{n}\"");
                prop_assert_eq!(html.matches(&id).count(), 1);
            }
        }
    }
}
