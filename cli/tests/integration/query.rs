//! The query API over the bundled dataset, and `pledges list` / `show`.

use ukraine_pledges::Dataset;
use ukraine_pledges::model::{Category, ConditionKind, Status};

use crate::helpers::{Fixture, pledges, root, stderr, stdout};

fn ids<'a>(pledges: impl Iterator<Item = &'a ukraine_pledges::model::Pledge>) -> Vec<&'a str> {
    pledges.map(|p| p.id.as_str()).collect()
}

#[test]
fn actors_are_found_by_any_spelling_case_or_accent() {
    let data = Dataset::bundled();
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
    let data = Dataset::bundled();
    assert!(data.acts_for("mark-rutte", "nato"));
    assert!(!data.acts_for("nato", "mark-rutte"));
    assert_eq!(
        ids(data.pledges_by_actor("germany")),
        [
            "germany-air-force-expansion",
            "germany-cruise-missile-cooperation",
            "germany-infantry-vehicles"
        ]
    );
    assert_eq!(
        ids(data.pledges_by_actor("united-kingdom")),
        ["france-uk-forces-after-peace-deal"]
    );
    // Rutte is named in the multinational force's evidence and acts for NATO.
    assert!(ids(data.pledges_involving("nato")).contains(&"european-led-multinational-force"));
    // The UK Parliament is a condition of the UK's deployment.
    assert_eq!(
        ids(data.pledges_involving("uk-parliament")),
        ["france-uk-forces-after-peace-deal"]
    );
}

#[test]
fn pledges_by_category_status_and_condition() {
    let data = Dataset::bundled();
    assert_eq!(
        ids(data.pledges_with_condition(ConditionKind::Ceasefire)),
        [
            "european-led-multinational-force",
            "long-term-support-for-armed-forces",
            "paris-declaration-guarantees",
            "us-led-truce-monitoring"
        ]
    );
    assert_eq!(
        ids(data.pledges_by_status(Status::Delivered)),
        ["france-artillery-air-defence-training"]
    );
    assert_eq!(
        ids(data.pledges_by_category(Category::TroopDeployment)),
        [
            "european-led-multinational-force",
            "france-uk-forces-after-peace-deal"
        ]
    );
}

#[test]
fn evidence_resolves_to_its_sources_in_order() {
    let data = Dataset::bundled();
    for pledge in data.pledges() {
        let resolved: Vec<_> = data.evidence(pledge).collect();
        assert_eq!(resolved.len(), pledge.evidence.len(), "{}", pledge.id);
        for (evidence, source) in resolved {
            assert_eq!(evidence.source, source.id);
        }
    }
}

#[test]
fn lookups_by_id_use_the_sorted_order() {
    let data = Dataset::bundled();
    assert!(data.pledges().windows(2).all(|w| w[0].id < w[1].id));
    for p in data.pledges() {
        assert_eq!(data.pledge(p.id.as_str()).map(|q| &q.id), Some(&p.id));
    }
    assert!(data.pledge("no-such-pledge").is_none());
    assert_eq!(
        data.actor("france").map(|a| a.name.as_str()),
        Some("France")
    );
    assert!(data.source("macron-hosts-ukraine-and-allies").is_some());
}

#[test]
fn cli_list_filters_and_prints_json_for_scripts() {
    let out = pledges(
        &root(),
        &[
            "list",
            "--actor",
            "Deutschland-typo-germny",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = pledges(
        &root(),
        &[
            "list",
            "--actor",
            "germany",
            "--condition",
            "us_backstop",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [
            "germany-air-force-expansion",
            "germany-cruise-missile-cooperation",
            "germany-infantry-vehicles"
        ]
    );
    let out = pledges(&root(), &["list", "--status", "delivered"]);
    assert_eq!(
        stdout(&out),
        "france-artillery-air-defence-training  delivered         France: artillery, air defence equipment and training delivered\n1 pledge\n"
    );
    let out = pledges(&root(), &["list", "--category", "troop"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "pledges: error: `troop` is not a category; did you mean `troop_deployment`?\n"
    );
}

#[test]
fn cli_show_prints_a_pledge_with_its_evidence_or_exits_1() {
    let out = pledges(&root(), &["show", "germany-infantry-vehicles"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("Germany: 480 infantry vehicles a year for five new brigades\n"));
    assert!(text.contains("quantity:    480 infantry vehicles per year\n"));
    assert!(text.contains("condition:   us_backstop [United States]: Contingent upon U.S. support for the security guarantees.\n"));
    assert!(text.contains("  \"supply 480 infantry vehicles per year to five new brigades\"\n    (western-leaders-convene-in-paris: "));
    let out = pledges(
        &root(),
        &["show", "germany-infantry-vehicle", "--data", "data"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "pledges: error: no pledge has the id `germany-infantry-vehicle`; did you mean `germany-infantry-vehicles`?\n"
    );
    let out = pledges(
        &root(),
        &["show", "us-led-truce-monitoring", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["evidence"][0]["source"]["id"],
        "paris-summit-seeks-to-lock-in-ukraines-future"
    );
}
