//! The codebook: every record file, CSV table, field and code, in markdown.
//!
//! Everything in it is read at run time from the JSON Schemas (so from the
//! model's types and their doc comments) and from the CSV layout in
//! [`crate::tables`], the same way the data package is: a new file, table,
//! field or enum value needs no edit here, only a regenerated codebook
//! (`pledges codebook --out docs/codebook.md`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::schema::{FileKind, SCHEMA_VERSION, code_list, plain_description, subschema_and_def_at};
use crate::tables::{ColumnKind, Shape, TABLES, Table, collection};
use crate::write::datapackage::{pointer_of, resource};

/// The command that writes the committed codebook, as its header and the
/// drift check tell the reader.
pub const WRITE_COMMAND: &str = "pledges codebook --out docs/codebook.md";

/// What a named schema (`$defs` entry) is, for the codebook.
enum Def<'s> {
    /// A record or a nested object: a table of fields.
    Object(&'s Value),
    /// A code list: values and their meanings.
    Codes(&'s Value),
    /// A value with a format (an id, a date, a checksum).
    Format(&'s Value),
}

/// Where a named schema is used: `(file or table, field)`.
type Uses = Vec<(String, String)>;

struct Book<'s> {
    /// Every named schema of every file, by name (the files share names:
    /// they are generated from one set of types).
    defs: BTreeMap<&'s str, &'s Value>,
    /// Names in the order they were first met, each once.
    order: Vec<&'s str>,
    uses: BTreeMap<&'s str, Uses>,
    /// The objects described so far.
    described: Vec<&'s str>,
}

impl<'s> Book<'s> {
    fn def(&self, name: &str) -> Option<Def<'s>> {
        let schema = *self.defs.get(name)?;
        Some(if !code_list(schema).is_empty() {
            Def::Codes(schema)
        } else if schema.get("properties").is_some() {
            Def::Object(schema)
        } else {
            Def::Format(schema)
        })
    }

    fn meet(&mut self, name: &'s str, file: &str, field: &str) {
        if !self.order.contains(&name) {
            self.order.push(name);
        }
        let uses = self.uses.entry(name).or_default();
        let place = (file.to_owned(), field.to_owned());
        if !uses.contains(&place) {
            uses.push(place);
        }
    }
}

/// A code list: the values a field may hold, each with its meaning, as
/// the codebook shows them (and the exports' code tables hold them).
#[cfg_attr(not(feature = "export"), allow(dead_code))]
pub(crate) struct CodeList {
    /// The list's name in the schemas, e.g. `ConditionKind`.
    pub(crate) name: String,
    /// What the list is, when the schema says.
    pub(crate) description: Option<String>,
    /// Each value, written exactly as the data holds it, with its meaning.
    pub(crate) codes: Vec<(String, Option<String>)>,
}

