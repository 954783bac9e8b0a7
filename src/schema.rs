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
    subschema_and_def_at(root, pointer).map(|(schema, _)| schema)
}

/// [`subschema_at`], with the name of the `$defs` entry the value is an
/// instance of (the last `$ref` followed on the way), if any.
#[cfg(any(feature = "validate", feature = "write"))]
pub(crate) fn subschema_and_def_at<'s>(
    root: &'s Value,
    pointer: &str,
) -> Option<(&'s Value, Option<&'s str>)> {
    let resolve = |mut schema: &'s Value| -> Option<(&'s Value, Option<&'s str>)> {
        let mut def = None;
        for _ in 0..16 {
            if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
                def = reference.strip_prefix("#/$defs/");
                schema = root.pointer(reference.strip_prefix('#')?)?;
            } else if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
                schema = branches
                    .iter()
                    .find(|b| b.get("type").and_then(Value::as_str) != Some("null"))?;
            } else {
                break;
            }
        }
        Some((schema, def))
    };
    let mut here = resolve(root)?;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match here.0.get("properties").and_then(|p| p.get(&token)) {
            Some(property) => property,
            None => here.0.get("items")?,
        };
        here = resolve(next)?;
    }
    Some(here)
}

/// The allowed values of an enum schema, each with its meaning when the
/// schema gives one: `enum`, or a `oneOf` of `const`s with their
/// descriptions (schemars writes a unit variant's doc comment there). Empty
/// for a schema that is not an enum.
#[cfg(feature = "write")]
pub(crate) fn code_list(schema: &Value) -> Vec<(&Value, Option<&str>)> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values.iter().map(|v| (v, None)).collect();
    }
    let Some(Value::Array(branches)) = schema.get("oneOf") else {
        return Vec::new();
    };
    let codes: Option<Vec<_>> = branches
        .iter()
        .map(|b| {
            let value = b.get("const")?;
            Some((value, b.get("description").and_then(Value::as_str)))
        })
        .collect();
    codes.unwrap_or_default()
}

/// A description from a doc comment as plain text: lines joined with
/// single spaces, and rustdoc's links (``[`Pledge`]``) as the code they
/// name (`` `Pledge` ``).
#[cfg(feature = "write")]
pub(crate) fn plain_description(description: &str) -> String {
    let joined = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(joined.len());
    let mut rest = joined.as_str();
    while let Some(start) = rest.find("[`") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find("`]") {
            Some(end) if !after[1..end].contains('`') && !after[end + 2..].starts_with('(') => {
                out.push_str(&after[..=end]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
