//! Layer 4b: claims, roles and scopes: what each pledge claims is attested.
//!
//! Every claim a pledge makes (see [`Pledge::claims`]) needs a quote that
//! supports it or an inference that says why the editors hold it; every
//! claim a quote or an inference names must be one the pledge makes; a lead
//! or contributor is a pledger; a condition that binds one actor binds a
//! pledger.

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Pledge, Stance};
use crate::validate::{Files, Records};

/// Checks the claims, roles and condition scopes of every pledge read into
/// the model.
pub(crate) fn check(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    let mut supported = Vec::new();
    for (index, pledge) in &records.pledges {
        check_pledge(&files.pledges, index, pledge, &mut supported, out);
    }
}

/// Checks one pledge; `supported` is scratch space, one flag per claim.
fn check_pledge(
    path: &Path,
    index: usize,
    pledge: &Pledge,
    supported: &mut Vec<bool>,
    out: &mut Vec<Diagnostic>,
) {
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

    supported.clear();
    supported.resize(pledge.claim_count(), false);
    let unknown = |pointer: String, claim: &str| {
        Diagnostic::new(
            Code::UnknownClaim,
            path,
            pointer,
            format!("`{claim}` names no claim of `{id}`"),
        )
        .with_hint(
            "name a claim the pledge makes: `/pledgers/0`, `/status`, `/category`, `/conditions/0`, … (a list item by its index, from 0)",
        )
    };
    for (j, evidence) in pledge.evidence.iter().enumerate() {
        for claim in evidence.claims.iter() {
            match pledge.claim_index(claim) {
                Some(at) => supported[at] |= evidence.stance == Stance::Supports,
                None => out.push(unknown(format!("{}/evidence/{j}/claims", base()), claim)),
            }
        }
    }
    for (j, inference) in pledge.inferences.iter().enumerate() {
        match pledge.claim_index(inference.claim.as_str()) {
            Some(at) => supported[at] = true,
            None => out.push(unknown(
                format!("{}/inferences/{j}/claim", base()),
                inference.claim.as_str(),
            )),
        }
    }
    if supported.iter().all(|&s| s) {
        return;
    }
    for (claim, _) in pledge.claims().zip(supported.iter()).filter(|(_, s)| !**s) {
        out.push(
            Diagnostic::new(
                Code::UnattestedClaim,
                path,
                format!("{}{claim}", base()),
                format!("`{claim}` of `{id}` has no supporting quote and no inference"),
            )
            .with_hint(format!(
                "cite a quote that states it (stance `supports`, with `{claim}` in its `claims`), or add {{\"claim\": \"{claim}\", \"note\": \"why\"}} to `inferences`"
            )),
        );
    }
}
