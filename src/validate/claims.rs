//! Layer 4b: claims, roles, scopes and links: what each record claims is
//! attested, and its links hold together.
//!
//! Every claim a pledge, event or statement makes (see
//! [`Attested::claims`]) needs a quote that supports it or an inference
//! that says why the editors hold it, and one source's report (a status
//! report, an account of an event) a supporting quote from that source;
//! every claim a quote or an inference names must be one the record makes;
//! a lead or contributor is a pledger; a condition that binds one actor
//! binds a pledger; no pledge links to itself, no document is produced at
//! itself, and no chain of `part_of` links comes back to where it started.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Attested, LinkKind, Pledge, Stance};
use crate::validate::{Files, Records};

/// Checks the claims, roles, condition scopes and links of every pledge
/// read into the model.
pub(crate) fn check(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    let mut supported = Vec::new();
    for (index, pledge) in &records.pledges {
        check_pledge(&files.pledges, index, pledge, out);
        let at = Place::new(&files.pledges, "pledges", index, pledge.id.as_str());
        check_claims(&at, pledge, &mut supported, out);
    }
    for (index, event) in &records.events {
        let at = Place::new(&files.events, "events", index, event.id.as_str());
        if event.produced_at.as_ref() == Some(&event.id) {
            out.push(
                Diagnostic::new(
                    Code::LinkToSelf,
                    at.path,
                    format!("{}/produced_at", at.base()),
                    format!("`{}` is produced at itself", event.id),
                )
                .with_hint("name the meeting that produced the document, or null"),
            );
        }
        check_claims(&at, event, &mut supported, out);
    }
    for (index, statement) in &records.statements {
        let at = Place::new(
            &files.statements,
            "statements",
            index,
            statement.id.as_str(),
        );
        check_claims(&at, statement, &mut supported, out);
    }
    check_part_of_cycles(records, files, out);
}

/// Reports each `part_of` link that closes a cycle: a pledge that would be a
/// component of itself. Depth-first over the links, each followed once.
fn check_part_of_cycles(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    let pledges: Vec<(usize, &Pledge)> = records.pledges.iter().collect();
    let place: HashMap<&str, usize> = pledges
        .iter()
        .enumerate()
        .map(|(k, (_, p))| (p.id.as_str(), k))
        .collect();
    // For each pledge, its part-of links: (link index, target's place).
    let parents: Vec<Vec<(usize, usize)>> = pledges
        .iter()
        .map(|(_, p)| {
            p.links
                .iter()
                .enumerate()
                .filter(|(_, l)| l.kind == LinkKind::PartOf && l.pledge != p.id)
                .filter_map(|(j, l)| Some((j, *place.get(l.pledge.as_str())?)))
                .collect()
        })
        .collect();
    // 0 unvisited, 1 on the current path, 2 done.
    let mut state = vec![0u8; pledges.len()];
    for start in 0..pledges.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&(j, target)) = parents[node].get(*next) else {
                state[node] = 2;
                stack.pop();
                continue;
            };
            *next += 1;
            match state[target] {
                0 => {
                    state[target] = 1;
                    stack.push((target, 0));
                }
                1 => {
                    let (index, pledge) = pledges[node];
                    out.push(
                        Diagnostic::new(
                            Code::PartOfCycle,
                            &files.pledges,
                            format!("/pledges/{index}/links/{j}/pledge"),
                            format!(
                                "`{}` is part of `{}`, which is part of `{}` again, through `part_of` links",
                                pledge.id, pledges[target].1.id, pledge.id
                            ),
                        )
                        .with_hint("a component points at what it is part of, never the other way round; remove one of the links"),
                    );
                }
                _ => {}
            }
        }
    }
}

/// Where a record is: its file, collection, index and id.
struct Place<'a> {
    path: &'a Path,
    collection: &'static str,
    index: usize,
    id: &'a str,
}

impl<'a> Place<'a> {
    fn new(path: &'a Path, collection: &'static str, index: usize, id: &'a str) -> Self {
        Self {
            path,
            collection,
            index,
            id,
        }
    }

    fn base(&self) -> String {
        format!("/{}/{}", self.collection, self.index)
    }
}

/// Checks one pledge's roles, links and condition scopes.
fn check_pledge(path: &Path, index: usize, pledge: &Pledge, out: &mut Vec<Diagnostic>) {
    let base = || format!("/pledges/{index}");
    let id = &pledge.id;
    for (j, role) in pledge.roles.iter().enumerate() {
        if role.role.is_pledger_role() && !pledge.pledgers.contains(&role.actor) {
            out.push(
                Diagnostic::new(
                    Code::RoleNotPledger,
                    path,
                    format!("{}/roles/{j}/role", base()),
                    format!(
                        "`{}` is `{}` of `{id}` but not one of its pledgers",
                        role.actor, role.role
                    ),
                )
                .with_hint("add the actor to `pledgers`, or give it a role a non-pledger has (announcer, approver, opponent, target)"),
            );
        }
    }
    for (j, link) in pledge.links.iter().enumerate() {
        if link.pledge == pledge.id {
            out.push(
                Diagnostic::new(
                    Code::LinkToSelf,
                    path,
                    format!("{}/links/{j}/pledge", base()),
                    format!("`{id}` links to itself"),
                )
                .with_hint("name another pledge, or remove the link"),
            );
        }
    }
    for (j, condition) in pledge.conditions.iter().enumerate() {
        if let Some(actor) = condition
            .applies_to
            .as_ref()
            .filter(|a| !pledge.pledgers.contains(a))
        {
            out.push(
                Diagnostic::new(
                    Code::ScopeNotPledger,
                    path,
                    format!("{}/conditions/{j}/applies_to", base()),
                    format!("condition {j} of `{id}` applies to `{actor}`, who is not one of its pledgers"),
                )
                .with_hint("name one of the pledgers, or `null` when the condition binds them all"),
            );
        }
    }
}

