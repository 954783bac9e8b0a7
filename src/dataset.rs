//! A whole dataset, loaded and validated, with the lookups its users need.
//!
//! Everything borrows from the [`Dataset`]; nothing is cloned. Collections
//! iterate in id order, so output is stable from run to run.
//!
//! ```
//! # #[cfg(feature = "bundled")] {
//! use ukraine_pledges::Dataset;
//! use ukraine_pledges::model::{Category, ConditionKind};
//!
//! let data = Dataset::bundled();
//!
//! // An actor by id, or by any name the sources use, whatever the case or accents.
//! if let Some(zelenskyy) = data.actor_by_alias("zelensky") {
//!     assert_eq!(data.actor_by_alias("ZELENSKY").map(|a| &a.id), Some(&zelenskyy.id));
//! }
//!
//! // Germany's pledges (made by Germany or by anyone acting for it), and
//! // whether each depends on the United States.
//! for pledge in data.pledges_by_actor("germany") {
//!     let backstop = pledge.conditions.iter().any(|c| c.kind == ConditionKind::UsBackstop);
//!     println!("{} (needs US support: {backstop})", pledge.title);
//! }
//!
//! // Troop deployments, and the sources behind each.
//! for pledge in data.pledges_by_category(Category::TroopDeployment) {
//!     for (evidence, source) in data.evidence(pledge) {
//!         assert!(!evidence.quote.as_str().is_empty());
//!         assert_eq!(evidence.source, source.id);
//!     }
//! }
//!
//! // Where the sources disagree: each source's status report is kept,
//! // and the claims in dispute are named.
//! for (pledge, claims) in data.contested_pledges() {
//!     for report in &pledge.status_reports {
//!         println!("{}: {} says {}", pledge.id, report.source, report.status);
//!     }
//!     println!("contested: {}", claims.join(", "));
//! }
//!
//! // Events, which sources tell of them and how surely, and the pledges
//! // and statements made there.
//! for event in data.events() {
//!     for account in &event.accounts {
//!         println!("{} told by {} ({})", event.name, account.source, account.certainty);
//!     }
//!     let made_there = data.pledges_at_event(event.id.as_str()).count();
//!     println!("{made_there} pledges made at {}", event.id);
//! }
//!
//! // Positions that commit no one, with the credibility of their evidence.
//! use ukraine_pledges::model::Attested;
//! for statement in data.statements_by_actor("russia") {
//!     println!("{} ({})", statement.title, statement.credibility());
//! }
//! # }
//! ```

#[cfg(feature = "validate")]
use std::path::Path;

use unicode_normalization::UnicodeNormalization;

#[cfg(feature = "validate")]
use crate::error::Error;
use crate::model::{
    Actor, Attested, Category, ConditionKind, Event, Evidence, Manifest, Pledge, Source, Statement,
    Status,
};
#[cfg(feature = "validate")]
use crate::validate::{self, Options, Valid};

/// A validated dataset: the manifest and every record, each collection
/// sorted by id.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    manifest: Manifest,
    actors: Vec<Actor>,
    sources: Vec<Source>,
    pledges: Vec<Pledge>,
    events: Vec<Event>,
    statements: Vec<Statement>,
    /// Where in `actors` the state with ISO code `US` is, if it is there:
    /// found once, since every pledge's reliance on it is asked.
    united_states: Option<usize>,
}

