//! Writes as one change: sets of files published all or nothing, even when
//! killed; interrupted writes finished or discarded by the next command;
//! stale tables removed; datasets not overwritten unless asked.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::helpers::{Fixture, pledges, root, stderr, stdout};

/// Every entry of `dir`: a file with its bytes, anything else as `None`.
type Listing = BTreeMap<String, Option<Vec<u8>>>;

fn listing(dir: &Path) -> Listing {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let file = e.file_type().unwrap().is_file();
            (name, file.then(|| std::fs::read(e.path()).unwrap()))
        })
        .collect()
}

/// `listing` without the names a set write manages (staging, journal).
fn visible(listing: &Listing) -> Listing {
    listing
        .iter()
        .filter(|(name, _)| !name.starts_with(".pledges-"))
        .map(|(n, f)| (n.clone(), f.clone()))
        .collect()
}

/// Makes `dir` hold exactly the files of `set`.
fn restore(dir: &Path, set: &Listing) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    for (name, bytes) in set {
        std::fs::write(dir.join(name), bytes.as_deref().unwrap()).unwrap();
    }
}

/// `pledges generate` of `n` pledges into `<tmp>/<name>`.
fn generated(tmp: &Path, name: &str, n: usize, seed: u64) -> std::path::PathBuf {
    let n = n.to_string();
    let seed = seed.to_string();
    let args = ["generate", "--pledges", &n, "--seed", &seed, "--out", name];
    let out = pledges(tmp, &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    tmp.join(name)
}

/// A CSV directory of one dataset whose package also lists a table that
/// the next conversion no longer writes (a retired table).
fn csv_with_a_retired_table(tmp: &Path, seed: u64) -> std::path::PathBuf {
    let csv = generated(tmp, &format!("old{seed}"), 40, seed).join("csv");
    let package = csv.join("datapackage.json");
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&package).unwrap()).unwrap();
    value["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "retired", "path": "retired.csv"}));
    std::fs::write(&package, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
    std::fs::write(csv.join("retired.csv"), "id\nx\n").unwrap();
    csv
}

/// Watches, as closely as the machine allows, until `journal` appears,
/// `child` has ended, or `longest` has passed.
fn until_the_journal_appears(
    child: &mut std::process::Child,
    journal: &Path,
    longest: std::time::Duration,
) {
    let deadline = Instant::now() + longest;
    while std::fs::symlink_metadata(journal).is_err()
        && Instant::now() < deadline
        && child.try_wait().unwrap().is_none()
    {
        std::hint::spin_loop();
    }
}

/// A conversion killed (SIGKILL) at moments spread over its run, and a
/// little past it, leaves the target holding the whole old set or the
/// whole new set, byte for byte; or a set that one run of `pledges
/// validate` turns into one of them, with nothing of the write left over.
/// The old set lists a table the new one does not have: it goes with the
/// new set, never before. Then kills timed by the write's own journal land
/// between its commit point and its last rename, and the next command
/// finishes the write.
#[test]
#[allow(clippy::print_stdout)] // what the kills found, with `--nocapture`
fn a_conversion_killed_at_any_moment_leaves_the_old_set_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    // Large enough that a conversion takes a good part of a second.
    let input = generated(tmp.path(), "input", 3000, 2);
    let old_dir = csv_with_a_retired_table(tmp.path(), 1);
    let old = listing(&old_dir);
    let fresh = tmp.path().join("fresh");
    let out = pledges(tmp.path(), &["convert", "--to", "csv", "input", "fresh"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let new = listing(&fresh);
    assert!(old.contains_key("retired.csv") && !new.contains_key("retired.csv"));
    assert_ne!(old, new);

    let target = tmp.path().join("target");
    let convert = || {
        Command::new(env!("CARGO_BIN_EXE_pledges"))
            .args(["convert", "--to", "csv"])
            .arg(&input)
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pledges runs")
    };
    // How long a whole conversion takes here, to spread the kills over.
    restore(&target, &old);
    let started = Instant::now();
    assert!(convert().wait().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(listing(&target), new);

    let runs = 48u32;
    let mut seen = BTreeMap::new();
    let mut jitter = 0x9E37_79B9_7F4A_7C15u64;
    for run in 0..runs {
        restore(&target, &old);
        // Moments spread from the start to a fifth past the end, each
        // moved by up to a fortieth of the run.
        jitter ^= jitter << 13;
        jitter ^= jitter >> 7;
        jitter ^= jitter << 17;
        let spread = whole * 6 / 5 * run / runs;
        let delay = spread + whole / 40 * u32::try_from(jitter % 1000).unwrap() / 1000;
        let mut child = convert();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();

        let after = listing(&target);
        let journal = after.contains_key(".pledges-journal");
        if !journal {
            let shown = visible(&after);
            assert!(
                shown == old || shown == new,
                "run {run} ({delay:?}): killed before or after the commit point, \
                 the files are neither the old set nor the new: {:?}",
                shown.keys().collect::<Vec<_>>()
            );
        }
        let out = pledges(tmp.path(), &["validate", "target"]);
        assert_ne!(out.status.code(), Some(2), "run {run}: {}", stderr(&out));
        let recovered = listing(&target);
        let state = if recovered == old {
            "old"
        } else if recovered == new {
            "new"
        } else {
            panic!(
                "run {run} ({delay:?}): after `pledges validate` the files are neither set: {:?}",
                recovered.keys().collect::<Vec<_>>()
            )
        };
        *seen
            .entry((state, journal, after.len() != visible(&after).len()))
            .or_insert(0) += 1;
    }
    // What the kills found (old/new, a journal, staging left): shown with
    // `--nocapture`, not asserted, since it depends on the machine's speed.
    println!("{seen:?} over {runs} runs of {whole:?}");

    // Kills timed by the clock seldom land between the commit point and the
    // end of the renames, which takes a fraction of a millisecond. These are
    // timed by the write itself: the moment its journal appears (watched
    // as closely as the machine allows), the process is killed.
    let journal = target.join(".pledges-journal");
    let (mut inside, tries) = (0, 24);
    for run in 0..tries {
        restore(&target, &old);
        let mut child = convert();
        until_the_journal_appears(&mut child, &journal, whole * 20);
        let _ = child.kill();
        let _ = child.wait();
        let after = listing(&target);
        if after.contains_key(".pledges-journal") {
            inside += 1;
            // Killed inside the window: the next command finishes the write.
            let out = pledges(tmp.path(), &["validate", "target"]);
            assert!(
                stderr(&out).contains("finished an interrupted write"),
                "run {run}: {}",
                stderr(&out)
            );
            assert_eq!(
                listing(&target),
                new,
                "run {run}: finished, not the new set"
            );
        } else {
            let shown = visible(&after);
            assert!(
                shown == old || shown == new,
                "run {run}: no journal left, and the files are neither set: {:?}",
                shown.keys().collect::<Vec<_>>()
            );
        }
    }
    println!("{inside} of {tries} kills timed by the journal landed inside the rename window");
    // The window starts with a sync of the directory, far longer than a
    // signal takes to arrive: if none landed in it, the watch is broken.
    assert!(inside > 0, "no kill landed inside the rename window");
}

/// `generate` killed at any moment leaves `--out` and `--out/csv` both old
/// or both new, once the next command on `--out` has run; and `--out/csv`
/// read alone is a whole set at every moment, since it is swapped in one
/// step. Kills are spread over the run by the clock, then timed by the
/// write's journal, which lands them between the commit point and the swap.
#[test]
fn generate_killed_at_any_moment_leaves_both_forms_old_or_both_new() {
    let tmp = tempfile::tempdir().unwrap();
    let old_dir = generated(tmp.path(), "old", 1500, 1);
    let new_dir = generated(tmp.path(), "new", 1500, 2);
    let pair = |dir: &Path| (visible(&listing(dir)), listing(&dir.join("csv")));
    let (old, new) = (pair(&old_dir), pair(&new_dir));
    assert_ne!(old.0, new.0);
    assert_ne!(old.1, new.1);
    let target = tmp.path().join("target");
    let put_back = || {
        restore(
            &target,
            &old.0
                .iter()
                .filter(|(_, f)| f.is_some())
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect(),
        );
        restore(&target.join("csv"), &old.1);
    };
    let generate = || {
        Command::new(env!("CARGO_BIN_EXE_pledges"))
            .args([
                "generate",
                "--pledges",
                "1500",
                "--seed",
                "2",
                "--force",
                "--out",
            ])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pledges runs")
    };
    put_back();
    let started = Instant::now();
    assert!(generate().wait().unwrap().success());
    let whole = started.elapsed();
    assert_eq!(pair(&target), new);

    let journal = target.join(".pledges-journal");
    let (mut inside, runs) = (0, 32u32);
    for run in 0..runs {
        put_back();
        let mut child = generate();
        if run % 2 == 0 {
            std::thread::sleep(whole * 6 / 5 * run / runs);
        } else {
            until_the_journal_appears(&mut child, &journal, whole * 20);
        }
        let _ = child.kill();
        let _ = child.wait();
        let csv = visible(&listing(&target.join("csv")));
        assert!(
            csv == old.1 || csv == new.1,
            "run {run}: the CSV directory read alone is neither set: {:?}",
            csv.keys().collect::<Vec<_>>()
        );
        inside += usize::from(journal.exists());
        let out = pledges(tmp.path(), &["validate", "target"]);
        assert_ne!(out.status.code(), Some(2), "run {run}: {}", stderr(&out));
        let after = pair(&target);
        assert!(
            after == old || after == new,
            "run {run}: after `pledges validate`, the JSON files and the CSV \
             directory are not both old or both new"
        );
        assert_eq!(
            listing(&target).len(),
            after.0.len(),
            "run {run}: staging left"
        );
    }
    assert!(
        inside > 0,
        "no kill left the write's journal for the next command"
    );
}

/// Commands run at once on one directory take turns: two conversions into
/// it and two validations of it all succeed, and the directory then holds
/// one whole set with nothing of either write left over. Without the
/// directory's lock, one conversion's recovery removed the other's staging
/// as a killed write's, and the other failed, or published half a set.
#[test]
fn commands_run_at_once_on_one_directory_take_turns() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = [
        generated(tmp.path(), "one", 2000, 3),
        generated(tmp.path(), "two", 2000, 4),
    ];
    let sets: Vec<Listing> = ["one", "two"]
        .iter()
        .map(|name| {
            let fresh = format!("{name}-csv");
            let out = pledges(tmp.path(), &["convert", "--to", "csv", name, &fresh]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            listing(&tmp.path().join(fresh))
        })
        .collect();
    assert_ne!(sets[0], sets[1]);
    let target = tmp.path().join("target");
    let spawn = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_pledges"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("pledges runs")
    };
    for round in 0..8 {
        restore(&target, &sets[round % 2]);
        let children: Vec<_> = [
            spawn(&[
                "convert".as_ref(),
                "--to".as_ref(),
                "csv".as_ref(),
                inputs[0].as_os_str(),
                target.as_os_str(),
            ]),
            spawn(&["validate".as_ref(), target.as_os_str()]),
            spawn(&[
                "convert".as_ref(),
                "--to".as_ref(),
                "csv".as_ref(),
                inputs[1].as_os_str(),
                target.as_os_str(),
            ]),
            spawn(&["validate".as_ref(), target.as_os_str()]),
        ]
        .into_iter()
        .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                stderr(&out)
            );
        }
        let after = listing(&target);
        assert!(
            sets.contains(&after),
            "round {round}: not one whole set: {:?}",
            after.keys().collect::<Vec<_>>()
        );
    }
}

