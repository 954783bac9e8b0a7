//! CSV → the data model directly: the fast path for a clean CSV dataset.
//!
//! Each row is read straight into the model's types, with no JSON value in
//! between, on two cores, each taking the next largest table as it
//! finishes one; the child tables are then joined to their parents. A
//! main-table row the types refuse (a cell they do not accept, or a list
//! they require left empty) is left out as `None`, with its child rows,
//! and read again alone afterwards, made a tree when it is checked (see
//! [`super::csv_values::read_records`]). The path gives up (returns
//! `None`) at the first thing it does not expect: a byte-order mark, a
//! header that is not exactly the table's, a child row the types refuse,
//! an unknown parent id, an ordinal out of sequence; the dataset is then
//! read again value by value, which says what is wrong and where. Property
//! tests hold the two paths to the same report and dataset whatever the
//! input.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Take};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rustc_hash::FxHashMap;
use serde::Deserialize;

use crate::load::csv_values::{CsvMap, Line, TableLines};
use crate::model::strict::Object;
use crate::model::{
    Account, Actor, ActorId, Category, Condition, Event, EventId, Evidence, Inference, Link,
    Manifest, Pledge, PledgeId, Quantity, Role, Source, Statement, StatusReport, Text,
};
use crate::tables::DATAPACKAGE;
use crate::tables::manifest_value;
use crate::tables::{Cells, Row as TableRow, Shape, TABLES, Table};

/// A CSV dataset read into the data model, a record per main-table row:
/// `None` for a row the types refuse (a cell they do not accept, or a list
/// they require empty), which the slow path reads again on its own.
#[derive(Debug)]
pub(crate) struct TypedCsv {
    pub manifest: Manifest,
    pub actors: Vec<Option<Actor>>,
    pub sources: Vec<Option<Source>>,
    pub pledges: Vec<Option<Pledge>>,
    pub events: Vec<Option<Event>>,
    pub statements: Vec<Option<Statement>>,
    /// Where each record and item came from, as the slow path records it.
    pub map: CsvMap,
    /// The package descriptor's text.
    pub package_text: Option<String>,
}

