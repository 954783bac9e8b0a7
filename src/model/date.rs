//! Dates known to a year, a month or a day.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The JSON Schema pattern of a [`PartialDate`]: `YYYY`, `YYYY-MM` or a real
/// calendar day `YYYY-MM-DD`, leap years included.
pub const PARTIAL_DATE_PATTERN: &str = concat!(
    "^(?:[0-9]{4}(?:-(?:0[1-9]|1[0-2]))?",
    "|[0-9]{4}-(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    "|[0-9]{4}-(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)",
    "|[0-9]{4}-02-(?:0[1-9]|1[0-9]|2[0-8])",
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$"
);

/// A Gregorian date known to the year (`2026`), the month (`2026-01`) or the
/// day (`2026-01-06`).
///
/// Sources are often vague about when something was said; a partial date
/// records exactly as much as the source gives and no more.
///
/// ```
/// use ukraine_pledges::model::PartialDate;
///
/// let d: PartialDate = "2026-01".parse().unwrap();
/// assert_eq!(d.year(), 2026);
/// assert_eq!(d.month(), Some(1));
/// assert_eq!(d.day(), None);
/// assert!("2026-02-30".parse::<PartialDate>().is_err());
/// assert!("2024-02-29".parse::<PartialDate>().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: u16,
    month: Option<u8>,
    day: Option<u8>,
}

/// Why a string is not a [`PartialDate`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidDate {
    /// Not of the form `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Format,
    /// A month outside 1 to 12.
    Month(u8),
    /// A day that the month does not have, e.g. 30 February.
    Day {
        /// The year.
        year: u16,
        /// The month, 1 to 12.
        month: u8,
        /// The day that does not exist.
        day: u8,
    },
}

impl fmt::Display for InvalidDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Format => f.write_str("expected a date as YYYY, YYYY-MM or YYYY-MM-DD"),
            Self::Month(m) => write!(f, "there is no month {m:02}"),
            Self::Day { year, month, day } => write!(
                f,
                "{year:04}-{month:02} has {} days, so day {day:02} does not exist",
                days_in_month(*year, *month)
            ),
        }
    }
}

impl std::error::Error for InvalidDate {}

/// Whether `year` is a leap year in the proleptic Gregorian calendar.
#[must_use]
pub fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// The number of days in `month` (1 to 12) of `year`.
#[must_use]
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl PartialDate {
    /// A date known to the year.
    #[must_use]
    pub fn year_only(year: u16) -> Self {
        Self {
            year: year.min(9999),
            month: None,
            day: None,
        }
    }

    /// A date known to the month.
    ///
    /// # Errors
    /// When `month` is not 1 to 12 or `year` has more than four digits.
    pub fn year_month(year: u16, month: u8) -> Result<Self, InvalidDate> {
        if year > 9999 {
            return Err(InvalidDate::Format);
        }
        if !(1..=12).contains(&month) {
            return Err(InvalidDate::Month(month));
        }
        Ok(Self {
            year,
            month: Some(month),
            day: None,
        })
    }

    /// A date known to the day.
    ///
    /// # Errors
    /// When the day does not exist in that month of that year.
    pub fn ymd(year: u16, month: u8, day: u8) -> Result<Self, InvalidDate> {
        let ym = Self::year_month(year, month)?;
        if day == 0 || day > days_in_month(year, month) {
            return Err(InvalidDate::Day { year, month, day });
        }
        Ok(Self {
            day: Some(day),
            ..ym
        })
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month (1 to 12), when known.
    #[must_use]
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// The day of the month, when known.
    #[must_use]
    pub fn day(&self) -> Option<u8> {
        self.day
    }

    /// The first day this date may mean, as `(year, month, day)`.
    #[must_use]
    pub fn earliest(&self) -> (u16, u8, u8) {
        (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1))
    }

    /// The last day this date may mean, as `(year, month, day)`.
    #[must_use]
    pub fn latest(&self) -> (u16, u8, u8) {
        let month = self.month.unwrap_or(12);
        (
            self.year,
            month,
            self.day.unwrap_or_else(|| days_in_month(self.year, month)),
        )
    }

    /// Whether this date is certainly after `other`: every day it may mean
    /// comes after every day `other` may mean.
    #[must_use]
    pub fn certainly_after(&self, other: &PartialDate) -> bool {
        self.earliest().cmp(&other.latest()) == Ordering::Greater
    }
}

fn digits<const N: usize>(s: &str) -> Option<u16> {
    (s.len() == N && s.bytes().all(|b| b.is_ascii_digit())).then(|| {
        s.bytes()
            .fold(0u16, |acc, b| acc * 10 + u16::from(b - b'0'))
    })
}

impl FromStr for PartialDate {
    type Err = InvalidDate;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split('-');
        let year = parts
            .next()
            .and_then(digits::<4>)
            .ok_or(InvalidDate::Format)?;
        let month = parts
            .next()
            .map(|m| digits::<2>(m).ok_or(InvalidDate::Format))
            .transpose()?;
        let day = parts
            .next()
            .map(|d| digits::<2>(d).ok_or(InvalidDate::Format))
            .transpose()?;
        if parts.next().is_some() {
            return Err(InvalidDate::Format);
        }
        // Both fit in u8: two digits.
        let (month, day) = (month.map(|m| m as u8), day.map(|d| d as u8));
        match (month, day) {
            (None, _) => Ok(Self::year_only(year)),
            (Some(m), None) => Self::year_month(year, m),
            (Some(m), Some(d)) => Self::ymd(year, m, d),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = Cow::<str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for PartialDate {
    fn schema_name() -> Cow<'static, str> {
        "PartialDate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date known to the year (`2026`), the month (`2026-01`) or the day (`2026-01-06`). Only real calendar days are valid.",
            "type": "string",
            "pattern": PARTIAL_DATE_PATTERN
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_days_that_do_not_exist() {
        for bad in [
            "2026-02-29",
            "2026-02-30",
            "2026-04-31",
            "1900-02-29",
            "2026-13",
            "2026-00",
            "2026-01-00",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad} accepted");
        }
        for good in ["2024-02-29", "2000-02-29", "2026", "2026-12", "2026-12-31"] {
            assert_eq!(good.parse::<PartialDate>().unwrap().to_string(), good);
        }
    }

    #[test]
    fn rejects_other_shapes() {
        for bad in [
            "",
            "26",
            "2026-1",
            "2026-01-1",
            "2026/01",
            "2026-01-06T00:00",
            "+2026",
            "2026-01-06-",
        ] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn certainly_after_respects_precision() {
        let d = |s: &str| s.parse::<PartialDate>().unwrap();
        assert!(!d("2026-01").certainly_after(&d("2026-01-06")));
        assert!(d("2026-02").certainly_after(&d("2026-01-31")));
        assert!(!d("2026").certainly_after(&d("2026-12-31")));
        assert!(d("2027").certainly_after(&d("2026")));
    }
}
