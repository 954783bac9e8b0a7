//! The data model: the Rust types that *are* the dataset's schema.
//!
//! Every record type derives [`serde`] and [`schemars::JsonSchema`]; the
//! JSON Schemas under `schema/` are generated from these definitions (see
//! [`crate::schema`]) and their doc comments become the schemas'
//! `description`s, so the schemas double as the codebook.
//!
//! Conventions that hold for every record:
//! - unknown is `null`, never guessed: an `Option` field that the sources do
//!   not settle is `None`;
//! - ids are stable slugs (see [`ActorId`]) and collections are sorted by id;
//! - unknown fields are refused (`deny_unknown_fields`), so a misspelt field
//!   is an error rather than silently dropped data.

mod attested;
mod credibility;
mod date;
mod event;
mod inline;
mod statement;
pub(crate) mod strict;
mod text;

pub use attested::{Attested, ClaimField};
pub use credibility::{Credibility, InvalidCredibility};
pub use date::{InvalidDate, PARTIAL_DATE_PATTERN, PartialDate, days_in_month, is_leap_year};
pub use event::{Account, Certainty, Event, EventKind};
pub use statement::{Statement, StatementKind};
pub use text::{
    ActorId, Claim, Claims, CountryCode, CurrencyCode, DatasetName, EventId, FileName, ID_MAX_LEN,
    ID_PATTERN, InvalidText, LanguageTag, PledgeId, QUOTE_MAX_LEN, Quote, Sha256, SourceId,
    StatementId, Text, Url, WikidataId, is_invisible,
};

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// Deserialises a list that must hold at least one item (the schema says
/// `minItems: 1`).
fn non_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    at_least_one(exact(deserializer)?)
}

/// `items`, or the error of a list that must hold at least one item.
fn at_least_one<T, E: serde::de::Error>(items: Vec<T>) -> Result<Vec<T>, E> {
    if items.is_empty() {
        return Err(E::invalid_length(0, &"at least one item"));
    }
    Ok(items)
}

/// Deserialises a list without spare capacity: a list grown item by item
/// holds room for up to twice its items, which over a large dataset's many
/// short lists adds up to a fifth of its memory.
fn exact<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut items = Vec::<T>::deserialize(deserializer)?;
    items.shrink_to_fit();
    Ok(items)
}

// ---------------------------------------------------------------- actors --

/// A state, organisation, coalition, body or person that makes, receives or
/// conditions a pledge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Stable id, e.g. `united-kingdom`.
    pub id: ActorId,
    /// The name in English as commonly written, e.g. `United Kingdom`.
    pub name: Text,
    /// What sort of actor this is.
    pub kind: ActorKind,
    /// ISO 3166-1 alpha-2 code; for states only, otherwise null.
    pub iso_3166: Option<CountryCode>,
    /// Wikidata item id where known, otherwise null.
    pub wikidata: Option<WikidataId>,
    /// Other names and spellings the sources use (e.g. `Zelensky` for
    /// `Zelenskyy`, `Kyiv` for Ukraine). Lookups match these too.
    #[serde(deserialize_with = "exact")]
    pub aliases: Vec<Text>,
    /// For a person or a body: the actor they act for (a person's state or
    /// organisation, a parliament's state), otherwise null.
    pub affiliation: Option<ActorId>,
    /// For a person: their role as the sources give it (e.g. `NATO chief`),
    /// otherwise null.
    pub role: Option<Text>,
    /// Editorial notes: how the record was drawn from the sources, what is
    /// uncertain.
    pub notes: Option<Text>,
    /// Set when the record is retired (withdrawn or superseded); null while
    /// it is current. Published records are never deleted.
    #[serde(default, deserialize_with = "strict::optional_object")]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub retired: Option<Retirement<ActorId>>,
}

