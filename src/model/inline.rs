//! Short strings held in place: the storage of ids.
//!
//! A large dataset holds millions of ids (every pledger, beneficiary and
//! source of evidence names one), most of them a couple of dozen bytes
//! long. Each in a heap allocation of its own costs a 16-byte pointer and a
//! 32-byte block; held in place it costs 24 bytes and no allocation at all,
//! which also makes loading and freeing a dataset faster. Longer strings are
//! boxed as before.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// How many bytes fit in place (the rest of the 24 bytes is the variant
/// and the length).
const INLINE: usize = 22;

/// A string held in place when it has at most [`INLINE`] bytes.
#[derive(Clone)]
pub(crate) enum InlineStr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Boxed(Box<str>),
}

impl InlineStr {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Built from a `str` cut at its own end, so always UTF-8; the
            // check is a few word compares for a short ASCII id.
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Boxed(text) => text,
        }
    }
}

impl From<&str> for InlineStr {
    fn from(text: &str) -> Self {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Boxed(text.into()),
        }
    }
}

impl From<String> for InlineStr {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::from(text.as_str())
        } else {
            Self::Boxed(text.into_boxed_str())
        }
    }
}

impl From<InlineStr> for String {
    fn from(text: InlineStr) -> Self {
        match text {
            InlineStr::Boxed(text) => text.into_string(),
            inline @ InlineStr::Inline { .. } => inline.as_str().to_owned(),
        }
    }
}

impl Deref for InlineStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for InlineStr {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

// Compared, ordered and hashed as the `str` it holds, so that a map keyed
// by an id can be searched with a `&str`.
impl PartialEq for InlineStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for InlineStr {}

impl PartialOrd for InlineStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for InlineStr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for InlineStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for InlineStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use proptest::prelude::*;

    use super::*;

    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn short_strings_are_held_in_place_and_long_ones_boxed() {
        assert!(matches!(
            InlineStr::from("a".repeat(INLINE).as_str()),
            InlineStr::Inline { .. }
        ));
        assert!(matches!(
            InlineStr::from("a".repeat(INLINE + 1)),
            InlineStr::Boxed(_)
        ));
        assert_eq!(size_of::<InlineStr>(), 24);
        assert_eq!(size_of::<Option<InlineStr>>(), 24);
    }

    proptest! {
        #[test]
        fn behaves_as_the_string_it_holds(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let (x, y) = (InlineStr::from(a.as_str()), InlineStr::from(b.clone()));
            prop_assert_eq!(x.as_str(), a.as_str());
            prop_assert_eq!(String::from(y.clone()), b.clone());
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.cmp(&y), a.as_str().cmp(b.as_str()));
            prop_assert_eq!(hash_of(&x), hash_of(a.as_str()));
            prop_assert_eq!(format!("{x:?}"), format!("{a:?}"));
        }
    }
}
