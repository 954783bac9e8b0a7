//! Atomic file writes: a temporary file beside the target, then a rename,
//! so a reader never sees half a file and a failure leaves the old one;
//! and sets of files written as one change (see [`crate::journal`]).

use std::fs::File;
use std::io::{Read as _, Write};
use std::path::Path;

use crate::error::Error;
use crate::journal::{self, Access, Journal, Lock, STAGING_PREFIX, Swap};
use crate::schema::FileKind;
use crate::tables::DATAPACKAGE;

/// Writes `bytes` to `path` atomically.
///
/// # Errors
/// An I/O [`Error`] naming the path when the temporary file cannot be
/// written or renamed; the target is then unchanged.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut temporary = tempfile::Builder::new();
    temporary.prefix(&prefix).suffix(".tmp");
    // The file stays once renamed: it gets the mode `File::create` would
    // give it (0o666 less the umask), not a temporary file's 0o600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temporary.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // On an error the temporary file is dropped, which removes it.
    let result = (|| {
        let mut file = temporary.tempfile_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)
    })();
    result.map(drop).map_err(|e| Error::io(path, e))
}

/// Writes the files `names` into `dir` as one change: `write` fills each
/// file in a staging directory inside `dir`, each is synced, and all are
/// published together through a journal (see [`crate::journal`]): a
/// failure before the journal's commit point leaves `dir` as it was, and a
/// write killed after it is finished by the next read or write of `dir`.
/// An interrupted earlier write in `dir` is finished or discarded first.
/// Each file is synced on a thread of its own while the next ones are
/// written. Files of `dir` not in `names` are left alone.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written, or the
/// target that is a directory (checked before anything is replaced).
pub fn write_set(
    dir: &Path,
    names: &[&str],
    write: impl FnMut(&str, &mut File) -> std::io::Result<()>,
) -> Result<(), Error> {
    write_set_replacing(dir, names, Replaces::Nothing, write)
}

/// Which files of the old set in the directory a set write replaces as a
/// whole: those its manifest lists that the new set no longer has are
/// removed, in the same change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replaces {
    /// No file beyond those written.
    Nothing,
    /// The record files `dataset.json`'s `resources` name.
    JsonDataset,
    /// The tables `datapackage.json`'s resources name.
    CsvPackage,
}

/// [`write_set`], removing the files of the old set that `replaces` names
/// and the new set does not have.
pub(crate) fn write_set_replacing(
    dir: &Path,
    names: &[&str],
    replaces: Replaces,
    write: impl FnMut(&str, &mut File) -> std::io::Result<()>,
) -> Result<(), Error> {
    let (lock, staged) = staging(dir)?;
    fill_and_sync(dir, staged.path(), names, write)?;
    publish(dir, lock, staged, names, replaces, None)
}

/// [`write_set`], with a directory `subdir` of the set as well:
/// `fill_subdir` writes it whole in the staging directory, and it takes
/// the place of `dir`'s `subdir` in the same change, in one step (see
/// [`crate::journal`]). The old `subdir`'s own interrupted write is
/// finished or discarded first, and it is locked until it is swapped out.
pub(crate) fn write_set_with_dir(
    dir: &Path,
    names: &[&str],
    write: impl FnMut(&str, &mut File) -> std::io::Result<()>,
    subdir: &str,
    fill_subdir: impl FnOnce(&Path) -> Result<(), Error>,
) -> Result<(), Error> {
    if !journal::is_plain_name(subdir) {
        let e = std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a plain file name");
        return Err(Error::io(&dir.join(subdir), e));
    }
    let (lock, staged) = staging(dir)?;
    fill_and_sync(dir, staged.path(), names, write)?;
    let target = dir.join(subdir);
    let _old = match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => {
            let old = Lock::take(&target, Access::Exclusive, journal::LOCK_WAIT)?;
            journal::recover_locked(&target)?;
            only_the_dataset(&target)?;
            Some(old)
        }
        // Absent, or something else in the way, which the commit refuses.
        _ => None,
    };
    let inner = staged.path().join(subdir);
    fill_subdir(&inner)?;
    let id = journal::dir_id(&inner).map_err(|e| Error::io(&inner, e))?;
    let swap = Swap {
        name: subdir.to_owned(),
        id,
    };
    publish(dir, lock, staged, names, Replaces::Nothing, Some(swap))
}