/// What sort of actor an [`Actor`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActorKind {
    /// A sovereign state.
    State,
    /// An intergovernmental organisation such as NATO.
    InternationalOrganisation,
    /// A supranational union such as the European Union.
    SupranationalUnion,
    /// A named group of states acting together, such as the Coalition of the Willing.
    Coalition,
    /// A loose or unnamed group the sources speak of collectively (e.g. the participants in a meeting).
    Group,
    /// A body of a state: a parliament, a ministry, an armed force.
    GovernmentBody,
    /// A person, acting for the actor in `affiliation`.
    Person,
}

// --------------------------------------------------------------- sources --

/// A document that attests pledges: a news article, a post, an official text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Stable id, e.g. `macron-hosts-ukraine-and-allies`.
    pub id: SourceId,
    /// The document's headline; for an untitled text, its opening words (say so in `notes`).
    pub title: Text,
    /// Who published it, when the archived text names them; otherwise null.
    pub publisher: Option<Text>,
    /// Where it was published, when known; otherwise null.
    pub url: Option<Url>,
    /// When it was published, to the precision the text gives; otherwise null.
    pub published: Option<PartialDate>,
    /// What sort of document it is.
    pub kind: SourceKind,
    /// The language of the text, as a BCP 47 tag (e.g. `en`).
    pub language: LanguageTag,
    /// How far the source can be relied on, judged by what the text shows
    /// of itself.
    #[serde(deserialize_with = "strict::object")]
    pub reliability: Reliability,
    /// The archived copy of the text that every quote is checked against.
    #[serde(deserialize_with = "strict::object")]
    pub archive: Archive,
    /// Editorial notes: what the document is, how reliable, what it omits.
    pub notes: Option<Text>,
    /// Set when the record is retired (withdrawn or superseded); null while
    /// it is current. Published records are never deleted.
    #[serde(default, deserialize_with = "strict::optional_object")]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub retired: Option<Retirement<SourceId>>,
}

/// The archived copy of a source's text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Archive {
    /// File name in the archive directory (see `pledges validate --archive`).
    pub file: FileName,
    /// SHA-256 of the file's exact bytes, so anyone can prove a quote came from it.
    pub sha256: Sha256,
}

/// How reliable a [`Source`] is, on the Admiralty scale, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Reliability {
    /// The grade, from `A` (completely reliable) to `E` (unreliable), or `F`
    /// when it cannot be judged.
    pub grade: Grade,
    /// What the text shows of itself that the grade rests on: a byline, a
    /// named outlet, a date, claims attributed to named people or not.
    pub reason: Text,
}

/// A source's reliability on the Admiralty (NATO) scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[non_exhaustive]
pub enum Grade {
    /// Completely reliable: a record of authenticity and competence.
    A,
    /// Usually reliable: minor doubts.
    B,
    /// Fairly reliable: doubts, but it has given valid information before.
    C,
    /// Not usually reliable: significant doubts.
    D,
    /// Unreliable: lacking authenticity, trustworthiness or competence.
    E,
    /// Reliability cannot be judged: the text shows too little of itself.
    F,
}

/// What sort of document a [`Source`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SourceKind {
    /// A news report written as journalism.
    NewsArticle,
    /// A personal or commentary blog post.
    BlogPost,
    /// A summary of other outlets' reporting, written by an aggregator.
    AggregatorSummary,
    /// A text issued by a government or organisation: a declaration, a communiqué.
    OfficialText,
    /// A press release.
    PressRelease,
    /// A text that shows nothing of where it comes from: no byline, no
    /// named outlet, no date.
    UnattributedText,
}

// --------------------------------------------------------------- pledges --