impl CodeList {
    fn of(name: &str, schema: &Value) -> Self {
        Self {
            name: name.to_owned(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(plain_description),
            codes: code_list(schema)
                .into_iter()
                .map(|(value, meaning)| (value_text(value), meaning.map(plain_description)))
                .collect(),
        }
    }
}

/// Every code list of the data model, by name.
#[cfg_attr(not(feature = "export"), allow(dead_code))]
pub(crate) fn code_lists() -> Vec<CodeList> {
    let mut defs = BTreeMap::new();
    for kind in FileKind::ALL {
        if let Some(Value::Object(found)) = kind.schema().to_value().get("$defs") {
            for (name, schema) in found {
                defs.entry(name.clone()).or_insert_with(|| schema.clone());
            }
        }
    }
    defs.iter()
        .filter(|(_, schema)| !code_list(schema).is_empty())
        .map(|(name, schema)| CodeList::of(name, schema))
        .collect()
}

/// The codebook, as the committed `docs/codebook.md` holds it.
#[must_use]
pub fn codebook() -> String {
    let roots: Vec<(FileKind, Value)> = FileKind::ALL
        .iter()
        .map(|&kind| (kind, kind.schema().to_value()))
        .collect();
    let mut book = Book {
        defs: BTreeMap::new(),
        order: Vec::new(),
        uses: BTreeMap::new(),
        described: Vec::new(),
    };
    for (_, root) in &roots {
        if let Some(Value::Object(defs)) = root.get("$defs") {
            for (name, schema) in defs {
                book.defs.entry(name.as_str()).or_insert(schema);
            }
        }
    }

    // The sections are written first and put together at the end, because
    // the code lists say where each is used.
    let mut files = String::new();
    for (kind, root) in &roots {
        file_section(&mut files, &mut book, *kind, root);
    }
    let mut tables = String::new();
    for table in TABLES {
        let root = &roots.iter().find(|(k, _)| *k == table.kind).map(|(_, r)| r);
        if let Some(root) = root {
            table_section(&mut tables, &mut book, table, root);
        }
    }

    let mut out = String::new();
    let _ = writeln!(out, "# Codebook\n");
    let _ = writeln!(
        out,
        "Every file of the dataset, every field and every allowed value, with its \
         meaning (schema version {SCHEMA_VERSION}). This page is generated from the data \
         model by `{WRITE_COMMAND}`: do not edit it by hand, and regenerate it when the \
         model changes (CI checks that it is in step).\n"
    );
    let _ = writeln!(
        out,
        "The dataset comes in two forms with the same content: JSON record files \
         (`data/*.json`) and CSV tables (`data/csv/*.csv`, described by \
         `data/csv/datapackage.json`). In JSON an unknown value is `null`; in CSV it is \
         an empty cell. A field marked *required* must have a value; *may be null* means \
         the key is there but may hold `null`; *optional* means the key may be left out.\n"
    );
    let _ = writeln!(out, "## Contents\n");
    let _ = writeln!(out, "- [Record files](#record-files):");
    for (kind, _) in &roots {
        let name = kind.default_file_name();
        let _ = writeln!(out, "  [{}](#{}),", escape(name), anchor(name));
    }
    trim_comma(&mut out);
    let _ = writeln!(out, "- [CSV tables](#csv-tables):");
    for table in TABLES {
        let name = table.file_name();
        let _ = writeln!(out, "  [{}](#{}),", escape(&name), anchor(&name));
    }
    trim_comma(&mut out);
    let codes: Vec<&str> = book
        .order
        .iter()
        .copied()
        .filter(|name| matches!(book.def(name), Some(Def::Codes(_))))
        .collect();
    let _ = writeln!(out, "- [Code lists](#code-lists):");
    for name in &codes {
        let _ = writeln!(out, "  [{}](#{}),", escape(name), anchor(name));
    }
    trim_comma(&mut out);
    let _ = writeln!(out, "- [Formats](#formats)\n");

    let _ = writeln!(out, "## Record files\n");
    out.push_str(&files);
    let _ = writeln!(out, "## CSV tables\n");
    let _ = writeln!(
        out,
        "Each record file has a main table, one row per record, and a child table for \
         each of its lists, one row per item: a child row names its record in its first \
         column and its place in the list in `ordinal` (from 1).\n"
    );
    out.push_str(&tables);

    let _ = writeln!(out, "## Code lists\n");
    let _ = writeln!(
        out,
        "A field with a code list holds one of its values, written exactly as shown.\n"
    );
    for name in &codes {
        let Some(Def::Codes(schema)) = book.def(name) else {
            continue;
        };
        heading(&mut out, 3, name);
        paragraph(&mut out, schema);
        uses(&mut out, book.uses.get(name));
        let _ = writeln!(out, "| value | meaning |\n| --- | --- |");
        for (value, meaning) in CodeList::of(name, schema).codes {
            row(
                &mut out,
                &[&code(&value), &cell(meaning.as_deref().unwrap_or(""))],
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "## Formats\n");
    let _ = writeln!(
        out,
        "The kinds of value the fields above hold, beyond plain text and numbers.\n"
    );
    for name in &book.order {
        let Some(Def::Format(schema)) = book.def(name) else {
            continue;
        };
        heading(&mut out, 3, name);
        paragraph(&mut out, schema);
        let rules = constraints(schema);
        if !rules.is_empty() {
            let _ = writeln!(out, "{}\n", rules.join("; "));
        }
        uses(&mut out, book.uses.get(name));
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn file_section<'s>(out: &mut String, book: &mut Book<'s>, kind: FileKind, root: &'s Value) {
    let file = kind.default_file_name();
    heading(out, 3, file);
    paragraph(out, root);
    let mut pending = Vec::new();
    fields(out, book, file, "", root, &mut pending);
    // The objects this file's fields hold, each described once: in the
    // first file that has it.
    while !pending.is_empty() {
        let name = pending.remove(0);
        if book.described.contains(&name) {
            continue;
        }
        book.described.push(name);
        let Some(Def::Object(schema)) = book.def(name) else {
            continue;
        };
        heading(out, 4, name);
        paragraph(out, schema);
        fields(out, book, file, name, schema, &mut pending);
    }
}

/// The table of an object's fields; the objects they hold go on `pending`.
fn fields<'s>(
    out: &mut String,
    book: &mut Book<'s>,
    file: &str,
    owner: &str,
    schema: &'s Value,
    pending: &mut Vec<&'s str>,
) {
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| field | type | required | description |\n| --- | --- | --- | --- |"
    );
    for (name, property) in properties {
        let place = if owner.is_empty() {
            name.clone()
        } else {
            format!("{owner}.{name}")
        };
        let (ty, nullable) = type_of(book, file, &place, property, pending);
        let needed = match (required.contains(&name.as_str()), nullable) {
            (true, false) => "required",
            (true, true) => "required, may be null",
            (false, false) => "optional",
            (false, true) => "optional, may be null",
        };
        let description = property
            .get("description")
            .and_then(Value::as_str)
            .or_else(|| described_def(book, property));
        row(
            out,
            &[&code(name), &ty, needed, &cell(description.unwrap_or(""))],
        );
    }
    out.push('\n');
}

/// The description of the named schema a property refers to, for a
/// property with none of its own.
fn described_def<'s>(book: &Book<'s>, property: &Value) -> Option<&'s str> {
    let name = ref_name(property)?;
    book.defs.get(name)?.get("description")?.as_str()
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// The type of a property, as markdown, and whether it may be null. Named
/// schemas it refers to are recorded as used at `place`, and objects among
/// them go on `pending`.
fn type_of<'s>(
    book: &mut Book<'s>,
    file: &str,
    place: &str,
    schema: &'s Value,
    pending: &mut Vec<&'s str>,
) -> (String, bool) {
    if let Some(name) = ref_name(schema) {
        book.meet(name, file, place);
        let ty = match book.def(name) {
            Some(Def::Object(_)) => {
                pending.push(name);
                link(name)
            }
            Some(Def::Codes(_)) => format!("code: {}", link(name)),
            Some(Def::Format(def)) => format_type(def, Some(name)),
            None => escape(name),
        };
        return (ty, false);
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        let mut nullable = false;
        let mut types = Vec::new();
        for branch in branches {
            if branch.get("type").and_then(Value::as_str) == Some("null") {
                nullable = true;
            } else {
                let (ty, null) = type_of(book, file, place, branch, pending);
                nullable |= null;
                types.push(ty);
            }
        }
        return (types.join(" or "), nullable);
    }
    match schema.get("type") {
        Some(Value::String(t)) if t == "array" => {
            let item = schema.get("items").map_or_else(
                || "value".to_owned(),
                |items| type_of(book, file, place, items, pending).0,
            );
            let at_least = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .filter(|&n| n > 0)
                .map_or_else(String::new, |n| format!(" (at least {n})"));
            (format!("list of {item}{at_least}"), false)
        }
        Some(Value::Array(types)) if types.iter().any(|t| t == "null") => {
            (format_type(schema, None), true)
        }
        _ => (format_type(schema, None), false),
    }
}

