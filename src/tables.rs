//! The CSV layout, and every field of every record declared once.
//!
//! Each record type has a table of one row per record, and each of its list
//! fields a table of one row per item. A column names its value by a path
//! inside the record (or inside one list item) and says what the value is:
//! free text, a reference to another record, or any other value. From this
//! one declaration come the CSV layout, the cells written from a typed
//! record and the record read back from a row's cells
//! (the `Row` trait), the source map from cells to JSON Pointers, the
//! Frictionless Table Schemas, the references the integrity checks follow
//! and the fields the text checks read. Adding a field to a record is an edit
//! to its type in [`crate::model`] and to its table here.

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde_json::{Value, json};

use crate::model::{
    Account, Actor, ActorId, Archive, Category, Condition, Credibility, Event, EventId, Evidence,
    Inference, Link, Pledge, PledgeId, Quantity, Reliability, Retirement, Role, Source, Statement,
    StatusReport, Text,
};
use crate::schema::FileKind;

/// The name of the package descriptor in a CSV directory.
pub const DATAPACKAGE: &str = "datapackage.json";

/// The manifest fields the package carries beyond the standard ones, so
/// that CSV → JSON restores the manifest exactly.
pub const MANIFEST_KEY: &str = "ukraine_pledges";

/// The header of a child table's ordinal column.
pub const ORDINAL: &str = "ordinal";

/// One column of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The header.
    pub name: &'static str,
    /// The path of the value relative to the record (main tables) or to the
    /// list item (child tables), `/`-separated; `""` is the item itself.
    pub path: &'static str,
    /// What the value is, for the checks that treat fields alike.
    pub kind: ColumnKind,
    /// What the column means.
    pub description: &'static str,
}

/// What a [`Column`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnKind {
    /// Free text: checked for stray whitespace, control characters and
    /// spreadsheet formulas.
    Text,
    /// The id of a record in the given file, which must exist. (A retired
    /// record's `replaced_by` is one too; the retirement rules check it.)
    Reference(FileKind),
    /// Any other value: an id, a code, a name from a list, a number, a date.
    Value,
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

