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
    /// A source's archived text could not be read: missing, not a regular
    /// file (a symbolic link, a FIFO), or larger than the limit.
    ArchiveUnreadable {
        /// The source's id.
        source_id: String,
        /// The archived file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// A source's archived text is not the one its checksum records.
    ArchiveChecksum {
        /// The source's id.
        source_id: String,
        /// The archived file.
        path: PathBuf,
        /// The SHA-256 the source records.
        expected: String,
        /// The SHA-256 of the file.
        found: String,
    },
    /// A quote is not in its source's archived text (by the validator's rule).
    QuoteNotFound {
        /// The record (`pledges/ID`, `events/ID`, `statements/ID`).
        record: String,
        /// Which of its evidence items, from 0.
        evidence: usize,
        /// The source it cites.
        source_id: String,
    },
    /// A directory to be replaced holds files and is not one this tool
    /// wrote (it has no `marker` file).
    NotASite {
        /// The directory.
        path: PathBuf,
        /// The file that marks a directory as one this tool wrote.
        marker: &'static str,
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

    /// This I/O error, saying that the write it stopped was rolled back.
    pub(crate) fn rolled_back(self) -> Self {
        match self.kind {
            ErrorKind::Io { path, source } => {
                let message = format!(
                    "{source}; nothing of the interrupted write had been done, and it was \
                     rolled back: the old files are in place"
                );
                Self::io(&path, std::io::Error::new(source.kind(), message))
            }
            kind => Self { kind },
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

    #[cfg_attr(not(feature = "site"), allow(dead_code))]
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self { kind }
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
                | ErrorKind::ArchiveUnreadable { .. }
                | ErrorKind::NotASite { .. }
        )
    }

    /// Whether the data (with its archive) is at fault, rather than input
    /// or output: invalid data, an archived text whose checksum does not
    /// match, or a quote not in its source.
    #[must_use]
    pub fn is_invalid_data(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Invalid(_)
                | ErrorKind::ArchiveChecksum { .. }
                | ErrorKind::QuoteNotFound { .. }
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
            ErrorKind::ArchiveUnreadable {
                source_id,
                path,
                error,
            } => write!(
                f,
                "cannot read the archived text of source `{source_id}`, {}: {error}",
                path.display()
            ),
            ErrorKind::ArchiveChecksum {
                source_id,
                path,
                expected,
                found,
            } => write!(
                f,
                "the archived text of source `{source_id}`, {}, has SHA-256 {found}, not the recorded {expected}; \
                 `pledges validate --archive DIR` says more",
                path.display()
            ),
            ErrorKind::QuoteNotFound {
                record,
                evidence,
                source_id,
            } => write!(
                f,
                "{record}: quote {evidence} is not in the archived text of source `{source_id}`; \
                 `pledges validate --archive DIR` says more"
            ),
            ErrorKind::NotASite { path, marker } => write!(
                f,
                "{} holds files and is not a site `pledges site` wrote (no {marker}); \
                 choose another directory, or pass --force to replace it",
                path.display()
            ),
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
            ErrorKind::ArchiveUnreadable { error, .. } => Some(error),
            _ => None,
        }
    }
}