/// A write killed after its commit point (a journal, renames left to do)
/// is finished by the next command, whatever that command is, with a note
/// on standard error; one killed before it (staging, no journal) is
/// discarded.
#[test]
fn every_command_finishes_an_interrupted_write_before_anything_else() {
    let commands: &[&[&str]] = &[
        &["validate", "valid"],
        &["list", "--data", "valid"],
        &["show", "no-such-pledge", "--data", "valid"],
        &["diff", "valid", "valid"],
        &["check-release", "valid", "--base", "valid"],
        &["fmt", "--check", "valid"],
        &["convert", "--to", "csv", "valid", "csv", "--check"],
        &["convert", "--to", "json", "valid", "valid", "--check"],
    ];
    for args in commands {
        let fixture = Fixture::canonical();
        let data = fixture.data();
        let pledges_json = std::fs::read(data.join("pledges.json")).unwrap();
        let staging = data.join(".pledges-staging-killed");
        std::fs::create_dir(&staging).unwrap();
        // The new set's pledges.json is staged; the old one was moved out
        // of the way in the renames done before the kill.
        std::fs::rename(data.join("pledges.json"), staging.join("pledges.json")).unwrap();
        std::fs::write(data.join("stale.json"), "{}").unwrap();
        std::fs::write(
            data.join(".pledges-journal"),
            "pledges-journal 1\nstaging .pledges-staging-killed\nrename dataset.json\nrename pledges.json\nremove stale.json\n",
        )
        .unwrap();
        let out = pledges(fixture.tmp.path(), args);
        assert!(
            stderr(&out).contains("finished an interrupted write"),
            "{args:?}: {}",
            stderr(&out)
        );
        let left: Vec<String> = listing(&data).into_keys().collect();
        assert_eq!(
            left,
            [
                "actors.json",
                "dataset.json",
                "events.json",
                "pledges.json",
                "sources.json",
                "statements.json"
            ],
            "{args:?}"
        );
        assert_eq!(
            std::fs::read(data.join("pledges.json")).unwrap(),
            pledges_json
        );

        // Killed before the commit point: the staging goes, the rest stays.
        std::fs::create_dir(&staging).unwrap();
        std::fs::write(staging.join("pledges.json"), "half a file").unwrap();
        let out = pledges(fixture.tmp.path(), args);
        assert!(
            stderr(&out).contains("rolled back an interrupted write"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!staging.exists(), "{args:?}");
        assert_eq!(
            std::fs::read(data.join("pledges.json")).unwrap(),
            pledges_json
        );
    }
}

/// A journal a stranger committed cannot make `pledges` touch anything
/// outside the directory: it is refused (exit 2) and nothing is moved.
#[test]
fn a_journal_that_names_a_path_elsewhere_is_refused() {
    let fixture = Fixture::canonical();
    let before = listing(&fixture.data());
    std::fs::write(
        fixture.file(".pledges-journal"),
        "pledges-journal 1\nstaging .pledges-staging-x\nremove ../archive/source.txt\n",
    )
    .unwrap();
    let out = pledges(fixture.tmp.path(), &["validate", "valid"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".pledges-journal"),
        "{}",
        stderr(&out)
    );
    let mut after = listing(&fixture.data());
    after.remove(".pledges-journal");
    assert_eq!(after, before);
    assert!(fixture.archive().read_dir().unwrap().next().is_some());
}

/// The names a set write uses are ignored by git, so that a killed run's
/// leftovers are never committed.
#[test]
fn staging_and_journal_names_are_ignored_by_git() {
    for name in [".pledges-journal", ".pledges-staging-a1B2c3/pledges.csv"] {
        let path = format!("tests/fixtures/valid/{name}");
        let ignored = Command::new("git")
            .args(["check-ignore", "--no-index", "-q", &path])
            .current_dir(root())
            .status()
            .expect("git runs");
        assert!(ignored.success(), "{path} is not ignored");
    }
}

/// A conversion removes, in the same change, a table the old package
/// listed and the new one does not; `convert --check` reports a `.csv`
/// file the package does not list.
#[test]
fn a_retired_table_is_removed_and_check_reports_tables_not_in_the_package() {
    let tmp = tempfile::tempdir().unwrap();
    let old = csv_with_a_retired_table(tmp.path(), 1);
    generated(tmp.path(), "input", 30, 5);
    let check = ["convert", "--to", "csv", "input", "old1/csv", "--check"];
    assert_eq!(pledges(tmp.path(), &check).status.code(), Some(1));
    let out = pledges(tmp.path(), &["convert", "--to", "csv", "input", "old1/csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!old.join("retired.csv").exists());
    assert_eq!(pledges(tmp.path(), &check).status.code(), Some(0));

    std::fs::write(old.join("notes.csv"), "a\n1\n").unwrap();
    let out = pledges(tmp.path(), &check);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not in the data package") && stdout(&out).contains("notes.csv"),
        "{}",
        stdout(&out)
    );
    // Not one the tool wrote: the conversion leaves it alone.
    pledges(tmp.path(), &["convert", "--to", "csv", "input", "old1/csv"]);
    assert!(old.join("notes.csv").exists());
}

/// A directory where a file of the set is to go fails the conversion
/// before any file is replaced, and leaves nothing of the write behind.
#[test]
fn a_directory_in_the_way_fails_the_write_before_anything_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let old = csv_with_a_retired_table(tmp.path(), 1);
    generated(tmp.path(), "input", 30, 5);
    std::fs::remove_file(old.join("pledge_roles.csv")).unwrap();
    std::fs::create_dir(old.join("pledge_roles.csv")).unwrap();
    let before = listing(&old);
    let out = pledges(tmp.path(), &["convert", "--to", "csv", "input", "old1/csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pledge_roles.csv"),
        "{}",
        stderr(&out)
    );
    assert_eq!(listing(&old), before);

    // `generate`'s CSV directory with a file in its place: nothing of
    // the JSON set is written either.
    let out_dir = tmp.path().join("blocked");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("csv"), "not a directory").unwrap();
    let before = listing(&out_dir);
    let args = ["generate", "--pledges", "5", "--out", "blocked", "--force"];
    let out = pledges(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("blocked/csv"), "{}", stderr(&out));
    assert_eq!(listing(&out_dir), before);

    // A file of the user's own in `generate`'s CSV directory, which is
    // replaced whole: refused, and nothing is written.
    generated(tmp.path(), "kept", 5, 6);
    let notes = tmp.path().join("kept/csv/notes.txt");
    std::fs::write(&notes, "mine").unwrap();
    let (json, csv) = (
        listing(&tmp.path().join("kept")),
        listing(&tmp.path().join("kept/csv")),
    );
    let args = ["generate", "--pledges", "7", "--out", "kept", "--force"];
    let out = pledges(tmp.path(), &args);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("notes.txt"), "{}", stderr(&out));
    assert_eq!(listing(&tmp.path().join("kept")), json);
    assert_eq!(listing(&tmp.path().join("kept/csv")), csv);
}

