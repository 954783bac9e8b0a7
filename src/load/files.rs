//! Opening a dataset's files only when they are regular files: a symbolic
//! link, FIFO, device or socket is refused before anything is read from it;
//! and reading at most a limit's worth of bytes from each.
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

/// Why a file was not read: it is larger than the limit, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TooLarge {
    /// The limit the file is over.
    pub(crate) limit: u64,
}

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file is larger than the limit of {} bytes",
            self.limit
        )
    }
}

impl std::error::Error for TooLarge {}

impl TooLarge {
    /// The limit, when `error` is this.
    pub(crate) fn of(error: &io::Error) -> Option<Self> {
        error.get_ref()?.downcast_ref::<Self>().copied()
    }

    fn error(limit: u64) -> io::Error {
        io::Error::other(Self { limit })
    }
}

/// Opens `path` for reading if it is a regular file, not a link, and at
/// most `limit` bytes long (by the open file's metadata: what is then read
/// from it must be bounded too, by [`bounded`], since a file can grow).
///
/// # Errors
/// The error of the look-up or the open, [`NotRegular`] (inside the
/// [`io::Error`]) for anything but a regular file, or [`TooLarge`].
pub(crate) fn open_regular(path: &Path, limit: u64) -> io::Result<File> {
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
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refuse(NotRegular::Special));
    }
    if meta.len() > limit {
        return Err(TooLarge::error(limit));
    }
    Ok(file)
}

/// `file`, read at most to one byte past `limit`: when
/// [`past_limit`] then says so, the file grew past the limit while it was
/// read, and what was read is not the file.
pub(crate) fn bounded(file: File, limit: u64) -> io::Take<File> {
    file.take(limit.saturating_add(1))
}

/// Whether a reader made by [`bounded`] read past the limit.
pub(crate) fn past_limit(reader: &io::Take<File>) -> bool {
    reader.limit() == 0
}

/// Reads the whole of `path` if it is a regular file, not a link, and at
/// most `limit` bytes long.
///
/// # Errors
/// The look-up or the open; a refusal for anything but a regular file (a
/// link, a FIFO, a device); a refusal for a file past `limit` bytes, also
/// when it grows past the limit while it is read; or the error of the read.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path, limit)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut reader = bounded(file, limit);
    reader.read_to_end(&mut bytes)?;
    if past_limit(&reader) {
        return Err(TooLarge::error(limit));
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    const ANY: u64 = u64::MAX;

    fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
        super::read_regular(path, ANY)
    }

    /// A file of the limit's size is read whole; one byte more is refused,
    /// by its size before any read, and by the bounded read when the size
    /// does not say (a file that grows).
    #[test]
    fn a_file_past_its_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(super::read_regular(&file, 5).unwrap(), b"12345");
        let err = super::read_regular(&file, 4).unwrap_err();
        assert_eq!(TooLarge::of(&err), Some(TooLarge { limit: 4 }));
        assert!(err.to_string().contains("limit of 4 bytes"), "{err}");
        // Opened while small, then grown: the read stops past the limit.
        let opened = open_regular(&file, 5).unwrap();
        std::fs::write(&file, b"1234567890").unwrap();
        let mut reader = bounded(opened, 5);
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes.len(), 6);
        assert!(past_limit(&reader));
    }

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