/// A pledge, offer, proposal or stated condition concerning Ukraine's security,
/// with the evidence that attests it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pledge {
    /// Stable id, e.g. `germany-infantry-vehicles`.
    pub id: PledgeId,
    /// A short title, e.g. `Germany: 480 infantry vehicles a year`.
    pub title: Text,
    /// What was pledged, in our words, faithful to the sources. Where sources
    /// differ, say how.
    pub description: Text,
    /// The actors making or offering the pledge (at least one).
    #[serde(deserialize_with = "non_empty")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub pledgers: Vec<ActorId>,
    /// Who the pledge is for, when the sources say; otherwise null.
    pub beneficiary: Option<ActorId>,
    /// The role an actor has in the pledge, where the evidence gives one: a
    /// pledger that leads it or contributes to it, or an actor that
    /// announced it, must approve it, opposes it, is its target, speaks for
    /// it or represented a pledger in making it. Being named among a
    /// meeting's participants is not a role.
    #[serde(deserialize_with = "strict::objects")]
    pub roles: Vec<Role>,
    /// What the pledge is about (at least one, no repeats), the primary
    /// category first.
    #[serde(deserialize_with = "non_empty")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub categories: Vec<Category>,
    /// How far the pledge has got: the status the latest report gives
    /// (see `status_reports`), unless `status_note` says why not.
    pub status: Status,
    /// The pledge's status as each source reports it (at least one), in
    /// the order of the date or event each report is as of, where known.
    #[serde(deserialize_with = "strict::non_empty_objects")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub status_reports: Vec<StatusReport>,
    /// Why `status` is not simply the latest report's, or which report it
    /// follows when the reports disagree and their order is not known;
    /// otherwise null.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub status_note: Option<Text>,
    /// How binding the pledge is, as the sources describe it; null when they do not say.
    pub commitment: Option<CommitmentLevel>,
    /// What must happen before the pledge takes effect. Empty when the sources
    /// report none.
    #[serde(deserialize_with = "strict::objects")]
    pub conditions: Vec<Condition>,
    /// How the pledge stands to other pledges: a component of a
    /// declaration, possibly the same item as another report's, or
    /// dependent on another. Empty when the sources tie it to none.
    #[serde(default, deserialize_with = "strict::objects")]
    pub links: Vec<Link>,
    /// The amounts pledged: numbers of things, sums of money, durations,
    /// shares. Empty when the sources give none.
    #[serde(deserialize_with = "strict::objects")]
    pub quantities: Vec<Quantity>,
    /// The event at which the pledge was made or announced, when the
    /// sources tie it to one; otherwise null.
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub event: Option<EventId>,
    /// When the pledge was announced, to the precision the sources give;
    /// otherwise null.
    pub announced: Option<PartialDate>,
    /// Verbatim quotes that attest the pledge (at least one), each saying
    /// which of the pledge's claims it bears on, and how.
    #[serde(deserialize_with = "strict::non_empty_objects")]
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub evidence: Vec<Evidence>,
    /// Claims of the pledge that no quote states but the editors inferred,
    /// each with why. Every claim has a supporting quote or is listed here.
    #[serde(deserialize_with = "strict::objects")]
    pub inferences: Vec<Inference>,
    /// Set when the record is retired (withdrawn or superseded); null while
    /// it is current. Published records are never deleted. (A pledge its
    /// pledgers took back is current, with `status` `withdrawn`.)
    #[serde(default, deserialize_with = "strict::optional_object")]
    #[cfg_attr(feature = "schema", schemars(skip_serializing_if = "Option::is_none"))]
    pub retired: Option<Retirement<PledgeId>>,
}

impl Pledge {
    /// The parts of the pledge that make claims, in order (see
    /// [`Attested::claim_fields`]). The status is not among them: each
    /// status report is.
    fn fields(&self) -> [ClaimField; 11] {
        [
            ClaimField::list("pledgers", self.pledgers.len()),
            ClaimField::value("beneficiary", self.beneficiary.is_some()),
            ClaimField::list("roles", self.roles.len()),
            ClaimField::list("categories", self.categories.len()),
            ClaimField::list("status_reports", self.status_reports.len()),
            ClaimField::value("commitment", self.commitment.is_some()),
            ClaimField::list("conditions", self.conditions.len()),
            ClaimField::list("links", self.links.len()),
            ClaimField::list("quantities", self.quantities.len()),
            ClaimField::value("event", self.event.is_some()),
            ClaimField::value("announced", self.announced.is_some()),
        ]
    }

    /// The primary category: the first.
    #[must_use]
    pub fn category(&self) -> Category {
        self.categories[0]
    }

