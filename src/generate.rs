//! Synthetic datasets: deterministic, valid by every rule, realistic in
//! shape. For tests, fuzzing seeds and benchmarks.

use crate::dataset::Dataset;
use crate::model::{
    Account, Actor, ActorId, ActorKind, Archive, Attested, Category, Certainty, Claim, Claims,
    CommitmentLevel, Condition, ConditionKind, Credibility, CurrencyCode, DatasetName, Event,
    EventId, EventKind, Evidence, FileName, Grade, Inference, LanguageTag, Link, LinkKind,
    Manifest, PartialDate, Period, Pledge, PledgeId, Quantity, QuantityKind, Quote, Reliability,
    Resources, Retirement, RetirementReason, Role, RoleKind, Sha256, Source, SourceId, SourceKind,
    Stance, Statement, StatementId, StatementKind, Status, StatusReport, Text,
};
use serde_json::json;

use crate::schema::SCHEMA_VERSION;

/// A small, fast, deterministic random number generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "ceasefire",
    "guarantee",
    "air",
    "defence",
    "brigade",
    "monitoring",
    "Kyiv",
    "Київ",
    "безпека",
    "gwarancje",
    "sécurité",
    "Zusage",
    "coalition",
    "deployment",
    "parliament",
    "training",
    "partners",
    "mechanism",
    "support",
    "long-term",
    "équipement",
    "forces",
    "deterrence",
    "reconstruction",
    "Україна",
    "maritime",
    "artillery",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let n = words.max(1);
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick::<&str>(WORDS));
    }
    out
}

/// A record read from `value`, which holds only its required fields.
///
/// # Panics
/// When the model gains a required field: give it a value in `dataset`.
fn blank<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value)
        .unwrap_or_else(|e| panic!("a blank record lacks a required field: {e}"))
}

fn text(s: String) -> Text {
    Text::new(s).unwrap_or_else(|_| Text::new("text").expect("non-empty"))
}

/// A first quote for a record from `source`, its claims filled in once
/// the record is whole (see [`attest_all`]).
fn first_quote(rng: &mut Rng, source: SourceId) -> Evidence {
    Evidence {
        source,
        quote: Quote::new(sentence(rng, 9).chars().take(300).collect::<String>())
            .expect("valid quote"),
        claims: Claims::new("/kind").expect("valid claims"),
        stance: Stance::Supports,
        credibility: Credibility::new(1 + rng.below(6) as u8).expect("1 to 6"),
        note: None,
    }
}

/// Has the record's first quote attest every claim the record makes.
fn attest_all<R: Attested>(record: &R) -> Claims {
    Claims::new(record.claims().collect::<Vec<_>>().join(" ")).expect("valid claims")
}

