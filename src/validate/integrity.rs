//! Layer 3: ids and the references between records.

use crate::fxhash::FxHashMap as HashMap;

use serde_json::Value;

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::RetirementReason;
use crate::schema::FileKind;
use crate::validate::{Files, Records};

/// The ids of one collection, to look up each id's place in the id list.
enum IdTable<'i, 'a> {
    /// Strictly ascending ids: looked up by binary search, with no table to
    /// build (for a collection that few references point into).
    Sorted(&'i [(usize, &'a str)]),
    Hashed(HashMap<&'a str, usize>),
}

impl<'a> IdTable<'_, 'a> {
    fn get(&self, id: &str) -> Option<usize> {
        match self {
            Self::Sorted(ids) => ids.binary_search_by(|(_, x)| (*x).cmp(id)).ok(),
            Self::Hashed(table) => table.get(id).copied(),
        }
    }

    fn ids(&self) -> Box<dyn Iterator<Item = &'a str> + '_> {
        match self {
            Self::Sorted(ids) => Box::new(ids.iter().map(|(_, id)| *id)),
            Self::Hashed(table) => Box::new(table.keys().copied()),
        }
    }
}

/// The id table of one collection, and the findings about duplicates and
/// order. `many` says whether many references will be looked up (a hash
/// table pays) or few (a sorted list is searched as it is).
fn id_table<'i, 'a>(
    collection: &str,
    ids: &'i [(usize, &'a str)],
    path: &std::path::Path,
    many: bool,
    out: &mut Vec<Diagnostic>,
) -> IdTable<'i, 'a> {
    let sorted = ids.windows(2).all(|w| w[0].1 < w[1].1);
    if sorted && !many {
        // Strictly ascending ids are unique and in order: nothing to report.
        return IdTable::Sorted(ids);
    }
    let mut table: HashMap<&str, usize> = HashMap::default();
    table.reserve(ids.len());
    let mut reported_order = sorted;
    let mut previous: Option<&str> = None;
    for (position, (index, id)) in ids.iter().enumerate() {
        if let Some(&earlier) = table.get(id) {
            let earlier = ids[earlier].0;
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
            table.insert(id, position);
        }
        if let Some(prev) = previous.filter(|prev| id < prev && !reported_order) {
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
        previous = Some(id);
    }
    IdTable::Hashed(table)
}

/// `ids` as slices of one string, `text`.
fn side_by_side<'t>(ids: &[(usize, &str)], text: &'t mut String) -> Vec<(usize, &'t str)> {
    text.reserve(ids.iter().map(|(_, id)| id.len()).sum());
    let ends: Vec<usize> = ids
        .iter()
        .map(|(_, id)| {
            text.push_str(id);
            text.len()
        })
        .collect();
    let text: &'t str = text;
    let mut start = 0;
    ids.iter()
        .zip(ends)
        .map(|((index, _), end)| {
            let id = &text[start..end];
            start = end;
            (*index, id)
        })
        .collect()
}

