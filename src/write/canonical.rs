//! The serde_json [`Formatter`] that writes canonical JSON from any depth.
//!
//! It writes the bytes of serde_json's [`PrettyFormatter`] (two-space
//! indent), with every string value put in Unicode NFC on the way, and it
//! starts at a given depth, so that records can be written in chunks on
//! several cores and the chunks joined. A raw JSON value
//! (`serde_json::value::RawValue`) it refuses, and the caller falls back on
//! serde_json and a normalising pass. Property tests in the parent module
//! hold it to serde_json's bytes.
//!
//! [`PrettyFormatter`]: serde_json::ser::PrettyFormatter

use std::io::{self, Write};
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

/// A line break and spaces for indentation, sliced to length.
const NEWLINE_SPACES: &[u8; 65] =
    b"\n                                                                ";

/// Appends `value`, at nesting `depth`, to `out` as canonical JSON (no
/// trailing newline). On an error `out` holds a partial text.
pub(crate) fn write_value<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    depth: usize,
    value: &T,
) -> serde_json::Result<()> {
    value.serialize(&mut Serializer::with_formatter(out, Canonical::at(depth)))
}

/// Writes a line break and the indentation of `depth`.
#[inline]
pub(crate) fn newline_indent<W: ?Sized + Write>(out: &mut W, depth: usize) -> io::Result<()> {
    let most = NEWLINE_SPACES.len() - 1;
    let width = depth * 2;
    let first = width.min(most);
    out.write_all(&NEWLINE_SPACES[..=first])?;
    let mut left = width - first;
    while left > 0 {
        let spaces = left.min(most);
        out.write_all(&NEWLINE_SPACES[1..=spaces])?;
        left -= spaces;
    }
    Ok(())
}

/// serde_json's pretty printing from a given depth, with string values in
/// NFC (keys are written as they are, as serde_json writes them).
struct Canonical {
    /// The depth of the container being written.
    depth: usize,
    /// Whether the container last opened or closed had an item (as in
    /// [`PrettyFormatter`](serde_json::ser::PrettyFormatter)).
    has_value: bool,
    /// Whether an object key is being written.
    in_key: bool,
}

impl Canonical {
    #[inline]
    fn at(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
            in_key: false,
        }
    }

    #[inline]
    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    #[inline]
    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            newline_indent(out, self.depth)?;
        }
        out.write_all(bracket)
    }

    /// Starts an item: a comma after the first, a line break and the
    /// indentation of the items.
    #[inline]
    fn item<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        newline_indent(out, self.depth)
    }
}

impl Formatter for Canonical {
    #[inline]
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    #[inline]
    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    #[inline]
    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    #[inline]
    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    #[inline]
    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    #[inline]
    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    #[inline]
    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.in_key = true;
        self.item(out, first)
    }

    #[inline]
    fn end_object_key<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.in_key = false;
        Ok(())
    }

    #[inline]
    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    #[inline]
    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    /// A run of a string between the characters serde_json escapes, in NFC
    /// unless it is part of a key. Escaped characters (`"`, `\`, controls)
    /// neither compose nor reorder with their neighbours, so normalising
    /// run by run gives the NFC of the whole string.
    #[inline]
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_key || is_nfc_fast(fragment) {
            out.write_all(fragment.as_bytes())
        } else {
            let normalised: String = fragment.nfc().collect();
            out.write_all(normalised.as_bytes())
        }
    }

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        _out: &mut W,
        _raw: &str,
    ) -> io::Result<()> {
        Err(io::Error::other("a raw JSON value is left to serde_json"))
    }
}

/// Whether `text` is in Unicode NFC: at a glance when every character is
/// ASCII or a two-byte character that is NFC on its own and neither
/// combines with nor reorders around its neighbours (most of Latin, Greek
/// and Cyrillic), otherwise by [`is_nfc`].
///
/// A text made only of such characters passes Unicode's NFC quick check
/// (UAX #15): every character `NFC_QC=Yes`, and no combining class out of
/// order since all are 0.
#[inline]
fn is_nfc_fast(text: &str) -> bool {
    let stable = stable_two_byte_chars();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        i = skip_ascii(bytes, i);
        let Some(&lead) = bytes.get(i) else {
            break;
        };
        // A lead byte of 0xC2..=0xDF starts a two-byte character, and a
        // `str` always has its continuation byte.
        let Some(&next) = bytes.get(i + 1) else {
            break;
        };
        if !(0xC2..=0xDF).contains(&lead) {
            return is_nfc(text);
        }
        let code = (usize::from(lead & 0x1F) << 6) | usize::from(next & 0x3F);
        if stable[code / 64] & (1 << (code % 64)) == 0 {
            return is_nfc(text);
        }
        i += 2;
    }
    true
}

/// The index of the first non-ASCII byte at or after `i` (or the end),
/// skipping eight bytes at a time.
pub(crate) fn skip_ascii(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii() {
        i += 1;
    }
    i
}

/// A bitmap over U+0000..U+07FF of the characters that are `NFC_QC=Yes`
/// with combining class 0, read once from the normalisation tables.
fn stable_two_byte_chars() -> &'static [u64; 32] {
    static STABLE: OnceLock<[u64; 32]> = OnceLock::new();
    STABLE.get_or_init(|| {
        let mut bits = [0u64; 32];
        for c in (0..0x800).filter_map(char::from_u32) {
            if canonical_combining_class(c) == 0
                && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
            {
                let code = c as usize;
                bits[code / 64] |= 1 << (code % 64);
            }
        }
        bits
    })
}
