//! Checked string types: ids, non-empty text, quotes, codes.
//!
//! Each type checks its rule when it is built (and so when it is
//! deserialised), and describes the same rule to JSON Schema, so a value the
//! committed schema accepts is exactly a value these types accept. The tests
//! in `tests/integration/equivalence.rs` hold the two sides to that.

use std::borrow::Borrow;
#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::inline::InlineStr;

/// Why a string was refused by one of the checked string types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidText {
    /// What kind of value was expected, e.g. `"an id"`.
    pub expected: &'static str,
    /// The rule it had to follow, e.g. `"lowercase letters and digits in words joined by single hyphens"`.
    pub rule: &'static str,
}

impl fmt::Display for InvalidText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}: {}", self.expected, self.rule)
    }
}

impl std::error::Error for InvalidText {}

/// Defines a string newtype whose rule is checked in Rust and mirrored in
/// its JSON Schema. `storage` is a boxed `str` (no spare capacity, and a
/// word less than a `String` for each of a large dataset's millions of
/// strings) or, for ids, an [`InlineStr`] that holds short ones in place.
macro_rules! checked_string {
    (
        $(#[$meta:meta])*
        $name:ident,
        expected = $expected:literal,
        rule = $rule:literal,
        check = $check:expr,
        schema = { $($schema:tt)* }
        $(, storage = $storage:ty)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(checked_string!(@storage $($storage)?));

        // Written as the string it holds, with no copy made to write it.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl $name {
            /// Checks `value` and wraps it.
            ///
            /// # Errors
            /// Returns [`InvalidText`] naming the rule when `value` breaks it.
            pub fn new(value: impl Into<String>) -> Result<Self, InvalidText> {
                let value = value.into();
                Self::check(&value)?;
                Ok(Self(value.into()))
            }

            fn check(value: &str) -> Result<(), InvalidText> {
                let check: fn(&str) -> bool = $check;
                if check(value) {
                    Ok(())
                } else {
                    Err(InvalidText { expected: $expected, rule: $rule })
                }
            }

            /// The value as a string slice.
            #[must_use]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        // Read from a borrowed string where the format allows, so that a
        // short id is never allocated at all.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visit;
                impl Visitor<'_> for Visit {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a string")
                    }
                    fn visit_str<E: de::Error>(self, value: &str) -> Result<$name, E> {
                        $name::check(value).map_err(E::custom)?;
                        Ok($name(value.into()))
                    }
                    fn visit_string<E: de::Error>(self, value: String) -> Result<$name, E> {
                        $name::check(&value).map_err(E::custom)?;
                        Ok($name(value.into()))
                    }
                }
                deserializer.deserialize_string(Visit)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidText;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = InvalidText;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::check(value)?;
                Ok(Self(value.into()))
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0.into()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                *self.0 == *other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                *self.0 == **other
            }
        }

        #[cfg(feature = "schema")]
impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ $($schema)* })
            }
        }
    };
    (@storage) => { Box<str> };
    (@storage $storage:ty) => { $storage };
}

/// Whether `c` changes how text reads without being seen: the
/// bidirectional controls (the "Trojan Source" trick: U+202A..U+202E,
/// U+2066..U+2069, the marks U+200E, U+200F, U+061C) and the zero-width
/// characters (U+200B..U+200D, U+2060, U+FEFF). The validator refuses them
/// in text (`invisible-character`), and the CLI shows them as escapes.
#[must_use]
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The pattern every record id follows: lowercase ASCII words joined by
/// single hyphens.
pub const ID_PATTERN: &str = "^[a-z0-9]+(-[a-z0-9]+)*$";
/// The longest an id may be, in characters.
pub const ID_MAX_LEN: usize = 80;
/// The longest a piece of evidence may be, in characters.
pub const QUOTE_MAX_LEN: usize = 300;

fn is_slug(s: &str) -> bool {
    s.len() <= ID_MAX_LEN
        && !s.is_empty()
        && s.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        checked_string! {
            $(#[$meta])*
            $name,
            expected = $what,
            rule = "lowercase ASCII letters and digits in words joined by single hyphens, at most 80 characters (e.g. `france`, `uk-parliament`)",
            check = is_slug,
            schema = {
                "description": concat!("Stable id of ", $what, ": lowercase ASCII letters and digits in words joined by single hyphens. Never reused or renamed once published."),
                "type": "string",
                "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                "maxLength": 80
            },
            storage = InlineStr
        }
    };
}

