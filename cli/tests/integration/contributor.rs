//! The contributor's bookkeeping: `add source`, `quote`, the source's own
//! words in `quote-not-found`, and which dataset `list` and `show` read.

use proptest::prelude::*;
use ukraine_pledges::Code;
use ukraine_pledges::validate::fold_quote_text;
use ukraine_pledges::validate::matcher::best_passage;

use crate::helpers::{Fixture, pledges, stderr, stdout};

fn quote(f: &Fixture, args: &[&str]) -> std::process::Output {
    let data = f.data();
    let archive = f.archive();
    let mut all = vec!["quote"];
    all.extend_from_slice(args);
    all.extend_from_slice(&[
        "--archive",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    pledges(f.tmp.path(), &all)
}

#[test]
fn quote_prints_the_sources_words_despite_case_quote_marks_and_a_wrong_word() {
    let f = Fixture::new();
    let out = quote(
        &f,
        &["report", "france pledged 'two boats' for the black sea"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "France pledged “two ships” for the Black Sea\n"
    );
}

#[test]
fn quote_json_prints_a_json_string() {
    let f = Fixture::new();
    let out = quote(&f, &["report", "once a ceasefire holds", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "\"once a ceasefire holds\"\n");
}

#[test]
fn quote_exits_1_when_no_passage_is_close() {
    let f = Fixture::new();
    let out = quote(
        &f,
        &["report", "Germany sends tanks to the Baltic tomorrow"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no passage"), "{}", stderr(&out));
}

#[test]
fn quote_refuses_an_archived_text_whose_checksum_differs() {
    let f = Fixture::new();
    std::fs::write(f.archive().join("report.txt"), "France pledged two ships").unwrap();
    let out = quote(&f, &["report", "France pledged two ships"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("SHA-256"), "{}", stderr(&out));
}

#[test]
fn quote_refuses_an_unknown_source() {
    let f = Fixture::new();
    let out = quote(&f, &["reprot", "France"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `report`"),
        "{}",
        stderr(&out)
    );
}

fn add(f: &Fixture, file: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let data = f.data();
    let archive = f.archive();
    let mut all = vec!["add", "source", file.to_str().unwrap()];
    all.extend_from_slice(&[
        "--archive",
        archive.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    all.extend_from_slice(extra);
    pledges(f.tmp.path(), &all)
}

#[test]
fn add_source_archives_the_text_and_appends_a_record_that_validates_but_is_unused() {
    let f = Fixture::canonical();
    let text = f.tmp.path().join("Kyiv_Summit-Notes.txt");
    std::fs::write(&text, "\n  Leaders meet in Kyiv  \nThey talked.\n").unwrap();
    let out = add(&f, &text, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "kyiv-summit-notes\n");
    assert!(stderr(&out).contains("reliability"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(f.archive().join("Kyiv_Summit-Notes.txt")).unwrap(),
        std::fs::read(&text).unwrap()
    );
    let sources: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.file("sources.json")).unwrap()).unwrap();
    let added = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "kyiv-summit-notes")
        .expect("record added");
    assert_eq!(added["title"], "Leaders meet in Kyiv");
    assert_eq!(added["publisher"], serde_json::Value::Null);
    assert_eq!(added["reliability"]["grade"], "F");
    assert_eq!(
        added["archive"]["sha256"],
        ukraine_pledges::validate::sha256_hex(&std::fs::read(&text).unwrap())
    );
    let codes: Vec<Code> = f.validate().diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, vec![Code::UnusedRecord]);
    let fmt = pledges(
        f.tmp.path(),
        &["fmt", "--check", f.data().to_str().unwrap()],
    );
    assert_eq!(fmt.status.code(), Some(0), "{}", stdout(&fmt));
}

#[test]
fn add_source_refuses_a_different_file_of_the_same_name_in_the_archive() {
    let f = Fixture::new();
    std::fs::write(f.archive().join("other.txt"), "Archived words").unwrap();
    let text = f.tmp.path().join("other.txt");
    std::fs::write(&text, "Other words").unwrap();
    let before = std::fs::read(f.file("sources.json")).unwrap();
    let out = add(&f, &text, &["--id", "other"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("differs"), "{}", stderr(&out));
    assert_eq!(std::fs::read(f.file("sources.json")).unwrap(), before);
}

#[test]
fn add_source_refuses_an_id_already_present() {
    let f = Fixture::new();
    let text = f.tmp.path().join("new.txt");
    std::fs::write(&text, "Words").unwrap();
    let out = add(&f, &text, &["--id", "report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("exists already"), "{}", stderr(&out));
    assert!(!f.archive().join("new.txt").exists());
}

#[cfg(unix)]
#[test]
fn add_source_refuses_a_symbolic_link() {
    let f = Fixture::new();
    let link = f.tmp.path().join("link.txt");
    std::os::unix::fs::symlink(f.archive().join("report.txt"), &link).unwrap();
    let out = add(&f, &link, &["--id", "linked"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
}

#[test]
fn quote_not_found_hint_shows_the_sources_own_words_and_the_first_difference() {
    let f = Fixture::new();
    f.edit("pledges.json", "\\\"two ships\\\"", "\\\"three ships\\\"");
    let report = f.validate();
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == Code::QuoteNotFound)
        .expect("quote-not-found");
    let hint = d.hint.as_deref().unwrap_or("");
    assert!(
        hint.contains("France pledged “two ships” for the Black Sea"),
        "{hint}"
    );
    assert!(hint.contains("`two` where the quote has `three`"), "{hint}");
}

#[test]
fn list_reads_local_data_when_it_exists_and_says_so() {
    let f = Fixture::new();
    std::fs::rename(f.data(), f.tmp.path().join("data")).unwrap();
    let out = pledges(f.tmp.path(), &["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "reading ./data\n");
    let fixture_ids: serde_json::Value =
        serde_json::from_slice(&std::fs::read(f.tmp.path().join("data/pledges.json")).unwrap())
            .unwrap();
    let first = fixture_ids["pledges"][0]["id"].as_str().unwrap().to_owned();
    assert!(stdout(&out).contains(&first));
    let show = pledges(f.tmp.path(), &["show", &first]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
}

#[test]
fn list_reports_invalid_local_data_instead_of_falling_back() {
    let f = Fixture::new();
    std::fs::rename(f.data(), f.tmp.path().join("data")).unwrap();
    std::fs::write(f.tmp.path().join("data/pledges.json"), "{").unwrap();
    let out = pledges(f.tmp.path(), &["list"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("reading ./data\n"));
}

#[test]
fn list_without_local_data_reads_the_bundled_dataset_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = pledges(dir.path(), &["list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).starts_with("reading the bundled dataset "),
        "{}",
        stderr(&out)
    );
}

/// Texts of words drawn from a few hundred, with the punctuation, quote
/// marks and line breaks contributors get wrong. (A text that repeats a few
/// words thousands of times can tie many alignments; the matcher then
/// scores the first few only: see `validate::matcher`.)
fn words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        (
            prop::sample::select(vec![
                "Ukraine",
                "security",
                "the",
                "of",
                "pledged",
                "“two”",
                "ships,",
                "—",
                "Black",
                "Sea",
                "l’Élysée",
                "and",
                "a",
                "troops",
                "\n",
                "ceasefire.",
            ]),
            0u32..40,
        ),
        1..120,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(w, n)| {
                if w.chars().any(char::is_alphanumeric) {
                    format!("{w}{n}")
                } else {
                    w.to_owned()
                }
            })
            .collect()
    })
}

proptest! {
    /// For any passage taken verbatim from a text, the matcher finds a
    /// passage with the same words, and it passes the validator's check.
    #[test]
    fn a_verbatim_passage_is_found_with_no_edits(text in words(), from in 0usize..120, len in 3usize..20) {
        let from = from % text.len();
        let to = (from + len).min(text.len());
        let source = text.join(" ");
        let passage = text[from..to].join(" ");
        prop_assume!(passage.chars().any(char::is_alphanumeric));
        let found = best_passage(&source, &passage).expect("found");
        prop_assert_eq!(found.edits, 0);
        let printed: String = source[found.range.clone()].split_whitespace().collect::<Vec<_>>().join(" ");
        prop_assert!(fold_quote_text(&source).contains(&fold_quote_text(&printed)));
        // The same words (a repeat elsewhere may differ in punctuation).
        let words = |t: &str| -> Vec<String> {
            t.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
        };
        prop_assert_eq!(words(&printed), words(&passage));
    }

    /// For any text and quote, the matcher never panics and returns a range
    /// of the source on character boundaries.
    #[test]
    fn the_matcher_returns_a_substring_of_any_source(source in "\\PC{0,400}", quote in "\\PC{0,80}") {
        if let Some(p) = best_passage(&source, &quote) {
            prop_assert!(source.get(p.range.clone()).is_some());
            prop_assert!(p.range.start < p.range.end);
        }
    }
}
