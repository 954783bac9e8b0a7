//! `pledges list events|statements` and `pledges show` for an event or a
//! statement.

use std::fmt::Write;

use serde_json::{Value, json};
use ukraine_pledges::Dataset;
use ukraine_pledges::model::{Attested, Event, Quantity, Statement};

use crate::args::{ListArgs, QueryFormat, RecordKind, ShowArgs};
use crate::query_cmd::actor_named;
use crate::{ERROR, SUCCESS, emit, fail};

/// A quantity in words, with its kind: `480 infantry vehicles per year
/// (count)`, `an unstated amount of EUR (money)`.
pub(crate) fn quantity(q: &Quantity) -> String {
    format!("{q} ({})", q.kind)
}

/// Lists events or statements.
pub fn list(data: &Dataset, args: &ListArgs) -> u8 {
    let pledge_only = [
        ("--involving", args.involving.is_some()),
        ("--category", args.category.is_some()),
        ("--status", args.status.is_some()),
        ("--condition", args.condition.is_some()),
        ("--contested", args.contested),
        ("--min-credibility", args.min_credibility.is_some()),
    ];
    if let Some((flag, _)) = pledge_only.iter().find(|(_, given)| *given) {
        return fail(format_args!("{flag} filters pledges only"));
    }
    let actor = match actor_named(data, args.actor.as_deref()) {
        Ok(actor) => actor,
        Err(code) => return code,
    };
    let names = |who: &[ukraine_pledges::model::ActorId]| {
        actor.is_none_or(|a| who.iter().any(|w| data.acts_for(w.as_str(), a)))
    };
    let text = match args.records {
        RecordKind::Events => {
            let events: Vec<&Event> = data
                .events()
                .iter()
                .filter(|e| names(&e.participants))
                .collect();
            match args.format {
                QueryFormat::Json => to_json(&events),
                QueryFormat::Human => {
                    let mut t = String::new();
                    for e in &events {
                        let date = e
                            .date
                            .map_or_else(|| "date unknown".to_owned(), |d| d.to_string());
                        let _ = writeln!(t, "{}  {:<12}  {:<8}  {}", e.id, date, e.kind, e.name);
                    }
                    let _ = writeln!(t, "{} event{}", events.len(), plural(events.len()));
                    t
                }
            }
        }
        _ => {
            let statements: Vec<&Statement> = data
                .statements()
                .iter()
                .filter(|s| names(&s.holders))
                .collect();
            match args.format {
                QueryFormat::Json => to_json(&statements),
                QueryFormat::Human => {
                    let mut t = String::new();
                    for s in &statements {
                        let _ = writeln!(
                            t,
                            "{}  {:<10}  {}  {}",
                            s.id,
                            s.kind,
                            s.credibility(),
                            s.title
                        );
                    }
                    let _ = writeln!(
                        t,
                        "{} statement{}",
                        statements.len(),
                        plural(statements.len())
                    );
                    if !statements.is_empty() {
                        let _ = writeln!(
                            t,
                            "(the number is how credible each statement's least attested claim is: 1 confirmed to 6 cannot be judged)"
                        );
                    }
                    t
                }
            }
        }
    };
    if emit(&text).is_err() { ERROR } else { SUCCESS }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `value` as pretty JSON, with a closing newline.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Shows the event or statement `args.id`; `None` when there is none.
pub fn show(data: &Dataset, args: &ShowArgs) -> Option<u8> {
    let name = |id: &str| {
        data.actor(id)
            .map_or_else(|| id.to_owned(), |a| a.name.to_string())
    };
    let names = |ids: &[ukraine_pledges::model::ActorId]| {
        ids.iter()
            .map(|id| name(id.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let event_name = |id: &str| {
        data.event(id)
            .map_or_else(|| id.to_owned(), |e| format!("{id} ({})", e.name))
    };
    let text =
        if let Some(event) = data.event(&args.id) {
            match args.format {
                QueryFormat::Json => record_json(data, "event", event, &event.contested_claims()),
                QueryFormat::Human => {
                    let mut t = heading(event.name.as_str());
                    let _ = writeln!(t, "id:           {}", event.id);
                    let _ = writeln!(t, "kind:         {}", event.kind);
                    let _ = writeln!(
                        t,
                        "date:         {}",
                        event
                            .date
                            .map_or_else(|| "not stated".to_owned(), |d| d.to_string())
                    );
                    let _ = writeln!(
                        t,
                        "place:        {}",
                        event.place.as_ref().map_or("not stated", |p| p.as_str())
                    );
                    if !event.participants.is_empty() {
                        let _ = writeln!(t, "participants: {}", names(&event.participants));
                    }
                    if let Some(at) = &event.produced_at {
                        let _ = writeln!(t, "produced at:  {}", event_name(at.as_str()));
                    }
                    for e in data
                        .events()
                        .iter()
                        .filter(|e| e.produced_at.as_ref() == Some(&event.id))
                    {
                        let _ = writeln!(t, "produced:     {} ({})", e.id, e.name);
                    }
                    for a in &event.accounts {
                        let note = a
                            .note
                            .as_ref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default();
                        let _ = writeln!(t, "told by:      {} ({}){note}", a.source, a.certainty);
                    }
                    for p in data.pledges_at_event(event.id.as_str()) {
                        let _ = writeln!(t, "pledge:       {} ({})", p.id, p.title);
                    }
                    for s in data.statements().iter().filter(|s| {
                        s.event.as_ref() == Some(&event.id) || s.events.contains(&event.id)
                    }) {
                        let _ = writeln!(t, "statement:    {} ({})", s.id, s.title);
                    }
                    evidence_text(data, event, &event.contested_claims(), 14, &mut t);
                    t
                }
            }
        } else if let Some(statement) = data.statement(&args.id) {
            match args.format {
                QueryFormat::Json => {
                    record_json(data, "statement", statement, &statement.contested_claims())
                }
                QueryFormat::Human => {
                    let mut t = heading(statement.title.as_str());
                    let _ = writeln!(t, "{}\n", statement.description);
                    let _ = writeln!(t, "id:           {}", statement.id);
                    let _ = writeln!(t, "kind:         {}", statement.kind);
                    let _ = writeln!(t, "held by:      {}", names(&statement.holders));
                    if !statement.against.is_empty() {
                        let _ = writeln!(t, "against:      {}", names(&statement.against));
                    }
                    for p in &statement.pledges {
                        let title = data
                            .pledge(p.as_str())
                            .map_or_else(String::new, |p| format!(" ({})", p.title));
                        let _ = writeln!(t, "about pledge: {p}{title}");
                    }
                    for e in &statement.events {
                        let _ = writeln!(t, "about event:  {}", event_name(e.as_str()));
                    }
                    if let Some(e) = &statement.event {
                        let _ = writeln!(t, "made at:      {}", event_name(e.as_str()));
                    }
                    if let Some(d) = statement.date {
                        let _ = writeln!(t, "date:         {d}");
                    }
                    evidence_text(data, statement, &statement.contested_claims(), 14, &mut t);
                    t
                }
            }
        } else {
            return None;
        };
    Some(if emit(&text).is_err() { ERROR } else { SUCCESS })
}

fn heading(title: &str) -> String {
    format!("{title}\n{}\n\n", "=".repeat(title.chars().count()))
}

/// The record (under `key`), its credibility, its `contested` claims and
/// its evidence with each quote's source, as JSON.
pub(crate) fn record_json<R: Attested + serde::Serialize>(
    data: &Dataset,
    key: &str,
    record: &R,
    contested: &[String],
) -> String {
    let evidence: Vec<Value> = data
        .evidence(record)
        .map(|(e, s)| {
            json!({
                "quote": e.quote,
                "claims": e.claims,
                "stance": e.stance,
                "credibility": e.credibility,
                "note": e.note,
                "source": s,
            })
        })
        .collect();
    to_json(&json!({
        key: record,
        "credibility": record.credibility(),
        "contested": contested,
        "evidence": evidence,
    }))
}

/// The credibility, the `contested` claims, the evidence and the
/// inferences of a record, its labels padded to `width`.
pub(crate) fn evidence_text<R: Attested>(
    data: &Dataset,
    record: &R,
    contested: &[String],
    width: usize,
    t: &mut String,
) {
    let credibility = record.credibility();
    let _ = writeln!(
        t,
        "{:width$}{credibility} ({}), its least attested claim",
        "credibility:",
        credibility.meaning()
    );
    if !contested.is_empty() {
        let _ = writeln!(
            t,
            "{:width$}{} (the sources disagree)",
            "contested:",
            contested.join(", ")
        );
    }
    let _ = writeln!(t, "\nevidence:");
    for (e, s) in data.evidence(record) {
        let _ = writeln!(
            t,
            "  \"{}\"\n    {} {}, credibility {} ({})\n    ({}: {}; source graded {}: {})",
            e.quote,
            e.stance,
            e.claims,
            e.credibility,
            e.credibility.meaning(),
            s.id,
            s.title,
            s.reliability.grade,
            s.kind,
        );
        if let Some(note) = &e.note {
            let _ = writeln!(t, "    note: {note}");
        }
    }
    if !record.inferences().is_empty() {
        let _ = writeln!(t, "\ninferred by the editors:");
        for i in record.inferences() {
            let _ = writeln!(t, "  {}: {}", i.claim, i.note);
        }
    }
}
