//! Counts a record's schema findings without building jsonschema's errors.
//!
//! Past the limit of described findings per code and file, a finding is
//! only counted; yet jsonschema builds each error whole (its paths, its
//! instance) before the count, and a file of a million empty records
//! spends most of its time there. This walk of the generated schema finds
//! the findings [`schema::check`] counts, each with its code and table,
//! and makes nothing of them but the count; the caller still runs
//! the full check on any record with a finding that is to be described.
//!
//! It knows the keywords the generated schemas use, in the shapes they
//! use them. A schema with another keyword, or a known one in a shape
//! whose findings `describe` counts differently (an object closed without
//! `properties`, `required` on an object that is not closed, a `$ref`
//! beside an object's keywords, a nested `$schema` or `$defs`), has no
//! tally ([`for_kind`] gives `None`): every record then takes the full
//! check, which costs speed, not a count.
//!
//! [`schema::check`]: super::schema::check

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use jsonschema::Validator;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use super::schema::{Gate, misspelt_fields};
use crate::diagnostic::{Code, push_token};
use crate::model::PARTIAL_DATE_PATTERN;
use crate::schema::FileKind;

/// One finding as the gate counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub code: Code,
    /// The CSV table it comes from, as the gate finds it.
    pub table: Option<usize>,
    /// Whether it makes the file's references untrustworthy.
    pub breaks: bool,
    /// For a `type` finding whose type allows null: the length of the
    /// pointer it was found at (how `anyOf` tells an `Option`'s null
    /// branch).
    null_type_at: Option<usize>,
}

/// A keyword that makes at most one finding, checked by a validator of its
/// own.
struct Leaf {
    code: Code,
    validator: Validator,
    /// A `type` that allows null.
    null_type: bool,
}

#[derive(Default)]
struct Node {
    leaves: Vec<Leaf>,
    /// `properties`, in the schema's order (the order "did you mean"
    /// weighs them in).
    names: Vec<String>,
    properties: FxHashMap<String, usize>,
    /// `additionalProperties: false`.
    closed: bool,
    required: Vec<String>,
    items: Option<usize>,
    any_of: Vec<usize>,
    refs: Vec<usize>,
}

/// A compiled schema, walked by [`Tally::count`].
pub(crate) struct Tally {
    nodes: Vec<Node>,
}

/// The tally of `kind`'s schema, if it uses only keywords the tally knows.
/// Each is compiled the first time it is asked for.
pub(crate) fn for_kind(kind: FileKind) -> Option<&'static Tally> {
    static CACHE: [OnceLock<Option<Tally>>; FileKind::ALL.len()] =
        [const { OnceLock::new() }; FileKind::ALL.len()];
    let at = FileKind::ALL.iter().position(|&k| k == kind)?;
    CACHE[at]
        .get_or_init(|| Tally::compile(&kind.schema().to_value()))
        .as_ref()
}

/// Keywords that only annotate.
const ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// The keywords that act on an object's members, which a `$ref` beside
/// them would make `describe` read from another subschema.
const OBJECT_KEYWORDS: [&str; 4] = ["properties", "additionalProperties", "required", "anyOf"];

/// The code of a keyword that makes one finding, as `schema::describe`
/// names it.
fn leaf_code(keyword: &str, value: &Value) -> Option<Code> {
    Some(match keyword {
        "type" => Code::WrongType,
        "pattern" if value.as_str() == Some(PARTIAL_DATE_PATTERN) => Code::InvalidDate,
        "pattern" => Code::InvalidFormat,
        "minLength" | "minItems" => Code::EmptyValue,
        "maxLength" => Code::TooLong,
        "minimum" | "exclusiveMinimum" => Code::OutOfRange,
        "maximum" | "exclusiveMaximum" | "const" | "enum" | "oneOf" | "format" | "maxItems"
        | "uniqueItems" => Code::InvalidValue,
        _ => return None,
    })
}

fn mentions_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("$ref") || map.values().any(mentions_ref),
        Value::Array(items) => items.iter().any(mentions_ref),
        _ => false,
    }
}

