//! The JSON Schemas and the Rust types accept exactly the same records.
//!
//! Records are built field by field from a mix of valid and invalid
//! values, with fields dropped and unknown ones added; whatever comes out,
//! the committed schema and the typed loader must agree on it.

use proptest::prelude::*;
use schemars::JsonSchema;
use serde_json::{Map, Value, json};
use ukraine_pledges::model::{
    ActorId, ActorsFile, Claim, Claims, CountryCode, Credibility, CurrencyCode, EventId,
    EventsFile, FileName, LanguageTag, PartialDate, PledgesFile, Quote, Sha256, SourcesFile,
    StatementId, StatementsFile, Text, Url, WikidataId,
};
use ukraine_pledges::schema::FileKind;

fn validator(kind: FileKind) -> jsonschema::Validator {
    jsonschema::draft202012::new(&kind.schema().to_value()).unwrap()
}

fn type_validator<T: JsonSchema>() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schemars::schema_for!(T).to_value()).unwrap()
}

fn any_string() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-z0-9]{1,4}(-[a-z0-9]{1,4}){0,2}",
        "[A-Z]{1,3}",
        "Q[0-9]{0,4}",
        "https?://[!-~ ]{0,8}",
        "[a-z]{2,3}(-[A-Z]{2})?",
        "[0-9a-f]{63,65}",
        "[A-Za-z0-9._/-]{0,8}",
        "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?",
        ".{0,6}",
        "[a-zé ]{295,305}",
    ]
    .boxed()
}

fn any_value() -> BoxedStrategy<Value> {
    prop_oneof![
        6 => any_string().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => (-3.0f64..3.0).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
        1 => prop::collection::vec(any_string().prop_map(Value::from), 0..3).prop_map(Value::from),
    ]
    .boxed()
}

fn one_of(values: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![4 => prop::sample::select(values).prop_map(Value::from), 1 => any_value()].boxed()
}

fn ids() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => prop::collection::vec("[a-z]{1,6}".prop_map(Value::from), 0..3).prop_map(Value::from),
        1 => any_value(),
    ]
    .boxed()
}

