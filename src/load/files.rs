//! Opening a dataset's files only when they are regular files: a symbolic
//! link, FIFO, device or socket is refused before anything is read from it.
//!
//! A pull request can commit a data file as a link to a file outside the
//! repository (whose lines the diagnostics would then print), to
//! `/dev/zero` (which never ends) or make it a FIFO (which blocks). None of
//! these is ever opened for reading: the file's own metadata is checked
//! without following links, and checked again on the open file.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why a path was not read: it is not a regular file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotRegular {
    /// A symbolic link (not followed).
    Link,
    /// A directory.
    Directory,
    /// A FIFO, device or socket.
    Special,
}

impl fmt::Display for NotRegular {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Link => "this is a symbolic link, not a file (links are not followed)",
            Self::Directory => "this is a directory, not a file",
            Self::Special => "this is not a regular file (a FIFO, device or socket)",
        })
    }
}

impl std::error::Error for NotRegular {}

impl NotRegular {
    /// The reason, when `error` is one.
    pub(crate) fn of(error: &io::Error) -> Option<Self> {
        error.get_ref()?.downcast_ref::<Self>().copied()
    }
}

fn refuse(why: NotRegular) -> io::Error {
    io::Error::other(why)
}

/// Opens `path` for reading if it is a regular file and not a link.
///
/// # Errors
/// The error of the look-up or the open, or [`NotRegular`] (inside the
/// [`io::Error`]) for anything but a regular file.
pub(crate) fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::symlink_metadata(path)?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(refuse(NotRegular::Link));
    }
    if kind.is_dir() {
        return Err(refuse(NotRegular::Directory));
    }
    if !kind.is_file() {
        return Err(refuse(NotRegular::Special));
    }
    let file = File::open(path)?;
    // The path may have been swapped since the look-up: the open file is
    // what is read, so it is the one checked.
    if !file.metadata()?.is_file() {
        return Err(refuse(NotRegular::Special));
    }
    Ok(file)
}

/// Reads the whole of `path` if it is a regular file and not a link.
///
/// # Errors
/// As for opening: the look-up, the open, or a refusal (inside the
/// [`io::Error`]) for anything but a regular file; or the error of the read.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"{}").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"{}");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let why = |p: &Path| read_regular(p).err().as_ref().and_then(NotRegular::of);
        assert_eq!(why(&link), Some(NotRegular::Link));
        assert_eq!(why(dir.path()), Some(NotRegular::Directory));
        assert_eq!(why(Path::new("/dev/zero")), Some(NotRegular::Special));
        assert_eq!(why(&dir.path().join("missing.json")), None);
        assert_eq!(
            read_regular(&dir.path().join("missing.json"))
                .unwrap_err()
                .kind(),
            io::ErrorKind::NotFound
        );
    }
}
