//! The Frictionless Data Package that describes the CSV tables.
//!
//! Types, required fields, enums, patterns and ranges are read from the
//! JSON Schemas, so the package says what the data model says. An enum
//! column carries its code list twice: the allowed values in
//! `constraints.enum`, and each value with its meaning (the variant's doc
//! comment) in `categories`, the Table Schema v2 field property.

use serde_json::{Map, Value, json};

use crate::model::Manifest;
use crate::schema::{code_list, plain_description, subschema_at};
use crate::tables::{Column, ColumnKind, MANIFEST_KEY, ORDINAL, Shape, TABLES, Table, collection};

fn is_nullable(schema: &Value) -> bool {
    let null_type = |s: &Value| match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => false,
    };
    null_type(schema)
        || schema
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().any(null_type))
}

/// Whether every step of `pointer` is a required, non-null property.
pub(crate) fn is_required(root: &Value, pointer: &str) -> bool {
    let mut prefix = String::new();
    for token in pointer.split('/').skip(1) {
        let Some(parent) = subschema_at(root, &prefix) else {
            return false;
        };
        prefix.push('/');
        prefix.push_str(token);
        if token.bytes().all(|b| b.is_ascii_digit()) {
            continue; // an array item
        }
        let listed = parent
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|n| n == token));
        let raw = parent.get("properties").and_then(|p| p.get(token));
        if !listed || raw.is_none_or(is_nullable) {
            return false;
        }
    }
    true
}

pub(crate) fn pointer_of(table: &Table, column: &Column) -> String {
    let base = format!("/{}/0", collection(table.kind));
    let item = match table.shape {
        Shape::Main => base,
        Shape::Child { field, .. } => format!("{base}/{field}/0"),
    };
    if column.path.is_empty() {
        item
    } else {
        format!("{item}/{}", column.path)
    }
}

fn field(table: &Table, column: &Column, root: &Value) -> Value {
    let pointer = pointer_of(table, column);
    let schema = subschema_at(root, &pointer).cloned().unwrap_or(Value::Null);
    // `"number"`, or `["number", "null"]` for a nullable one: an empty cell
    // is null either way.
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = if types.contains(&"number") {
        "number"
    } else if types.contains(&"integer") {
        "integer"
    } else {
        "string"
    };
    let mut constraints = Map::new();
    if is_required(root, &pointer) {
        constraints.insert("required".into(), json!(true));
    }
    if table.shape == Shape::Main && column.name == "id" {
        constraints.insert("unique".into(), json!(true));
    }
    let codes = code_list(&schema);
    if !codes.is_empty() {
        let values = codes.iter().map(|(value, _)| (*value).clone()).collect();
        constraints.insert("enum".into(), Value::Array(values));
    }
    for (from, to) in [
        ("pattern", "pattern"),
        ("minLength", "minLength"),
        ("maxLength", "maxLength"),
        ("minimum", "minimum"),
        ("maximum", "maximum"),
    ] {
        if let Some(v) = schema.get(from) {
            constraints.insert(to.into(), v.clone());
        }
    }
    let mut out = json!({ "name": column.name, "type": kind, "description": column.description });
    if !constraints.is_empty() {
        out["constraints"] = Value::Object(constraints);
    }
    if codes.iter().any(|(_, meaning)| meaning.is_some()) {
        out["categories"] = codes
            .iter()
            .map(|(value, meaning)| {
                let label = meaning.map_or_else(|| value.to_string(), plain_description);
                json!({ "value": value, "label": label })
            })
            .collect();
    }
    out
}

fn reference(resource: &str, from: &str) -> Value {
    json!({ "fields": [from], "reference": { "resource": resource, "fields": ["id"] } })
}

pub(crate) fn resource(table: &Table) -> Value {
    let root = table.kind.schema().to_value();
    let mut fields = Vec::new();
    let mut foreign_keys = Vec::new();
    let primary_key = match table.shape {
        Shape::Main => json!(["id"]),
        Shape::Child { parent_column, .. } => {
            fields.push(json!({
                "name": parent_column,
                "type": "string",
                "description": "Id of the record this row belongs to.",
                "constraints": { "required": true }
            }));
            fields.push(json!({
                "name": ORDINAL,
                "type": "integer",
                "description": "Position in the record's list, from 1.",
                "constraints": { "required": true, "minimum": 1 }
            }));
            foreign_keys.push(reference(collection(table.kind), parent_column));
            json!([parent_column, ORDINAL])
        }
    };
    for column in table.columns {
        fields.push(field(table, column, &root));
        // Every reference the table declares is a foreign key to the main
        // table of the file it names.
        if let ColumnKind::Reference(kind) = column.kind {
            let target = collection(kind);
            // Frictionless names the table's own resource "" in a self-reference.
            let resource = if target == table.name { "" } else { target };
            foreign_keys.push(reference(resource, column.name));
        }
    }
    json!({
        "name": table.name,
        "path": table.file_name(),
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": table.description,
        "schema": {
            "fields": fields,
            "missingValues": [""],
            "primaryKey": primary_key,
            "foreignKeys": foreign_keys,
        }
    })
}

/// The `datapackage.json` for the tables of a dataset with `manifest`.
#[must_use]
pub fn datapackage(manifest: &Manifest) -> Value {
    let license = manifest.license.as_str();
    let license_path = match license {
        "CC-BY-4.0" => Some("https://creativecommons.org/licenses/by/4.0/"),
        "CC0-1.0" => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        _ => None,
    };
    let mut license_entry = json!({ "name": license });
    if let Some(path) = license_path {
        license_entry["path"] = json!(path);
    }
    json!({
        "profile": "tabular-data-package",
        "name": manifest.name,
        "title": manifest.title,
        "description": manifest.description,
        "version": manifest.version,
        "licenses": [license_entry],
        MANIFEST_KEY: {
            "schema_version": manifest.schema_version,
            "json_resources": manifest.resources,
            "json_schema": manifest.schema,
        },
        "resources": TABLES.iter().map(resource).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A nullable number (`["number", "null"]` in the JSON Schema, such as a
    /// quantity's amount) is a number in the package, not a string with a
    /// `minimum`, which Frictionless refuses.
    #[test]
    fn nullable_numbers_are_number_fields() {
        let manifest = crate::generate::dataset(2, 1).manifest().clone();
        let package = datapackage(&manifest);
        let amount = package["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "pledge_quantities")
            .and_then(|r| r["schema"]["fields"].as_array())
            .and_then(|f| f.iter().find(|f| f["name"] == "amount"))
            .cloned()
            .unwrap();
        assert_eq!(amount["type"], "number", "{amount}");
        assert_eq!(amount["constraints"]["minimum"], 0, "{amount}");
    }
}
