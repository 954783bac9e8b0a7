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

    /// Whether this is an input/output failure rather than invalid data.
    #[must_use]
    pub fn is_io(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Io { .. } | ErrorKind::NotADirectory { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io { path, source } => write!(f, "{}: {source}", path.display()),
            ErrorKind::NotADirectory { path } => write!(f, "{}: not a directory", path.display()),
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
