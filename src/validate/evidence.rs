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
    fn longest_prefix_counts_characters() {
        assert_eq!(longest_found_prefix("abcdé x", "abcdéf"), 5);
        assert_eq!(longest_found_prefix("abc", "xyz"), 0);
        assert_eq!(longest_found_prefix("abc", "abc"), 3);
    }
}
