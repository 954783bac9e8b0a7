//! Layer 3: ids and the references between records.

use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use super::id_index::{BATCH, IdIndex};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::model::RetirementReason;
use crate::schema::FileKind;
use crate::tables::{Children, Record, Row, Shape, TABLES, Table, reference_target};
use crate::validate::records::{RawLinks, RawRetirement, Site};
use crate::validate::{Files, Part, Records};

/// The ids of one collection, to look up each id's place in the id list.
struct IdTable<'a> {
    /// Each id with its record's index in the file, in file order.
    ids: Vec<(usize, &'a str)>,
    index: Index<'a>,
    /// The place of each id that repeats an earlier one, and the earlier
    /// one's place.
    repeats: HashMap<usize, usize>,
    /// Whether the record at each place is retired (empty when none is):
    /// asked for every reference, so a flag per place, where a map would
    /// hash each time.
    retired: Vec<bool>,
}

/// How a collection's ids are looked up.
enum Index<'a> {
    /// Strictly ascending ids, looked up by binary search with no table to
    /// build (for a collection that few references point into).
    Sorted,
    /// The usual index, for many lookups.
    Hashed(IdIndex),
    /// For a list too long for [`IdIndex`]'s 32-bit places.
    Map(HashMap<&'a str, usize>),
}

impl<'a> IdTable<'a> {
    fn get(&self, id: &str) -> Option<usize> {
        match &self.index {
            Index::Sorted => self.ids.binary_search_by(|(_, x)| (*x).cmp(id)).ok(),
            Index::Hashed(index) => index.get(id),
            Index::Map(map) => map.get(id).copied(),
        }
    }

    /// [`get`](Self::get) for each of `ids` (at most [`BATCH`]), into
    /// `places`.
    fn get_many(&self, ids: &[&str], places: &mut [Option<usize>]) {
        match &self.index {
            Index::Hashed(index) => index.get_many(ids, places),
            _ => {
                for (id, place) in ids.iter().zip(places) {
                    *place = self.get(id);
                }
            }
        }
    }

    fn is_retired(&self, place: usize) -> bool {
        self.retired.get(place).copied().unwrap_or(false)
    }

    fn mark_retired(&mut self, place: usize) {
        if self.retired.is_empty() {
            self.retired = vec![false; self.ids.len()];
        }
        if let Some(flag) = self.retired.get_mut(place) {
            *flag = true;
        }
    }

    /// The place of the first record with the id of the record at `place`.
    fn first(&self, place: usize) -> usize {
        self.repeats.get(&place).copied().unwrap_or(place)
    }

    /// [`get`](Self::get) for the id of the record at `index` in the file:
    /// without a search when the list holds every record (a retired record
    /// at a million pledges is one of tens of thousands).
    fn get_record(&self, index: usize, id: &str) -> Option<usize> {
        match self.ids.get(index) {
            Some(&(i, x)) if i == index && x == id => Some(self.first(index)),
            _ => self.get(id),
        }
    }

    fn ids(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.ids.iter().map(|(_, id)| *id)
    }
}

/// The id table of one collection, and the findings about duplicates and
/// order. `many` says whether many references will be looked up (a hash
/// index pays) or few (a sorted list is searched as it is).
fn id_table<'a>(
    collection: &str,
    ids: Vec<(usize, &'a str)>,
    path: &std::path::Path,
    many: bool,
    out: &mut Vec<Diagnostic>,
) -> IdTable<'a> {
    let sorted = ids.windows(2).all(|w| w[0].1 < w[1].1);
    if sorted && !many {
        // Strictly ascending ids are unique and in order: nothing to report.
        return IdTable {
            ids,
            index: Index::Sorted,
            repeats: HashMap::default(),
            retired: Vec::new(),
        };
    }
    let (index, repeats) = match IdIndex::new(ids.iter().map(|(_, id)| *id)) {
        Some((index, repeats)) => (Index::Hashed(index), repeats),
        None => {
            let mut map: HashMap<&str, usize> = HashMap::default();
            let mut repeats = Vec::new();
            for (place, (_, id)) in ids.iter().enumerate() {
                match map.get(id) {
                    Some(&earlier) => repeats.push((place, earlier)),
                    None => {
                        map.insert(id, place);
                    }
                }
            }
            (Index::Map(map), repeats)
        }
    };
    for &(place, earlier) in &repeats {
        let (index, id) = ids[place];
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
    }
    if !sorted && let Some(w) = ids.windows(2).find(|w| w[1].1 < w[0].1) {
        let ((_, prev), (index, id)) = (w[0], w[1]);
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
    IdTable {
        ids,
        index,
        repeats: repeats.into_iter().collect(),
        retired: Vec::new(),
    }
}