/// Reads the CSV dataset in `dir` into the model, or `None` if anything in
/// it beyond a refused row needs the slow path's diagnostics (a header,
/// an unknown parent, an ordinal, a byte that is not UTF-8).
pub(crate) fn read_dir(dir: &Path, max_size: u64) -> Option<TypedCsv> {
    let package_path = dir.join(DATAPACKAGE);
    let mut problems = Vec::new();
    let package = crate::load::read_json_file(&package_path, max_size, &mut problems);
    if !problems.is_empty() {
        return None;
    }
    let manifest = Object::<Manifest>::deserialize(&manifest_value(package.value.as_ref()?))
        .ok()?
        .0;
    let table = |name: &str| TABLES.iter().find(|t| t.name == name);
    let path = |t: &Table| dir.join(t.file_name());

    let Tables {
        actors,
        aliases,
        sources,
        pledges,
        pledgers,
        roles,
        categories,
        status_reports,
        conditions,
        links,
        quantities,
        evidence,
        inferences,
        events,
        participants,
        accounts,
        event_evidence,
        event_inferences,
        statements,
        holders,
        against,
        statement_pledges,
        statement_events,
        statement_evidence,
        statement_inferences,
    } = read_tables(dir, max_size)?;
    let ((mut actors, actor_lines, actor_ids), aliases) = (actors?, aliases?);
    let ((sources, source_lines, _), (mut pledges, pledge_lines, ids)) = (sources?, pledges?);
    let children = (
        pledgers?,
        roles?,
        categories?,
        status_reports?,
        conditions?,
        links?,
        quantities?,
        evidence?,
        inferences?,
    );

    let mut map = CsvMap::default();
    let main = |name: &str, lines| Some(TableLines::main(table(name)?, path(table(name)?), lines));
    map.tables.push(main("actors", actor_lines)?);
    let aliases_table = table("actor_aliases")?;
    let targets = aliases.targets(&Parents::new(actor_ids.iter())?)?;
    let lines = aliases.attach(
        &mut actors,
        targets,
        some(|a: &mut Actor, items| a.aliases = items),
    )?;
    map.tables
        .push(lines.into_table((aliases_table, path(aliases_table))));
    map.tables.push(main("sources", source_lines)?);
    map.tables.push(main("pledges", pledge_lines)?);

    let child = |name: &str| Some((table(name)?, path(table(name)?)));
    let places = [
        child("pledge_pledgers")?,
        child("pledge_roles")?,
        child("pledge_categories")?,
        child("pledge_status_reports")?,
        child("pledge_conditions")?,
        child("pledge_links")?,
        child("pledge_quantities")?,
        child("pledge_evidence")?,
        child("pledge_inferences")?,
    ];
    let tables = join_children(&mut pledges, &ids, children, places)?;
    map.tables.extend(tables);

    // Events and statements: small files, each child table joined by a
    // search among the parents' ids.
    let (mut events, event_lines, event_ids) = events?;
    map.tables.push(main("events", event_lines)?);
    let (participants, accounts) = (participants?, accounts?);
    let (event_evidence, event_inferences) = (event_evidence?, event_inferences?);
    let at = {
        let parents = Parents::new(event_ids.iter())?;
        [
            participants.targets(&parents)?,
            accounts.targets(&parents)?,
            event_evidence.targets(&parents)?,
            event_inferences.targets(&parents)?,
        ]
    };
    let [participants_at, accounts_at, evidence_at, inferences_at] = at;
    let lines = [
        participants.attach(
            &mut events,
            participants_at,
            some(|e: &mut Event, items| e.participants = items),
        )?,
        accounts.attach(
            &mut events,
            accounts_at,
            some(|e: &mut Event, items| e.accounts = items),
        )?,
        event_evidence.attach(
            &mut events,
            evidence_at,
            some(|e: &mut Event, items| e.evidence = items),
        )?,
        event_inferences.attach(
            &mut events,
            inferences_at,
            some(|e: &mut Event, items| e.inferences = items),
        )?,
    ];
    let names = [
        "event_participants",
        "event_accounts",
        "event_evidence",
        "event_inferences",
    ];
    for (name, lines) in names.into_iter().zip(lines) {
        map.tables.push(lines.into_table(child(name)?));
    }

    let (mut statements, statement_lines, statement_ids) = statements?;
    map.tables.push(main("statements", statement_lines)?);
    let (holders, against) = (holders?, against?);
    let (about_pledges, about_events) = (statement_pledges?, statement_events?);
    let (statement_evidence, statement_inferences) = (statement_evidence?, statement_inferences?);
    let at = {
        let parents = Parents::new(statement_ids.iter())?;
        [
            holders.targets(&parents)?,
            against.targets(&parents)?,
            about_pledges.targets(&parents)?,
            about_events.targets(&parents)?,
            statement_evidence.targets(&parents)?,
            statement_inferences.targets(&parents)?,
        ]
    };
    let [
        holders_at,
        against_at,
        pledges_at,
        events_at,
        evidence_at,
        inferences_at,
    ] = at;
    let lines = [
        holders.attach(
            &mut statements,
            holders_at,
            some(|s: &mut Statement, items| s.holders = items),
        )?,
        against.attach(
            &mut statements,
            against_at,
            some(|s: &mut Statement, items| s.against = items),
        )?,
        about_pledges.attach(
            &mut statements,
            pledges_at,
            some(|s: &mut Statement, items| s.pledges = items),
        )?,
        about_events.attach(
            &mut statements,
            events_at,
            some(|s: &mut Statement, items| s.events = items),
        )?,
        statement_evidence.attach(
            &mut statements,
            evidence_at,
            some(|s: &mut Statement, items| s.evidence = items),
        )?,
        statement_inferences.attach(
            &mut statements,
            inferences_at,
            some(|s: &mut Statement, items| s.inferences = items),
        )?,
    ];
    let names = [
        "statement_holders",
        "statement_against",
        "statement_pledges",
        "statement_events",
        "statement_evidence",
        "statement_inferences",
    ];
    for (name, lines) in names.into_iter().zip(lines) {
        map.tables.push(lines.into_table(child(name)?));
    }
    // Lists the types require to hold an item: the slow path says which.
    refuse_if(&mut events, |e| {
        e.accounts.is_empty() || e.evidence.is_empty()
    });
    refuse_if(&mut statements, |s| {
        s.holders.is_empty() || s.evidence.is_empty()
    });

    map.package = package_path;
    Some(TypedCsv {
        manifest,
        actors,
        sources,
        pledges,
        events,
        statements,
        map,
        package_text: package.text,
    })
}