/// Folds a name for lookups: Unicode decomposition without combining marks,
/// lowercase, whitespace collapsed (`"Zelenskyy "` → `"zelenskyy"`,
/// `"Élysée"` → `"elysee"`).
#[must_use]
pub fn fold_name(name: &str) -> String {
    let stripped: String = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Dataset {
    #[cfg_attr(
        not(any(feature = "bundled", feature = "validate", feature = "write")),
        allow(dead_code)
    )]
    pub(crate) fn from_parts(
        manifest: Manifest,
        mut actors: Vec<Actor>,
        mut sources: Vec<Source>,
        mut pledges: Vec<Pledge>,
        mut events: Vec<Event>,
        mut statements: Vec<Statement>,
    ) -> Self {
        actors.sort_by(|a, b| a.id.cmp(&b.id));
        sources.sort_by(|a, b| a.id.cmp(&b.id));
        pledges.sort_by(|a, b| a.id.cmp(&b.id));
        events.sort_by(|a, b| a.id.cmp(&b.id));
        statements.sort_by(|a, b| a.id.cmp(&b.id));
        let united_states = actors
            .iter()
            .position(|a| a.iso_3166.as_ref().is_some_and(|c| c.as_str() == "US"));
        Self {
            manifest,
            actors,
            sources,
            pledges,
            events,
            statements,
            united_states,
        }
    }

    /// Loads and validates the dataset in `dir`: a JSON directory (with
    /// `dataset.json`) or a CSV one (with `datapackage.json`).
    ///
    /// # Errors
    /// An I/O [`Error`] when `dir` cannot be read, or
    /// [`ErrorKind::Invalid`](crate::ErrorKind::Invalid) with the report when
    /// the dataset has errors (warnings are allowed).
    #[cfg(feature = "validate")]
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with(dir, &Options::default())
    }

    /// [`Dataset::load`], reading as `options` say (e.g. a limit on the
    /// size of a file other than the default).
    ///
    /// # Errors
    /// As [`Dataset::load`].
    #[cfg(feature = "validate")]
    pub fn load_with(dir: impl AsRef<Path>, options: &Options) -> Result<Self, Error> {
        let (report, valid) = validate::check_dir(dir.as_ref(), options)?;
        valid
            .map(Self::from_valid)
            .ok_or_else(|| Error::invalid(report))
    }

    /// The dataset shipped with this crate, parsed on first use. Needs the
    /// `bundled` feature (on by default).
    ///
    /// The data is read straight into the types, without running the
    /// validator: the crate's own tests validate the bundled files, so a
    /// build whose data has errors cannot pass them.
    ///
    /// # Panics
    /// Never in a released crate: the same tests parse the bundled data.
    #[cfg(feature = "bundled")]
    #[must_use]
    pub fn bundled() -> &'static Dataset {
        static BUNDLED: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
        BUNDLED.get_or_init(|| {
            Self::parse_bundled()
                .unwrap_or_else(|e| panic!("the bundled dataset does not parse: {e}"))
        })
    }

    /// Reads the bundled files into the types.
    #[cfg(feature = "bundled")]
    fn parse_bundled() -> Result<Self, serde_json::Error> {
        use crate::model::{ActorsFile, EventsFile, PledgesFile, SourcesFile, StatementsFile};
        let [
            (_, manifest),
            (_, actors),
            (_, sources),
            (_, pledges),
            (_, events),
            (_, statements),
        ] = BUNDLED_FILES;
        let manifest: Manifest = serde_json::from_slice(manifest)?;
        let actors: ActorsFile = serde_json::from_slice(actors)?;
        let sources: SourcesFile = serde_json::from_slice(sources)?;
        let pledges: PledgesFile = serde_json::from_slice(pledges)?;
        let events: EventsFile = serde_json::from_slice(events)?;
        let statements: StatementsFile = serde_json::from_slice(statements)?;
        Ok(Self::from_parts(
            manifest,
            actors.actors,
            sources.sources,
            pledges.pledges,
            events.events,
            statements.statements,
        ))
    }

    /// The dataset of records that passed validation.
    #[cfg(feature = "validate")]
    pub(crate) fn from_valid(valid: Valid) -> Self {
        Self::from_parts(
            valid.manifest,
            valid.actors,
            valid.sources,
            valid.pledges,
            valid.events,
            valid.statements,
        )
    }

    /// The manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// All actors, sorted by id.
    #[must_use]
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// All sources, sorted by id.
    #[must_use]
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// All pledges, sorted by id.
    #[must_use]
    pub fn pledges(&self) -> &[Pledge] {
        &self.pledges
    }

    /// All events, sorted by id.
    #[must_use]
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// All statements, sorted by id.
    #[must_use]
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The event with id `id`.
    #[must_use]
    pub fn event(&self, id: &str) -> Option<&Event> {
        self.events
            .binary_search_by(|e| e.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.events[i])
    }

    /// The statement with id `id`.
    #[must_use]
    pub fn statement(&self, id: &str) -> Option<&Statement> {
        self.statements
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.statements[i])
    }

    /// The pledges made at event `id`, or at an event that produced it or
    /// that it produced (a declaration and its summit), and their
    /// components (`part_of` links to them).
    pub fn pledges_at_event<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Pledge> + 'a {
        let at = move |p: &Pledge| {
            p.event
                .as_ref()
                .is_some_and(|e| self.same_event(e.as_str(), id))
        };
        self.pledges.iter().filter(move |p| {
            at(p)
                || p.links.iter().any(|l| {
                    l.kind == crate::model::LinkKind::PartOf
                        && self.pledge(l.pledge.as_str()).is_some_and(at)
                })
        })
    }

    /// Whether events `a` and `b` are one, or one produced the other.
    fn same_event(&self, a: &str, b: &str) -> bool {
        let produced = |x: &str, y: &str| {
            self.event(x)
                .and_then(|e| e.produced_at.as_ref())
                .is_some_and(|p| p == y)
        };
        a == b || produced(a, b) || produced(b, a)
    }

    /// The statements about pledge `id`, in id order.
    pub fn statements_about<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Statement> + 'a {
        self.statements
            .iter()
            .filter(move |s| s.pledges.iter().any(|p| p == id))
    }

    /// The statements held by `actor_id` or by anyone acting for it.
    pub fn statements_by_actor<'a>(
        &'a self,
        actor_id: &'a str,
    ) -> impl Iterator<Item = &'a Statement> + 'a {
        self.statements.iter().filter(move |s| {
            s.holders
                .iter()
                .any(|who| self.acts_for(who.as_str(), actor_id))
        })
    }

    /// The pledges some of whose claims sources disagree on, each with the
    /// claims in dispute (see [`Pledge::contested_claims`]).
    pub fn contested_pledges(&self) -> impl Iterator<Item = (&Pledge, Vec<String>)> {
        self.pledges.iter().filter_map(|p| {
            let contested = p.contested_claims();
            (!contested.is_empty()).then_some((p, contested))
        })
    }

    /// The actor with id `id`.
    #[must_use]
    pub fn actor(&self, id: &str) -> Option<&Actor> {
        self.actors
            .binary_search_by(|a| a.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.actors[i])
    }

    /// The source with id `id`.
    #[must_use]
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.sources[i])
    }

    /// Adds `source`, keeping the sources in id order; gives it back when
    /// a source of that id is already present. The result is not
    /// revalidated: a new source is valid on its own, and unused until a
    /// record cites it.
    ///
    /// # Errors
    /// The source itself, when its id is taken.
    pub fn add_source(&mut self, source: Source) -> Result<(), Box<Source>> {
        match self
            .sources
            .binary_search_by(|s| s.id.as_str().cmp(source.id.as_str()))
        {
            Ok(_) => Err(Box::new(source)),
            Err(at) => {
                self.sources.insert(at, source);
                Ok(())
            }
        }
    }

    /// The pledge with id `id`.
    #[must_use]
    pub fn pledge(&self, id: &str) -> Option<&Pledge> {
        self.pledges
            .binary_search_by(|p| p.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.pledges[i])
    }

    /// The actor whose id, name or any alias matches `name`, ignoring case,
    /// accents and extra spaces (`"zelensky"`, `"Zelenskyy"`, `"U.S."`).
    #[must_use]
    pub fn actor_by_alias(&self, name: &str) -> Option<&Actor> {
        let wanted = fold_name(name);
        self.actors.iter().find(|a| {
            fold_name(a.id.as_str()) == wanted
                || fold_name(a.name.as_str()) == wanted
                || a.aliases
                    .iter()
                    .any(|alias| fold_name(alias.as_str()) == wanted)
        })
    }

    /// Whether `pledge` relies on the United States: it has a `us_backstop`
    /// condition, or a condition that depends on the state with ISO code
    /// `US` or on an actor acting for it. (A pledge the United States
    /// makes or leads depends on it in another sense, and does not count.)
    #[must_use]
    pub fn relies_on_us(&self, pledge: &Pledge) -> bool {
        let us = self.united_states();
        pledge.conditions.iter().any(|c| {
            c.kind == ConditionKind::UsBackstop
                || c.actor
                    .as_ref()
                    .zip(us)
                    .is_some_and(|(a, us)| self.acts_for(a.as_str(), us.id.as_str()))
        })
    }

    /// The United States: the state with ISO 3166 code `US`, if the
    /// dataset has it.
    #[must_use]
    pub fn united_states(&self) -> Option<&Actor> {
        self.united_states.map(|i| &self.actors[i])
    }

    /// Whether `actor` is `id` or acts for it, directly or through a chain
    /// of affiliations (a person for a state, a body for a state).
    #[must_use]
    pub fn acts_for(&self, actor: &str, id: &str) -> bool {
        let mut current = Some(actor);
        // The chain is bounded by the number of actors, so a cycle cannot hang.
        for _ in 0..=self.actors.len() {
            match current {
                Some(a) if a == id => return true,
                Some(a) => {
                    current = self
                        .actor(a)
                        .and_then(|a| a.affiliation.as_ref())
                        .map(|x| x.as_str())
                }
                None => return false,
            }
        }
        false
    }

    /// Pledges made by `actor_id`, or by anyone acting for it (a pledge by
    /// NATO's chief counts for NATO). Coalition membership is not recorded,
    /// so a coalition's pledges are not counted for its members.
    pub fn pledges_by_actor<'a>(
        &'a self,
        actor_id: &'a str,
    ) -> impl Iterator<Item = &'a Pledge> + 'a {
        self.pledges.iter().filter(move |p| {
            p.pledgers
                .iter()
                .any(|who| self.acts_for(who.as_str(), actor_id))
        })
    }

    /// The pledges that are components of pledge `id` (a `part_of` link to
    /// it), in id order.
    pub fn components<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Pledge> + 'a {
        self.pledges.iter().filter(move |p| {
            p.links
                .iter()
                .any(|l| l.kind == crate::model::LinkKind::PartOf && l.pledge == id)
        })
    }

    /// Pledges that name `actor_id` anywhere: as pledger (or through an
    /// affiliation), beneficiary, in a role, or in a condition.
    pub fn pledges_involving<'a>(
        &'a self,
        actor_id: &'a str,
    ) -> impl Iterator<Item = &'a Pledge> + 'a {
        self.pledges.iter().filter(move |p| {
            let named = |id: &crate::model::ActorId| self.acts_for(id.as_str(), actor_id);
            p.pledgers.iter().any(named)
                || p.beneficiary.iter().any(named)
                || p.roles.iter().any(|r| named(&r.actor))
                || p.conditions
                    .iter()
                    .filter_map(|c| c.actor.as_ref())
                    .any(named)
        })
    }

    /// Pledges in `category`, as their primary category or another.
    pub fn pledges_by_category(&self, category: Category) -> impl Iterator<Item = &Pledge> {
        self.pledges
            .iter()
            .filter(move |p| p.categories.contains(&category))
    }

    /// Pledges with `status`.
    pub fn pledges_by_status(&self, status: Status) -> impl Iterator<Item = &Pledge> {
        self.pledges.iter().filter(move |p| p.status == status)
    }

    /// Pledges with at least one condition of `kind` (e.g. only after a ceasefire).
    pub fn pledges_with_condition(&self, kind: ConditionKind) -> impl Iterator<Item = &Pledge> {
        self.pledges
            .iter()
            .filter(move |p| p.conditions.iter().any(|c| c.kind == kind))
    }

    /// A record's evidence (a pledge's, an event's, a statement's), each
    /// quote with the source it cites.
    pub fn evidence<'a, R: Attested>(
        &'a self,
        record: &'a R,
    ) -> impl Iterator<Item = (&'a Evidence, &'a Source)> + 'a {
        record
            .evidence()
            .iter()
            .filter_map(move |e| Some((e, self.source(e.source.as_str())?)))
    }
}

