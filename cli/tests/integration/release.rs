//! `diff` and `check-release`: the versioning rules on real changes.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use ukraine_pledges::Dataset;
use ukraine_pledges::diff::diff;
use ukraine_pledges::release::{Bump, check};

use crate::helpers::{Fixture, pledges, root, stdout};

/// The fixture as `old/`, and a copy as `new/` to change.
struct Versions {
    fixture: Fixture,
}

impl Versions {
    fn new() -> Self {
        let fixture = Fixture::new();
        let new = fixture.tmp.path().join("new");
        std::fs::create_dir(&new).unwrap();
        for entry in std::fs::read_dir(fixture.data()).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), new.join(entry.file_name())).unwrap();
        }
        Self { fixture }
    }
    fn old(&self) -> PathBuf {
        self.fixture.data()
    }
    fn new_dir(&self) -> PathBuf {
        self.fixture.tmp.path().join("new")
    }
    /// Changes one file of the new version as JSON.
    fn change(&self, file: &str, f: impl FnOnce(&mut Value)) {
        let path = self.new_dir().join(file);
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        f(&mut doc);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    }
    fn version(&self, version: &str) {
        self.change("dataset.json", |m| m["version"] = json!(version));
    }
    fn verdict(&self, changelog: &str) -> ukraine_pledges::release::ReleaseCheck {
        let (old, new) = (
            Dataset::load(self.old()).unwrap(),
            Dataset::load(self.new_dir()).unwrap(),
        );
        check(
            &diff(&old, &new),
            &old.manifest().schema_version,
            &new.manifest().schema_version,
            Some(changelog),
        )
    }
}

/// Takes the pledge's beneficiary away, and with it the inference that
/// names it.
fn drop_beneficiary(v: &Versions) {
    v.change("pledges.json", |d| {
        d["pledges"][0]["beneficiary"] = json!(null);
        d["pledges"][0]["inferences"]
            .as_array_mut()
            .unwrap()
            .remove(0);
    });
}

fn add_pledge(v: &Versions) {
    v.change("pledges.json", |d| {
        let mut p = d["pledges"][0].clone();
        p["id"] = json!("france-ships-again");
        p["title"] = json!("France: two more ships");
        d["pledges"].as_array_mut().unwrap().push(p);
    });
}

#[test]
fn an_added_pledge_needs_a_minor_bump() {
    let v = Versions::new();
    add_pledge(&v);
    v.version("1.0.1");
    let verdict = v.verdict("## [Data 1.0.1] - 2026-11-23\n");
    assert_eq!(verdict.required, Some(Bump::Minor));
    assert_eq!(verdict.actual, Some(Bump::Patch));
    assert_eq!(
        verdict.problems,
        ["1.0.0 → 1.0.1 is a patch bump; these changes need a minor bump, to 1.1.0"]
    );
    v.version("1.1.0");
    assert!(
        v.verdict("## [Unreleased]\n\n## [Data 1.1.0] - 2026-11-23\n")
            .is_ok()
    );
}

#[test]
fn a_changed_quote_needs_a_patch_bump() {
    let v = Versions::new();
    v.change("pledges.json", |d| {
        d["pledges"][0]["evidence"][0]["quote"] = json!("France pledged")
    });
    v.version("1.0.1");
    let verdict = v.verdict("## [Data 1.0.1]\n");
    assert_eq!(verdict.required, Some(Bump::Patch));
    assert_eq!(verdict.reasons, ["patch: 1 pledges changed"]);
    assert!(verdict.is_ok(), "{:?}", verdict.problems);
}

#[test]
fn a_deleted_actor_is_rejected_and_a_retired_one_accepted() {
    let v = Versions::new();
    v.change("actors.json", |d| {
        d["actors"].as_array_mut().unwrap().remove(1);
    });
    drop_beneficiary(&v);
    v.version("2.0.0");
    let verdict = v.verdict("## [Data 2.0.0]\n");
    assert_eq!(verdict.required, Some(Bump::Major));
    assert_eq!(verdict.problems.len(), 1);
    assert!(
        verdict.problems[0]
            .starts_with("actors `ukraine` was deleted, but published records are never deleted")
    );

    let v = Versions::new();
    v.change("actors.json", |d| {
        d["actors"][1]["retired"] =
            json!({"reason": "withdrawn", "replaced_by": null, "note": "Entered by mistake."});
    });
    drop_beneficiary(&v);
    v.version("1.1.0");
    let verdict = v.verdict("## [Data 1.1.0]\n");
    assert_eq!(verdict.required, Some(Bump::Minor));
    assert!(verdict.is_ok(), "{:?}", verdict.problems);
}

#[test]
fn a_version_not_bumped_is_rejected_with_the_expected_bump() {
    let v = Versions::new();
    add_pledge(&v);
    let verdict = v.verdict("");
    assert_eq!(
        verdict.problems,
        [
            "the data changed but the version did not go up (1.0.0 → 1.0.0); expected a minor bump, to 1.1.0"
        ]
    );
}

#[test]
fn a_new_version_needs_a_changelog_section() {
    let v = Versions::new();
    add_pledge(&v);
    v.version("1.1.0");
    assert_eq!(
        v.verdict("## [Data 1.0.0]\n").problems,
        ["CHANGELOG.md has no section for data release 1.1.0: add `## [Data 1.1.0] - YYYY-MM-DD`"]
    );
}