/// The tables of a CSV dataset as read, each before it is joined to its
/// parents (`None` until read).
#[derive(Default)]
struct Tables {
    actors: Option<Main<Actor>>,
    aliases: Option<Children<Text>>,
    sources: Option<Main<Source>>,
    pledges: Option<Main<Pledge>>,
    pledgers: Option<Children<ActorId>>,
    roles: Option<Children<Role>>,
    categories: Option<Children<Category>>,
    status_reports: Option<Children<StatusReport>>,
    conditions: Option<Children<Condition>>,
    links: Option<Children<Link>>,
    quantities: Option<Children<Quantity>>,
    evidence: Option<Children<Evidence>>,
    inferences: Option<Children<Inference>>,
    events: Option<Main<Event>>,
    participants: Option<Children<ActorId>>,
    accounts: Option<Children<Account>>,
    event_evidence: Option<Children<Evidence>>,
    event_inferences: Option<Children<Inference>>,
    statements: Option<Main<Statement>>,
    holders: Option<Children<ActorId>>,
    against: Option<Children<ActorId>>,
    statement_pledges: Option<Children<PledgeId>>,
    statement_events: Option<Children<EventId>>,
    statement_evidence: Option<Children<Evidence>>,
    statement_inferences: Option<Children<Inference>>,
}

/// A main table as read: a record per row (`None` where the types refuse
/// the row), each row's line, and the rows' ids as they are written.
type Main<T> = (Vec<Option<T>>, Vec<Line>, IdList);

/// `set` for a record that may have been refused: a refused one gets
/// nothing.
fn some<P, T>(set: impl Fn(&mut P, Vec<T>)) -> impl Fn(&mut Option<P>, Vec<T>) {
    move |p, items| {
        if let Some(p) = p {
            set(p, items);
        }
    }
}

/// Refuses each record `refused` says the types would refuse.
fn refuse_if<T>(records: &mut [Option<T>], refused: impl Fn(&T) -> bool) {
    for slot in records {
        if slot.as_ref().is_some_and(&refused) {
            *slot = None;
        }
    }
}

/// A job that reads child table `$table` of items `$ty` into field `$field`.
macro_rules! child_job {
    ($table:literal, $ty:ty, $field:ident) => {
        ($table, |path, table, max, into| {
            let read = read_child::<$ty>(path, table, max)?;
            into.lock().ok()?.$field = Some(read);
            Some(())
        })
    };
}

/// Reads one table (at the path given) into its place in [`Tables`];
/// `None` when the fast path gives up.
type Job = fn(&Path, &Table, u64, &Mutex<Tables>) -> Option<()>;

/// Reads the tables of the dataset in `dir` on two cores: the
/// largest file first, each core taking the next largest as it finishes
/// one, so that both finish close together whatever the tables' sizes.
fn read_tables(dir: &Path, max_size: u64) -> Option<Tables> {
    let jobs: [(&str, Job); 25] = [
        ("actors", |path, table, max, into| {
            let read = read_main(path, table, max, |r| Actor::from_cells(r))?;
            into.lock().ok()?.actors = Some(read);
            Some(())
        }),
        child_job!("actor_aliases", Text, aliases),
        ("sources", |path, table, max, into| {
            let read = read_main(path, table, max, |r| Source::from_cells(r))?;
            into.lock().ok()?.sources = Some(read);
            Some(())
        }),
        ("pledges", |path, table, max, into| {
            let read = read_main(path, table, max, |r| Pledge::from_cells(r))?;
            into.lock().ok()?.pledges = Some(read);
            Some(())
        }),
        child_job!("pledge_pledgers", ActorId, pledgers),
        child_job!("pledge_roles", Role, roles),
        child_job!("pledge_categories", Category, categories),
        child_job!("pledge_status_reports", StatusReport, status_reports),
        child_job!("pledge_conditions", Condition, conditions),
        child_job!("pledge_links", Link, links),
        child_job!("pledge_quantities", Quantity, quantities),
        child_job!("pledge_evidence", Evidence, evidence),
        child_job!("pledge_inferences", Inference, inferences),
        ("events", |path, table, max, into| {
            let read = read_main(path, table, max, |r| Event::from_cells(r))?;
            into.lock().ok()?.events = Some(read);
            Some(())
        }),
        child_job!("event_participants", ActorId, participants),
        child_job!("event_accounts", Account, accounts),
        child_job!("event_evidence", Evidence, event_evidence),
        child_job!("event_inferences", Inference, event_inferences),
        ("statements", |path, table, max, into| {
            let read = read_main(path, table, max, |r| Statement::from_cells(r))?;
            into.lock().ok()?.statements = Some(read);
            Some(())
        }),
        child_job!("statement_holders", ActorId, holders),
        child_job!("statement_against", ActorId, against),
        child_job!("statement_pledges", PledgeId, statement_pledges),
        child_job!("statement_events", EventId, statement_events),
        child_job!("statement_evidence", Evidence, statement_evidence),
        child_job!("statement_inferences", Inference, statement_inferences),
    ];
    let mut jobs = jobs
        .into_iter()
        .map(|(name, job)| {
            let table = TABLES.iter().find(|t| t.name == name)?;
            let path = dir.join(table.file_name());
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            Some((size, path, table, job))
        })
        .collect::<Option<Vec<_>>>()?;
    jobs.sort_by_key(|&(size, ..)| std::cmp::Reverse(size));

    let next = AtomicUsize::new(0);
    let gave_up = AtomicBool::new(false);
    let tables = Mutex::new(Tables::default());
    let work = || {
        while !gave_up.load(Ordering::Relaxed) {
            let Some((_, path, table, job)) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            if job(path, table, max_size, &tables).is_none() {
                gave_up.store(true, Ordering::Relaxed);
            }
        }
    };
    let helped = std::thread::scope(|threads| {
        let helper = threads.spawn(work);
        work();
        helper.join().is_ok()
    });
    if !helped || gave_up.into_inner() {
        return None;
    }
    tables.into_inner().ok()
}

