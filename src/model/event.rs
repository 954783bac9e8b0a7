//! Events: the meetings, summits and calls where pledges were made, and
//! the documents they produced.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attested::{Attested, ClaimField};
use super::{
    ActorId, EventId, Evidence, Inference, PartialDate, Retirement, SourceId, Text, exact, strict,
};

/// A meeting, summit or call, or a document one produced, as the sources
/// describe it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Stable id, e.g. `paris-summit`.
    pub id: EventId,
    /// A short name, e.g. `Paris summit of the Coalition of the Willing`.
    pub name: Text,
    /// What sort of event.
    pub kind: EventKind,
    /// When it took place (a document: when it was issued), to the
    /// precision the sources give; otherwise null.
    pub date: Option<PartialDate>,
    /// Where it took place, as the sources name the place; otherwise null.
    pub place: Option<Text>,
    /// The actors the sources name as taking part, in their order. Empty
    /// when the sources give no list (which is not a meeting of no one).
    #[serde(deserialize_with = "exact")]
    pub participants: Vec<ActorId>,
    /// For a document: the event that produced it; otherwise null.
    pub produced_at: Option<EventId>,
    /// The sources that tell of the event (at least one), each saying
    /// whether it plainly describes this event or may be describing
    /// another meeting.
    #[serde(deserialize_with = "strict::non_empty_objects")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub accounts: Vec<Account>,
    /// Verbatim quotes that attest the event's claims (at least one).
    #[serde(deserialize_with = "strict::non_empty_objects")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub evidence: Vec<Evidence>,
    /// Claims of the event that no quote states but the editors inferred,
    /// each with why.
    #[serde(deserialize_with = "strict::objects")]
    pub inferences: Vec<Inference>,
    /// Editorial notes: how the record was drawn from the sources, what is
    /// uncertain.
    pub notes: Option<Text>,
    /// Set when the record is retired (withdrawn or superseded); null while
    /// it is current. Published records are never deleted.
    #[serde(default, deserialize_with = "strict::optional_object")]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub retired: Option<Retirement<EventId>>,
}

/// One source's telling of an [`Event`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The source. A quote from it must support the account.
    pub source: SourceId,
    /// Whether the source plainly describes this event, or may be
    /// describing another meeting.
    pub certainty: Certainty,
    /// Why it is unclear, or how the source's telling differs; otherwise null.
    pub note: Option<Text>,
}

/// What sort of [`Event`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A meeting of leaders at the highest level.
    Summit,
    /// A meeting of ministers, officials or envoys.
    Meeting,
    /// A call or video conference.
    Call,
    /// A document an event produced: a declaration, a communiqué.
    Document,
}

/// How sure it is that an [`Account`] describes its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Certainty {
    /// The source plainly describes this event.
    Describes,
    /// The source may be describing another meeting: say why in the note.
    MayDescribe,
}

impl Event {
    fn fields(&self) -> [ClaimField; 5] {
        [
            ClaimField::value("date", self.date.is_some()),
            ClaimField::value("place", self.place.is_some()),
            ClaimField::list("participants", self.participants.len()),
            ClaimField::value("produced_at", self.produced_at.is_some()),
            ClaimField::list("accounts", self.accounts.len()),
        ]
    }
}

impl Attested for Event {
    fn claim_fields(&self) -> impl Iterator<Item = ClaimField> {
        self.fields().into_iter()
    }

    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }

    fn inferences(&self) -> &[Inference] {
        &self.inferences
    }

    fn claim_source(&self, claim: &str) -> Option<&SourceId> {
        let i = claim.strip_prefix("/accounts/")?.parse::<usize>().ok()?;
        Some(&self.accounts.get(i)?.source)
    }
}