impl Tally {
    /// Compiles `root`; `None` if it uses a keyword (or a form of one) the
    /// tally does not know.
    fn compile(root: &Value) -> Option<Self> {
        let mut tally = Tally { nodes: Vec::new() };
        let mut defs = HashMap::new();
        let empty = Map::new();
        let def_schemas = root
            .get("$defs")
            .map(|d| d.as_object())
            .unwrap_or(Some(&empty))?;
        // Every definition gets its place first, so that a `$ref` can name
        // one compiled later (or itself).
        for name in def_schemas.keys() {
            defs.insert(format!("#/$defs/{name}"), tally.nodes.len());
            tally.nodes.push(Node::default());
        }
        for (name, schema) in def_schemas {
            let at = defs[&format!("#/$defs/{name}")];
            tally.nodes[at] = tally.node(schema, &defs)?;
        }
        // `$schema` and `$defs` belong to the root alone: nested, they
        // would change the draft or what a `$ref` names.
        let mut top = root.as_object()?.clone();
        top.remove("$schema");
        top.remove("$defs");
        let node = tally.node(&Value::Object(top), &defs)?;
        tally.nodes.push(node);
        Some(tally)
    }

    /// Compiles `schema` (its subschemas pushed as nodes of their own).
    fn node(&mut self, schema: &Value, defs: &HashMap<String, usize>) -> Option<Node> {
        let mut node = Node::default();
        let object = schema.as_object()?;
        if object.contains_key("$ref") && OBJECT_KEYWORDS.iter().any(|k| object.contains_key(*k)) {
            return None;
        }
        for (keyword, value) in object {
            match keyword.as_str() {
                k if ANNOTATIONS.contains(&k) => {}
                "properties" => {
                    for (name, sub) in value.as_object()? {
                        let sub = self.child(sub, defs)?;
                        node.names.push(name.clone());
                        node.properties.insert(name.clone(), sub);
                    }
                }
                "additionalProperties" if value == &Value::Bool(false) => node.closed = true,
                "required" => {
                    for name in value.as_array()? {
                        node.required.push(name.as_str()?.to_owned());
                    }
                }
                "items" => node.items = Some(self.child(value, defs)?),
                "anyOf" => {
                    for branch in value.as_array()? {
                        node.any_of.push(self.child(branch, defs)?);
                    }
                }
                "$ref" => node.refs.push(*defs.get(value.as_str()?)?),
                k => {
                    let code = leaf_code(k, value)?;
                    if mentions_ref(value) {
                        return None;
                    }
                    let alone =
                        Value::Object([(k.to_owned(), value.clone())].into_iter().collect());
                    let validator = jsonschema::draft202012::new(&alone).ok()?;
                    let null_type = k == "type"
                        && match value {
                            Value::String(t) => t == "null",
                            Value::Array(ts) => ts.iter().any(|t| t == "null"),
                            _ => false,
                        };
                    node.leaves.push(Leaf {
                        code,
                        validator,
                        null_type,
                    });
                }
            }
        }
        // `additionalProperties: false` alone is one finding of its own
        // (jsonschema's false schema), not one per key; and a missing
        // field that a misspelt key explains is no finding, which in an
        // object that is not closed could leave a failing `anyOf` branch
        // without one.
        let has_properties = object.contains_key("properties");
        if (node.closed && !has_properties) || (!node.required.is_empty() && !node.closed) {
            return None;
        }
        Some(node)
    }

    fn child(&mut self, schema: &Value, defs: &HashMap<String, usize>) -> Option<usize> {
        let node = self.node(schema, defs)?;
        self.nodes.push(node);
        Some(self.nodes.len() - 1)
    }

    /// Appends to `out` the findings `gate`'s schema check would count for
    /// `value` (the whole value a check is given).
    pub(crate) fn count(&self, value: &Value, gate: &Gate<'_>, out: &mut Vec<Finding>) {
        let mut pointer = String::new();
        let root = self.nodes.len() - 1;
        self.walk(root, value, &mut pointer, gate, out);
    }