/// Ids one after another in one string, for a pass over many of them that
/// reads a few compact bytes rather than a record per id.
#[derive(Default)]
struct IdList {
    text: String,
    ends: Vec<u32>,
}

impl IdList {
    /// Adds `id`; `None` past 4 GiB of ids (the slow path takes those).
    fn push(&mut self, id: &str) -> Option<()> {
        self.text.push_str(id);
        self.ends.push(u32::try_from(self.text.len()).ok()?);
        Some(())
    }

    fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let id = self.text.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            id
        })
    }
}

/// A row whose cells are text: the whole row is checked as UTF-8 once (by
/// SIMD), and each cell is a slice of it. Cells end at ASCII delimiters, so
/// their bounds are always character boundaries.
struct Row<'r> {
    record: &'r csv::ByteRecord,
    text: &'r str,
    /// How many key columns come before the value columns (two in a child
    /// table: the parent's id and the ordinal).
    keys: usize,
}

impl<'r> Row<'r> {
    /// The row, or `None` when it is not UTF-8 (which the slow path reports).
    fn new(record: &'r csv::ByteRecord, table: &Table) -> Option<Self> {
        let text = simdutf8::basic::from_utf8(record.as_slice()).ok()?;
        let keys = match table.shape {
            Shape::Main => 0,
            Shape::Child { .. } => 2,
        };
        Some(Self { record, text, keys })
    }

    /// Cell `i`.
    fn get(&self, i: usize) -> Option<&'r str> {
        self.text.get(self.record.range(i)?)
    }

    fn position(&self) -> Option<&'r csv::Position> {
        self.record.position()
    }
}

impl Cells for Row<'_> {
    fn get(&self, column: usize) -> Option<&str> {
        Row::get(self, self.keys + column)
    }
}

/// Opens a table and checks that its header is exactly the table's. The
/// reader stops one byte past `max_size`: [`whole`] says whether it did.
fn open(path: &Path, table: &Table, max_size: u64) -> Option<csv::Reader<Take<File>>> {
    let mut file = super::files::open_regular(path, max_size).ok()?;
    let mut head = Vec::with_capacity(3);
    (&mut file).take(3).read_to_end(&mut head).ok()?;
    if head == b"\xEF\xBB\xBF" {
        return None; // accepted with a warning, which the slow path gives
    }
    file.seek(SeekFrom::Start(0)).ok()?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 16)
        .from_reader(super::files::bounded(file, max_size));
    let expected = table.headers();
    let header = reader.headers().ok()?;
    (header.iter().eq(expected.iter().copied())).then_some(reader)
}

/// Whether `reader` read its whole file: not when the file grew past the
/// limit while it was read (the slow path then says so).
fn whole(reader: &csv::Reader<Take<File>>) -> Option<()> {
    (!super::files::past_limit(reader.get_ref())).then_some(())
}

