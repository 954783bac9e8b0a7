//! A page per record: pledges, events and statements with their claims and evidence, actors, and sources with their archived text.

use std::collections::{HashMap, HashSet};

use maud::{Markup, html};

use crate::error::Error;
use crate::model::{ActorId, Attested, Event, Evidence, Pledge, Stance, Statement};

use super::highlight::highlight;
use super::layout::{Kind, claim_anchor, list_path, raw, record_path};
use super::{Cite, LIST_CAP, Site, Writer};

/// Record pages sit one folder below the root.
const UP: &str = "../";

/// Writes every record's page.
pub(crate) fn write(site: &Site, out: &mut Writer) -> Result<(), Error> {
    let data = site.data;
    for (i, p) in data.pledges().iter().enumerate() {
        let body = pledge(site, i, p);
        let page = site.shell.page(UP, None, p.title.as_str(), &body, &[]);
        out.write(&record_path(Kind::Pledge, p.id.as_str()), page.as_bytes())?;
    }
    for (i, e) in data.events().iter().enumerate() {
        let body = event(site, i, e);
        let page = site.shell.page(UP, None, e.name.as_str(), &body, &[]);
        out.write(&record_path(Kind::Event, e.id.as_str()), page.as_bytes())?;
    }
    for (i, s) in data.statements().iter().enumerate() {
        let body = statement(site, i, s);
        let page = site.shell.page(UP, None, s.title.as_str(), &body, &[]);
        out.write(
            &record_path(Kind::Statement, s.id.as_str()),
            page.as_bytes(),
        )?;
    }
    for a in data.actors() {
        let body = actor(site, a);
        let page = site.shell.page(UP, None, a.name.as_str(), &body, &[]);
        out.write(&record_path(Kind::Actor, a.id.as_str()), page.as_bytes())?;
    }
    for s in data.sources() {
        let body = source(site, s);
        let page = site.shell.page(UP, None, s.title.as_str(), &body, &[]);
        out.write(&record_path(Kind::Source, s.id.as_str()), page.as_bytes())?;
    }
    Ok(())
}

/// A code value for people: `troop_deployment` → `troop deployment`.
pub(crate) fn words(code: &str) -> String {
    match code {
        "us_backstop" => "US backstop".to_owned(),
        _ => code.replace('_', " "),
    }
}

/// A link to a record page from a record page.
pub(crate) fn link(kind: Kind, id: &str, text: &str) -> Markup {
    html! { a href={ (UP) (record_path(kind, id)) } { (text) } }
}

fn actor_link(site: &Site, id: &ActorId) -> Markup {
    link(Kind::Actor, id.as_str(), site.actor_name(id.as_str()))
}

/// What the evidence of a record says of each claim.
struct ClaimIndex {
    /// Per claim, the evidence items (from 1) that bear on it and how.
    by_claim: HashMap<String, Vec<(usize, Stance)>>,
    inferred: HashSet<String>,
    contested: HashSet<String>,
    claims: HashSet<String>,
}

impl ClaimIndex {
    fn new<R: Attested>(record: &R, contested: &[String]) -> Self {
        let mut by_claim: HashMap<String, Vec<(usize, Stance)>> = HashMap::new();
        for (j, e) in record.evidence().iter().enumerate() {
            for c in e.claims.iter() {
                by_claim
                    .entry(c.to_owned())
                    .or_default()
                    .push((j + 1, e.stance));
            }
        }
        Self {
            by_claim,
            inferred: record
                .inferences()
                .iter()
                .map(|i| i.claim.to_string())
                .collect(),
            contested: contested.iter().cloned().collect(),
            claims: record.claims().collect(),
        }
    }

    /// The anchor for `claim`, when the record makes it.
    fn id(&self, claim: &str) -> Option<String> {
        self.claims.contains(claim).then(|| claim_anchor(claim))
    }

