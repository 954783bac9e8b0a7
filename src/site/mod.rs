//! A static website of a dataset: an index of pledges with filters, a page per record, charts, and the archived texts with every quote highlighted.
//!
//! The site works from the file system (`file://`, no server) and loads
//! nothing from the network: its one style sheet and one small script are
//! files of the site. Every page is built with [`maud`], which escapes
//! every value it is given, so no text of the data is ever markup; the
//! filter data the script reads are JSON with `<`, `>`, `&`, U+2028 and
//! U+2029 escaped.
//!
//! [`build`] writes a site into a directory; [`publish`] builds it beside
//! the target and swaps it in by renames, so the target holds the old site
//! or the new one, never half of one.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::path::Path;
//! use ukraine_pledges::{Dataset, site};
//!
//! let data = Dataset::load("data")?;
//! let summary = site::publish(&data, Some(Path::new("../shared/seeds")), Path::new("site"), false)?;
//! println!("{} files, {} bytes", summary.files, summary.bytes);
//! # Ok(()) }
//! ```

mod archive;
mod charts;
mod highlight;
mod index;
mod layout;
mod pages;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::error::{Error, ErrorKind};
use crate::model::{Attested, Credibility};

use layout::{Kind, Shell};

/// The file that marks a directory as a site `pledges site` wrote, so that
/// a later run may replace it without `--force`.
pub const MARKER: &str = ".pledges-site";

/// Rows on one page of a list (the pledge index and the other lists).
pub const PAGE_SIZE: usize = 100;

/// The most records a list on a record's page shows (an actor's pledges,
/// an event's); the rest are counted, and the paged lists hold them all.
pub const LIST_CAP: usize = 100;

/// Pledges in one file of the filter data the index's script loads.
pub const CHUNK_SIZE: usize = 5000;

/// What a build wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// How many files.
    pub files: usize,
    /// How many bytes, all files together.
    pub bytes: u64,
    /// The largest file, from the site's root, and its size in bytes.
    pub largest: (String, u64),
    /// Whether the source pages show the archived texts.
    pub with_archive: bool,
}

/// Writes the site's files under a root, keeping count.
pub(crate) struct Writer {
    root: PathBuf,
    summary: Summary,
}

impl Writer {
    pub(crate) fn write(&mut self, path: &str, content: &[u8]) -> Result<(), Error> {
        let file = self.root.join(path);
        std::fs::write(&file, content).map_err(|e| Error::io(&file, e))?;
        let size = content.len() as u64;
        self.summary.files += 1;
        self.summary.bytes += size;
        if size > self.summary.largest.1 {
            self.summary.largest = (path.to_owned(), size);
        }
        Ok(())
    }
}

/// A record that cites a source: which kind, which record (its index in
/// the dataset) and which of its evidence items.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Cite {
    pub(crate) kind: Kind,
    pub(crate) record: usize,
    pub(crate) evidence: usize,
}

/// Where each actor appears, by index into the dataset's collections.
#[derive(Default)]
pub(crate) struct ActorLinks {
    /// Pledges it makes, or someone acting for it makes.
    pub(crate) made: Vec<usize>,
    /// Other pledges that name it: beneficiary, role, condition.
    pub(crate) involved: Vec<usize>,
    /// Statements it (or someone acting for it) holds.
    pub(crate) statements: Vec<usize>,
    /// Events it took part in.
    pub(crate) events: Vec<usize>,
    /// Actors that act for it.
    pub(crate) members: Vec<usize>,
}