/// Every row of a main table as a record (`None` where the types refuse
/// it), with its line and its id as written (the first column, which the
/// types hold as it is).
fn read_main<T>(
    path: &Path,
    table: &Table,
    max_size: u64,
    mut record: impl FnMut(&Row<'_>) -> Option<T>,
) -> Option<Main<T>> {
    debug_assert_eq!(table.shape, Shape::Main);
    if table.columns.first()?.path != "id" {
        return None;
    }
    let size = std::fs::metadata(path).ok()?.len();
    let mut reader = open(path, table, max_size)?;
    let mut bytes = csv::ByteRecord::new();
    let (mut records, mut lines) = (Vec::new(), Vec::new());
    let mut ids = IdList::default();
    while reader.read_byte_record(&mut bytes).ok()? {
        let row = Row::new(&bytes, table)?;
        lines.push(line(&row)?);
        // An empty id is no id to the slow path, whose child rows it then
        // reports as pointing nowhere: that path says so.
        let id = row.get(0).filter(|id| !id.is_empty())?;
        ids.push(id)?;
        records.push(record(&row));
        if records.len() == SAMPLE_ROWS {
            // Room for the whole table, so that a large table is not
            // doubled into (up to half of it spare) on its way in. Failing
            // to reserve only means growing as usual.
            let rows = expected_rows(size, reader.position().byte(), size_of::<T>());
            let more = rows.saturating_sub(records.len());
            let _ = records.try_reserve_exact(more);
            let _ = lines.try_reserve_exact(more);
        }
    }
    whole(&reader)?;
    records.shrink_to_fit();
    lines.shrink_to_fit();
    Some((records, lines, ids))
}

/// How many rows a table's size per row is estimated from.
const SAMPLE_ROWS: usize = 1024;

/// How many rows a table of `size` bytes holds, at the bytes per row of its
/// first [`SAMPLE_ROWS`] rows (`read` bytes), with a little to spare. A
/// sample of short rows ahead of long ones overestimates, so the answer
/// never asks for records (of `item` bytes each) of more than twice the
/// file's size.
fn expected_rows(size: u64, read: u64, item: usize) -> usize {
    let rows = size.saturating_mul(SAMPLE_ROWS as u64) / read.max(1);
    let most = size.saturating_mul(2) / (item.max(1) as u64);
    usize::try_from(rows.saturating_add(rows / 32).min(most)).unwrap_or(0)
}

/// A row's line; `None` past [`Line::MAX`] (the slow path saturates).
fn line(row: &Row<'_>) -> Option<Line> {
    Line::try_from(row.position()?.line()).ok()
}

/// The consecutive rows of a child table that belong to one parent. Its
/// parent id and rows' lines run up to the ends given; they start where the
/// previous group's end. A million-pledge dataset has millions of groups
/// waiting to be attached at once, so a group is kept small (24 bytes).
struct Group<T> {
    items: Box<[T]>,
    /// The end of its parent's id in [`Children::parents`].
    parent_end: u32,
    /// The end of its rows' lines in [`Children::lines`].
    lines_end: u32,
}

/// A child table read into groups of items, one group per parent.
struct Children<T> {
    /// The groups' parent ids, one after another.
    parents: String,
    groups: Vec<Group<T>>,
    lines: Vec<Line>,
}

impl<T> Children<T> {
    /// Each group's parent id, in order.
    fn parent_ids(&self) -> ParentIds<'_> {
        let mut start = 0;
        let ids = self.groups.iter().map(move |g| {
            let end = g.parent_end as usize;
            let id = self.parents.get(start..end).unwrap_or_default();
            start = end;
            id
        });
        (Box::new(ids) as Box<dyn Iterator<Item = &str>>).peekable()
    }

    /// The position of each group's parent; `None` if one is unknown.
    fn targets(&self, parents: &Parents<'_>) -> Option<Vec<usize>> {
        let (mut next, mut start) = (0, 0);
        self.groups
            .iter()
            .map(|g| {
                let end = g.parent_end as usize;
                let id = self.parents.get(start..end)?;
                start = end;
                parents.find(id, &mut next)
            })
            .collect()
    }

    /// Gives each parent its group's items; `None` if a parent has two
    /// groups. Returns the lines of each parent's items.
    fn attach<P>(
        self,
        parents: &mut [P],
        targets: Vec<usize>,
        set: impl Fn(&mut P, Vec<T>),
    ) -> Option<ChildLines> {
        // A group has at least one row, so an empty range is "no group".
        let mut slots: Vec<Range<u32>> = vec![0..0; parents.len()];
        let mut start = 0;
        for (group, target) in self.groups.into_iter().zip(targets) {
            let slot = slots.get_mut(target)?;
            if slot.start != slot.end {
                return None;
            }
            *slot = start..group.lines_end;
            start = group.lines_end;
            set(parents.get_mut(target)?, group.items.into_vec());
        }
        Some(ChildLines {
            slots,
            lines: self.lines,
        })
    }
}

/// Where each parent's items are in a child table.
struct ChildLines {
    slots: Vec<Range<u32>>,
    lines: Vec<Line>,
}

