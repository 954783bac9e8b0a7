//! Layer 5: quotes against the archived sources.

use std::collections::HashMap;
use std::path::Path;

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

use crate::diagnostic::{Code, Diagnostic};
use crate::schema::FileKind;
use crate::validate::matcher::{Departure, Passage, best_passage};
use crate::validate::schema::preview;
use crate::validate::{Files, Records};

/// Folds the differences a quote may have from its source: every run of
/// whitespace becomes one space (and none at the ends), curly quote marks
/// become straight ones, and the text is put in Unicode NFC.
#[must_use]
pub fn fold_quote_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfc() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
            c => c,
        });
    }
    out
}

/// A source text folded as [`fold_quote_text`] folds it, remembering where
/// each folded character came from, so that a quote found in the folded
/// text (as the validator finds it) can be pointed at in the original.
///
/// ```
/// use ukraine_pledges::validate::QuoteLocator;
///
/// let text = "France pledged \u{201C}two   ships\u{201D}.";
/// let range = QuoteLocator::new(text).find("pledged \"two ships\"").unwrap();
/// assert_eq!(&text[range], "pledged \u{201C}two   ships\u{201D}");
/// ```
#[derive(Clone, Debug)]
pub struct QuoteLocator {
    folded: String,
    /// For each byte of `folded`, the byte range of the original text it
    /// stands for (a folded space stands for a whole run of whitespace).
    origins: Vec<(usize, usize)>,
}

impl QuoteLocator {
    /// Folds `text` once, for any number of look-ups.
    #[must_use]
    pub fn new(text: &str) -> Self {
        let mut locator = Self {
            folded: String::with_capacity(text.len()),
            origins: Vec::with_capacity(text.len()),
        };
        // What `fold_quote_text` does to the NFC characters, each with the
        // original range it comes from. NFC is taken a piece at a time (a
        // run of whitespace; in a word, a starter and the marks after it),
        // and a word whose pieces normalise differently from the whole is
        // taken whole, so the folded text is exactly `fold_quote_text`'s.
        let mut pending_space: Option<(usize, usize)> = None;
        let mut push = |locator: &mut Self, c: char, from: (usize, usize)| {
            if c.is_whitespace() {
                if !locator.folded.is_empty() {
                    pending_space = Some(pending_space.map_or(from, |(s, _)| (s, from.1)));
                }
                return;
            }
            if let Some(space) = pending_space.take() {
                locator.folded.push(' ');
                locator.origins.push(space);
            }
            let c = match c {
                '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
                '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
                c => c,
            };
            locator.folded.push(c);
            for _ in 0..c.len_utf8() {
                locator.origins.push(from);
            }
        };
        for (start, word) in pieces(text, char::is_whitespace) {
            let end = start + word.len();
            if word.starts_with(char::is_whitespace) || word.is_ascii() {
                for (i, c) in word.char_indices() {
                    push(&mut locator, c, (start + i, start + i + c.len_utf8()));
                }
                continue;
            }
            let starter = |c: char| unicode_normalization::char::canonical_combining_class(c) == 0;
            let whole: String = word.nfc().collect();
            let mut by_piece = Vec::new();
            let mut joined = String::with_capacity(whole.len());
            let mut piece_start = 0;
            for (i, c) in word.char_indices().skip(1) {
                if starter(c) {
                    by_piece.push((piece_start, i));
                    piece_start = i;
                }
            }
            by_piece.push((piece_start, word.len()));
            for &(a, b) in &by_piece {
                joined.extend(word[a..b].nfc());
            }
            if joined == whole {
                for (a, b) in by_piece {
                    for c in word[a..b].nfc() {
                        push(&mut locator, c, (start + a, start + b));
                    }
                }
            } else {
                for c in whole.chars() {
                    push(&mut locator, c, (start, end));
                }
            }
        }
        locator
    }

    /// The text as [`fold_quote_text`] folds it.
    #[must_use]
    pub fn folded(&self) -> &str {
        &self.folded
    }

    /// The byte range of the original text where `quote` is, by the
    /// validator's rule (the folded quote is in the folded text; its first
    /// occurrence), from the start of its first character to the end of
    /// its last; `None` when the validator would report it not found.
    #[must_use]
    pub fn find(&self, quote: &str) -> Option<std::ops::Range<usize>> {
        let quote = fold_quote_text(quote);
        if quote.is_empty() {
            return None;
        }
        let at = self.folded.find(&quote)?;
        let start = self.origins[at].0;
        let end = self.origins[at + quote.len() - 1].1;
        Some(start..end)
    }
}