/// The content of one cell, read from a typed record.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "write"), allow(dead_code))]
pub(crate) enum Cell<'a> {
    /// Null: an empty cell.
    Empty,
    /// Text as it stands.
    Text(&'a str),
    /// A number (in its shortest exact form, `480`, `0.5`) or a date.
    Shown(&'a dyn Display),
}

impl<'a> Cell<'a> {
    /// The cell's text, when it is text.
    pub(crate) fn text(self) -> Option<&'a str> {
        match self {
            Self::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Where a record is read from: the value cells of one row, by column.
#[cfg_attr(not(feature = "validate"), allow(dead_code))]
pub(crate) trait Cells {
    /// The cell of value column `column` (0 is a table's first column
    /// after any key columns); `None` when the row has no such cell.
    fn get(&self, column: usize) -> Option<&str>;
}

/// A record or list item, as the cells of one row of its table.
pub(crate) trait Row: Sized {
    /// The cell of column `column` of its table.
    fn cell(&self, column: usize) -> Cell<'_>;

    /// Reads it from a row, if the types accept every cell; `None` for
    /// anything they refuse (the slow path then says what).
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    fn from_cells(row: &impl Cells) -> Option<Self>;
}

/// A record type: a main table and the child tables of its list fields.
pub(crate) trait Record: Row {
    /// Its main table.
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    const TABLE: &'static Table;

    /// Calls `visit` with each child table of the record's lists and the
    /// items the record holds in it.
    fn children<'r>(&'r self, visit: &mut impl Children<'r>);
}

/// What [`Record::children`] calls with each list.
pub(crate) trait Children<'r> {
    /// One list field: its table and the items the record holds.
    fn items<I: Row>(&mut self, table: &'static Table, items: &'r [I]);
}

#[cfg(feature = "validate")]
/// The record file a column's value must name a record of, if it is a
/// reference the integrity checks follow (a retired record's replacement is
/// checked by the retirement rules instead).
pub(crate) fn reference_target(column: &Column) -> Option<FileKind> {
    match column.kind {
        ColumnKind::Reference(target) if !column.path.starts_with("retired/") => Some(target),
        _ => None,
    }
}

/// Declares one table: its columns, each with the expression that gives its
/// cell from a typed `$r`, and the expression that builds the type from a
/// row, where each column's name is a constant holding its index.
macro_rules! table {
    (
        mod $module:ident: $name:literal, $kind:ident, $shape:expr, $description:literal;
        for $ty:ty, |$r:ident| {
            $( $var:ident $column:literal $(at $path:literal)? : $ck:expr, $desc:literal => $get:expr; )*
        }
        build |$row:ident| $build:expr
    ) => {
        #[allow(non_upper_case_globals)]
        mod $module {
            use super::*;

            #[allow(non_camel_case_types, clippy::enum_variant_names)]
            enum Index { $($var,)* }
            $(pub(super) const $var: usize = Index::$var as usize;)*

            /// The table.
            pub(crate) const TABLE: Table = Table {
                name: $name,
                kind: FileKind::$kind,
                shape: $shape,
                description: $description,
                columns: &[$(Column {
                    name: $column,
                    path: table!(@path $column $($path)?),
                    kind: $ck,
                    description: $desc,
                },)*],
            };

            impl Row for $ty {
                fn cell(&self, column: usize) -> Cell<'_> {
                    let $r = self;
                    $(if column == $var { return $get; })*
                    Cell::Empty
                }

                fn from_cells($row: &impl Cells) -> Option<Self> {
                    Some($build)
                }
            }
        }
    };
    // A table whose rows are items of a type another table already reads
    // and writes (`rows as` that table): its own name, parent and column
    // descriptions, the same cells.
    (
        mod $module:ident: $name:literal, $kind:ident, $shape:expr, $description:literal;
        rows as $other:ident {
            $( $column:literal $(at $path:literal)? : $ck:expr, $desc:literal; )*
        }
    ) => {
        mod $module {
            use super::*;

            /// The table.
            pub(crate) const TABLE: Table = Table {
                name: $name,
                kind: FileKind::$kind,
                shape: $shape,
                description: $description,
                columns: &[$(Column {
                    name: $column,
                    path: table!(@path $column $($path)?),
                    kind: $ck,
                    description: $desc,
                },)*],
            };

            // The cells are the other table's: the columns must match it.
            const _: () = assert!(TABLE.columns.len() == super::$other::TABLE.columns.len());
        }
    };
    (@path $column:literal) => { $column };
    (@path $column:literal $path:literal) => { $path };
}

use ColumnKind::{Reference, Text as FreeText, Value as Other};

table! {
    mod actors: "actors", Actors, Shape::Main,
        "One row per actor.";
    for Actor, |a| {
        id "id": Other, "Stable id of the actor." => text_cell(&a.id);
        name "name": FreeText, "Name in English." => text_cell(&a.name);
        kind "kind": Other, "What sort of actor." => name_cell(a.kind.as_str());
        iso_3166 "iso_3166": Other, "ISO 3166-1 alpha-2 code, for states." => optional_text(a.iso_3166.as_ref());
        wikidata "wikidata": Other, "Wikidata item id." => optional_text(a.wikidata.as_ref());
        affiliation "affiliation": Reference(FileKind::Actors), "Id of the actor a person or body acts for." => optional_text(a.affiliation.as_ref());
        role "role": FreeText, "A person's role as the sources give it." => optional_text(a.role.as_ref());
        notes "notes": FreeText, "Editorial notes." => optional_text(a.notes.as_ref());
        retired_reason "retired_reason" at "retired/reason": Other, "Why the record is retired; empty while current." => reason(a.retired.as_ref());
        retired_replaced_by "retired_replaced_by" at "retired/replaced_by": Reference(FileKind::Actors), "Id of the actor that replaces it." => replaced_by(a.retired.as_ref());
        retired_note "retired_note" at "retired/note": FreeText, "What was wrong or what changed." => note(a.retired.as_ref());
    }
    build |r| Actor {
        id: required(r, id)?,
        name: required(r, name)?,
        kind: required(r, kind)?,
        iso_3166: optional_cell(r, iso_3166)?,
        wikidata: optional_cell(r, wikidata)?,
        aliases: Vec::new(),
        affiliation: optional_cell(r, affiliation)?,
        role: optional_cell(r, role)?,
        notes: optional_cell(r, notes)?,
        retired: retirement(r, retired_reason)?,
    }
}

table! {
    mod actor_aliases: "actor_aliases", Actors, Shape::Child { field: "aliases", parent_column: "actor_id" },
        "One row per other name of an actor, in order.";
    for Text, |alias| {
        value "alias" at "": FreeText, "Another name or spelling the sources use." => text_cell(alias);
    }
    build |r| required(r, value)?
}

table! {
    mod sources: "sources", Sources, Shape::Main,
        "One row per source.";
    for Source, |s| {
        id "id": Other, "Stable id of the source." => text_cell(&s.id);
        title "title": FreeText, "Headline, or opening words of an untitled text." => text_cell(&s.title);
        publisher "publisher": FreeText, "Who published it." => optional_text(s.publisher.as_ref());
        url "url": Other, "Where it was published." => optional_text(s.url.as_ref());
        published "published": Other, "When it was published: YYYY, YYYY-MM or YYYY-MM-DD." => shown(s.published.as_ref());
        kind "kind": Other, "What sort of document." => name_cell(s.kind.as_str());
        language "language": Other, "BCP 47 language tag." => text_cell(&s.language);
        reliability_grade "reliability_grade" at "reliability/grade": Other, "Admiralty reliability grade, A (completely reliable) to E (unreliable), F (cannot be judged)." => name_cell(s.reliability.grade.as_str());
        reliability_reason "reliability_reason" at "reliability/reason": FreeText, "What the text shows of itself that the grade rests on." => text_cell(&s.reliability.reason);
        archive_file "archive_file" at "archive/file": FreeText, "File name of the archived text." => text_cell(&s.archive.file);
        archive_sha256 "archive_sha256" at "archive/sha256": Other, "SHA-256 of the archived text's bytes." => text_cell(&s.archive.sha256);
        notes "notes": FreeText, "Editorial notes." => optional_text(s.notes.as_ref());
        retired_reason "retired_reason" at "retired/reason": Other, "Why the record is retired; empty while current." => reason(s.retired.as_ref());
        retired_replaced_by "retired_replaced_by" at "retired/replaced_by": Reference(FileKind::Sources), "Id of the source that replaces it." => replaced_by(s.retired.as_ref());
        retired_note "retired_note" at "retired/note": FreeText, "What was wrong or what changed." => note(s.retired.as_ref());
    }
    build |r| Source {
        id: required(r, id)?,
        title: required(r, title)?,
        publisher: optional_cell(r, publisher)?,
        url: optional_cell(r, url)?,
        published: optional_cell(r, published)?,
        kind: required(r, kind)?,
        language: required(r, language)?,
        reliability: if all_empty(r, reliability_grade..=reliability_reason) {
            return None;
        } else {
            Reliability {
                grade: required(r, reliability_grade)?,
                reason: required(r, reliability_reason)?,
            }
        },
        // The archive is required: all its cells empty is a null archive.
        archive: if all_empty(r, archive_file..=archive_sha256) {
            return None;
        } else {
            Archive {
                file: required(r, archive_file)?,
                sha256: required(r, archive_sha256)?,
            }
        },
        notes: optional_cell(r, notes)?,
        retired: retirement(r, retired_reason)?,
    }
}

table! {
    mod pledges: "pledges", Pledges, Shape::Main,
        "One row per pledge.";
    for Pledge, |p| {
        id "id": Other, "Stable id of the pledge." => text_cell(&p.id);
        title "title": FreeText, "Short title." => text_cell(&p.title);
        description "description": FreeText, "What was pledged." => text_cell(&p.description);
        beneficiary "beneficiary": Reference(FileKind::Actors), "Id of the actor the pledge is for." => optional_text(p.beneficiary.as_ref());
        status "status": Other, "How far the pledge has got: the latest status report's, unless status_note says why not." => name_cell(p.status.as_str());
        status_note "status_note": FreeText, "Why the status is not simply the latest report's." => optional_text(p.status_note.as_ref());
        commitment "commitment": Other, "How binding the pledge is." => p.commitment.map_or(Cell::Empty, |c| name_cell(c.as_str()));
        event "event_id" at "event": Reference(FileKind::Events), "Id of the event at which the pledge was made." => optional_text(p.event.as_ref());
        announced "announced": Other, "When announced: YYYY, YYYY-MM or YYYY-MM-DD." => shown(p.announced.as_ref());
        retired_reason "retired_reason" at "retired/reason": Other, "Why the record is retired; empty while current." => reason(p.retired.as_ref());
        retired_replaced_by "retired_replaced_by" at "retired/replaced_by": Reference(FileKind::Pledges), "Id of the pledge that replaces it." => replaced_by(p.retired.as_ref());
        retired_note "retired_note" at "retired/note": FreeText, "What was wrong or what changed." => note(p.retired.as_ref());
    }
    build |r| Pledge {
        id: required(r, id)?,
        title: required(r, title)?,
        description: required(r, description)?,
        pledgers: Vec::new(),
        beneficiary: optional_cell(r, beneficiary)?,
        roles: Vec::new(),
        categories: Vec::new(),
        status: required(r, status)?,
        status_reports: Vec::new(),
        status_note: optional_cell(r, status_note)?,
        commitment: optional_cell(r, commitment)?,
        conditions: Vec::new(),
        links: Vec::new(),
        quantities: Vec::new(),
        event: optional_cell(r, event)?,
        announced: optional_cell(r, announced)?,
        evidence: Vec::new(),
        inferences: Vec::new(),
        retired: retirement(r, retired_reason)?,
    }
}

table! {
    mod pledge_pledgers: "pledge_pledgers", Pledges, Shape::Child { field: "pledgers", parent_column: "pledge_id" },
        "One row per actor making a pledge, in order.";
    for ActorId, |actor| {
        value "actor_id" at "": Reference(FileKind::Actors), "Id of a pledging actor." => text_cell(actor);
    }
    build |r| required(r, value)?
}

table! {
    mod pledge_roles: "pledge_roles", Pledges, Shape::Child { field: "roles", parent_column: "pledge_id" },
        "One row per role an actor has in a pledge, in order.";
    for Role, |x| {
        actor "actor_id" at "actor": Reference(FileKind::Actors), "Id of the actor." => text_cell(&x.actor);
        role "role": Other, "Its role: lead or contributor (a pledger), announcer, approver, opponent, target, supporter or envoy." => name_cell(x.role.as_str());
    }
    build |r| Role {
        actor: required(r, actor)?,
        role: required(r, role)?,
    }
}

table! {
    mod pledge_categories: "pledge_categories", Pledges, Shape::Child { field: "categories", parent_column: "pledge_id" },
        "One row per category of a pledge, in order: ordinal 1 is the primary category.";
    for Category, |c| {
        value "category" at "": Other, "What the pledge is about." => name_cell(c.as_str());
    }
    build |r| required(r, value)?
}

table! {
    mod pledge_status_reports: "pledge_status_reports", Pledges, Shape::Child { field: "status_reports", parent_column: "pledge_id" },
        "One row per source's report of a pledge's status, in the order of the dates or events they are as of.";
    for StatusReport, |x| {
        source "source_id" at "source": Reference(FileKind::Sources), "Id of the source that reports the status." => text_cell(&x.source);
        status "status": Other, "The status the source gives." => name_cell(x.status.as_str());
        as_of "as_of": Other, "The date the report is as of: YYYY, YYYY-MM or YYYY-MM-DD." => shown(x.as_of.as_ref());
        event "event_id" at "event": Reference(FileKind::Events), "Id of the event the report is as of." => optional_text(x.event.as_ref());
        note "note": FreeText, "How the source puts it." => optional_text(x.note.as_ref());
    }
    build |r| StatusReport {
        source: required(r, source)?,
        status: required(r, status)?,
        as_of: optional_cell(r, as_of)?,
        event: optional_cell(r, event)?,
        note: optional_cell(r, note)?,
    }
}

table! {
    mod pledge_quantities: "pledge_quantities", Pledges, Shape::Child { field: "quantities", parent_column: "pledge_id" },
        "One row per amount pledged, in order.";
    for Quantity, |q| {
        kind "kind": Other, "What sort of amount: count, money, duration or share (percent)." => name_cell(q.kind.as_str());
        amount "amount": Other, "The number; empty when the sources speak of an amount without giving it (not zero)." => shown(q.amount.as_ref());
        unit "unit": FreeText, "For a count, what is counted." => optional_text(q.unit.as_ref());
        currency "currency": Other, "For money, the ISO 4217 currency code." => optional_text(q.currency.as_ref());
        time_unit "time_unit": Other, "For a duration, its unit: day, week, month or year." => q.time_unit.map_or(Cell::Empty, |u| name_cell(u.as_str()));
        per "per": Other, "The period the amount recurs over." => q.per.map_or(Cell::Empty, |p| name_cell(p.as_str()));
    }
    build |r| Quantity {
        kind: required(r, kind)?,
        amount: match r.get(amount)? {
            "" => None,
            cell => Some(super::amount(cell)?),
        },
        unit: optional_cell(r, unit)?,
        currency: optional_cell(r, currency)?,
        time_unit: optional_cell(r, time_unit)?,
        per: optional_cell(r, per)?,
    }
}

table! {
    mod pledge_conditions: "pledge_conditions", Pledges, Shape::Child { field: "conditions", parent_column: "pledge_id" },
        "One row per condition of a pledge, in order.";
    for Condition, |c| {
        kind "kind": Other, "What sort of condition." => name_cell(c.kind.as_str());
        actor "actor_id" at "actor": Reference(FileKind::Actors), "Id of the actor the condition depends on." => optional_text(c.actor.as_ref());
        applies_to "applies_to" at "applies_to": Reference(FileKind::Actors), "Id of the one pledger the condition binds; empty when it binds every pledger." => optional_text(c.applies_to.as_ref());
        text "text": FreeText, "The condition in words." => text_cell(&c.text);
    }
    build |r| Condition {
        kind: required(r, kind)?,
        actor: optional_cell(r, actor)?,
        applies_to: optional_cell(r, applies_to)?,
        text: required(r, text)?,
    }
}

table! {
    mod pledge_links: "pledge_links", Pledges, Shape::Child { field: "links", parent_column: "pledge_id" },
        "One row per link from a pledge to another, in order.";
    for Link, |l| {
        kind "kind": Other, "How the two stand: part_of (a component of it), possibly_same_as (may be the same item), depends_on." => name_cell(l.kind.as_str());
        pledge "linked_pledge_id" at "pledge": Reference(FileKind::Pledges), "Id of the other pledge." => text_cell(&l.pledge);
    }
    build |r| Link {
        kind: required(r, kind)?,
        pledge: required(r, pledge)?,
    }
}

table! {
    mod pledge_evidence: "pledge_evidence", Pledges, Shape::Child { field: "evidence", parent_column: "pledge_id" },
        "One row per quote attesting a pledge, in order.";
    for Evidence, |e| {
        source "source_id" at "source": Reference(FileKind::Sources), "Id of the source quoted." => text_cell(&e.source);
        quote "quote": FreeText, "The words, verbatim." => text_cell(&e.quote);
        claims "claims": Other, "The claims of the pledge the quote bears on: pointers into the record, separated by spaces (e.g. /pledgers/0 /status)." => text_cell(&e.claims);
        stance "stance": Other, "Whether the quote supports, qualifies or contradicts the claims." => name_cell(e.stance.as_str());
        credibility "credibility": Other, "Admiralty credibility of the information as this source reports it: 1 confirmed to 6 cannot be judged." => Cell::Shown(&e.credibility);
        note "note": FreeText, "How the quote bears on the claims." => optional_text(e.note.as_ref());
    }
    build |r| Evidence {
        source: required(r, source)?,
        quote: required(r, quote)?,
        claims: required(r, claims)?,
        stance: required(r, stance)?,
        credibility: Credibility::new(r.get(credibility)?.parse().ok()?).ok()?,
        note: optional_cell(r, note)?,
    }
}

table! {
    mod pledge_inferences: "pledge_inferences", Pledges, Shape::Child { field: "inferences", parent_column: "pledge_id" },
        "One row per claim of a pledge that the editors inferred, in order.";
    for Inference, |i| {
        claim "claim": Other, "The claim, as a pointer into the record (e.g. /beneficiary)." => text_cell(&i.claim);
        note "note": FreeText, "Why the editors hold it though no quote states it." => text_cell(&i.note);
    }
    build |r| Inference {
        claim: required(r, claim)?,
        note: required(r, note)?,
    }
}

table! {
    mod events: "events", Events, Shape::Main,
        "One row per event: a meeting, summit or call, or a document one produced.";
    for Event, |e| {
        id "id": Other, "Stable id of the event." => text_cell(&e.id);
        name "name": FreeText, "Short name." => text_cell(&e.name);
        kind "kind": Other, "What sort of event: summit, meeting, call or document." => name_cell(e.kind.as_str());
        date "date": Other, "When it took place or was issued: YYYY, YYYY-MM or YYYY-MM-DD." => shown(e.date.as_ref());
        place "place": FreeText, "Where it took place." => optional_text(e.place.as_ref());
        produced_at "produced_at": Reference(FileKind::Events), "For a document, id of the event that produced it." => optional_text(e.produced_at.as_ref());
        notes "notes": FreeText, "Editorial notes." => optional_text(e.notes.as_ref());
        retired_reason "retired_reason" at "retired/reason": Other, "Why the record is retired; empty while current." => reason(e.retired.as_ref());
        retired_replaced_by "retired_replaced_by" at "retired/replaced_by": Reference(FileKind::Events), "Id of the event that replaces it." => replaced_by(e.retired.as_ref());
        retired_note "retired_note" at "retired/note": FreeText, "What was wrong or what changed." => note(e.retired.as_ref());
    }
    build |r| Event {
        id: required(r, id)?,
        name: required(r, name)?,
        kind: required(r, kind)?,
        date: optional_cell(r, date)?,
        place: optional_cell(r, place)?,
        participants: Vec::new(),
        produced_at: optional_cell(r, produced_at)?,
        accounts: Vec::new(),
        evidence: Vec::new(),
        inferences: Vec::new(),
        notes: optional_cell(r, notes)?,
        retired: retirement(r, retired_reason)?,
    }
}

table! {
    mod event_participants: "event_participants", Events, Shape::Child { field: "participants", parent_column: "event_id" },
        "One row per actor the sources name as taking part in an event, in order.";
    rows as pledge_pledgers {
        "actor_id" at "": Reference(FileKind::Actors), "Id of a participant.";
    }
}

table! {
    mod event_accounts: "event_accounts", Events, Shape::Child { field: "accounts", parent_column: "event_id" },
        "One row per source that tells of an event, in order.";
    for Account, |x| {
        source "source_id" at "source": Reference(FileKind::Sources), "Id of the source." => text_cell(&x.source);
        certainty "certainty": Other, "describes (plainly this event) or may_describe (may be another meeting)." => name_cell(x.certainty.as_str());
        note "note": FreeText, "Why it is unclear, or how the telling differs." => optional_text(x.note.as_ref());
    }
    build |r| Account {
        source: required(r, source)?,
        certainty: required(r, certainty)?,
        note: optional_cell(r, note)?,
    }
}

table! {
    mod event_evidence: "event_evidence", Events, Shape::Child { field: "evidence", parent_column: "event_id" },
        "One row per quote attesting an event, in order.";
    rows as pledge_evidence {
        "source_id" at "source": Reference(FileKind::Sources), "Id of the source quoted.";
        "quote": FreeText, "The words, verbatim.";
        "claims": Other, "The claims of the event the quote bears on: pointers into the record, separated by spaces (e.g. /date /participants/0).";
        "stance": Other, "Whether the quote supports, qualifies or contradicts the claims.";
        "credibility": Other, "Admiralty credibility of the information as this source reports it: 1 confirmed to 6 cannot be judged.";
        "note": FreeText, "How the quote bears on the claims.";
    }
}

table! {
    mod event_inferences: "event_inferences", Events, Shape::Child { field: "inferences", parent_column: "event_id" },
        "One row per claim of an event that the editors inferred, in order.";
    rows as pledge_inferences {
        "claim": Other, "The claim, as a pointer into the record (e.g. /date).";
        "note": FreeText, "Why the editors hold it though no quote states it.";
    }
}

table! {
    mod statements: "statements", Statements, Shape::Main,
        "One row per statement: a position, demand, assessment or warning that is not a pledge.";
    for Statement, |x| {
        id "id": Other, "Stable id of the statement." => text_cell(&x.id);
        title "title": FreeText, "Short title." => text_cell(&x.title);
        description "description": FreeText, "What is stated." => text_cell(&x.description);
        kind "kind": Other, "What sort of statement: position, demand, assessment or warning." => name_cell(x.kind.as_str());
        event "event_id" at "event": Reference(FileKind::Events), "Id of the event at which it was made." => optional_text(x.event.as_ref());
        date "date": Other, "When it was made: YYYY, YYYY-MM or YYYY-MM-DD." => shown(x.date.as_ref());
        retired_reason "retired_reason" at "retired/reason": Other, "Why the record is retired; empty while current." => reason(x.retired.as_ref());
        retired_replaced_by "retired_replaced_by" at "retired/replaced_by": Reference(FileKind::Statements), "Id of the statement that replaces it." => replaced_by(x.retired.as_ref());
        retired_note "retired_note" at "retired/note": FreeText, "What was wrong or what changed." => note(x.retired.as_ref());
    }
    build |r| Statement {
        id: required(r, id)?,
        title: required(r, title)?,
        description: required(r, description)?,
        kind: required(r, kind)?,
        holders: Vec::new(),
        against: Vec::new(),
        pledges: Vec::new(),
        events: Vec::new(),
        event: optional_cell(r, event)?,
        date: optional_cell(r, date)?,
        evidence: Vec::new(),
        inferences: Vec::new(),
        retired: retirement(r, retired_reason)?,
    }
}

table! {
    mod statement_holders: "statement_holders", Statements, Shape::Child { field: "holders", parent_column: "statement_id" },
        "One row per actor holding a statement, in order.";
    rows as pledge_pledgers {
        "actor_id" at "": Reference(FileKind::Actors), "Id of an actor who holds it.";
    }
}

table! {
    mod statement_against: "statement_against", Statements, Shape::Child { field: "against", parent_column: "statement_id" },
        "One row per actor a statement is aimed at or addressed to, in order.";
    rows as pledge_pledgers {
        "actor_id" at "": Reference(FileKind::Actors), "Id of an actor it is aimed at.";
    }
}

table! {
    mod statement_pledges: "statement_pledges", Statements, Shape::Child { field: "pledges", parent_column: "statement_id" },
        "One row per pledge a statement is about, in order.";
    for PledgeId, |id| {
        value "pledge_id" at "": Reference(FileKind::Pledges), "Id of a pledge it is about." => text_cell(id);
    }
    build |r| required(r, value)?
}

table! {
    mod statement_events: "statement_events", Statements, Shape::Child { field: "events", parent_column: "statement_id" },
        "One row per event a statement is about, in order.";
    for EventId, |id| {
        value "event_id" at "": Reference(FileKind::Events), "Id of an event it is about." => text_cell(id);
    }
    build |r| required(r, value)?
}

table! {
    mod statement_evidence: "statement_evidence", Statements, Shape::Child { field: "evidence", parent_column: "statement_id" },
        "One row per quote attesting a statement, in order.";
    rows as pledge_evidence {
        "source_id" at "source": Reference(FileKind::Sources), "Id of the source quoted.";
        "quote": FreeText, "The words, verbatim.";
        "claims": Other, "The claims of the statement the quote bears on: pointers into the record, separated by spaces (e.g. /holders/0 /kind).";
        "stance": Other, "Whether the quote supports, qualifies or contradicts the claims.";
        "credibility": Other, "Admiralty credibility of the information as this source reports it: 1 confirmed to 6 cannot be judged.";
        "note": FreeText, "How the quote bears on the claims.";
    }
}

table! {
    mod statement_inferences: "statement_inferences", Statements, Shape::Child { field: "inferences", parent_column: "statement_id" },
        "One row per claim of a statement that the editors inferred, in order.";
    rows as pledge_inferences {
        "claim": Other, "The claim, as a pointer into the record (e.g. /date).";
        "note": FreeText, "Why the editors hold it though no quote states it.";
    }
}

/// Every table, in the order they are written and described.
pub const TABLES: &[Table] = &[
    actors::TABLE,
    actor_aliases::TABLE,
    sources::TABLE,
    pledges::TABLE,
    pledge_pledgers::TABLE,
    pledge_roles::TABLE,
    pledge_categories::TABLE,
    pledge_status_reports::TABLE,
    pledge_conditions::TABLE,
    pledge_links::TABLE,
    pledge_quantities::TABLE,
    pledge_evidence::TABLE,
    pledge_inferences::TABLE,
    events::TABLE,
    event_participants::TABLE,
    event_accounts::TABLE,
    event_evidence::TABLE,
    event_inferences::TABLE,
    statements::TABLE,
    statement_holders::TABLE,
    statement_against::TABLE,
    statement_pledges::TABLE,
    statement_events::TABLE,
    statement_evidence::TABLE,
    statement_inferences::TABLE,
];

impl Record for Actor {
    const TABLE: &'static Table = &actors::TABLE;

    fn children<'r>(&'r self, visit: &mut impl Children<'r>) {
        visit.items(&actor_aliases::TABLE, &self.aliases);
    }
}

