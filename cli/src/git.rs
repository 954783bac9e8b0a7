//! Reading a dataset directory as it was at a git revision.

use std::path::Path;
use std::process::Command;

use tempfile::TempDir;

fn show(dir: &Path, rev: &str, name: &str) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &format!("{rev}:./{name}")])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "git cannot show {name} at {rev} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The commit `rev` names, as git resolves it: `rev` reaches git only
/// after `--end-of-options`, so it is never taken for an option.
fn resolve(dir: &Path, rev: &str) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
        .arg(format!("{rev}^{{commit}}"))
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let hash = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if output.status.success() && !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hash)
    } else {
        Err(format!("git knows no commit `{rev}` in {}", dir.display()))
    }
}

/// Writes the JSON dataset in `dir` as of `rev` into a temporary directory
/// (kept alive by the returned guard) and returns it.
pub fn checkout(dir: &Path, rev: &str) -> Result<TempDir, String> {
    let rev = &resolve(dir, rev)?;
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let manifest = show(dir, rev, "dataset.json")?;
    let resources: Vec<String> = serde_json::from_slice::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|m| m.get("resources").cloned())
        .and_then(|r| {
            r.as_object().map(|o| {
                o.values()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
        })
        .unwrap_or_else(|| {
            ["actors.json", "sources.json", "pledges.json"]
                .map(str::to_owned)
                .to_vec()
        });
    std::fs::write(tmp.path().join("dataset.json"), manifest).map_err(|e| e.to_string())?;
    for name in resources {
        if name.contains('/') || name.starts_with('.') {
            return Err(format!(
                "the manifest at {rev} names an unsafe file `{name}`"
            ));
        }
        let bytes = show(dir, rev, &name)?;
        std::fs::write(tmp.path().join(&name), bytes).map_err(|e| e.to_string())?;
    }
    Ok(tmp)
}

/// Whether every one of `names` in `dir` has the bytes it has at `HEAD`:
/// `Some(false)` as soon as one differs or is new, `None` when git cannot
/// say (no repository, no commit).
pub fn unchanged_since_head(dir: &Path, names: &[String]) -> Option<bool> {
    resolve(dir, "HEAD").ok()?;
    for name in names {
        let on_disk = ukraine_pledges::load::read_regular(
            &dir.join(name),
            ukraine_pledges::load::MAX_FILE_SIZE,
        )
        .ok();
        let committed = show(dir, "HEAD", name).ok();
        if on_disk != committed {
            return Some(false);
        }
    }
    Some(true)
}
