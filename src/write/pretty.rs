//! A serde [`Serializer`] that writes canonical JSON straight into a byte
//! buffer: the bytes `serde_json::to_string_pretty` writes, with every string
//! value put in Unicode NFC on the way.
//!
//! It exists for speed. On one core it is about as fast as serde_json's
//! pretty printer, but it checks NFC string by string as it writes (only
//! strings with non-ASCII text can fail it), where serde_json's text
//! needed a second pass over every byte; and because it starts at any
//! depth, records can be written in chunks on several cores and the chunks
//! joined. What it does not handle (a `serde_json::value::RawValue`, a map
//! key that is not a string) it refuses with [`Unsupported`], and the
//! caller falls back on serde_json. Property tests in the parent module
//! hold it to serde_json's bytes.

use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;
use serde::ser::{self, Impossible, Serializer};
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc, is_nfc_quick};

/// The name serde_json gives its raw values, which this serializer leaves
/// to serde_json.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Spaces for indentation, sliced to length.
const SPACES: &[u8; 64] = b"                                                                ";

/// Why a value was not written: it needs serde_json itself.
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self(msg.to_string())
    }
}

type Result<T = ()> = std::result::Result<T, Unsupported>;

/// Appends `value`, at nesting `depth`, to `out` as canonical JSON (no
/// trailing newline). On an error `out` holds a partial text.
pub(crate) fn write_value<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    depth: usize,
    value: &T,
) -> Result {
    value.serialize(&mut Pretty { out, depth })
}

/// Appends a line break and the indentation of `depth`.
pub(crate) fn newline_indent(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    let mut width = depth * 2;
    while width > SPACES.len() {
        out.extend_from_slice(SPACES);
        width -= SPACES.len();
    }
    out.extend_from_slice(&SPACES[..width]);
}