/// `text` cut into runs that are all `split` characters or all not, each
/// with its byte offset.
fn pieces(text: &str, split: fn(char) -> bool) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut offset = 0;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let kind = split(first);
        let len = rest.find(|c| split(c) != kind).unwrap_or(rest.len());
        let (piece, tail) = rest.split_at(len);
        let at = offset;
        offset += len;
        rest = tail;
        Some((at, piece))
    })
}

/// The byte range of `text` where `quote` is, by the validator's rule (see
/// [`QuoteLocator::find`]); fold the text once with [`QuoteLocator::new`]
/// to look up many quotes.
#[must_use]
pub fn locate_quote(text: &str, quote: &str) -> Option<std::ops::Range<usize>> {
    QuoteLocator::new(text).find(quote)
}

/// The SHA-256 of `bytes` in lowercase hex, as `archive.sha256` records it.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Checks each source's archived file and each quote against it.
pub(crate) fn check(
    records: &Records,
    files: &Files,
    archive: &Path,
    max_size: u64,
    out: &mut Vec<Diagnostic>,
) {
    // Each source: its text as read, and folded for the containment check.
    let mut texts: HashMap<&str, (String, String)> = HashMap::new();
    for (index, source) in &records.sources {
        let file = archive.join(source.archive.file.as_str());
        let bytes = match crate::load::files::read_regular(&file, max_size) {
            Ok(bytes) => bytes,
            Err(e) if crate::load::files::TooLarge::of(&e).is_some() => {
                out.push(
                    Diagnostic::new(
                        Code::FileTooLarge,
                        &files.sources,
                        format!("/sources/{index}/archive/file"),
                        format!(
                            "the archived text {}: {e}; nothing of it was read",
                            file.display()
                        ),
                    )
                    .with_hint(
                        "archive the text alone, or raise the limit with --max-archive-file-size",
                    ),
                );
                continue;
            }
            Err(e) => {
                out.push(
                    Diagnostic::new(
                        Code::ArchiveMissing,
                        &files.sources,
                        format!("/sources/{index}/archive/file"),
                        format!("cannot read the archived text {}: {e}", file.display()),
                    )
                    .with_hint("add the file to the archive directory, named exactly as `archive.file` says"),
                );
                continue;
            }
        };
        let digest = sha256_hex(&bytes);
        if digest != source.archive.sha256.as_str() {
            out.push(
                Diagnostic::new(
                    Code::ArchiveChecksum,
                    &files.sources,
                    format!("/sources/{index}/archive/sha256"),
                    format!("{} has SHA-256 {digest}, not the one recorded", file.display()),
                )
                .with_hint("archive the exact bytes you quoted from; if the file is right, record its hash (`sha256sum FILE`)"),
            );
        }
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let folded = fold_quote_text(&raw);
        texts.insert(source.id.as_str(), (raw, folded));
    }
    // The search for the source's own words reads the whole source: it is
    // run for the first few quotes not found only, so that a file of many
    // wrong quotes against a large source stays linear in the input.
    let mut searches_left = MAX_PASSAGE_SEARCHES;
    let quoted = records
        .pledges
        .iter()
        .map(|(i, p)| (FileKind::Pledges, i, p.evidence.as_slice()))
        .chain(
            records
                .events
                .iter()
                .map(|(i, e)| (FileKind::Events, i, e.evidence.as_slice())),
        )
        .chain(
            records
                .statements
                .iter()
                .map(|(i, x)| (FileKind::Statements, i, x.evidence.as_slice())),
        );
    for (kind, index, evidence_list) in quoted {
        let collection = crate::tables::collection(kind);
        for (j, evidence) in evidence_list.iter().enumerate() {
            let Some((raw, text)) = texts.get(evidence.source.as_str()) else {
                continue;
            };
            let quote = fold_quote_text(evidence.quote.as_str());
            if text.contains(&quote) {
                continue;
            }
            let matched = longest_found_prefix(text, &quote);
            let rest: String = quote.chars().skip(matched).collect();
            let d = Diagnostic::new(
                Code::QuoteNotFound,
                files.path(kind),
                format!("/{collection}/{index}/evidence/{j}/quote"),
                format!(
                    "the quote is not in the archived text of `{}`",
                    evidence.source
                ),
            );
            let passage = if searches_left > 0 {
                searches_left -= 1;
                best_passage(raw, evidence.quote.as_str()).filter(Passage::is_close)
            } else {
                None
            };
            out.push(if let Some(p) = passage {
                d.with_hint(passage_hint(&raw[p.range.clone()], p.departure.as_ref()))
            } else if matched < 12 {
                d.with_hint("copy the words exactly as the source has them")
            } else {
                d.with_hint(format!(
                    "the first {matched} characters match; the source differs from here: `{}`",
                    preview(&rest)
                ))
            });
        }
    }
}