/// A scalar type: its JSON type, linked to its format when it has a name.
fn format_type(schema: &Value, name: Option<&str>) -> String {
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "value".to_owned(),
    };
    let base = match base.as_str() {
        "string" => "text".to_owned(),
        "boolean" => "true or false".to_owned(),
        _ => base,
    };
    match name {
        Some(name) => format!("{base} ({})", link(name)),
        None => {
            let rules = constraints(schema);
            if rules.is_empty() {
                base
            } else {
                format!("{base}, {}", rules.join(", "))
            }
        }
    }
}

/// A schema's constraints in words.
fn constraints(schema: &Value) -> Vec<String> {
    let mut rules = Vec::new();
    let number = |key: &str| schema.get(key).map(Value::to_string);
    match (number("minLength"), number("maxLength")) {
        (Some(min), Some(max)) => rules.push(format!("{min} to {max} characters")),
        (Some(min), None) => rules.push(format!("at least {min} character{}", plural(&min))),
        (None, Some(max)) => rules.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    match (number("minimum"), number("maximum")) {
        (Some(min), Some(max)) => rules.push(format!("from {min} to {max}")),
        (Some(min), None) => rules.push(format!("at least {min}")),
        (None, Some(max)) => rules.push(format!("at most {max}")),
        (None, None) => {}
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        rules.push(format!("matching the pattern {}", code(pattern)));
    }
    rules
}

fn plural(n: &str) -> &'static str {
    if n == "1" { "" } else { "s" }
}