impl ChildLines {
    fn into_table(self, (table, path): (&'static Table, PathBuf)) -> TableLines {
        // Rows in their parents' order (the canonical form) keep their
        // lines where they are; only a table out of order is copied.
        let mut end = 0;
        let in_order = self.slots.iter().all(|slot| {
            let follows = slot.start == slot.end || slot.start == end;
            end = end.max(slot.end);
            follows
        });
        if in_order {
            let mut starts = Vec::with_capacity(self.slots.len() + 1);
            let mut end = 0;
            starts.push(0);
            for slot in &self.slots {
                end = end.max(slot.end);
                starts.push(end);
            }
            return TableLines::child_parts(table, path, self.lines, starts);
        }
        let lines = &self.lines;
        TableLines::child(
            table,
            path,
            self.slots.iter().map(|slot| {
                lines
                    .get(slot.start as usize..slot.end as usize)
                    .unwrap_or(&[])
            }),
        )
    }
}

/// The child tables of the pledges, as read.
type PledgeChildren = (
    Children<ActorId>,
    Children<Role>,
    Children<Category>,
    Children<StatusReport>,
    Children<Condition>,
    Children<Link>,
    Children<Quantity>,
    Children<Evidence>,
    Children<Inference>,
);

/// Gives each pledge its pledgers, roles, conditions, links, evidence and
/// inferences, and returns where each table's items came from (the tables
/// are at `places`); `None` if a row's pledge is unknown or a pledge has
/// two groups of rows in one table. A pledge with no pledger, category,
/// status report or quote is refused (made `None`).
fn join_children(
    pledges: &mut [Option<Pledge>],
    ids: &IdList,
    (pledgers, roles, categories, reports, conditions, links, quantities, evidence, inferences): PledgeChildren,
    [
        pledgers_table,
        roles_table,
        categories_table,
        reports_table,
        conditions_table,
        links_table,
        quantities_table,
        evidence_table,
        inferences_table,
    ]: [(&'static Table, PathBuf); 9],
) -> Option<[TableLines; 9]> {
    let in_order = targets_in_order(
        ids,
        [
            pledgers.parent_ids(),
            roles.parent_ids(),
            categories.parent_ids(),
            reports.parent_ids(),
            conditions.parent_ids(),
            links.parent_ids(),
            quantities.parent_ids(),
            evidence.parent_ids(),
            inferences.parent_ids(),
        ],
    );
    // A pledge the types refuse: no pledger, category, status report or quote.
    let incomplete = |p: &Pledge| {
        p.pledgers.is_empty()
            || p.categories.is_empty()
            || p.status_reports.is_empty()
            || p.evidence.is_empty()
    };
    if let Some(
        [
            pledgers_at,
            roles_at,
            categories_at,
            reports_at,
            conditions_at,
            links_at,
            quantities_at,
            evidence_at,
            inferences_at,
        ],
    ) = in_order
    {
        // The canonical form: a second pass over the pledges gives each its
        // items from every table.
        let n = pledges.len();
        let mut pledgers = InOrder::new(pledgers, pledgers_at, n);
        let mut roles = InOrder::new(roles, roles_at, n);
        let mut categories = InOrder::new(categories, categories_at, n);
        let mut reports = InOrder::new(reports, reports_at, n);
        let mut conditions = InOrder::new(conditions, conditions_at, n);
        let mut links = InOrder::new(links, links_at, n);
        let mut quantities = InOrder::new(quantities, quantities_at, n);
        let mut evidence = InOrder::new(evidence, evidence_at, n);
        let mut inferences = InOrder::new(inferences, inferences_at, n);
        for (i, slot) in (0..).zip(pledges.iter_mut()) {
            // Every table is taken from, for a refused pledge too, to keep
            // the pass in step.
            let (a, b) = (pledgers.take(i), roles.take(i));
            let (c, d) = (categories.take(i), reports.take(i));
            let (e, f) = (conditions.take(i), evidence.take(i));
            let (g, h) = (links.take(i), inferences.take(i));
            let q = quantities.take(i);
            if let Some(p) = slot {
                (p.pledgers, p.roles, p.categories, p.status_reports) = (a, b, c, d);
                (p.conditions, p.evidence, p.links, p.inferences) = (e, f, g, h);
                p.quantities = q;
                if incomplete(p) {
                    *slot = None;
                }
            }
        }
        return Some([
            pledgers.into_table(pledgers_table),
            roles.into_table(roles_table),
            categories.into_table(categories_table),
            reports.into_table(reports_table),
            conditions.into_table(conditions_table),
            links.into_table(links_table),
            quantities.into_table(quantities_table),
            evidence.into_table(evidence_table),
            inferences.into_table(inferences_table),
        ]);
    }
    // Any other order: each group's pledge is searched for among the ids,
    // the tables shared between two cores.
    let index = Parents::new(ids.iter())?;
    let (
        pledgers_at,
        roles_at,
        categories_at,
        reports_at,
        conditions_at,
        links_at,
        quantities_at,
        evidence_at,
        inferences_at,
    ) = std::thread::scope(|threads| {
        let index = &index;
        let (conditions, evidence, reports) = (&conditions, &evidence, &reports);
        let lists = threads.spawn(move || {
            Some((
                conditions.targets(index)?,
                evidence.targets(index)?,
                reports.targets(index)?,
            ))
        });
        let main = (
            pledgers.targets(index),
            roles.targets(index),
            categories.targets(index),
            links.targets(index),
            quantities.targets(index),
            inferences.targets(index),
        );
        let (conditions_at, evidence_at, reports_at) = lists.join().ok().flatten()?;
        Some((
            main.0?,
            main.1?,
            main.2?,
            reports_at,
            conditions_at,
            main.3?,
            main.4?,
            evidence_at,
            main.5?,
        ))
    })?;
    drop(index);
    let tables = [
        pledgers
            .attach(
                pledges,
                pledgers_at,
                some(|p: &mut Pledge, items| p.pledgers = items),
            )?
            .into_table(pledgers_table),
        roles
            .attach(
                pledges,
                roles_at,
                some(|p: &mut Pledge, items| p.roles = items),
            )?
            .into_table(roles_table),
        categories
            .attach(
                pledges,
                categories_at,
                some(|p: &mut Pledge, items| p.categories = items),
            )?
            .into_table(categories_table),
        reports
            .attach(
                pledges,
                reports_at,
                some(|p: &mut Pledge, items| p.status_reports = items),
            )?
            .into_table(reports_table),
        conditions
            .attach(
                pledges,
                conditions_at,
                some(|p: &mut Pledge, items| p.conditions = items),
            )?
            .into_table(conditions_table),
        links
            .attach(
                pledges,
                links_at,
                some(|p: &mut Pledge, items| p.links = items),
            )?
            .into_table(links_table),
        quantities
            .attach(
                pledges,
                quantities_at,
                some(|p: &mut Pledge, items| p.quantities = items),
            )?
            .into_table(quantities_table),
        evidence
            .attach(
                pledges,
                evidence_at,
                some(|p: &mut Pledge, items| p.evidence = items),
            )?
            .into_table(evidence_table),
        inferences
            .attach(
                pledges,
                inferences_at,
                some(|p: &mut Pledge, items| p.inferences = items),
            )?
            .into_table(inferences_table),
    ];
    refuse_if(pledges, incomplete);
    Some(tables)
}

/// A child table's parent ids, group by group.
type ParentIds<'a> = std::iter::Peekable<Box<dyn Iterator<Item = &'a str> + 'a>>;

/// The place among the pledges of each group's parent, for each child
/// table, in one pass over the pledges' ids (`pledges`): when they ascend
/// (none repeated) and each table's groups follow them, the canonical
/// form. `None` otherwise, for the search of [`Parents`].
fn targets_in_order<const N: usize>(
    pledges: &IdList,
    mut tables: [ParentIds<'_>; N],
) -> Option<[Vec<u32>; N]> {
    let mut targets: [Vec<u32>; N] =
        std::array::from_fn(|t| Vec::with_capacity(tables[t].size_hint().0));
    let mut previous = None;
    for (i, id) in pledges.iter().enumerate() {
        if previous.is_some_and(|previous| previous >= id) {
            return None;
        }
        previous = Some(id);
        let i = u32::try_from(i).ok()?;
        for (table, at) in tables.iter_mut().zip(&mut targets) {
            if table.next_if_eq(&id).is_some() {
                at.push(i);
            }
        }
    }
    tables
        .iter_mut()
        .all(|table| table.peek().is_none())
        .then_some(targets)
}

/// A child table whose groups follow their parents' order, handed out
/// group by group as a pass over the parents reaches each group's parent.
struct InOrder<T> {
    groups:
        std::iter::Peekable<std::iter::Zip<std::vec::IntoIter<Group<T>>, std::vec::IntoIter<u32>>>,
    lines: Vec<Line>,
    /// Where each parent's lines start, and after the last, where they end.
    starts: Vec<u32>,
}

impl<T> InOrder<T> {
    /// `children`, whose groups go to the parents at `targets` (ascending)
    /// among `parents` parents.
    fn new(children: Children<T>, targets: Vec<u32>, parents: usize) -> Self {
        let mut starts = Vec::with_capacity(parents + 1);
        starts.push(0);
        Self {
            groups: children.groups.into_iter().zip(targets).peekable(),
            lines: children.lines,
            starts,
        }
    }

    /// The items of parent `parent` (none if it has no group); parents are
    /// asked for in order, each once.
    fn take(&mut self, parent: u32) -> Vec<T> {
        let end = self.starts.last().copied().unwrap_or(0);
        match self.groups.next_if(|(_, target)| *target == parent) {
            Some((group, _)) => {
                self.starts.push(group.lines_end);
                group.items.into_vec()
            }
            None => {
                self.starts.push(end);
                Vec::new()
            }
        }
    }

    fn into_table(self, (table, path): (&'static Table, PathBuf)) -> TableLines {
        TableLines::child_parts(table, path, self.lines, self.starts)
    }
}

/// Moves the items of `scratch` into a list of exactly their number,
/// leaving `scratch` empty with its room kept for the next group.
fn exact<T>(scratch: &mut Vec<T>) -> Vec<T> {
    let mut items = Vec::with_capacity(scratch.len());
    items.append(scratch);
    items
}

/// The rows of a child table, grouped by parent; each parent's rows must
/// come together, numbered 1, 2, 3, … in order.
fn read_child<T: TableRow>(path: &Path, table: &Table, max_size: u64) -> Option<Children<T>> {
    let mut reader = open(path, table, max_size)?;
    let mut record = csv::ByteRecord::new();
    let mut children = Children {
        parents: String::new(),
        groups: Vec::new(),
        lines: Vec::new(),
    };
    // Where the current group's parent id starts in `children.parents`.
    let mut parent_start = 0;
    // The current group's items gather here and move into a list of
    // exactly their number when the group ends: one allocation per group.
    let mut current: Vec<T> = Vec::new();
    while reader.read_byte_record(&mut record).ok()? {
        let row = Row::new(&record, table)?;
        let line = line(&row)?;
        let parent = row.get(0)?;
        let ordinal: usize = row.get(1)?.parse().ok()?;
        let value = T::from_cells(&row)?;
        let same =
            !children.groups.is_empty() && children.parents.get(parent_start..) == Some(parent);
        if same {
            if ordinal != current.len() + 1 {
                return None;
            }
        } else {
            if ordinal != 1 {
                return None;
            }
            if let Some(group) = children.groups.last_mut() {
                group.items = exact(&mut current).into_boxed_slice();
            }
            parent_start = children.parents.len();
            children.parents.push_str(parent);
            children.groups.push(Group {
                items: Box::new([]),
                parent_end: u32::try_from(children.parents.len()).ok()?,
                lines_end: 0,
            });
        }
        current.push(value);
        children.lines.push(line);
        children.groups.last_mut()?.lines_end = u32::try_from(children.lines.len()).ok()?;
    }
    if let Some(group) = children.groups.last_mut() {
        group.items = exact(&mut current).into_boxed_slice();
    }
    whole(&reader)?;
    Some(children)
}

/// The ids of a main table, to find a child row's parent by.
struct Parents<'a> {
    ids: Vec<&'a str>,
    /// For ids out of order: each id's position. Sorted ids (the canonical
    /// form) are searched where they lie, which at a million parents is
    /// far kinder to the cache than a hash table.
    index: Option<FxHashMap<&'a str, usize>>,
}

impl<'a> Parents<'a> {
    /// `None` if an id repeats (the slow path reports it).
    fn new(ids: impl ExactSizeIterator<Item = &'a str>) -> Option<Self> {
        let ids: Vec<&str> = ids.collect();
        if ids.windows(2).all(|w| w[0] < w[1]) {
            return Some(Self { ids, index: None });
        }
        let mut index = FxHashMap::default();
        index.reserve(ids.len());
        for (i, id) in ids.iter().enumerate() {
            if index.insert(*id, i).is_some() {
                return None;
            }
        }
        Some(Self {
            ids,
            index: Some(index),
        })
    }

    /// The position of `id`; `next` is where the previous search ended,
    /// since child rows usually follow their parents' order.
    fn find(&self, id: &str, next: &mut usize) -> Option<usize> {
        if let Some(index) = &self.index {
            return index.get(id).copied();
        }
        let near = self.ids.get(*next..)?.iter().take(8).position(|x| *x == id);
        let found = match near {
            Some(step) => *next + step,
            None => self.ids.binary_search(&id).ok()?,
        };
        *next = found + 1;
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The estimate covers a table of rows like its sample's, and never
        /// asks for more than twice the file's size in records.
        #[test]
        fn expected_rows_covers_even_rows_and_stays_within_twice_the_file(
            row in 1u64..10_000,
            rows in SAMPLE_ROWS as u64..10_000_000,
            item in 1usize..512,
            sample in 1u64..u64::MAX / 4,
        ) {
            let size = row * rows;
            let even = expected_rows(size, row * SAMPLE_ROWS as u64, item);
            let most = usize::try_from(size * 2 / item as u64).unwrap_or(usize::MAX);
            prop_assert!(even as u64 >= rows.min(most as u64));
            prop_assert!(even <= most);
            prop_assert!(expected_rows(size, sample, item) <= most);
        }
    }
}