id_type!(
    /// The id of an [`Actor`](crate::model::Actor), e.g. `united-kingdom`.
    ActorId,
    "an actor"
);
id_type!(
    /// The id of a [`Source`](crate::model::Source), e.g. `paris-summit-seeks-to-lock-in-ukraines-future`.
    SourceId,
    "a source"
);
id_type!(
    /// The id of an [`Event`](crate::model::Event), e.g. `paris-summit-2026-01-06`.
    EventId,
    "an event"
);
id_type!(
    /// The id of a [`Statement`](crate::model::Statement), e.g. `russia-rejects-foreign-troops`.
    StatementId,
    "a statement"
);
id_type!(
    /// The machine name of a dataset, e.g. `ukraine-pledges`.
    DatasetName,
    "a dataset"
);
id_type!(
    /// The id of a [`Pledge`](crate::model::Pledge), e.g. `germany-infantry-vehicles`.
    PledgeId,
    "a pledge"
);

checked_string! {
    /// Free text that is not empty: a name, title, description or note.
    Text,
    expected = "text",
    rule = "at least one character",
    check = |s| !s.is_empty(),
    schema = { "type": "string", "minLength": 1 }
}

checked_string! {
    /// A verbatim excerpt of a source, 1 to 300 characters.
    Quote,
    expected = "a quote",
    rule = "1 to 300 characters copied verbatim from the source",
    check = |s| !s.is_empty() && s.chars().count() <= QUOTE_MAX_LEN,
    schema = {
        "description": "Verbatim excerpt of the source, 1 to 300 characters. Only whitespace and straight-versus-curly quote marks may differ from the archived text.",
        "type": "string",
        "minLength": 1,
        "maxLength": 300
    }
}

/// Whether `s` is one claim pointer: `/field` or `/field/index`.
fn is_claim(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    let (field, index) = match rest.split_once('/') {
        Some((field, index)) => (field, Some(index)),
        None => (rest, None),
    };
    !field.is_empty()
        && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && index.is_none_or(|i| {
            !i.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && (i == "0" || !i.starts_with('0'))
        })
}

checked_string! {
    /// One claim of a record, as a pointer into it: `/status`, `/pledgers/0`.
    Claim,
    expected = "a claim",
    rule = "a pointer into the record: `/field` or `/field/index` (e.g. `/status`, `/conditions/0`)",
    check = is_claim,
    schema = {
        "description": "A claim of the record, as a pointer into it: `/field` or `/field/index` (e.g. `/status`, `/conditions/0`).",
        "type": "string",
        "pattern": "^/[a-z_]+(/(0|[1-9][0-9]*))?$"
    }
}

checked_string! {
    /// The claims a quote bears on, as pointers separated by single spaces:
    /// `/pledgers/0 /status /conditions/1`.
    Claims,
    expected = "claims",
    rule = "one or more pointers into the record separated by single spaces (e.g. `/pledgers/0 /status`)",
    check = |s| s.split(' ').all(is_claim),
    schema = {
        "description": "The claims of the record the quote bears on: pointers into it, separated by single spaces (e.g. `/pledgers/0 /status /conditions/1`).",
        "type": "string",
        "pattern": "^/[a-z_]+(/(0|[1-9][0-9]*))?( /[a-z_]+(/(0|[1-9][0-9]*))?)*$"
    }
}

impl Claims {
    /// Each claim, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ')
    }

    /// Whether `claim` is among them.
    #[must_use]
    pub fn contains(&self, claim: &str) -> bool {
        self.iter().any(|c| c == claim)
    }
}

checked_string! {
    /// An ISO 3166-1 alpha-2 country code, e.g. `UA`.
    CountryCode,
    expected = "an ISO 3166-1 alpha-2 code",
    rule = "two uppercase ASCII letters (e.g. `UA`)",
    check = |s| s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase()),
    schema = {
        "description": "ISO 3166-1 alpha-2 code, two uppercase letters (e.g. `UA`).",
        "type": "string",
        "pattern": "^[A-Z]{2}$"
    }
}