    /// How many claims the pledge makes (see [`Attested::claims`]).
    #[must_use]
    pub fn claim_count(&self) -> usize {
        Attested::claim_count(self)
    }

    /// Where `claim` (e.g. `/conditions/1`) stands among the pledge's
    /// claims, or `None` when it names nothing the pledge claims.
    #[must_use]
    pub fn claim_index(&self, claim: &str) -> Option<usize> {
        Attested::claim_index(self, claim)
    }

    /// How credible `claim` is (see [`Attested::claim_credibility`]).
    #[must_use]
    pub fn claim_credibility(&self, claim: &str) -> Option<Credibility> {
        Attested::claim_credibility(self, claim)
    }

    /// How credible the pledge's least attested claim is (see
    /// [`Attested::credibility`]).
    #[must_use]
    pub fn credibility(&self) -> Credibility {
        Attested::credibility(self)
    }

    /// The claims that sources disagree on (see
    /// [`Attested::contested_claims`]), with `/status` first when the
    /// status reports disagree.
    #[must_use]
    pub fn contested_claims(&self) -> Vec<String> {
        let mut contested = Vec::new();
        if self.status_reports_disagree() {
            contested.push("/status".to_owned());
        }
        contested.extend(Attested::contested_claims(self));
        contested
    }

    /// Whether the sources report different statuses.
    #[must_use]
    pub fn status_reports_disagree(&self) -> bool {
        self.status_reports
            .windows(2)
            .any(|w| w[0].status != w[1].status)
    }

    /// Every claim the pledge makes, as the pointers evidence names them by:
    /// each pledger, the beneficiary when there is one, each role, each
    /// category, each status report, the commitment when stated, each
    /// condition, each link, each quantity, the event and the date when
    /// given. Each needs a supporting quote or an inference.
    pub fn claims(&self) -> impl Iterator<Item = String> + '_ {
        Attested::claims(self)
    }
}

impl Attested for Pledge {
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
        let i = claim
            .strip_prefix("/status_reports/")?
            .parse::<usize>()
            .ok()?;
        Some(&self.status_reports.get(i)?.source)
    }
}

/// A pledge's status as one source reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    /// The source that reports it. A quote from this source must support
    /// the report.
    pub source: SourceId,
    /// The status the source gives.
    pub status: Status,
    /// The date the report is as of, when the source gives one; otherwise null.
    pub as_of: Option<PartialDate>,
    /// The event the report is as of (its date orders the reports when
    /// `as_of` is null), when the source ties it to one; otherwise null.
    pub event: Option<EventId>,
    /// How the source puts it, where that needs saying; otherwise null.
    pub note: Option<Text>,
}

/// What a [`Pledge`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Category {
    /// Forces deployed to or for Ukraine.
    TroopDeployment,
    /// Monitoring or verifying a ceasefire or truce.
    CeasefireMonitoring,
    /// A commitment to respond if Ukraine is attacked again: assurances, guarantees, agreed responses.
    SecurityGuarantee,
    /// Air defence systems, munitions or capability.
    AirDefence,
    /// Weapons, equipment and other military support.
    MilitaryAid,
    /// Training of Ukrainian forces.
    Training,
    /// Sharing of intelligence.
    IntelligenceSharing,
    /// Joint production and industrial cooperation.
    DefenceIndustry,
    /// Money for Ukraine's defence or economy.
    Financing,
    /// Sanctions against an aggressor.
    Sanctions,
    /// A treaty or other legally binding text.
    LegalGuarantee,
    /// A statement of position or intent that commits to no specific act.
    PoliticalDeclaration,
    /// Rebuilding Ukraine.
    Reconstruction,
    /// Humanitarian and economic relief.
    HumanitarianAid,
    /// Cyber defence, border management and other security cooperation.
    SecurityCooperation,
}

/// How far a [`Pledge`] has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Put forward by someone, not yet agreed.
    Proposed,
    /// Being discussed or negotiated; no one has yet committed.
    UnderDiscussion,
    /// Announced or planned by the pledger, not yet formally committed.
    Announced,
    /// Formally committed by the pledger.
    Committed,
    /// Carried out, in whole or in part.
    Delivered,
    /// Withdrawn by the pledger.
    Withdrawn,
}

