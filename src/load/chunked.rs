//! The pledges file read a chunk at a time and parsed on two cores.
//!
//! The file is read in chunks of [`CHUNK`] bytes, never whole. A scan of
//! each chunk's bytes follows the file's own structure (an object with the
//! keys `$schema` and `pledges`, once each) and finds where each item of the
//! `pledges` array ends: at a comma or the closing bracket, outside strings,
//! at the array's own depth. The whole items of a chunk go out as a batch,
//! and the part of an item cut off by the chunk's end starts the next chunk.
//! Whichever of two threads is free parses a batch, each item with serde
//! into the model; the batches are put back in order as they come back. So
//! memory holds a few chunks of the file's text, not the whole file, and no
//! byte is parsed twice.
//!
//! It accepts exactly what the one-pass parse of an [`Object`]`<PledgesFile>`
//! accepts, into the same records. Each item is parsed whole by serde_json,
//! which refuses anything after the value but whitespace; and items that
//! each parse whole, separated by commas, make a JSON array of just those
//! values whatever the scan thought of their insides, since JSON's grammar
//! gives a value one extent. The file's own keys are read by serde too, and
//! get the checks [`PledgesFile`]'s derived ones make (required, no unknown
//! key, no repeat); after the object comes nothing but whitespace. Whatever
//! the scan does not expect (a byte-order mark, a failed read) it declines,
//! and the caller reads the file whole to say what is wrong. A property test
//! holds the two parses to that, at any chunk size.

use std::collections::{BTreeMap, VecDeque};
use std::io::Read;
use std::ops::Range;
use std::sync::mpsc::channel;
use std::sync::{Condvar, Mutex};

use crate::model::strict::Object;
use crate::model::{Pledge, PledgesFile};

/// Bytes read at a time: a few hundred pledges, small enough to stay in
/// the processor's cache between the read, the scan and the parse.
pub(crate) const CHUNK: usize = 256 * 1024;

/// A chunk of the file and the ranges of the whole items in it.
struct Batch {
    seq: usize,
    bytes: Vec<u8>,
    items: Vec<Range<usize>>,
}

/// A parsed batch: its place, and its pledges (`None` if the types refused one).
type Parsed = (usize, Option<Vec<Pledge>>);

fn parse_batch(batch: &Batch) -> Parsed {
    let pledges = batch
        .items
        .iter()
        .map(|item| {
            let text = batch.bytes.get(item.clone())?;
            serde_json::from_slice::<Object<Pledge>>(text)
                .ok()
                .map(|o| o.0)
        })
        .collect();
    (batch.seq, pledges)
}

/// The pledges parsed so far, put in file order as batches come back, so
/// that each batch is freed as soon as it is moved into place.
#[derive(Default)]
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

/// Batches waiting to be parsed, and whether more may come.
#[derive(Default)]
struct Queue {
    state: Mutex<(VecDeque<Batch>, bool)>,
    changed: Condvar,
}

impl Queue {
    fn push(&self, batch: Batch) {
        if let Ok(mut state) = self.state.lock() {
            state.0.push_back(batch);
        }
        self.changed.notify_one();
    }

    /// No more batches will come; with `discard`, those waiting are dropped.
    fn close(&self, discard: bool) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = true;
            if discard {
                state.0.clear();
            }
        }
        self.changed.notify_all();
    }

    /// The next batch, waiting for one; `None` once closed and empty.
    fn wait_pop(&self) -> Option<Batch> {
        let mut state = self.state.lock().ok()?;
        loop {
            if let Some(batch) = state.0.pop_front() {
                return Some(batch);
            }
            if state.1 {
                return None;
            }
            state = self.changed.wait(state).ok()?;
        }
    }

    /// The next batch if at least `waiting` are waiting, without waiting.
    fn pop_if(&self, waiting: usize) -> Option<Batch> {
        let mut state = self.state.lock().ok()?;
        if state.0.len() >= waiting {
            state.0.pop_front()
        } else {
            None
        }
    }
}

/// Parses a pledges file held in memory, or `None` if the types refuse it.
pub(crate) fn parse_pledges(text: &str) -> Option<PledgesFile> {
    read_pledges(text.as_bytes(), CHUNK)
}

