//! Layer 3: ids and the references between records.

use std::collections::{HashMap, HashSet};

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
    let source_ids: HashSet<&str> = records
        .source_ids
        .iter()
        .map(|(_, id)| id.as_str())
        .collect();
    let mut used_actors: HashSet<String> = HashSet::new();
    let mut used_sources: HashSet<String> = HashSet::new();

    let reference = |known: &HashSet<&str>,
                     what: &str,
                     id: &str,
                     path,
                     pointer: String,
                     out: &mut Vec<Diagnostic>| {
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
        }
    };

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
        for (_, id) in strings(actor.get("affiliation")) {
            used_actors.insert(id.clone());
            reference(
                &actor_ids,
                "actor",
                &id,
                &files.actors,
                format!("/actors/{index}/affiliation"),
                out,
            );
        }
    }
    for (index, pledge) in records.raw_items(FileKind::Pledges) {
        let base = format!("/pledges/{index}");
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
            reference(&actor_ids, "actor", &id, &files.pledges, pointer, out);
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
                    &source_ids,
                    "source",
                    &id,
                    &files.pledges,
                    format!("{base}/evidence/{j}/source"),
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
