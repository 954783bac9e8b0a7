//! Fixtures and small helpers shared by the tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;
use ukraine_pledges::validate::{Options, validate_dir};
use ukraine_pledges::write::{schema_dir_of, write_json_dir};
use ukraine_pledges::{Dataset, Report};

/// The repository root.
pub fn root() -> PathBuf {
    // The CLI package sits one folder below the repository (and library) root.
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"));
    cli.parent().unwrap_or(cli).to_path_buf()
}

/// A temporary copy of `tests/fixtures`: `valid/` (a small valid dataset)
/// and `archive/` (its source text).
///
/// The fixture is kept as it was written, so that the places the diagnostic
/// cases expect do not move when the model gains an optional field (which a
/// file without it still satisfies); tests of the canonical form start from
/// [`Fixture::canonical`].
pub struct Fixture {
    pub tmp: TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        for sub in ["valid", "archive"] {
            let from = root().join("tests/fixtures").join(sub);
            let to = tmp.path().join(sub);
            std::fs::create_dir_all(&to).unwrap();
            for entry in std::fs::read_dir(&from).unwrap() {
                let entry = entry.unwrap();
                std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
            }
        }
        Self { tmp }
    }

    /// [`Fixture::new`], with the dataset rewritten in canonical form.
    pub fn canonical() -> Self {
        let fixture = Self::new();
        let dataset = Dataset::load(fixture.data()).expect("the fixture is valid");
        write_json_dir(&dataset, &fixture.data(), &schema_dir_of(&dataset)).expect("written");
        fixture
    }

    /// The dataset directory.
    pub fn data(&self) -> PathBuf {
        self.tmp.path().join("valid")
    }

    /// The archive directory.
    pub fn archive(&self) -> PathBuf {
        self.tmp.path().join("archive")
    }

    /// A file of the dataset.
    pub fn file(&self, name: &str) -> PathBuf {
        self.data().join(name)
    }

    /// Replaces the one occurrence of `from` in `name` with `to`.
    pub fn edit(&self, name: &str, from: &str, to: &str) {
        let path = self.file(name);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(from).count(),
            1,
            "{from:?} should occur once in {name}"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Overwrites `name` with `bytes`.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.file(name), bytes).unwrap();
    }

    /// Validates the dataset against the archive.
    pub fn validate(&self) -> Report {
        validate_dir(
            &self.data(),
            &Options::default().with_archive(self.archive()),
        )
        .expect("validation runs")
    }
}

/// Runs the `pledges` binary in `dir`.
pub fn pledges(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pledges"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("pledges runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The diagnostics of `report` as `(code, file name, line, column)`.
pub fn places(report: &Report) -> Vec<(String, String, Option<usize>, Option<usize>)> {
    report
        .diagnostics
        .iter()
        .map(|d| {
            let file = d
                .file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            (d.code.as_str().to_owned(), file, d.line, d.column)
        })
        .collect()
}