/// Reads a pledges file from `reader`, `chunk` bytes at a time, or `None`
/// if the types refuse it or it cannot be read.
pub(crate) fn read_pledges(reader: impl Read, chunk: usize) -> Option<PledgesFile> {
    let queue = Queue::default();
    let (done, results) = channel::<Parsed>();
    let mut in_order = InOrder::default();
    let (schema, helped) = std::thread::scope(|threads| {
        let helper = threads.spawn(|| {
            let done = done;
            while let Some(batch) = queue.wait_pop() {
                if done.send(parse_batch(&batch)).is_err() {
                    break;
                }
            }
        });
        let mut scan = Scan {
            reader,
            chunk: chunk.max(1),
            buf: Vec::new(),
            pos: 0,
            eof: false,
            failed: false,
            items: Vec::new(),
            seq: 0,
        };
        // The scan is quicker than the parse: between chunks this thread
        // parses a batch too whenever two are waiting. Once the types have
        // refused a pledge, the scan stops: the file will be read whole.
        let schema = scan.file(&mut |batch| {
            queue.push(batch);
            while let Some(batch) = queue.pop_if(2) {
                in_order.add(parse_batch(&batch));
            }
            while let Ok(parsed) = results.try_recv() {
                in_order.add(parsed);
            }
            !in_order.refused
        });
        queue.close(schema.is_none());
        while let Some(batch) = queue.pop_if(1) {
            in_order.add(parse_batch(&batch));
        }
        let helped = helper.join().is_ok();
        while let Ok(parsed) = results.recv() {
            in_order.add(parsed);
        }
        (schema, helped)
    });
    let schema = schema.filter(|_| helped)?;
    if in_order.refused || !in_order.waiting.is_empty() {
        return None;
    }
    let mut pledges = in_order.pledges;
    pledges.shrink_to_fit();
    Some(PledgesFile { schema, pledges })
}

/// Where a value the scan walked over ends.
enum End {
    /// At this index, which holds a comma or a closing bracket at the
    /// value's own depth.
    At(usize),
    /// Past the bytes read so far.
    NeedMore,
}

/// Finds the end of the JSON value (or values, for the items' parse to
/// refuse) that starts `bytes`: the first comma, `]` or `}` outside strings
/// and at depth 0.
fn value_end(bytes: &[u8]) -> End {
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => match string_end(bytes, i + 1) {
                Some(end) => i = end,
                None => return End::NeedMore,
            },
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth > 0 => depth -= 1,
            b',' | b'}' | b']' if depth == 0 => return End::At(i),
            _ => {}
        }
        i += 1;
    }
    End::NeedMore
}