    /// [`Tally::count`] of a file of one record, `record` at `pointer`
    /// (`/{key}/0`), walked from the record's own schema: the rest of such
    /// a file is made to pass, so only the record can have findings.
    /// `false` (nothing counted) if the schema holds no records at `key`.
    pub(crate) fn count_record(
        &self,
        key: &str,
        record: &Value,
        pointer: &str,
        gate: &Gate<'_>,
        out: &mut Vec<Finding>,
    ) -> bool {
        let root = &self.nodes[self.nodes.len() - 1];
        let Some(&list) = root.properties.get(key) else {
            return false;
        };
        let list_node = &self.nodes[list];
        // The rest of the file passes only if nothing there but the
        // record's own schema can make a finding: no other member
        // required, nothing at the list but its leaves (`type`, a length,
        // which a list of one record meets).
        let only_these = |name: &String| name == "$schema" || name == key;
        let plain = root.required.iter().all(only_these)
            && root.refs.is_empty()
            && root.any_of.is_empty()
            && list_node.refs.is_empty()
            && list_node.any_of.is_empty();
        let Some(item) = list_node.items.filter(|_| plain) else {
            return false;
        };
        let mut pointer = pointer.to_owned();
        self.walk(item, record, &mut pointer, gate, out);
        true
    }

    fn walk(
        &self,
        at: usize,
        value: &Value,
        pointer: &mut String,
        gate: &Gate<'_>,
        out: &mut Vec<Finding>,
    ) {
        let node = &self.nodes[at];
        for leaf in &node.leaves {
            if !leaf.validator.is_valid(value) {
                let (table, breaks) = gate.classify(pointer);
                out.push(Finding {
                    code: leaf.code,
                    table,
                    breaks,
                    null_type_at: leaf.null_type.then_some(pointer.len()),
                });
            }
        }
        for &target in &node.refs {
            self.walk(target, value, pointer, gate, out);
        }
        match value {
            Value::Object(object) => self.walk_object(node, object, pointer, gate, out),
            Value::Array(items) => {
                if let Some(item) = node.items {
                    let len = pointer.len();
                    for (index, v) in items.iter().enumerate() {
                        // Writing to a `String` cannot fail.
                        let _ = write!(pointer, "/{index}");
                        self.walk(item, v, pointer, gate, out);
                        pointer.truncate(len);
                    }
                }
            }
            _ => {}
        }
        if !node.any_of.is_empty() {
            self.any_of(node, value, pointer, gate, out);
        }
    }

    fn walk_object(
        &self,
        node: &Node,
        object: &Map<String, Value>,
        pointer: &mut String,
        gate: &Gate<'_>,
        out: &mut Vec<Finding>,
    ) {
        if !node.properties.is_empty() || node.closed {
            let len = pointer.len();
            for (key, v) in object {
                match node.properties.get(key) {
                    Some(&sub) => {
                        pointer.push('/');
                        push_token(pointer, key);
                        self.walk(sub, v, pointer, gate, out);
                        pointer.truncate(len);
                    }
                    None if node.closed => {
                        let (table, _) = gate.classify(pointer);
                        out.push(Finding {
                            code: Code::UnknownField,
                            table,
                            breaks: key == "id",
                            null_type_at: None,
                        });
                    }
                    None => {}
                }
            }
        }
        // The fields that unknown keys misspell, as `schema::check` finds
        // them: found only if a field is missing.
        let mut misspelt: Option<Vec<&str>> = None;
        // Every missing field is at the object's own place.
        let mut place = None;
        for name in &node.required {
            if object.contains_key(name) {
                continue;
            }
            let misspelt = misspelt.get_or_insert_with(|| misspelt_fields(object, &node.names));
            if misspelt.contains(&name.as_str()) {
                continue;
            }
            let &mut (table, breaks) = place.get_or_insert_with(|| gate.classify(pointer));
            out.push(Finding {
                code: Code::MissingField,
                table,
                breaks,
                null_type_at: None,
            });
        }
    }