    /// After a claim: which quotes bear on it, and whether it is inferred
    /// or contested.
    fn marks(&self, claim: &str) -> Markup {
        let quotes = self.by_claim.get(claim).map(Vec::as_slice).unwrap_or(&[]);
        html! {
            span class="attest" {
                @if self.contested.contains(claim) {
                    " " strong class="badge contested" { "contested" }
                }
                @if !quotes.is_empty() {
                    " (quote"
                    @if quotes.len() > 1 { "s" }
                    " "
                    @for (k, (n, stance)) in quotes.iter().enumerate() {
                        @if k > 0 { ", " }
                        a href={ "#evidence-" (n) } { (n) }
                        @if *stance != Stance::Supports { " " (stance.as_str()) }
                    }
                    ")"
                }
                @if self.inferred.contains(claim) {
                    " " span class="badge" { "inferred" }
                }
            }
        }
    }
}

/// A list of actors whose items are claims `/{field}/{i}`.
fn actor_claims(site: &Site, claims: &ClaimIndex, field: &str, ids: &[ActorId]) -> Markup {
    html! {
        ul {
            @for (i, id) in ids.iter().enumerate() {
                @let claim = format!("/{field}/{i}");
                li id=[claims.id(&claim)] { (actor_link(site, id)) (claims.marks(&claim)) }
            }
        }
    }
}

