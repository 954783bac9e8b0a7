//! A collection file read record by record: the records the types accept,
//! and where to find the ones they refuse.
//!
//! One bad record must not cost the whole file its fast path. When the
//! types refuse a file, its array of records is read item by item (on two
//! cores): each item the types accept goes straight into the model, and
//! of the items they refuse only their place in the text is kept, for the
//! schema and the checks on raw JSON to read one at a time. (A CSV
//! dataset's refused records are kept as their rows, and a file that was
//! read as a tree keeps them as trees.) The file's other
//! keys are kept as a small JSON object, its *shell*, with the array left
//! empty.

use std::ops::Range;

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::csv_trees::CsvRecords;
use crate::model::strict::Object;
use crate::model::{Actor, Event, Pledge, Source, Statement};
use crate::schema::FileKind;

/// The records of one collection the types accept, each with its index.
#[derive(Debug)]
pub(crate) enum Items {
    Actors(Vec<(usize, Actor)>),
    Sources(Vec<(usize, Source)>),
    Pledges(Vec<(usize, Pledge)>),
    Events(Vec<(usize, Event)>),
    Statements(Vec<(usize, Statement)>),
}

/// A collection file, split into what the types accept and what they do not.
#[derive(Debug)]
pub(crate) struct Split {
    /// The file's object with its array of records emptied.
    pub shell: Value,
    /// The records the types accept.
    pub items: Items,
    /// The records they refuse, each with its index, in ascending order.
    pub refused: Refused,
}

/// The records of a collection the types refuse.
#[derive(Debug)]
pub(crate) enum Refused {
    /// As JSON trees: the file was read as a tree (off the fast path).
    Trees(Vec<(usize, Value)>),
    /// As the byte ranges of their JSON text in the file's text, so that a
    /// file of a million bad records is not a million trees at once.
    Spans(Vec<(usize, Range<usize>)>),
    /// As the rows of CSV tables, for the same reason.
    Rows(CsvRecords),
}

impl Refused {
    /// How many records were refused.
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Trees(trees) => trees.len(),
            Self::Spans(spans) => spans.len(),
            Self::Rows(rows) => rows.len(),
        }
    }

    /// Whether a record's tree is to be tried against the types again:
    /// the CSV fast path reads rows, not trees, and what it refuses the
    /// types may accept as a tree, as the slow path would.
    pub(crate) fn retries(&self) -> bool {
        matches!(self, Self::Rows(_))
    }

    /// Each refused record's index in the file, in ascending order.
    #[cfg(test)]
    pub(crate) fn indexes(&self) -> Vec<usize> {
        match self {
            Self::Trees(trees) => trees.iter().map(|(i, _)| *i).collect(),
            Self::Spans(spans) => spans.iter().map(|(i, _)| *i).collect(),
            Self::Rows(rows) => rows.places.clone(),
        }
    }

    /// Each refused record as a tree, made only as it is reached (`text` is
    /// the file's text, which [`Refused::Spans`] point into); `None` for a
    /// span that is not JSON in `text` (or with no `text`), which a span
    /// [`split_text`] made always is.
    pub(crate) fn into_trees(
        self,
        text: Option<&str>,
    ) -> Box<dyn Iterator<Item = (usize, Option<Value>)> + '_> {
        match self {
            Self::Trees(trees) => Box::new(trees.into_iter().map(|(i, tree)| (i, Some(tree)))),
            Self::Spans(spans) => Box::new(spans.into_iter().map(move |(i, span)| {
                let tree = text
                    .and_then(|text| text.get(span))
                    .and_then(|json| serde_json::from_str(json).ok());
                (i, tree)
            })),
            Self::Rows(rows) => Box::new(rows.into_trees().map(|(i, tree)| (i, Some(tree)))),
        }
    }
}