/// `generate` does not overwrite a dataset, nor write JSON into a CSV
/// directory, without `--force`; `fmt` refuses a CSV directory and one
/// that holds no dataset, and rewrites a JSON dataset in place as always.
#[test]
fn generate_and_fmt_refuse_to_overwrite_or_mix_formats_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let gen_dir = generated(tmp.path(), "gen", 20, 1);
    let before = listing(&gen_dir);
    let again = ["generate", "--pledges", "30", "--seed", "9", "--out", "gen"];
    let out = pledges(tmp.path(), &again);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(listing(&gen_dir), before);
    let into_csv = ["generate", "--pledges", "30", "--out", "gen/csv"];
    let out = pledges(tmp.path(), &into_csv);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("CSV dataset"), "{}", stderr(&out));
    let out = pledges(tmp.path(), &[&again[..], &["--force"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_ne!(listing(&gen_dir), before);

    let csv_before = listing(&gen_dir.join("csv"));
    for args in [&["fmt", "gen/csv"][..], &["fmt", "--check", "gen/csv"]] {
        let out = pledges(tmp.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("CSV dataset"), "{}", stderr(&out));
    }
    assert_eq!(listing(&gen_dir.join("csv")), csv_before);
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    let out = pledges(tmp.path(), &["fmt", "empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no dataset.json"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_dir(tmp.path().join("empty")).unwrap().count(),
        0
    );
    assert_eq!(pledges(tmp.path(), &["fmt", "gen"]).status.code(), Some(0));
}

/// `convert` does not write one format into a directory holding the
/// other without `--force`.
#[test]
fn convert_refuses_to_write_over_the_other_format_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let gen_dir = generated(tmp.path(), "gen", 20, 1);
    let before = listing(&gen_dir.join("csv"));
    let out = pledges(tmp.path(), &["convert", "--to", "json", "gen", "gen/csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(listing(&gen_dir.join("csv")), before);
    let out = pledges(tmp.path(), &["convert", "--to", "csv", "gen/csv", "gen"]);
    assert_eq!(out.status.code(), Some(2));
}
