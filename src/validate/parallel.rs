//! The pledges file parsed on two cores.
//!
//! One thread walks the file's structure, cutting the `pledges` array into
//! batches of raw JSON text, one slice per pledge, which a second thread
//! parses into the model (the first helps once the walk is done); the
//! first puts the parsed batches in order as they come back, so few are
//! held at once. A pledge's JSON means the same inside the file
//! or alone, and the file's own two keys get the same checks as
//! [`PledgesFile`]'s derived ones (required, no unknown, no repeat), so this
//! accepts exactly what the one-pass parse of an [`Object`]`<PledgesFile>`
//! accepts, into the same records; a property test holds the two to that.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::mpsc::{Sender, channel};

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::model::strict::Object;
use crate::model::{Pledge, PledgesFile};

/// Pledges per batch: enough to make handing over cheap, few enough to keep
/// both threads busy to the end.
const BATCH: usize = 256;

/// A batch's place in the file, and its pledges' JSON texts.
type Batch<'t> = (usize, Vec<&'t str>);

/// A parsed batch: its place, and its pledges (`None` if the types refused one).
type Parsed = (usize, Option<Vec<Pledge>>);

/// The pledges parsed so far, put in file order as batches come back, so
/// that each batch is freed as soon as it is moved into place.
struct InOrder {
    pledges: Vec<Pledge>,
    waiting: BTreeMap<usize, Vec<Pledge>>,
    next: usize,
    refused: bool,
}

impl InOrder {
    fn add(&mut self, (seq, batch): Parsed) {
        let Some(batch) = batch else {
            self.refused = true;
            return;
        };
        self.waiting.insert(seq, batch);
        while let Some(batch) = self.waiting.remove(&self.next) {
            self.pledges.extend(batch);
            self.next += 1;
        }
    }
}

fn parse_batch(texts: &[&str]) -> Option<Vec<Pledge>> {
    texts
        .iter()
        .map(|t| serde_json::from_str::<Object<Pledge>>(t).ok().map(|o| o.0))
        .collect()
}

/// Parses a pledges file, or `None` if the types refuse it.
pub(crate) fn parse_pledges(text: &str) -> Option<PledgesFile> {
    let (work, queue) = channel::<Batch<'_>>();
    let queue = Mutex::new(queue);
    let (done, results) = channel::<Parsed>();
    let mut in_order = InOrder {
        pledges: Vec::new(),
        waiting: BTreeMap::new(),
        next: 0,
        refused: false,
    };
    let next_batch = || queue.lock().ok().and_then(|q| q.recv().ok());
    let schema = std::thread::scope(|threads| {
        let helper = threads.spawn(move || {
            // Takes batches until the queue is empty and closed.
            while let Some((seq, texts)) = next_batch() {
                if done.send((seq, parse_batch(&texts))).is_err() {
                    break;
                }
            }
        });
        let schema = split(text, work, &mut || {
            while let Ok(parsed) = results.try_recv() {
                in_order.add(parsed);
            }
        });
        // The queue is closed: help with what is left of it, then gather
        // the helper's last results.
        while let Some((seq, texts)) = next_batch() {
            in_order.add((seq, parse_batch(&texts)));
            while let Ok(parsed) = results.try_recv() {
                in_order.add(parsed);
            }
        }
        let helper_done = helper.join().is_ok();
        while let Ok(parsed) = results.recv() {
            in_order.add(parsed);
        }
        schema.filter(|_| helper_done)
    })?;
    if in_order.refused || !in_order.waiting.is_empty() {
        return None;
    }
    let mut pledges = in_order.pledges;
    pledges.shrink_to_fit();
    Some(PledgesFile { schema, pledges })
}

/// Walks the file, queueing the pledges' texts in batches and calling
/// `between` after each; returns the file's `$schema`.
fn split<'t>(text: &'t str, work: Sender<Batch<'t>>, between: &mut dyn FnMut()) -> Option<String> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let schema = FileVisitor { work, between }
        .deserialize(&mut deserializer)
        .ok()?;
    deserializer.end().ok()?;
    Some(schema)
}

/// The two keys of a pledges file.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum Field {
    #[serde(rename = "$schema")]
    Schema,
    #[serde(rename = "pledges")]
    Pledges,
}

struct FileVisitor<'t, 'b> {
    work: Sender<Batch<'t>>,
    between: &'b mut dyn FnMut(),
}

impl<'t> DeserializeSeed<'t> for FileVisitor<'t, '_> {
    type Value = String;