/// Appends `text` as a JSON string value, in NFC.
pub(crate) fn write_str_value(out: &mut Vec<u8>, text: &str) {
    if is_nfc_fast(text) {
        write_escaped(out, text);
    } else {
        let normalised: String = text.nfc().collect();
        write_escaped(out, &normalised);
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
pub(crate) fn is_nfc_fast(text: &str) -> bool {
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

/// Appends `text` quoted and escaped as serde_json escapes it: `"`, `\`
/// and control characters, nothing else.
pub(crate) fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time while none needs escaping.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_le_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let byte = bytes[i];
        let escape = ESCAPE[usize::from(byte)];
        if escape != 0 {
            out.extend_from_slice(&bytes[start..i]);
            if escape == b'u' {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0xF)]);
            } else {
                out.extend_from_slice(&[b'\\', escape]);
            }
            start = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// For each byte, what follows the backslash of its escape (`u` for
/// `\u00` and two hex digits), or 0 when it is written as it is.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = b'u';
        byte += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any byte of `word` is `"`, `\` or below 0x20 (never a false
/// "no"; a "yes" is checked byte by byte).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0;
    below_space || has_zero(word ^ (ONES * u64::from(b'"'))) || has_zero(word ^ (ONES * 0x5C))
}

/// The serializer: the output and the nesting depth of the value being
/// written.
struct Pretty<'a> {
    out: &'a mut Vec<u8>,
    depth: usize,
}

/// A container being written: whether it has had an item yet.
struct Compound<'p, 'a> {
    ser: &'p mut Pretty<'a>,
    empty: bool,
}

impl<'a> Pretty<'a> {
    fn open(&mut self, bracket: u8) -> Compound<'_, 'a> {
        self.out.push(bracket);
        self.depth += 1;
        Compound {
            ser: self,
            empty: true,
        }
    }

    fn display(&mut self, value: impl fmt::Display) {
        use std::io::Write as _;
        // Writing into a Vec cannot fail.
        let _ = write!(self.out, "{value}");
    }

    /// A float as serde_json writes it (its digits, or `null` when not
    /// finite), by serde_json itself: its float formatting is its own.
    fn number<T: Serialize>(&mut self, value: T) -> Result {
        serde_json::to_writer(&mut *self.out, &value).map_err(|e| Unsupported(e.to_string()))
    }

    /// `{"variant": ` … the value … `}` as serde_json writes an enum
    /// variant that holds data; returns the object to close.
    fn variant_object(&mut self, variant: &'static str) -> Compound<'_, 'a> {
        let mut object = self.open(b'{');
        object.item();
        write_escaped(object.ser.out, variant);
        object.ser.out.extend_from_slice(b": ");
        object
    }
}

impl Compound<'_, '_> {
    /// Starts an item: a line break and the indentation of the items.
    fn item(&mut self) {
        if !self.empty {
            self.ser.out.push(b',');
        }
        self.empty = false;
        newline_indent(self.ser.out, self.ser.depth);
    }

    fn close(self, bracket: u8) {
        self.ser.depth -= 1;
        if !self.empty {
            newline_indent(self.ser.out, self.ser.depth);
        }
        self.ser.out.push(bracket);
    }

    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut *self.ser)
    }

    fn key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.item();
        let key = key.serialize(KeyText)?;
        write_escaped(self.ser.out, &key);
        self.ser.out.extend_from_slice(b": ");
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.item();
        write_escaped(self.ser.out, key);
        self.ser.out.extend_from_slice(b": ");
        self.value(value)
    }
}

/// Integers are written as their decimal digits, as serde_json writes them.
macro_rules! integers {
    ($($method:ident($ty:ty),)*) => {
        $(fn $method(self, v: $ty) -> Result {
            self.display(v);
            Ok(())
        })*
    };
}

impl<'p, 'a> Serializer for &'p mut Pretty<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'p, 'a>;
    type SerializeTuple = Compound<'p, 'a>;
    type SerializeTupleStruct = Compound<'p, 'a>;
    type SerializeTupleVariant = Variant<'p, 'a>;
    type SerializeMap = Compound<'p, 'a>;
    type SerializeStruct = Compound<'p, 'a>;
    type SerializeStructVariant = Variant<'p, 'a>;

    fn serialize_bool(self, v: bool) -> Result {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }

    integers! {
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
    }

    fn serialize_f32(self, v: f32) -> Result {
        self.number(v)
    }

    fn serialize_f64(self, v: f64) -> Result {
        self.number(v)
    }

    fn serialize_char(self, v: char) -> Result {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result {
        write_str_value(self.out, v);
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result {
        use ser::SerializeSeq as _;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for byte in v {
            seq.serialize_element(byte)?;
        }
        seq.end()
    }

    fn serialize_none(self) -> Result {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let mut object = self.variant_object(variant);
        object.value(value)?;
        object.close(b'}');
        Ok(())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Ok(self.open(b'['))
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        let outer = self.variant_object(variant);
        Variant::open(outer, b'[')
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Ok(self.open(b'{'))
    }

    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        if name == RAW_VALUE_TOKEN {
            return Err(Unsupported("a raw JSON value".to_owned()));
        }
        Ok(self.open(b'{'))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        let outer = self.variant_object(variant);
        Variant::open(outer, b'{')
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.item();
        self.value(value)
    }

    fn end(self) -> Result {
        self.close(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        ser::SerializeSeq::serialize_element(self, value)
    }

    fn end(self) -> Result {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result {
        self.key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.value(value)
    }

    fn end(self) -> Result {
        self.close(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }

    fn end(self) -> Result {
        self.close(b'}');
        Ok(())
    }
}

/// An enum variant that holds a tuple or struct: the inner container inside
/// the one-key object that names the variant.
struct Variant<'p, 'a> {
    /// The inner container's depth and emptiness; it writes through the
    /// outer object's serializer.
    inner_empty: bool,
    outer: Compound<'p, 'a>,
}

impl<'p, 'a> Variant<'p, 'a> {
    fn open(outer: Compound<'p, 'a>, bracket: u8) -> Result<Self> {
        outer.ser.out.push(bracket);
        outer.ser.depth += 1;
        Ok(Self {
            inner_empty: true,
            outer,
        })
    }

    /// Runs `write` on the inner container, keeping its emptiness here.
    fn inner(&mut self, write: impl FnOnce(&mut Compound<'_, 'a>) -> Result) -> Result {
        let mut inner = Compound {
            ser: &mut *self.outer.ser,
            empty: self.inner_empty,
        };
        let result = write(&mut inner);
        self.inner_empty = inner.empty;
        result
    }

    fn close(self, bracket: u8) {
        let Self {
            inner_empty,
            mut outer,
        } = self;
        Compound {
            ser: &mut *outer.ser,
            empty: inner_empty,
        }
        .close(bracket);
        outer.empty = false;
        outer.close(b'}');
    }
}

impl ser::SerializeTupleVariant for Variant<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.inner(|inner| {
            inner.item();
            inner.value(value)
        })
    }

    fn end(self) -> Result {
        self.close(b']');
        Ok(())
    }
}

impl ser::SerializeStructVariant for Variant<'_, '_> {
    type Ok = ();
    type Error = Unsupported;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.inner(|inner| inner.field(key, value))
    }

    fn end(self) -> Result {
        self.close(b'}');
        Ok(())
    }
}

/// Reads a map key as the string serde_json would write for it; anything
/// but a string (or a newtype around one) is left to serde_json.
struct KeyText;

fn not_a_string_key<T>() -> Result<T> {
    Err(Unsupported("a map key that is not a string".to_owned()))
}

macro_rules! refuse_key {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<String> {
            not_a_string_key()
        })*
    };
}

impl Serializer for KeyText {
    type Ok = String;
    type Error = Unsupported;
    type SerializeSeq = Impossible<String, Unsupported>;
    type SerializeTuple = Impossible<String, Unsupported>;
    type SerializeTupleStruct = Impossible<String, Unsupported>;
    type SerializeTupleVariant = Impossible<String, Unsupported>;
    type SerializeMap = Impossible<String, Unsupported>;
    type SerializeStruct = Impossible<String, Unsupported>;
    type SerializeStructVariant = Impossible<String, Unsupported>;

    fn serialize_str(self, v: &str) -> Result<String> {
        Ok(v.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }

    refuse_key! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String> {
        not_a_string_key()
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        not_a_string_key()
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        not_a_string_key()
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        not_a_string_key()
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        not_a_string_key()
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        not_a_string_key()
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        not_a_string_key()
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        not_a_string_key()
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        not_a_string_key()
    }
}
