//! The query API and `pledges list` / `show`, on a made-up dataset
//! (`tests/fixtures/query/`), never on the shipped data.

use std::path::PathBuf;

use ukraine_pledges::Dataset;
use ukraine_pledges::model::{Category, ConditionKind, Status};

use crate::helpers::{Fixture, pledges, root, stderr, stdout};

/// The query fixture's directory.
fn query_dir() -> PathBuf {
    root().join("tests/fixtures/query")
}

fn query_data() -> Dataset {
    Dataset::load(query_dir()).expect("the query fixture is valid")
}

/// `pledges ARGS --data tests/fixtures/query`, run from the repository root.
fn on_query_data(args: &[&str]) -> std::process::Output {
    let mut args = args.to_vec();
    args.extend(["--data", "tests/fixtures/query"]);
    pledges(&root(), &args)
}

/// The ids `pledges list --format json` printed.
fn listed_ids(out: &std::process::Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

fn ids<'a>(pledges: impl Iterator<Item = &'a ukraine_pledges::model::Pledge>) -> Vec<&'a str> {
    pledges.map(|p| p.id.as_str()).collect()
}

#[test]
fn actors_are_found_by_any_spelling_case_or_accent() {
    let data = query_data();
    for name in [
        "zelensky",
        "Zelenskyy",
        "VOLODYMYR ZELENSKY",
        "volodymyr-zelenskyy",
        "  Zelensky  ",
    ] {
        assert_eq!(
            data.actor_by_alias(name).map(|a| a.id.as_str()),
            Some("volodymyr-zelenskyy"),
            "{name}"
        );
    }
    assert_eq!(
        data.actor_by_alias("u.s.").map(|a| a.id.as_str()),
        Some("united-states")
    );
    assert_eq!(
        data.actor_by_alias("Kyiv").map(|a| a.id.as_str()),
        Some("ukraine")
    );
    assert_eq!(data.actor_by_alias("Atlantis"), None);
}

#[test]
fn diacritics_are_ignored_in_lookups() {
    let fixture = Fixture::new();
    fixture.edit("actors.json", "\"Kyiv\"", "\"Kyïv\"");
    let data = Dataset::load(fixture.data()).unwrap();
    assert_eq!(
        data.actor_by_alias("kyiv").map(|a| a.id.as_str()),
        Some("ukraine")
    );
}

#[test]
fn pledges_by_actor_include_those_made_through_an_affiliation() {
    let data = query_data();
    assert!(data.acts_for("mark-rutte", "nato"));
    assert!(!data.acts_for("nato", "mark-rutte"));
    assert_eq!(
        ids(data.pledges_by_actor("germany")),
        [
            "germany-air-defence",
            "germany-past-deliveries",
            "germany-vehicles"
        ]
    );
    // Rutte pledges for NATO.
    assert_eq!(ids(data.pledges_by_actor("nato")), ["no-veto"]);
    assert_eq!(ids(data.pledges_by_actor("ukraine")), Vec::<&str>::new());
    // Named among the involved, or as the actor a condition depends on.
    assert!(ids(data.pledges_involving("nato")).contains(&"multinational-force"));
    assert_eq!(
        ids(data.pledges_involving("uk-parliament")),
        ["multinational-force"]
    );
}

#[test]
fn pledges_by_category_status_and_condition() {
    let data = query_data();
    assert_eq!(
        ids(data.pledges_with_condition(ConditionKind::Ceasefire)),
        ["multinational-force", "truce-monitoring"]
    );
    assert_eq!(
        ids(data.pledges_by_status(Status::Delivered)),
        ["germany-past-deliveries"]
    );
    assert_eq!(
        ids(data.pledges_by_category(Category::TroopDeployment)),
        ["multinational-force"]
    );
}

#[test]
fn evidence_resolves_to_its_sources_in_order() {
    for data in [query_data(), Dataset::bundled().clone()] {
        for pledge in data.pledges() {
            let resolved: Vec<_> = data.evidence(pledge).collect();
            assert_eq!(resolved.len(), pledge.evidence.len(), "{}", pledge.id);
            for ((evidence, source), cited) in resolved.into_iter().zip(&pledge.evidence) {
                assert_eq!(evidence, cited);
                assert_eq!(evidence.source, source.id);
            }
        }
    }
}

#[test]
fn lookups_by_id_use_the_sorted_order() {
    for data in [query_data(), Dataset::bundled().clone()] {
        assert!(data.pledges().windows(2).all(|w| w[0].id < w[1].id));
        for p in data.pledges() {
            assert_eq!(data.pledge(p.id.as_str()).map(|q| &q.id), Some(&p.id));
        }
        for a in data.actors() {
            assert_eq!(data.actor(a.id.as_str()), Some(a));
        }
        for s in data.sources() {
            assert_eq!(data.source(s.id.as_str()), Some(s));
        }
        assert!(data.pledge("no-such-pledge").is_none());
    }
}