/// The dataset and what every page needs from it, worked out once.
pub(crate) struct Site<'a> {
    pub(crate) data: &'a Dataset,
    pub(crate) shell: Shell<'a>,
    /// Each pledge's credibility, by index.
    pub(crate) credibility: Vec<Credibility>,
    /// Each pledge's contested claims, by index.
    pub(crate) contested: Vec<Vec<String>>,
    pub(crate) actors: HashMap<&'a str, ActorLinks>,
    /// The evidence items citing each source.
    pub(crate) citations: HashMap<&'a str, Vec<Cite>>,
    /// With an archive: the texts and where each quote is.
    pub(crate) texts: Option<archive::Texts>,
    /// Each pledge's components (`part_of` links to it), by index.
    pub(crate) components: HashMap<&'a str, Vec<usize>>,
    /// The statements about each pledge, by index.
    pub(crate) statements_about: HashMap<&'a str, Vec<usize>>,
    /// Each event's pledges, as [`Dataset::pledges_at_event`] has them.
    pub(crate) event_pledges: HashMap<&'a str, Vec<usize>>,
    /// Each event's statements (made there or about it).
    pub(crate) event_statements: HashMap<&'a str, Vec<usize>>,
    /// The documents each event produced.
    pub(crate) produced: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Site<'a> {
    fn new(data: &'a Dataset, texts: Option<archive::Texts>) -> Self {
        let manifest = data.manifest();
        let mut actors: HashMap<&str, ActorLinks> = HashMap::new();
        // The actor and every actor it acts for, each once.
        let chain = |id: &'a str| -> Vec<&'a str> {
            let mut out = vec![id];
            let mut current = id;
            for _ in 0..data.actors().len() {
                match data.actor(current).and_then(|a| a.affiliation.as_ref()) {
                    Some(next) if !out.contains(&next.as_str()) => {
                        out.push(next.as_str());
                        current = next.as_str();
                    }
                    _ => break,
                }
            }
            out
        };
        for (i, p) in data.pledges().iter().enumerate() {
            let mut made: Vec<&str> = p.pledgers.iter().flat_map(|a| chain(a.as_str())).collect();
            made.sort_unstable();
            made.dedup();
            for a in &made {
                actors.entry(a).or_default().made.push(i);
            }
            let mut other: Vec<&str> = p
                .beneficiary
                .iter()
                .chain(p.roles.iter().map(|r| &r.actor))
                .chain(p.conditions.iter().filter_map(|c| c.actor.as_ref()))
                .chain(p.conditions.iter().filter_map(|c| c.applies_to.as_ref()))
                .map(|a| a.as_str())
                .filter(|a| !made.contains(a))
                .collect();
            other.sort_unstable();
            other.dedup();
            for a in other {
                actors.entry(a).or_default().involved.push(i);
            }
        }
        for (i, s) in data.statements().iter().enumerate() {
            let mut held: Vec<&str> = s.holders.iter().flat_map(|a| chain(a.as_str())).collect();
            held.sort_unstable();
            held.dedup();
            for a in held {
                actors.entry(a).or_default().statements.push(i);
            }
        }
        for (i, e) in data.events().iter().enumerate() {
            let mut took_part: Vec<&str> = e.participants.iter().map(|a| a.as_str()).collect();
            took_part.sort_unstable();
            took_part.dedup();
            for a in took_part {
                actors.entry(a).or_default().events.push(i);
            }
        }
        for (i, a) in data.actors().iter().enumerate() {
            if let Some(of) = &a.affiliation {
                actors.entry(of.as_str()).or_default().members.push(i);
            }
        }
        let mut citations: HashMap<&str, Vec<Cite>> = HashMap::new();
        for (kind, record, evidence) in all_evidence(data) {
            for (j, e) in evidence.iter().enumerate() {
                citations.entry(e.source.as_str()).or_default().push(Cite {
                    kind,
                    record,
                    evidence: j,
                });
            }
        }
        let mut components: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in data.pledges().iter().enumerate() {
            for l in &p.links {
                if l.kind == crate::model::LinkKind::PartOf {
                    components.entry(l.pledge.as_str()).or_default().push(i);
                }
            }
        }
        let mut produced: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in data.events().iter().enumerate() {
            if let Some(at) = &e.produced_at {
                produced.entry(at.as_str()).or_default().push(i);
            }
        }
        // An event, the one that produced it and the ones it produced.
        let related = |id: &'a str| -> Vec<&'a str> {
            let mut out = vec![id];
            if let Some(at) = data.event(id).and_then(|e| e.produced_at.as_ref()) {
                out.push(at.as_str());
            }
            for &k in produced.get(id).map(Vec::as_slice).unwrap_or(&[]) {
                out.push(data.events()[k].id.as_str());
            }
            out
        };
        let mut event_pledges: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in data.pledges().iter().enumerate() {
            let mut at: Vec<&str> = p.event.iter().flat_map(|e| related(e.as_str())).collect();
            for l in &p.links {
                if l.kind == crate::model::LinkKind::PartOf
                    && let Some(of) = data.pledge(l.pledge.as_str())
                {
                    at.extend(of.event.iter().flat_map(|e| related(e.as_str())));
                }
            }
            at.sort_unstable();
            at.dedup();
            for e in at {
                event_pledges.entry(e).or_default().push(i);
            }
        }
        let mut statements_about: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut event_statements: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in data.statements().iter().enumerate() {
            let mut about: Vec<&str> = s.pledges.iter().map(|p| p.as_str()).collect();
            about.sort_unstable();
            about.dedup();
            for p in about {
                statements_about.entry(p).or_default().push(i);
            }
            let mut at: Vec<&str> = s
                .event
                .iter()
                .chain(&s.events)
                .map(|e| e.as_str())
                .collect();
            at.sort_unstable();
            at.dedup();
            for e in at {
                event_statements.entry(e).or_default().push(i);
            }
        }
        Self {
            components,
            statements_about,
            event_pledges,
            event_statements,
            produced,
            data,
            shell: Shell {
                site_title: manifest.title.as_str(),
                version: &manifest.version,
                license: manifest.license.as_str(),
            },
            credibility: data.pledges().iter().map(Attested::credibility).collect(),
            contested: data
                .pledges()
                .iter()
                .map(|p| p.contested_claims())
                .collect(),
            actors,
            citations,
            texts,
        }
    }

    /// The name of actor `id` (its id when there is no such actor).
    pub(crate) fn actor_name<'s>(&'s self, id: &'s str) -> &'s str {
        self.data.actor(id).map_or(id, |a| a.name.as_str())
    }
}