    /// `anyOf`, as `schema::describe` explains it: nothing if a branch
    /// has no finding (in the shapes `compile` accepts, a branch that
    /// holds); else the findings of the first branch that is not the null
    /// of an `Option`; else one finding of its own.
    fn any_of(
        &self,
        node: &Node,
        value: &Value,
        pointer: &mut String,
        gate: &Gate<'_>,
        out: &mut Vec<Finding>,
    ) {
        let mut chosen: Option<Vec<Finding>> = None;
        for &branch in &node.any_of {
            let mut found = Vec::new();
            self.walk(branch, value, pointer, gate, &mut found);
            if found.is_empty() {
                return;
            }
            let null_branch = found.iter().all(|f| f.null_type_at == Some(pointer.len()));
            if chosen.is_none() && !null_branch {
                chosen = Some(found);
            }
        }
        match chosen {
            Some(found) => out.extend(found.into_iter().map(|f| Finding {
                null_type_at: None,
                ..f
            })),
            None => {
                let (table, breaks) = gate.classify(pointer);
                out.push(Finding {
                    code: Code::InvalidValue,
                    table,
                    breaks,
                    null_type_at: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;
    use rustc_hash::FxHashMap;
    use serde_json::Value;

    use super::{Finding, for_kind};
    use crate::diagnostic::Code;
    use crate::schema::FileKind;
    use crate::validate::schema::{Gate, check};

    #[test]
    fn every_generated_schema_has_a_tally() {
        for kind in FileKind::ALL {
            assert!(for_kind(kind).is_some(), "{kind:?}");
        }
    }

    #[test]
    fn a_schema_the_tally_would_count_otherwise_has_no_tally() {
        use serde_json::json;
        let refused = [
            // A keyword it does not know, and a `$ref` to nothing.
            json!({"type": "object", "propertyNames": {"maxLength": 3}}),
            json!({"$ref": "#/$defs/Missing"}),
            // One false-schema finding in jsonschema, not one per key.
            json!({"type": "object", "additionalProperties": false}),
            // A misspelt key could leave this `anyOf` branch failing
            // without a finding.
            json!({"anyOf": [{"type": "string"}, {"type": "object",
                "properties": {"title": {}}, "required": ["title"]}]}),
            // `describe` would look the fields up through the `$ref`.
            json!({"$defs": {"N": {"type": "null"}}, "$ref": "#/$defs/N",
                "properties": {"a": {}}, "additionalProperties": false}),
            // A nested draft or definitions.
            json!({"properties": {"a": {"$schema": "x"}}, "additionalProperties": false}),
            json!({"properties": {"a": {"$defs": {}}}, "additionalProperties": false}),
        ];
        for schema in refused {
            assert!(super::Tally::compile(&schema).is_none(), "{schema}");
        }
        let accepted = json!({"$schema": "x", "$defs": {"T": {"type": "string"}},
            "type": "object", "properties": {"a": {"$ref": "#/$defs/T"}},
            "additionalProperties": false, "required": ["a"]});
        assert!(super::Tally::compile(&accepted).is_some());
    }

    /// A change one node deep in a record, as a careless or hostile
    /// contributor might make it.
    #[derive(Clone, Debug)]
    enum Edit {
        Replace(Value),
        Remove(usize),
        /// Renames a key to a near miss of it.
        Misspell(usize),
        Add(&'static str),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let value = prop_oneof![
            Just(Value::Null),
            Just(Value::from(true)),
            Just(Value::from(7)),
            Just(Value::from(-1)),
            Just(Value::from(1.5)),
            Just(Value::from("")),
            Just(Value::from("x")),
            Just(Value::from("2025-13")),
            Just(Value::from("null")),
            Just(Value::from("é".repeat(5000))),
            Just(serde_json::json!([])),
            Just(serde_json::json!([null, 1])),
            Just(serde_json::json!({})),
            Just(serde_json::json!({"id": "y"})),
        ];
        prop_oneof![
            value.prop_map(Edit::Replace),
            (0..30usize).prop_map(Edit::Remove),
            (0..30usize).prop_map(Edit::Misspell),
            proptest::sample::select(&["extra", "id", "a/b~c", "titel"][..]).prop_map(Edit::Add),
        ]
    }

    /// Applies `edit` to the node that `path` leads to (each step picks a
    /// member or item, modulo their number).
    fn apply(node: &mut Value, path: &[usize], edit: &Edit) {
        if let Some((&step, rest)) = path.split_first() {
            let next = match node {
                Value::Object(map) if !map.is_empty() => {
                    let n = map.len();
                    map.values_mut().nth(step % n)
                }
                Value::Array(items) if !items.is_empty() => {
                    let n = items.len();
                    items.get_mut(step % n)
                }
                _ => None,
            };
            if let Some(next) = next {
                return apply(next, rest, edit);
            }
        }
        match (edit, node) {
            (Edit::Replace(v), node) => *node = v.clone(),
            (Edit::Remove(k), Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(k % map.len()).cloned();
                key.map(|key| map.shift_remove(&key));
            }
            (Edit::Misspell(k), Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(k % map.len()).cloned();
                if let Some((key, v)) = key.and_then(|key| map.shift_remove_entry(&key)) {
                    let mut near: String = key.chars().skip(1).collect();
                    near.push('x');
                    map.insert(near, v);
                }
            }
            (Edit::Add(name), Value::Object(map)) => {
                map.insert((*name).to_owned(), Value::from(1));
            }
            _ => {}
        }
    }

    fn tallied(findings: &[Finding]) -> FxHashMap<(Code, Option<usize>), usize> {
        let mut counts = FxHashMap::default();
        for f in findings {
            *counts.entry((f.code, f.table)).or_insert(0) += 1;
        }
        counts
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// For any file made from a valid one by a few edits anywhere in
        /// it, the tally counts the findings of each code that the full
        /// check counts, and breaks the file when the full check does.
        #[test]
        fn the_tally_counts_what_the_schema_check_counts(
            seed in 0..4u64,
            file in 0..FileKind::ALL.len(),
            edits in proptest::collection::vec(
                (proptest::collection::vec(0..40usize, 0..6), edit()),
                1..6,
            ),
        ) {
            let kind = FileKind::ALL[file];
            let dataset = crate::generate::dataset(6, seed);
            let text = crate::write::canonical_files(&dataset, "../schema")
                .into_iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, text)| text)
                .unwrap();
            let mut value: Value = serde_json::from_str(&text).unwrap();
            for (path, edit) in &edits {
                apply(&mut value, path, edit);
            }
            let path = Path::new("d").join(kind.default_file_name());
            let mut gate = Gate::new(usize::MAX, kind, &path, None);
            check(kind, &path, &value, &mut gate);
            let mut findings = Vec::new();
            let fresh = Gate::new(usize::MAX, kind, &path, None);
            for_kind(kind).unwrap().count(&value, &fresh, &mut findings);
            prop_assert_eq!(tallied(&findings), gate.counts());
            prop_assert_eq!(findings.iter().any(|f| f.breaks), gate.broken());
            // And each record alone, as `check_split` checks a refused one.
            let Some((key, _)) = kind.collection() else {
                return Ok(());
            };
            for record in value.get(key).and_then(Value::as_array).into_iter().flatten() {
                let alone = serde_json::json!({"$schema": "", key: [record]});
                let mut gate = Gate::new(usize::MAX, kind, &path, None);
                check(kind, &path, &alone, &mut gate);
                let mut findings = Vec::new();
                for_kind(kind).unwrap().count(&alone, &fresh, &mut findings);
                prop_assert_eq!(tallied(&findings), gate.counts());
                prop_assert_eq!(findings.iter().any(|f| f.breaks), gate.broken());
                // Walked from the record's own schema, the same findings.
                let mut own = Vec::new();
                let at = format!("/{key}/0");
                let tally = for_kind(kind).unwrap();
                prop_assert!(tally.count_record(key, record, &at, &fresh, &mut own));
                prop_assert_eq!(tallied(&own), tallied(&findings));
                prop_assert_eq!(own.iter().any(|f| f.breaks), gate.broken());
            }
        }
    }
}
