//! The CSV tables: one per record type, one per many-valued field.
//!
//! Each column names the value it holds by a path inside the record (or
//! inside one item of a list), so the same definitions drive JSON → CSV,
//! CSV → JSON, the source map from cells back to JSON Pointers, and the
//! Frictionless Table Schemas.

use serde_json::{Value, json};

use crate::schema::FileKind;

/// The name of the package descriptor in a CSV directory.
pub const DATAPACKAGE: &str = "datapackage.json";

/// The manifest fields the package carries beyond the standard ones, so
/// that CSV → JSON restores the manifest exactly.
pub const MANIFEST_KEY: &str = "ukraine_pledges";

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header.
    pub name: &'static str,
    /// The path of the value relative to the record (main tables) or to the
    /// list item (child tables), `/`-separated; `""` is the item itself.
    pub path: &'static str,
    /// What the column means.
    pub description: &'static str,
}

/// Whether a table holds the records themselves or one of their lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One row per record.
    Main,
    /// One row per item of the record's list field `field`, keyed by the
    /// parent's id and a 1-based ordinal.
    Child {
        /// The list field, e.g. `pledgers`.
        field: &'static str,
        /// The header of the parent-id column, e.g. `pledge_id`.
        parent_column: &'static str,
    },
}

/// A CSV table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Table {
    /// The resource name, e.g. `pledge_evidence`.
    pub name: &'static str,
    /// The file the records come from.
    pub kind: FileKind,
    /// Main or child.
    pub shape: Shape,
    /// The value columns (a child table's key columns come first and are
    /// not listed here).
    pub columns: &'static [Column],
    /// What a row is.
    pub description: &'static str,
}

/// The header of a child table's ordinal column.
pub const ORDINAL: &str = "ordinal";

const fn col(name: &'static str, path: &'static str, description: &'static str) -> Column {
    Column {
        name,
        path,
        description,
    }
}