/// Refuses to replace the directory `old` whole when it holds anything
/// but a CSV dataset's files: the tables of the layout, those its
/// `datapackage.json` lists, and the package. A file of the user's own
/// there would go with the old set.
fn only_the_dataset(old: &Path) -> Result<(), Error> {
    let listed = left_over(old, &[], Replaces::CsvPackage);
    let entries = std::fs::read_dir(old).map_err(|e| Error::io(old, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(old, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = entry.file_type().is_ok_and(|t| t.is_file())
            && (name == DATAPACKAGE
                || crate::tables::TABLES.iter().any(|t| t.file_name() == name)
                || listed.contains(&name));
        if !ours {
            let e = std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "this directory holds {name:?}, which is not a file of the dataset, and \
                     it is replaced whole; move it elsewhere first; nothing was written"
                ),
            );
            return Err(Error::io(old, e));
        }
    }
    Ok(())
}

/// Has `write` fill each file of `names` in `staged`, each synced on a
/// thread of its own while the next ones are written.
fn fill_and_sync(
    dir: &Path,
    staged: &Path,
    names: &[&str],
    mut write: impl FnMut(&str, &mut File) -> std::io::Result<()>,
) -> Result<(), Error> {
    std::thread::scope(|threads| {
        let mut syncs = Vec::new();
        for name in names {
            let file = fill(staged, name, &mut write);
            let file = file.map_err(|e| Error::io(&dir.join(name), e))?;
            syncs.push(
                threads.spawn(move || file.sync_all().map_err(|e| Error::io(&dir.join(name), e))),
            );
        }
        join_all(syncs)
    })
}

/// Waits for every thread and returns the first error (a panic goes on).
fn join_all<'s>(
    handles: impl IntoIterator<Item = std::thread::ScopedJoinHandle<'s, Result<(), Error>>>,
) -> Result<(), Error> {
    let results: Vec<Result<(), Error>> = handles
        .into_iter()
        .map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect();
    results.into_iter().collect()
}

/// [`write_set_replacing`], with the files of each lane written on a core
/// of its own.
pub(crate) fn write_set_in_lanes(
    dir: &Path,
    lanes: &[Vec<&str>],
    replaces: Replaces,
    write: &(dyn Fn(&str, &mut File) -> std::io::Result<()> + Sync),
) -> Result<(), Error> {
    let (lock, staged) = staging(dir)?;
    let at = staged.path();
    std::thread::scope(|threads| {
        let handles: Vec<_> = lanes
            .iter()
            .map(|lane| {
                threads.spawn(move || {
                    // Each file is synced on a thread of its own while the
                    // lane writes the next.
                    std::thread::scope(|syncing| {
                        let mut syncs = Vec::new();
                        for name in lane {
                            let file = fill(at, name, &mut |n, f| write(n, f))
                                .map_err(|e| Error::io(&dir.join(name), e))?;
                            syncs.push(syncing.spawn(move || {
                                file.sync_all().map_err(|e| Error::io(&dir.join(name), e))
                            }));
                        }
                        join_all(syncs)
                    })
                })
            })
            .collect();
        join_all(handles)
    })?;
    let names: Vec<&str> = lanes.iter().flatten().copied().collect();
    publish(dir, lock, staged, &names, replaces, None)
}

/// Bytes written between two flushes ahead (see [`with_sync_ahead`]).
pub(crate) const SYNC_AHEAD: u64 = 8 << 20;

/// Runs `write` on `file` and, each time another `every` bytes have been
/// written, has a thread of its own flush what was written so far to the
/// device (`fdatasync` on a second handle), so that the device writes
/// while the rest of the file is produced and the sync that follows has
/// little left to do. The file is still synced whole afterwards, by the
/// caller, as before. An error of a flush ahead is returned here: a later
/// sync of the same open file would not report it again. Returns what
/// `write` returned and how many flushes ahead were made.
pub(crate) fn with_sync_ahead<R>(
    file: &mut File,
    every: u64,
    write: impl FnOnce(&mut (dyn Write + Send)) -> std::io::Result<R>,
) -> std::io::Result<(R, usize)> {
    std::thread::scope(|threads| {
        let mut out = SyncAhead {
            file,
            every: every.max(1),
            since: 0,
            threads,
            flusher: None,
        };
        let written = write(&mut out);
        let flushed = match out.flusher.take() {
            Some((ask, flusher)) => {
                drop(ask);
                flusher
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            None => Ok(0),
        };
        let written = written?;
        Ok((written, flushed?))
    })
}

/// The writer of [`with_sync_ahead`]; its flushing thread starts with the
/// first flush, so a small file costs no thread.
struct SyncAhead<'f, 's, 'e> {
    file: &'f mut File,
    every: u64,
    since: u64,
    threads: &'s std::thread::Scope<'s, 'e>,
    /// Asks the flushing thread for a flush, and the thread (which returns
    /// how many flushes it made, or the first error).
    flusher: Option<(
        std::sync::mpsc::Sender<()>,
        std::thread::ScopedJoinHandle<'s, std::io::Result<usize>>,
    )>,
}