fn table_section<'s>(out: &mut String, book: &mut Book<'s>, table: &Table, root: &'s Value) {
    let name = table.file_name();
    heading(out, 3, &name);
    let file = table.kind.default_file_name();
    let _ = write!(out, "{} ", escape(&plain_description(table.description)));
    match table.shape {
        Shape::Main => {
            let _ = writeln!(
                out,
                "The rows are the records of {}; `id` is unique.\n",
                link_to(file)
            );
        }
        Shape::Child {
            field,
            parent_column,
        } => {
            let main = TABLES
                .iter()
                .find(|t| t.kind == table.kind && t.shape == Shape::Main)
                .map_or_else(|| collection(table.kind).to_owned(), Table::file_name);
            let _ = writeln!(
                out,
                "The rows are the items of the {} list of the records of {}; {} is the \
                 id of the record in {}, and each pair of {} and `ordinal` is unique.\n",
                code(field),
                link_to(file),
                code(parent_column),
                link_to(&main),
                code(parent_column),
            );
        }
    }
    let described = resource(table);
    let foreign: Vec<(&str, &str)> = described["schema"]["foreignKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|key| {
            let column = key["fields"].get(0)?.as_str()?;
            let target = key["reference"]["resource"].as_str()?;
            Some((
                column,
                if target.is_empty() {
                    table.name
                } else {
                    target
                },
            ))
        })
        .collect();
    let _ = writeln!(
        out,
        "| column | type | required | description |\n| --- | --- | --- | --- |"
    );
    for field in described["schema"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let column_name = field["name"].as_str().unwrap_or_default();
        let column = table.columns.iter().find(|c| c.name == column_name);
        let def = column.and_then(|column| {
            subschema_and_def_at(root, &pointer_of(table, column)).and_then(|(_, def)| def)
        });
        if let Some(def) = def {
            book.meet(def, &name, column_name);
        }
        let target = foreign
            .iter()
            .find(|(c, _)| *c == column_name)
            .map(|(_, t)| format!("{t}.csv"));
        let ty = match (def.and_then(|d| book.def(d)), target) {
            (Some(Def::Codes(_)), _) => format!("code: {}", link(def.unwrap_or_default())),
            (_, Some(target)) => format!("id in {}", link_to(&target)),
            (Some(Def::Format(schema)), None) => format_type(schema, def),
            _ => {
                let ty = field["type"].as_str().unwrap_or("string");
                if ty == "string" { "text" } else { ty }.to_owned()
            }
        };
        let needed = if field["constraints"]["required"] == Value::Bool(true) {
            "required"
        } else {
            "may be empty"
        };
        let mut description = field["description"].as_str().unwrap_or("").to_owned();
        if column.is_some_and(|c| c.kind == ColumnKind::Text) {
            description.push_str(" Free text.");
        }
        row(out, &[&code(column_name), &ty, needed, &cell(&description)]);
    }
    out.push('\n');
}