/// How binding a [`Pledge`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CommitmentLevel {
    /// Support expressed, with no commitment to act.
    StatementOfSupport,
    /// A political commitment, not legally enforceable.
    Political,
    /// Described as legally binding.
    LegallyBinding,
}

/// Something that must happen before a [`Pledge`] takes effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// What sort of condition.
    pub kind: ConditionKind,
    /// The actor the condition depends on, when it is one: the parliament
    /// that must approve, the state whose support is required. Otherwise null.
    pub actor: Option<ActorId>,
    /// The one pledger the condition binds, when it binds only one (the UK's
    /// Parliament binds the UK's troops, not France's); null when it binds
    /// every pledger.
    pub applies_to: Option<ActorId>,
    /// The condition in words, faithful to the sources.
    pub text: Text,
}

/// What sort of [`Condition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConditionKind {
    /// Takes effect only after a ceasefire or a pause in hostilities.
    Ceasefire,
    /// Takes effect only after a peace agreement is signed.
    PeaceAgreement,
    /// Needs a parliament's vote or say.
    ParliamentaryApproval,
    /// Needs political approval by governments or leaders.
    PoliticalApproval,
    /// Depends on the United States supporting or backing the arrangement.
    UsBackstop,
    /// Triggered by renewed aggression or a violation of a ceasefire.
    RenewedAggression,
}

/// How a [`Pledge`] stands to another pledge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// How the two stand to each other.
    pub kind: LinkKind,
    /// The other pledge.
    pub pledge: PledgeId,
}

/// What a [`Link`] says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LinkKind {
    /// A component of the pledge named (an item of a declaration).
    PartOf,
    /// May describe the same item as the pledge named: two reports that
    /// could be of one thing, kept apart because no source says so.
    PossiblySameAs,
    /// Takes effect only with the pledge named.
    DependsOn,
}

/// An amount pledged: "480 infantry vehicles per year", "€1 billion",
/// "for ten years".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// What sort of amount: a count of things, a sum of money, a length of
    /// time or a share.
    pub kind: QuantityKind,
    /// The number, as the source gives it (not negative); null when the
    /// sources speak of an amount without giving it, which is not zero.
    #[serde(deserialize_with = "optional_non_negative")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub amount: Option<f64>,
    /// For a count, what is counted (e.g. `infantry vehicles`); null for
    /// the other kinds.
    pub unit: Option<Text>,
    /// For money, the ISO 4217 currency (e.g. `EUR`); null for the other kinds.
    pub currency: Option<CurrencyCode>,
    /// For a duration, its unit of time; null for the other kinds.
    pub time_unit: Option<TimeUnit>,
    /// The period the amount recurs over, if it does; otherwise null.
    pub per: Option<Period>,
}

impl Quantity {
    /// What the kind requires and forbids, as the field that must be set
    /// (if any) and the fields that must be null.
    #[must_use]
    pub fn shape_error(&self) -> Option<String> {
        let set = [
            ("unit", self.unit.is_some()),
            ("currency", self.currency.is_some()),
            ("time_unit", self.time_unit.is_some()),
        ];
        let wanted = match self.kind {
            QuantityKind::Count => Some("unit"),
            QuantityKind::Money => Some("currency"),
            QuantityKind::Duration => Some("time_unit"),
            QuantityKind::Share => None,
        };
        if let Some(field) = wanted.filter(|w| !set.iter().any(|&(f, s)| f == *w && s)) {
            return Some(format!("a `{}` quantity needs `{field}`", self.kind));
        }
        set.iter()
            .find(|&&(f, s)| s && Some(f) != wanted)
            .map(|(f, _)| format!("a `{}` quantity has no `{f}`: make it null", self.kind))
    }
}

