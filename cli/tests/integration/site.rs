//! `pledges site`: a page per record, links that resolve, highlights that
//! wrap the quotes, escaping, charts that count the data, pagination, and
//! a target directory that is never half written nor overwritten unasked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use html5gum::{Token, Tokenizer};
use ukraine_pledges::Dataset;
use ukraine_pledges::model::{Attested, ConditionKind};
use ukraine_pledges::validate::{fold_quote_text, locate_quote};

use crate::helpers::{Fixture, pledges, root, stderr};

/// One parsed page: the ids it defines, the links it makes (attribute
/// `href` or `src`) and its tokens.
struct Page {
    ids: HashSet<String>,
    links: Vec<String>,
    tokens: Vec<Token>,
}

fn attr(tag: &html5gum::StartTag<()>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(&v.value).into_owned())
}

fn parse(html: &str) -> Page {
    let tokens: Vec<Token> = Tokenizer::new(html).flatten().collect();
    let mut ids = HashSet::new();
    let mut links = Vec::new();
    for t in &tokens {
        if let Token::StartTag(tag) = t {
            if let Some(id) = attr(tag, "id") {
                assert!(ids.insert(id.clone()), "duplicate id {id}");
            }
            links.extend(attr(tag, "href"));
            links.extend(attr(tag, "src"));
        }
    }
    Page { ids, links, tokens }
}

/// Every file of the site, by its path from the root.
fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, p);
            }
        }
    }
    out
}

/// Parses every page, checks that every internal link and `#anchor`
/// resolves, and returns the pages.
fn check_links(dir: &Path) -> HashMap<String, Page> {
    let all = files(dir);
    let pages: HashMap<String, Page> = all
        .iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, p)| (rel.clone(), parse(&std::fs::read_to_string(p).unwrap())))
        .collect();
    for (rel, page) in &pages {
        let base: Vec<&str> = rel.split('/').collect();
        for link in &page.links {
            assert!(
                !link.starts_with("http:")
                    && !link.starts_with("https:")
                    && !link.starts_with("//"),
                "{rel}: a link off the site: {link}"
            );
            let (path, fragment) = link.split_once('#').unwrap_or((link, ""));
            let target = if path.is_empty() {
                rel.clone()
            } else {
                let mut parts: Vec<&str> = base[..base.len() - 1].to_vec();
                for seg in path.split('/') {
                    match seg {
                        ".." => {
                            assert!(parts.pop().is_some(), "{rel}: {link} leaves the site");
                        }
                        "." | "" => {}
                        s => parts.push(s),
                    }
                }
                parts.join("/")
            };
            assert!(all.contains_key(&target), "{rel}: {link}: no file {target}");
            if !fragment.is_empty() {
                let ids = &pages[&target].ids;
                assert!(
                    ids.contains(fragment),
                    "{rel}: {link}: no #{fragment} in {target}"
                );
            }
        }
    }
    pages
}

