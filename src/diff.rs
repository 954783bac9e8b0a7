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
    /// Changes to events.
    pub events: CollectionDiff,
    /// Changes to statements.
    pub statements: CollectionDiff,
}

impl DatasetDiff {
    /// The collections with their names, in reporting order.
    #[must_use]
    pub fn collections(&self) -> [(&'static str, &CollectionDiff); 5] {
        [
            ("pledges", &self.pledges),
            ("statements", &self.statements),
            ("events", &self.events),
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

fn collection(old: &[Value], new: &[Value]) -> CollectionDiff {
    let index = |records: &[Value]| -> BTreeMap<String, Value> {
        records
            .iter()
            .cloned()
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
    diff_snapshots(&Snapshot::of(old), &Snapshot::of(new))
}

/// A dataset's manifest and records as JSON: what [`diff_snapshots`]
/// compares. Made from a [`Dataset`], or read from the JSON files of a
/// dataset of another schema version, which this version's types cannot
/// read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// The manifest.
    pub manifest: Value,
    /// The pledges, each a JSON object with an `id`.
    pub pledges: Vec<Value>,
    /// The actors.
    pub actors: Vec<Value>,
    /// The sources.
    pub sources: Vec<Value>,
    /// The events (none before schema 0.2).
    pub events: Vec<Value>,
    /// The statements (none before schema 0.2).
    pub statements: Vec<Value>,
}

impl Snapshot {
    /// The records of `dataset`, as its canonical JSON holds them.
    #[must_use]
    pub fn of(dataset: &Dataset) -> Self {
        Self {
            manifest: to_value(dataset.manifest()),
            pledges: dataset.pledges().iter().map(to_value).collect(),
            actors: dataset.actors().iter().map(to_value).collect(),
            sources: dataset.sources().iter().map(to_value).collect(),
            events: dataset.events().iter().map(to_value).collect(),
            statements: dataset.statements().iter().map(to_value).collect(),
        }
    }

    /// The records of the JSON files `dataset.json`, `actors.json`,
    /// `sources.json`, `pledges.json`, `events.json` and `statements.json`
    /// as given (name and text), read as JSON only: nothing is checked
    /// against a schema. The last two are optional: a dataset of a schema
    /// before 0.2 has no events or statements.
    ///
    /// # Errors
    /// The name of a file that is missing or is not JSON, with why.
    pub fn from_json_files(files: &[(&str, &str)]) -> Result<Self, String> {
        let read = |name: &str| -> Result<Value, String> {
            let (_, text) = files
                .iter()
                .find(|(n, _)| *n == name)
                .ok_or_else(|| format!("{name} is missing"))?;
            serde_json::from_str(text.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("{name} is not JSON: {e}"))
        };
        let records = |name: &str, key: &str| -> Result<Vec<Value>, String> {
            let mut doc = read(name)?;
            match doc.get_mut(key).map(Value::take) {
                Some(Value::Array(items)) => Ok(items),
                _ => Err(format!("{name} has no `{key}` list")),
            }
        };
        let optional = |name: &str, key: &str| -> Result<Vec<Value>, String> {
            if files.iter().any(|(n, _)| *n == name) {
                records(name, key)
            } else {
                Ok(Vec::new())
            }
        };
        Ok(Self {
            manifest: read("dataset.json")?,
            pledges: records("pledges.json", "pledges")?,
            actors: records("actors.json", "actors")?,
            sources: records("sources.json", "sources")?,
            events: optional("events.json", "events")?,
            statements: optional("statements.json", "statements")?,
        })
    }

    /// The manifest's `version`, or `""`.
    #[must_use]
    pub fn version(&self) -> &str {
        self.manifest
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The manifest's `schema_version`, or `""`.
    #[must_use]
    pub fn schema_version(&self) -> &str {
        self.manifest
            .get("schema_version")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// Compares two snapshots, record by record and field by field. Across a
/// schema change, a renamed field shows as one field removed (`new` null)
/// and one added (`old` null).
#[must_use]
pub fn diff_snapshots(old: &Snapshot, new: &Snapshot) -> DatasetDiff {
    let mut manifest = field_changes(&old.manifest, &new.manifest);
    manifest.retain(|c| c.field != "$schema");
    DatasetDiff {
        old_version: old.version().to_owned(),
        new_version: new.version().to_owned(),
        manifest,
        pledges: collection(&old.pledges, &new.pledges),
        actors: collection(&old.actors, &new.actors),
        sources: collection(&old.sources, &new.sources),
        events: collection(&old.events, &new.events),
        statements: collection(&old.statements, &new.statements),
    }
}
