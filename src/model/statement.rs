//! Statements: positions, demands and assessments that are not pledges.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attested::{Attested, ClaimField};
use super::{
    ActorId, EventId, Evidence, Inference, PartialDate, PledgeId, Retirement, StatementId, Text,
    exact, non_empty, strict,
};

/// A position, demand or assessment that commits its holders to nothing:
/// who holds it, about which pledges or events, against whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Stable id, e.g. `russia-rejects-western-troops`.
    pub id: StatementId,
    /// A short title, e.g. `Russia: no Western troops in Ukraine`.
    pub title: Text,
    /// What is stated, in our words, faithful to the sources.
    pub description: Text,
    /// What sort of statement.
    pub kind: StatementKind,
    /// The actors who hold it (at least one).
    #[serde(deserialize_with = "non_empty")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub holders: Vec<ActorId>,
    /// The actors it is aimed at or addressed to, when the sources name
    /// them. Empty otherwise.
    #[serde(deserialize_with = "exact")]
    pub against: Vec<ActorId>,
    /// The pledges it is about. Empty when it is about none in particular.
    #[serde(deserialize_with = "exact")]
    pub pledges: Vec<PledgeId>,
    /// The events it is about. Empty when it is about none in particular.
    #[serde(deserialize_with = "exact")]
    pub events: Vec<EventId>,
    /// The event at which it was made, when the sources tie it to one;
    /// otherwise null.
    pub event: Option<EventId>,
    /// When it was made, to the precision the sources give; otherwise null.
    pub date: Option<PartialDate>,
    /// Verbatim quotes that attest it (at least one).
    #[serde(deserialize_with = "strict::non_empty_objects")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub evidence: Vec<Evidence>,
    /// Claims of the statement that no quote states but the editors
    /// inferred, each with why.
    #[serde(deserialize_with = "strict::objects")]
    pub inferences: Vec<Inference>,
    /// Set when the record is retired (withdrawn or superseded); null while
    /// it is current. Published records are never deleted.
    #[serde(default, deserialize_with = "strict::optional_object")]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub retired: Option<Retirement<StatementId>>,
}

/// What sort of [`Statement`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StatementKind {
    /// A stance taken: for or against an arrangement.
    Position,
    /// Something asked of others.
    Demand,
    /// A judgement of how things stand or will go.
    Assessment,
    /// A warning of what will follow if others act.
    Warning,
}

impl Statement {
    fn fields(&self) -> [ClaimField; 7] {
        [
            ClaimField::list("holders", self.holders.len()),
            ClaimField::value("kind", true),
            ClaimField::list("against", self.against.len()),
            ClaimField::list("pledges", self.pledges.len()),
            ClaimField::list("events", self.events.len()),
            ClaimField::value("event", self.event.is_some()),
            ClaimField::value("date", self.date.is_some()),
        ]
    }
}

impl Attested for Statement {
    fn claim_fields(&self) -> impl Iterator<Item = ClaimField> {
        self.fields().into_iter()
    }

    fn evidence(&self) -> &[Evidence] {
        &self.evidence
    }

    fn inferences(&self) -> &[Inference] {
        &self.inferences
    }
}
