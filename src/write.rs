//! Atomic file writes: a temporary file beside the target, then a rename,
//! so a reader never sees half a file and a failure leaves the old one.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::Error;

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
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Writes the files `names` into `dir` as one change: `write` fills each
/// file in a staging directory inside `dir`, each is synced, and all are
/// renamed into place only when every one was written, so a failure leaves
/// `dir` as it was.
///
/// # Errors
/// An I/O [`Error`] naming the file that could not be written.
pub fn write_set(
    dir: &Path,
    names: &[&str],
    mut write: impl FnMut(&str, &mut File) -> std::io::Result<()>,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let staged = tempfile::Builder::new()
        .prefix(".pledges-")
        .tempdir_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    for name in names {
        let path = staged.path().join(name);
        let result = File::create(&path).and_then(|mut file| {
            write(name, &mut file)?;
            file.sync_all()
        });
        result.map_err(|e| Error::io(&dir.join(name), e))?;
    }
    for name in names {
        let target = dir.join(name);
        std::fs::rename(staged.path().join(name), &target).map_err(|e| Error::io(&target, e))?;
    }
    Ok(())
}
