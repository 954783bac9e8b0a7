//! Finding the passage of a source text that best matches a remembered quote.
//!
//! Contributors copy quotes imperfectly: curly quotes typed straight, dashes
//! and ellipses changed, line breaks and case lost, a word or two wrong or
//! missing. [`best_passage`] compares *words* (runs of letters, digits and
//! combining marks, lowercased), so punctuation, whitespace and case never
//! count, and returns a byte range of the source itself, so what it points
//! at is verbatim.
//!
//! # Bounds
//! The quote is cut to its first [`MAX_QUERY_WORDS`] words (a quote is at
//! most 300 characters, so at most 150 words). The source is read twice,
//! word by word, in time linear in its length: the first pass lets every
//! source word that is also among the quote's words (each distinct quote
//! word at no more than 4 of its positions) vote for the
//! alignment it implies, in buckets of alignments; only the buckets that can
//! still gain votes are held (at most `m / B + 2` of them, `m` quote words,
//! bucket width `B`). The best 4 buckets are scored in the second
//! pass by a word-level edit distance over a window of at most `4m + B` source
//! words: `O(CANDIDATES · m · (4m + B))`, independent of the source's length.
//!
//! The price of the bound: in a text that repeats the same few words over
//! and over, many alignments tie on votes and only the first few are
//! scored, so the passage offered may not be the closest one.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;

/// The most quote words compared; the rest are ignored.
pub const MAX_QUERY_WORDS: usize = 200;
/// How many positions of one distinct quote word vote.
const MAX_POSITIONS: usize = 4;
/// How many candidate alignments are scored exactly.
const CANDIDATES: usize = 4;

/// The passage of a source that best matches a quote.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Passage {
    /// Byte range of the passage in the source: from the start of its first
    /// word to the end of its last.
    pub range: std::ops::Range<usize>,
    /// Word edits (wrong, missing or extra words) between the quote and the passage.
    pub edits: usize,
    /// How many words the quote has (as compared).
    pub quote_words: usize,
    /// The first place the quote's words depart from the passage's, if they do.
    pub departure: Option<Departure>,
}

/// Where a quote first departs from the source's words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Departure {
    /// The quote's word there (none when the quote is shorter).
    pub quote: Option<String>,
    /// The source's word there (none when the passage ends first).
    pub source: Option<String>,
}

impl Passage {
    /// Whether the passage is close enough to the quote to offer: at most
    /// a third of the quote's words differ (a one- or two-word quote must
    /// match exactly).
    #[must_use]
    pub fn is_close(&self) -> bool {
        self.quote_words > 0
            && self.edits * 3 <= self.quote_words
            && (self.edits == 0 || self.quote_words >= 3)
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// The words of `text` in order: byte range and folded (lowercase) form
/// through `each`.
fn for_each_word(text: &str, mut each: impl FnMut(usize, usize, u64, &str) -> bool) {
    let mut folded = String::new();
    let mut start = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) {
            if start.is_none() {
                start = Some(i);
                folded.clear();
            }
            folded.extend(c.to_lowercase());
        }
        let ends = start.is_some() && chars.peek().is_none_or(|&(_, next)| !is_word_char(next));
        if ends
            && let Some(s) = start.take()
            && !each(s, i + c.len_utf8(), hash(&folded), &folded)
        {
            return;
        }
    }
}

fn hash(word: &str) -> u64 {
    let mut h = FxHasher::default();
    word.hash(&mut h);
    h.finish()
}

struct Bucket {
    id: usize,
    votes: usize,
    seen: Vec<u64>,
}