impl Record for Source {
    const TABLE: &'static Table = &sources::TABLE;

    fn children<'r>(&'r self, _: &mut impl Children<'r>) {}
}

impl Record for Pledge {
    const TABLE: &'static Table = &pledges::TABLE;

    fn children<'r>(&'r self, visit: &mut impl Children<'r>) {
        visit.items(&pledge_pledgers::TABLE, &self.pledgers);
        visit.items(&pledge_roles::TABLE, &self.roles);
        visit.items(&pledge_categories::TABLE, &self.categories);
        visit.items(&pledge_status_reports::TABLE, &self.status_reports);
        visit.items(&pledge_conditions::TABLE, &self.conditions);
        visit.items(&pledge_links::TABLE, &self.links);
        visit.items(&pledge_quantities::TABLE, &self.quantities);
        visit.items(&pledge_evidence::TABLE, &self.evidence);
        visit.items(&pledge_inferences::TABLE, &self.inferences);
    }
}

impl Record for Event {
    const TABLE: &'static Table = &events::TABLE;

    fn children<'r>(&'r self, visit: &mut impl Children<'r>) {
        visit.items(&event_participants::TABLE, &self.participants);
        visit.items(&event_accounts::TABLE, &self.accounts);
        visit.items(&event_evidence::TABLE, &self.evidence);
        visit.items(&event_inferences::TABLE, &self.inferences);
    }
}

