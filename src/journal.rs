//! Writes of a set of files as one change: the journal that is their commit point, and the recovery that finishes or discards a write that was killed.
//!
//! A set write (see [`write`](crate::write)) stages every file, fully
//! synced, in a directory named `.pledges-staging-…` inside the target
//! directory. Nothing in the target has changed yet: a kill now leaves the
//! old set, and a staging directory that the next run removes. Then it
//! writes and syncs a journal listing the renames (and the files of the
//! old set to remove) and renames it into the target as
//! [`JOURNAL`]: that rename is the commit point. The renames follow, the
//! directory is synced, and the journal and staging directory are removed.
//!
//! A set may also hold one whole directory (`generate` writes JSON in its
//! target and the CSV form in `csv` inside it): that directory is staged
//! whole in the staging directory, and the journal's `swap` line has it
//! take the place of the target's, in one step (`renameat2` with
//! `RENAME_EXCHANGE`, on Linux) or else in two renames. The journal keeps
//! the staged directory's inode, which tells recovery whether the swap
//! was done. So a reader of that directory alone sees its old set
//! or its new one, and the next command on the target finishes the rest.
//!
//! [`recover`] runs before anything else reads or writes a dataset
//! directory (the library's load and write entry points call it): with a
//! journal, it does the renames that are left (each is done at most once:
//! a file already moved is no longer in the staging directory) and the
//! removals, so the directory holds the whole new set; without one, it
//! removes any staging directory, so the directory holds the whole old
//! set. Either way it says what it did, for the caller to pass on.
//!
//! Two commands never work on one directory at once: a set write holds an
//! exclusive lock on the directory (`flock`, on Unix) from before it
//! stages its first file until its last rename, [`recover`] takes the same
//! lock before it finishes or discards anything, and a read of a dataset
//! directory holds a shared one while it reads. Otherwise a second
//! command could take a write still staging for one that was killed and
//! remove its files, or read half of a set being renamed into place. A
//! command that finds the lock taken waits for it, for up to
//! [`LOCK_WAIT`], then stops with an I/O error. Where the file system has
//! no such locks, the directory is used unlocked.
//!
//! A journal comes from the directory itself, which may be a stranger's
//! pull request: it is read only when it is a regular file, at most
//! [`JOURNAL_MAX`] bytes, and it can name only plain file names in that
//! directory and a staging directory inside it, never a path elsewhere.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::Error;

/// The journal's file name in the target directory.
pub const JOURNAL: &str = ".pledges-journal";

/// How the name of a staging directory starts (a random part follows).
pub const STAGING_PREFIX: &str = ".pledges-staging-";

/// What every name this module manages starts with: `.gitignore` ignores
/// it, and [`recover`] removes any directory so named (older versions
/// staged in `.pledges-XXXXXX`).
pub const MANAGED_PREFIX: &str = ".pledges-";

/// The largest journal that is read, in bytes.
pub const JOURNAL_MAX: u64 = 1 << 20;

/// How long a command waits for another command's lock on a directory
/// before it gives up (see the module's documentation).
pub const LOCK_WAIT: Duration = Duration::from_secs(120);

/// The first line of a journal: its format and version.
const HEADER: &str = "pledges-journal 1";

/// What [`recover`] found and did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovery {
    /// An interrupted write had passed its commit point and was finished:
    /// how many files were renamed into place then (the rest had been).
    pub finished: Option<usize>,
    /// Files of the old set that the finished write removed.
    pub removed: usize,
    /// Staging directories of writes that were killed before their commit
    /// point, removed (the old set was untouched).
    pub discarded: usize,
}

impl fmt::Display for Recovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.finished {
            Some(renamed) => write!(
                f,
                "finished an interrupted write of a set of files ({renamed} renamed into place, {} removed)",
                self.removed
            )?,
            None => f.write_str("rolled back an interrupted write")?,
        }
        if self.discarded > 0 {
            write!(
                f,
                "; removed {} staging director{} it left",
                self.discarded,
                if self.discarded == 1 { "y" } else { "ies" }
            )?;
        }
        Ok(())
    }
}

/// The renames and removals of one set write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Journal {
    /// The staging directory's name, inside the target directory.
    pub(crate) staging: String,
    /// Files to move from the staging directory into the target.
    pub(crate) renames: Vec<String>,
    /// Files of the old set to remove from the target.
    pub(crate) removals: Vec<String>,
    /// A directory of the set (`generate`'s `csv`), staged whole in the
    /// staging directory and swapped with the target's in one step.
    pub(crate) swap: Option<Swap>,
}