/// Builds a valid dataset of `pledges` pledges, about `pledges / 10` actors,
/// `pledges / 5` sources, `pledges / 100` events and `pledges / 50`
/// statements (at least one of each), the same for the same `seed`.
#[must_use]
pub fn dataset(pledges: usize, seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let n_actors = (pledges / 10).max(2);
    let n_sources = (pledges / 5).max(1);
    // Fields the generator does not set (every one a later version of the
    // model adds, unless it is required) are those of these blank records:
    // null, or empty.
    let blank_actor: Actor = blank(json!({"id": "a", "name": "A", "kind": "state", "aliases": []}));
    let blank_source: Source = blank(json!({
        "id": "s", "title": "S", "kind": "news_article", "language": "en",
        "reliability": {"grade": "F", "reason": "Generated."},
        "archive": {"file": "s.txt", "sha256": "0".repeat(64)},
    }));
    let evidence = json!([{"source": "s", "quote": "q", "claims": "/kind", "stance": "supports", "credibility": 6}]);
    let blank_pledge: Pledge = blank(json!({
        "id": "p", "title": "P", "description": "P", "pledgers": ["a"], "roles": [],
        "categories": ["training"], "status": "proposed",
        "status_reports": [{"source": "s", "status": "proposed", "as_of": null, "event": null, "note": null}],
        "conditions": [], "quantities": [], "evidence": evidence, "inferences": [],
    }));
    let blank_event: Event = blank(json!({
        "id": "e", "name": "E", "kind": "meeting", "date": null, "place": null,
        "participants": [], "produced_at": null,
        "accounts": [{"source": "s", "certainty": "describes", "note": null}],
        "evidence": evidence, "inferences": [], "notes": null,
    }));
    let blank_statement: Statement = blank(json!({
        "id": "s", "title": "S", "description": "S", "kind": "position", "holders": ["a"],
        "against": [], "pledges": [], "events": [], "event": null, "date": null,
        "evidence": evidence, "inferences": [],
    }));
    let blank_quantity: Quantity = blank(json!({
        "kind": "share", "amount": null, "unit": null, "currency": null, "time_unit": null, "per": null,
    }));
    let actor_id = |i: usize| ActorId::new(format!("actor-{i:07}")).expect("valid id");
    let source_id = |i: usize| SourceId::new(format!("source-{i:07}")).expect("valid id");

    let actors: Vec<Actor> = (0..n_actors)
        .map(|i| {
            let person = i % 5 == 4;
            Actor {
                id: actor_id(i),
                name: text(format!("Actor {i} {}", sentence(&mut rng, 2))),
                kind: if person {
                    ActorKind::Person
                } else {
                    *rng.pick(&[
                        ActorKind::Coalition,
                        ActorKind::InternationalOrganisation,
                        ActorKind::GovernmentBody,
                    ])
                },
                aliases: (0..rng.below(3))
                    .map(|k| text(format!("Alias {i}-{k} {}", sentence(&mut rng, 1))))
                    .collect(),
                affiliation: person.then(|| actor_id(i - 1)),
                role: person.then(|| text(sentence(&mut rng, 2))),
                notes: (rng.below(2) == 0).then(|| text(sentence(&mut rng, 12))),
                ..blank_actor.clone()
            }
        })
        .collect();

    let sources: Vec<Source> = (0..n_sources)
        .map(|i| Source {
            id: source_id(i),
            title: text(format!("Report {i}: {}", sentence(&mut rng, 6))),
            publisher: (rng.below(2) == 0).then(|| text(sentence(&mut rng, 2))),
            kind: *rng.pick(&[
                SourceKind::NewsArticle,
                SourceKind::BlogPost,
                SourceKind::AggregatorSummary,
            ]),
            language: LanguageTag::new("en").expect("valid tag"),
            reliability: Reliability {
                grade: *rng.pick(&[Grade::B, Grade::C, Grade::D, Grade::F]),
                reason: text(sentence(&mut rng, 8)),
            },
            archive: Archive {
                file: FileName::new(format!("source-{i:07}.txt")).expect("valid name"),
                sha256: Sha256::new(format!("{:064x}", i)).expect("valid digest"),
            },
            ..blank_source.clone()
        })
        .collect();

    let n_events = (pledges / 100).max(1);
    let event_id = |i: usize| EventId::new(format!("event-{i:06}")).expect("valid id");
    let events: Vec<Event> = (0..n_events)
        .map(|i| {
            let source = source_id(i % n_sources);
            let mut event = Event {
                id: event_id(i),
                name: text(format!("Meeting {i}: {}", sentence(&mut rng, 3))),
                kind: *rng.pick(&[EventKind::Summit, EventKind::Meeting, EventKind::Call]),
                date: Some(
                    format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28)
                        .parse::<PartialDate>()
                        .expect("valid date"),
                ),
                place: (rng.below(2) == 0).then(|| text(sentence(&mut rng, 1))),
                participants: (0..1 + rng.below(3))
                    .map(|k| actor_id((i + k) % n_actors))
                    .collect(),
                accounts: vec![Account {
                    source: source.clone(),
                    certainty: *rng.pick(&[Certainty::Describes, Certainty::MayDescribe]),
                    note: None,
                }],
                evidence: vec![first_quote(&mut rng, source)],
                ..blank_event.clone()
            };
            event.evidence[0].claims = attest_all(&event);
            // Every other event has its date inferred too.
            if i % 2 == 0 {
                event.inferences.push(Inference {
                    claim: Claim::new("/date").expect("valid claim"),
                    note: text(sentence(&mut rng, 5)),
                });
            }
            event
        })
        .collect();

    let categories = [
        Category::TroopDeployment,
        Category::AirDefence,
        Category::MilitaryAid,
        Category::Training,
        Category::Financing,
        Category::SecurityGuarantee,
    ];
    let statuses = [
        Status::Proposed,
        Status::UnderDiscussion,
        Status::Announced,
        Status::Committed,
    ];
    let kinds = [
        ConditionKind::Ceasefire,
        ConditionKind::PeaceAgreement,
        ConditionKind::ParliamentaryApproval,
        ConditionKind::UsBackstop,
    ];
    let pledges: Vec<Pledge> = (0..pledges)
        .map(|i| {
            // The first pledger and the first source go round in turn, so
            // that every actor and source is referenced.
            let mut pledgers = vec![actor_id(i % n_actors)];
            if rng.below(2) == 0 {
                let other = actor_id(rng.below(n_actors));
                if !pledgers.contains(&other) {
                    pledgers.push(other);
                }
            }
            let status = *rng.pick(&statuses);
            let mut pledge = Pledge {
                id: PledgeId::new(format!("pledge-{i:08}")).expect("valid id"),
                title: text(format!("Pledge {i}: {}", sentence(&mut rng, 5))),
                description: text(sentence(&mut rng, 14)),
                pledgers,
                beneficiary: Some(actor_id(0)),
                roles: (0..rng.below(2))
                    .map(|_| Role {
                        actor: actor_id(rng.below(n_actors)),
                        role: *rng.pick(&[
                            RoleKind::Announcer,
                            RoleKind::Approver,
                            RoleKind::Target,
                        ]),
                    })
                    .collect(),
                categories: {
                    let first = *rng.pick(&categories);
                    let second = *rng.pick(&categories);
                    if rng.below(4) == 0 && second != first {
                        vec![first, second]
                    } else {
                        vec![first]
                    }
                },
                status,
                status_reports: vec![StatusReport {
                    source: source_id(i % n_sources),
                    status,
                    as_of: None,
                    event: None,
                    note: None,
                }],
                event: (rng.below(3) == 0).then(|| event_id(rng.below(n_events))),
                commitment: (rng.below(2) == 0).then_some(CommitmentLevel::Political),
                conditions: (0..1 + rng.below(2))
                    .map(|_| Condition {
                        kind: *rng.pick(&kinds),
                        actor: None,
                        applies_to: None,
                        text: text(sentence(&mut rng, 5)),
                    })
                    .collect(),
                quantities: match rng.below(6) {
                    0 | 1 => vec![Quantity {
                        kind: QuantityKind::Count,
                        amount: Some(rng.below(100_000) as f64 / 100.0),
                        unit: Some(text(sentence(&mut rng, 2))),
                        per: Some(Period::Year),
                        ..blank_quantity.clone()
                    }],
                    2 => vec![Quantity {
                        kind: QuantityKind::Money,
                        amount: (rng.below(5) != 0).then(|| rng.below(10_000) as f64 * 1e6),
                        currency: Some(CurrencyCode::new("EUR").expect("valid code")),
                        ..blank_quantity.clone()
                    }],
                    _ => Vec::new(),
                },
                evidence: (0..1 + rng.below(2))
                    .map(|k| Evidence {
                        source: source_id(if k == 0 {
                            i % n_sources
                        } else {
                            rng.below(n_sources)
                        }),
                        quote: Quote::new(
                            sentence(&mut rng, 9).chars().take(300).collect::<String>(),
                        )
                        .expect("valid quote"),
                        // The first quote attests every claim (filled in
                        // below, once the pledge is whole); others its
                        // first category.
                        claims: Claims::new("/categories/0").expect("valid claims"),
                        stance: if k == 0 {
                            Stance::Supports
                        } else {
                            *rng.pick(&[Stance::Supports, Stance::Qualifies, Stance::Contradicts])
                        },
                        credibility: Credibility::new(1 + rng.below(6) as u8).expect("1 to 6"),
                        note: None,
                    })
                    .collect(),
                // One pledge in ten a component of the first, which links
                // to none.
                links: if i % 10 == 5 {
                    vec![Link {
                        kind: LinkKind::PartOf,
                        pledge: PledgeId::new("pledge-00000000").expect("valid id"),
                    }]
                } else {
                    Vec::new()
                },
                // One pledge in twenty superseded by the (current) one before it.
                retired: (i % 20 == 19).then(|| Retirement {
                    reason: RetirementReason::Superseded,
                    replaced_by: Some(
                        PledgeId::new(format!("pledge-{:08}", i - 1)).expect("valid id"),
                    ),
                    note: text(sentence(&mut rng, 6)),
                }),
                ..blank_pledge.clone()
            };
            // One pledge in four has its beneficiary inferred, not quoted.
            let inferred = rng.below(4) == 0;
            let claims: Vec<String> = Attested::claims(&pledge)
                .filter(|c| !(inferred && c == "/beneficiary"))
                .collect();
            pledge.evidence[0].claims = Claims::new(claims.join(" ")).expect("valid claims");
            if inferred {
                pledge.inferences.push(Inference {
                    claim: Claim::new("/beneficiary").expect("valid claim"),
                    note: text(sentence(&mut rng, 7)),
                });
            }
            pledge
        })
        .collect();

    let statements: Vec<Statement> = (0..(pledges.len() / 50).max(1))
        .map(|i| {
            let mut statement = Statement {
                id: StatementId::new(format!("statement-{i:07}")).expect("valid id"),
                title: text(format!("Statement {i}: {}", sentence(&mut rng, 4))),
                description: text(sentence(&mut rng, 12)),
                kind: *rng.pick(&[
                    StatementKind::Position,
                    StatementKind::Demand,
                    StatementKind::Assessment,
                    StatementKind::Warning,
                ]),
                holders: vec![actor_id(rng.below(n_actors))],
                against: (0..usize::from(i % 2 == 0) + rng.below(2))
                    .map(|_| actor_id(rng.below(n_actors)))
                    .collect(),
                // A current pledge: a statement about a retired one is
                // warned of.
                pledges: pledges
                    .get(rng.below(pledges.len()))
                    .filter(|p| p.retired.is_none())
                    .map(|p| p.id.clone())
                    .into_iter()
                    .collect(),
                events: vec![event_id(i % n_events)],
                event: (rng.below(2) == 0).then(|| event_id(rng.below(n_events))),
                evidence: {
                    let source = source_id(rng.below(n_sources));
                    vec![first_quote(&mut rng, source)]
                },
                ..blank_statement.clone()
            };
            statement.evidence[0].claims = attest_all(&statement);
            if i % 2 == 0 {
                statement.inferences.push(Inference {
                    claim: Claim::new("/kind").expect("valid claim"),
                    note: text(sentence(&mut rng, 5)),
                });
            }
            statement
        })
        .collect();

    let manifest = Manifest {
        schema: "../schema/dataset.schema.json".to_owned(),
        name: DatasetName::new("synthetic").expect("valid name"),
        title: text("Synthetic pledges".to_owned()),
        description: text(format!(
            "{pledges_n} generated pledges, seed {seed}",
            pledges_n = pledges.len()
        )),
        version: "0.1.0".to_owned(),
        schema_version: SCHEMA_VERSION.to_owned(),
        license: text("CC0-1.0".to_owned()),
        resources: Resources {
            actors: FileName::new("actors.json").expect("valid"),
            sources: FileName::new("sources.json").expect("valid"),
            pledges: FileName::new("pledges.json").expect("valid"),
            events: FileName::new("events.json").expect("valid"),
            statements: FileName::new("statements.json").expect("valid"),
        },
    };
    Dataset::from_parts(manifest, actors, sources, pledges, events, statements)
}

