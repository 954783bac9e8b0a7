//! A compact hash index from ids to their places in a list, looked up a
//! batch at a time.
//!
//! At a million pledges the references number four or five million, and
//! they point at random into 100,000 actors and 200,000 sources: each
//! lookup is mostly a wait for memory. In a `HashMap<&str, usize>` a lookup
//! reads a bucket, then the key the bucket points to, two waits one after
//! the other, and the next lookup starts only when both are over. Here a
//! batch of lookups takes each step together (every id's slot, then every
//! candidate key's bounds, then the keys' bytes), so that the waits of a
//! batch overlap.

use std::hash::Hasher;

use rustc_hash::FxHasher;

/// How many ids [`IdIndex::get_many`] looks up at once.
pub(crate) const BATCH: usize = 64;

/// Ids by their places in a list: open addressing with linear probing, a
/// slot of 8 bytes per id, at most two thirds full.
pub(crate) struct IdIndex {
    /// An empty slot is 0. A full one holds the id's place plus one in its
    /// low 32 bits and 32 bits of the id's hash in its high 32, so that a
    /// probe passes over other keys without reading them.
    slots: Vec<u64>,
    /// The ids, one after another.
    text: String,
    /// Where each id ends in `text`, by place.
    ends: Vec<usize>,
}

fn hash(id: &str) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(id.as_bytes());
    hasher.finish()
}

/// The 32 bits of a hash that a slot keeps (the slot's own place uses the
/// low bits).
fn tag(hash: u64) -> u64 {
    hash >> 32
}

/// The place a full slot holds.
fn place(slot: u64) -> usize {
    // A full slot's low 32 bits are at least 1, and fit in a usize on the
    // 32- and 64-bit targets this builds for.
    usize::try_from((slot & 0xffff_ffff).wrapping_sub(1)).unwrap_or(usize::MAX)
}

impl IdIndex {
    /// Indexes `ids` by their places in the list. Also returns each id that
    /// repeats an earlier one, as (its place, the first one's place), in
    /// order. `None` for a list of more than 2³² − 1 ids.
    pub(crate) fn new<'i>(
        ids: impl ExactSizeIterator<Item = &'i str> + Clone,
    ) -> Option<(Self, Vec<(usize, usize)>)> {
        let n = ids.len();
        // A place plus one must fit in a slot's 32 bits.
        u32::try_from(n).ok()?;
        let mut index = Self {
            slots: vec![0; (n + n / 2).max(8).next_power_of_two()],
            text: String::with_capacity(ids.clone().map(str::len).sum()),
            ends: Vec::with_capacity(n),
        };
        let mask = index.slots.len() - 1;
        let mut repeated = Vec::new();
        for (place_of_id, id) in ids.enumerate() {
            index.text.push_str(id);
            index.ends.push(index.text.len());
            let hash = hash(id);
            let mut at = usize_of(hash) & mask;
            loop {
                let slot = index.slots[at];
                if slot == 0 {
                    // At most `n`, which fits in 32 bits (checked above).
                    let stored = u64::try_from(place_of_id).unwrap_or(u64::MAX) + 1;
                    index.slots[at] = (tag(hash) << 32) | stored;
                    break;
                }
                if slot >> 32 == tag(hash) && index.key(place(slot)) == Some(id.as_bytes()) {
                    repeated.push((place_of_id, place(slot)));
                    break;
                }
                at = (at + 1) & mask;
            }
        }
        Some((index, repeated))
    }

    /// The bytes of the id at `place`.
    fn key(&self, place: usize) -> Option<&[u8]> {
        let start = match place.checked_sub(1) {
            Some(before) => *self.ends.get(before)?,
            None => 0,
        };
        self.text.as_bytes().get(start..*self.ends.get(place)?)
    }

    /// The place of the first `id` in the list, if it is there.
    pub(crate) fn get(&self, id: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let hash = hash(id);
        let mut at = usize_of(hash) & mask;
        loop {
            // The index is at most two thirds full: an empty slot ends
            // every probe.
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == tag(hash) && self.key(place(slot)) == Some(id.as_bytes()) {
                return Some(place(slot));
            }
            at = (at + 1) & mask;
        }
    }

    /// [`get`](Self::get) for each of `ids` (at most [`BATCH`] of them),
    /// into `places`, one for one.
    pub(crate) fn get_many(&self, ids: &[&str], places: &mut [Option<usize>]) {
        let ids = &ids[..ids.len().min(BATCH)];
        let mask = self.slots.len() - 1;
        // Each step reads, for every id, memory that the step before found:
        // within a step the reads do not wait for one another.
        let mut hashes = [0u64; BATCH];
        let mut first = [0u64; BATCH];
        for (k, id) in ids.iter().enumerate() {
            hashes[k] = hash(id);
            first[k] = self.slots[usize_of(hashes[k]) & mask];
        }
        // The first slot with the id's tag, most often in the line of
        // slots the step before brought in, and that key's bounds.
        let mut candidates = [None; BATCH];
        for k in 0..ids.len() {
            let (mut at, mut slot) = (usize_of(hashes[k]) & mask, first[k]);
            while slot != 0 {
                if slot >> 32 == tag(hashes[k]) {
                    candidates[k] = Some((place(slot), self.key(place(slot))));
                    break;
                }
                at = (at + 1) & mask;
                slot = self.slots[at];
            }
        }
        for ((k, id), found) in ids.iter().enumerate().zip(places.iter_mut()) {
            *found = match candidates[k] {
                None => None,
                Some((place, key)) if key == Some(id.as_bytes()) => Some(place),
                // Another id with the same 32-bit tag: probe on, key by key.
                Some(_) => self.get(id),
            };
        }
    }
}

