//! Nothing in a file makes the validator panic or hang: every input gets a
//! diagnostic with a place, or an I/O error.

use proptest::prelude::*;

use crate::helpers::{Fixture, places};

fn codes(fixture: &Fixture) -> Vec<String> {
    places(&fixture.validate())
        .into_iter()
        .map(|p| p.0)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let fixture = Fixture::new();
        fixture.write("pledges.json", &bytes);
        let report = fixture.validate();
        prop_assert!(report.errors() > 0);
    }

    #[test]
    fn one_changed_byte_never_panics_and_points_inside_the_file(at in any::<prop::sample::Index>(), byte in any::<u8>(), delete in any::<bool>()) {
        let fixture = Fixture::new();
        let mut bytes = std::fs::read(fixture.file("pledges.json")).unwrap();
        let i = at.index(bytes.len());
        if delete { bytes.remove(i); } else { bytes[i] = byte; }
        let lines = bytes.split(|&b| b == b'\n').count();
        fixture.write("pledges.json", &bytes);
        for d in fixture.validate().diagnostics {
            if let Some(line) = d.line {
                prop_assert!(line <= lines, "{d:?}");
            }
        }
    }
}

#[test]
fn a_400_digit_number_is_out_of_range() {
    let fixture = Fixture::new();
    fixture.edit(
        "pledges.json",
        "\"amount\": 2.0",
        &format!("\"amount\": 1{}", "0".repeat(400)),
    );
    assert_eq!(codes(&fixture), ["number-out-of-range"]);
}

#[test]
fn a_10_mb_id_is_reported_with_a_short_message() {
    let fixture = Fixture::new();
    fixture.edit(
        "pledges.json",
        "\"france-ships\"",
        &format!("\"{}\"", "X".repeat(10 * 1024 * 1024)),
    );
    let report = fixture.validate();
    assert_eq!(
        report
            .codes()
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
        ["invalid-format", "too-long"]
    );
    assert!(report.diagnostics.iter().all(|d| d.message.len() < 200));
}

#[test]
fn nesting_100_000_deep_is_refused_not_overflowed() {
    let fixture = Fixture::new();
    fixture.write("pledges.json", "[".repeat(100_000));
    assert_eq!(codes(&fixture), ["too-deep"]);
}

#[test]
fn a_json_value_of_the_wrong_shape_is_a_schema_error() {
    let fixture = Fixture::new();
    fixture.write("pledges.json", "[1, 2, 3]\n");
    assert_eq!(codes(&fixture), ["wrong-type"]);
}

/// Validates the fixture after `prepare`, on a thread, and fails the test
/// if that takes longer than a few seconds (a FIFO would block forever).
#[cfg(unix)]
fn validate_within_seconds(prepare: impl FnOnce(&Fixture)) -> ukraine_pledges::Report {
    let fixture = Fixture::new();
    prepare(&fixture);
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(fixture.validate());
    });
    receive
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("validation finishes: no file is read that is not a regular file")
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_data_file_is_refused_without_blocking() {
    let report = validate_within_seconds(|f| {
        std::fs::remove_file(f.file("pledges.json")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(f.file("pledges.json"))
            .status()
            .unwrap();
        assert!(made.success());
    });
    let refused = report
        .diagnostics
        .iter()
        .find(|d| d.code == ukraine_pledges::Code::NotAFile)
        .expect("not-a-file");
    assert!(
        refused.message.contains("not a regular file"),
        "{}",
        refused.message
    );
}

#[cfg(unix)]
#[test]
fn a_link_in_the_data_or_the_archive_is_not_followed_and_shows_nothing_of_its_target() {
    // The archive's text moved elsewhere and linked back: the bytes are
    // right, but a link is never read.
    let report = validate_within_seconds(|f| {
        let text = f.archive().join("report.txt");
        let elsewhere = f.tmp.path().join("elsewhere.txt");
        std::fs::rename(&text, &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &text).unwrap();
        // And actors.json as a link to a file outside the dataset.
        std::fs::remove_file(f.file("actors.json")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", f.file("actors.json")).unwrap();
    });
    let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"not-a-file"), "{codes:?}");
    assert!(codes.contains(&"archive-missing"), "{codes:?}");
    for d in &report.diagnostics {
        assert!(!d.message.contains("root:"), "{}", d.message);
    }
    let archive = report
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "archive-missing")
        .unwrap();
    assert!(
        archive.message.contains("symbolic link"),
        "{}",
        archive.message
    );
}
