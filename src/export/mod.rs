//! Exports for analysts: a SQLite database, an Excel workbook and the Datasette metadata that describes the database.
//!
//! All three are made from one description of the tables ([`TABLES`], the
//! CSV layout, with its data package's types and descriptions), so a
//! column has one name, type and meaning in every form:
//!
//! - [`sqlite::write`]: one table per record type and per list, primary
//!   and foreign keys, `CHECK`s on codes, numbers and booleans, the flat
//!   view `pledges_flat`, and the codebook as tables;
//! - [`xlsx::write`]: the flat view as the first sheet, then one sheet per
//!   table and the codebook, read from the same database (built in
//!   memory), so the sheet and the view cannot differ;
//! - [`datasette::metadata`]: titles, licence, source and a description of
//!   every table and column, and the analysts' questions
//!   ([`sqlite::QUERIES`]) as canned queries.
//!
//! Each file is written to a temporary file beside its path and renamed
//! into place when complete: a reader never sees half a file, a failure
//! leaves the old file, and a run killed midway leaves only a hidden
//! `.NAME.….tmp` file (which git ignores).
//!
//! [`TABLES`]: crate::tables::TABLES

pub mod datasette;
mod layout;
pub mod sqlite;
pub mod xlsx;

use std::fs::File;
use std::path::Path;

use crate::error::Error;

/// Writes `path` through a temporary file in the same directory: `write`
/// fills it (given its path and an open handle), then it is synced and
/// renamed over `path`. A `path` that exists must be a regular file: a
/// directory, a symbolic link (never followed) or a device is refused
/// before anything is written.
pub(crate) fn replace_file(
    path: &Path,
    write: impl FnOnce(&Path, &mut File) -> Result<(), Error>,
) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => {}
        Ok(_) => return Err(Error::not_a_file(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(path, e)),
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(Error::not_a_file(path));
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // The file stays once renamed: it gets the mode `File::create` would
    // give it (0o666 less the umask), not a temporary file's 0o600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // On an error the temporary file is dropped, which removes it.
    let mut temporary = builder.tempfile_in(dir).map_err(|e| Error::io(path, e))?;
    let temporary_path = temporary.path().to_owned();
    write(&temporary_path, temporary.as_file_mut())?;
    temporary
        .as_file()
        .sync_all()
        .map_err(|e| Error::io(path, e))?;
    temporary
        .persist(path)
        .map(drop)
        .map_err(|e| Error::io(path, e.error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_directory_or_a_symlink_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let refused = replace_file(dir.path(), |_, _| Ok(()));
        assert!(matches!(
            refused.as_ref().err().map(Error::kind),
            Some(ErrorKind::NotAFile { .. })
        ));
        #[cfg(unix)]
        {
            let target = dir.path().join("target.db");
            std::fs::write(&target, b"kept").unwrap();
            let link = dir.path().join("link.db");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let refused = replace_file(&link, |_, _| Ok(()));
            assert!(refused.is_err());
            assert_eq!(std::fs::read(&target).unwrap(), b"kept");
        }
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.db");
        std::fs::write(&path, b"old").unwrap();
        let failed = replace_file(&path, |_, file| {
            use std::io::Write as _;
            file.write_all(b"half").unwrap();
            Err(Error::export(&path, "stopped"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.db"]);
    }
}