impl SyncAhead<'_, '_, '_> {
    fn ask_for_a_flush(&mut self) -> std::io::Result<()> {
        if self.flusher.is_none() {
            let ahead = self.file.try_clone()?;
            let (ask, asked) = std::sync::mpsc::channel::<()>();
            let flusher = self.threads.spawn(move || {
                let mut flushes = 0;
                while asked.recv().is_ok() {
                    // Asks that came during the last flush need one more.
                    while asked.try_recv().is_ok() {}
                    ahead.sync_data()?;
                    flushes += 1;
                }
                Ok(flushes)
            });
            self.flusher = Some((ask, flusher));
        }
        if let Some((ask, _)) = &self.flusher {
            // The thread has stopped only after an error, which the end
            // of `with_sync_ahead` returns.
            let _ = ask.send(());
        }
        Ok(())
    }
}

impl Write for SyncAhead<'_, '_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.since += n as u64;
        if self.since >= self.every {
            self.since = 0;
            self.ask_for_a_flush()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// `dir`'s exclusive lock, held until the set is published, and a
/// staging directory inside `dir` (created if missing), removed when
/// dropped. An interrupted write in `dir` is finished or discarded first.
fn staging(dir: &Path) -> Result<(Lock, tempfile::TempDir), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let lock = Lock::take(dir, Access::Exclusive, journal::LOCK_WAIT)?;
    journal::recover_locked(dir)?;
    let staged = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    Ok((lock, staged))
}

/// Creates `name` in `staged` and has `write` fill it; the caller syncs it.
fn fill(
    staged: &Path,
    name: &str,
    write: &mut dyn FnMut(&str, &mut File) -> std::io::Result<()>,
) -> std::io::Result<File> {
    let mut file = File::create(staged.join(name))?;
    write(name, &mut file)?;
    Ok(file)
}

/// Publishes the staged files `names` (and the directory `swap` names)
/// into `dir` as one change, with the removal of what `replaces` says is
/// left of the old set, and then releases `dir`'s lock.
fn publish(
    dir: &Path,
    lock: Lock,
    staged: tempfile::TempDir,
    names: &[&str],
    replaces: Replaces,
    swap: Option<Swap>,
) -> Result<(), Error> {
    let staging = staged
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let journal = Journal {
        staging,
        renames: names.iter().map(|&n| n.to_owned()).collect(),
        removals: left_over(dir, names, replaces),
        swap,
    };
    // From here the staging directory belongs to the journal: a failure
    // after the commit point needs its files to finish the change.
    let _ = staged.keep();
    let published = journal::commit(dir, &journal);
    drop(lock);
    published
}

/// The largest manifest read to find the files of the old set.
const MANIFEST_MAX: u64 = 64 << 20;

