//! The versioning rules that protect downstream users.
//!
//! When the data changes, `version` in `dataset.json` must go up: by
//! **major** when a published id disappears or the schema changes
//! incompatibly, at least **minor** when records are added or retired, at
//! least **patch** for corrections; and `CHANGELOG.md` must have a section
//! for the new version. Published records are never deleted: they are
//! retired (see [`Retirement`](crate::model::Retirement)).
//!
//! The changelog has two kinds of release: a data release (the dataset's
//! `version`) is headed `## [Data 0.3.0] - 2026-12-01`, a tool release (the
//! crate's version) `## [Tool 0.2.0] - 2026-12-01`, and one release of both
//! lists both: `## [Data 0.3.0, Tool 0.2.0] - 2026-12-01`.

use std::fmt;

use serde::Serialize;

use crate::diff::DatasetDiff;

/// A kind of version increment, from smallest to largest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    /// `x.y.Z`: corrections.
    Patch,
    /// `x.Y.0`: additions.
    Minor,
    /// `X.0.0`: removals and incompatible changes.
    Major,
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Patch => "patch",
            Self::Minor => "minor",
            Self::Major => "major",
        })
    }
}

/// The verdict of [`check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReleaseCheck {
    /// The smallest bump the changes need, if any changed.
    pub required: Option<Bump>,
    /// Why that bump, one line per reason.
    pub reasons: Vec<String>,
    /// The bump from the old version to the new one, if it went up.
    pub actual: Option<Bump>,
    /// What must be fixed; empty when the release is in order.
    pub problems: Vec<String>,
}

impl ReleaseCheck {
    /// Whether the release is in order.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn bump_between(old: &semver::Version, new: &semver::Version) -> Option<Bump> {
    if new <= old {
        None
    } else if new.major > old.major {
        Some(Bump::Major)
    } else if new.minor > old.minor {
        Some(Bump::Minor)
    } else {
        Some(Bump::Patch)
    }
}

/// Checks the versioning rules for going from the old dataset to the new
/// one, given the changes between them and the text of `CHANGELOG.md`.
#[must_use]
pub fn check(
    diff: &DatasetDiff,
    old_schema_version: &str,
    new_schema_version: &str,
    changelog: Option<&str>,
) -> ReleaseCheck {
    let mut reasons = Vec::new();
    let mut problems = Vec::new();
    let mut required: Option<Bump> = None;
    let mut need = |bump: Bump, reason: String| {
        required = required.max(Some(bump));
        reasons.push(format!("{bump}: {reason}"));
    };

    for (name, c) in diff.collections() {
        for r in &c.removed {
            need(Bump::Major, format!("{name} `{}` was removed", r.id));
            problems.push(format!(
                "{name} `{}` was deleted, but published records are never deleted: restore it with a `retired` entry (withdrawn, or superseded by its replacement)",
                r.id
            ));
        }
        if !c.added.is_empty() {
            need(Bump::Minor, format!("{} {name} added", c.added.len()));
        }
        let retired = c.changed.iter().filter(|r| r.retired).count();
        if retired > 0 {
            need(Bump::Minor, format!("{retired} {name} retired"));
        }
        let corrected = c.changed.len() - retired;
        if corrected > 0 {
            need(Bump::Patch, format!("{corrected} {name} changed"));
        }
    }
    match (
        semver::Version::parse(old_schema_version),
        semver::Version::parse(new_schema_version),
    ) {
        (Ok(old), Ok(new)) if old != new => {
            let compatible =
                semver::VersionReq::parse(&format!("^{old}")).is_ok_and(|req| req.matches(&new));
            if compatible {
                need(Bump::Minor, format!("schema version {old} → {new}"));
            } else {
                need(
                    Bump::Major,
                    format!("schema version {old} → {new} is incompatible"),
                );
            }
        }
        _ => {}
    }
    if diff
        .manifest
        .iter()
        .any(|c| !["version", "schema_version"].contains(&c.field.as_str()))
    {
        need(Bump::Patch, "the manifest changed".to_owned());
    }

    let versions = (
        semver::Version::parse(&diff.old_version),
        semver::Version::parse(&diff.new_version),
    );
    let actual = match &versions {
        (Ok(old), Ok(new)) => bump_between(old, new),
        _ => None,
    };
    match (&versions, required) {
        ((Err(_), _) | (_, Err(_)), _) => problems.push("a version is not semantic versioning".to_owned()),
        ((Ok(old), Ok(new)), Some(required)) => match actual {
            None => problems.push(format!(
                "the data changed but the version did not go up ({old} → {new}); expected a {required} bump, to {}",
                next(old, required)
            )),
            Some(actual) if actual < required => problems.push(format!(
                "{old} → {new} is a {actual} bump; these changes need a {required} bump, to {}",
                next(old, required)
            )),
            Some(_) => {}
        },
        _ => {}
    }
    if diff.new_version != diff.old_version {
        let version = diff.new_version.as_str();
        match changelog {
            Some(text) if releases(text).any(|r| r == ("Data", version)) => {}
            Some(text) => {
                let mut problem = format!(
                    "CHANGELOG.md has no section for data release {version}: add `## [Data {version}] - YYYY-MM-DD`"
                );
                if releases(text).any(|r| r == ("", version)) {
                    problem.push_str(&format!(
                        " (`## [{version}]` does not say whether it is a data or a tool release)"
                    ));
                } else if releases(text).any(|r| r == ("Tool", version)) {
                    problem.push_str(" (`Tool` is a release of the crate, not of the data)");
                }
                problems.push(problem);
            }
            None => problems.push("there is no CHANGELOG.md".to_owned()),
        }
    }
    ReleaseCheck {
        required,
        reasons,
        actual,
        problems,
    }
}

/// The releases the changelog's `## [...]` headings name, as `(kind,
/// version)`: `("Data", "0.3.0")`, `("Tool", "0.2.0")`, or `("", "0.1.0")`
/// for a heading that does not say.
fn releases(changelog: &str) -> impl Iterator<Item = (&str, &str)> {
    changelog
        .lines()
        .filter_map(|line| line.strip_prefix("## ["))
        .filter_map(|rest| rest.split_once(']').map(|(label, _)| label))
        .flat_map(|label| label.split(','))
        .map(|release| match release.trim().split_once(' ') {
            Some((kind, version)) => (kind, version.trim()),
            None => ("", release.trim()),
        })
}

/// The next version after `v` for a `bump`.
#[must_use]
pub fn next(v: &semver::Version, bump: Bump) -> semver::Version {
    match bump {
        Bump::Major => semver::Version::new(v.major + 1, 0, 0),
        Bump::Minor => semver::Version::new(v.major, v.minor + 1, 0),
        Bump::Patch => semver::Version::new(v.major, v.minor, v.patch + 1),
    }
}