/// Builds the site of `data` (with `archive`) into `out` and returns
/// `out`; panics unless the command succeeds.
fn build(dir: &Path, data: &Path, archive: Option<&Path>, out: &Path) -> PathBuf {
    let mut args = vec![
        "site".to_owned(),
        "--data".to_owned(),
        data.display().to_string(),
        "--out".to_owned(),
        out.display().to_string(),
    ];
    if let Some(a) = archive {
        args.extend(["--archive".to_owned(), a.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = pledges(dir, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    out.to_path_buf()
}

/// The text of a passage on a source page: from its `<mark id="qN">` to
/// the reference link after its end (overlapping passages continue in
/// other marks).
fn passage_text(page: &Page, n: usize) -> String {
    let id = format!("q{n}");
    let start = page
        .tokens
        .iter()
        .position(|t| matches!(t, Token::StartTag(tag) if attr(tag, "id").as_deref() == Some(id.as_str())))
        .unwrap_or_else(|| panic!("no #{id}"));
    let end_ref = format!("#passage-{n}");
    let mut text = String::new();
    let mut sup = 0;
    for t in &page.tokens[start..] {
        match t {
            Token::StartTag(tag) if tag.name.as_slice() == b"sup" => sup += 1,
            Token::StartTag(tag) if attr(tag, "href").as_deref() == Some(end_ref.as_str()) => break,
            Token::EndTag(tag) if tag.name.as_slice() == b"sup" => sup -= 1,
            Token::String(s) if sup == 0 => text.push_str(&String::from_utf8_lossy(&s.value)),
            _ => {}
        }
    }
    text
}

/// The test fixture's site, built with its archive: the fixture, the
/// site's directory, the dataset and the pages, their links checked.
fn fixture_site() -> (Fixture, PathBuf, Dataset, HashMap<String, Page>) {
    let fixture = Fixture::new();
    let out = build(
        fixture.tmp.path(),
        &fixture.data(),
        Some(&fixture.archive()),
        &fixture.tmp.path().join("site"),
    );
    let data = Dataset::load(fixture.data()).unwrap();
    let pages = check_links(&out);
    (fixture, out, data, pages)
}

#[test]
fn a_page_per_record_whose_links_all_resolve() {
    let (_fixture, out, data, pages) = fixture_site();
    let expect = data
        .pledges()
        .iter()
        .map(|p| format!("pledges/{}.html", p.id))
        .chain(
            data.actors()
                .iter()
                .map(|a| format!("actors/{}.html", a.id)),
        )
        .chain(
            data.sources()
                .iter()
                .map(|s| format!("sources/{}.html", s.id)),
        )
        .chain(
            data.events()
                .iter()
                .map(|e| format!("events/{}.html", e.id)),
        )
        .chain(
            data.statements()
                .iter()
                .map(|s| format!("statements/{}.html", s.id)),
        );
    for path in expect {
        assert!(pages.contains_key(&path), "no page {path}");
    }
    for (rel, page) in &pages {
        let h1 = page
            .tokens
            .iter()
            .filter(|t| matches!(t, Token::StartTag(tag) if tag.name.as_slice() == b"h1"))
            .count();
        assert_eq!(h1, 1, "{rel}: one h1");
        assert!(
            page.ids.contains("main"),
            "{rel}: a main landmark to skip to"
        );
    }
    assert!(out.join(ukraine_pledges::site::MARKER).is_file());
}

#[test]
fn evidence_links_to_its_highlight_which_wraps_the_quote_and_links_back() {
    let (fixture, _out, data, pages) = fixture_site();
    let checked = check_highlights(&pages, &data, &fixture.archive());
    assert!(checked >= 2, "the fixture has evidence to check");
}

/// Checks that each quote of every record links to its highlight, that
/// the highlight wraps exactly the quoted words of the archived text, and
/// that the passage links back; returns how many quotes it checked.
fn check_highlights(pages: &HashMap<String, Page>, data: &Dataset, archive: &Path) -> usize {
    let mut checked = 0;
    let records = data
        .pledges()
        .iter()
        .map(|p| ("pledges", p.id.as_str(), p.evidence()))
        .chain(
            data.events()
                .iter()
                .map(|e| ("events", e.id.as_str(), e.evidence())),
        )
        .chain(
            data.statements()
                .iter()
                .map(|s| ("statements", s.id.as_str(), s.evidence())),
        );
    for (dir, id, evidence) in records {
        let page = &pages[&format!("{dir}/{id}.html")];
        for (j, e) in evidence.iter().enumerate() {
            let prefix = format!("../sources/{}.html#q", e.source);
            // The evidence item's own link (the n-th item's anchor).
            let own_links = item_links(page, &format!("evidence-{}", j + 1));
            let to_mark = own_links
                .iter()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("{dir}/{id}: evidence {j} has no highlight link"));
            let n: usize = to_mark[prefix.len()..].parse().unwrap();
            let source_page = &pages[&format!("sources/{}.html", e.source)];
            // The highlight wraps exactly the quoted words of the source.
            let text = std::fs::read_to_string(
                archive.join(
                    data.source(e.source.as_str())
                        .unwrap()
                        .archive
                        .file
                        .as_str(),
                ),
            )
            .unwrap();
            let range = locate_quote(&text, e.quote.as_str()).unwrap();
            let marked = passage_text(source_page, n);
            assert_eq!(marked, text[range]);
            assert_eq!(fold_quote_text(&marked), fold_quote_text(e.quote.as_str()));
            // And the passage list links back to this evidence item.
            let back = format!("../{dir}/{id}.html#evidence-{}", j + 1);
            assert!(
                item_links(source_page, &format!("passage-{n}")).contains(&back),
                "sources/{}: passage {n} does not link back to {back}",
                e.source
            );
            checked += 1;
        }
    }
    checked
}

/// The links inside the element with `id`.
fn item_links(page: &Page, id: &str) -> Vec<String> {
    let start = page
        .tokens
        .iter()
        .position(|t| matches!(t, Token::StartTag(tag) if attr(tag, "id").as_deref() == Some(id)))
        .unwrap_or_else(|| panic!("no #{id}"));
    let mut depth = 0;
    let mut links = Vec::new();
    for t in &page.tokens[start..] {
        match t {
            Token::StartTag(tag) => {
                links.extend(attr(tag, "href"));
                if !matches!(tag.name.as_slice(), b"br" | b"input" | b"meta" | b"link") {
                    depth += 1;
                }
            }
            Token::EndTag(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    links
}

/// The hostile fixture: titles, names, notes, conditions and a quote full
/// of markup, quote marks and ampersands.
const HOSTILE: &str = "<script>alert(\"x&y\")</script> 'q' </mark> <b onmouseover=alert(1)> &amp;";

#[test]
fn text_from_the_data_is_never_markup() {
    let hostile = root().join("tests/fixtures/hostile");
    let tmp = tempfile::tempdir().unwrap();
    let out = build(
        tmp.path(),
        &hostile.join("data"),
        Some(&hostile.join("archive")),
        &tmp.path().join("site"),
    );
    let mut seen_in_data_files = 0;
    for (rel, path) in files(&out) {
        let text = std::fs::read_to_string(&path).unwrap();
        for bad in [
            "<script>alert",
            "<b onmouseover",
            "'q' </mark>",
            "\"x&y\"",
            "x&y",
        ] {
            assert!(!text.contains(bad), "{rel} holds `{bad}` unescaped");
        }
        if rel.starts_with("data/") {
            for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
                assert!(!text.contains(bad), "{rel} holds {bad:?} in its JSON");
            }
            // The JSON still says what the data says.
            let json = text
                .split_once('(')
                .and_then(|(_, rest)| rest.rsplit_once(')'))
                .map(|(args, _)| {
                    args.trim_start_matches(|c: char| c.is_ascii_digit() || c == ',' || c == ' ')
                })
                .unwrap();
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            if strings(&value).iter().any(|s| s.contains(HOSTILE)) {
                seen_in_data_files += 1;
            }
        }
    }
    assert!(
        seen_in_data_files >= 1,
        "the hostile titles are in the filter data, escaped"
    );
    // Read back, the pages say what the data say, and the overlapping
    // quotes are highlighted in well-nested marks.
    let pages = check_links(&out);
    let data = Dataset::load(hostile.join("data")).unwrap();
    assert!(check_highlights(&pages, &data, &hostile.join("archive")) >= 4);
    for (rel, page) in &pages {
        let mut open: Vec<Vec<u8>> = Vec::new();
        for t in &page.tokens {
            match t {
                Token::StartTag(tag)
                    if !matches!(tag.name.as_slice(), b"meta" | b"link" | b"br" | b"input") =>
                {
                    open.push(tag.name.to_vec());
                }
                Token::EndTag(tag) => {
                    assert_eq!(
                        open.pop().as_deref(),
                        Some(tag.name.as_slice()),
                        "{rel}: not well nested"
                    );
                }
                _ => {}
            }
        }
    }
    let source = std::fs::read_to_string(out.join("sources/report.html")).unwrap();
    assert!(
        source.contains("<mark class=\"cont\">"),
        "the crossing quotes continue in a mark"
    );
    let pledge = &data.pledges()[0];
    let page = &pages[&format!("pledges/{}.html", pledge.id)];
    let h1 = page
        .tokens
        .iter()
        .position(|t| matches!(t, Token::StartTag(tag) if tag.name.as_slice() == b"h1"))
        .unwrap();
    let Token::String(title) = &page.tokens[h1 + 1] else {
        panic!("a title")
    };
    assert_eq!(String::from_utf8_lossy(&title.value), pledge.title.as_str());
    assert!(pledge.title.as_str().contains(HOSTILE));
    // An attribute holding a hostile name (the pledger suggestions) reads back whole.
    let index = &pages["index.html"];
    let france = data.actor("france").unwrap().name.as_str();
    assert!(index.tokens.iter().any(|t| matches!(t, Token::StartTag(tag)
        if tag.name.as_slice() == b"option" && attr(tag, "value").as_deref() == Some(france))));
}

/// Every string in `value`.
fn strings(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(items) => items.iter().flat_map(strings).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// The first column's text and the last column's number of each row of
/// the table with `id`.
fn table_totals(page: &Page, id: &str) -> BTreeMap<String, usize> {
    let start = page
        .tokens
        .iter()
        .position(|t| matches!(t, Token::StartTag(tag) if attr(tag, "id").as_deref() == Some(id)))
        .unwrap_or_else(|| panic!("no table #{id}"));
    let mut rows = BTreeMap::new();
    let mut in_body = false;
    let mut cells: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for t in &page.tokens[start..] {
        match t {
            Token::StartTag(tag) if tag.name.as_slice() == b"tbody" => in_body = true,
            Token::EndTag(tag) if tag.name.as_slice() == b"tbody" => break,
            Token::StartTag(tag) if in_body && matches!(tag.name.as_slice(), b"td" | b"th") => {
                cell = Some(String::new());
            }
            Token::EndTag(tag) if in_body && matches!(tag.name.as_slice(), b"td" | b"th") => {
                cells.extend(cell.take());
            }
            Token::EndTag(tag) if in_body && tag.name.as_slice() == b"tr" => {
                let total = cells.last().unwrap().trim().parse().unwrap();
                rows.insert(cells[0].trim().to_owned(), total);
                cells.clear();
            }
            Token::String(s) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&String::from_utf8_lossy(&s.value));
                }
            }
            _ => {}
        }
    }
    rows
}

#[test]
fn the_charts_count_what_the_data_holds() {
    // A generated dataset has every status, category and condition.
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("gen");
    let output = pledges(
        tmp.path(),
        &[
            "generate",
            "--pledges",
            "300",
            "--out",
            generated.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = build(tmp.path(), &generated, None, &tmp.path().join("site"));
    let data = Dataset::load(&generated).unwrap();
    let pages = check_links(&out);
    let charts = &pages["charts.html"];
    let words = |s: &str| s.replace('_', " ");
    let status = table_totals(charts, "by-status-table");
    for (label, total) in &status {
        let n = data
            .pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| words(p.status.as_str()) == *label)
            .count();
        assert_eq!(*total, n, "status {label}");
    }
    assert_eq!(
        status.values().sum::<usize>(),
        data.pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .count()
    );
    let category = table_totals(charts, "by-category-table");
    for (label, total) in &category {
        let n = data
            .pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| p.categories.iter().any(|c| words(c.as_str()) == *label))
            .count();
        assert_eq!(*total, n, "category {label}");
    }
    let dependence = table_totals(charts, "dependence-table");
    let with = |kind| {
        data.pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| p.conditions.iter().any(|c| c.kind == kind))
            .count()
    };
    assert_eq!(
        dependence["conditional on a ceasefire"],
        with(ConditionKind::Ceasefire)
    );
    assert_eq!(
        dependence["conditional on a peace agreement"],
        with(ConditionKind::PeaceAgreement)
    );
    assert_eq!(
        dependence["no condition reported"],
        data.pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| p.conditions.is_empty())
            .count()
    );
    let by_pledger = table_totals(charts, "credibility-by-pledger-table");
    for (name, total) in &by_pledger {
        let actor = data
            .actors()
            .iter()
            .find(|a| a.name.as_str() == name)
            .unwrap();
        let n = data
            .pledges()
            .iter()
            .filter(|p| p.retired.is_none())
            .filter(|p| p.pledgers.contains(&actor.id))
            .count();
        assert_eq!(*total, n, "pledger {name}");
    }
    // Each chart is an image with a title and a description.
    let svgs = charts
        .tokens
        .iter()
        .filter(|t| matches!(t, Token::StartTag(tag) if tag.name.as_slice() == b"svg" && attr(tag, "role").as_deref() == Some("img")))
        .count();
    assert_eq!(svgs, 4);
}

#[test]
fn the_index_is_paged_and_its_filter_data_chunked() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("gen");
    let n = ukraine_pledges::site::PAGE_SIZE * 2 + 7;
    let output = pledges(
        tmp.path(),
        &[
            "generate",
            "--pledges",
            &n.to_string(),
            "--out",
            generated.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = build(tmp.path(), &generated, None, &tmp.path().join("site"));
    let pages = check_links(&out);
    let rows = |page: &Page| {
        let mut in_body = false;
        let mut count = 0;
        for t in &page.tokens {
            match t {
                Token::StartTag(tag) if tag.name.as_slice() == b"tbody" => in_body = true,
                Token::EndTag(tag) if tag.name.as_slice() == b"tbody" => in_body = false,
                Token::StartTag(tag) if in_body && tag.name.as_slice() == b"tr" => count += 1,
                _ => {}
            }
        }
        count
    };
    assert_eq!(rows(&pages["index.html"]), ukraine_pledges::site::PAGE_SIZE);
    assert_eq!(
        rows(&pages["lists/pledges-2.html"]),
        ukraine_pledges::site::PAGE_SIZE
    );
    assert_eq!(rows(&pages["lists/pledges-3.html"]), 7);
    assert!(!pages.contains_key("lists/pledges-4.html"));
    assert!(
        pages["index.html"]
            .links
            .contains(&"lists/pledges-2.html".to_owned())
    );
    assert!(
        pages["index.html"]
            .links
            .contains(&"assets/site.js".to_owned())
    );
    // The script's data: the code lists and one chunk of every pledge.
    let chunk = std::fs::read_to_string(out.join("data/pledges-0.js")).unwrap();
    assert_eq!(chunk.matches("\"pledge-").count(), n);
    assert!(out.join("data/meta.js").is_file());
}

#[test]
fn a_directory_that_is_not_a_site_is_refused_without_force() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let out = dir.join("site");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let args = ["site", "--data", "valid", "--out", "site"];
    let output = pledges(dir, &args);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--force"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(out.join("keep.txt")).unwrap(),
        "mine"
    );
    // Forced, the directory is replaced by the site.
    let output = pledges(
        dir,
        &["site", "--data", "valid", "--out", "site", "--force"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!out.join("keep.txt").exists());
    assert!(out.join("index.html").is_file());
    // A previous site is replaced without --force; staging left by a
    // killed run is removed.
    let leftover = dir.join(".pledges-site-staging-site-999999");
    std::fs::create_dir(&leftover).unwrap();
    std::fs::write(leftover.join("index.html"), "half").unwrap();
    let output = pledges(dir, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!leftover.exists());
    let names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".pledges-site"))
        .collect();
    assert_eq!(names, Vec::<String>::new(), "no staging is left behind");
}