fn pledge(site: &Site, index: usize, p: &Pledge) -> Markup {
    let data = site.data;
    let contested = &site.contested[index];
    let claims = ClaimIndex::new(p, contested);
    let credibility = site.credibility[index];
    html! {
        p class="lede" { (p.description) }
        @if let Some(r) = &p.retired {
            p class="notice" {
                "Retired (" (words(r.reason.as_str())) "): " (r.note)
                @if let Some(by) = r.replacement() { " Replaced by " (link(Kind::Pledge, by, by)) "." }
            }
        }
        dl class="facts" {
            dt { "Status" }
            dd id="claim-status" {
                span class={ "status status-" (p.status.as_str()) } { (words(p.status.as_str())) }
                @if contested.iter().any(|c| c == "/status") {
                    " " strong class="badge contested" { "contested" } " (the sources report different statuses: see below)"
                }
                @if let Some(note) = &p.status_note { br; span class="note" { (note) } }
            }
            dt { "Credibility" }
            dd { (credibility.get()) " – " (credibility.meaning()) span class="note" { " (its least attested claim)" } }
            dt { "Commitment" }
            dd id=[claims.id("/commitment")] {
                @match p.commitment {
                    Some(c) => { (words(c.as_str())) (claims.marks("/commitment")) },
                    None => "not stated",
                }
            }
            dt { "Announced" }
            dd id=[claims.id("/announced")] {
                @match p.announced {
                    Some(d) => { (d.to_string()) (claims.marks("/announced")) },
                    None => "not stated",
                }
            }
            dt { "Event" }
            dd id=[claims.id("/event")] {
                @match &p.event {
                    Some(e) => {
                        (link(Kind::Event, e.as_str(), data.event(e.as_str()).map_or(e.as_str(), |e| e.name.as_str())))
                        (claims.marks("/event"))
                    },
                    None => "not tied to one",
                }
            }
            @if !contested.is_empty() {
                dt { "Contested claims" }
                dd {
                    ul class="inline" {
                        @for c in contested {
                            li { a href={ "#" (claim_anchor(c)) } { code { (c) } } }
                        }
                    }
                }
            }
        }
        section aria-labelledby="who" {
            h2 id="who" { "Who" }
            h3 { "Pledged by" }
            (actor_claims(site, &claims, "pledgers", &p.pledgers))
            h3 { "For" }
            p id=[claims.id("/beneficiary")] {
                @match &p.beneficiary {
                    Some(b) => { (actor_link(site, b)) (claims.marks("/beneficiary")) },
                    None => "not stated",
                }
            }
            @if !p.roles.is_empty() {
                h3 { "Roles" }
                ul {
                    @for (i, r) in p.roles.iter().enumerate() {
                        @let claim = format!("/roles/{i}");
                        li id=[claims.id(&claim)] { (actor_link(site, &r.actor)) ": " (words(r.role.as_str())) (claims.marks(&claim)) }
                    }
                }
            }
        }
        section aria-labelledby="what" {
            h2 id="what" { "What" }
            h3 { "Categories" }
            ul {
                @for (i, c) in p.categories.iter().enumerate() {
                    @let claim = format!("/categories/{i}");
                    li id=[claims.id(&claim)] {
                        (words(c.as_str()))
                        @if i == 0 { " " span class="badge" { "primary" } }
                        (claims.marks(&claim))
                    }
                }
            }
            h3 { "Quantities" }
            @if p.quantities.is_empty() {
                p { "None given." }
            } @else {
                ul {
                    @for (i, q) in p.quantities.iter().enumerate() {
                        @let claim = format!("/quantities/{i}");
                        li id=[claims.id(&claim)] { (q.to_string()) " (" (q.kind.as_str()) ")" (claims.marks(&claim)) }
                    }
                }
            }
        }
        section aria-labelledby="conditions" {
            h2 id="conditions" { "Conditions" }
            @if p.conditions.is_empty() {
                p { "The sources report none." }
            } @else {
                div class="scroll" {
                    table {
                        thead { tr { th scope="col" { "Kind" } th scope="col" { "Depends on" } th scope="col" { "Binds" } th scope="col" { "Condition" } } }
                        tbody {
                            @for (i, c) in p.conditions.iter().enumerate() {
                                @let claim = format!("/conditions/{i}");
                                tr id=[claims.id(&claim)] {
                                    td { (words(c.kind.as_str())) }
                                    td { @match &c.actor { Some(a) => (actor_link(site, a)), None => "—" } }
                                    td { @match &c.applies_to { Some(a) => { "only " (actor_link(site, a)) }, None => "every pledger" } }
                                    td { (c.text) (claims.marks(&claim)) }
                                }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="status-reports" {
            h2 id="status-reports" { "Status as each source reports it" }
            div class="scroll" {
                table {
                    thead { tr { th scope="col" { "Source" } th scope="col" { "Status" } th scope="col" { "As of" } th scope="col" { "Note" } } }
                    tbody {
                        @for (i, r) in p.status_reports.iter().enumerate() {
                            @let claim = format!("/status_reports/{i}");
                            tr id=[claims.id(&claim)] {
                                td { (link(Kind::Source, r.source.as_str(), data.source(r.source.as_str()).map_or(r.source.as_str(), |s| s.title.as_str()))) }
                                td { (words(r.status.as_str())) (claims.marks(&claim)) }
                                td {
                                    @if let Some(d) = r.as_of { (d.to_string()) }
                                    @if let Some(e) = &r.event { " " (link(Kind::Event, e.as_str(), e.as_str())) }
                                    @if r.as_of.is_none() && r.event.is_none() { "not stated" }
                                }
                                td { @if let Some(n) = &r.note { (n) } }
                            }
                        }
                    }
                }
            }
        }
        @let components = site.components.get(p.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        @if !p.links.is_empty() || !components.is_empty() {
            section aria-labelledby="links" {
                h2 id="links" { "Other pledges" }
                ul {
                    @for (i, l) in p.links.iter().enumerate() {
                        @let claim = format!("/links/{i}");
                        li id=[claims.id(&claim)] {
                            (words(l.kind.as_str())) ": "
                            (link(Kind::Pledge, l.pledge.as_str(), data.pledge(l.pledge.as_str()).map_or(l.pledge.as_str(), |p| p.title.as_str())))
                            (claims.marks(&claim))
                        }
                    }
                }
                @if !components.is_empty() {
                    h3 { "Its components" }
                    (pledge_list(site, components))
                }
            }
        }
        (evidence_section(site, Kind::Pledge, index, &p.evidence, &claims))
        (inferences(p))
        @let about = site.statements_about.get(p.id.as_str()).map(Vec::as_slice).unwrap_or(&[]);
        @if !about.is_empty() {
            section aria-labelledby="statements" {
                h2 id="statements" { "Statements about it" }
                (statement_list(site, about))
            }
        }
    }
}

fn inferences<R: Attested>(record: &R) -> Markup {
    html! {
        @if !record.inferences().is_empty() {
            section aria-labelledby="inferences" {
                h2 id="inferences" { "Inferred by the editors" }
                p { "Claims no quote states, with why the editors hold them." }
                ul {
                    @for i in record.inferences() {
                        li { a href={ "#" (claim_anchor(i.claim.as_str())) } { code { (i.claim) } } ": " (i.note) }
                    }
                }
            }
        }
    }
}

/// The evidence items of a record, each with its quote, stance,
/// credibility, source, the claims it bears on and, with an archive, a
/// link to its highlight in the source's text.
fn evidence_section(
    site: &Site,
    kind: Kind,
    record: usize,
    evidence: &[Evidence],
    claims: &ClaimIndex,
) -> Markup {
    let data = site.data;
    html! {
        section aria-labelledby="evidence" {
            h2 id="evidence" { "Evidence" }
            ol class="evidence" {
                @for (j, e) in evidence.iter().enumerate() {
                    @let source = data.source(e.source.as_str());
                    @let passage = site.texts.as_ref().and_then(|t| t.passage_of.get(&Cite { kind, record, evidence: j }));
                    li id={ "evidence-" (j + 1) } {
                        p class="evidence-head" { "Quote " (j + 1) }
                        blockquote { p { (e.quote) } }
                        p {
                            span class={ "stance stance-" (e.stance.as_str()) } { (e.stance.as_str()) }
                            " · credibility " (e.credibility.get()) " (" (e.credibility.meaning()) ")"
                            " · from "
                            (link(Kind::Source, e.source.as_str(), source.map_or(e.source.as_str(), |s| s.title.as_str())))
                            @if let Some(s) = source { " (source graded " (s.reliability.grade.as_str()) ")" }
                            @if let Some(n) = passage {
                                " · " a href={ (UP) (record_path(Kind::Source, e.source.as_str())) "#q" (n) } { "see it in the archived text" }
                            }
                        }
                        p {
                            "Bears on: "
                            @for (k, c) in e.claims.iter().enumerate() {
                                @if k > 0 { ", " }
                                @if let Some(id) = claims.id(c) {
                                    a href={ "#" (id) } { code { (c) } }
                                } @else if c == "/status" {
                                    a href="#claim-status" { code { (c) } }
                                } @else {
                                    code { (c) }
                                }
                                @if claims.contested.contains(c) { " " strong class="badge contested" { "contested" } }
                            }
                        }
                        @if let Some(n) = &e.note { p class="note" { "Note: " (n) } }
                    }
                }
            }
        }
    }
}

fn event(site: &Site, index: usize, e: &Event) -> Markup {
    let data = site.data;
    let contested = e.contested_claims();
    let claims = ClaimIndex::new(e, &contested);
    let credibility = e.credibility();
    html! {
        dl class="facts" {
            dt { "Kind" } dd { (e.kind.as_str()) }
            dt { "Date" }
            dd id=[claims.id("/date")] { @match e.date { Some(d) => { (d.to_string()) (claims.marks("/date")) }, None => "not stated" } }
            dt { "Place" }
            dd id=[claims.id("/place")] { @match &e.place { Some(p) => { (p) (claims.marks("/place")) }, None => "not stated" } }
            @if let Some(at) = &e.produced_at {
                dt { "Produced at" }
                dd id=[claims.id("/produced_at")] {
                    (link(Kind::Event, at.as_str(), data.event(at.as_str()).map_or(at.as_str(), |e| e.name.as_str())))
                    (claims.marks("/produced_at"))
                }
            }
            dt { "Credibility" }
            dd { (credibility.get()) " – " (credibility.meaning()) }
        }
        @if let Some(n) = &e.notes { p class="note" { (n) } }
        section aria-labelledby="participants" {
            h2 id="participants" { "Participants" }
            @if e.participants.is_empty() { p { "The sources give no list." } } @else { (actor_claims(site, &claims, "participants", &e.participants)) }
        }
        section aria-labelledby="accounts" {
            h2 id="accounts" { "Accounts" }
            ul {
                @for (i, a) in e.accounts.iter().enumerate() {
                    @let claim = format!("/accounts/{i}");
                    li id=[claims.id(&claim)] {
                        (link(Kind::Source, a.source.as_str(), data.source(a.source.as_str()).map_or(a.source.as_str(), |s| s.title.as_str())))
                        ": " (words(a.certainty.as_str()))
                        @if let Some(n) = &a.note { " – " (n) }
                        (claims.marks(&claim))
                    }
                }
            }
        }
        @let none: &[usize] = &[];
        @let produced = site.produced.get(e.id.as_str()).map_or(none, Vec::as_slice);
        @let pledges = site.event_pledges.get(e.id.as_str()).map_or(none, Vec::as_slice);
        @let statements = site.event_statements.get(e.id.as_str()).map_or(none, Vec::as_slice);
        @if !produced.is_empty() {
            section aria-labelledby="produced" {
                h2 id="produced" { "Documents it produced" }
                ul { @for &k in produced { @let x = &data.events()[k]; li { (link(Kind::Event, x.id.as_str(), x.name.as_str())) } } }
            }
        }
        @if !pledges.is_empty() {
            section aria-labelledby="event-pledges" {
                h2 id="event-pledges" { "Pledges made there" }
                p class="note" { "Made at it, at the event that produced it or at a document it produced, and their components." }
                (pledge_list(site, pledges))
            }
        }
        @if !statements.is_empty() {
            section aria-labelledby="event-statements" {
                h2 id="event-statements" { "Statements made there or about it" }
                (statement_list(site, statements))
            }
        }
        (evidence_section(site, Kind::Event, index, &e.evidence, &claims))
        (inferences(e))
    }
}

fn statement(site: &Site, index: usize, s: &Statement) -> Markup {
    let data = site.data;
    let contested = s.contested_claims();
    let claims = ClaimIndex::new(s, &contested);
    let credibility = s.credibility();
    html! {
        p class="lede" { (s.description) }
        dl class="facts" {
            dt { "Kind" } dd id=[claims.id("/kind")] { (s.kind.as_str()) (claims.marks("/kind")) }
            dt { "Made at" }
            dd id=[claims.id("/event")] {
                @match &s.event {
                    Some(e) => { (link(Kind::Event, e.as_str(), data.event(e.as_str()).map_or(e.as_str(), |e| e.name.as_str()))) (claims.marks("/event")) },
                    None => "not tied to an event",
                }
            }
            dt { "Date" }
            dd id=[claims.id("/date")] { @match s.date { Some(d) => { (d.to_string()) (claims.marks("/date")) }, None => "not stated" } }
            dt { "Credibility" }
            dd { (credibility.get()) " – " (credibility.meaning()) }
        }
        section aria-labelledby="holders" {
            h2 id="holders" { "Held by" }
            (actor_claims(site, &claims, "holders", &s.holders))
            @if !s.against.is_empty() {
                h3 { "Against" }
                (actor_claims(site, &claims, "against", &s.against))
            }
        }
        @if !s.pledges.is_empty() || !s.events.is_empty() {
            section aria-labelledby="about" {
                h2 id="about" { "About" }
                ul {
                    @for (i, p) in s.pledges.iter().enumerate() {
                        @let claim = format!("/pledges/{i}");
                        li id=[claims.id(&claim)] { "pledge: " (link(Kind::Pledge, p.as_str(), data.pledge(p.as_str()).map_or(p.as_str(), |p| p.title.as_str()))) (claims.marks(&claim)) }
                    }
                    @for (i, e) in s.events.iter().enumerate() {
                        @let claim = format!("/events/{i}");
                        li id=[claims.id(&claim)] { "event: " (link(Kind::Event, e.as_str(), data.event(e.as_str()).map_or(e.as_str(), |e| e.name.as_str()))) (claims.marks(&claim)) }
                    }
                }
            }
        }
        (evidence_section(site, Kind::Statement, index, &s.evidence, &claims))
        (inferences(s))
    }
}

/// At most [`LIST_CAP`] pledges, in id order, and how many more there are.
fn pledge_list(site: &Site, indices: &[usize]) -> Markup {
    let pledges = site.data.pledges();
    html! {
        ul {
            @for &i in indices.iter().take(LIST_CAP) {
                li { (link(Kind::Pledge, pledges[i].id.as_str(), pledges[i].title.as_str())) " – " (words(pledges[i].status.as_str())) }
            }
        }
        (more(indices.len(), "pledges"))
    }
}

/// At most [`LIST_CAP`] statements, in id order, and how many more there are.
fn statement_list(site: &Site, indices: &[usize]) -> Markup {
    let statements = site.data.statements();
    html! {
        ul {
            @for &i in indices.iter().take(LIST_CAP) {
                li { (link(Kind::Statement, statements[i].id.as_str(), statements[i].title.as_str())) }
            }
        }
        (more(indices.len(), "statements"))
    }
}

/// The note under a list cut at [`LIST_CAP`].
fn more(total: usize, what: &str) -> Markup {
    html! {
        @if total > LIST_CAP {
            p class="note" {
                "The first " (LIST_CAP) " of " (total) " " (what) ", in order of id; "
                a href={ (UP) (list_path(if what == "pledges" { Kind::Pledge } else { Kind::Statement }, 1)) } { "the list of all " (what) }
                " holds every one of them, among the others."
            }
        }
    }
}

fn actor(site: &Site, a: &crate::model::Actor) -> Markup {
    let data = site.data;
    let empty = super::ActorLinks::default();
    let links = site.actors.get(a.id.as_str()).unwrap_or(&empty);
    html! {
        dl class="facts" {
            dt { "Kind" } dd { (words(a.kind.as_str())) }
            @if let Some(c) = &a.iso_3166 { dt { "ISO 3166-1" } dd { (c) } }
            @if let Some(w) = &a.wikidata { dt { "Wikidata" } dd { (w) } }
            @if !a.aliases.is_empty() {
                dt { "Also called" }
                dd { @for (k, al) in a.aliases.iter().enumerate() { @if k > 0 { ", " } (al) } }
            }
            @if let Some(of) = &a.affiliation { dt { "Acts for" } dd { (actor_link(site, of)) } }
            @if let Some(r) = &a.role { dt { "Role" } dd { (r) } }
        }
        @if let Some(r) = &a.retired {
            p class="notice" { "Retired (" (words(r.reason.as_str())) "): " (r.note) }
        }
        @if let Some(n) = &a.notes { p class="note" { (n) } }
        section aria-labelledby="made" {
            h2 id="made" { "Pledges it makes" }
            @if links.made.is_empty() { p { "None." } } @else {
                p { (links.made.len()) " pledge" @if links.made.len() != 1 { "s" } ", made by it or by someone acting for it." }
                (pledge_list(site, &links.made))
            }
        }
        @if !links.involved.is_empty() {
            section aria-labelledby="involved" {
                h2 id="involved" { "Other pledges that name it" }
                p { "As beneficiary, in a role or in a condition." }
                (pledge_list(site, &links.involved))
            }
        }
        @if !links.statements.is_empty() {
            section aria-labelledby="statements" {
                h2 id="statements" { "Statements it holds" }
                (statement_list(site, &links.statements))
            }
        }
        @if !links.events.is_empty() {
            section aria-labelledby="events" {
                h2 id="events" { "Events it took part in" }
                ul { @for &i in links.events.iter().take(LIST_CAP) { @let e = &data.events()[i]; li { (link(Kind::Event, e.id.as_str(), e.name.as_str())) } } }
                @if links.events.len() > LIST_CAP { p class="note" { "The first " (LIST_CAP) " of " (links.events.len()) " events, in order of id." } }
            }
        }
        @if !links.members.is_empty() {
            section aria-labelledby="members" {
                h2 id="members" { "Acting for it" }
                ul { @for &i in links.members.iter().take(LIST_CAP) { @let m = &data.actors()[i]; li { (link(Kind::Actor, m.id.as_str(), m.name.as_str())) } } }
                @if links.members.len() > LIST_CAP { p class="note" { "The first " (LIST_CAP) " of " (links.members.len()) " actors, in order of id." } }
            }
        }
    }
}

/// The record and evidence item a citation names, as a link.
fn cite_link(site: &Site, c: Cite) -> Markup {
    let data = site.data;
    let (id, title, evidence) = match c.kind {
        Kind::Pledge => {
            let p = &data.pledges()[c.record];
            (p.id.as_str(), p.title.as_str(), &p.evidence[c.evidence])
        }
        Kind::Event => {
            let e = &data.events()[c.record];
            (e.id.as_str(), e.name.as_str(), &e.evidence[c.evidence])
        }
        _ => {
            let s = &data.statements()[c.record];
            (s.id.as_str(), s.title.as_str(), &s.evidence[c.evidence])
        }
    };
    let kind = match c.kind {
        Kind::Pledge => "pledge",
        Kind::Event => "event",
        _ => "statement",
    };
    html! {
        (kind) " " (link(c.kind, id, title)) ", "
        a href={ (UP) (record_path(c.kind, id)) "#evidence-" (c.evidence + 1) } { "quote " (c.evidence + 1) }
        " (" (evidence.stance.as_str()) " "
        @for (k, claim) in evidence.claims.iter().enumerate() { @if k > 0 { " " } code { (claim) } }
        ", credibility " (evidence.credibility.get()) ")"
    }
}

fn source(site: &Site, s: &crate::model::Source) -> Markup {
    let cites = site
        .citations
        .get(s.id.as_str())
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let text = site
        .texts
        .as_ref()
        .and_then(|t| t.by_source.get(s.id.as_str()));
    html! {
        dl class="facts" {
            dt { "Kind" } dd { (words(s.kind.as_str())) }
            dt { "Publisher" } dd { @match &s.publisher { Some(p) => (p), None => "not named in the text" } }
            dt { "Published" } dd { @match s.published { Some(d) => (d.to_string()), None => "not stated" } }
            dt { "Address" } dd { @match &s.url { Some(u) => code { (u) }, None => "not known" } }
            dt { "Language" } dd { (s.language) }
            dt { "Reliability" } dd { strong { (s.reliability.grade.as_str()) } " – " (s.reliability.reason) }
            dt { "Archived as" } dd { code { (s.archive.file) } br; "SHA-256 " code class="hash" { (s.archive.sha256) } }
        }
        @if let Some(r) = &s.retired { p class="notice" { "Retired (" (words(r.reason.as_str())) "): " (r.note) } }
        @if let Some(n) = &s.notes { p class="note" { (n) } }
        @match text {
            Some(t) => {
                section aria-labelledby="text" {
                    h2 id="text" { "The archived text" }
                    p class="note" { "Its SHA-256 matches the record. Every quoted passage is highlighted; the number after it leads to who quotes it." }
                    div class="archive" lang=(s.language) { (raw(highlight(&t.text, &t.passages.iter().map(|p| p.range.clone()).collect::<Vec<_>>()))) }
                }
                section aria-labelledby="passages" {
                    h2 id="passages" { "Quoted passages" }
                    @if t.passages.is_empty() { p { "No record quotes this source." } }
                    ol class="passages" {
                        @for (n, passage) in t.passages.iter().enumerate() {
                            li id={ "passage-" (n + 1) } {
                                a href={ "#q" (n + 1) } { "Passage " (n + 1) " in the text" } ": quoted by"
                                ul { @for &c in passage.cites.iter().take(LIST_CAP) { li { (cite_link(site, c)) } } }
                                @if passage.cites.len() > LIST_CAP { p class="note" { "The first " (LIST_CAP) " of " (passage.cites.len()) " quotes of it." } }
                            }
                        }
                    }
                }
            },
            None => {
                section aria-labelledby="cited" {
                    h2 id="cited" { "Quoted by" }
                    @if cites.is_empty() { p { "No record quotes this source." } }
                    ul { @for &c in cites.iter().take(LIST_CAP) { li { (cite_link(site, c)) } } }
                    @if cites.len() > LIST_CAP { p class="note" { "The first " (LIST_CAP) " of " (cites.len()) " quotes of it." } }
                    p class="note" { "This site was built without the archive (" code { "pledges site --archive DIR" } "), so the text is not shown." }
                }
            }
        }
    }
}