/// How many quotes not found get the search for the source's own words.
const MAX_PASSAGE_SEARCHES: usize = 16;

/// The hint for a quote whose source has a close passage: that passage
/// (shortened) and the first word where the quote departs from it.
fn passage_hint(passage: &str, departure: Option<&Departure>) -> String {
    let passage = passage.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = |w: Option<&String>| {
        w.map_or_else(|| "nothing".to_owned(), |w| format!("`{}`", preview(w)))
    };
    let departs = match departure {
        Some(d) => format!(
            "; it has {} where the quote has {}",
            words(d.source.as_ref()),
            words(d.quote.as_ref())
        ),
        None => "; the words are the same, the punctuation differs".to_owned(),
    };
    format!(
        "the source's words are `{}`{departs} (`pledges quote SOURCE TEXT --archive DIR` prints the passage to paste)",
        preview(&passage)
    )
}

/// How many leading characters of `quote` occur somewhere in `text`.
fn longest_found_prefix(text: &str, quote: &str) -> usize {
    let ends: Vec<usize> = quote
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    // Occurrence of a prefix is monotone in its length: binary search.
    let (mut lo, mut hi) = (0, ends.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text.contains(&quote[..ends[mid - 1]]) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_forgives_whitespace_and_curly_quotes_only() {
        assert_eq!(
            fold_quote_text("  Ukraine’s\n  “future”  "),
            "Ukraine's \"future\""
        );
        assert_ne!(fold_quote_text("defense"), fold_quote_text("defence"));
    }

    #[test]
    fn a_located_quote_is_the_original_words() {
        let text = "Allies met.\nFrance pledged \u{201C}two   ships\u{201D} for  the\tsea. Caf\u{0065}\u{0301} noir.";
        let range = locate_quote(text, "pledged \"two ships\" for the").unwrap();
        assert_eq!(&text[range], "pledged \u{201C}two   ships\u{201D} for  the");
        // A decomposed é in the source, a composed one in the quote.
        let range = locate_quote(text, "Caf\u{e9} noir").unwrap();
        assert_eq!(&text[range], "Caf\u{0065}\u{0301} noir");
        assert_eq!(locate_quote(text, "three ships"), None);
        assert_eq!(locate_quote(text, "   "), None);
    }

    proptest::proptest! {
        /// The locator finds what the validator's containment check finds,
        /// and what it points at folds to the quote.
        #[test]
        fn the_locator_agrees_with_the_validator(
            text in "([a-c \n\t\u{2019}\u{201C}\u{301}\u{327}\u{e9}\u{2000}]|e\u{301}){0,40}",
            from in 0usize..40,
            len in 0usize..12,
        ) {
            let locator = QuoteLocator::new(&text);
            proptest::prop_assert_eq!(locator.folded(), fold_quote_text(&text));
            let chars: Vec<char> = text.chars().collect();
            let quote: String = chars.iter().skip(from).take(len).collect();
            let found = locator.find(&quote);
            let folded_quote = fold_quote_text(&quote);
            let contained = !folded_quote.is_empty() && fold_quote_text(&text).contains(&folded_quote);
            proptest::prop_assert_eq!(found.is_some(), contained);
            if let Some(range) = found {
                let at = fold_quote_text(&text[range.clone()]);
                // The range covers the quote; rounded out to whole pieces
                // (a letter and its marks) it may hold a little more.
                proptest::prop_assert!(at.contains(&folded_quote), "{:?} in {:?}", folded_quote, at);
                proptest::prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            }
        }
    }

    #[test]
    fn longest_prefix_counts_characters() {
        assert_eq!(longest_found_prefix("abcdé x", "abcdéf"), 5);
        assert_eq!(longest_found_prefix("abc", "xyz"), 0);
        assert_eq!(longest_found_prefix("abc", "abc"), 3);
    }
}
