//! `--check` of a generated file: whether it holds what would be generated, and how to regenerate it if not.

use std::path::Path;

use crate::{ERROR, FAILURE, SUCCESS, emit, fail};

/// What a generated file is and how it is made.
pub struct Generated<'a> {
    /// Where the project keeps it, e.g. `docs/codebook.md`.
    pub shipped: &'a str,
    /// The command that writes it there.
    pub write_command: &'a str,
    /// The command that writes it elsewhere, before the path.
    pub command_for: &'a str,
    /// What a stale copy differs from, e.g. `the data model`.
    pub source: &'a str,
}

impl Generated<'_> {
    /// Exit 0 when `path` holds `text`; otherwise exit 1, saying on
    /// standard output how to regenerate it (2 when it cannot be read).
    pub fn check(&self, path: &Path, text: &str) -> u8 {
        let current = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return fail(format_args!("{}: {e}", path.display())),
        };
        if current.as_deref() == Some(text.as_bytes()) {
            return SUCCESS;
        }
        let command = if path == Path::new(self.shipped) {
            self.write_command.to_owned()
        } else {
            format!("{} {}", self.command_for, path.display())
        };
        let what = if current.is_some() {
            format!("differs from {}", self.source)
        } else {
            "does not exist".to_owned()
        };
        match emit(&format!(
            "{} {what}; run `{command}` to regenerate it\n",
            path.display()
        )) {
            Ok(()) => FAILURE,
            Err(_) => ERROR,
        }
    }
}
