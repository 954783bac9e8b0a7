//! Positions in JSON text: a small scanner that checks the syntax, finds
//! duplicate keys, and maps JSON Pointers back to line and column.
//!
//! `serde_json` tells us *that* a document is malformed and where, but it
//! keeps the last of two duplicate keys without a word and cannot say where
//! the value at `/pledges/3/evidence/0` starts. This scanner does both, in
//! one pass, without building a tree and without recursion, so a document
//! nested 100,000 deep costs no stack.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::escape_token;

/// The deepest nesting of arrays and objects the scanner accepts. Real
/// dataset files nest five deep; `serde_json` refuses anything past 128.
pub const MAX_DEPTH: usize = 64;

/// What the scanner found wrong with a document.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScanProblem {
    /// The text is not JSON at `offset`.
    Syntax {
        /// Byte offset of the problem.
        offset: usize,
        /// What was expected or found.
        message: String,
    },
    /// A key appears twice in one object; `pointer` names the second.
    DuplicateKey {
        /// Byte offset of the second occurrence of the key.
        offset: usize,
        /// JSON Pointer of the member.
        pointer: String,
    },
    /// Arrays and objects are nested deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Byte offset of the opening bracket that went too deep.
        offset: usize,
    },
    /// A number too large to represent (it would be infinite as a float).
    NumberOutOfRange {
        /// Byte offset of the number.
        offset: usize,
    },
    /// Something other than whitespace follows the document.
    TrailingContent {
        /// Byte offset of the first byte after the document.
        offset: usize,
    },
}

impl ScanProblem {
    /// The byte offset the problem is at.
    #[must_use]
    pub fn offset(&self) -> usize {
        match self {
            Self::Syntax { offset, .. }
            | Self::DuplicateKey { offset, .. }
            | Self::TooDeep { offset }
            | Self::NumberOutOfRange { offset }
            | Self::TrailingContent { offset } => *offset,
        }
    }

    /// Whether the document cannot be read at all (as opposed to read with
    /// a duplicate key).
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        !matches!(self, Self::DuplicateKey { .. })
    }
}

/// The result of [`scan`].
#[derive(Debug, Default)]
pub struct Scan {
    /// Problems, in the order they occur. After a fatal one the scan stops.
    pub problems: Vec<ScanProblem>,
    /// Byte offset of each pointer asked for: for an object member, of its
    /// key; for an array item or the root, of the value. `None` when the
    /// document has no such value.
    pub offsets: HashMap<String, usize>,
}

enum Frame {
    Object {
        /// The keys seen so far: FNV hash of the decoded key, and where it is.
        keys: Vec<(u64, usize, usize)>,
        /// For an object of many keys, each hash's places in `keys`, so that
        /// a key is checked against those of its hash only: linear in the
        /// object's size, where a search of `keys` would be quadratic.
        by_hash: Option<HashMap<u64, Vec<usize>>>,
        base_len: usize,
    },
    Array {
        index: usize,
        base_len: usize,
    },
}

/// From how many keys an object's keys are indexed by hash. Records have
/// about fifteen; a hostile file can have millions in one object.
const INDEX_KEYS_FROM: usize = 32;

/// Scans `text`, reporting problems and the offsets of the `wanted`
/// pointers (`""` is the root).
#[must_use]
pub fn scan(text: &str, wanted: &[&str]) -> Scan {
    let wanted: HashSet<&str> = wanted.iter().copied().collect();
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
        out: Scan::default(),
        wanted,
        pointer: String::new(),
    };
    scanner.document();
    scanner.out
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    out: Scan,
    wanted: HashSet<&'a str>,
    pointer: String,
}