/// A directory staged whole, to take the place of the target's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Swap {
    /// Its name, in the staging directory and in the target.
    pub(crate) name: String,
    /// The staged directory's inode, by which recovery tells whether the
    /// swap was done (a rename keeps it; the device number is not kept
    /// across a remount everywhere, so it is not compared); `None` where
    /// the platform has none, and the swap is two renames. On Unix a
    /// journal must have it: without it, a stranger's journal could swap
    /// any directory for one of its own.
    pub(crate) id: Option<u64>,
}

/// The inode of the directory at `path` (not followed).
#[cfg_attr(not(feature = "write"), allow(dead_code))]
pub(crate) fn dir_id(path: &Path) -> io::Result<Option<u64>> {
    let meta = std::fs::symlink_metadata(path)?;
    if !meta.is_dir() {
        return Err(invalid("this is not a directory"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Ok(Some(meta.ino()))
    }
    #[cfg(not(unix))]
    Ok(None)
}

/// Whether the directory `old`, which a swap is to replace whole, holds
/// only what a CSV dataset directory holds: regular files named `*.csv`
/// or `datapackage.json` (no directory, link or hidden file). A swap a
/// journal asks for of any other directory is refused, whoever wrote it.
pub(crate) fn holds_only_tables(old: &Path) -> io::Result<Result<(), String>> {
    for entry in std::fs::read_dir(old)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let file = entry.file_type()?.is_file();
        if !file || name.starts_with('.') || !(name.ends_with(".csv") || name == "datapackage.json")
        {
            return Ok(Err(name));
        }
    }
    Ok(Ok(()))
}

/// Whether `name` is a plain file name this module may touch: one path
/// component, no control characters, not one of its own names.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.starts_with(MANAGED_PREFIX)
        && !name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control())
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

impl Journal {
    #[cfg_attr(not(feature = "write"), allow(dead_code))]
    fn text(&self) -> String {
        let mut text = format!("{HEADER}\nstaging {}\n", self.staging);
        for name in &self.renames {
            text.push_str(&format!("rename {name}\n"));
        }
        for name in &self.removals {
            text.push_str(&format!("remove {name}\n"));
        }
        if let Some(swap) = &self.swap {
            match swap.id {
                Some(ino) => text.push_str(&format!("swap {} {ino}\n", swap.name)),
                None => text.push_str(&format!("swap {} -\n", swap.name)),
            }
        }
        text
    }

    fn parse(text: &str) -> io::Result<Self> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(invalid(
                "not a journal of `pledges` (its first line is wrong)",
            ));
        }
        let staging = lines
            .next()
            .and_then(|l| l.strip_prefix("staging "))
            .filter(|s| {
                s.strip_prefix(STAGING_PREFIX)
                    .is_some_and(|rest| is_plain_name(rest) && !rest.starts_with('.'))
            })
            .ok_or_else(|| invalid("the journal names no staging directory"))?;
        let mut journal = Self {
            staging: staging.to_owned(),
            renames: Vec::new(),
            removals: Vec::new(),
            swap: None,
        };
        for line in lines {
            let (list, name) = match line.split_once(' ') {
                Some(("rename", name)) => (&mut journal.renames, name),
                Some(("remove", name)) => (&mut journal.removals, name),
                Some(("swap", rest)) if journal.swap.is_none() => {
                    journal.swap = Some(parse_swap(rest)?);
                    continue;
                }
                _ => return Err(invalid("the journal has a line it does not define")),
            };
            if !is_plain_name(name) {
                return Err(invalid("the journal names a file outside its directory"));
            }
            list.push(name.to_owned());
        }
        Ok(journal)
    }
}

/// A `swap` line's name and id (the inode, or `-` for none where there
/// are no inodes).
fn parse_swap(rest: &str) -> io::Result<Swap> {
    let bad = || invalid("the journal has a `swap` line it does not define");
    let (name, id) = rest.split_once(' ').ok_or_else(bad)?;
    if !is_plain_name(name) || name.starts_with('.') {
        return Err(invalid("the journal names a file outside its directory"));
    }
    let id = match id {
        // Only where inodes are unknown: on Unix the writer records one.
        "-" if cfg!(not(unix)) => None,
        _ => Some(id.parse().map_err(|_| bad())?),
    };
    Ok(Swap {
        name: name.to_owned(),
        id,
    })
}

