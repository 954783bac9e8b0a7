//! Layer 3: ids and the references between records.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::schema::FileKind;
use crate::validate::{Files, Records};

/// Reports duplicate ids, unsorted collections, dangling references and
/// records nothing refers to.
pub(crate) fn check(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    for (collection, ids, path) in [
        ("actors", &records.actor_ids, &files.actors),
        ("sources", &records.source_ids, &files.sources),
        ("pledges", &records.pledge_ids, &files.pledges),
    ] {
        let mut first: HashMap<&str, usize> = HashMap::new();
        let mut reported_order = false;
        let mut previous: Option<&str> = None;
        for (index, id) in ids {
            if let Some(&earlier) = first.get(id.as_str()) {
                out.push(
                    Diagnostic::new(
                        Code::DuplicateId,
                        path,
                        format!("/{collection}/{index}/id"),
                        format!("the id `{id}` is already used by /{collection}/{earlier}"),
                    )
                    .with_hint("ids must be unique; give one of the two records another id"),
                );
            } else {
                first.insert(id, *index);
            }
            if let Some(prev) = previous.filter(|prev| id.as_str() < *prev && !reported_order) {
                reported_order = true;
                out.push(
                    Diagnostic::new(
                        Code::UnsortedIds,
                        path,
                        format!("/{collection}/{index}/id"),
                        format!(
                            "`{id}` comes after `{prev}`, but {collection} are kept sorted by id"
                        ),
                    )
                    .with_hint("run `pledges fmt` to sort the records"),
                );
            }
            previous = Some(id);
        }
    }

    let actor_ids: HashSet<&str> = records
        .actor_ids
        .iter()
        .map(|(_, id)| id.as_str())
        .collect();
    let pledge_ids: HashSet<&str> = records
        .pledge_ids
        .iter()
        .map(|(_, id)| id.as_str())
        .collect();
    let source_ids: HashSet<&str> = records
        .source_ids
        .iter()
        .map(|(_, id)| id.as_str())
        .collect();
    let mut used_actors: HashSet<String> = HashSet::new();
    let mut used_sources: HashSet<String> = HashSet::new();

    let retired_actors = retirements(records, FileKind::Actors);
    let retired_sources = retirements(records, FileKind::Sources);
    let retired_pledges = retirements(records, FileKind::Pledges);
    let targets = |what: &str| match what {
        "actor" => (&actor_ids, &retired_actors),
        "source" => (&source_ids, &retired_sources),
        _ => (&pledge_ids, &retired_pledges),
    };
    // Checks one reference; `from_current` is whether the record holding it
    // is current (a retired record may point at retired ones).
    let reference = |what: &str,
                     id: &str,
                     path: &Path,
                     pointer: String,
                     from_current: bool,
                     out: &mut Vec<Diagnostic>| {
        let (known, retired) = targets(what);
        if !known.contains(id) {
            let d = Diagnostic::new(
                Code::UnknownReference,
                path,
                pointer,
                format!("no {what} has the id `{id}`"),
            );
            out.push(match did_you_mean(id, known.iter().copied()) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!(
                    "add the {what} to its file first, or correct the id"
                )),
            });
        } else if let Some(replacement) = retired.get(id).filter(|_| from_current) {
            let d = Diagnostic::new(
                Code::ReferenceToRetired,
                path,
                pointer,
                format!("the {what} `{id}` is retired"),
            );
            out.push(match replacement {
                Some(new) => d.with_hint(format!("point at its replacement `{new}`")),
                None => {
                    d.with_hint("it was withdrawn; remove the reference or retire this record too")
                }
            });
        }
    };

    // Retirements themselves: consistent, and pointing at a record that exists.
    for (kind, what, path) in [
        (FileKind::Actors, "actor", &files.actors),
        (FileKind::Sources, "source", &files.sources),
        (FileKind::Pledges, "pledge", &files.pledges),
    ] {
        for (index, record) in records.raw_items(kind) {
            let Some(retired) = record.get("retired").filter(|r| r.is_object()) else {
                continue;
            };
            let base = format!(
                "/{}/{index}/retired",
                crate::convert::tables::collection(kind)
            );
            let reason = retired.get("reason").and_then(Value::as_str);
            let replaced_by = retired.get("replaced_by").and_then(Value::as_str);
            let own = record.get("id").and_then(Value::as_str);
            let problem = match (reason, replaced_by) {
                (Some("superseded"), None) => Some(
                    "a superseded record needs `replaced_by`, the id of the record that replaces it",
                ),
                (Some("withdrawn"), Some(_)) => Some(
                    "a withdrawn record has no replacement; use `superseded` if another record replaces it",
                ),
                (_, Some(new)) if Some(new) == own => Some("a record cannot replace itself"),
                _ => None,
            };
            if let Some(problem) = problem {
                out.push(Diagnostic::new(
                    Code::InvalidRetirement,
                    path,
                    format!("{base}/replaced_by"),
                    problem,
                ));
            } else if let Some(new) = replaced_by {
                reference(what, new, path, format!("{base}/replaced_by"), true, out);
            }
        }
    }

    // References are read from the raw records, so that a record with an
    // error elsewhere still has its references checked.
    let strings = |value: Option<&Value>| -> Vec<(String, String)> {
        match value {
            Some(Value::String(s)) => vec![(String::new(), s.clone())],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(j, v)| Some((format!("/{j}"), v.as_str()?.to_owned())))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (index, actor) in records.raw_items(FileKind::Actors) {
        let current = is_current(actor);
        for (_, id) in strings(actor.get("affiliation")) {
            reference(
                "actor",
                &id,
                &files.actors,
                format!("/actors/{index}/affiliation"),
                current,
                out,
            );
            used_actors.insert(id);
        }
    }
    for (index, pledge) in records.raw_items(FileKind::Pledges) {
        let base = format!("/pledges/{index}");
        let current = is_current(pledge);
        let mut actor_refs: Vec<(String, String)> = Vec::new();
        for field in ["pledgers", "beneficiary", "involved"] {
            for (suffix, id) in strings(pledge.get(field)) {
                actor_refs.push((format!("{base}/{field}{suffix}"), id));
            }
        }
        for (j, condition) in pledge
            .get("conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (_, id) in strings(condition.get("actor")) {
                actor_refs.push((format!("{base}/conditions/{j}/actor"), id));
            }
        }
        for (pointer, id) in actor_refs {
            reference("actor", &id, &files.pledges, pointer, current, out);
            used_actors.insert(id);
        }
        for (j, evidence) in pledge
            .get("evidence")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (_, id) in strings(evidence.get("source")) {
                reference(
                    "source",
                    &id,
                    &files.pledges,
                    format!("{base}/evidence/{j}/source"),
                    current,
                    out,
                );
                used_sources.insert(id);
            }
        }
    }

    // Only when both files were read can we tell that nothing refers to one.
    if records.has_collection(FileKind::Actors) && records.has_collection(FileKind::Pledges) {
        for (collection, ids, used, path, what) in [
            (
                "actors",
                &records.actor_ids,
                &used_actors,
                &files.actors,
                "no pledge or actor refers to this actor",
            ),
            (
                "sources",
                &records.source_ids,
                &used_sources,
                &files.sources,
                "no pledge cites this source",
            ),
        ] {
            for (index, id) in ids {
                if !used.contains(id) {
                    out.push(
                        Diagnostic::new(
                            Code::UnusedRecord,
                            path,
                            format!("/{collection}/{index}/id"),
                            format!("`{id}`: {what}"),
                        )
                        .with_hint(
                            "cite it from a pledge, or remove it if it has never been published",
                        ),
                    );
                }
            }
        }
    }
}

/// Whether a raw record is current (not retired).
fn is_current(record: &Value) -> bool {
    record.get("retired").is_none_or(Value::is_null)
}

/// The retired records of a collection: id → the id that replaces it, if any.
fn retirements(records: &Records, kind: FileKind) -> HashMap<String, Option<String>> {
    records
        .raw_items(kind)
        .filter(|(_, r)| !is_current(r))
        .filter_map(|(_, r)| {
            let id = r.get("id")?.as_str()?.to_owned();
            let replacement = r
                .get("retired")
                .and_then(|x| x.get("replaced_by"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            Some((id, replacement))
        })
        .collect()
}