/// Takes a record of good values and, per field, maybe replaces, drops or
/// adds something.
fn mutate(fields: Vec<(&'static str, Value)>) -> impl Strategy<Value = Value> {
    let n = fields.len();
    (
        prop::collection::vec(
            prop_oneof![8 => Just(0u8), 1 => Just(1u8), 1 => Just(2u8)],
            n,
        ),
        prop::collection::vec(any_value(), n),
        any::<bool>(),
    )
        .prop_map(move |(actions, replacements, extra)| {
            let mut record = Map::new();
            for (((name, good), action), replacement) in
                fields.iter().zip(actions).zip(replacements)
            {
                match action {
                    0 => {
                        record.insert((*name).to_owned(), good.clone());
                    }
                    1 => {
                        record.insert((*name).to_owned(), replacement);
                    }
                    _ => {}
                }
            }
            if extra {
                record.insert("extra".to_owned(), Value::from(1));
            }
            Value::Object(record)
        })
}

/// Rewrites a record in shapes serde's derive would take but the schema
/// refuses: an object as the array of its values (the record itself, or
/// each object inside it), or an enum's name as `{"name": null}`.
fn reshape(record: Value, how: u8) -> Value {
    fn values(object: &Map<String, Value>) -> Value {
        Value::Array(object.values().cloned().collect())
    }
    let Value::Object(mut fields) = record else {
        return record;
    };
    match how {
        0 => values(&fields),
        1 => {
            for value in fields.values_mut() {
                match value {
                    Value::Object(inner) => *value = values(inner),
                    Value::Array(items) => {
                        for item in items.iter_mut() {
                            if let Value::Object(inner) = item {
                                *item = values(inner);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Value::Object(fields)
        }
        2 => {
            for key in ["kind", "category", "status", "commitment"] {
                if let Some(Value::String(name)) = fields.get(key).cloned() {
                    fields.insert(key.to_owned(), json!({ name: null }));
                }
            }
            Value::Object(fields)
        }
        _ => Value::Object(fields),
    }
}

fn retired() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!({"reason": "withdrawn", "replaced_by": null, "note": "A duplicate."})),
        Just(json!({"reason": "superseded", "replaced_by": "b", "note": "Merged."})),
        any_value().prop_map(|r| json!({"reason": r, "replaced_by": null, "note": "n"})),
    ]
    .boxed()
}

fn pledge() -> BoxedStrategy<Value> {
    (
        any_string(),
        one_of(&["military_aid", "troop_deployment", "air_defence"]),
        one_of(&["proposed", "committed", "withdrawn"]),
        prop_oneof![Just(Value::Null), one_of(&["political", "legally_binding"])],
        ids(),
        prop_oneof![Just(Value::Null), any_string().prop_map(Value::from)],
        prop_oneof![
            Just(json!([])),
            Just(json!([{"kind": "count", "amount": 480, "unit": "vehicles", "currency": null, "time_unit": null, "per": "year"}])),
            Just(json!([{"kind": "money", "amount": null, "unit": null, "currency": "EUR", "time_unit": null, "per": null}])),
            any_value().prop_map(|c| json!([{"kind": "money", "amount": 1, "unit": null, "currency": c, "time_unit": null, "per": null}])),
            one_of(&["duration", "share", "weight"]).prop_map(|k| json!([{"kind": k, "amount": 10, "unit": null, "currency": null, "time_unit": "year", "per": null}])),
            (-2.0f64..2.0).prop_map(|a| json!([{"kind": "count", "amount": a, "unit": "x", "currency": null, "time_unit": null, "per": null}]))
        ],
        prop_oneof![
            Just(json!([])),
            Just(json!([{"kind": "ceasefire", "actor": null, "applies_to": null, "text": "After a ceasefire."}])),
            any_value().prop_map(|k| json!([{"kind": k, "actor": null, "applies_to": null, "text": "t"}])),
            any_value().prop_map(|a| json!([{"kind": "ceasefire", "actor": null, "applies_to": a, "text": "t"}])),
            Just(json!([{"kind": "ceasefire", "actor": null, "text": "No scope."}]))
        ],
        (
            prop_oneof![
                3 => one_of(&["/status_reports/0", "/pledgers/0 /categories/0", "/conditions/10 /roles/0"]),
                1 => any_value()
            ],
            one_of(&["supports", "qualifies", "contradicts"]),
            prop_oneof![
                3 => (1u8..=6).prop_map(Value::from),
                1 => Just(json!(3.0)),
                1 => Just(json!(2.5)),
                1 => (-2i64..9).prop_map(Value::from),
                1 => any_value()
            ],
            prop_oneof![Just(Value::Null), any_value()],
        )
            .prop_map(|(claims, stance, credibility, note)| {
                json!([{"source": "a", "quote": "q", "claims": claims, "stance": stance, "credibility": credibility, "note": note}])
            }),
        (
        prop_oneof![
                Just(json!([])),
                Just(json!([{"actor": "a", "role": "lead"}])),
                one_of(&["envoy", "approver", "lead"]).prop_map(|r| json!([{"actor": "a", "role": r}])),
                any_value().prop_map(|a| json!([{"actor": a, "role": "target"}]))
            ],
            prop_oneof![
                Just(json!([])),
                Just(json!([{"claim": "/beneficiary", "note": "Why."}])),
                any_value().prop_map(|c| json!([{"claim": c, "note": "Why."}]))
            ],
            prop_oneof![
                Just(json!([])),
                Just(json!([{"kind": "part_of", "pledge": "a-declaration"}])),
                one_of(&["depends_on", "possibly_same_as", "same_as"]).prop_map(|k| json!([{"kind": k, "pledge": "b"}])),
                any_value().prop_map(|p| json!([{"kind": "part_of", "pledge": p}]))
            ],
        ),
        retired(),
    )
        .prop_flat_map(
            |(
                id,
                category,
                status,
                commitment,
                pledgers,
                announced,
                quantity,
                conditions,
                evidence,
                (roles, inferences, links),
                retired,
            )| {
                mutate(vec![
                    ("id", Value::from(id)),
                    ("title", json!("A title")),
                    ("description", json!("A description.")),
                    ("pledgers", pledgers),
                    ("beneficiary", json!("ukraine")),
                    ("roles", roles),
                    ("categories", json!([category])),
                    ("status", status.clone()),
                    ("status_reports", json!([{"source": "a", "status": status, "as_of": null, "event": null, "note": null}])),
                    ("status_note", json!(null)),
                    ("commitment", commitment),
                    ("conditions", conditions),
                    ("links", links),
                    ("quantities", quantity),
                    ("event", json!("paris-summit")),
                    ("announced", announced),
                    ("evidence", evidence),
                    ("inferences", inferences),
                    ("retired", retired),
                ])
            },
        )
        .boxed()
}

fn actor() -> BoxedStrategy<Value> {
    (
        any_string(),
        one_of(&["state", "person", "coalition"]),
        any_value(),
        any_value(),
        any_value(),
        any_value(),
        retired(),
    )
        .prop_flat_map(|(id, kind, iso, qid, aliases, affiliation, retired)| {
            mutate(vec![
                ("id", Value::from(id)),
                ("name", json!("Name")),
                ("kind", kind),
                ("iso_3166", iso),
                ("wikidata", qid),
                ("aliases", aliases),
                ("affiliation", affiliation),
                ("role", json!(null)),
                ("notes", json!(null)),
                ("retired", retired),
            ])
        })
        .boxed()
}

fn source() -> BoxedStrategy<Value> {
    (
        any_string(),
        any_value(),
        any_value(),
        any_value(),
        any_value(),
        any_value(),
        (one_of(&["A", "C", "F", "G", "a"]), any_value()),
        one_of(&["news_article", "unattributed_text"]),
    )
        .prop_flat_map(
            |(id, url, published, language, file, sha, (grade, reason), kind)| {
                mutate(vec![
                    ("id", Value::from(id)),
                    ("title", json!("Title")),
                    ("publisher", json!(null)),
                    ("url", url),
                    ("published", published),
                    ("kind", kind),
                    ("language", language),
                    ("reliability", json!({"grade": grade, "reason": reason})),
                    ("archive", json!({"file": file, "sha256": sha})),
                    ("notes", json!(null)),
                ])
            },
        )
        .boxed()
}

fn evidence() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => Just(json!([{"source": "a", "quote": "q", "claims": "/holders/0 /kind", "stance": "supports", "credibility": 3, "note": null}])),
        1 => Just(json!([])),
        1 => any_value(),
    ]
    .boxed()
}

fn event() -> BoxedStrategy<Value> {
    (
        any_string(),
        one_of(&["summit", "meeting", "call", "document", "treaty"]),
        any_value(),
        ids(),
        prop_oneof![Just(Value::Null), any_value()],
        prop_oneof![
            3 => one_of(&["describes", "may_describe", "maybe"]).prop_map(|c| json!([{"source": "a", "certainty": c, "note": null}])),
            1 => Just(json!([])),
            1 => any_value(),
        ],
        evidence(),
        retired(),
    )
        .prop_flat_map(
            |(id, kind, date, participants, produced_at, accounts, evidence, retired)| {
                mutate(vec![
                    ("id", Value::from(id)),
                    ("name", json!("A meeting")),
                    ("kind", kind),
                    ("date", date),
                    ("place", json!("Paris")),
                    ("participants", participants),
                    ("produced_at", produced_at),
                    ("accounts", accounts),
                    ("evidence", evidence),
                    ("inferences", json!([])),
                    ("notes", json!(null)),
                    ("retired", retired),
                ])
            },
        )
        .boxed()
}

fn statement() -> BoxedStrategy<Value> {
    (
        any_string(),
        one_of(&["position", "demand", "assessment", "warning", "pledge"]),
        ids(),
        ids(),
        ids(),
        prop_oneof![Just(Value::Null), any_value()],
        evidence(),
        retired(),
    )
        .prop_flat_map(
            |(id, kind, holders, against, pledges, event, evidence, retired)| {
                mutate(vec![
                    ("id", Value::from(id)),
                    ("title", json!("A title")),
                    ("description", json!("A description.")),
                    ("kind", kind),
                    ("holders", holders),
                    ("against", against),
                    ("pledges", pledges),
                    ("events", json!([])),
                    ("event", event),
                    ("date", json!(null)),
                    ("evidence", evidence),
                    ("inferences", json!([])),
                    ("retired", retired),
                ])
            },
        )
        .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn schema_and_types_agree_on_events(record in (event(), 0..6u8).prop_map(|(r, how)| reshape(r, how))) {
        let file = json!({"$schema": "s", "events": [record]});
        let by_schema = validator(FileKind::Events).is_valid(&file);
        let by_types = serde_json::from_value::<EventsFile>(file.clone()).is_ok();
        prop_assert_eq!(by_schema, by_types, "{}", file);
    }

    #[test]
    fn schema_and_types_agree_on_statements(record in (statement(), 0..6u8).prop_map(|(r, how)| reshape(r, how))) {
        let file = json!({"$schema": "s", "statements": [record]});
        let by_schema = validator(FileKind::Statements).is_valid(&file);
        let by_types = serde_json::from_value::<StatementsFile>(file.clone()).is_ok();
        prop_assert_eq!(by_schema, by_types, "{}", file);
    }

    #[test]
    fn schema_and_types_agree_on_pledges(record in (pledge(), 0..6u8).prop_map(|(r, how)| reshape(r, how))) {
        let file = json!({"$schema": "s", "pledges": [record]});
        let by_schema = validator(FileKind::Pledges).is_valid(&file);
        let by_types = serde_json::from_value::<PledgesFile>(file.clone()).is_ok();
        prop_assert_eq!(by_schema, by_types, "{}", file);
    }

    #[test]
    fn schema_and_types_agree_on_actors(record in (actor(), 0..6u8).prop_map(|(r, how)| reshape(r, how))) {
        let file = json!({"$schema": "s", "actors": [record]});
        let by_schema = validator(FileKind::Actors).is_valid(&file);
        let by_types = serde_json::from_value::<ActorsFile>(file.clone()).is_ok();
        prop_assert_eq!(by_schema, by_types, "{}", file);
    }

    #[test]
    fn schema_and_types_agree_on_sources(record in (source(), 0..6u8).prop_map(|(r, how)| reshape(r, how))) {
        let file = json!({"$schema": "s", "sources": [record]});
        let by_schema = validator(FileKind::Sources).is_valid(&file);
        let by_types = serde_json::from_value::<SourcesFile>(file.clone()).is_ok();
        prop_assert_eq!(by_schema, by_types, "{}", file);
    }

    #[test]
    fn schema_and_types_agree_on_every_string_rule(s in any_string()) {
        let v = Value::from(s.as_str());
        prop_assert_eq!(type_validator::<ActorId>().is_valid(&v), ActorId::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<Text>().is_valid(&v), Text::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<Quote>().is_valid(&v), Quote::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<CountryCode>().is_valid(&v), CountryCode::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<WikidataId>().is_valid(&v), WikidataId::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<Url>().is_valid(&v), Url::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<LanguageTag>().is_valid(&v), LanguageTag::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<Sha256>().is_valid(&v), Sha256::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<FileName>().is_valid(&v), FileName::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<PartialDate>().is_valid(&v), s.parse::<PartialDate>().is_ok());
        prop_assert_eq!(type_validator::<Claim>().is_valid(&v), Claim::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<Claims>().is_valid(&v), Claims::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<CurrencyCode>().is_valid(&v), CurrencyCode::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<EventId>().is_valid(&v), EventId::new(s.as_str()).is_ok());
        prop_assert_eq!(type_validator::<StatementId>().is_valid(&v), StatementId::new(s.as_str()).is_ok());
    }

    #[test]
    fn schema_and_types_agree_on_every_claim_list(
        claims in prop::collection::vec("/[a-z_]{0,3}(/[0-9]{1,2})?|/status|/pledgers/0[0-9]?|x", 0..4),
        joiner in prop::sample::select(vec![" ", "  ", ",", ""]),
    ) {
        let s = claims.join(joiner);
        let v = Value::from(s.as_str());
        prop_assert_eq!(type_validator::<Claim>().is_valid(&v), Claim::new(s.as_str()).is_ok(), "{}", s);
        prop_assert_eq!(type_validator::<Claims>().is_valid(&v), Claims::new(s.as_str()).is_ok(), "{}", s);
    }

    #[test]
    fn schema_and_types_agree_on_every_credibility(v in prop_oneof![
        (-3i64..10).prop_map(Value::from),
        (-3.0f64..10.0).prop_map(Value::from),
        (0u8..8).prop_map(|n| Value::from(f64::from(n))),
        any_value(),
    ]) {
        let by_types = serde_json::from_value::<Credibility>(v.clone()).is_ok();
        prop_assert_eq!(type_validator::<Credibility>().is_valid(&v), by_types, "{}", v);
    }

    #[test]
    fn date_pattern_and_calendar_agree_on_every_day(year in 0u16..=9999, month in 0u8..=13, day in 0u8..=32) {
        let s = format!("{year:04}-{month:02}-{day:02}");
        let by_schema = type_validator::<PartialDate>().is_valid(&Value::from(s.as_str()));
        prop_assert_eq!(by_schema, s.parse::<PartialDate>().is_ok(), "{}", s);
    }
}

#[test]
fn leap_days_follow_the_gregorian_rule_in_both() {
    let v = type_validator::<PartialDate>();
    for (date, ok) in [
        ("2024-02-29", true),
        ("2000-02-29", true),
        ("1900-02-29", false),
        ("2100-02-29", false),
        ("2026-02-29", false),
    ] {
        assert_eq!(v.is_valid(&Value::from(date)), ok, "{date}");
        assert_eq!(date.parse::<PartialDate>().is_ok(), ok, "{date}");
    }
}

/// The first record of a valid fixture file, with a retirement filled in.
fn fixture_record(file: &str, collection: &str) -> Value {
    let text = std::fs::read_to_string(
        crate::helpers::root()
            .join("tests/fixtures/valid")
            .join(file),
    )
    .unwrap();
    let mut record = serde_json::from_str::<Value>(&text).unwrap()[collection][0].clone();
    record["retired"] = json!({"reason": "withdrawn", "replaced_by": null, "note": "A duplicate."});
    record
}

fn agree(kind: FileKind, collection: &str, record: Value) -> (bool, bool) {
    let file = json!({"$schema": "s", collection: [record]});
    let by_schema = validator(kind).is_valid(&file);
    let by_types = match kind {
        FileKind::Actors => serde_json::from_value::<ActorsFile>(file).is_ok(),
        FileKind::Sources => serde_json::from_value::<SourcesFile>(file).is_ok(),
        FileKind::Events => serde_json::from_value::<EventsFile>(file).is_ok(),
        FileKind::Statements => serde_json::from_value::<StatementsFile>(file).is_ok(),
        _ => serde_json::from_value::<PledgesFile>(file).is_ok(),
    };
    (by_schema, by_types)
}

#[test]
fn objects_written_as_arrays_and_names_written_as_maps_are_refused_by_both() {
    for (file, collection, kind) in [
        ("pledges.json", "pledges", FileKind::Pledges),
        ("actors.json", "actors", FileKind::Actors),
        ("sources.json", "sources", FileKind::Sources),
        ("events.json", "events", FileKind::Events),
        ("statements.json", "statements", FileKind::Statements),
    ] {
        let record = fixture_record(file, collection);
        assert_eq!(
            agree(kind, collection, record.clone()),
            (true, true),
            "{file}"
        );
        let Value::Object(fields) = &record else {
            panic!("{file}: a record is an object");
        };
        let mut shapes = vec![reshape(record.clone(), 0)];
        for (key, value) in fields {
            let mut changed = fields.clone();
            match value {
                Value::Object(inner) => {
                    changed.insert(key.clone(), Value::Array(inner.values().cloned().collect()));
                }
                Value::Array(items) if items.first().is_some_and(Value::is_object) => {
                    let inner = items[0].as_object().unwrap();
                    changed[key][0] = Value::Array(inner.values().cloned().collect());
                }
                Value::String(name) if ["kind", "status"].contains(&key.as_str()) => {
                    changed.insert(key.clone(), json!({ name: null }));
                }
                _ => continue,
            }
            shapes.push(Value::Object(changed));
        }
        assert!(shapes.len() >= 3, "{file}: {} shapes", shapes.len());
        for shape in shapes {
            assert_eq!(
                agree(kind, collection, shape.clone()),
                (false, false),
                "{shape}"
            );
        }
    }
}