/// The quantity in words: `480 infantry vehicles per year`, `1000000 EUR`,
/// `10 years`, `1 year`, `an unstated amount of EUR` (a null amount is
/// unknown, not zero). Whole numbers are shown without a fraction.
impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.amount {
            None => f.write_str("an unstated amount of")?,
            Some(a) if a.fract() == 0.0 && a.abs() < 1e15 => write!(f, "{a:.0}")?,
            Some(a) => write!(f, "{a}")?,
        }
        match self.kind {
            QuantityKind::Money => self.currency.as_ref().map(|c| write!(f, " {c}")),
            QuantityKind::Duration => self.time_unit.map(|u| {
                let plural = if self.amount == Some(1.0) { "" } else { "s" };
                write!(f, " {u}{plural}")
            }),
            QuantityKind::Share => Some(f.write_str(" percent")),
            _ => self.unit.as_ref().map(|u| write!(f, " {u}")),
        }
        .transpose()?;
        match self.per {
            Some(per) => write!(f, " per {per}"),
            None => Ok(()),
        }
    }
}

fn optional_non_negative<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    let Some(amount) = Option::<f64>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if amount.is_finite() && amount >= 0.0 {
        Ok(Some(amount))
    } else {
        Err(serde::de::Error::custom(format!(
            "expected an amount of 0 or more, found {amount}"
        )))
    }
}

/// What sort of [`Quantity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QuantityKind {
    /// A number of things, named in `unit` (troops, vehicles, systems).
    Count,
    /// A sum of money, in `currency`.
    Money,
    /// A length of time, in `time_unit` (a commitment for ten years).
    Duration,
    /// A share, in percent (of GDP, of a budget).
    Share,
}

/// A unit of time for a duration [`Quantity`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeUnit {
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Months.
    Month,
    /// Years.
    Year,
}

/// The period a [`Quantity`] recurs over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// Each month.
    Month,
    /// Each year.
    Year,
}

/// A verbatim quote from a source, and what it says of which claims of a
/// pledge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The source quoted.
    pub source: SourceId,
    /// The words, verbatim.
    pub quote: Quote,
    /// The claims of the pledge the quote bears on, as pointers into the
    /// record separated by spaces: `/pledgers/0 /status /conditions/1`.
    pub claims: Claims,
    /// Whether the quote supports the claims, qualifies them (hedges or
    /// limits them) or contradicts them.
    pub stance: Stance,
    /// How credible the information is as this source reports it, on the
    /// Admiralty scale: 1 confirmed by other sources, 2 probably true, 3
    /// possibly true, 4 doubtful, 5 improbable, 6 cannot be judged. Hedges
    /// ("reportedly", "is expected to", "may") lower it.
    pub credibility: Credibility,
    /// How the quote bears on the claims, where that needs saying; otherwise
    /// null.
    pub note: Option<Text>,
}

/// How a piece of [`Evidence`] bears on the claims it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stance {
    /// The quote states the claims.
    Supports,
    /// The quote bears on the claims but hedges or limits them.
    Qualifies,
    /// The quote says otherwise.
    Contradicts,
}

/// A claim of a [`Pledge`] that the editors inferred, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Inference {
    /// The claim, as a pointer into the record (e.g. `/beneficiary`).
    pub claim: Claim,
    /// Why the editors hold it though no quote states it.
    pub note: Text,
}

/// An actor's role in a [`Pledge`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The actor.
    pub actor: ActorId,
    /// Its role.
    pub role: RoleKind,
}

/// What role an actor has in a [`Pledge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoleKind {
    /// A pledger that leads it ("U.S.-led").
    Lead,
    /// A pledger that contributes to it.
    Contributor,
    /// Announced it.
    Announcer,
    /// Must approve it (a parliament that will have a say).
    Approver,
    /// Opposes it.
    Opponent,
    /// It is aimed at this actor (a deterrent aimed at an aggressor).
    Target,
    /// Speaks for it without pledging (a leader who defends it in public).
    Supporter,
    /// Represented a pledger in the talks where it was made or signalled.
    Envoy,
}

