//! Layer 3: ids and the references between records.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::validate::{Records, Files};

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
            if let Some(prev) = previous {
                if id.as_str() < prev && !reported_order {
                    reported_order = true;
                    out.push(
                        Diagnostic::new(
                            Code::UnsortedIds,
                            path,
                            format!("/{collection}/{index}/id"),
                            format!("`{id}` comes after `{prev}`, but {collection} are kept sorted by id"),
                        )
                        .with_hint("run `pledges fmt` to sort the records"),
                    );
                }
            }
            previous = Some(id);
        }
    }

    let actor_ids: HashSet<&str> = records.actor_ids.iter().map(|(_, id)| id.as_str()).collect();
    let source_ids: HashSet<&str> = records.source_ids.iter().map(|(_, id)| id.as_str()).collect();
    let mut used_actors: HashSet<&str> = HashSet::new();
    let mut used_sources: HashSet<&str> = HashSet::new();

    let reference = |known: &HashSet<&str>, what: &str, id: &str, path, pointer: String, out: &mut Vec<Diagnostic>| {
        if !known.contains(id) {
            let d = Diagnostic::new(Code::UnknownReference, path, pointer, format!("no {what} has the id `{id}`"));
            out.push(match did_you_mean(id, known.iter().copied()) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!("add the {what} to its file first, or correct the id")),
            });
        }
    };

    for (index, actor) in &records.actors {
        if let Some(affiliation) = &actor.affiliation {
            used_actors.insert(affiliation.as_str());
            reference(&actor_ids, "actor", affiliation.as_str(), &files.actors, format!("/actors/{index}/affiliation"), out);
        }
    }
    for (index, pledge) in &records.pledges {
        let base = format!("/pledges/{index}");
        let mut actor_refs: Vec<(String, &str)> = Vec::new();
        for (j, id) in pledge.pledgers.iter().enumerate() {
            actor_refs.push((format!("{base}/pledgers/{j}"), id.as_str()));
        }
        if let Some(id) = &pledge.beneficiary {
            actor_refs.push((format!("{base}/beneficiary"), id.as_str()));
        }
        for (j, id) in pledge.involved.iter().enumerate() {
            actor_refs.push((format!("{base}/involved/{j}"), id.as_str()));
        }
        for (j, condition) in pledge.conditions.iter().enumerate() {
            if let Some(id) = &condition.actor {
                actor_refs.push((format!("{base}/conditions/{j}/actor"), id.as_str()));
            }
        }
        for (pointer, id) in actor_refs {
            used_actors.insert(id);
            reference(&actor_ids, "actor", id, &files.pledges, pointer, out);
        }
        for (j, evidence) in pledge.evidence.iter().enumerate() {
            used_sources.insert(evidence.source.as_str());
            reference(&source_ids, "source", evidence.source.as_str(), &files.pledges, format!("{base}/evidence/{j}/source"), out);
        }
    }

    // Only when every record was read can we tell that nothing refers to one.
    if records.complete {
        for (collection, ids, used, path, what) in [
            ("actors", &records.actor_ids, &used_actors, &files.actors, "no pledge or actor refers to this actor"),
            ("sources", &records.source_ids, &used_sources, &files.sources, "no pledge cites this source"),
        ] {
            for (index, id) in ids {
                if !used.contains(id.as_str()) {
                    out.push(
                        Diagnostic::new(Code::UnusedRecord, path, format!("/{collection}/{index}/id"), format!("`{id}`: {what}"))
                            .with_hint("cite it from a pledge, or remove it if it has never been published"),
                    );
                }
            }
        }
    }
}