/// Splits the JSON text of a `kind` file; `None` when it is not an object
/// whose collection key holds an array (the caller then reads it whole).
/// The text has passed the syntax scan; `repeats` says whether the scan
/// found a key repeated in an object.
pub(crate) fn split_text(kind: FileKind, text: &str, repeats: bool) -> Option<Split> {
    let (key, _) = kind.collection()?;
    // Later keys win, as they do in a `Value`; the scan has reported any
    // repeat.
    let top: Vec<(String, &RawValue)> = serde_json::from_str::<Members<'_>>(text).ok()?.0;
    let mut shell = serde_json::Map::new();
    let mut array = None;
    for (name, raw) in top {
        if name == key {
            array = Some(serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()?);
            shell.insert(name, Value::Array(Vec::new()));
        } else {
            shell.insert(name, serde_json::from_str(raw.get()).ok()?);
        }
    }
    let all = array?
        .into_iter()
        .map(|raw| Text { raw, repeats })
        .collect();
    let (items, refused) = split_kind(kind, all)?;
    // Each span is a slice of `text`: its place is its distance from the start.
    let start = text.as_ptr() as usize;
    let spans = refused.into_iter().map(|(i, raw)| {
        let from = raw.get().as_ptr() as usize - start;
        (i, from..from + raw.get().len())
    });
    Some(Split {
        shell: Value::Object(shell),
        items,
        refused: Refused::Spans(spans.collect()),
    })
}

/// Splits a `kind` file read as a JSON tree (a CSV dataset read value by
/// value, say); the tree back when its collection is not an array.
pub(crate) fn split_value(kind: FileKind, mut value: Value) -> Result<Split, Value> {
    let Some((key, _)) = kind.collection() else {
        return Err(value);
    };
    let Some(slot) = value.get_mut(key).filter(|v| v.is_array()) else {
        return Err(value);
    };
    let Value::Array(values) = std::mem::replace(slot, Value::Array(Vec::new())) else {
        return Err(value);
    };
    // Trees are kept as they are, so this cannot fail.
    match split_kind(kind, values) {
        Some((items, refused)) => Ok(Split {
            shell: value,
            items,
            refused: Refused::Trees(refused),
        }),
        None => Err(value),
    }
}

/// A collection read row by row from CSV tables: the records the types
/// accepted there, and the rows of those they refused, whose trees are
/// made as they are checked (and tried against the types once more then:
/// see [`Refused::retries`]). `None` for a kind that is not a collection.
pub(crate) fn from_rows<T>(
    kind: FileKind,
    schema: String,
    typed: Vec<(usize, T)>,
    rows: CsvRecords,
    wrap: impl FnOnce(Vec<(usize, T)>) -> Items,
) -> Option<Split> {
    let (key, _) = kind.collection()?;
    let shell = [
        ("$schema".to_owned(), Value::String(schema)),
        (key.to_owned(), Value::Array(Vec::new())),
    ];
    Some(Split {
        shell: Value::Object(shell.into_iter().collect()),
        items: wrap(typed),
        refused: Refused::Rows(rows),
    })
}

impl Items {
    /// Takes in the record at `index` if the types accept its tree.
    pub(crate) fn adopt(&mut self, index: usize, tree: &Value) -> bool {
        fn take<T: DeserializeOwned>(
            list: &mut Vec<(usize, T)>,
            index: usize,
            tree: &Value,
        ) -> bool {
            tree.typed::<T>().map(|r| list.push((index, r))).is_some()
        }
        match self {
            Self::Actors(v) => take(v, index, tree),
            Self::Sources(v) => take(v, index, tree),
            Self::Pledges(v) => take(v, index, tree),
            Self::Events(v) => take(v, index, tree),
            Self::Statements(v) => take(v, index, tree),
        }
    }

    /// Puts the records back in the order of their indexes (after
    /// [`Items::adopt`]).
    pub(crate) fn sort(&mut self) {
        match self {
            Self::Actors(v) => v.sort_by_key(|(i, _)| *i),
            Self::Sources(v) => v.sort_by_key(|(i, _)| *i),
            Self::Pledges(v) => v.sort_by_key(|(i, _)| *i),
            Self::Events(v) => v.sort_by_key(|(i, _)| *i),
            Self::Statements(v) => v.sort_by_key(|(i, _)| *i),
        }
    }
}

