//! The archived texts: read and checked as the validator checks them, and each quote located in its source.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use crate::dataset::Dataset;
use crate::validate::{QuoteLocator, sha256_hex};

use super::layout::Kind;
use super::{Cite, all_evidence};
use crate::error::{Error, ErrorKind};

/// One quoted passage of a source: where it is, and who quotes it.
pub(crate) struct Passage {
    pub(crate) range: Range<usize>,
    pub(crate) cites: Vec<Cite>,
}

/// A source's archived text and its passages, numbered from 1 in the
/// order they start (the longer first where two start together).
pub(crate) struct Text {
    pub(crate) text: String,
    pub(crate) passages: Vec<Passage>,
}

/// Every source's text, and the passage each evidence item quotes.
pub(crate) struct Texts {
    pub(crate) by_source: HashMap<String, Text>,
    /// The number (from 1) of the passage each evidence item quotes.
    pub(crate) passage_of: HashMap<Cite, usize>,
}

impl Texts {
    /// Reads and checks each source's archived text in `archive`, and
    /// finds every quote in it.
    pub(crate) fn read(data: &Dataset, archive: &Path) -> Result<Self, Error> {
        let mut by_source = HashMap::new();
        let mut locators = HashMap::new();
        for source in data.sources() {
            let path = archive.join(source.archive.file.as_str());
            let bytes = crate::load::read_regular(&path, crate::load::MAX_ARCHIVE_FILE_SIZE)
                .map_err(|error| {
                    Error::new(ErrorKind::ArchiveUnreadable {
                        source_id: source.id.to_string(),
                        path: path.clone(),
                        error,
                    })
                })?;
            let found = sha256_hex(&bytes);
            if found != source.archive.sha256.as_str() {
                return Err(Error::new(ErrorKind::ArchiveChecksum {
                    source_id: source.id.to_string(),
                    path,
                    expected: source.archive.sha256.to_string(),
                    found,
                }));
            }
            // As the validator reads it.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            locators.insert(source.id.as_str(), QuoteLocator::new(&text));
            by_source.insert(
                source.id.to_string(),
                Text {
                    text,
                    passages: Vec::new(),
                },
            );
        }
        // Each distinct range of a source is one passage.
        let mut ranges: HashMap<&str, HashMap<Range<usize>, Vec<Cite>>> = HashMap::new();
        for (kind, record, evidence) in all_evidence(data) {
            for (j, e) in evidence.iter().enumerate() {
                let cite = Cite {
                    kind,
                    record,
                    evidence: j,
                };
                let not_found = || {
                    Error::new(ErrorKind::QuoteNotFound {
                        record: record_name(data, kind, record),
                        evidence: j,
                        source_id: e.source.to_string(),
                    })
                };
                let locator = locators.get(e.source.as_str()).ok_or_else(not_found)?;
                let range = locator.find(e.quote.as_str()).ok_or_else(not_found)?;
                ranges
                    .entry(e.source.as_str())
                    .or_default()
                    .entry(range)
                    .or_default()
                    .push(cite);
            }
        }
        let mut passage_of = HashMap::new();
        for (source, found) in ranges {
            let mut found: Vec<(Range<usize>, Vec<Cite>)> = found.into_iter().collect();
            found.sort_by(|a, b| a.0.start.cmp(&b.0.start).then(b.0.end.cmp(&a.0.end)));
            let Some(text) = by_source.get_mut(source) else {
                continue;
            };
            for (n, (range, cites)) in found.into_iter().enumerate() {
                for &c in &cites {
                    passage_of.insert(c, n + 1);
                }
                text.passages.push(Passage { range, cites });
            }
        }
        Ok(Self {
            by_source,
            passage_of,
        })
    }
}

/// `pledges/ID`, `events/ID` or `statements/ID`.
fn record_name(data: &Dataset, kind: Kind, record: usize) -> String {
    let id = match kind {
        Kind::Pledge => data.pledges()[record].id.as_str(),
        Kind::Event => data.events()[record].id.as_str(),
        Kind::Statement => data.statements()[record].id.as_str(),
        Kind::Actor | Kind::Source => "",
    };
    format!("{}/{id}", kind.dir())
}
