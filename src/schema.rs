//! JSON Schemas generated from the [`model`](crate::model) types.

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, generate::SchemaSettings};
#[cfg(any(feature = "validate", feature = "write"))]
use serde_json::Value;

#[cfg(feature = "schema")]
use crate::model::{ActorsFile, EventsFile, Manifest, PledgesFile, SourcesFile, StatementsFile};

/// The schema version this tool reads and writes.
pub const SCHEMA_VERSION: &str = "0.2.0";

/// One of the dataset's files, each with its own schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FileKind {
    /// `dataset.json`, the manifest.
    Manifest,
    /// `actors.json`.
    Actors,
    /// `sources.json`.
    Sources,
    /// `pledges.json`.
    Pledges,
    /// `events.json`.
    Events,
    /// `statements.json`.
    Statements,
}

impl FileKind {
    /// All file kinds, in the order they are loaded and reported.
    pub const ALL: [FileKind; 6] = [
        Self::Manifest,
        Self::Actors,
        Self::Sources,
        Self::Pledges,
        Self::Events,
        Self::Statements,
    ];

    /// The record files: every kind but the manifest.
    pub const RECORDS: [FileKind; 5] = [
        Self::Actors,
        Self::Sources,
        Self::Pledges,
        Self::Events,
        Self::Statements,
    ];

    /// The key of the file's array of records (`pledges`), and its
    /// records' name in the singular (`pledge`); `None` for the manifest.
    #[must_use]
    pub fn collection(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Manifest => None,
            Self::Actors => Some(("actors", "actor")),
            Self::Sources => Some(("sources", "source")),
            Self::Pledges => Some(("pledges", "pledge")),
            Self::Events => Some(("events", "event")),
            Self::Statements => Some(("statements", "statement")),
        }
    }

    /// The file's default name in a dataset directory, e.g. `pledges.json`.
    #[must_use]
    pub fn default_file_name(self) -> &'static str {
        match self {
            Self::Manifest => "dataset.json",
            Self::Actors => "actors.json",
            Self::Sources => "sources.json",
            Self::Pledges => "pledges.json",
            Self::Events => "events.json",
            Self::Statements => "statements.json",
        }
    }

    /// The schema's file name under `schema/`, e.g. `pledges.schema.json`.
    #[must_use]
    pub fn schema_file_name(self) -> &'static str {
        match self {
            Self::Manifest => "dataset.schema.json",
            Self::Actors => "actors.schema.json",
            Self::Sources => "sources.schema.json",
            Self::Pledges => "pledges.schema.json",
            Self::Events => "events.schema.json",
            Self::Statements => "statements.schema.json",
        }
    }

    /// The generated JSON Schema (draft 2020-12) for this file.
    #[cfg(feature = "schema")]
    #[must_use]
    pub fn schema(self) -> Schema {
        match self {
            Self::Manifest => generate::<Manifest>(),
            Self::Actors => generate::<ActorsFile>(),
            Self::Sources => generate::<SourcesFile>(),
            Self::Pledges => generate::<PledgesFile>(),
            Self::Events => generate::<EventsFile>(),
            Self::Statements => generate::<StatementsFile>(),
        }
    }
}

#[cfg(feature = "schema")]
fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

#[cfg(feature = "schema")]
/// The schema as the committed file holds it: pretty JSON, two-space
/// indent, one trailing newline.
#[must_use]
pub fn to_file_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The schema that applies at `pointer` in an instance of `root`, following
/// `properties`, `items`, local `$ref`s and the non-null branch of `anyOf`.
#[cfg(any(feature = "validate", feature = "write"))]
pub(crate) fn subschema_at<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    let resolve = |mut schema: &'s Value| -> Option<&'s Value> {
        for _ in 0..16 {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                schema = root.pointer(reference.strip_prefix('#')?)?;
            } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
                schema = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))?;
            } else {
                break;
            }
        }
        Some(schema)
    };
    let mut schema = resolve(root)?;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match schema.get("properties").and_then(|p| p.get(&token)) {
            Some(property) => property,
            None => schema.get("items")?,
        };
        schema = resolve(next)?;
    }
    Some(schema)
}