/// An error planted by [`corrupt`]: where, and which diagnostic it must cause.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PlantedError {
    /// The file, e.g. `pledges.json`.
    pub file: String,
    /// JSON Pointer of the broken value.
    pub pointer: String,
    /// The diagnostic code the validator must report there.
    pub code: crate::diagnostic::Code,
}

/// Plants `count` errors of varied kinds in the pledges of `pledges_file`
/// (the JSON of `pledges.json`), each in a different record, and lists them.
/// Needs at least `count + 1` pledges; plants fewer otherwise.
pub fn corrupt(pledges_file: &mut serde_json::Value, count: usize, seed: u64) -> Vec<PlantedError> {
    use crate::diagnostic::Code;
    use serde_json::json;
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00);
    let n = pledges_file["pledges"].as_array().map_or(0, Vec::len);
    // Distinct records from 1 on, so a duplicate id has an earlier twin.
    let mut indexes: Vec<usize> = (1..n).collect();
    for i in (1..indexes.len()).rev() {
        indexes.swap(i, rng.below(i + 1));
    }
    indexes.truncate(count);
    indexes.sort_unstable();
    let mut planted = Vec::new();
    for (k, &i) in indexes.iter().enumerate() {
        let record = &mut pledges_file["pledges"][i];
        let (pointer, code) = match k % 6 {
            0 => {
                record["pledgers"][0] = json!("no-such-actor");
                (format!("/pledges/{i}/pledgers/0"), Code::UnknownReference)
            }
            1 => {
                record["announced"] = json!("2026-02-30");
                (format!("/pledges/{i}/announced"), Code::InvalidDate)
            }
            2 => {
                record["pledger"] = json!([]);
                (format!("/pledges/{i}/pledger"), Code::UnknownField)
            }
            3 => {
                record["categories"][0] = json!("troop_deploymnet");
                (format!("/pledges/{i}/categories/0"), Code::InvalidValue)
            }
            4 => {
                record["title"] = json!("=HYPERLINK(\"http://example.org\")");
                (format!("/pledges/{i}/title"), Code::FormulaPrefix)
            }
            _ => {
                record["evidence"] = json!([]);
                (format!("/pledges/{i}/evidence"), Code::EmptyValue)
            }
        };
        planted.push(PlantedError {
            file: "pledges.json".to_owned(),
            pointer,
            code,
        });
    }
    planted
}