impl Record for Statement {
    const TABLE: &'static Table = &statements::TABLE;

    fn children<'r>(&'r self, visit: &mut impl Children<'r>) {
        visit.items(&statement_holders::TABLE, &self.holders);
        visit.items(&statement_against::TABLE, &self.against);
        visit.items(&statement_pledges::TABLE, &self.pledges);
        visit.items(&statement_events::TABLE, &self.events);
        visit.items(&statement_evidence::TABLE, &self.evidence);
        visit.items(&statement_inferences::TABLE, &self.inferences);
    }
}

// ------------------------------------------------ cells of typed records --

fn text_cell(value: &impl AsRef<str>) -> Cell<'_> {
    Cell::Text(value.as_ref())
}

fn optional_text<T: AsRef<str>>(value: Option<&T>) -> Cell<'_> {
    value.map_or(Cell::Empty, |v| Cell::Text(v.as_ref()))
}

fn name_cell(value: &'static str) -> Cell<'static> {
    Cell::Text(value)
}

fn shown<T: Display>(value: Option<&T>) -> Cell<'_> {
    value.map_or(Cell::Empty, |v| Cell::Shown(v))
}

fn reason<Id>(retired: Option<&Retirement<Id>>) -> Cell<'static> {
    retired.map_or(Cell::Empty, |r| name_cell(r.reason.as_str()))
}

