//! `pledges diff` and `pledges check-release`.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use ukraine_pledges::diff::{CollectionDiff, DatasetDiff, Snapshot, diff_snapshots};
use ukraine_pledges::release;
use ukraine_pledges::schema::SCHEMA_VERSION;

use ukraine_pledges::load::read_file;

use crate::args::{CheckReleaseArgs, DiffArgs, DiffFormat, ReadLimit};
use crate::escape::{code_span, html, markdown as markdown_text, visible};
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, git, load_or_report, recover};

/// The old dataset: a directory, or `dir` at a git revision.
fn load_old(
    base: Option<&Path>,
    rev: Option<&str>,
    dir: &Path,
    limit: &ReadLimit,
) -> Result<Snapshot, u8> {
    match (base, rev) {
        (Some(base), None) => snapshot_of(base, limit),
        (None, Some(rev)) => {
            let tmp = git::checkout(dir, rev).map_err(fail)?;
            snapshot_of(tmp.path(), limit)
        }
        _ => Err(fail(
            "give the old dataset as a directory or with --git REV, not both",
        )),
    }
}

/// The old side's records: validated when it follows this tool's schema
/// version; otherwise read as JSON only, and said so.
fn snapshot_of(dir: &Path, limit: &ReadLimit) -> Result<Snapshot, u8> {
    recover(dir)?;
    let names = [
        "dataset.json",
        "actors.json",
        "sources.json",
        "pledges.json",
        "events.json",
        "statements.json",
    ];
    let texts: Vec<(&str, String)> = names
        .iter()
        .filter_map(|&n| {
            let bytes = read_file(&dir.join(n), limit.max_file_size).ok()?;
            Some((n, String::from_utf8(bytes).ok()?))
        })
        .collect();
    let files: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let older = Snapshot::from_json_files(&files)
        .ok()
        .filter(|s| s.schema_version() != SCHEMA_VERSION && !s.schema_version().is_empty());
    match older {
        Some(older) => {
            let _ = writeln!(
                std::io::stderr(),
                "pledges: note: the old side follows schema version {}, and this tool reads {SCHEMA_VERSION}: \
                 its records are compared as JSON, without validation; a field the schema renamed shows as removed and added",
                older.schema_version()
            );
            Ok(older)
        }
        None => load_or_report(dir, limit).map(|d| Snapshot::of(&d)),
    }
}

pub fn run_diff(args: &DiffArgs) -> u8 {
    let (old, new_dir): (Option<&PathBuf>, PathBuf) = match (&args.git, args.dirs.as_slice()) {
        (Some(_), []) => (None, PathBuf::from("data")),
        (Some(_), [new]) => (None, new.clone()),
        (None, [old, new]) => (Some(old), new.clone()),
        _ => return fail("usage: pledges diff OLD NEW, or pledges diff --git REV [NEW]"),
    };
    let old = match load_old(
        old.map(PathBuf::as_path),
        args.git.as_deref(),
        &new_dir,
        &args.limit,
    ) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let new = match load_or_report(&new_dir, &args.limit) {
        Ok(d) => d,
        Err(code) => return code,
    };
    // A change made only in the CSV form does not show in the JSON: say so
    // (the comparison below is of the JSON form).
    if let Some(records) = crate::sync_cmd::csv_out_of_step(&new_dir, &new, &args.limit) {
        out_of_step(&new_dir, &records);
    }
    let changes = diff_snapshots(&old, &Snapshot::of(&new));
    let text = match args.format {
        DiffFormat::Human => human(&changes),
        DiffFormat::Markdown => markdown(&changes),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&changes).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    if emit(&text).is_ok() { SUCCESS } else { ERROR }
}

/// Says on standard error that `dir`'s CSV form holds other data than its
/// JSON, in which records.
fn out_of_step(dir: &Path, records: &[String]) {
    let mut text = format!(
        "pledges: error: {}/csv holds other data than {} (edited in one form only); run `pledges sync {}` first, which keeps the edit. They differ in:\n",
        dir.display(),
        dir.display(),
        dir.display()
    );
    for r in records {
        text.push_str(&format!("  {r}\n"));
    }
    let _ = std::io::stderr().write_all(text.as_bytes());
}