#[test]
fn the_site_never_replaces_what_it_is_built_from() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    for out in ["valid", "archive", "."] {
        let output = pledges(
            dir,
            &[
                "site",
                "--data",
                "valid",
                "--archive",
                "archive",
                "--out",
                out,
                "--force",
            ],
        );
        assert_eq!(output.status.code(), Some(2), "{out}: {}", stderr(&output));
        assert!(fixture.file("pledges.json").is_file());
        assert!(fixture.archive().join("report.txt").is_file());
    }
}

#[test]
fn invalid_data_or_a_mismatched_archive_writes_nothing() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    // A quote the archive does not hold: exit 1, with the validator's report.
    let archive = fixture.archive().join("report.txt");
    let text = std::fs::read_to_string(&archive).unwrap();
    std::fs::write(&archive, text.replace("two   ships", "three ships")).unwrap();
    let output = pledges(
        dir,
        &[
            "site",
            "--data",
            "valid",
            "--archive",
            "archive",
            "--out",
            "site",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("archive-checksum"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("site").exists());
    // Invalid data: exit 1.
    fixture.edit(
        "pledges.json",
        "\"committed\",\n      \"status_reports\"",
        "\"commited\",\n      \"status_reports\"",
    );
    let output = pledges(dir, &["site", "--data", "valid", "--out", "site"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(!dir.join("site").exists());
}

#[cfg(unix)]
#[test]
fn an_archived_text_that_is_a_link_is_refused() {
    let fixture = Fixture::new();
    let dir = fixture.tmp.path();
    let archive = fixture.archive().join("report.txt");
    let real = dir.join("elsewhere.txt");
    std::fs::rename(&archive, &real).unwrap();
    std::os::unix::fs::symlink(&real, &archive).unwrap();
    let output = pledges(
        dir,
        &[
            "site",
            "--data",
            "valid",
            "--archive",
            "archive",
            "--out",
            "site",
        ],
    );
    assert_ne!(output.status.code(), Some(0));
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert!(!dir.join("site").exists());
}