/// Syncs the directory `dir`, so that renames in it are on the device.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Finishes or discards a set write in `dir` that was interrupted, before
/// anything else reads or writes it. Returns what it did, or `None` when
/// there was nothing to do (also when `dir` does not exist or is not a
/// directory: the caller reports that). When there is something to do, it
/// first takes the directory's lock, waiting up to [`LOCK_WAIT`] for a
/// command that is writing it.
///
/// # Errors
/// An I/O [`Error`] when the journal cannot be read or is not one, a
/// rename or removal fails (the journal then stays for the next run), or
/// another command held the directory's lock for all of [`LOCK_WAIT`].
pub fn recover(dir: &Path) -> Result<Option<Recovery>, Error> {
    recover_waiting(dir, LOCK_WAIT)
}

/// [`recover`], waiting at most `wait` for the lock.
pub(crate) fn recover_waiting(dir: &Path, wait: Duration) -> Result<Option<Recovery>, Error> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        _ => return Ok(None),
    }
    // A look without the lock first: most directories have nothing to
    // recover, and a read-only one then needs no lock at all.
    if !has_managed_names(dir)? {
        return Ok(None);
    }
    let _lock = Lock::take(dir, Access::Exclusive, wait)?;
    recover_locked(dir)
}

/// Whether `dir` holds what [`recover`] acts on: a journal, or a
/// directory named as staging is (not a link so named).
pub(crate) fn has_managed_names(dir: &Path) -> Result<bool, Error> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == JOURNAL
            || (name.starts_with(MANAGED_PREFIX) && entry.file_type().is_ok_and(|t| t.is_dir()))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// [`recover`], for a caller that holds `dir`'s exclusive lock.
pub(crate) fn recover_locked(dir: &Path) -> Result<Option<Recovery>, Error> {
    let mut recovery = Recovery::default();
    let journal_path = dir.join(JOURNAL);
    match std::fs::symlink_metadata(&journal_path) {
        Ok(meta) if meta.is_file() => {
            let journal = read_journal(&journal_path).map_err(|e| Error::io(&journal_path, e))?;
            let (renamed, removed) = apply(dir, &journal)?;
            recovery.finished = Some(renamed);
            recovery.removed = removed;
        }
        Ok(_) => {
            let e =
                invalid("this is not a regular file; remove it (it is no journal of `pledges`)");
            return Err(Error::io(&journal_path, e));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&journal_path, e)),
    }
    recovery.discarded = discard_staging(dir)?;
    Ok((recovery.finished.is_some() || recovery.discarded > 0).then_some(recovery))
}

/// Which lock a command takes on a directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// To read a dataset: others may read too, nobody writes.
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    Shared,
    /// To write a set, or recover one: nobody else reads or writes.
    Exclusive,
}

/// A lock on a directory, held until dropped (closing the directory
/// releases it, also when the process is killed).
#[derive(Debug)]
pub(crate) struct Lock {
    #[cfg(unix)]
    _dir: Option<File>,
}

impl Lock {
    /// Takes `access` to `dir`, waiting up to `wait` while another command
    /// holds a lock that conflicts. A file system without locks (the
    /// call is not supported there) gives an unlocked directory.
    ///
    /// # Errors
    /// An I/O [`Error`] when `dir` cannot be opened, or the lock was held
    /// by another command for all of `wait`.
    pub(crate) fn take(dir: &Path, access: Access, wait: Duration) -> Result<Self, Error> {
        #[cfg(all(unix, any(feature = "validate", feature = "write")))]
        {
            use rustix::fs::{FlockOperation, flock};
            use std::os::unix::fs::MetadataExt;
            let operation = match access {
                Access::Shared => FlockOperation::NonBlockingLockShared,
                Access::Exclusive => FlockOperation::NonBlockingLockExclusive,
            };
            let deadline = Instant::now() + wait;
            let mut file = File::open(dir).map_err(|e| Error::io(dir, e))?;
            loop {
                match flock(&file, operation) {
                    Ok(()) => {
                        // The directory may have been swapped out while
                        // this waited: the lock is then on the old one,
                        // and the path names another. Lock that one.
                        let held = file.metadata().map_err(|e| Error::io(dir, e))?;
                        let now = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
                        if (held.dev(), held.ino()) == (now.dev(), now.ino()) {
                            return Ok(Self { _dir: Some(file) });
                        }
                        file = File::open(dir).map_err(|e| Error::io(dir, e))?;
                    }
                    Err(rustix::io::Errno::WOULDBLOCK) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(rustix::io::Errno::WOULDBLOCK) => {
                        let e = io::Error::new(
                            io::ErrorKind::WouldBlock,
                            format!(
                                "another `pledges` command has been using this directory \
                                 for {} s; try again once it has finished",
                                wait.as_secs()
                            ),
                        );
                        return Err(Error::io(dir, e));
                    }
                    Err(rustix::io::Errno::INTR) => {}
                    // No locks on this file system (`ENOLCK`, `EOPNOTSUPP`,
                    // `EINVAL`): go on unlocked, as before locks.
                    Err(_) => return Ok(Self { _dir: None }),
                }
            }
        }
        // Without the features that read or write a dataset directory,
        // nothing but `recover` takes a lock, and it goes unlocked.
        #[cfg(not(all(unix, any(feature = "validate", feature = "write"))))]
        {
            let _ = (dir, access, wait, Instant::now());
            Ok(Self {
                #[cfg(unix)]
                _dir: None,
            })
        }
    }
}

