//! Records whose claims are attested by quotes: the claims each makes, and
//! how credible and how contested each is.

use super::{Credibility, Evidence, Inference, SourceId, Stance};

/// One part of a record that makes claims: a field and how many claims it
/// makes there (a list, one per item; a value, one when it is not null).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimField {
    /// The field, e.g. `conditions`.
    pub name: &'static str,
    /// How many claims it makes.
    pub count: usize,
    /// Whether it is a list, whose claims are named by index
    /// (`/conditions/0`), rather than a value (`/event`).
    pub list: bool,
}

impl ClaimField {
    /// A list field: one claim per item.
    #[must_use]
    pub const fn list(name: &'static str, count: usize) -> Self {
        Self {
            name,
            count,
            list: true,
        }
    }

    /// A value field: one claim when it is set.
    #[must_use]
    pub const fn value(name: &'static str, set: bool) -> Self {
        Self {
            name,
            count: set as usize,
            list: false,
        }
    }
}

/// A record whose claims quotes attest: a [`Pledge`](super::Pledge), an
/// [`Event`](super::Event) or a [`Statement`](super::Statement).
///
/// Every claim the record makes needs a quote that supports it or an
/// inference that says why the editors hold it.
pub trait Attested {
    /// The fields that make claims, in order.
    fn claim_fields(&self) -> impl Iterator<Item = ClaimField>;

    /// The quotes that attest the record.
    fn evidence(&self) -> &[Evidence];

    /// The claims the editors inferred.
    fn inferences(&self) -> &[Inference];

    /// The source a claim is the report of, when the claim is one source's
    /// account (a status report, an account of an event): a quote from that
    /// source must support it. `None` for other claims.
    fn claim_source(&self, claim: &str) -> Option<&SourceId> {
        let _ = claim;
        None
    }

    /// How many claims the record makes.
    fn claim_count(&self) -> usize {
        self.claim_fields().map(|f| f.count).sum()
    }

    /// Where `claim` (e.g. `/conditions/1`) stands among [`Attested::claims`],
    /// or `None` when it names nothing the record claims.
    fn claim_index(&self, claim: &str) -> Option<usize> {
        let rest = claim.strip_prefix('/')?;
        let (field, index) = match rest.split_once('/') {
            Some((field, index)) => (field, Some(index.parse::<usize>().ok()?)),
            None => (rest, None),
        };
        let mut offset = 0;
        for f in self.claim_fields() {
            if f.name == field {
                let i = match (f.list, index) {
                    (true, Some(i)) => i,
                    (false, None) => 0,
                    _ => return None,
                };
                return (i < f.count).then_some(offset + i);
            }
            offset += f.count;
        }
        None
    }

    /// Every claim the record makes, as the pointers evidence names them
    /// by (`/pledgers/0`, `/event`).
    fn claims(&self) -> impl Iterator<Item = String> {
        self.claim_fields().flat_map(|f| {
            (0..f.count).map(move |i| {
                if f.list {
                    format!("/{}/{i}", f.name)
                } else {
                    format!("/{}", f.name)
                }
            })
        })
    }

    /// How credible `claim` is: the strongest credibility among the quotes
    /// that support it; `None` when no quote supports it (it is inferred,
    /// or unattested).
    fn claim_credibility(&self, claim: &str) -> Option<Credibility> {
        self.evidence()
            .iter()
            .filter(|e| e.stance == Stance::Supports && e.claims.contains(claim))
            .map(|e| e.credibility)
            .min()
    }

    /// How credible the record's least attested claim is: for each claim
    /// the strongest supporting quote, and of those the weakest. A claim
    /// that only an inference holds counts as "cannot be judged" (6).
    fn credibility(&self) -> Credibility {
        self.claims()
            .map(|c| {
                self.claim_credibility(&c)
                    .unwrap_or(Credibility::CANNOT_BE_JUDGED)
            })
            .max()
            .unwrap_or(Credibility::CANNOT_BE_JUDGED)
    }

    /// The claims that sources disagree on: named by a quote that supports
    /// them and by one that contradicts them. Each version stays in the
    /// evidence, with its source.
    fn contested_claims(&self) -> Vec<String> {
        self.claims()
            .filter(|c| {
                let by = |stance| {
                    self.evidence()
                        .iter()
                        .any(|e| e.stance == stance && e.claims.contains(c))
                };
                by(Stance::Supports) && by(Stance::Contradicts)
            })
            .collect()
    }
}