    fn deserialize<D: Deserializer<'t>>(self, deserializer: D) -> Result<String, D::Error> {
        // A map, not a struct: serde would take a struct as an array too.
        deserializer.deserialize_map(self)
    }
}

impl<'t> Visitor<'t> for FileVisitor<'t, '_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pledges file")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<String, A::Error> {
        let mut schema: Option<String> = None;
        let mut pledges = false;
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Schema if schema.is_some() => {
                    return Err(A::Error::duplicate_field("$schema"));
                }
                Field::Schema => schema = Some(map.next_value()?),
                Field::Pledges if pledges => return Err(A::Error::duplicate_field("pledges")),
                Field::Pledges => {
                    pledges = true;
                    map.next_value_seed(ListSeed {
                        work: &self.work,
                        between: &mut *self.between,
                    })?;
                }
            }
        }
        if !pledges {
            return Err(A::Error::missing_field("pledges"));
        }
        schema.ok_or_else(|| A::Error::missing_field("$schema"))
    }
}

/// The `pledges` array, queued in batches.
struct ListSeed<'s, 't> {
    work: &'s Sender<Batch<'t>>,
    between: &'s mut dyn FnMut(),
}

impl<'t> DeserializeSeed<'t> for ListSeed<'_, 't> {
    type Value = ();

    fn deserialize<D: Deserializer<'t>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'t> Visitor<'t> for ListSeed<'_, 't> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of pledges")
    }

    fn visit_seq<A: SeqAccess<'t>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut batch = Vec::with_capacity(BATCH);
        let mut seq_no = 0;
        while let Some(raw) = seq.next_element::<&'t RawValue>()? {
            batch.push(raw.get());
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // A batch that cannot be queued leaves a gap in the order,
                // which `parse_pledges` reports as a refusal.
                let _ = self.work.send((seq_no, full));
                seq_no += 1;
                (self.between)();
            }
        }
        if !batch.is_empty() {
            let _ = self.work.send((seq_no, batch));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PLEDGES: &str = include_str!("../../tests/fixtures/valid/pledges.json");

    fn generated(n: usize) -> String {
        let dataset = crate::generate::dataset(n, 5);
        crate::format::to_canonical_json(&PledgesFile {
            schema: "x".to_owned(),
            pledges: dataset.pledges().to_vec(),
        })
    }

    #[test]
    fn many_batches_come_back_in_order() {
        let text = generated(BATCH * 3 + 17);
        let whole: PledgesFile = serde_json::from_str(&text).unwrap();
        assert_eq!(parse_pledges(&text), Some(whole));
    }

    #[test]
    fn the_files_own_keys_are_checked() {
        let ok = r#"{"$schema": "s", "pledges": []}"#;
        assert!(parse_pledges(ok).is_some());
        for bad in [
            r#"{"pledges": []}"#,
            r#"{"$schema": "s"}"#,
            r#"{"$schema": "s", "pledges": [], "pledges": []}"#,
            r#"{"$schema": "s", "$schema": "s", "pledges": []}"#,
            r#"{"$schema": "s", "pledges": [], "extra": 1}"#,
            r#"{"$schema": "s", "pledges": []} x"#,
            r#"{"$schema": 1, "pledges": []}"#,
            r#"["s", []]"#,
        ] {
            assert!(parse_pledges(bad).is_none(), "{bad}");
            assert!(
                serde_json::from_str::<Object<PledgesFile>>(bad).is_err(),
                "{bad}"
            );
        }
    }

    proptest! {
        /// Whatever the edit, the two-core parse and the one-pass parse
        /// accept the same texts, into the same records.
        #[test]
        fn two_core_parse_agrees_with_the_one_pass_parse(
            line in 0..400usize,
            edit in 0..3u8,
            splice in "[ -~]{0,4}|\\\\u[dD]800|,|\\}|\\]|\"",
        ) {
            let mut lines: Vec<String> = PLEDGES.lines().map(str::to_owned).collect();
            let line = line % lines.len();
            match edit {
                0 => { let l = lines[line].clone(); lines.insert(line, l); }
                1 => { lines.remove(line); }
                _ => {
                    let at = lines[line].len() / 2;
                    let at = (0..=at).rev().find(|&i| lines[line].is_char_boundary(i)).unwrap_or(0);
                    lines[line].insert_str(at, &splice);
                }
            }
            let text = lines.join("\n");
            let one_pass = serde_json::from_str::<Object<PledgesFile>>(&text).ok().map(|o| o.0);
            prop_assert_eq!(parse_pledges(&text), one_pass);
        }
    }
}