fn read_journal(path: &Path) -> io::Result<Journal> {
    let file = File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(invalid("this is not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(JOURNAL_MAX + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > JOURNAL_MAX {
        return Err(invalid(format!(
            "the journal is larger than {JOURNAL_MAX} bytes"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| invalid("the journal is not UTF-8"))?;
    Journal::parse(&text)
}

/// Removes every staging directory in `dir` (there is no journal, or it
/// was applied): the directories whose names start with
/// [`MANAGED_PREFIX`]. A link so named is not followed.
fn discard_staging(dir: &Path) -> Result<usize, Error> {
    let mut removed = 0;
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(MANAGED_PREFIX) {
            continue;
        }
        let path = entry.path();
        // `file_type` does not follow a link.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            match std::fs::remove_dir_all(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            }
        }
    }
    Ok(removed)
}

/// Does what is left of `journal` in `dir`: the renames (a file no longer
/// in the staging directory was moved already), the removals, then removes
/// the journal and the staging directory. Returns how many files it
/// renamed and removed.
fn apply(dir: &Path, journal: &Journal) -> Result<(usize, usize), Error> {
    let staging = dir.join(&journal.staging);
    let (mut renamed, mut removed) = (0, 0);
    // The swap first: when it cannot be done (checked before the commit
    // point, but a directory's permissions or mounts can change), nothing
    // else has changed yet and the write is rolled back, rather than left
    // for every later command to fail on.
    if let Some(swap) = &journal.swap {
        match swap_in(dir, &staging, swap) {
            Ok(n) => renamed += n,
            Err(e) if untouched(dir, &staging, journal, swap) => {
                roll_back(dir, &staging)?;
                return Err(e.rolled_back());
            }
            Err(e) => return Err(e),
        }
    }
    for name in &journal.renames {
        let from = staging.join(name);
        let to = dir.join(name);
        match std::fs::symlink_metadata(&from) {
            Ok(_) => {
                std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))?;
                renamed += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&from, e)),
        }
    }
    for name in &journal.removals {
        let path = dir.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if !meta.is_dir() => match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&path, e)),
            },
            _ => {}
        }
    }
    sync_dir(dir).map_err(|e| Error::io(dir, e))?;
    let journal_path = dir.join(JOURNAL);
    match std::fs::remove_file(&journal_path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&journal_path, e)),
    }
    sync_dir(dir).map_err(|e| Error::io(dir, e))?;
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(&staging, e)),
    }
    Ok((renamed, removed))
}

/// Whether nothing of `journal` has been done in `dir`: its staged
/// directory and every staged file still in `staging`, and no old
/// directory moved aside.
fn untouched(dir: &Path, staging: &Path, journal: &Journal, swap: &Swap) -> bool {
    let staged = staging.join(&swap.name);
    std::fs::symlink_metadata(&staged).is_ok_and(|m| m.is_dir())
        && (swap.id.is_none() || dir_id(&staged).ok().flatten() == swap.id)
        && (swap.id.is_none() || dir_id(&dir.join(&swap.name)).ok().flatten() != swap.id)
        && std::fs::symlink_metadata(staging.join(format!("{}.old", swap.name))).is_err()
        && journal
            .renames
            .iter()
            .all(|name| std::fs::symlink_metadata(staging.join(name)).is_ok())
}

/// Undoes a committed write of which nothing was done: removes its journal
/// (synced) and then its staging directory.
fn roll_back(dir: &Path, staging: &Path) -> Result<(), Error> {
    let journal_path = dir.join(JOURNAL);
    std::fs::remove_file(&journal_path).map_err(|e| Error::io(&journal_path, e))?;
    sync_dir(dir).map_err(|e| Error::io(dir, e))?;
    match std::fs::remove_dir_all(staging) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(staging, e)),
    }
}