impl RoleKind {
    /// Whether the role is one a pledger has (lead, contributor).
    #[must_use]
    pub fn is_pledger_role(self) -> bool {
        matches!(self, Self::Lead | Self::Contributor)
    }
}

// ------------------------------------------------------------ retirement --

/// Why a published record is no longer current. Records are never deleted,
/// so that an id a downstream user depends on never silently vanishes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Retirement<Id> {
    /// Withdrawn (it should not have been published) or superseded (another
    /// record replaces it, e.g. after a merge or a rename).
    pub reason: RetirementReason,
    /// The record that replaces it: required when superseded, null when withdrawn.
    pub replaced_by: Option<Id>,
    /// What was wrong or what changed, for readers.
    pub note: Text,
}

impl<Id: AsRef<str>> Retirement<Id> {
    /// The id of the replacing record, if any.
    #[must_use]
    pub fn replacement(&self) -> Option<&str> {
        self.replaced_by.as_ref().map(AsRef::as_ref)
    }
}

/// Why a record is retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RetirementReason {
    /// The record was a mistake (a duplicate, a misreading) and has no replacement.
    Withdrawn,
    /// Another record, named in `replaced_by`, replaces it.
    Superseded,
}

// -------------------------------------------------------------- manifest --

/// The dataset's manifest, `data/dataset.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Where the manifest's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Machine name of the dataset.
    pub name: DatasetName,
    /// Human title.
    pub title: Text,
    /// What the dataset holds.
    pub description: Text,
    /// The dataset's semantic version (see `CHANGELOG.md`).
    pub version: String,
    /// The version of the schemas the data follows (the crate's schema version).
    pub schema_version: String,
    /// SPDX licence id of the data.
    pub license: Text,
    /// The files that make the dataset, relative to the manifest.
    #[serde(deserialize_with = "strict::object")]
    pub resources: Resources,
}

/// The files that make a dataset, relative to its manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// The actors file, normally `actors.json`.
    pub actors: FileName,
    /// The sources file, normally `sources.json`.
    pub sources: FileName,
    /// The pledges file, normally `pledges.json`.
    pub pledges: FileName,
    /// The events file, normally `events.json`.
    pub events: FileName,
    /// The statements file, normally `statements.json`.
    pub statements: FileName,
}

// ------------------------------------------------------------ enum names --

/// Gives each enum `as_str`: the name a value has in the data (its serde
/// name), without going through a serialiser.
macro_rules! names {
    ($($name:ident { $($variant:ident => $text:literal,)* })*) => {
        $(
            impl $name {
                /// The name of the value as the data writes it, e.g. `"state"`.
                #[must_use]
                pub const fn as_str(self) -> &'static str {
                    match self {
                        $(Self::$variant => $text,)*
                    }
                }
            }

            // Strings only: serde's derive would also take `{"state": null}`.
            impl<'de> Deserialize<'de> for $name {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    struct NameVisitor;

                    impl serde::de::Visitor<'_> for NameVisitor {
                        type Value = $name;

                        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                            f.write_str(concat!("one of: " $(, "`", $text, "` ")*))
                        }

                        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<$name, E> {
                            match value {
                                $($text => Ok($name::$variant),)*
                                _ => Err(E::unknown_variant(value, &[$($text),*])),
                            }
                        }
                    }

                    deserializer.deserialize_str(NameVisitor)
                }
            }

            impl std::fmt::Display for $name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        )*

        /// Every variant of every named enum with its name, for the tests.
        #[cfg(test)]
        pub(crate) fn all_names() -> Vec<(serde_json::Value, &'static str)> {
            vec![$($(
                (serde_json::to_value($name::$variant).unwrap_or_default(), $name::$variant.as_str()),
            )*)*]
        }
    };
}