/// A record of a file's JSON text, and whether the file repeats a key.
#[derive(Clone, Copy)]
struct Text<'a> {
    raw: &'a RawValue,
    repeats: bool,
}

/// A record the types can be tried on: raw JSON text or a parsed tree.
trait Item: Send + Sized {
    /// What is kept of a record the types refuse.
    type Kept: Send;

    fn typed<T: DeserializeOwned>(&self) -> Option<T>;

    /// A record the types refused, unless they accept it on a second look;
    /// `None` if it cannot be looked at again.
    fn refused<T: DeserializeOwned>(self) -> Option<Result<T, Self::Kept>>;
}

impl<'a> Item for Text<'a> {
    type Kept = &'a RawValue;

    fn typed<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_str::<Object<T>>(self.raw.get())
            .ok()
            .map(|o| o.0)
    }

    fn refused<T: DeserializeOwned>(self) -> Option<Result<T, &'a RawValue>> {
        // Refused as text, a record may still be accepted as a tree when
        // the file repeats a key (the types refuse the repeat in text, the
        // tree keeps the last one), as the file's whole tree would be.
        // Without a repeat, the text and its tree read alike.
        if !self.repeats {
            return Some(Err(self.raw));
        }
        let tree: Value = serde_json::from_str(self.raw.get()).ok()?;
        Some(tree.typed().ok_or(self.raw))
    }
}

impl Item for Value {
    type Kept = Value;

    fn typed<T: DeserializeOwned>(&self) -> Option<T> {
        use serde::Deserialize;
        Object::<T>::deserialize(self).ok().map(|o| o.0)
    }

    fn refused<T: DeserializeOwned>(self) -> Option<Result<T, Value>> {
        Some(Err(self))
    }
}

/// The records the types accept, and what is kept of the others, each
/// with its index.
type Parts<K> = (Items, Vec<(usize, K)>);

/// [`Parts`], before the accepted records are wrapped as [`Items`].
type Halves<T, K> = (Vec<(usize, T)>, Vec<(usize, K)>);

/// [`split`] into the records of `kind`; `None` for the manifest.
fn split_kind<I: Item>(kind: FileKind, all: Vec<I>) -> Option<Parts<I::Kept>> {
    match kind {
        FileKind::Actors => split(all, Items::Actors),
        FileKind::Sources => split(all, Items::Sources),
        FileKind::Pledges => split(all, Items::Pledges),
        FileKind::Events => split(all, Items::Events),
        FileKind::Statements => split(all, Items::Statements),
        FileKind::Manifest => None,
    }
}

/// Splits `all`, half on each of two threads, into the records the types
/// accept (wrapped by `wrap`) and what is kept of the others; `None` if
/// one cannot be looked at again.
fn split<I, T>(
    mut all: Vec<I>,
    wrap: impl FnOnce(Vec<(usize, T)>) -> Items,
) -> Option<Parts<I::Kept>>
where
    I: Item,
    T: DeserializeOwned + Send,
{
    let half = |from: usize, items: Vec<I>| -> Option<Halves<T, I::Kept>> {
        let mut typed = Vec::with_capacity(items.len());
        let mut refused = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let record = match item.typed::<T>() {
                Some(record) => Ok(record),
                None => item.refused::<T>()?,
            };
            match record {
                Ok(record) => typed.push((from + i, record)),
                Err(tree) => refused.push((from + i, tree)),
            }
        }
        Some((typed, refused))
    };
    let mid = all.len() / 2;
    let second_half = all.split_off(mid);
    let (first, second) = std::thread::scope(|threads| {
        let second = threads.spawn(|| half(mid, second_half));
        let first = half(0, all);
        let second = second
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    });
    let (mut typed, mut refused) = first?;
    let (typed_rest, refused_rest) = second?;
    typed.extend(typed_rest);
    refused.extend(refused_rest);
    Some((wrap(typed), refused))
}

/// An object's members in file order, each value left as raw text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for Members<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Members<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(Visit(std::marker::PhantomData))
    }
}