/// Every table, in the order they are written and described.
pub const TABLES: &[Table] = &[
    Table {
        name: "actors",
        kind: FileKind::Actors,
        shape: Shape::Main,
        description: "One row per actor.",
        columns: &[
            col("id", "id", "Stable id of the actor."),
            col("name", "name", "Name in English."),
            col("kind", "kind", "What sort of actor."),
            col(
                "iso_3166",
                "iso_3166",
                "ISO 3166-1 alpha-2 code, for states.",
            ),
            col("wikidata", "wikidata", "Wikidata item id."),
            col(
                "affiliation",
                "affiliation",
                "Id of the actor a person or body acts for.",
            ),
            col("role", "role", "A person's role as the sources give it."),
            col("notes", "notes", "Editorial notes."),
            col(
                "retired_reason",
                "retired/reason",
                "Why the record is retired; empty while current.",
            ),
            col(
                "retired_replaced_by",
                "retired/replaced_by",
                "Id of the actor that replaces it.",
            ),
            col(
                "retired_note",
                "retired/note",
                "What was wrong or what changed.",
            ),
        ],
    },
    Table {
        name: "actor_aliases",
        kind: FileKind::Actors,
        shape: Shape::Child {
            field: "aliases",
            parent_column: "actor_id",
        },
        description: "One row per other name of an actor, in order.",
        columns: &[col(
            "alias",
            "",
            "Another name or spelling the sources use.",
        )],
    },
    Table {
        name: "sources",
        kind: FileKind::Sources,
        shape: Shape::Main,
        description: "One row per source.",
        columns: &[
            col("id", "id", "Stable id of the source."),
            col(
                "title",
                "title",
                "Headline, or opening words of an untitled text.",
            ),
            col("publisher", "publisher", "Who published it."),
            col("url", "url", "Where it was published."),
            col(
                "published",
                "published",
                "When it was published: YYYY, YYYY-MM or YYYY-MM-DD.",
            ),
            col("kind", "kind", "What sort of document."),
            col("language", "language", "BCP 47 language tag."),
            col(
                "archive_file",
                "archive/file",
                "File name of the archived text.",
            ),
            col(
                "archive_sha256",
                "archive/sha256",
                "SHA-256 of the archived text's bytes.",
            ),
            col("notes", "notes", "Editorial notes."),
            col(
                "retired_reason",
                "retired/reason",
                "Why the record is retired; empty while current.",
            ),
            col(
                "retired_replaced_by",
                "retired/replaced_by",
                "Id of the source that replaces it.",
            ),
            col(
                "retired_note",
                "retired/note",
                "What was wrong or what changed.",
            ),
        ],
    },
    Table {
        name: "pledges",
        kind: FileKind::Pledges,
        shape: Shape::Main,
        description: "One row per pledge.",
        columns: &[
            col("id", "id", "Stable id of the pledge."),
            col("title", "title", "Short title."),
            col("description", "description", "What was pledged."),
            col(
                "beneficiary",
                "beneficiary",
                "Id of the actor the pledge is for.",
            ),
            col("category", "category", "What the pledge is about."),
            col("status", "status", "How far the pledge has got."),
            col("commitment", "commitment", "How binding the pledge is."),
            col("quantity_amount", "quantity/amount", "The amount pledged."),
            col("quantity_unit", "quantity/unit", "What the amount counts."),
            col(
                "quantity_per",
                "quantity/per",
                "The period the amount recurs over.",
            ),
            col(
                "announced",
                "announced",
                "When announced: YYYY, YYYY-MM or YYYY-MM-DD.",
            ),
            col(
                "retired_reason",
                "retired/reason",
                "Why the record is retired; empty while current.",
            ),
            col(
                "retired_replaced_by",
                "retired/replaced_by",
                "Id of the pledge that replaces it.",
            ),
            col(
                "retired_note",
                "retired/note",
                "What was wrong or what changed.",
            ),
        ],
    },
    Table {
        name: "pledge_pledgers",
        kind: FileKind::Pledges,
        shape: Shape::Child {
            field: "pledgers",
            parent_column: "pledge_id",
        },
        description: "One row per actor making a pledge, in order.",
        columns: &[col("actor_id", "", "Id of a pledging actor.")],
    },
    Table {
        name: "pledge_involved",
        kind: FileKind::Pledges,
        shape: Shape::Child {
            field: "involved",
            parent_column: "pledge_id",
        },
        description: "One row per other actor named in connection with a pledge, in order.",
        columns: &[col("actor_id", "", "Id of an involved actor.")],
    },
    Table {
        name: "pledge_conditions",
        kind: FileKind::Pledges,
        shape: Shape::Child {
            field: "conditions",
            parent_column: "pledge_id",
        },
        description: "One row per condition of a pledge, in order.",
        columns: &[
            col("kind", "kind", "What sort of condition."),
            col(
                "actor_id",
                "actor",
                "Id of the actor the condition depends on.",
            ),
            col("text", "text", "The condition in words."),
        ],
    },
    Table {
        name: "pledge_evidence",
        kind: FileKind::Pledges,
        shape: Shape::Child {
            field: "evidence",
            parent_column: "pledge_id",
        },
        description: "One row per quote attesting a pledge, in order.",
        columns: &[
            col("source_id", "source", "Id of the source quoted."),
            col("quote", "quote", "The words, verbatim."),
        ],
    },
];

impl Table {
    /// The file name, e.g. `pledges.csv`.
    #[must_use]
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }

    /// The full header row.
    #[must_use]
    pub fn headers(&self) -> Vec<&'static str> {
        let mut headers = Vec::new();
        if let Shape::Child { parent_column, .. } = self.shape {
            headers.push(parent_column);
            headers.push(ORDINAL);
        }
        headers.extend(self.columns.iter().map(|c| c.name));
        headers
    }
}

/// The collection key of a record file, e.g. `pledges`.
#[must_use]
pub fn collection(kind: FileKind) -> &'static str {
    match kind {
        FileKind::Actors => "actors",
        FileKind::Sources => "sources",
        _ => "pledges",
    }
}

/// Rebuilds the manifest (as JSON, for validation) from a data package.
#[must_use]
pub fn manifest_value(package: &Value) -> Value {
    let extra = package.get(MANIFEST_KEY);
    json!({
        "$schema": extra
            .and_then(|e| e.get("json_schema"))
            .cloned()
            .unwrap_or_else(|| json!(format!("../schema/{}", FileKind::Manifest.schema_file_name()))),
        "name": package.get("name"),
        "title": package.get("title"),
        "description": package.get("description"),
        "version": package.get("version"),
        "schema_version": extra.and_then(|e| e.get("schema_version")),
        "license": package.get("licenses").and_then(|l| l.get(0)).and_then(|l| l.get("name")),
        "resources": extra.and_then(|e| e.get("json_resources")).cloned().unwrap_or_else(|| json!({
            "actors": "actors.json", "sources": "sources.json", "pledges": "pledges.json"
        })),
    })
}
