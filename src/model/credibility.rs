//! The credibility of a piece of information, on the Admiralty scale (1 to 6).

use std::fmt;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// How credible information is as a source reports it: 1 confirmed by other
/// sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6
/// truth cannot be judged. Lower is stronger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Credibility(u8);

/// A number that is not a credibility (1 to 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidCredibility;

impl fmt::Display for InvalidCredibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "expected a credibility: a whole number from 1 (confirmed) to 6 (cannot be judged)",
        )
    }
}

impl std::error::Error for InvalidCredibility {}

impl Credibility {
    /// The strongest: confirmed by other sources.
    pub const CONFIRMED: Self = Self(1);
    /// The weakest: the truth cannot be judged.
    pub const CANNOT_BE_JUDGED: Self = Self(6);

    /// `value`, if it is 1 to 6.
    ///
    /// # Errors
    /// [`InvalidCredibility`] for any other number.
    pub fn new(value: u8) -> Result<Self, InvalidCredibility> {
        (1..=6)
            .contains(&value)
            .then_some(Self(value))
            .ok_or(InvalidCredibility)
    }

    /// The number, 1 to 6.
    #[must_use]
    pub fn get(self) -> u8 {
        self.0
    }

    /// What the number means, e.g. `possibly true`.
    #[must_use]
    pub fn meaning(self) -> &'static str {
        match self.0 {
            1 => "confirmed by other sources",
            2 => "probably true",
            3 => "possibly true",
            4 => "doubtful",
            5 => "improbable",
            _ => "cannot be judged",
        }
    }
}

impl fmt::Display for Credibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Credibility {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(self.0)
    }
}

// Any JSON number that is a whole number from 1 to 6, `3.0` included, as the
// schema's `integer` takes it.
impl<'de> Deserialize<'de> for Credibility {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl Visitor<'_> for Visit {
            type Value = Credibility;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a whole number from 1 to 6")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Credibility, E> {
                u8::try_from(v)
                    .ok()
                    .and_then(|v| Credibility::new(v).ok())
                    .ok_or_else(|| E::custom(InvalidCredibility))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Credibility, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom(InvalidCredibility))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Credibility, E> {
                if v.fract() == 0.0 && (1.0..=6.0).contains(&v) {
                    // In range and whole, so the cast is exact.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    return self.visit_u64(v as u64);
                }
                Err(E::custom(InvalidCredibility))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for Credibility {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Credibility".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Admiralty credibility of the information: 1 confirmed by other sources, 2 probably true, 3 possibly true, 4 doubtful, 5 improbable, 6 truth cannot be judged.",
            "type": "integer",
            "minimum": 1,
            "maximum": 6
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credibility_is_a_whole_number_from_one_to_six_however_written() {
        for (json, ok) in [
            ("1", true),
            ("6", true),
            ("3.0", true),
            ("0", false),
            ("7", false),
            ("-1", false),
            ("2.5", false),
            ("\"3\"", false),
            ("null", false),
        ] {
            let read = serde_json::from_str::<Credibility>(json);
            assert_eq!(read.is_ok(), ok, "{json}");
            if let Ok(c) = read {
                assert_eq!(
                    serde_json::to_string(&c).unwrap().parse::<f64>().unwrap(),
                    json.parse::<f64>().unwrap()
                );
            }
        }
    }
}
