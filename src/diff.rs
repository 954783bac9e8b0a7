//! What changed between two versions of the dataset, record by record and
//! field by field.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::dataset::Dataset;

/// One field whose value changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field's name, e.g. `status`.
    pub field: String,
    /// The old value (`null` when the field was absent).
    pub old: Value,
    /// The new value.
    pub new: Value,
}

/// A record that exists on one side only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// Its id.
    pub id: String,
    /// Its title or name, for people.
    pub label: String,
}

/// A record present on both sides with different contents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RecordChange {
    /// Its id.
    pub id: String,
    /// Its (new) title or name.
    pub label: String,
    /// Whether this change retires the record.
    pub retired: bool,
    /// The fields that changed, in schema order.
    pub fields: Vec<FieldChange>,
}

/// Changes to one collection.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CollectionDiff {
    /// Records only in the new version.
    pub added: Vec<RecordSummary>,
    /// Records only in the old version (deleted: never allowed once published).
    pub removed: Vec<RecordSummary>,
    /// Records in both, changed.
    pub changed: Vec<RecordChange>,
}

impl CollectionDiff {
    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Everything that changed between two datasets.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DatasetDiff {
    /// The old manifest's version.
    pub old_version: String,
    /// The new manifest's version.
    pub new_version: String,
    /// Manifest fields that changed, `version` included.
    pub manifest: Vec<FieldChange>,
    /// Changes to pledges.
    pub pledges: CollectionDiff,
    /// Changes to actors.
    pub actors: CollectionDiff,
    /// Changes to sources.
    pub sources: CollectionDiff,
}

impl DatasetDiff {
    /// The collections with their names, in reporting order.
    #[must_use]
    pub fn collections(&self) -> [(&'static str, &CollectionDiff); 3] {
        [
            ("pledges", &self.pledges),
            ("actors", &self.actors),
            ("sources", &self.sources),
        ]
    }

    /// Whether any record or manifest field other than `version` changed.
    #[must_use]
    pub fn data_changed(&self) -> bool {
        self.manifest.iter().any(|c| c.field != "version")
            || self.collections().iter().any(|(_, c)| !c.is_empty())
    }
}

fn to_value<T: Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

fn label(record: &Value) -> String {
    ["title", "name"]
        .iter()
        .find_map(|k| record.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned()
}

fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (old, new) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    keys.into_iter()
        .filter_map(|k| {
            let (o, n) = (
                old.get(k).unwrap_or(&Value::Null),
                new.get(k).unwrap_or(&Value::Null),
            );
            (o != n).then(|| FieldChange {
                field: k.clone(),
                old: o.clone(),
                new: n.clone(),
            })
        })
        .collect()
}

fn collection<T: Serialize>(old: &[T], new: &[T]) -> CollectionDiff {
    let index = |records: &[T]| -> BTreeMap<String, Value> {
        records
            .iter()
            .map(to_value)
            .map(|v| {
                (
                    v.get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    v,
                )
            })
            .collect()
    };
    let (old, new) = (index(old), index(new));
    let mut diff = CollectionDiff::default();
    for (id, record) in &new {
        match old.get(id) {
            None => diff.added.push(RecordSummary {
                id: id.clone(),
                label: label(record),
            }),
            Some(before) if before != record => {
                let retired = before.get("retired").is_none_or(Value::is_null)
                    && record.get("retired").is_some_and(|r| !r.is_null());
                diff.changed.push(RecordChange {
                    id: id.clone(),
                    label: label(record),
                    retired,
                    fields: field_changes(before, record),
                });
            }
            Some(_) => {}
        }
    }
    for (id, record) in &old {
        if !new.contains_key(id) {
            diff.removed.push(RecordSummary {
                id: id.clone(),
                label: label(record),
            });
        }
    }
    diff
}

/// Compares two datasets.
#[must_use]
pub fn diff(old: &Dataset, new: &Dataset) -> DatasetDiff {
    let mut manifest = field_changes(&to_value(old.manifest()), &to_value(new.manifest()));
    manifest.retain(|c| c.field != "$schema");
    DatasetDiff {
        old_version: old.manifest().version.clone(),
        new_version: new.manifest().version.clone(),
        manifest,
        pledges: collection(old.pledges(), new.pledges()),
        actors: collection(old.actors(), new.actors()),
        sources: collection(old.sources(), new.sources()),
    }
}