#[test]
fn cli_list_filters_and_prints_json_for_scripts() {
    let out = on_query_data(&["list", "--actor", "germny-typo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let out = on_query_data(&[
        "list",
        "--actor",
        "Deutschland",
        "--condition",
        "us_backstop",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let listed = listed_ids(&out);
    assert_eq!(listed, ["germany-air-defence", "germany-vehicles"]);
    let out = on_query_data(&["list", "--status", "delivered"]);
    assert_eq!(
        stdout(&out),
        "germany-past-deliveries  delivered         3   Germany: equipment delivered\n1 pledge\n\
         (the number is how credible each pledge's least attested claim is: 1 confirmed to 6 cannot be judged)\n"
    );
    let out = on_query_data(&["list", "--category", "troop"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "reading tests/fixtures/query\npledges: error: `troop` is not a category; did you mean `troop_deployment`?\n"
    );
}

#[test]
fn cli_list_shows_contested_claims_and_filters_by_credibility() {
    let out = on_query_data(&["list", "--contested"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("multinational-force  proposed          3*  A multinational force after a ceasefire\n1 pledge\n"), "{text}");
    assert!(text.contains("* the sources disagree on a claim"), "{text}");
    // Only pledges whose every claim is attested at 2 or better.
    let out = on_query_data(&["list", "--min-credibility", "2", "--format", "json"]);
    let listed = listed_ids(&out);
    assert_eq!(listed, ["germany-vehicles"]);
    // 6 admits every pledge; 7 is outside the scale, a usage error.
    let out = on_query_data(&["list", "--min-credibility", "6"]);
    assert!(stdout(&out).contains("\n6 pledges\n"));
    let out = on_query_data(&["list", "--min-credibility", "7"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pledge_credibility_is_its_least_attested_claim_and_contested_claims_have_both_stances() {
    let data = query_data();
    let pledge = |id: &str| data.pledge(id).unwrap();
    let force = pledge("multinational-force");
    assert_eq!(force.contested_claims(), ["/conditions/0"]);
    assert_eq!(
        force.claim_credibility("/conditions/0").map(|c| c.get()),
        Some(3)
    );
    assert_eq!(force.credibility().get(), 3);
    let vehicles = pledge("germany-vehicles");
    assert!(vehicles.contested_claims().is_empty());
    assert_eq!(vehicles.credibility().get(), 2);
    assert_eq!(vehicles.claim_count(), vehicles.claims().count());
    for (i, claim) in vehicles.claims().enumerate() {
        assert_eq!(vehicles.claim_index(&claim), Some(i), "{claim}");
    }
    assert_eq!(vehicles.claim_index("/roles/0"), None);
    assert_eq!(vehicles.claim_index("/status/0"), None);
    assert_eq!(vehicles.claim_index("/pledgers"), None);
}

#[test]
fn cli_list_without_data_lists_the_bundled_dataset() {
    let out = pledges(&root(), &["list"]);
    assert_eq!(out.status.code(), Some(0));
    let count = Dataset::bundled().pledges().len();
    assert!(
        stdout(&out).contains(&format!("\n{count} pledges\n")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn cli_show_prints_a_pledge_with_its_evidence_or_exits_1() {
    let out = on_query_data(&["show", "germany-vehicles"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("Germany: 480 vehicles a year\n============================\n"));
    assert!(text.contains("pledged by:  Germany\n"));
    assert!(text.contains("quantity:    480 vehicles per year (count)\n"));
    assert!(text.contains("condition:   us_backstop [United States]: Only with US support.\n"));
    assert!(text.contains(
        "  \"Germany: 480 vehicles a year\"\n    supports /pledgers/0 /beneficiary /categories/0 /status_reports/0 /conditions/0 /quantities/0, credibility 2 (probably true)\n    (query-report: A report made up for the query tests; source graded F: unattributed_text)\n"
    ), "{text}");
    assert!(text.contains("credibility: 2 (probably true), its least attested claim\n"));
    let out = on_query_data(&["show", "multinational-force"]);
    let text = stdout(&out);
    assert!(
        text.contains("role:        announcer: Volodymyr Zelenskyy\n"),
        "{text}"
    );
    assert!(
        text.contains("contested:   /conditions/0 (the sources disagree)\n"),
        "{text}"
    );
    assert!(
        text.contains("    contradicts /conditions/0, credibility 4 (doubtful)\n"),
        "{text}"
    );
    let out = on_query_data(&["show", "germany-vehicle"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "reading tests/fixtures/query\npledges: error: no pledge, event or statement has the id `germany-vehicle`; did you mean `germany-vehicles`?\n"
    );
    let out = on_query_data(&["show", "truce-monitoring", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["pledge"]["id"], "truce-monitoring");
    assert_eq!(json["evidence"][0]["source"]["id"], "query-report");
    assert_eq!(json["evidence"][0]["stance"], "supports");
    assert_eq!(json["evidence"][0]["source"]["reliability"]["grade"], "F");
    assert_eq!(json["credibility"], 3);
    assert_eq!(json["contested"], serde_json::json!([]));
}
