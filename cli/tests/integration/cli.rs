//! The `pledges` binary: output and exit codes, pinned.

use crate::helpers::{Fixture, pledges, root, stderr, stdout};

#[test]
fn validate_valid_dataset_exits_0() {
    let fixture = Fixture::new();
    let out = pledges(
        fixture.tmp.path(),
        &[
            "validate",
            "valid",
            "--archive",
            "archive",
            "--deny-warnings",
        ],
    );
    assert_eq!(stdout(&out), "valid: valid\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn validate_human_output_shows_place_line_and_hint() {
    let fixture = Fixture::new();
    fixture.edit(
        "pledges.json",
        "        \"france\"\n",
        "        \"frnce\"\n",
    );
    let out = pledges(fixture.tmp.path(), &["validate", "valid"]);
    assert_eq!(out.status.code(), Some(1));
    let expected = "\
error[unknown-reference]: no actor has the id `frnce`
 --> valid/pledges.json:9:9 at /pledges/0/pledgers/0
  |
9 |         \"frnce\"
  |         ^
  = hint: did you mean `france`?

valid: 1 error, 0 warnings
";
    assert_eq!(stdout(&out), expected);
}

#[test]
fn validate_json_output_is_one_object_with_every_field() {
    let fixture = Fixture::new();
    fixture.edit(
        "pledges.json",
        "\"committed\",\n      \"status_reports\"",
        "\"commited\",\n      \"status_reports\"",
    );
    let out = pledges(
        fixture.tmp.path(),
        &["validate", "valid", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "valid": false,
            "diagnostics": [{
                "code": "invalid-value",
                "severity": "error",
                "file": "valid/pledges.json",
                "line": 16,
                "column": 7,
                "pointer": "/pledges/0/status",
                "message": "`commited` is not one of the allowed values",
                "hint": "did you mean `committed`?"
            }],
            "omitted": []
        })
    );
}

