//! The record store the validation layers share: what could be read of each
//! file, each record with its index in the file.

use std::collections::HashMap;

use crate::model::{Actor, Event, Manifest, Pledge, Source, Statement};
use crate::schema::FileKind;

/// One share of the records, for checks that run on two cores: share
/// `part` of `parts` of the pledges, with everything else in share 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Part {
    pub part: usize,
    pub parts: usize,
}

impl Part {
    /// All the records, in one share.
    pub(crate) const WHOLE: Self = Self { part: 0, parts: 1 };

    /// The share of `n` items this part takes.
    pub(crate) fn range(self, n: usize) -> std::ops::Range<usize> {
        n * self.part / self.parts..n * (self.part + 1) / self.parts
    }
}

/// The records of one file that could be read, each with its index in the
/// file.
#[derive(Debug)]
pub(crate) struct Indexed<T> {
    items: Vec<T>,
    /// Each item's index in the file; `None` when every record was read,
    /// so that the item's place is its index.
    index: Option<Vec<usize>>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            index: Some(Vec::new()),
        }
    }
}

impl<T> Indexed<T> {
    /// Every record of a file.
    pub(crate) fn whole(items: Vec<T>) -> Self {
        Self { items, index: None }
    }

    /// The records of a file read record by record, each with its index,
    /// in ascending order of index.
    pub(crate) fn by_index(items: Vec<(usize, T)>) -> Self {
        let (index, items) = items.into_iter().unzip();
        Self {
            items,
            index: Some(index),
        }
    }

    /// The records, each with its index in the file.
    pub fn iter(&self) -> impl Iterator<Item = (usize, &T)> {
        self.items.iter().enumerate().map(|(i, item)| {
            let index = self.index.as_ref().map_or(i, |index| index[i]);
            (index, item)
        })
    }

    /// One share of the records, each with its index in the file.
    pub(crate) fn part(&self, part: Part) -> impl Iterator<Item = (usize, &T)> {
        let range = part.range(self.items.len());
        let start = range.start;
        self.items[range].iter().enumerate().map(move |(i, item)| {
            let i = start + i;
            let index = self.index.as_ref().map_or(i, |index| index[i]);
            (index, item)
        })
    }

    /// How many records were read.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The records, without their indexes.
    pub(crate) fn into_items(self) -> Vec<T> {
        self.items
    }
}

impl<'a, T> IntoIterator for &'a Indexed<T> {
    type Item = (usize, &'a T);
    type IntoIter = Box<dyn Iterator<Item = (usize, &'a T)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// Where in a record a reference sits, to build its JSON Pointer only when
/// a diagnostic needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Site {
    /// `/field`
    Field(&'static str),
    /// `/field/j`
    Item(&'static str, usize),
    /// `/field/j/inner`
    Nested(&'static str, usize, &'static str),
    /// `/retired/replaced_by`
    Replacement,
}

/// What the reference checks read of a record the types refused: a few
/// strings of it, not its tree (a file of a million bad records keeps a
/// million of these while the checks run).
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct RawLinks {
    /// Its `id`, when that is a string.
    pub id: Option<Box<str>>,
    /// Its `retired` member.
    pub retired: RawRetirement,
    /// The ids in its reference fields, each with where it sits and the
    /// collection it names, in the order of the tables and their columns.
    pub references: Vec<(Site, FileKind, Box<str>)>,
}

/// A refused record's `retired` member, as far as the checks read it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) enum RawRetirement {
    /// Absent or null: the record is current.
    #[default]
    None,
    /// Something else that is not an object: retired, but nothing more is read.
    Unreadable,
    /// An object, with its `reason` and `replaced_by` where they are strings.
    Given {
        reason: Option<Box<str>>,
        replaced_by: Option<Box<str>>,
    },
}

/// The records that could be read, each with its index in its file: a
/// record the types accept is in the typed lists, what the reference
/// checks read of one they refuse is kept in `refused`, and no record is
/// in both.
#[derive(Debug, Default)]
pub(crate) struct Records {
    pub manifest: Option<Manifest>,
    pub actors: Indexed<Actor>,
    pub sources: Indexed<Source>,
    pub pledges: Indexed<Pledge>,
    pub events: Indexed<Event>,
    pub statements: Indexed<Statement>,
    /// Whether every file and record was read.
    pub complete: bool,
    /// What the reference checks read of each record the types refused,
    /// with its index, in ascending order of index.
    pub refused: HashMap<FileKind, Vec<(usize, RawLinks)>>,
    /// The files whose array of records was read, record by record or
    /// whole.
    pub whole: Vec<FileKind>,
    /// The record files that could not be read, whole or in part.
    pub partial: Vec<FileKind>,
}

impl Records {
    /// Whether a collection file was read and holds its array of records.
    pub fn has_collection(&self, kind: FileKind) -> bool {
        self.whole.contains(&kind)
    }

    /// What the reference checks read of the records of a collection file
    /// the types refused, with their indexes.
    pub fn raw_items(&self, kind: FileKind) -> impl Iterator<Item = (usize, &RawLinks)> {
        self.refused
            .get(&kind)
            .into_iter()
            .flatten()
            .map(|(i, item)| (*i, item))
    }

    /// The `id` of every record of a collection that has a string id, read
    /// into the model or not (so that a broken record does not make every
    /// reference to it dangle too), in the order of the file.
    pub fn ids(&self, kind: FileKind) -> Vec<(usize, &str)> {
        let typed: Vec<(usize, &str)> = match kind {
            FileKind::Actors => self
                .actors
                .iter()
                .map(|(i, a)| (i, a.id.as_str()))
                .collect(),
            FileKind::Sources => self
                .sources
                .iter()
                .map(|(i, s)| (i, s.id.as_str()))
                .collect(),
            FileKind::Pledges => self
                .pledges
                .iter()
                .map(|(i, p)| (i, p.id.as_str()))
                .collect(),
            FileKind::Events => self
                .events
                .iter()
                .map(|(i, e)| (i, e.id.as_str()))
                .collect(),
            FileKind::Statements => self
                .statements
                .iter()
                .map(|(i, s)| (i, s.id.as_str()))
                .collect(),
            FileKind::Manifest => Vec::new(),
        };
        let raw: Vec<(usize, &str)> = self
            .raw_items(kind)
            .filter_map(|(i, item)| Some((i, item.id.as_deref()?)))
            .collect();
        if raw.is_empty() {
            return typed;
        }
        // Both lists are in file order: merged, they are too.
        let mut ids = Vec::with_capacity(typed.len() + raw.len());
        let (mut a, mut b) = (typed.into_iter().peekable(), raw.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.0 <= y.0 => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            ids.extend(next);
        }
        ids
    }
}