pub fn run_check_release(args: &CheckReleaseArgs) -> u8 {
    let old = match load_old(
        args.base.as_deref(),
        args.git.as_deref(),
        &args.dir,
        &args.limit,
    ) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let new = match load_or_report(&args.dir, &args.limit) {
        Ok(d) => d,
        Err(code) => return code,
    };
    // A change made only in the CSV form is a change too: it must be
    // brought into the JSON before the release is judged.
    if let Some(records) = crate::sync_cmd::csv_out_of_step(&args.dir, &new, &args.limit) {
        out_of_step(&args.dir, &records);
        return FAILURE;
    }
    let changelog = read_file(&args.changelog, args.limit.max_file_size)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    let changes = diff_snapshots(&old, &Snapshot::of(&new));
    let verdict = release::check(
        &changes,
        old.schema_version(),
        &new.manifest().schema_version,
        changelog.as_deref(),
    );
    let mut text = String::new();
    let _ = writeln!(
        text,
        "version {} → {}",
        changes.old_version, changes.new_version
    );
    match verdict.required {
        None => {
            let _ = writeln!(text, "no data changed: no version bump needed");
        }
        Some(required) => {
            let _ = writeln!(text, "expected bump: {required}, because:");
            for reason in &verdict.reasons {
                let _ = writeln!(text, "  - {reason}");
            }
        }
    }
    for problem in &verdict.problems {
        let _ = writeln!(text, "error: {problem}");
    }
    let _ = writeln!(
        text,
        "{}",
        if verdict.is_ok() {
            "release check passed"
        } else {
            "release check failed"
        }
    );
    match emit(&text) {
        Ok(()) if verdict.is_ok() => SUCCESS,
        Ok(()) => FAILURE,
        Err(_) => ERROR,
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn human(d: &DatasetDiff) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "dataset {} → {}",
        visible(&d.old_version),
        visible(&d.new_version)
    );
    for c in &d.manifest {
        let _ = writeln!(
            t,
            "  manifest {}: {} → {}",
            visible(&c.field),
            visible(&show(&c.old)),
            visible(&show(&c.new))
        );
    }
    for (name, c) in d.collections() {
        for r in &c.added {
            let _ = writeln!(t, "+ {name} {}: {}", visible(&r.id), visible(&r.label));
        }
        for r in &c.removed {
            let _ = writeln!(t, "- {name} {}: {}", visible(&r.id), visible(&r.label));
        }
        for r in &c.changed {
            let _ = writeln!(
                t,
                "~ {name} {}: {}{}",
                visible(&r.id),
                visible(&r.label),
                if r.retired { " (retired)" } else { "" }
            );
            for f in &r.fields {
                let _ = writeln!(
                    t,
                    "    {}: {} → {}",
                    visible(&f.field),
                    visible(&show(&f.old)),
                    visible(&show(&f.new))
                );
            }
        }
    }
    if !d.data_changed() {
        let _ = writeln!(t, "no records changed");
    }
    t
}

/// A table cell: pipes escaped, line breaks flattened, inline code for values.
fn cell(value: &Value) -> String {
    let text = code_span(&show(value));
    if text.is_empty() {
        String::new()
    } else {
        format!("`{text}`")
    }
}

fn markdown_collection(t: &mut String, name: &str, c: &CollectionDiff) {
    if c.is_empty() {
        return;
    }
    let _ = writeln!(t, "\n### {}{}\n", name[..1].to_uppercase(), &name[1..]);
    let mut item = |what: &str, id: &str, label: &str| {
        let _ = writeln!(
            t,
            "- **{what}** `{}`: {}",
            code_span(id),
            markdown_text(label)
        );
    };
    for r in &c.added {
        item("added", &r.id, &r.label);
    }
    for r in &c.removed {
        item("removed", &r.id, &r.label);
    }
    for r in &c.changed {
        item(
            if r.retired { "retired" } else { "changed" },
            &r.id,
            &r.label,
        );
    }
    for r in &c.changed {
        let _ = writeln!(
            t,
            "\n<details><summary><code>{}</code>: {} field{}</summary>\n",
            html(&r.id),
            r.fields.len(),
            if r.fields.len() == 1 { "" } else { "s" }
        );
        let _ = writeln!(t, "| field | old | new |\n| --- | --- | --- |");
        for f in &r.fields {
            let _ = writeln!(
                t,
                "| {} | {} | {} |",
                markdown_text(&f.field),
                cell(&f.old),
                cell(&f.new)
            );
        }
        let _ = writeln!(t, "\n</details>");
    }
}

/// Ready to post as a pull-request comment: a summary table, then details.
pub fn markdown(d: &DatasetDiff) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "## Dataset changes: {} → {}\n",
        markdown_text(&d.old_version),
        markdown_text(&d.new_version)
    );
    if !d.data_changed() && d.manifest.is_empty() {
        let _ = writeln!(t, "No records changed.");
        return t;
    }
    let _ = writeln!(
        t,
        "| records | added | removed | changed |\n| --- | ---: | ---: | ---: |"
    );
    for (name, c) in d.collections() {
        let _ = writeln!(
            t,
            "| {name} | {} | {} | {} |",
            c.added.len(),
            c.removed.len(),
            c.changed.len()
        );
    }
    if !d.manifest.is_empty() {
        let _ = writeln!(
            t,
            "\n### Manifest\n\n| field | old | new |\n| --- | --- | --- |"
        );
        for f in &d.manifest {
            let _ = writeln!(
                t,
                "| {} | {} | {} |",
                markdown_text(&f.field),
                cell(&f.old),
                cell(&f.new)
            );
        }
    }
    for (name, c) in d.collections() {
        markdown_collection(&mut t, name, c);
    }
    t
}