/// Reports duplicate ids, unsorted collections, dangling references and
/// records nothing refers to.
pub(crate) fn check(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    let mut retirements: Vec<Retired<'_>> = Vec::new();
    visit(records, &mut |link| {
        if let Link::Retired(r) = link {
            retirements.push(r);
        }
    });
    let ids = |kind| records.ids(kind);
    // Most references point at actors and sources: their ids are copied
    // side by side, so that comparing a looked-up key does not reach into
    // a different part of the heap each time (at a million pledges that
    // was most of this layer's time).
    let (mut actor_text, mut source_text) = (String::new(), String::new());
    let actor_list = side_by_side(&ids(FileKind::Actors), &mut actor_text);
    let source_list = side_by_side(&ids(FileKind::Sources), &mut source_text);
    let pledge_list = ids(FileKind::Pledges);
    let actor_ids = id_table("actors", &actor_list, &files.actors, true, out);
    let source_ids = id_table("sources", &source_list, &files.sources, true, out);
    // Only replacements point at pledges.
    let pledge_ids = id_table("pledges", &pledge_list, &files.pledges, false, out);
    let position = |kind: FileKind, id: &str| match kind {
        FileKind::Actors => actor_ids.get(id),
        FileKind::Sources => source_ids.get(id),
        _ => pledge_ids.get(id),
    };
    // Retired records by their place in the id list, so that checking a
    // reference against them needs no second lookup by text.
    let retired: HashMap<(FileKind, usize), Option<&str>> = retirements
        .iter()
        .filter_map(|r| Some(((r.kind, position(r.kind, r.id)?), r.replaced_by)))
        .collect();

    // Retirements themselves: consistent, and pointing at a record that exists.
    for r in &retirements {
        let problem = match (r.reason, r.replaced_by) {
            (Some("superseded"), None) => Some(
                "a superseded record needs `replaced_by`, the id of the record that replaces it",
            ),
            (Some("withdrawn"), Some(_)) => Some(
                "a withdrawn record has no replacement; use `superseded` if another record replaces it",
            ),
            (_, Some(new)) if new == r.id => Some("a record cannot replace itself"),
            _ => None,
        };
        if let Some(problem) = problem {
            let pointer = format!("/{}/{}/retired/replaced_by", collection(r.kind), r.index);
            out.push(Diagnostic::new(
                Code::InvalidRetirement,
                files.path(r.kind),
                pointer,
                problem,
            ));
        }
    }

    // Whether each actor and source is referred to, by its place in the id list.
    let mut used_actors = vec![false; actor_list.len()];
    let mut used_sources = vec![false; source_list.len()];
    visit(records, &mut |link| {
        let Link::Reference(link) = link else {
            return;
        };
        let (known, what) = match link.target {
            FileKind::Actors => (&actor_ids, "actor"),
            FileKind::Sources => (&source_ids, "source"),
            _ => (&pledge_ids, "pledge"),
        };
        let Some(position) = known.get(link.id) else {
            let d = Diagnostic::new(
                Code::UnknownReference,
                files.path(link.from),
                link.pointer(),
                format!("no {what} has the id `{}`", link.id),
            );
            out.push(match did_you_mean(link.id, known.ids()) {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!(
                    "add the {what} to its file first, or correct the id"
                )),
            });
            return;
        };
        match link.target {
            FileKind::Actors => used_actors[position] = true,
            FileKind::Sources => used_sources[position] = true,
            _ => {}
        }
        if retired.is_empty() || !link.from_current {
            return;
        }
        if let Some(replacement) = retired.get(&(link.target, position)) {
            let d = Diagnostic::new(
                Code::ReferenceToRetired,
                files.path(link.from),
                link.pointer(),
                format!("the {what} `{}` is retired", link.id),
            );
            out.push(match replacement {
                Some(new) => d.with_hint(format!("point at its replacement `{new}`")),
                None => {
                    d.with_hint("it was withdrawn; remove the reference or retire this record too")
                }
            });
        }
    });

    // Only when both files were read can we tell that nothing refers to one.
    if records.has_collection(FileKind::Actors) && records.has_collection(FileKind::Pledges) {
        for (kind, ids, used, what) in [
            (
                FileKind::Actors,
                &actor_list,
                &used_actors,
                "no pledge or actor refers to this actor",
            ),
            (
                FileKind::Sources,
                &source_list,
                &used_sources,
                "no pledge cites this source",
            ),
        ] {
            let table = if kind == FileKind::Actors {
                &actor_ids
            } else {
                &source_ids
            };
            for (index, id) in ids {
                // A duplicate id counts as used when its first record is.
                if !table.get(id).is_some_and(|p| used[p]) {
                    out.push(
                        Diagnostic::new(
                            Code::UnusedRecord,
                            files.path(kind),
                            format!("/{}/{index}/id", collection(kind)),
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

/// Where in a record a reference sits, to build its JSON Pointer only when
/// a diagnostic needs it.
#[derive(Clone, Copy, Debug)]
enum Site {
    /// `/field`
    Field(&'static str),
    /// `/field/j`
    Item(&'static str, usize),
    /// `/field/j/inner`
    Nested(&'static str, usize, &'static str),
    /// `/retired/replaced_by`
    Replacement,
}

/// One id in one record that must name an existing record.
struct Reference<'a> {
    from: FileKind,
    index: usize,
    site: Site,
    target: FileKind,
    id: &'a str,
    /// Whether the record holding it is current (retired ones may point at retired ones).
    from_current: bool,
}

impl Reference<'_> {
    fn pointer(&self) -> String {
        let base = format!("/{}/{}", collection(self.from), self.index);
        match self.site {
            Site::Field(f) => format!("{base}/{f}"),
            Site::Item(f, j) => format!("{base}/{f}/{j}"),
            Site::Nested(f, j, g) => format!("{base}/{f}/{j}/{g}"),
            Site::Replacement => format!("{base}/retired/replaced_by"),
        }
    }
}

/// A retired record.
struct Retired<'a> {
    kind: FileKind,
    index: usize,
    id: &'a str,
    reason: Option<&'a str>,
    replaced_by: Option<&'a str>,
}

/// What [`visit`] finds in the records.
enum Link<'a> {
    Reference(Reference<'a>),
    Retired(Retired<'a>),
}

fn collection(kind: FileKind) -> &'static str {
    crate::convert::tables::collection(kind)
}

/// Every reference and retirement, read from the typed records where a file
/// was read whole, and from the raw JSON where it was not (so that a record
/// with an error elsewhere still has its references checked).
fn visit<'a>(records: &'a Records, links: &mut dyn FnMut(Link<'a>)) {
    for kind in [FileKind::Actors, FileKind::Sources, FileKind::Pledges] {
        if records.raw(kind).is_some() {
            raw_links(records, kind, links);
        } else {
            typed_links(records, kind, links);
        }
    }
}

fn typed_links<'a>(records: &'a Records, kind: FileKind, links: &mut dyn FnMut(Link<'a>)) {
    let mut reference = |index, site, target, id: &'a str, from_current| {
        links(Link::Reference(Reference {
            from: kind,
            index,
            site,
            target,
            id,
            from_current,
        }));
    };
    let mut retirements = Vec::new();
    match kind {
        FileKind::Actors => {
            for (index, a) in &records.actors {
                let current = a.retired.is_none();
                if let Some(id) = &a.affiliation {
                    reference(
                        index,
                        Site::Field("affiliation"),
                        FileKind::Actors,
                        id.as_str(),
                        current,
                    );
                }
                if let Some(r) = &a.retired {
                    retirements.push((index, a.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        FileKind::Sources => {
            for (index, src) in &records.sources {
                if let Some(r) = &src.retired {
                    retirements.push((index, src.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        _ => {
            for (index, p) in &records.pledges {
                let (i, current) = (index, p.retired.is_none());
                for (j, id) in p.pledgers.iter().enumerate() {
                    reference(
                        i,
                        Site::Item("pledgers", j),
                        FileKind::Actors,
                        id.as_str(),
                        current,
                    );
                }
                if let Some(id) = &p.beneficiary {
                    reference(
                        i,
                        Site::Field("beneficiary"),
                        FileKind::Actors,
                        id.as_str(),
                        current,
                    );
                }
                for (j, id) in p.involved.iter().enumerate() {
                    reference(
                        i,
                        Site::Item("involved", j),
                        FileKind::Actors,
                        id.as_str(),
                        current,
                    );
                }
                for (j, c) in p.conditions.iter().enumerate() {
                    if let Some(id) = &c.actor {
                        reference(
                            i,
                            Site::Nested("conditions", j, "actor"),
                            FileKind::Actors,
                            id.as_str(),
                            current,
                        );
                    }
                }
                for (j, e) in p.evidence.iter().enumerate() {
                    reference(
                        i,
                        Site::Nested("evidence", j, "source"),
                        FileKind::Sources,
                        e.source.as_str(),
                        current,
                    );
                }
                if let Some(r) = &p.retired {
                    retirements.push((i, p.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
    }
    for (index, id, reason, replaced_by) in retirements {
        let reason = Some(match reason {
            RetirementReason::Withdrawn => "withdrawn",
            _ => "superseded",
        });
        links(Link::Retired(Retired {
            kind,
            index,
            id,
            reason,
            replaced_by,
        }));
        if let Some(new) = replaced_by.filter(|new| Some("superseded") == reason && *new != id) {
            links(Link::Reference(Reference {
                from: kind,
                index,
                site: Site::Replacement,
                target: kind,
                id: new,
                from_current: true,
            }));
        }
    }
}

fn raw_links<'a>(records: &'a Records, kind: FileKind, links: &mut dyn FnMut(Link<'a>)) {
    // The ids a field holds: one string, or the strings of an array.
    fn strings(value: Option<&Value>) -> Vec<(Option<usize>, &str)> {
        match value {
            Some(Value::String(s)) => vec![(None, s.as_str())],
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(j, v)| Some((Some(j), v.as_str()?)))
                .collect(),
            _ => Vec::new(),
        }
    }
    for (index, record) in records.raw_items(kind) {
        let current = record.get("retired").is_none_or(Value::is_null);
        let mut reference = |site, target, id| {
            links(Link::Reference(Reference {
                from: kind,
                index,
                site,
                target,
                id,
                from_current: current,
            }));
        };
        let fields: &[&'static str] = match kind {
            FileKind::Actors => &["affiliation"],
            FileKind::Pledges => &["pledgers", "beneficiary", "involved"],
            _ => &[],
        };
        for &field in fields {
            for (j, id) in strings(record.get(field)) {
                let site = j.map_or(Site::Field(field), |j| Site::Item(field, j));
                reference(site, FileKind::Actors, id);
            }
        }
        if kind == FileKind::Pledges {
            for (list, inner, target) in [
                ("conditions", "actor", FileKind::Actors),
                ("evidence", "source", FileKind::Sources),
            ] {
                for (j, item) in record
                    .get(list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    if let Some(id) = item.get(inner).and_then(Value::as_str) {
                        reference(Site::Nested(list, j, inner), target, id);
                    }
                }
            }
        }
        if let Some(retired) = record.get("retired").filter(|r| r.is_object()) {
            let id = record.get("id").and_then(Value::as_str).unwrap_or_default();
            let reason = retired.get("reason").and_then(Value::as_str);
            let replaced_by = retired.get("replaced_by").and_then(Value::as_str);
            links(Link::Retired(Retired {
                kind,
                index,
                id,
                reason,
                replaced_by,
            }));
            if let (Some("superseded"), Some(new)) = (reason, replaced_by.filter(|new| *new != id))
            {
                links(Link::Reference(Reference {
                    from: kind,
                    index,
                    site: Site::Replacement,
                    target: kind,
                    id: new,
                    from_current: true,
                }));
            }
        }
    }
}