/// Every record with evidence: its kind, its index and its evidence.
pub(crate) fn all_evidence(
    data: &Dataset,
) -> impl Iterator<Item = (Kind, usize, &[crate::model::Evidence])> {
    let pledges = data
        .pledges()
        .iter()
        .enumerate()
        .map(|(i, p)| (Kind::Pledge, i, p.evidence.as_slice()));
    let events = data
        .events()
        .iter()
        .enumerate()
        .map(|(i, e)| (Kind::Event, i, e.evidence.as_slice()));
    let statements = data
        .statements()
        .iter()
        .enumerate()
        .map(|(i, s)| (Kind::Statement, i, s.evidence.as_slice()));
    pledges.chain(events).chain(statements)
}

/// Builds the site of `data` into `dir` (created if missing; files of the
/// same names are replaced). With `archive`, each source's archived text is
/// read as the validator reads it (a regular file, not a link, at most
/// [`MAX_ARCHIVE_FILE_SIZE`](crate::load::MAX_ARCHIVE_FILE_SIZE) bytes), its
/// SHA-256 checked against the record, and shown on the source's page with
/// every quote highlighted.
///
/// # Errors
/// [`ErrorKind::ArchiveUnreadable`], [`ErrorKind::ArchiveChecksum`] or
/// [`ErrorKind::QuoteNotFound`] for an archive that does not match the
/// data (checked before anything is written), [`ErrorKind::Io`] when a
/// file cannot be written.
pub fn build(data: &Dataset, archive: Option<&Path>, dir: &Path) -> Result<Summary, Error> {
    let texts = archive.map(|a| archive::Texts::read(data, a)).transpose()?;
    let site = Site::new(data, texts);
    for sub in ["assets", "data", "lists"]
        .into_iter()
        .chain(Kind::ALL.iter().map(|k| k.dir()))
    {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
    }
    let mut out = Writer {
        root: dir.to_owned(),
        summary: Summary {
            with_archive: site.texts.is_some(),
            ..Summary::default()
        },
    };
    out.write(
        "assets/site.css",
        include_str!("assets/site.css").as_bytes(),
    )?;
    out.write("assets/site.js", include_str!("assets/site.js").as_bytes())?;
    index::write(&site, &mut out)?;
    charts::write(&site, &mut out)?;
    pages::write(&site, &mut out)?;
    out.write(
        MARKER,
        b"A site written by `pledges site`; the next run may replace this directory.\n",
    )?;
    Ok(out.summary)
}

/// Builds the site of `data` (see [`build`]) and puts it at `out` as one
/// change: it is built in a staging directory beside `out`, then swapped
/// in by renames, so `out` never holds half a site. A directory that holds
/// files and no [`MARKER`] (it is not a site this wrote) is refused unless
/// `force`. Staging left by a run that was killed is removed first (and a
/// previous site moved aside by one is put back when `out` is missing).
///
/// # Errors
/// [`ErrorKind::NotASite`] for a target that is not a site, without
/// `force`; otherwise as [`build`], or [`ErrorKind::Io`] for the renames.
/// Nothing at `out` changes on an error.
pub fn publish(
    data: &Dataset,
    archive: Option<&Path>,
    out: &Path,
    force: bool,
) -> Result<Summary, Error> {
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| {
            Error::io(
                out,
                io::Error::new(io::ErrorKind::InvalidInput, "not a directory name"),
            )
        })?
        .to_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging_prefix = format!(".pledges-site-staging-{name}-");
    let old_prefix = format!(".pledges-site-old-{name}-");
    clean_up(&parent, out, &staging_prefix, &old_prefix)?;
    let existing = std::fs::symlink_metadata(out).ok();
    if let Some(meta) = &existing
        && !force
    {
        let is_site =
            meta.is_dir() && std::fs::symlink_metadata(out.join(MARKER)).is_ok_and(|m| m.is_file());
        let empty = meta.is_dir()
            && std::fs::read_dir(out)
                .map_err(|e| Error::io(out, e))?
                .next()
                .is_none();
        if !is_site && !empty {
            return Err(Error::new(ErrorKind::NotASite {
                path: out.to_owned(),
                marker: MARKER,
            }));
        }
    }
    let staging = parent.join(format!("{staging_prefix}{}", std::process::id()));
    if std::fs::symlink_metadata(&staging).is_ok() {
        remove_any(&staging)?;
    }
    std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
    let summary = match build(data, archive, &staging) {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if existing.is_some() {
        let old = parent.join(format!("{old_prefix}{}", std::process::id()));
        std::fs::rename(out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staging);
            Error::io(out, e)
        })?;
        if let Err(e) = std::fs::rename(&staging, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Error::io(out, e));
        }
        remove_any(&old)?;
    } else {
        std::fs::rename(&staging, out).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staging);
            Error::io(out, e)
        })?;
    }
    Ok(summary)
}