/// The index of the quote that closes the string whose contents start at
/// `from`, if the bytes read so far hold it.
fn string_end(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = from + memchr::memchr2(b'"', b'\\', bytes.get(from..)?)?;
        if bytes[at] == b'"' {
            return Some(at);
        }
        // An escape: the next byte is part of it, whatever it is.
        from = at + 2;
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The scan of a pledges file, over the chunk read last.
struct Scan<R> {
    reader: R,
    chunk: usize,
    /// Bytes read and not yet handed over; `pos` is the next to look at.
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// Whether a read failed or the scan was stopped: then what follows is
    /// not known.
    failed: bool,
    /// The whole items of the `pledges` array in `buf` so far.
    items: Vec<Range<usize>>,
    seq: usize,
}

/// What the scan does with each batch; `false` stops the scan.
type Send<'s> = &'s mut dyn FnMut(Batch) -> bool;

impl<R: Read> Scan<R> {
    /// Reads more of the file, keeping `buf[keep..]` (and moving it to the
    /// front); the whole items found so far go out as a batch first.
    /// `false` at the end of the file, when it cannot be read, or when the
    /// batch's receiver wants no more.
    fn more(&mut self, keep: usize, send: Send<'_>) -> bool {
        if self.eof {
            return false;
        }
        let tail = self.buf.len() - keep;
        if self.items.is_empty() {
            self.buf.drain(..keep);
        } else {
            let mut next = Vec::with_capacity(self.chunk + tail);
            next.extend_from_slice(&self.buf[keep..]);
            let bytes = std::mem::replace(&mut self.buf, next);
            let items = std::mem::take(&mut self.items);
            let more = send(Batch {
                seq: self.seq,
                bytes,
                items,
            });
            self.seq += 1;
            if !more {
                (self.eof, self.failed) = (true, true);
                return false;
            }
        }
        self.pos -= keep;
        // One value longer than a chunk is read in ever larger parts, so
        // that scanning it again after each costs no more than reading it.
        let want = self.chunk.max(tail);
        self.buf.reserve(want);
        match (&mut self.reader)
            .take(want as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(0) => {
                self.eof = true;
                false
            }
            Err(_) => {
                (self.eof, self.failed) = (true, true);
                false
            }
            Ok(_) => true,
        }
    }

    /// Skips whitespace; the next byte, reading more when needed (keeping
    /// nothing before it).
    fn next_token(&mut self, send: Send<'_>) -> Option<u8> {
        loop {
            while let Some(&byte) = self.buf.get(self.pos) {
                if !is_space(byte) {
                    return Some(byte);
                }
                self.pos += 1;
            }
            if !self.more(self.pos, send) {
                return None;
            }
        }
    }

    /// Expects `byte` as the next token, and steps over it.
    fn expect(&mut self, byte: u8, send: Send<'_>) -> Option<()> {
        (self.next_token(send)? == byte).then(|| self.pos += 1)
    }

    /// The extent of the value at `pos` (after whitespace), reading more
    /// as needed; it ends at a comma or a closing bracket, left unread.
    fn value(&mut self, send: Send<'_>) -> Option<Range<usize>> {
        self.next_token(send)?;
        loop {
            let start = self.pos;
            if let End::At(end) = value_end(&self.buf[start..]) {
                self.pos = start + end;
                return Some(start..start + end);
            }
            if !self.more(start, send) {
                return None;
            }
        }
    }

    /// A key of the file's object, read by serde.
    fn key(&mut self, send: Send<'_>) -> Option<String> {
        if self.next_token(send)? != b'"' {
            return None;
        }
        loop {
            let start = self.pos;
            if let Some(end) = string_end(&self.buf, start + 1) {
                self.pos = end + 1;
                return serde_json::from_slice(&self.buf[start..=end]).ok();
            }
            if !self.more(start, send) {
                return None;
            }
        }
    }

    /// The whole file: its `$schema`, the pledges having gone out in
    /// batches; `None` where the one-pass parse would refuse it, or the
    /// scan does not know what it would do.
    fn file(&mut self, send: Send<'_>) -> Option<String> {
        self.expect(b'{', send)?;
        let (mut schema, mut pledges) = (None, false);
        loop {
            let key = self.key(send)?;
            self.expect(b':', send)?;
            match key.as_str() {
                "$schema" if schema.is_none() => {
                    let value = self.value(send)?;
                    schema = Some(serde_json::from_slice::<String>(&self.buf[value]).ok()?);
                }
                "pledges" if !pledges => {
                    self.pledges(send)?;
                    pledges = true;
                }
                _ => return None,
            }
            match self.next_token(send)? {
                b',' => self.pos += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        // Nothing but whitespace may follow.
        if self.next_token(send).is_some() || self.failed || !pledges {
            return None;
        }
        schema
    }

    /// The `pledges` array, its items sent in batches.
    fn pledges(&mut self, send: Send<'_>) -> Option<()> {
        self.expect(b'[', send)?;
        if self.next_token(send)? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            let item = self.value(send)?;
            self.items.push(item);
            let delimiter = self.buf[self.pos];
            self.pos += 1;
            match delimiter {
                b',' => {}
                b']' => break,
                _ => return None,
            }
        }
        // The last batch, with the rest of the chunk left to read.
        let rest = self.buf[self.pos..].to_vec();
        let bytes = std::mem::replace(&mut self.buf, rest);
        self.pos = 0;
        let more = send(Batch {
            seq: self.seq,
            bytes,
            items: std::mem::take(&mut self.items),
        });
        self.seq += 1;
        more.then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PLEDGES: &str = include_str!("../../tests/fixtures/valid/pledges.json");

    fn generated(n: usize) -> String {
        let dataset = crate::generate::dataset(n, 5);
        crate::write::to_canonical_json(&PledgesFile {
            schema: "x".to_owned(),
            pledges: dataset.pledges().to_vec(),
        })
    }

    fn one_pass(text: &str) -> Option<PledgesFile> {
        serde_json::from_str::<Object<PledgesFile>>(text)
            .ok()
            .map(|o| o.0)
    }

    #[test]
    fn many_chunks_come_back_in_order() {
        let text = generated(700);
        let whole: PledgesFile = serde_json::from_str(&text).unwrap();
        for chunk in [1, 7, 4096, CHUNK, text.len() + 1] {
            assert_eq!(
                read_pledges(text.as_bytes(), chunk).as_ref(),
                Some(&whole),
                "{chunk}"
            );
        }
    }

    #[test]
    fn the_files_own_keys_are_checked() {
        for ok in [
            r#"{"$schema": "s", "pledges": []}"#,
            r#" {"pledges":[ ] ,"$schema":"s"} "#,
            r#"{"$sch\u0065ma": "s", "pledges": []}"#,
        ] {
            assert!(parse_pledges(ok).is_some(), "{ok}");
            assert!(one_pass(ok).is_some(), "{ok}");
        }
        for bad in [
            r#"{"pledges": []}"#,
            r#"{"$schema": "s"}"#,
            r#"{"$schema": "s", "pledges": [], "pledges": []}"#,
            r#"{"$schema": "s", "$schema": "s", "pledges": []}"#,
            r#"{"$schema": "s", "pledges": [], "extra": 1}"#,
            r#"{"$schema": "s", "pledges": []} x"#,
            r#"{"$schema": "s", "pledges": [],}"#,
            r#"{"$schema": "s", "pledges": [1,]}"#,
            r#"{"$schema": "s", "pledges": [}"#,
            r#"{"$schema": "s", "pledges": {}}"#,
            r#"{"$schema": "s" "pledges": []}"#,
            r#"{"$schema": 1, "pledges": []}"#,
            r#"{"$schema": "s", "pledges": []"#,
            "\u{feff}{\"$schema\": \"s\", \"pledges\": []}",
            r#"["s", []]"#,
            "",
        ] {
            assert!(parse_pledges(bad).is_none(), "{bad}");
            assert!(one_pass(bad).is_none(), "{bad}");
        }
    }

    /// A reader that fails after `good` bytes.
    struct Failing<'b> {
        bytes: &'b [u8],
        good: usize,
    }

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.good == 0 {
                return Err(std::io::Error::other("the disk went away"));
            }
            let n = buf.len().min(self.good).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            self.good -= n;
            Ok(n)
        }
    }

    #[test]
    fn a_read_that_fails_is_declined() {
        let text = generated(50);
        let all = text.len();
        // The last: every byte read, then a read fails where the end of
        // the file should have been.
        for (good, chunk) in [(0, 512), (1, 512), (1000, 512), (all / 2, 512), (all, all)] {
            let reader = Failing {
                bytes: text.as_bytes(),
                good,
            };
            assert!(read_pledges(reader, chunk).is_none(), "{good}");
        }
    }

    proptest! {
        /// Whatever the edit, and wherever the chunks end, the chunked
        /// two-core parse and the one-pass parse accept the same texts,
        /// into the same records.
        #[test]
        fn chunked_parse_agrees_with_the_one_pass_parse(
            line in 0..400usize,
            edit in 0..3u8,
            splice in "[ -~]{0,4}|\\\\u[dD]800|,|\\}|\\]|\"|\\\\\"|\\\\",
            chunk in prop_oneof![1..64usize, 64..4096usize, Just(CHUNK)],
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
            prop_assert_eq!(read_pledges(text.as_bytes(), chunk), one_pass(&text));
        }

        /// Any bytes at all: the chunked parse never accepts what the
        /// one-pass parse refuses, nor panics.
        #[test]
        fn chunked_parse_of_any_bytes_agrees(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'"'),
                    Just(b'\\'), Just(b','), Just(b':'), Just(b' '), any::<u8>(),
                ],
                0..64,
            ),
            chunk in 1..16usize,
        ) {
            let mut text = br#"{"$schema": "s", "pledges": ["#.to_vec();
            text.extend_from_slice(&bytes);
            let one = std::str::from_utf8(&text).ok().and_then(one_pass);
            prop_assert_eq!(read_pledges(&text[..], chunk), one);
        }
    }
}