/// Puts the directory `swap` names, staged in `staging`, in the place of
/// `dir`'s, in one step where the platform can (`renameat2` with
/// `RENAME_EXCHANGE`; the old one is left in `staging`, to go with it), or
/// else as two renames (the old one into `staging` first). Each step is
/// done at most once, however often this is run: the swap is done once the
/// directory in `dir` is the staged one. Returns 1 when it moved the
/// staged directory, 0 when that had been done.
fn swap_in(dir: &Path, staging: &Path, swap: &Swap) -> Result<usize, Error> {
    let target = dir.join(&swap.name);
    let staged = staging.join(&swap.name);
    let in_place = std::fs::symlink_metadata(&target).ok();
    if let (Some(id), Some(_)) = (swap.id, &in_place)
        && dir_id(&target).ok().flatten() == Some(id)
    {
        return Ok(0);
    }
    match std::fs::symlink_metadata(&staged) {
        Ok(meta) if meta.is_dir() => {}
        // Moved already, by the two renames' second.
        Err(e) if e.kind() == io::ErrorKind::NotFound && swap.id.is_none() => return Ok(0),
        _ => {
            let e = invalid(
                "this is not a directory this write staged (it is missing, or not a \
                 directory); it was not swapped in",
            );
            return Err(Error::io(&staged, e));
        }
    }
    if swap
        .id
        .is_some_and(|id| dir_id(&staged).ok().flatten() != Some(id))
    {
        let e = invalid("this is not the directory this write staged; it was not swapped in");
        return Err(Error::io(&staged, e));
    }
    if in_place.is_some() {
        match holds_only_tables(&target) {
            Ok(Ok(())) => {}
            Ok(Err(name)) => {
                let e = invalid(format!(
                    "this directory holds {name:?}, which no CSV dataset has; a write \
                     replaces only a directory of tables"
                ));
                return Err(Error::io(&target, e));
            }
            Err(e) => return Err(Error::io(&target, e)),
        }
        #[cfg(all(
            any(target_os = "linux", target_os = "android"),
            any(feature = "validate", feature = "write")
        ))]
        if swap.id.is_some() {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            match renameat_with(CWD, &staged, CWD, &target, RenameFlags::EXCHANGE) {
                Ok(()) => return Ok(1),
                // Not on this file system: the two renames below.
                Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
                Err(e) => return Err(Error::io(&target, e.into())),
            }
        }
        let old = staging.join(format!("{}.old", swap.name));
        std::fs::rename(&target, &old).map_err(|e| Error::io(&target, e))?;
        if let Err(e) = std::fs::rename(&staged, &target) {
            // Put the old one back, so that nothing was done.
            let _ = std::fs::rename(&old, &target);
            return Err(Error::io(&target, e));
        }
        return Ok(1);
    }
    std::fs::rename(&staged, &target).map_err(|e| Error::io(&target, e))?;
    Ok(1)
}

/// Whether the directory `target` in `dir` can be swapped out, checked
/// before the commit point so that the swap after it does not fail: it is
/// absent, or a directory (not a link) on `dir`'s file system (not a mount
/// point), that this process may write, holding only tables.
#[cfg(feature = "write")]
fn swappable(dir: &Path, target: &Path) -> Result<(), (io::ErrorKind, String)> {
    let meta = match std::fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err((e.kind(), e.to_string())),
    };
    if !meta.is_dir() {
        return Err((
            io::ErrorKind::NotADirectory,
            "something that is not a directory is in the way of this one".to_owned(),
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = std::fs::metadata(dir).map_err(|e| (e.kind(), e.to_string()))?;
        if parent.dev() != meta.dev() {
            return Err((
                io::ErrorKind::Unsupported,
                "this directory is another file system mounted here, which cannot be \
                 replaced by a rename"
                    .to_owned(),
            ));
        }
        if rustix::fs::access(target, rustix::fs::Access::WRITE_OK).is_err() {
            return Err((
                io::ErrorKind::PermissionDenied,
                "this directory cannot be written, so it cannot be moved".to_owned(),
            ));
        }
    }
    match holds_only_tables(target) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(name)) => Err((
            io::ErrorKind::InvalidInput,
            format!(
                "this directory holds {name:?}, which is not a table of a CSV dataset, and \
                 it is replaced whole; move it elsewhere first"
            ),
        )),
        Err(e) => Err((e.kind(), e.to_string())),
    }
}