/// The passage of `source` that best matches `quote`, or `None` when no
/// word of the quote is in the source. Check [`Passage::is_close`] before
/// offering it as the quote.
#[must_use]
pub fn best_passage(source: &str, quote: &str) -> Option<Passage> {
    let mut query: Vec<String> = Vec::new();
    for_each_word(quote, |_, _, _, w| {
        query.push(w.to_owned());
        query.len() < MAX_QUERY_WORDS
    });
    let m = query.len();
    if m == 0 {
        return None;
    }
    let mut positions: HashMap<u64, Vec<usize>> = HashMap::new();
    for (j, w) in query.iter().enumerate() {
        let list = positions.entry(hash(w)).or_default();
        if list.len() < MAX_POSITIONS {
            list.push(j);
        }
    }
    // Pass 1: votes. Source word i matching quote word j implies the
    // passage starts at word i - j; bucket it as (i + m - j) / width.
    let width = (m / 2).max(4);
    let words_bits = m.div_ceil(64);
    let mut active: VecDeque<Bucket> = VecDeque::new();
    let mut best: Vec<(usize, usize)> = Vec::new(); // (votes, bucket id)
    let keep = |best: &mut Vec<(usize, usize)>, b: Bucket| {
        best.push((b.votes, b.id));
        best.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
        best.truncate(CANDIDATES);
    };
    let mut i = 0usize;
    for_each_word(source, |_, _, h, _| {
        // Buckets below i / width can gain no more votes.
        while active.front().is_some_and(|b| b.id < i / width) {
            if let Some(b) = active.pop_front() {
                keep(&mut best, b);
            }
        }
        if let Some(js) = positions.get(&h) {
            for &j in js {
                let id = (i + m - j) / width;
                let index = match active.iter().position(|b| b.id == id) {
                    Some(index) => index,
                    None => {
                        let at = active
                            .iter()
                            .position(|b| b.id > id)
                            .unwrap_or(active.len());
                        active.insert(
                            at,
                            Bucket {
                                id,
                                votes: 0,
                                seen: vec![0; words_bits],
                            },
                        );
                        at
                    }
                };
                let b = &mut active[index];
                if b.seen[j / 64] & (1 << (j % 64)) == 0 {
                    b.seen[j / 64] |= 1 << (j % 64);
                    b.votes += 1;
                }
            }
        }
        i += 1;
        true
    });
    for b in active {
        keep(&mut best, b);
    }
    if best.is_empty() {
        return None;
    }
    // Pass 2: the source words of each candidate's window.
    let windows: Vec<(usize, usize)> = best
        .iter()
        .map(|&(_, id)| {
            let first_start = (id * width).saturating_sub(m);
            let from = first_start.saturating_sub(m / 2 + 1);
            (from, first_start + width + m + m / 2 + 1)
        })
        .collect();
    let lo = windows.iter().map(|w| w.0).min().unwrap_or(0);
    let hi = windows.iter().map(|w| w.1).max().unwrap_or(0);
    let mut words: Vec<Word> = Vec::new();
    let mut k = 0usize;
    for_each_word(source, |s, e, _, w| {
        if k >= hi {
            return false;
        }
        if k >= lo && windows.iter().any(|&(a, b)| (a..b).contains(&k)) {
            words.push(Word {
                index: k,
                start: s,
                end: e,
                folded: w.to_owned(),
            });
        }
        k += 1;
        true
    });
    let mut found: Option<Passage> = None;
    for &(a, b) in &windows {
        let window: Vec<&Word> = words.iter().filter(|w| (a..b).contains(&w.index)).collect();
        if let Some(p) = align(&query, &window)
            && found
                .as_ref()
                .is_none_or(|f| (p.edits, p.range.len()) < (f.edits, f.range.len()))
        {
            found = Some(p);
        }
    }
    found
}

/// A source word: its index among the source's words, its byte range, its folded form.
struct Word {
    index: usize,
    start: usize,
    end: usize,
    folded: String,
}

/// Semi-global word edit distance: the whole quote against any stretch of
/// the window.
fn align(query: &[String], words: &[&Word]) -> Option<Passage> {
    let m = query.len();
    let n = words.len();
    if n == 0 {
        return None;
    }
    // cost[j] for the current row, with the window index where the
    // alignment started.
    let mut prev: Vec<(usize, usize)> = (0..=n).map(|x| (0, x)).collect();
    let mut cur = vec![(0usize, 0usize); n + 1];
    for (qi, q) in query.iter().enumerate() {
        cur[0] = (qi + 1, 0);
        for x in 1..=n {
            let same = words[x - 1].folded == *q;
            let diag = (prev[x - 1].0 + usize::from(!same), prev[x - 1].1);
            let up = (prev[x].0 + 1, prev[x].1);
            let left = (cur[x - 1].0 + 1, cur[x - 1].1);
            cur[x] = [diag, up, left]
                .into_iter()
                .min_by_key(|c| (c.0, std::cmp::Reverse(c.1)))
                .unwrap_or(diag);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let (end, &(edits, start)) = prev
        .iter()
        .enumerate()
        .skip(1)
        .min_by_key(|(x, c)| (c.0, x - c.1))?;
    if start >= end {
        return None;
    }
    let range = words[start].start..words[end - 1].end;
    let departure = (0..m.max(end - start)).find_map(|k| {
        let qw = query.get(k).map(String::as_str);
        let sw = (start + k < end).then(|| words[start + k].folded.as_str());
        (qw != sw).then(|| Departure {
            quote: qw.map(str::to_owned),
            source: sw.map(str::to_owned),
        })
    });
    Some(Passage {
        range,
        edits,
        quote_words: m,
        departure,
    })
}