/// Checks that every claim of a record is attested, and that every claim
/// its evidence and inferences name is one it makes; `supported` is scratch
/// space, one flag per claim.
fn check_claims<R: Attested>(
    at: &Place<'_>,
    record: &R,
    supported: &mut Vec<bool>,
    out: &mut Vec<Diagnostic>,
) {
    let (path, id) = (at.path, at.id);
    supported.clear();
    supported.resize(record.claim_count(), false);
    let unknown = |pointer: String, claim: &str| {
        let examples: Vec<String> = record.claims().take(3).collect();
        Diagnostic::new(
            Code::UnknownClaim,
            path,
            pointer,
            format!("`{claim}` names no claim of `{id}`"),
        )
        .with_hint(format!(
            "name a claim the record makes{}: a list item by its index, from 0",
            if examples.is_empty() {
                String::new()
            } else {
                format!(" (`{}`, …)", examples.join("`, `"))
            }
        ))
    };
    // Claims that are one source's report, supported only by a quote from
    // another source.
    let mut elsewhere: Vec<(usize, String)> = Vec::new();
    for (j, evidence) in record.evidence().iter().enumerate() {
        for claim in evidence.claims.iter() {
            match record.claim_index(claim) {
                Some(k) if evidence.stance == Stance::Supports => {
                    match record.claim_source(claim) {
                        Some(source) if *source != evidence.source => {
                            if !supported[k] {
                                elsewhere.push((k, claim.to_owned()));
                            }
                        }
                        _ => supported[k] = true,
                    }
                }
                Some(_) => {}
                None => out.push(unknown(format!("{}/evidence/{j}/claims", at.base()), claim)),
            }
        }
    }
    for (j, inference) in record.inferences().iter().enumerate() {
        match record.claim_index(inference.claim.as_str()) {
            Some(k) => supported[k] = true,
            None => out.push(unknown(
                format!("{}/inferences/{j}/claim", at.base()),
                inference.claim.as_str(),
            )),
        }
    }
    if supported.iter().all(|&s| s) {
        return;
    }
    for (k, claim) in record.claims().enumerate().filter(|(k, _)| !supported[*k]) {
        let source = record.claim_source(&claim);
        let d = match source {
            Some(source) => Diagnostic::new(
                Code::ReportNotQuoted,
                path,
                format!("{}{claim}", at.base()),
                format!(
                    "`{claim}` of `{id}` is `{source}`'s report, but no quote from `{source}` supports it{}",
                    if elsewhere.iter().any(|(e, _)| *e == k) {
                        " (only quotes from other sources name it)"
                    } else {
                        ""
                    }
                ),
            )
            .with_hint(format!(
                "cite a quote from `{source}` with stance `supports` and `{claim}` in its `claims`, or give the report the source that says it"
            )),
            None => Diagnostic::new(
                Code::UnattestedClaim,
                path,
                format!("{}{claim}", at.base()),
                format!("`{claim}` of `{id}` has no supporting quote and no inference"),
            )
            .with_hint(format!(
                "cite a quote that states it (stance `supports`, with `{claim}` in its `claims`), or add {{\"claim\": \"{claim}\", \"note\": \"why\"}} to `inferences`"
            )),
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Link, PledgeId};
    use crate::validate::records::Indexed;

    /// The part-of cycles found among pledges linked `edges` (from, to), as
    /// the pointers of the links that close them.
    fn cycles(n: usize, edges: &[(usize, usize)]) -> Vec<String> {
        let mut pledges = crate::generate::dataset(n, 3).pledges().to_vec();
        for p in &mut pledges {
            p.links.clear();
        }
        for &(from, to) in edges {
            let pledge = PledgeId::new(pledges[to].id.as_str()).expect("id");
            pledges[from].links.push(Link {
                kind: LinkKind::PartOf,
                pledge,
            });
        }
        let records = Records {
            pledges: Indexed::whole(pledges),
            ..Records::default()
        };
        let files = Files {
            manifest: "dataset.json".into(),
            actors: "actors.json".into(),
            sources: "sources.json".into(),
            pledges: "pledges.json".into(),
            events: "events.json".into(),
            statements: "statements.json".into(),
        };
        let mut out = Vec::new();
        check_part_of_cycles(&records, &files, &mut out);
        assert!(out.iter().all(|d| d.code == Code::PartOfCycle));
        out.into_iter().map(|d| d.pointer).collect()
    }

    #[test]
    fn a_part_of_cycle_is_reported_once_at_the_link_that_closes_it() {
        assert_eq!(
            cycles(5, &[(0, 1), (1, 2), (2, 0)]),
            ["/pledges/2/links/0/pledge"]
        );
        assert_eq!(cycles(5, &[(3, 4), (4, 3)]), ["/pledges/4/links/0/pledge"]);
    }

    #[test]
    fn shared_parents_and_chains_are_not_cycles() {
        // A diamond, a chain and a pledge with two parents.
        assert!(cycles(6, &[(0, 1), (0, 2), (1, 3), (2, 3), (3, 4), (5, 4)]).is_empty());
        assert!(cycles(3, &[]).is_empty());
    }
}