/// Publishes the files `journal.renames`, staged and synced in
/// `journal.staging` inside `dir`, as one change, and removes
/// `journal.removals`. First every target is checked: a directory where a
/// file is to go is an error before anything changes (and the staging
/// directory is removed). Then the journal is written, synced and renamed
/// into `dir` (the commit point), and applied. The caller holds `dir`'s
/// exclusive [`Lock`].
///
/// # Errors
/// An I/O [`Error`] naming the file or directory. Before the commit point
/// `dir` is as it was; after it, the journal stays and the next
/// [`recover`] finishes the change.
#[cfg(feature = "write")]
pub(crate) fn commit(dir: &Path, journal: &Journal) -> Result<(), Error> {
    use std::io::Write as _;
    let staging = dir.join(&journal.staging);
    let before = (|| {
        for name in journal.renames.iter().chain(&journal.removals) {
            if !is_plain_name(name) {
                let e = io::Error::new(io::ErrorKind::InvalidInput, "not a plain file name");
                return Err(Error::io(&dir.join(name), e));
            }
        }
        for name in &journal.renames {
            let target = dir.join(name);
            if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
                let e = io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "a directory is in the way of this file; nothing was written",
                );
                return Err(Error::io(&target, e));
            }
        }
        if let Some(swap) = &journal.swap {
            let target = dir.join(&swap.name);
            if let Err(why) = swappable(dir, &target) {
                let e = io::Error::new(why.0, format!("{}; nothing was written", why.1));
                return Err(Error::io(&target, e));
            }
        }
        let staged_journal = staging.join(JOURNAL);
        let write = || -> io::Result<()> {
            let mut file = File::create(&staged_journal)?;
            file.write_all(journal.text().as_bytes())?;
            file.sync_all()?;
            sync_dir(&staging)
        };
        write().map_err(|e| Error::io(&staged_journal, e))?;
        let journal_path = dir.join(JOURNAL);
        std::fs::rename(&staged_journal, &journal_path).map_err(|e| Error::io(&journal_path, e))
    })();
    if let Err(e) = before {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // The commit point: the journal is in place; make it last.
    sync_dir(dir).map_err(|e| Error::io(dir, e))?;
    apply(dir, journal).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn staged(dir: &Path, files: &[(&str, &str)]) -> Journal {
        let staging = format!("{STAGING_PREFIX}test");
        std::fs::create_dir(dir.join(&staging)).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(&staging).join(name), text).unwrap();
        }
        Journal {
            staging,
            renames: files.iter().map(|(n, _)| (*n).to_owned()).collect(),
            removals: Vec::new(),
            swap: None,
        }
    }

    fn listing(dir: &Path) -> Vec<(String, String)> {
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

    proptest! {
        /// A journal reads back as written, and a text that is not one a
        /// set write wrote, or that names anything outside its directory,
        /// is refused rather than followed.
        #[test]
        fn a_journal_reads_back_and_nothing_else_is_taken_for_one(
            names in proptest::collection::vec("[a-z_]{1,8}\\.(csv|json)", 0..6),
            removals in proptest::collection::vec("[a-z_]{1,8}\\.csv", 0..3),
            noise in "[ -~\n]{0,40}",
            swap in proptest::option::of(("[a-z]{1,8}", any::<u64>().prop_map(|ino| {
                // Only a platform without inodes writes a swap without one.
                (cfg!(unix) || ino % 2 == 0).then_some(ino)
            }))),
        ) {
            let journal = Journal {
                staging: format!("{STAGING_PREFIX}abc"),
                renames: names,
                removals,
                swap: swap.map(|(name, id)| Swap { name, id }),
            };
            prop_assert_eq!(Journal::parse(&journal.text()).unwrap(), journal.clone());
            for hostile in ["../x", "/etc/passwd", "a/b", ".pledges-journal", ""] {
                let text = format!("{}rename {hostile}\n", journal.text());
                prop_assert!(Journal::parse(&text).is_err(), "{:?}", hostile);
            }
            // `.git` and the like are never swapped, and on Unix a swap
            // names the inode it staged: a stranger cannot know it.
            let unix_only: &[&str] = if cfg!(unix) { &["csv -"] } else { &[] };
            for hostile in ["../x 1", "csv", ".git 1", ". 1", "csv a", "csv 1:2", "csv -1"]
                .iter()
                .chain(unix_only)
            {
                let text = format!("{}swap {hostile}\n", journal.text());
                prop_assert!(Journal::parse(&text).is_err(), "{:?}", hostile);
            }
            let text = journal.text().replacen(&journal.staging, "../elsewhere", 1);
            prop_assert!(Journal::parse(&text).is_err());
            if !noise.starts_with(HEADER) {
                prop_assert!(Journal::parse(&noise).is_err());
            }
        }
    }

    /// A committed journal is finished by the next `recover`, however many
    /// of its renames were done before the kill, and `recover` again has
    /// nothing to do.
    #[test]
    fn recovery_finishes_a_committed_write_from_any_point() {
        for done in 0..=3 {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("a.csv"), "old a").unwrap();
            std::fs::write(dir.path().join("gone.csv"), "old").unwrap();
            let mut journal = staged(
                dir.path(),
                &[("a.csv", "new a"), ("b.csv", "new b"), ("c.json", "new c")],
            );
            journal.removals.push("gone.csv".to_owned());
            std::fs::write(dir.path().join(JOURNAL), journal.text()).unwrap();
            for name in journal.renames.iter().take(done) {
                let staging = dir.path().join(&journal.staging);
                std::fs::rename(staging.join(name), dir.path().join(name)).unwrap();
            }
            let recovery = recover(dir.path()).unwrap().unwrap();
            assert_eq!(recovery.finished, Some(3 - done));
            assert_eq!(recovery.removed, 1);
            assert_eq!(
                listing(dir.path()),
                [
                    ("a.csv".to_owned(), "new a".to_owned()),
                    ("b.csv".to_owned(), "new b".to_owned()),
                    ("c.json".to_owned(), "new c".to_owned()),
                ]
            );
            assert_eq!(recover(dir.path()).unwrap(), None);
        }
    }

    /// A write that swaps a whole directory (`generate`'s `csv`) is
    /// finished by the next `recover` from any point it was killed at: none
    /// of its steps done, the files renamed, the directories exchanged (the
    /// old one then sits in the staging directory, and is not swapped back),
    /// or the first of two renames done. `dir` then holds the new files and
    /// the new directory, and nothing of the write.
    #[test]
    fn recovery_finishes_a_directory_swap_from_any_point() {
        for done in 0..4 {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("a.json"), "old a").unwrap();
            std::fs::create_dir(dir.path().join("csv")).unwrap();
            std::fs::write(dir.path().join("csv/t.csv"), "old t").unwrap();
            let mut journal = staged(dir.path(), &[("a.json", "new a")]);
            let staging = dir.path().join(&journal.staging);
            std::fs::create_dir(staging.join("csv")).unwrap();
            std::fs::write(staging.join("csv/t.csv"), "new t").unwrap();
            let id = dir_id(&staging.join("csv")).unwrap();
            journal.swap = Some(Swap {
                name: "csv".to_owned(),
                id,
            });
            std::fs::write(dir.path().join(JOURNAL), journal.text()).unwrap();
            if done >= 1 {
                std::fs::rename(staging.join("a.json"), dir.path().join("a.json")).unwrap();
            }
            match done {
                // As `renameat2` with `RENAME_EXCHANGE` leaves them.
                2 => {
                    std::fs::rename(dir.path().join("csv"), staging.join("swapped")).unwrap();
                    std::fs::rename(staging.join("csv"), dir.path().join("csv")).unwrap();
                    std::fs::rename(staging.join("swapped"), staging.join("csv")).unwrap();
                }
                3 => std::fs::rename(dir.path().join("csv"), staging.join("csv.old")).unwrap(),
                _ => {}
            }
            let recovery = recover(dir.path()).unwrap().unwrap();
            assert_eq!(
                recovery.finished,
                Some(usize::from(done < 1) + usize::from(done != 2))
            );
            assert_eq!(
                listing(dir.path()),
                [
                    ("a.json".to_owned(), "new a".to_owned()),
                    ("csv".to_owned(), String::new()),
                ],
                "{done}"
            );
            assert_eq!(
                listing(&dir.path().join("csv")),
                [("t.csv".to_owned(), "new t".to_owned())],
                "{done}"
            );
            assert_eq!(recover(dir.path()).unwrap(), None);
        }
    }

    /// A journal whose swap would replace a directory that is not one of
    /// tables (a stranger's, naming `src` and the inode of its own staged
    /// directory) does nothing: nothing of the write had been done, so it
    /// is rolled back, and the directory and the files stay as they were.
    #[cfg(unix)]
    #[test]
    fn a_swap_of_a_directory_that_is_not_one_of_tables_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), "old a").unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/main.rs"), "fn main() {}").unwrap();
        let mut journal = staged(dir.path(), &[("a.json", "new a")]);
        let staging = dir.path().join(&journal.staging);
        std::fs::create_dir(staging.join("src")).unwrap();
        journal.swap = Some(Swap {
            name: "src".to_owned(),
            id: dir_id(&staging.join("src")).unwrap(),
        });
        std::fs::write(dir.path().join(JOURNAL), journal.text()).unwrap();
        let err = recover(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("main.rs") && err.contains("rolled back"),
            "{err}"
        );
        assert_eq!(
            listing(dir.path()),
            [
                ("a.json".to_owned(), "old a".to_owned()),
                ("src".to_owned(), String::new()),
            ]
        );
        assert_eq!(
            listing(&dir.path().join("src")),
            [("main.rs".to_owned(), "fn main() {}".to_owned())]
        );
        assert_eq!(recover(dir.path()).unwrap(), None);
    }

    /// A command that waited for the lock of a directory that was swapped
    /// out meanwhile locks the directory now at that path, not the old
    /// one: a third command cannot then take the new one as well.
    #[cfg(unix)]
    #[test]
    fn a_lock_taken_after_a_swap_is_on_the_directory_now_there() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("csv");
        std::fs::create_dir(&csv).unwrap();
        let first = Lock::take(&csv, Access::Exclusive, Duration::ZERO).unwrap();
        let (locked, told) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let waiter = {
            let csv = csv.clone();
            std::thread::spawn(move || {
                let lock = Lock::take(&csv, Access::Exclusive, Duration::from_secs(20)).unwrap();
                locked.send(()).unwrap();
                released.recv().unwrap();
                drop(lock);
            })
        };
        // Let the waiter open the old directory, then swap it out.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::rename(&csv, dir.path().join("old")).unwrap();
        std::fs::create_dir(&csv).unwrap();
        drop(first);
        told.recv().unwrap();
        assert!(Lock::take(&csv, Access::Exclusive, Duration::ZERO).is_err());
        release.send(()).unwrap();
        waiter.join().unwrap();
        Lock::take(&csv, Access::Exclusive, Duration::ZERO).unwrap();
    }

    /// Staging without a journal (a write killed before its commit point,
    /// or by an older version) is removed, and the old files stay.
    #[test]
    fn recovery_discards_staging_without_a_journal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "old").unwrap();
        staged(dir.path(), &[("a.csv", "new")]);
        std::fs::create_dir(dir.path().join(".pledges-Xy12ab")).unwrap();
        let recovery = recover(dir.path()).unwrap().unwrap();
        assert_eq!((recovery.finished, recovery.discarded), (None, 2));
        assert_eq!(
            listing(dir.path()),
            [("a.csv".to_owned(), "old".to_owned())]
        );
    }

    /// A directory where a file of the set is to go fails the commit before
    /// anything is renamed or any journal written.
    #[cfg(feature = "write")]
    #[test]
    fn a_directory_in_the_way_fails_before_the_commit_point() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.csv"), "old").unwrap();
        std::fs::create_dir(dir.path().join("b.csv")).unwrap();
        let journal = staged(dir.path(), &[("a.csv", "new"), ("b.csv", "new")]);
        let err = commit(dir.path(), &journal).unwrap_err().to_string();
        assert!(err.contains("b.csv") && err.contains("directory"), "{err}");
        assert_eq!(
            listing(dir.path()),
            [
                ("a.csv".to_owned(), "old".to_owned()),
                ("b.csv".to_owned(), String::new())
            ]
        );
    }

    /// While a command holds a directory's lock (a write still staging),
    /// another command's recovery does not take the staging for a killed
    /// write's and remove it: it waits, and gives up when the wait is over.
    /// Once the lock is released, staging without a journal is removed.
    #[cfg(unix)]
    #[test]
    fn recovery_leaves_a_write_in_progress_alone() {
        let dir = tempfile::tempdir().unwrap();
        staged(dir.path(), &[("a.csv", "new")]);
        let writing = Lock::take(dir.path(), Access::Exclusive, Duration::ZERO).unwrap();
        let err = recover_waiting(dir.path(), Duration::from_millis(30))
            .unwrap_err()
            .to_string();
        assert!(err.contains("another `pledges` command"), "{err}");
        assert!(dir.path().join(format!("{STAGING_PREFIX}test")).is_dir());
        drop(writing);
        let recovery = recover_waiting(dir.path(), Duration::ZERO)
            .unwrap()
            .unwrap();
        assert_eq!(recovery.discarded, 1);
    }

    /// Readers share a directory; a writer has it alone.
    #[cfg(unix)]
    #[test]
    fn readers_share_a_directory_and_a_writer_has_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let take = |access| Lock::take(dir.path(), access, Duration::ZERO);
        let (a, b) = (take(Access::Shared).unwrap(), take(Access::Shared).unwrap());
        assert!(take(Access::Exclusive).is_err());
        drop((a, b));
        let writer = take(Access::Exclusive).unwrap();
        assert!(take(Access::Shared).is_err());
        assert!(take(Access::Exclusive).is_err());
        drop(writer);
        take(Access::Shared).unwrap();
    }

    /// A journal that is not one stops the command instead of being
    /// guessed at, and is left for a person to look at.
    #[test]
    fn a_journal_that_is_not_one_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(JOURNAL), "rename ../../x\n").unwrap();
        let err = recover(dir.path()).unwrap_err().to_string();
        assert!(err.contains(JOURNAL), "{err}");
        assert!(dir.path().join(JOURNAL).exists());
    }
}