#[test]
fn a_data_release_is_not_satisfied_by_a_tool_release_or_an_untagged_heading() {
    let v = Versions::new();
    add_pledge(&v);
    v.version("1.1.0");
    assert_eq!(
        v.verdict("## [Tool 1.1.0] - 2026-12-01\n").problems,
        [
            "CHANGELOG.md has no section for data release 1.1.0: add `## [Data 1.1.0] - YYYY-MM-DD` (`Tool` is a release of the crate, not of the data)"
        ]
    );
    assert_eq!(
        v.verdict("## [1.1.0] - 2026-12-01\n").problems,
        [
            "CHANGELOG.md has no section for data release 1.1.0: add `## [Data 1.1.0] - YYYY-MM-DD` (`## [1.1.0]` does not say whether it is a data or a tool release)"
        ]
    );
    assert!(
        v.verdict("## [Unreleased]\n\n## [Data 1.1.0, Tool 0.3.0] - 2026-12-01\n")
            .is_ok()
    );
}

#[test]
fn cli_check_release_explains_and_exits_1() {
    let v = Versions::new();
    add_pledge(&v);
    let dir = v.fixture.tmp.path();
    std::fs::write(dir.join("CHANGELOG.md"), "## [1.0.0]\n").unwrap();
    let out = pledges(dir, &["check-release", "new", "--base", "valid"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "version 1.0.0 → 1.0.0\nexpected bump: minor, because:\n  - minor: 1 pledges added\nerror: the data changed but the version did not go up (1.0.0 → 1.0.0); expected a minor bump, to 1.1.0\nrelease check failed\n"
    );
    assert_eq!(
        pledges(dir, &["check-release", "new"]).status.code(),
        Some(2),
        "--base or --git is required"
    );
}

/// The markdown diff of two versions, pinned by a golden copy. Set
/// `BLESS=1` to rewrite the golden file after an intended change.
#[test]
fn markdown_diff_matches_the_golden_copy() {
    let v = Versions::new();
    add_pledge(&v);
    v.change("pledges.json", |d| {
        d["pledges"][0]["status"] = json!("delivered");
        d["pledges"][0]["status_reports"][0]["status"] = json!("delivered");
        d["pledges"][0]["evidence"][0]["quote"] =
            json!("France pledged \"two ships\" | for the Black Sea");
    });
    v.change("actors.json", |d| {
        d["actors"][0]["aliases"] = json!(["French Republic"]);
    });
    v.version("1.1.0");
    let out = pledges(
        v.fixture.tmp.path(),
        &["diff", "valid", "new", "--format", "markdown"],
    );
    assert_eq!(out.status.code(), Some(0));
    let golden: &Path = &root().join("tests/golden/diff.md");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(golden, &out.stdout).unwrap();
    }
    assert_eq!(stdout(&out), std::fs::read_to_string(golden).unwrap());
}

#[test]
fn diff_reads_the_old_side_from_git() {
    let v = Versions::new();
    let dir = v.fixture.tmp.path();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "valid"]);
    git(&["commit", "-q", "-m", "old"]);
    // The status and the report it follows.
    v.fixture.edit(
        "pledges.json",
        "\"committed\",\n      \"status_reports\"",
        "\"delivered\",\n      \"status_reports\"",
    );
    v.fixture.edit(
        "pledges.json",
        "\"committed\",\n          \"as_of\"",
        "\"delivered\",\n          \"as_of\"",
    );
    let out = pledges(dir, &["diff", "--git", "HEAD", "valid"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "dataset 1.0.0 → 1.0.0\n~ pledges france-ships: France: two ships\n    status: committed → delivered\n    status_reports: [{\"source\":\"report\",\"status\":\"committed\",\"as_of\":null,\"event\":null,\"note\":null}] → [{\"source\":\"report\",\"status\":\"delivered\",\"as_of\":null,\"event\":null,\"note\":null}]\n"
    );
    assert_eq!(
        pledges(dir, &["diff", "--git", "no-such-rev", "valid"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn the_workflow_runs_ci_and_ci_runs_the_readme_test_command() {
    let workflow = std::fs::read_to_string(root().join(".github/workflows/validate.yml")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(workflow.contains("run: bash .ci/run"));
    assert!(readme.contains("cargo test                           # run the test suite"));
    assert!(ci.lines().any(|l| l == "cargo test"));
    assert!(readme.contains("cargo run --release -- validate      # check the shipped dataset"));
}

#[test]
fn diff_and_check_release_compare_an_older_schema_version_as_json_and_say_so() {
    let v = Versions::new();
    // The old side as an older schema version wrote it: a field since
    // renamed, and the old version number.
    let old = v.old();
    let edit = |name: &str, f: &dyn Fn(&mut Value)| {
        let path = old.join(name);
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        f(&mut doc);
        std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
    };
    edit("dataset.json", &|m| m["schema_version"] = json!("0.1.0"));
    edit("pledges.json", &|d| {
        let p = d["pledges"][0].as_object_mut().unwrap();
        p.remove("roles");
        p.insert("involved".to_owned(), json!([]));
    });
    let out = pledges(
        v.fixture.tmp.path(),
        &["diff", "valid", "new", "--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::helpers::stderr(&out)
    );
    assert!(
        crate::helpers::stderr(&out)
            .contains("the old side follows schema version 0.1.0, and this tool reads 0.2.0"),
        "{}",
        crate::helpers::stderr(&out)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fields: Vec<&str> = json["pledges"]["changed"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    // The renamed field, on both sides; the new side's defaulted fields too.
    assert!(
        fields.contains(&"roles") && fields.contains(&"involved"),
        "{fields:?}"
    );
    assert_eq!(json["manifest"][0]["field"], "schema_version");
    // The versioning rules see the schema change.
    v.version("2.0.0");
    let out = pledges(
        v.fixture.tmp.path(),
        &[
            "check-release",
            "--base",
            "valid",
            "new",
            "--changelog",
            "/dev/null",
        ],
    );
    assert!(
        stdout(&out).contains("schema version 0.1.0 → 0.2.0"),
        "{}",
        stdout(&out)
    );
}