/// Reports duplicate ids, unsorted collections, dangling references and
/// records nothing refers to. A large dataset's references are resolved in
/// two parts on two cores, and `alongside` (the text checks) is run for
/// each part on the same core after them, so that both cores have a like
/// share; what it finds is added to `out`.
pub(crate) fn check(
    records: &Records,
    files: &Files,
    out: &mut Vec<Diagnostic>,
    alongside: &(dyn Fn(Part) -> Vec<Diagnostic> + Sync),
) {
    let parts = if records.pledges.len() >= SPLIT_AT {
        2
    } else {
        1
    };
    check_in_parts(records, files, out, alongside, parts);
}

/// [`check`], with the references resolved in `parts` parts.
fn check_in_parts(
    records: &Records,
    files: &Files,
    out: &mut Vec<Diagnostic>,
    alongside: &(dyn Fn(Part) -> Vec<Diagnostic> + Sync),
    parts: usize,
) {
    // The pledges', events' and statements' ids and the retirements on one
    // core, the ids of the actors and sources (which most references point
    // at) on the other.
    let (retirements, mut actor_ids, mut source_ids, mut others) = std::thread::scope(|threads| {
        let helper = threads.spawn(|| {
            let retirements = retirements(records);
            let mut found = Vec::new();
            // Few references point at these: statements name pledges and
            // events, pledges and statements name events.
            let mut table = |kind: FileKind| {
                let (key, _) = kind.collection().unwrap_or_default();
                id_table(key, records.ids(kind), files.path(kind), false, &mut found)
            };
            let others = [
                table(FileKind::Pledges),
                table(FileKind::Events),
                table(FileKind::Statements),
            ];
            (retirements, others, found)
        });
        let actors = records.ids(FileKind::Actors);
        let actor_ids = id_table("actors", actors, &files.actors, true, out);
        let sources = records.ids(FileKind::Sources);
        let source_ids = id_table("sources", sources, &files.sources, true, out);
        let (retirements, others, found) = helper
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        out.extend(found);
        (retirements, actor_ids, source_ids, others)
    });
    let slot = |kind: FileKind| match kind {
        FileKind::Events => 1,
        FileKind::Statements => 2,
        _ => 0,
    };
    let position = |kind: FileKind, r: &Retired<'_>| match kind {
        FileKind::Actors => actor_ids.get_record(r.index, r.id),
        FileKind::Sources => source_ids.get_record(r.index, r.id),
        _ => others[slot(kind)].get_record(r.index, r.id),
    };
    // Retired records by their place in the id list, so that checking a
    // reference against them needs no second lookup by text.
    let retired: HashMap<(FileKind, usize), Option<&str>> = retirements
        .iter()
        .filter_map(|r| Some(((r.kind, position(r.kind, r)?), r.replaced_by)))
        .collect();
    for &(kind, place) in retired.keys() {
        match kind {
            FileKind::Actors => actor_ids.mark_retired(place),
            FileKind::Sources => source_ids.mark_retired(place),
            _ => others[slot(kind)].mark_retired(place),
        }
    }
    let [pledge_ids, event_ids, statement_ids] = others;

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

    // Whether each actor and source is referred to, by its place in the id
    // list. At scale each lookup is mostly a wait for memory, and waits on
    // two cores overlap.
    let resolver = Resolver {
        files,
        actors: &actor_ids,
        sources: &source_ids,
        pledges: &pledge_ids,
        events: &event_ids,
        statements: &statement_ids,
        retired: &retired,
        partial: &records.partial,
    };
    let resolved = std::thread::scope(|threads| {
        let resolver = &resolver;
        let run = move |part| {
            let mut found = resolver.run(records, part);
            found.diagnostics.extend(alongside(part));
            found
        };
        let later: Vec<_> = (1..parts)
            .map(|part| threads.spawn(move || run(Part { part, parts })))
            .collect();
        let mut all = vec![run(Part { part: 0, parts })];
        for handle in later {
            match handle.join() {
                Ok(found) => all.push(found),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    let mut used_actors = vec![false; actor_ids.ids.len()];
    let mut used_sources = vec![false; source_ids.ids.len()];
    for found in resolved {
        out.extend(found.diagnostics);
        for (used, seen) in [
            (&mut used_actors, found.used_actors),
            (&mut used_sources, found.used_sources),
        ] {
            for (u, s) in used.iter_mut().zip(seen) {
                *u |= s;
            }
        }
    }

    // Only when every record file and every record in it was read can we
    // tell that nothing refers to one: a record the schema refuses (a
    // misspelt field, say) may hold the reference, and its error is enough.
    if records.complete && FileKind::RECORDS.iter().all(|&k| records.has_collection(k)) {
        for (kind, table, used, what) in [
            (
                FileKind::Actors,
                &actor_ids,
                &used_actors,
                "no pledge, event, statement or actor refers to this actor",
            ),
            (
                FileKind::Sources,
                &source_ids,
                &used_sources,
                "no pledge, event or statement cites this source",
            ),
        ] {
            for (place, (index, id)) in table.ids.iter().enumerate() {
                // A duplicate id counts as used when its first record is;
                // a retired record is expected to be unused (a reference to
                // it is warned of), so it is not reported.
                if !used[table.first(place)] && !table.is_retired(table.first(place)) {
                    out.push(
                        Diagnostic::new(
                            Code::UnusedRecord,
                            files.path(kind),
                            format!("/{}/{index}/id", collection(kind)),
                            format!("`{id}`: {what}"),
                        )
                        .with_hint(
                            "cite it from a record, or remove it if it has never been published",
                        ),
                    );
                }
            }
        }
    }
}

/// From how many pledges on the references are resolved on two cores.
const SPLIT_AT: usize = 8192;

/// What one share of the references found.
struct Resolved {
    diagnostics: Vec<Diagnostic>,
    used_actors: Vec<bool>,
    used_sources: Vec<bool>,
    /// How many unknown references got a did-you-mean hint.
    hinted: usize,
}

/// How many unknown references, per share of the records, get a
/// did-you-mean hint: each compares the id with every known one, so
/// without a bound a file of many unknown references against many ids
/// would take time quadratic in its size.
const HINTED_MAX: usize = 100;

/// Resolves references against the id tables.
struct Resolver<'r, 'a> {
    files: &'r Files,
    actors: &'r IdTable<'a>,
    sources: &'r IdTable<'a>,
    pledges: &'r IdTable<'a>,
    events: &'r IdTable<'a>,
    statements: &'r IdTable<'a>,
    retired: &'r HashMap<(FileKind, usize), Option<&'a str>>,
    /// Files that could not be read: an unknown id may be one they lost.
    partial: &'r [FileKind],
}

impl Resolver<'_, '_> {
    fn run(&self, records: &Records, part: Part) -> Resolved {
        let mut found = Resolved {
            diagnostics: Vec::new(),
            used_actors: vec![false; self.actors.ids.len()],
            used_sources: vec![false; self.sources.ids.len()],
            hinted: 0,
        };
        let mut batch = Vec::with_capacity(BATCH);
        visit_part(records, part, true, &mut |link| {
            if let Link::Reference(link) = link {
                batch.push(link);
                if batch.len() == BATCH {
                    self.resolve_batch(&batch, &mut found);
                    batch.clear();
                }
            }
        });
        self.resolve_batch(&batch, &mut found);
        found
    }

    /// Looks up a batch of references (at most [`BATCH`]) together, each
    /// collection's at once, then checks each.
    fn resolve_batch(&self, batch: &[Reference<'_>], found: &mut Resolved) {
        let mut places = [None; BATCH];
        let mut ids = [""; BATCH];
        let mut at = [0; BATCH];
        for target in FileKind::RECORDS {
            let mut n = 0;
            for (k, link) in batch.iter().enumerate() {
                if looked_up_in(link.target) == target {
                    ids[n] = link.id;
                    at[n] = k;
                    n += 1;
                }
            }
            let mut got = [None; BATCH];
            self.table(target).0.get_many(&ids[..n], &mut got[..n]);
            for (&k, place) in at[..n].iter().zip(got) {
                places[k] = place;
            }
        }
        for (link, place) in batch.iter().zip(places) {
            self.resolve(link, place, found);
        }
    }

    /// The id table a reference to `target` is looked up in, and what its
    /// records are called.
    fn table(&self, target: FileKind) -> (&IdTable<'_>, &'static str) {
        match looked_up_in(target) {
            FileKind::Actors => (self.actors, "actor"),
            FileKind::Sources => (self.sources, "source"),
            FileKind::Events => (self.events, "event"),
            FileKind::Statements => (self.statements, "statement"),
            _ => (self.pledges, "pledge"),
        }
    }

    /// Checks one reference, found at `position` in its target's id list
    /// (or not found).
    fn resolve(&self, link: &Reference<'_>, position: Option<usize>, found: &mut Resolved) {
        let out = &mut found.diagnostics;
        let (known, what) = self.table(link.target);
        let Some(position) = position else {
            if self.partial.contains(&looked_up_in(link.target)) {
                return;
            }
            let d = Diagnostic::new(
                Code::UnknownReference,
                self.files.path(link.from),
                link.pointer(),
                format!("no {what} has the id `{}`", link.id),
            );
            found.hinted += 1;
            let near = (found.hinted <= HINTED_MAX)
                .then(|| did_you_mean(link.id, known.ids()))
                .flatten();
            out.push(match near {
                Some(near) => d.with_hint(format!("did you mean `{near}`?")),
                None => d.with_hint(format!(
                    "add the {what} to its file first, or correct the id"
                )),
            });
            return;
        };
        match link.target {
            FileKind::Actors => found.used_actors[position] = true,
            FileKind::Sources => found.used_sources[position] = true,
            _ => {}
        }
        if !link.from_current || !known.is_retired(position) {
            return;
        }
        if let Some(replacement) = self.retired.get(&(link.target, position)) {
            let d = Diagnostic::new(
                Code::ReferenceToRetired,
                self.files.path(link.from),
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
    }
}

/// The collection whose ids a reference to `target` is looked up in: its
/// own (the manifest has none, and nothing refers to it).
fn looked_up_in(target: FileKind) -> FileKind {
    match target {
        FileKind::Manifest => FileKind::Pledges,
        _ => target,
    }
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
    crate::tables::collection(kind)
}

/// Every retirement, read from the typed records where a file was read
/// whole, and from the raw JSON where it was not.
fn retirements<'a>(records: &'a Records) -> Vec<Retired<'a>> {
    let mut retirements = Vec::new();
    visit_part(records, Part::WHOLE, false, &mut |link| {
        if let Link::Retired(r) = link {
            retirements.push(r);
        }
    });
    retirements
}

/// Every retirement and (when `references`) every reference of one share
/// of the records, read from the typed records, and from the raw JSON of
/// the records the types refused (so that a record with an error elsewhere
/// still has its references checked).
fn visit_part<'a>(
    records: &'a Records,
    part: Part,
    references: bool,
    links: &mut dyn FnMut(Link<'a>),
) {
    for kind in FileKind::RECORDS {
        if kind == FileKind::Pledges || part.part == 0 {
            typed_links(records, kind, part, references, links);
        }
        if part.part == 0 {
            raw_links(records, kind, links);
        }
    }
}

/// [`visit_part`] for a collection read into the model: the retirements
/// only, when not `references`, need no more than a look at each record.
fn typed_links<'a>(
    records: &'a Records,
    kind: FileKind,
    part: Part,
    references: bool,
    links: &mut dyn FnMut(Link<'a>),
) {
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
    // When only the retirements are wanted, the lists (each a read of
    // memory elsewhere) are not touched.
    match kind {
        FileKind::Actors => {
            for (index, a) in &records.actors {
                let current = a.retired.is_none();
                if references {
                    each_reference(a, &mut |site, target, id| {
                        reference(index, site, target, id, current);
                    });
                }
                if let Some(r) = &a.retired {
                    retirements.push((index, a.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        FileKind::Sources => {
            for (index, src) in &records.sources {
                let current = src.retired.is_none();
                if references {
                    each_reference(src, &mut |site, target, id| {
                        reference(index, site, target, id, current);
                    });
                }
                if let Some(r) = &src.retired {
                    retirements.push((index, src.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        FileKind::Pledges => {
            for (index, p) in records.pledges.part(part) {
                let current = p.retired.is_none();
                if references {
                    each_reference(p, &mut |site, target, id| {
                        reference(index, site, target, id, current);
                    });
                }
                if let Some(r) = &p.retired {
                    retirements.push((index, p.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        FileKind::Events => {
            for (index, e) in &records.events {
                let current = e.retired.is_none();
                if references {
                    each_reference(e, &mut |site, target, id| {
                        reference(index, site, target, id, current);
                    });
                }
                if let Some(r) = &e.retired {
                    retirements.push((index, e.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        FileKind::Statements => {
            for (index, x) in &records.statements {
                let current = x.retired.is_none();
                if references {
                    each_reference(x, &mut |site, target, id| {
                        reference(index, site, target, id, current);
                    });
                }
                if let Some(r) = &x.retired {
                    retirements.push((index, x.id.as_str(), r.reason, r.replacement()));
                }
            }
        }
        _ => {}
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
        if let Some(new) =
            replaced_by.filter(|new| references && Some("superseded") == reason && *new != id)
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

/// Every reference of a typed record, where its tables declare them: the
/// record's own reference columns, then those of each of its lists' items.
fn each_reference<'a, R: Record>(record: &'a R, each: &mut impl FnMut(Site, FileKind, &'a str)) {
    for (c, column) in R::TABLE.columns.iter().enumerate() {
        if let (Some(target), Some(id)) = (reference_target(column), record.cell(c).text()) {
            each(Site::Field(column.path), target, id);
        }
    }
    /// Calls `each` with the references of every item of every list.
    struct Lists<'e, F>(&'e mut F);
    impl<'a, F: FnMut(Site, FileKind, &'a str)> Children<'a> for Lists<'_, F> {
        fn items<I: Row>(&mut self, table: &'static Table, items: &'a [I]) {
            let Shape::Child { field, .. } = table.shape else {
                return;
            };
            for (c, column) in table.columns.iter().enumerate() {
                let Some(target) = reference_target(column) else {
                    continue;
                };
                for (j, item) in items.iter().enumerate() {
                    if let Some(id) = item.cell(c).text() {
                        let site = if column.path.is_empty() {
                            Site::Item(field, j)
                        } else {
                            Site::Nested(field, j, column.path)
                        };
                        (self.0)(site, target, id);
                    }
                }
            }
        }
    }
    record.children(&mut Lists(each));
}

/// What the reference checks read of a record of `kind` the types
/// refused, taken from its JSON tree as [`typed_links`] takes it from a
/// typed record: its `id`, its retirement, and the ids in its reference
/// columns' fields (a list that holds a lone string counting as one item),
/// each with where it sits.
pub(crate) fn raw_links_of(kind: FileKind, record: &Value) -> RawLinks {
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
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(Box::from);
    let mut references = Vec::new();
    let mut reference = |site, target, id: &str| references.push((site, target, Box::from(id)));
    for table in TABLES.iter().filter(|t| t.kind == kind) {
        for column in table.columns {
            let Some(target) = reference_target(column) else {
                continue;
            };
            match table.shape {
                Shape::Main => {
                    for (j, id) in strings(record.get(column.path)) {
                        let field = column.path;
                        let site = j.map_or(Site::Field(field), |j| Site::Item(field, j));
                        reference(site, target, id);
                    }
                }
                Shape::Child { field, .. } if column.path.is_empty() => {
                    for (j, id) in strings(record.get(field)) {
                        let site = j.map_or(Site::Field(field), |j| Site::Item(field, j));
                        reference(site, target, id);
                    }
                }
                Shape::Child { field, .. } => {
                    let inner = column.path;
                    for (j, item) in record
                        .get(field)
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        if let Some(id) = item.get(inner).and_then(Value::as_str) {
                            reference(Site::Nested(field, j, inner), target, id);
                        }
                    }
                }
            }
        }
    }
    let retired = match record.get("retired") {
        None | Some(Value::Null) => RawRetirement::None,
        Some(retired @ Value::Object(_)) => RawRetirement::Given {
            reason: text(retired.get("reason")),
            replaced_by: text(retired.get("replaced_by")),
        },
        Some(_) => RawRetirement::Unreadable,
    };
    RawLinks {
        id: text(record.get("id")),
        retired,
        references,
    }
}

/// [`visit_part`] for the records of `kind` the types refused, from what
/// [`raw_links_of`] kept of each.
fn raw_links<'a>(records: &'a Records, kind: FileKind, links: &mut dyn FnMut(Link<'a>)) {
    for (index, record) in records.raw_items(kind) {
        let current = matches!(record.retired, RawRetirement::None);
        for (site, target, id) in &record.references {
            links(Link::Reference(Reference {
                from: kind,
                index,
                site: *site,
                target: *target,
                id,
                from_current: current,
            }));
        }
        if let RawRetirement::Given {
            reason,
            replaced_by,
        } = &record.retired
        {
            let id = record.id.as_deref().unwrap_or_default();
            let (reason, replaced_by) = (reason.as_deref(), replaced_by.as_deref());
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::{ActorId, Retirement, RetirementReason, SourceId, Text};
    use crate::validate::{Indexed, semantics};

    fn files() -> Files {
        Files {
            manifest: "dataset.json".into(),
            actors: "actors.json".into(),
            sources: "sources.json".into(),
            pledges: "pledges.json".into(),
            events: "events.json".into(),
            statements: "statements.json".into(),
        }
    }

    /// Records of the files read whole, with no events or statements (so
    /// the pledges are made at none).
    fn whole(
        actors: Vec<crate::model::Actor>,
        sources: Vec<crate::model::Source>,
        mut pledges: Vec<crate::model::Pledge>,
    ) -> Records {
        for p in &mut pledges {
            p.event = None;
        }
        Records {
            actors: Indexed::whole(actors),
            sources: Indexed::whole(sources),
            pledges: Indexed::whole(pledges),
            events: Indexed::whole(Vec::new()),
            statements: Indexed::whole(Vec::new()),
            complete: true,
            whole: FileKind::RECORDS.to_vec(),
            ..Records::default()
        }
    }

    /// What the integrity and text checks find in `records` when the
    /// pledges are shared among `parts` parts, in a stable order.
    fn findings(records: &Records, parts: usize) -> Vec<String> {
        let files = files();
        let mut out = Vec::new();
        let text = |part| {
            let mut found = Vec::new();
            semantics::check_text_records(records, &files, &records.whole, part, &mut found);
            found
        };
        check_in_parts(records, &files, &mut out, &text, parts);
        let mut found: Vec<String> = out.iter().map(|d| format!("{d:?}")).collect();
        found.sort();
        found
    }

    /// What the reference checks find in `dataset` with these actors, as
    /// (code, pointer).
    fn coded(actors: Vec<crate::model::Actor>, dataset: &crate::Dataset) -> Vec<(Code, String)> {
        let records = whole(
            actors,
            dataset.sources().to_vec(),
            dataset.pledges().to_vec(),
        );
        let mut out = Vec::new();
        check_in_parts(&records, &files(), &mut out, &|_| Vec::new(), 1);
        out.into_iter().map(|d| (d.code, d.pointer)).collect()
    }

    #[test]
    fn a_repeated_id_is_reported_once_and_counts_as_used_when_its_first_record_is() {
        let dataset = crate::generate::dataset(20, 7);
        let mut actors = dataset.actors().to_vec();
        let cited = &dataset.pledges()[0].pledgers[0];
        let place = actors.iter().position(|a| &a.id == cited).expect("cited");
        // The copy goes where the sort order keeps it, right after the first.
        actors.insert(place + 1, actors[place].clone());
        let found = coded(actors, &dataset);
        let copy = format!("/actors/{}/id", place + 1);
        assert!(
            found.contains(&(Code::DuplicateId, copy.clone())),
            "{found:?}"
        );
        assert!(!found.contains(&(Code::UnusedRecord, copy)), "{found:?}");
        assert!(
            !found.iter().any(|(code, _)| *code == Code::UnsortedIds),
            "{found:?}"
        );
        assert_eq!(
            found
                .iter()
                .filter(|(code, _)| *code == Code::DuplicateId)
                .count(),
            1,
            "{found:?}"
        );
    }

    #[test]
    fn only_the_first_unknown_references_get_a_did_you_mean() {
        let dataset = crate::generate::dataset(300, 7);
        let mut pledges = dataset.pledges().to_vec();
        for p in &mut pledges {
            // Near an actor id, so that a hint would be found.
            let near = format!("{}x", p.pledgers[0]);
            p.pledgers[0] = ActorId::new(near).expect("id");
        }
        let records = whole(
            dataset.actors().to_vec(),
            dataset.sources().to_vec(),
            pledges,
        );
        let mut out = Vec::new();
        check_in_parts(&records, &files(), &mut out, &|_| Vec::new(), 1);
        let unknown: Vec<&Diagnostic> = out
            .iter()
            .filter(|d| d.code == Code::UnknownReference)
            .collect();
        assert_eq!(unknown.len(), 300);
        let hinted = unknown
            .iter()
            .filter(|d| {
                d.hint
                    .as_deref()
                    .is_some_and(|h| h.starts_with("did you mean"))
            })
            .count();
        assert_eq!(hinted, HINTED_MAX);
    }

    #[test]
    fn an_unused_actor_is_reported_unless_it_is_retired() {
        use crate::model::{ActorId, ActorKind, Retirement, RetirementReason, Text};
        let dataset = crate::generate::dataset(20, 7);
        let mut actors = dataset.actors().to_vec();
        let mut lone = actors[0].clone();
        lone.id = ActorId::new("zz-unused").expect("id");
        lone.kind = ActorKind::Group;
        lone.affiliation = None;
        actors.push(lone.clone());
        let pointer = format!("/actors/{}/id", actors.len() - 1);
        let found = coded(actors.clone(), &dataset);
        assert!(
            found.contains(&(Code::UnusedRecord, pointer.clone())),
            "{found:?}"
        );
        let last = actors.last_mut().expect("pushed");
        last.retired = Some(Retirement {
            reason: RetirementReason::Withdrawn,
            replaced_by: None,
            note: Text::new("Entered by mistake.").expect("text"),
        });
        let found = coded(actors, &dataset);
        assert!(
            !found
                .iter()
                .any(|(code, p)| *code == Code::UnusedRecord && *p == pointer),
            "{found:?}"
        );
    }

    #[test]
    fn an_id_out_of_order_is_reported_where_the_order_first_breaks() {
        let dataset = crate::generate::dataset(20, 7);
        let mut actors = dataset.actors().to_vec();
        actors.swap(0, 1);
        let found = coded(actors, &dataset);
        let unsorted: Vec<_> = found
            .iter()
            .filter(|(code, _)| *code == Code::UnsortedIds)
            .collect();
        assert_eq!(unsorted, [&(Code::UnsortedIds, "/actors/1/id".to_owned())]);
    }

    /// A change that makes the checks find something.
    #[derive(Clone, Debug)]
    enum Edit {
        UnknownPledger(usize),
        UnknownSource(usize),
        FormulaTitle(usize),
        RetireActor(usize),
        DropPledgers(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            any::<usize>().prop_map(Edit::UnknownPledger),
            any::<usize>().prop_map(Edit::UnknownSource),
            any::<usize>().prop_map(Edit::FormulaTitle),
            any::<usize>().prop_map(Edit::RetireActor),
            any::<usize>().prop_map(Edit::DropPledgers),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Sharing the pledges between cores finds exactly what one pass
        /// over them finds, wherever the problems lie.
        #[test]
        fn references_and_text_checked_in_parts_find_what_one_pass_finds(
            n in 10usize..40,
            seed in any::<u64>(),
            edits in proptest::collection::vec(edit(), 1..8),
        ) {
            let dataset = crate::generate::dataset(n, seed);
            let (mut actors, sources, mut pledges) = (
                dataset.actors().to_vec(),
                dataset.sources().to_vec(),
                dataset.pledges().to_vec(),
            );
            // One finding in the last part at least, whatever the edits.
            let last = Edit::UnknownSource(n - 1);
            for edit in edits.iter().chain([&last]) {
                match *edit {
                    Edit::UnknownPledger(i) => {
                        pledges[i % n].pledgers[0] = ActorId::new("no-such-actor").expect("id");
                    }
                    Edit::UnknownSource(i) => {
                        pledges[i % n].evidence[0].source = SourceId::new("no-such-source").expect("id");
                    }
                    Edit::FormulaTitle(i) => {
                        pledges[i % n].title = Text::new("=SUM(A1)").expect("text");
                    }
                    Edit::RetireActor(i) => {
                        let len = actors.len();
                        actors[i % len].retired = Some(Retirement {
                            reason: RetirementReason::Withdrawn,
                            replaced_by: None,
                            note: Text::new("withdrawn").expect("text"),
                        });
                    }
                    Edit::DropPledgers(i) => {
                        let p = &mut pledges[i % n];
                        p.pledgers.truncate(1);
                        p.roles.clear();
                    }
                }
            }
            let records = whole(actors, sources, pledges);
            let once = findings(&records, 1);
            prop_assert!(!once.is_empty());
            prop_assert_eq!(&findings(&records, 2), &once);
            prop_assert_eq!(&findings(&records, 3), &once);
        }
    }

    /// The names the reference checks look for in a record of any kind,
    /// and one they do not.
    fn member_names() -> Vec<&'static str> {
        let mut names = vec!["id", "retired", "reason", "replaced_by", "note"];
        for table in TABLES {
            if let Shape::Child { field, .. } = table.shape {
                names.push(field);
            }
            names.extend(
                table
                    .columns
                    .iter()
                    .map(|c| c.path)
                    .filter(|p| !p.is_empty()),
            );
        }
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Any JSON, its object members named from [`member_names`] and its
    /// strings few, so that ids repeat and fields are found.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            (0u8..3).prop_map(Value::from),
            prop::sample::select(vec!["a", "b", "withdrawn", "superseded", ""])
                .prop_map(|s| Value::String(s.to_owned())),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(member_names()), inner), 0..8)
                    .prop_map(|members| Value::Object(
                        members
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect()
                    )),
            ]
        })
    }

    /// What [`visit_part`] finds in `records`, in its order, written out.
    fn links_found(records: &Records) -> Vec<String> {
        let mut out = Vec::new();
        visit_part(records, Part::WHOLE, true, &mut |link| {
            out.push(match link {
                Link::Reference(r) => format!(
                    "reference {:?} {} {:?} {:?} {}",
                    r.from,
                    r.pointer(),
                    r.target,
                    r.id,
                    r.from_current
                ),
                Link::Retired(r) => format!(
                    "retired {:?} {} {:?} {:?} {:?}",
                    r.kind, r.index, r.id, r.reason, r.replaced_by
                ),
            });
        });
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// What is kept of a record the types refused gives the reference
        /// checks what the typed record gives them: a record the types
        /// accept, read as a tree, links exactly as it does typed.
        #[test]
        fn the_links_kept_of_a_tree_are_the_links_of_the_typed_record(
            n in 3usize..30,
            seed in any::<u64>(),
            retire in proptest::collection::vec((any::<usize>(), any::<usize>(), any::<bool>()), 0..6),
        ) {
            let dataset = crate::generate::dataset(n, seed);
            let (mut actors, mut sources, pledges) = (
                dataset.actors().to_vec(),
                dataset.sources().to_vec(),
                dataset.pledges().to_vec(),
            );
            for (i, j, withdrawn) in retire {
                let (a, b) = (i % actors.len(), j % actors.len());
                let replacement = actors[b].id.clone();
                actors[a].retired = Some(Retirement {
                    reason: if withdrawn { RetirementReason::Withdrawn } else { RetirementReason::Superseded },
                    replaced_by: (!withdrawn).then_some(replacement),
                    note: Text::new("retired").expect("text"),
                });
                let s = i % sources.len();
                sources[s].retired = Some(Retirement {
                    reason: RetirementReason::Withdrawn,
                    replaced_by: None,
                    note: Text::new("withdrawn").expect("text"),
                });
            }
            let typed = whole(actors, sources, pledges);
            let mut raw = Records::default();
            fn tree<T: serde::Serialize>(record: &T) -> Value {
                serde_json::to_value(record).expect("a tree")
            }
            for (i, a) in &typed.actors {
                raw.refused.entry(FileKind::Actors).or_default().push((i, raw_links_of(FileKind::Actors, &tree(a))));
            }
            for (i, s) in &typed.sources {
                raw.refused.entry(FileKind::Sources).or_default().push((i, raw_links_of(FileKind::Sources, &tree(s))));
            }
            for (i, p) in &typed.pledges {
                raw.refused.entry(FileKind::Pledges).or_default().push((i, raw_links_of(FileKind::Pledges, &tree(p))));
            }
            // The typed records give their retirements after their
            // references, the raw ones record by record: the order is not read.
            let sorted = |mut links: Vec<String>| {
                links.sort();
                links
            };
            let found = sorted(links_found(&typed));
            prop_assert!(found.iter().any(|l| l.starts_with("reference Pledges")));
            prop_assert_eq!(sorted(links_found(&raw)), found);
            for kind in FileKind::RECORDS {
                prop_assert_eq!(raw.ids(kind), typed.ids(kind));
            }
        }

    }

    /// A record's tree: members that the reference checks read (and
    /// `note`), each holding any JSON.
    fn any_record() -> impl Strategy<Value = Value> {
        let mut names = vec!["id", "retired", "note"];
        for table in TABLES {
            match table.shape {
                Shape::Child { field, .. } => names.push(field),
                Shape::Main => names.extend(
                    table
                        .columns
                        .iter()
                        .filter(|c| reference_target(c).is_some())
                        .map(|c| c.path),
                ),
            }
        }
        names.sort_unstable();
        names.dedup();
        let members = prop::collection::vec((prop::sample::select(names), any_json()), 0..10);
        prop_oneof![
            1 => any_json(),
            9 => members.prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever a refused record holds, each id kept of it is the
        /// string at the place it is said to sit, its `id` is its id, and
        /// it is retired, with the reason and replacement it gives, exactly
        /// when its `retired` is there and not null.
        #[test]
        fn every_link_kept_of_any_tree_is_the_string_at_its_place(
            kind in prop::sample::select(FileKind::RECORDS.to_vec()),
            record in any_record(),
        ) {
            let kept = raw_links_of(kind, &record);
            prop_assert_eq!(kept.id.as_deref(), record.get("id").and_then(Value::as_str));
            let retired = record.get("retired").filter(|r| !r.is_null());
            let mut records = Records::default();
            records.refused.insert(kind, vec![(0, kept)]);
            let base = format!("/{}/0", collection(kind));
            let mut retirements = 0;
            visit_part(&records, Part::WHOLE, true, &mut |link| match link {
                Link::Reference(r) => {
                    let pointer = r.pointer();
                    let at = record.pointer(&pointer[base.len()..]).and_then(Value::as_str);
                    assert_eq!(at, Some(r.id), "{pointer}");
                    if !matches!(r.site, Site::Replacement) {
                        assert_eq!(r.from_current, retired.is_none(), "{pointer}");
                    }
                }
                Link::Retired(r) => {
                    retirements += 1;
                    let member = |name| retired?.get(name)?.as_str();
                    assert_eq!(r.reason, member("reason"));
                    assert_eq!(r.replaced_by, member("replaced_by"));
                    assert_eq!(r.id, record["id"].as_str().unwrap_or_default());
                }
            });
            prop_assert_eq!(retirements, usize::from(retired.is_some_and(Value::is_object)));
        }
    }
}