checked_string! {
    /// An ISO 4217 currency code, e.g. `EUR`. The validator checks that the
    /// code is an assigned one.
    CurrencyCode,
    expected = "an ISO 4217 currency code",
    rule = "three uppercase ASCII letters (e.g. `EUR`)",
    check = |s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()),
    schema = {
        "description": "ISO 4217 currency code, three uppercase letters (e.g. `EUR`, `USD`).",
        "type": "string",
        "pattern": "^[A-Z]{3}$"
    }
}

checked_string! {
    /// A Wikidata item id, e.g. `Q212`.
    WikidataId,
    expected = "a Wikidata item id",
    rule = "`Q` followed by a number without leading zeros (e.g. `Q212`)",
    check = |s| {
        let digits = s.strip_prefix('Q').unwrap_or("");
        !digits.is_empty() && !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
    },
    schema = {
        "description": "Wikidata item id: `Q` and a number without leading zeros (e.g. `Q212`).",
        "type": "string",
        "pattern": "^Q[1-9][0-9]*$"
    }
}

checked_string! {
    /// An `http` or `https` URL in printable ASCII.
    Url,
    expected = "a URL",
    rule = "`http://` or `https://` followed by printable ASCII without spaces (percent-encode anything else)",
    check = |s| {
        let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or("");
        !rest.is_empty() && rest.bytes().all(|b| (b'!'..=b'~').contains(&b))
    },
    schema = {
        "description": "Web address: `http://` or `https://` and printable ASCII without spaces.",
        "type": "string",
        "pattern": "^https?://[!-~]+$"
    }
}

checked_string! {
    /// A BCP 47 language tag of the simple form `en` or `en-GB`.
    LanguageTag,
    expected = "a language tag",
    rule = "a two- or three-letter lowercase ISO 639 code, optionally `-` and a two-letter uppercase region (e.g. `en`, `uk`, `en-GB`)",
    check = |s| {
        let (lang, region) = match s.split_once('-') {
            Some((l, r)) => (l, Some(r)),
            None => (s, None),
        };
        (2..=3).contains(&lang.len())
            && lang.bytes().all(|b| b.is_ascii_lowercase())
            && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
    },
    schema = {
        "description": "BCP 47 language tag: ISO 639 code, optionally a region (e.g. `en`, `en-GB`).",
        "type": "string",
        "pattern": "^[a-z]{2,3}(-[A-Z]{2})?$"
    }
}

checked_string! {
    /// A SHA-256 digest as 64 lowercase hexadecimal digits.
    Sha256,
    expected = "a SHA-256 digest",
    rule = "64 lowercase hexadecimal digits",
    check = |s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
    schema = {
        "description": "SHA-256 of the archived file's exact bytes, 64 lowercase hexadecimal digits.",
        "type": "string",
        "pattern": "^[0-9a-f]{64}$"
    }
}

checked_string! {
    /// The bare name of a file in the archive, with no directory part.
    FileName,
    expected = "a file name",
    rule = "ASCII letters, digits, `.`, `_` and `-`, not starting with `.` and with no directory part",
    check = |s| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    },
    schema = {
        "description": "Bare file name in the archive directory: ASCII letters, digits, `.`, `_`, `-`; not starting with `.`.",
        "type": "string",
        "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]*$"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rule_rejects_double_and_edge_hyphens_and_uppercase() {
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "é"] {
            assert!(ActorId::new(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["a", "uk-parliament", "g7", "2026-summit"] {
            assert!(ActorId::new(good).is_ok(), "{good:?} refused");
        }
        assert!(ActorId::new("a".repeat(81)).is_err());
    }

    #[test]
    fn quote_length_counts_characters_not_bytes() {
        assert!(Quote::new("é".repeat(300)).is_ok());
        assert!(Quote::new("é".repeat(301)).is_err());
        assert!(Quote::new("").is_err());
    }

    #[test]
    fn url_requires_http_scheme_and_printable_ascii() {
        assert!(Url::new("https://example.org/a?b=c").is_ok());
        assert!(Url::new("ftp://example.org").is_err());
        assert!(Url::new("https://").is_err());
        assert!(Url::new("https://exa mple.org").is_err());
    }
}