/// The files of the old set in `dir` that its manifest (as `replaces`
/// says) lists and `names` does not have: only plain names with the
/// manifest's own extension, and only files (never a directory) that exist.
fn left_over(dir: &Path, names: &[&str], replaces: Replaces) -> Vec<String> {
    let (manifest, extension) = match replaces {
        Replaces::Nothing => return Vec::new(),
        Replaces::JsonDataset => (FileKind::Manifest.default_file_name(), ".json"),
        Replaces::CsvPackage => (DATAPACKAGE, ".csv"),
    };
    let path = dir.join(manifest);
    let read = || -> Option<serde_json::Value> {
        if !std::fs::symlink_metadata(&path).ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        File::open(&path)
            .ok()?
            .take(MANIFEST_MAX)
            .read_to_end(&mut bytes)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    let Some(value) = read() else {
        return Vec::new();
    };
    let listed: Vec<&str> = match (replaces, value.get("resources")) {
        (Replaces::JsonDataset, Some(serde_json::Value::Object(resources))) => resources
            .values()
            .filter_map(serde_json::Value::as_str)
            .collect(),
        (Replaces::CsvPackage, Some(serde_json::Value::Array(resources))) => resources
            .iter()
            .filter_map(|r| r.get("path")?.as_str())
            .collect(),
        _ => Vec::new(),
    };
    let mut left: Vec<String> = listed
        .into_iter()
        .filter(|name| {
            name.ends_with(extension)
                && *name != manifest
                && journal::is_plain_name(name)
                && !names.contains(name)
                && std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| !m.is_dir())
        })
        .map(str::to_owned)
        .collect();
    left.sort();
    left.dedup();
    left
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    /// The bytes go through unchanged, in order, whatever the sizes of
    /// the writes; a flush ahead is made for each `every` bytes or so, and
    /// none for a file smaller than that.
    #[test]
    fn sync_ahead_writes_every_byte_and_flushes_as_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        for (every, parts) in [(1 << 20, 1000), (1 << 16, 7), (u64::MAX, 4096)] {
            let path = dir.path().join(format!("f{every}"));
            let mut file = File::create(&path).unwrap();
            let ((), flushes) = with_sync_ahead(&mut file, every, |out| {
                bytes.chunks(parts).try_for_each(|part| out.write_all(part))
            })
            .unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), bytes);
            let most = (bytes.len() as u64 / every) as usize;
            assert!(flushes <= most, "{every}: {flushes} flushes");
            assert_eq!(flushes == 0, most == 0, "{every}: {flushes} flushes");
        }
    }

    /// An error of the writing is returned, and the flushing thread stops.
    #[test]
    fn sync_ahead_returns_the_writers_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = File::create(dir.path().join("f")).unwrap();
        let err = with_sync_ahead(&mut file, 10, |out| {
            out.write_all(&[b'x'; 100])?;
            Err::<(), _>(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
    }

    /// The target gets the new bytes, with the mode a created file has,
    /// and nothing else is left in its directory; a write that cannot
    /// happen leaves nothing behind either.
    #[test]
    fn atomic_write_replaces_the_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pledges.json");
        std::fs::write(&target, "old").unwrap();
        atomic_write(&target, b"new").unwrap();
        assert_eq!(
            entries(dir.path()),
            [("pledges.json".to_owned(), "new".to_owned())]
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let created = dir.path().join("created");
            File::create(&created).unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode(&target), mode(&created));
        }

        let missing = dir.path().join("no-such-dir").join("f.json");
        let err = atomic_write(&missing, b"x").unwrap_err().to_string();
        assert!(err.contains("f.json"), "{err}");
        assert!(!dir.path().join("no-such-dir").exists());

        // The rename fails (a directory is in the way): the temporary file
        // is removed.
        let blocked = tempfile::tempdir().unwrap();
        std::fs::create_dir(blocked.path().join("f.json")).unwrap();
        let err = atomic_write(&blocked.path().join("f.json"), b"x").unwrap_err();
        assert!(err.to_string().contains("f.json"), "{err}");
        let left: Vec<_> = std::fs::read_dir(blocked.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    fn entries(dir: &Path) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap_or_default())
            })
            .collect();
        found.sort();
        found
    }

    /// A file that fails to be written (the second of three, and the one
    /// in a lane of its own) leaves the directory as it was; otherwise
    /// every file is there, by either function.
    #[test]
    fn sets_write_every_file_or_none() {
        type Write = dyn Fn(&str, &mut File) -> std::io::Result<()> + Sync;
        let in_lanes = |dir: &Path, write: &Write| {
            write_set_in_lanes(dir, &[vec!["a", "b"], vec!["c"]], Replaces::Nothing, write)
        };
        let in_turn = |dir: &Path, write: &Write| write_set(dir, &["a", "b", "c"], write);
        for (set, failing) in [
            (
                &in_lanes as &dyn Fn(&Path, &Write) -> Result<(), Error>,
                "c",
            ),
            (&in_turn, "b"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("a"), "old").unwrap();
            let result = set(dir.path(), &move |name, file| {
                if name == failing {
                    return Err(std::io::Error::other("disk full"));
                }
                file.write_all(b"new")
            });
            let err = result.unwrap_err().to_string();
            assert!(err.contains("disk full") && err.contains(failing), "{err}");
            assert_eq!(entries(dir.path()), [("a".to_owned(), "old".to_owned())]);

            set(dir.path(), &|name, file| file.write_all(name.as_bytes())).unwrap();
            let written: Vec<(String, String)> = ["a", "b", "c"]
                .map(|n| (n.to_owned(), n.to_owned()))
                .to_vec();
            assert_eq!(entries(dir.path()), written);
        }
    }
}
