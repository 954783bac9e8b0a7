//! The record store the validation layers share: what could be read of each
//! file, each record with its index in the file.

use std::collections::HashMap;

use serde_json::Value;

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

    /// Adds the record at `index` of a file read record by record.
    pub(crate) fn push(&mut self, index: usize, item: T) {
        let positions = self
            .index
            .get_or_insert_with(|| (0..self.items.len()).collect());
        positions.push(index);
        self.items.push(item);
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

/// The records that could be read, each with its index in its file.
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
    /// The files that had to be read as JSON trees (off the fast path).
    pub values: HashMap<FileKind, Value>,
    /// The files read whole into the data model.
    pub whole: Vec<FileKind>,
    /// The record files that could not be read, whole or in part.
    pub partial: Vec<FileKind>,
}

impl Records {
    /// A file's parsed document, if it was read.
    pub fn raw(&self, kind: FileKind) -> Option<&Value> {
        self.values.get(&kind)
    }

    pub(crate) fn collection(&self, kind: FileKind) -> Option<&Vec<Value>> {
        let (key, _) = kind.collection()?;
        self.raw(kind)?.get(key)?.as_array()
    }

    /// Whether a collection file was read and holds its array of records.
    pub fn has_collection(&self, kind: FileKind) -> bool {
        self.collection(kind).is_some() || self.whole.contains(&kind)
    }

    /// The records of a collection file as raw values, with their indexes.
    pub fn raw_items(&self, kind: FileKind) -> impl Iterator<Item = (usize, &Value)> {
        self.collection(kind).into_iter().flatten().enumerate()
    }

    /// The `id` of every record of a collection that has a string id, read
    /// into the model or not, so that a broken record does not make every
    /// reference to it dangle too.
    pub fn ids(&self, kind: FileKind) -> Vec<(usize, &str)> {
        if self.raw(kind).is_some() {
            return self
                .raw_items(kind)
                .filter_map(|(i, item)| Some((i, item.get("id")?.as_str()?)))
                .collect();
        }
        match kind {
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
        }
    }
}