names! {
ActorKind {
    State => "state",
    InternationalOrganisation => "international_organisation",
    SupranationalUnion => "supranational_union",
    Coalition => "coalition",
    Group => "group",
    GovernmentBody => "government_body",
    Person => "person",
}
SourceKind {
    NewsArticle => "news_article",
    BlogPost => "blog_post",
    AggregatorSummary => "aggregator_summary",
    OfficialText => "official_text",
    PressRelease => "press_release",
    UnattributedText => "unattributed_text",
}
Grade {
    A => "A",
    B => "B",
    C => "C",
    D => "D",
    E => "E",
    F => "F",
}
Stance {
    Supports => "supports",
    Qualifies => "qualifies",
    Contradicts => "contradicts",
}
LinkKind {
    PartOf => "part_of",
    PossiblySameAs => "possibly_same_as",
    DependsOn => "depends_on",
}
RoleKind {
    Lead => "lead",
    Contributor => "contributor",
    Announcer => "announcer",
    Approver => "approver",
    Opponent => "opponent",
    Target => "target",
    Supporter => "supporter",
    Envoy => "envoy",
}
Category {
    TroopDeployment => "troop_deployment",
    CeasefireMonitoring => "ceasefire_monitoring",
    SecurityGuarantee => "security_guarantee",
    AirDefence => "air_defence",
    MilitaryAid => "military_aid",
    Training => "training",
    IntelligenceSharing => "intelligence_sharing",
    DefenceIndustry => "defence_industry",
    Financing => "financing",
    Sanctions => "sanctions",
    LegalGuarantee => "legal_guarantee",
    PoliticalDeclaration => "political_declaration",
    Reconstruction => "reconstruction",
    HumanitarianAid => "humanitarian_aid",
    SecurityCooperation => "security_cooperation",
}
Status {
    Proposed => "proposed",
    UnderDiscussion => "under_discussion",
    Announced => "announced",
    Committed => "committed",
    Delivered => "delivered",
    Withdrawn => "withdrawn",
}
CommitmentLevel {
    StatementOfSupport => "statement_of_support",
    Political => "political",
    LegallyBinding => "legally_binding",
}
ConditionKind {
    Ceasefire => "ceasefire",
    PeaceAgreement => "peace_agreement",
    ParliamentaryApproval => "parliamentary_approval",
    PoliticalApproval => "political_approval",
    UsBackstop => "us_backstop",
    RenewedAggression => "renewed_aggression",
}
Period {
    Month => "month",
    Year => "year",
}
QuantityKind {
    Count => "count",
    Money => "money",
    Duration => "duration",
    Share => "share",
}
TimeUnit {
    Day => "day",
    Week => "week",
    Month => "month",
    Year => "year",
}
EventKind {
    Summit => "summit",
    Meeting => "meeting",
    Call => "call",
    Document => "document",
}
Certainty {
    Describes => "describes",
    MayDescribe => "may_describe",
}
StatementKind {
    Position => "position",
    Demand => "demand",
    Assessment => "assessment",
    Warning => "warning",
}
RetirementReason {
    Withdrawn => "withdrawn",
    Superseded => "superseded",
}
}

// ---------------------------------------------------------- file wrappers --

/// The contents of `actors.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActorsFile {
    /// Where this file's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The actors, sorted by id.
    #[serde(deserialize_with = "strict::objects")]
    pub actors: Vec<Actor>,
}

/// The contents of `sources.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SourcesFile {
    /// Where this file's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The sources, sorted by id.
    #[serde(deserialize_with = "strict::objects")]
    pub sources: Vec<Source>,
}

/// The contents of `pledges.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PledgesFile {
    /// Where this file's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The pledges, sorted by id.
    #[serde(deserialize_with = "strict::objects")]
    pub pledges: Vec<Pledge>,
}

/// The contents of `events.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EventsFile {
    /// Where this file's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The events, sorted by id.
    #[serde(deserialize_with = "strict::objects")]
    pub events: Vec<Event>,
}

/// The contents of `statements.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StatementsFile {
    /// Where this file's JSON Schema is, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// The statements, sorted by id.
    #[serde(deserialize_with = "strict::objects")]
    pub statements: Vec<Statement>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn enum_names_are_their_serde_names() {
        let names = super::all_names();
        assert!(names.len() > 40);
        for (serde_name, name) in names {
            assert_eq!(serde_name, serde_json::Value::from(name));
        }
    }
}