#[test]
fn validate_github_output_is_workflow_commands() {
    let fixture = Fixture::new();
    fixture.edit("actors.json", "\"FR\"", "\"XX\"");
    let out = pledges(
        fixture.tmp.path(),
        &["validate", "valid", "--format", "github"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "::error file=valid/actors.json,line=8,col=7,title=unknown-country::`XX` is not an assigned ISO 3166-1 alpha-2 code (hint: the United Kingdom is `GB`, not `UK`)\n"
    );
}

#[test]
fn deny_warnings_turns_a_warning_into_exit_1() {
    let fixture = Fixture::new();
    fixture.edit(
        "pledges.json",
        "schema/pledges.schema.json",
        "schema/other.json",
    );
    assert_eq!(
        pledges(fixture.tmp.path(), &["validate", "valid"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        pledges(
            fixture.tmp.path(),
            &["validate", "valid", "--deny-warnings"]
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn missing_directory_is_an_io_error_exit_2() {
    let fixture = Fixture::new();
    let out = pledges(fixture.tmp.path(), &["validate", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("pledges: error: no-such-dir: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_file_given_as_the_dataset_directory_is_exit_2() {
    let fixture = Fixture::new();
    let out = pledges(fixture.tmp.path(), &["validate", "valid/pledges.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "pledges: error: valid/pledges.json: not a directory\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let fixture = Fixture::new();
    assert_eq!(
        pledges(fixture.tmp.path(), &["validate", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        pledges(fixture.tmp.path(), &["frobnicate"]).status.code(),
        Some(2)
    );
}

#[test]
fn schema_check_passes_on_the_committed_schemas_and_fails_on_a_stale_one() {
    assert_eq!(
        pledges(&root(), &["schema", "--check", "schema"])
            .status
            .code(),
        Some(0)
    );
    let fixture = Fixture::new();
    let dir = fixture.tmp.path().join("schema");
    assert_eq!(
        pledges(fixture.tmp.path(), &["schema", "--write", "schema"])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(dir.join("pledges.schema.json"), "{}\n").unwrap();
    let out = pledges(fixture.tmp.path(), &["schema", "--check", "schema"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("schema/pledges.schema.json"));
}

#[test]
fn option_like_or_empty_git_revisions_and_out_of_range_numbers_are_usage_errors() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let out_of_git = dir.join("never-written");
    for args in [
        vec!["diff", "--git=--output=never-written", "valid"],
        vec!["diff", "--git", "", "valid"],
        vec!["diff", "--git", "HEAD\nmain", "valid"],
        vec!["check-release", "--git=-p", "valid"],
        vec![
            "generate",
            "--pledges",
            "18446744073709551615",
            "--out",
            "g",
        ],
        vec!["generate", "--pledges", "0", "--out", "g"],
        vec![
            "generate",
            "--pledges",
            "10",
            "--corrupt",
            "1000001",
            "--out",
            "g",
        ],
        vec!["list", "--min-credibility", "0"],
    ] {
        let out = pledges(dir, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!out_of_git.exists());
    assert!(!dir.join("g").exists());
}

#[test]
fn text_from_the_data_never_reaches_the_output_as_controls_or_markup() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    // An id holding a newline, a workflow command and a terminal escape.
    fixture.edit(
        "pledges.json",
        "        \"france\"\n",
        "        \"france\\n::error file=x::pwned\\u001b[31m\"\n",
    );
    for format in ["human", "github"] {
        let out = pledges(dir, &["validate", "valid", "--format", format]);
        assert_eq!(out.status.code(), Some(1));
        let text = stdout(&out);
        assert!(!text.contains('\u{1b}'), "{format}: {text}");
        assert!(
            !text.lines().any(|l| l.starts_with("::error file=x")),
            "{format}: {text}"
        );
        assert!(text.contains("\\u{000A}::error"), "{format}: {text}");
    }

    // A title that is HTML, in the markdown diff of two valid datasets.
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let new = dir.join("new");
    std::fs::create_dir(&new).unwrap();
    for entry in std::fs::read_dir(fixture.data()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), new.join(entry.file_name())).unwrap();
    }
    let pledges_json = new.join("pledges.json");
    let text = std::fs::read_to_string(&pledges_json).unwrap();
    std::fs::write(
        &pledges_json,
        text.replacen(
            "\"France: two ships\"",
            "\"France: <img src=x onerror=alert(1)> [two](javascript:x) ships\"",
            1,
        ),
    )
    .unwrap();
    let out = pledges(dir, &["diff", "valid", "new", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    // Outside code spans it is escaped; inside one, markdown shows it as
    // it is, never as markup.
    assert!(
        text.contains("&lt;img src=x onerror=alert\\(1\\)&gt;"),
        "{text}"
    );
    for markup in ["<img", "](javascript"] {
        for line in text.lines().filter(|l| l.contains(markup)) {
            let (before, _) = line.split_once(markup).unwrap();
            assert_eq!(
                before.matches('`').count() % 2,
                1,
                "outside a code span: {line}"
            );
        }
    }
}

#[test]
fn many_findings_of_one_kind_are_capped_and_long_values_shortened() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let keys: String = (0..120).map(|i| format!("\"extra{i}\": 1, ")).collect();
    fixture.edit(
        "pledges.json",
        "\"id\": \"france-ships\",",
        &format!("{keys}\"id\": \"france-ships\","),
    );
    let human = stdout(&pledges(dir, &["validate", "valid"]));
    assert_eq!(human.matches("error[unknown-field]").count(), 50, "{human}");
    assert!(
        human.contains("… and 70 more `unknown-field` in valid/pledges.json"),
        "{human}"
    );
    let github = stdout(&pledges(dir, &["validate", "valid", "--format", "github"]));
    let errors = github
        .lines()
        .filter(|l| l.starts_with("::error") && l.contains("title=unknown-field::"));
    assert_eq!(errors.count(), 50);
    assert!(
        github.contains("::notice title=unknown-field::70 more"),
        "{github}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&pledges(dir, &["validate", "valid", "--format", "json"]).stdout)
            .unwrap();
    let all = json["diagnostics"].as_array().unwrap();
    assert_eq!(
        all.iter().filter(|d| d["code"] == "unknown-field").count(),
        120
    );
    assert_eq!(json["omitted"], serde_json::json!([]));

    // Past `--max-per-code`, the report counts instead of keeping: the
    // JSON lists that many and counts the rest, and the human format says
    // how many more there were, kept or counted.
    let capped = ["validate", "valid", "--max-per-code", "100"];
    let json: serde_json::Value = serde_json::from_slice(
        &pledges(dir, &[&capped[..], &["--format", "json"]].concat()).stdout,
    )
    .unwrap();
    let kept = json["diagnostics"].as_array().unwrap();
    assert_eq!(
        kept.iter().filter(|d| d["code"] == "unknown-field").count(),
        100
    );
    assert_eq!(
        json["omitted"],
        serde_json::json!([{
            "code": "unknown-field",
            "severity": "error",
            "file": "valid/pledges.json",
            "count": 20
        }])
    );
    let human = stdout(&pledges(dir, &capped));
    assert!(
        human.contains("… and 70 more `unknown-field` in valid/pledges.json"),
        "{human}"
    );
    assert!(human.contains("valid: 120 errors"), "{human}");
    for out_of_range in ["0", "100000001", "-1"] {
        let out = pledges(dir, &["validate", "valid", "--max-per-code", out_of_range]);
        assert_eq!(out.status.code(), Some(2), "{out_of_range}");
    }

    // A 100,000-character id is quoted by its start.
    let fixture = Fixture::new();
    let long = "a".repeat(100_000);
    fixture.edit(
        "pledges.json",
        "        \"france\"\n",
        &format!("        \"{long}\"\n"),
    );
    let out = pledges(fixture.tmp.path(), &["validate", "valid"]);
    let text = stdout(&out);
    assert!(
        text.contains("more characters)"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(text.len() < 20_000, "{} bytes", text.len());
}
