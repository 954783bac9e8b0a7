//! `pledges sync`: the two forms of a dataset brought in step from the one
//! that was edited, and a change made only in the CSV seen by
//! `check-release` and `diff`.

use std::path::Path;

use crate::helpers::{Fixture, pledges, stderr};

fn git(dir: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org"])
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// The fixture with its CSV form in `valid/csv`, committed to git.
fn committed() -> Fixture {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let out = pledges(dir, &["convert", "--to", "csv", "valid", "valid/csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    git(dir, &["init", "-q"]);
    git(dir, &["add", "valid"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    fixture
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from:?} in {}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

fn read(fixture: &Fixture, name: &str) -> String {
    std::fs::read_to_string(fixture.data().join(name)).unwrap()
}

#[test]
fn sync_takes_an_edit_made_only_in_the_csv_into_the_json() {
    let fixture = committed();
    edit(
        &fixture.data().join("csv/pledges.csv"),
        "France: two ships",
        "France: 2 ships",
    );
    let out = pledges(fixture.tmp.path(), &["sync", "valid"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from the CSV form"),
        "{}",
        stderr(&out)
    );
    assert!(read(&fixture, "pledges.json").contains("\"France: 2 ships\""));
    assert!(read(&fixture, "csv/pledges.csv").contains("France: 2 ships"));
}

#[test]
fn sync_takes_an_edit_made_only_in_the_json_into_the_csv() {
    let fixture = committed();
    fixture.edit(
        "pledges.json",
        "\"France: two ships\"",
        "\"France: 2 ships\"",
    );
    let out = pledges(fixture.tmp.path(), &["sync", "valid"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("from the JSON form"),
        "{}",
        stderr(&out)
    );
    assert!(read(&fixture, "csv/pledges.csv").contains("France: 2 ships"));
}

#[test]
fn sync_refuses_two_different_edits_names_the_records_and_writes_nothing() {
    let fixture = committed();
    fixture.edit(
        "pledges.json",
        "\"France: two ships\"",
        "\"France: 2 ships\"",
    );
    edit(
        &fixture.data().join("csv/pledges.csv"),
        "France: two ships",
        "France: II ships",
    );
    let (json, csv) = (
        read(&fixture, "pledges.json"),
        read(&fixture, "csv/pledges.csv"),
    );
    let out = pledges(fixture.tmp.path(), &["sync", "valid"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("both were edited"), "{err}");
    assert!(err.contains("  pledges france-ships\n"), "{err}");
    assert_eq!(read(&fixture, "pledges.json"), json);
    assert_eq!(read(&fixture, "csv/pledges.csv"), csv);
    // Choosing a side resolves it.
    let out = pledges(fixture.tmp.path(), &["sync", "valid", "--from", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(read(&fixture, "pledges.json").contains("\"France: II ships\""));
}

#[test]
fn check_release_and_diff_see_a_change_made_only_in_the_csv() {
    let fixture = committed();
    edit(
        &fixture.data().join("csv/pledges.csv"),
        "France: two ships",
        "France: 2 ships",
    );
    let dir = fixture.tmp.path();
    let out = pledges(dir, &["check-release", "valid", "--git", "HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("run `pledges sync valid` first"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("  pledges france-ships\n"),
        "{}",
        stderr(&out)
    );
    let out = pledges(dir, &["diff", "--git", "HEAD", "valid"]);
    assert!(
        stderr(&out).contains("holds other data than valid"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_stale_csv_hint_names_sync_not_a_command_that_would_overwrite() {
    let fixture = committed();
    edit(
        &fixture.data().join("csv/pledges.csv"),
        "France: two ships",
        "France: 2 ships",
    );
    let out = pledges(
        fixture.tmp.path(),
        &["convert", "--to", "csv", "valid", "valid/csv", "--check"],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = crate::helpers::stdout(&out);
    assert!(text.contains("`pledges sync`"), "{text}");
    assert!(!text.contains("pledges convert"), "{text}");
}