/// Removes what an interrupted [`publish`] left beside `out`: its staging,
/// and the previous site it had moved aside (put back first if `out` is
/// missing, as when the run was killed between the two renames).
fn clean_up(parent: &Path, out: &Path, staging: &str, old: &str) -> Result<(), Error> {
    let entries = std::fs::read_dir(parent).map_err(|e| Error::io(parent, e))?;
    let mut left = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(parent, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // The prefix, then only the process id: `.pledges-site-old-site-2-…`
        // belongs to `site-2`, not to `site`.
        let ours = |prefix: &str| {
            name.strip_prefix(prefix)
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        };
        if ours(staging) {
            left.push((false, entry.path()));
        } else if ours(old) {
            left.push((true, entry.path()));
        }
    }
    for (was_site, path) in left {
        if was_site && std::fs::symlink_metadata(out).is_err() {
            std::fs::rename(&path, out).map_err(|e| Error::io(&path, e))?;
        } else {
            remove_any(&path)?;
        }
    }
    Ok(())
}

/// Removes a directory tree, or a file or link (never following a link).
fn remove_any(path: &Path) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
    .map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (Dataset, PathBuf) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let data = Dataset::load(root.join("valid")).expect("the fixture is valid");
        (data, root.join("archive"))
    }

    #[test]
    fn an_archive_that_does_not_match_is_refused_before_anything_is_written() {
        let (data, archive) = fixture();
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("archive");
        std::fs::create_dir(&copy).unwrap();
        let text = std::fs::read_to_string(archive.join("report.txt")).unwrap();
        std::fs::write(copy.join("report.txt"), text.replace("Paris", "Rome")).unwrap();
        let out = tmp.path().join("site");
        let e = build(&data, Some(&copy), &out).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::ArchiveChecksum { .. }), "{e}");
        assert!(e.is_invalid_data());
        assert!(!out.exists());
        // Missing: unreadable, an input/output problem.
        std::fs::remove_file(copy.join("report.txt")).unwrap();
        let e = build(&data, Some(&copy), &out).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::ArchiveUnreadable { .. }),
            "{e}"
        );
        assert!(!e.is_invalid_data());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(archive.join("report.txt"), copy.join("report.txt"))
                .unwrap();
            let e = build(&data, Some(&copy), &out).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
    }

    #[test]
    fn leftovers_of_another_target_whose_name_starts_alike_are_left_alone() {
        let (data, _) = fixture();
        let tmp = tempfile::tempdir().unwrap();
        // What a killed run for `site-2` left: its previous site, moved
        // aside, and its staging.
        let old = tmp.path().join(".pledges-site-old-site-2-999");
        let staging = tmp.path().join(".pledges-site-staging-site-2-998");
        for dir in [&old, &staging] {
            std::fs::create_dir(dir).unwrap();
            std::fs::write(dir.join("precious"), "kept").unwrap();
        }
        // And one of `site`'s own, which goes.
        let own = tmp.path().join(".pledges-site-staging-site-997");
        std::fs::create_dir(&own).unwrap();
        publish(&data, None, &tmp.path().join("site"), false).unwrap();
        assert!(old.join("precious").exists() && staging.join("precious").exists());
        assert!(!own.exists());
        assert!(!tmp.path().join("site/precious").exists());
    }

    #[test]
    fn publish_swaps_a_site_in_and_refuses_what_is_not_one() {
        let (data, archive) = fixture();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let summary = publish(&data, Some(&archive), &out, false).unwrap();
        assert!(summary.with_archive);
        assert!(summary.files > 10 && summary.largest.1 > 0);
        assert!(out.join(MARKER).is_file());
        // Again: a previous site is replaced.
        publish(&data, None, &out, false).unwrap();
        let other = tmp.path().join("other");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        let e = publish(&data, None, &other, false).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::NotASite { .. }), "{e}");
        assert!(other.join("notes.txt").is_file());
        publish(&data, None, &other, true).unwrap();
        assert!(!other.join("notes.txt").exists());
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".pledges-"))
            .collect();
        assert!(left.is_empty());
    }
}
