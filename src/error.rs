//! The crate's error type, for failures that are not problems in the data.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::diagnostic::Report;

/// An error from loading, converting or writing a dataset.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing `path` failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `path` should be a directory and is not.
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The dataset has errors; the report lists them.
    Invalid(Report),
    /// `path` should be a regular file, or not exist yet, and is something
    /// else: a directory, a symbolic link (never followed), a device.
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// The dataset cannot be exported to `path`: `reason` says why (a
    /// limit of the format, such as Excel's 32,767 characters in a cell,
    /// or the database refusing a row).
    Export {
        /// The file being written.
        path: PathBuf,
        /// What stood in the way.
        reason: String,
    },
}

// Most errors come from reading and writing, which are features.
#[cfg_attr(not(feature = "validate"), allow(dead_code))]
impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Self {
            kind: ErrorKind::Io {
                path: path.to_owned(),
                source,
            },
        }
    }

    pub(crate) fn not_a_directory(path: &Path) -> Self {
        Self {
            kind: ErrorKind::NotADirectory {
                path: path.to_owned(),
            },
        }
    }

    #[cfg_attr(not(feature = "export"), allow(dead_code))]
    pub(crate) fn not_a_file(path: &Path) -> Self {
        Self {
            kind: ErrorKind::NotAFile {
                path: path.to_owned(),
            },
        }
    }

    #[cfg_attr(not(feature = "export"), allow(dead_code))]
    pub(crate) fn export(path: &Path, reason: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Export {
                path: path.to_owned(),
                reason: reason.into(),
            },
        }
    }

    pub(crate) fn invalid(report: Report) -> Self {
        Self {
            kind: ErrorKind::Invalid(report),
        }
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Whether this is an input/output failure rather than invalid data
    /// (an export the format cannot hold is one: the data is valid).
    #[must_use]
    pub fn is_io(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Io { .. }
                | ErrorKind::NotADirectory { .. }
                | ErrorKind::NotAFile { .. }
                | ErrorKind::Export { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ErrorKind::NotADirectory { path } => write!(f, "{}: not a directory", path.display()),
            ErrorKind::NotAFile { path } => write!(
                f,
                "{}: not a regular file (a directory, a symbolic link or a device); give the path of a file to write",
                path.display()
            ),
            ErrorKind::Export { path, reason } => write!(f, "{}: {reason}", path.display()),
            ErrorKind::Invalid(report) => write!(
                f,
                "the dataset is invalid: {} error(s), {} warning(s)",
                report.errors(),
                report.warnings()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