fn replaced_by<Id: AsRef<str>>(retired: Option<&Retirement<Id>>) -> Cell<'_> {
    optional_text(retired.and_then(|r| r.replaced_by.as_ref()))
}

fn note<Id>(retired: Option<&Retirement<Id>>) -> Cell<'_> {
    retired.map_or(Cell::Empty, |r| text_cell(&r.note))
}

// ------------------------------------------------- records read from cells --
// (Only the CSV reader reads records from cells.)

/// A cell the types must accept; an empty cell is null, which they refuse.
fn required<T: DeserializeOwned>(row: &impl Cells, column: usize) -> Option<T> {
    let cell = row.get(column)?;
    if cell.is_empty() {
        return None;
    }
    T::deserialize(StrDeserializer::<ValueError>::new(cell)).ok()
}

/// A cell that may be empty (null); `None` when it is not and the types
/// refuse it.
fn optional_cell<T: DeserializeOwned>(row: &impl Cells, column: usize) -> Option<Option<T>> {
    match row.get(column)? {
        "" => Some(None),
        cell => T::deserialize(StrDeserializer::<ValueError>::new(cell))
            .ok()
            .map(Some),
    }
}

/// An amount: a finite number, not negative, as the slow path reads it.
fn amount(cell: &str) -> Option<f64> {
    let amount: f64 = cell.parse().ok()?;
    (amount.is_finite() && amount >= 0.0).then_some(amount)
}

fn all_empty(row: &impl Cells, columns: std::ops::RangeInclusive<usize>) -> bool {
    columns
        .into_iter()
        .all(|i| row.get(i).is_some_and(str::is_empty))
}

/// The three `retired_*` cells from `first`: null when all are empty.
fn retirement<Id: DeserializeOwned>(
    row: &impl Cells,
    first: usize,
) -> Option<Option<Retirement<Id>>> {
    if all_empty(row, first..=first + 2) {
        return Some(None);
    }
    Some(Some(Retirement {
        reason: required(row, first)?,
        replaced_by: optional_cell(row, first + 1)?,
        note: required(row, first + 2)?,
    }))
}

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
    kind.collection().map_or("", |(key, _)| key)
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
            "actors": "actors.json", "sources": "sources.json", "pledges": "pledges.json",
            "events": "events.json", "statements": "statements.json"
        })),
    })
}