/// A hash as a slot number (only its low bits are used).
fn usize_of(hash: u64) -> usize {
    // Truncation keeps the low bits, which are the ones wanted.
    hash as usize
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    /// Short ids from a small alphabet, so that lists repeat ids and
    /// lookups both hit and miss.
    fn id() -> impl Strategy<Value = String> {
        "[ab-]{0,4}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// One at a time or a batch at a time, the index finds each id's
        /// first place in the list, as a map filled in list order would,
        /// and reports every later repeat.
        #[test]
        fn the_index_finds_what_a_map_of_first_places_finds(
            ids in proptest::collection::vec(id(), 0..200),
            queries in proptest::collection::vec(id(), 0..150),
        ) {
            let mut first: HashMap<&str, usize> = HashMap::new();
            let mut expected_repeats = Vec::new();
            for (place, id) in ids.iter().enumerate() {
                match first.get(id.as_str()) {
                    Some(&earlier) => expected_repeats.push((place, earlier)),
                    None => {
                        first.insert(id, place);
                    }
                }
            }
            let (index, repeated) = IdIndex::new(ids.iter().map(String::as_str)).expect("small");
            prop_assert_eq!(repeated, expected_repeats);
            let queries: Vec<&str> = queries.iter().chain(&ids).map(String::as_str).collect();
            for batch in queries.chunks(BATCH) {
                let mut places = vec![Some(usize::MAX); batch.len()];
                index.get_many(batch, &mut places);
                for (query, place) in batch.iter().zip(places) {
                    let expected = first.get(query).copied();
                    prop_assert_eq!(place, expected);
                    prop_assert_eq!(index.get(query), expected);
                }
            }
        }
    }

    #[test]
    fn an_id_is_found_past_another_id_with_the_same_tag() {
        // "a" sits in the slot where "c" starts its probe, under c's tag,
        // as if their hashes shared those 32 bits; "c" is in the next slot.
        let c = hash("c");
        let home = usize_of(c) & 7;
        let mut slots = vec![0; 8];
        slots[home] = (tag(c) << 32) | 1;
        slots[(home + 1) & 7] = (tag(c) << 32) | 3;
        let index = IdIndex {
            slots,
            text: "abc".to_owned(),
            ends: vec![1, 2, 3],
        };
        assert_eq!(index.get("c"), Some(2));
        let mut places = [None, Some(0)];
        index.get_many(&["c", "b"], &mut places);
        assert_eq!(places, [Some(2), None]);
    }
}