#[cfg(feature = "bundled")]
const BUNDLED_FILES: [(&str, &[u8]); 6] = [
    ("dataset.json", include_bytes!("../data/dataset.json")),
    ("actors.json", include_bytes!("../data/actors.json")),
    ("sources.json", include_bytes!("../data/sources.json")),
    ("pledges.json", include_bytes!("../data/pledges.json")),
    ("events.json", include_bytes!("../data/events.json")),
    ("statements.json", include_bytes!("../data/statements.json")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_name_ignores_case_accents_and_spacing() {
        assert_eq!(fold_name("  Zelenskyy "), "zelenskyy");
        assert_eq!(fold_name("Élysée  Palace"), "elysee palace");
        assert_eq!(fold_name("Київ"), "ки\u{456}в");
    }

    #[cfg(feature = "write")]
    #[test]
    fn a_component_of_a_pledge_made_at_an_event_is_made_there_too() {
        let data = crate::generate::dataset(12, 3);
        let event = data.events()[0].id.clone();
        let mut pledges = data.pledges().to_vec();
        for p in &mut pledges {
            p.event = None;
        }
        // The generator makes pledge 5 a component (`part_of`) of pledge 0.
        pledges[0].event = Some(event.clone());
        let data = Dataset::from_parts(
            data.manifest().clone(),
            data.actors().to_vec(),
            data.sources().to_vec(),
            pledges,
            data.events().to_vec(),
            data.statements().to_vec(),
        );
        let at: Vec<&str> = data
            .pledges_at_event(event.as_str())
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(at, ["pledge-00000000", "pledge-00000005"]);
    }

    #[cfg(feature = "bundled")]
    #[test]
    fn bundled_dataset_is_valid_and_matches_data_dir() {
        let bundled = Dataset::bundled();
        let on_disk = Dataset::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data")).unwrap();
        assert_eq!(bundled, &on_disk);
        let (report, valid) = validate::check_in_memory(Path::new("data"), &BUNDLED_FILES);
        assert_eq!(report.diagnostics, vec![]);
        // What `bundled` parses without the validator is what it validates.
        let validated = Dataset::from_valid(valid.expect("no errors, so the records"));
        assert_eq!(&validated, Dataset::bundled());
    }
}