fn describe(byte: Option<u8>) -> String {
    match byte {
        None => "the end of the file".to_owned(),
        Some(b) if b.is_ascii_graphic() => format!("`{}`", b as char),
        Some(b) => format!("byte 0x{b:02x}"),
    }
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn fail(&mut self, message: String) -> Option<()> {
        self.out.problems.push(ScanProblem::Syntax {
            offset: self.pos,
            message,
        });
        None
    }

    fn mark(&mut self, offset: usize) {
        if !self.wanted.is_empty() && self.wanted.contains(self.pointer.as_str()) {
            self.out.offsets.insert(self.pointer.clone(), offset);
        }
    }

    fn document(&mut self) {
        self.skip_ws();
        if self.value().is_none() {
            return;
        }
        self.skip_ws();
        if self.pos < self.bytes.len() {
            self.out
                .problems
                .push(ScanProblem::TrailingContent { offset: self.pos });
        }
    }

    /// Scans one value (and everything inside it) iteratively.
    fn value(&mut self) -> Option<()> {
        let mut stack: Vec<Frame> = Vec::new();
        self.mark(self.pos);
        loop {
            // At the start of a value.
            self.skip_ws();
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    if stack.len() >= MAX_DEPTH {
                        self.out
                            .problems
                            .push(ScanProblem::TooDeep { offset: self.pos });
                        return None;
                    }
                    let is_object = self.peek() == Some(b'{');
                    self.pos += 1;
                    self.skip_ws();
                    let base_len = self.pointer.len();
                    if is_object {
                        stack.push(Frame::Object {
                            keys: Vec::new(),
                            by_hash: None,
                            base_len,
                        });
                        if self.peek() == Some(b'}') {
                            self.pos += 1;
                            stack.pop();
                        } else {
                            self.member_key(&mut stack)?;
                            continue;
                        }
                    } else {
                        stack.push(Frame::Array { index: 0, base_len });
                        if self.peek() == Some(b']') {
                            self.pos += 1;
                            stack.pop();
                        } else {
                            self.pointer.push_str("/0");
                            self.mark(self.pos);
                            continue;
                        }
                    }
                }
                Some(b'"') => {
                    self.string(None)?;
                }
                Some(b't') => self.literal("true")?,
                Some(b'f') => self.literal("false")?,
                Some(b'n') => self.literal("null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                other => return self.fail(format!("expected a value, found {}", describe(other))),
            }
            // After a complete value: close containers or go to the next item.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Some(());
                };
                self.skip_ws();
                match (frame, self.peek()) {
                    (Frame::Object { base_len, .. }, Some(b',')) => {
                        let base_len = *base_len;
                        self.pos += 1;
                        self.skip_ws();
                        self.pointer.truncate(base_len);
                        self.member_key(&mut stack)?;
                        break;
                    }
                    (Frame::Object { base_len, .. }, Some(b'}')) => {
                        self.pointer.truncate(*base_len);
                        self.pos += 1;
                        stack.pop();
                    }
                    (Frame::Array { index, base_len }, Some(b',')) => {
                        *index += 1;
                        let index = *index;
                        self.pointer.truncate(*base_len);
                        self.pointer.push('/');
                        self.pointer.push_str(&index.to_string());
                        self.pos += 1;
                        self.skip_ws();
                        self.mark(self.pos);
                        break;
                    }
                    (Frame::Array { base_len, .. }, Some(b']')) => {
                        self.pointer.truncate(*base_len);
                        self.pos += 1;
                        stack.pop();
                    }
                    (Frame::Object { .. }, other) => {
                        return self.fail(format!(
                            "expected `,` or `}}` after an object member, found {}",
                            describe(other)
                        ));
                    }
                    (Frame::Array { .. }, other) => {
                        return self.fail(format!(
                            "expected `,` or `]` after an array item, found {}",
                            describe(other)
                        ));
                    }
                }
            }
        }
    }

    /// Reads `"key" :` inside the object on top of `stack` and points the
    /// pointer at that member.
    fn member_key(&mut self, stack: &mut [Frame]) -> Option<()> {
        let key_offset = self.pos;
        if self.peek() != Some(b'"') {
            let found = describe(self.peek());
            return self.fail(format!("expected a key in double quotes, found {found}"));
        }
        // Keys are compared without allocating: by hash, then by decoded text.
        let start = self.pos;
        self.string(None)?;
        let end = self.pos;
        let key = self.decoded(start, end);
        self.pointer.push('/');
        if key.contains(['~', '/']) {
            self.pointer.push_str(&escape_token(&key));
        } else {
            self.pointer.push_str(&key);
        }
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let same = |&(h, s, e): &(u64, usize, usize)| h == hash && self.decoded(s, e) == key;
        let duplicate = match stack.last() {
            Some(Frame::Object {
                keys,
                by_hash: Some(index),
                ..
            }) => index
                .get(&hash)
                .is_some_and(|places| places.iter().any(|&i| same(&keys[i]))),
            Some(Frame::Object { keys, .. }) => keys.iter().any(same),
            _ => false,
        };
        if duplicate {
            self.out.problems.push(ScanProblem::DuplicateKey {
                offset: key_offset,
                pointer: self.pointer.clone(),
            });
        } else if let Some(Frame::Object { keys, by_hash, .. }) = stack.last_mut() {
            keys.push((hash, start, end));
            if let Some(index) = by_hash {
                index.entry(hash).or_default().push(keys.len() - 1);
            } else if keys.len() > INDEX_KEYS_FROM {
                let mut index: HashMap<u64, Vec<usize>> = HashMap::new();
                for (i, &(h, ..)) in keys.iter().enumerate() {
                    index.entry(h).or_default().push(i);
                }
                *by_hash = Some(index);
            }
        }
        self.mark(key_offset);
        self.skip_ws();
        if self.peek() != Some(b':') {
            let found = describe(self.peek());
            return self.fail(format!("expected `:` after the key, found {found}"));
        }
        self.pos += 1;
        Some(())
    }

    /// The decoded text of the string token at `start..end` (quotes
    /// included), borrowed when it has no escapes.
    fn decoded(&self, start: usize, end: usize) -> std::borrow::Cow<'a, str> {
        let inner = &self.bytes[start + 1..end - 1];
        let text = std::str::from_utf8(inner).unwrap_or("");
        if !text.contains('\\') {
            return std::borrow::Cow::Borrowed(text);
        }
        let mut sub = Scanner {
            bytes: &self.bytes[..end],
            pos: start,
            out: Scan::default(),
            wanted: HashSet::new(),
            pointer: String::new(),
        };
        let mut out = String::new();
        let _ = sub.string(Some(&mut out));
        std::borrow::Cow::Owned(out)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Some(())
        } else {
            self.fail(format!("expected a value, found {}", describe(self.peek())))
        }
    }

    fn number(&mut self) -> Option<()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            other => return self.fail(format!("expected a digit, found {}", describe(other))),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.fail(format!(
                    "expected a digit after `.`, found {}",
                    describe(self.peek())
                ));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return self.fail(format!(
                    "expected a digit in the exponent, found {}",
                    describe(self.peek())
                ));
            }
            self.digits();
        }
        // The slice is ASCII digits and signs, so this is valid UTF-8.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or("0");
        if text.parse::<f64>().is_ok_and(f64::is_infinite) {
            self.out
                .problems
                .push(ScanProblem::NumberOutOfRange { offset: start });
            return None;
        }
        Some(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let hex = self.bytes.get(self.pos..self.pos + 4)?;
        let text = std::str::from_utf8(hex).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += 4;
        u32::from_str_radix(text, 16).ok()
    }

    /// Scans a string; when `into` is given, decodes it there.
    fn string(&mut self, mut into: Option<&mut String>) -> Option<()> {
        self.pos += 1; // opening quote
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            if let Some(out) = into.as_deref_mut() {
                // The input is a &str and we stopped at ASCII bytes, so the
                // run is on character boundaries.
                out.push_str(std::str::from_utf8(&self.bytes[run_start..self.pos]).unwrap_or(""));
            }
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Some(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            if let Some(out) = into.as_deref_mut() {
                                out.push(c);
                            }
                            continue;
                        }
                        other => {
                            return self.fail(format!(
                                "invalid escape `\\{}` in a string",
                                describe(other).trim_matches('`')
                            ));
                        }
                    };
                    self.pos += 1;
                    if let Some(out) = into.as_deref_mut() {
                        out.push(escaped);
                    }
                }
                None => {
                    return self.fail(
                        "the file ends inside a string (a closing `\"` is missing)".to_owned(),
                    );
                }
                Some(_) => {
                    return self.fail(
                        "control character in a string: write it as an escape such as `\\n`"
                            .to_owned(),
                    );
                }
            }
        }
    }

    /// Decodes the hex digits of `\uXXXX` (and a following low surrogate).
    fn unicode_escape(&mut self) -> Option<char> {
        let Some(first) = self.hex4() else {
            self.fail("expected four hexadecimal digits after `\\u`".to_owned())?;
            return None;
        };
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                self.fail("a `\\u` high surrogate must be followed by a low surrogate".to_owned())?;
            }
            self.pos += 2;
            match self.hex4() {
                Some(second) if (0xDC00..0xE000).contains(&second) => {
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                }
                _ => {
                    self.fail(
                        "a `\\u` high surrogate must be followed by a low surrogate".to_owned(),
                    )?;
                    return None;
                }
            }
        } else if (0xDC00..0xE000).contains(&first) {
            self.fail("a `\\u` low surrogate without a high surrogate before it".to_owned())?;
            return None;
        } else {
            first
        };
        char::from_u32(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{LineIndex, Position};

    fn problems(text: &str) -> Vec<ScanProblem> {
        scan(text, &[]).problems
    }

    #[test]
    fn accepts_valid_json_of_every_kind() {
        for text in [
            "{}",
            "[]",
            "0",
            "-0.5e+3",
            r#""a\u00e9\ud83d\ude00""#,
            r#"{"a":[1,{"b":null}],"c":true}"#,
            " [ 1 , 2 ] ",
        ] {
            assert_eq!(problems(text), vec![], "{text}");
        }
    }

    #[test]
    fn reports_duplicate_keys_with_pointer_of_second() {
        let text = "{\"a\": {\"x\": 1, \"x\": 2}}";
        assert_eq!(
            problems(text),
            vec![ScanProblem::DuplicateKey {
                offset: 15,
                pointer: "/a/x".into()
            }]
        );
    }

    #[test]
    fn escaped_key_equal_to_plain_key_is_a_duplicate() {
        assert_eq!(problems(r#"{"a":1,"\u0061":2}"#).len(), 1);
    }

    #[test]
    fn reports_syntax_error_offsets() {
        assert_eq!(
            problems("{\"a\" 1}"),
            vec![ScanProblem::Syntax {
                offset: 5,
                message: "expected `:` after the key, found `1`".into()
            }]
        );
        assert!(matches!(
            problems("[1,]")[0],
            ScanProblem::Syntax { offset: 3, .. }
        ));
        assert!(matches!(
            problems("")[0],
            ScanProblem::Syntax { offset: 0, .. }
        ));
        assert!(matches!(
            problems("\"abc")[0],
            ScanProblem::Syntax { offset: 4, .. }
        ));
        assert_eq!(
            problems("{} x"),
            vec![ScanProblem::TrailingContent { offset: 3 }]
        );
        assert_eq!(
            problems(&format!("1{}", "0".repeat(400))),
            vec![ScanProblem::NumberOutOfRange { offset: 0 }]
        );
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let text = "[".repeat(100_000);
        assert_eq!(
            problems(&text),
            vec![ScanProblem::TooDeep { offset: MAX_DEPTH }]
        );
    }

    #[test]
    fn finds_offsets_of_members_and_items() {
        let text = "{\n  \"a\": [10, {\"b~/\": 2}]\n}";
        let s = scan(text, &["", "/a", "/a/1", "/a/1/b~0~1", "/missing"]);
        assert_eq!(s.offsets.get(""), Some(&0));
        assert_eq!(s.offsets.get("/a"), Some(&4));
        assert_eq!(s.offsets.get("/a/1"), Some(&14));
        assert_eq!(s.offsets.get("/a/1/b~0~1"), Some(&15));
        assert_eq!(s.offsets.get("/missing"), None);
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 4), Position { line: 2, column: 3 });
        assert_eq!(index.line_text(text, 2), "  \"a\": [10, {\"b~/\": 2}]");
    }

    #[test]
    fn columns_count_characters() {
        let text = "\"é\", x";
        assert_eq!(
            LineIndex::new(text).position(text, 4),
            Position { line: 1, column: 4 }
        );
    }
}
