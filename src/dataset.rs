//! A whole dataset, loaded and validated.

use std::path::Path;

use crate::error::Error;
use crate::model::{Actor, Manifest, Pledge, Source};
use crate::validate::{self, Options};

/// A validated dataset: the manifest and every record, each collection
/// sorted by id.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    manifest: Manifest,
    actors: Vec<Actor>,
    sources: Vec<Source>,
    pledges: Vec<Pledge>,
}

impl Dataset {
    pub(crate) fn from_parts(
        manifest: Manifest,
        mut actors: Vec<Actor>,
        mut sources: Vec<Source>,
        mut pledges: Vec<Pledge>,
    ) -> Self {
        actors.sort_by(|a, b| a.id.cmp(&b.id));
        sources.sort_by(|a, b| a.id.cmp(&b.id));
        pledges.sort_by(|a, b| a.id.cmp(&b.id));
        Self {
            manifest,
            actors,
            sources,
            pledges,
        }
    }

    /// Loads and validates the dataset in `dir`.
    ///
    /// # Errors
    /// An I/O [`Error`] when `dir` cannot be read, or [`ErrorKind::Invalid`](crate::ErrorKind::Invalid)
    /// with the report when the dataset has errors (warnings are allowed).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let (report, dataset) = validate::check_dir(dir.as_ref(), &Options::default())?;
        dataset.ok_or_else(|| Error::invalid(report))
    }

    /// The manifest.
    #[must_use]
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// All actors, sorted by id.
    #[must_use]
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }

    /// All sources, sorted by id.
    #[must_use]
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// All pledges, sorted by id.
    #[must_use]
    pub fn pledges(&self) -> &[Pledge] {
        &self.pledges
    }
}