fn uses(out: &mut String, uses: Option<&Uses>) {
    let Some(uses) = uses.filter(|u| !u.is_empty()) else {
        return;
    };
    let places: Vec<String> = uses
        .iter()
        .map(|(file, field)| format!("{} in {}", code(field), link_to(file)))
        .collect();
    let _ = writeln!(out, "Used by {}.\n", places.join(", "));
}

fn trim_comma(out: &mut String) {
    if out.ends_with(",\n") {
        out.truncate(out.len() - 2);
        out.push('\n');
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ------------------------------------------------------------ markdown --

fn heading(out: &mut String, level: usize, text: &str) {
    let _ = writeln!(out, "{} {}\n", "#".repeat(level), escape(text));
}

/// A schema's description as a paragraph, if it has one.
fn paragraph(out: &mut String, schema: &Value) {
    if let Some(text) = schema.get("description").and_then(Value::as_str) {
        let mut text = inline(&plain_description(text));
        // Nothing that would start a block: a heading, a list, a quote.
        if text.starts_with(['#', '-', '+', '=', '>']) || starts_numbered(&text) {
            text.insert(0, '\\');
        }
        let _ = writeln!(out, "{text}\n");
    }
}

fn starts_numbered(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && matches!(text.as_bytes().get(digits), Some(b'.' | b')'))
}

/// A table row of `cells`, each already markdown: a pipe, which would end
/// its cell even inside code, is escaped.
fn row(out: &mut String, cells: &[&str]) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {} |", cell.replace('|', "\\|"));
    }
    out.push('\n');
}

/// Text for a table cell.
fn cell(text: &str) -> String {
    inline(&plain_description(text))
}

/// A link to the section on the named schema.
fn link(name: &str) -> String {
    format!("[{}](#{})", escape(name), anchor(name))
}

/// A link to the section on a file or table.
fn link_to(file: &str) -> String {
    format!("[{}](#{})", code(file), anchor(file))
}

/// GitHub's anchor for a heading of plain text: lower case, spaces as
/// hyphens, punctuation other than `-` and `_` dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// `text` as a code span that shows it literally (in a table cell, through
/// [`row`]).
fn code(text: &str) -> String {
    let text = visible(text);
    let ticks = longest_run(&text, '`') + 1;
    let fence = "`".repeat(ticks);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Plain text shown literally: HTML as entities, markdown's inline
/// punctuation escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in visible(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A description: its `` `code` `` spans kept as code, the rest escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('`') else {
            break;
        };
        out.push_str(&escape(&rest[..start]));
        out.push_str(&code(&after[..end]));
        rest = &after[end + 1..];
    }
    out.push_str(&escape(rest));
    out
}

/// Controls and invisible characters as `\u{…}`, so the page shows them.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || crate::model::is_invisible(c) {
            let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_descriptions_is_shown_literally() {
        assert_eq!(
            inline("a <b> & *c* `x|y` [d]"),
            "a &lt;b&gt; &amp; \\*c\\* `x|y` \\[d\\]"
        );
        let mut out = String::new();
        row(&mut out, &["`a|b`", "c|d"]);
        assert_eq!(out, "| `a\\|b` | c\\|d |\n");
        assert_eq!(code("a`b"), "``a`b``");
        // Shown as `\u{…}`: the backslash itself escaped for markdown.
        assert_eq!(
            escape("line\nbreak\u{202E}"),
            "line\\\\u{000A}break\\\\u{202E}"
        );
    }

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("pledge_evidence.csv"), "pledge_evidencecsv");
        assert_eq!(anchor("Record files"), "record-files");
    }

    #[test]
    fn doc_links_become_code() {
        assert_eq!(
            plain_description("What a [`Pledge`] is\nabout."),
            "What a `Pledge` is about."
        );
        assert_eq!(plain_description("[`x`](y) [a"), "[`x`](y) [a");
    }
}
