//! Layer 4: what the schema cannot say: real countries, clean text, dates
//! that agree, versions.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::diagnostic::push_token;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::ActorKind;
use crate::model::is_invisible;
use crate::schema::{FileKind, SCHEMA_VERSION};
use crate::tables::{Children, ColumnKind, Record, Row, Shape, Table, collection};
use crate::validate::schema::preview;
use crate::validate::{Files, Part, Records};

/// Checks every string in `value` for whitespace, control characters and
/// spreadsheet formula prefixes.
pub(crate) fn check_text(path: &Path, value: &Value, out: &mut Vec<Diagnostic>) {
    check_text_at(path, String::new(), value, out);
}

/// [`check_text`] on a value found at `pointer` in the file.
pub(crate) fn check_text_at(
    path: &Path,
    pointer: String,
    value: &Value,
    out: &mut Vec<Diagnostic>,
) {
    /// How a value's pointer goes on from its parent's.
    enum Step<'v> {
        Start,
        Index(usize),
        Key(&'v str),
    }
    // One pointer, grown and cut back as the walk goes down and up: each
    // value waiting holds how long its parent's pointer is.
    let root = pointer.len();
    let mut pointer = pointer;
    let mut stack: Vec<(usize, Step<'_>, &Value)> = vec![(root, Step::Start, value)];
    while let Some((parent, step, value)) = stack.pop() {
        pointer.truncate(parent);
        match step {
            Step::Start => {}
            Step::Index(i) => {
                let _ = write!(pointer, "/{i}");
            }
            Step::Key(key) => {
                pointer.push('/');
                push_token(&mut pointer, key);
            }
        }
        match value {
            Value::String(s) => check_text_value(path, &|| pointer.clone(), s, out),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((pointer.len(), Step::Index(i), item));
                }
            }
            Value::Object(members) => {
                for (key, item) in members.iter().rev() {
                    if pointer.is_empty() && key == "$schema" {
                        continue;
                    }
                    stack.push((pointer.len(), Step::Key(key), item));
                }
            }
            _ => {}
        }
    }
}

/// Whether `s` passes [`check_string`], in one pass and without
/// allocating; only text that fails takes the full check (for its message).
fn is_plainly_clean(s: &str) -> bool {
    if s.starts_with(['=', '+', '-', '@']) {
        return false;
    }
    let mut previous_space = true; // no whitespace at the start
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Eight bytes at a time, ASCII or not, while the only whitespace
        // they can hold is the space: with no ASCII control and none of
        // the lead bytes of the other controls and spaces. The eight may
        // end inside a character, which is then not a space.
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let word = u64::from_le_bytes(word);
            if !has_other_whitespace_or_control(word) {
                let spaces = zero_bytes(word ^ 0x2020_2020_2020_2020);
                if spaces & (spaces << 8) != 0 || (previous_space && spaces & 0x80 != 0) {
                    return false;
                }
                previous_space = spaces >> 63 != 0;
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        // Byte by byte: controls are below 0x20 and 0x7F, and the only
        // ASCII whitespace that is not a control is the space.
        let space = if b.is_ascii() {
            if b < 0x20 || b == 0x7f {
                return false;
            }
            i += 1;
            b == b' '
        } else if (0x80..=0xBF).contains(&b) {
            // The rest of a character begun in the eight bytes before,
            // which passed: not a space.
            i += 1;
            false
        } else if (0xC3..=0xDF).contains(&b) {
            // U+00C0..U+07FF (Latin, Greek, Cyrillic, …): neither controls
            // nor whitespace, which in two bytes are U+0080..U+009F, U+0085
            // and U+00A0 only, all behind a 0xC2; nor invisible but for the
            // Arabic letter mark U+061C (0xD8 0x9C).
            if b == 0xD8 && bytes.get(i + 1) == Some(&0x9C) {
                return false;
            }
            i += 2;
            false
        } else {
            let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            if c.is_control() || is_invisible(c) {
                return false;
            }
            i += c.len_utf8();
            c.is_whitespace()
        };
        if space && previous_space {
            return false;
        }
        previous_space = space;
    }
    !previous_space || s.is_empty()
}

/// Whether any byte of `word` is an ASCII control, or the lead byte of a
/// character that may be a control, whitespace other than the space, or
/// invisible (see [`is_invisible`]): `0xC2` (U+0080..U+00BF, with U+0085
/// and U+00A0), `0xD8` (U+0600..U+063F, with U+061C), `0xE0`..`0xE3`
/// (U+0000..U+3FFF in three bytes, with U+1680, U+2000..U+206F and U+3000)
/// or `0xEF` (U+F000..U+FFFF, with U+FEFF). A test goes through every
/// character to hold it to that list.
fn has_other_whitespace_or_control(word: u64) -> bool {
    // Below 0x20 exactly when bits 5 and 6 are clear, for ASCII bytes.
    let controls = (zero_bytes(word & 0x6060_6060_6060_6060) & !word)
        | zero_bytes(word ^ 0x7f7f_7f7f_7f7f_7f7f);
    let leads = zero_bytes(word ^ 0xC2C2_C2C2_C2C2_C2C2)
        | zero_bytes(word ^ 0xD8D8_D8D8_D8D8_D8D8)
        | zero_bytes((word & 0xFCFC_FCFC_FCFC_FCFC) ^ 0xE0E0_E0E0_E0E0_E0E0)
        | zero_bytes(word ^ 0xEFEF_EFEF_EFEF_EFEF);
    controls | leads != 0
}

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `x` that is zero, and nowhere else.
fn zero_bytes(x: u64) -> u64 {
    !(((x & !HIGH).wrapping_add(!HIGH)) | x | !HIGH)
}

/// Checks one text value; `pointer` builds its JSON Pointer, only when a
/// problem needs it.
pub(crate) fn check_text_value(
    path: &Path,
    pointer: &dyn Fn() -> String,
    s: &str,
    out: &mut Vec<Diagnostic>,
) {
    if !is_plainly_clean(s) {
        check_string(path, &pointer(), s, out);
    }
}

fn check_string(path: &Path, pointer: &str, s: &str, out: &mut Vec<Diagnostic>) {
    if let Some(c) = s.chars().find(|&c| is_invisible(c)) {
        out.push(
            Diagnostic::new(
                Code::InvisibleCharacter,
                path,
                pointer,
                format!(
                    "the text contains the invisible character U+{:04X}, which changes how it reads without being seen",
                    u32::from(c)
                ),
            )
            .with_hint("remove it: bidirectional controls and zero-width characters can make a text display differently from what it says"),
        );
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        out.push(
            Diagnostic::new(
                Code::ControlCharacter,
                path,
                pointer,
                format!("the text contains the control character U+{:04X}", u32::from(c)),
            )
            .with_hint("write text on one line, with single spaces; tabs and line breaks are not kept in CSV"),
        );
    } else if s.trim() != s {
        out.push(
            Diagnostic::new(
                Code::Whitespace,
                path,
                pointer,
                format!("`{}` has leading or trailing whitespace", preview(s)),
            )
            .with_hint("remove the spaces at the start or end"),
        );
    } else if let Some(at) = s
        .char_indices()
        .zip(s.chars().skip(1))
        .find(|((_, a), b)| a.is_whitespace() && b.is_whitespace())
        .map(|((i, _), _)| i)
    {
        out.push(
            Diagnostic::new(
                Code::Whitespace,
                path,
                pointer,
                format!("doubled whitespace after `{}`", preview(&s[..at])),
            )
            .with_hint("use single spaces between words"),
        );
    }
    if s.starts_with(['=', '+', '-', '@']) {
        out.push(
            Diagnostic::new(
                Code::FormulaPrefix,
                path,
                pointer,
                format!(
                    "`{}` starts with `{}`, which a spreadsheet would run as a formula",
                    preview(s),
                    &s[..1]
                ),
            )
            .with_hint(
                "start the text with a word; for a quote, start after the leading symbol or bullet",
            ),
        );
    }
}

/// The same checks as [`check_text`], on records read whole into the
/// typed model: every free-text field, and the few checked strings that
/// may start with a formula character.
pub(crate) fn check_text_records(
    records: &Records,
    files: &Files,
    kinds: &[FileKind],
    part: Part,
    out: &mut Vec<Diagnostic>,
) {
    // The pledges are shared between the parts; the rest goes with the first.
    let first = part.part == 0;
    if let Some(m) = records
        .manifest
        .as_ref()
        .filter(|_| first && kinds.contains(&FileKind::Manifest))
    {
        for (field, value) in [
            ("title", m.title.as_str()),
            ("description", m.description.as_str()),
            ("license", m.license.as_str()),
            ("version", m.version.as_str()),
            ("schema_version", m.schema_version.as_str()),
        ] {
            check_text_value(&files.manifest, &|| format!("/{field}"), value, out);
        }
    }
    if first && kinds.contains(&FileKind::Actors) {
        for (i, a) in &records.actors {
            check_text_cells(&files.actors, i, a, out);
        }
    }
    if first && kinds.contains(&FileKind::Sources) {
        for (i, src) in &records.sources {
            check_text_cells(&files.sources, i, src, out);
        }
    }
    if kinds.contains(&FileKind::Pledges) {
        for (i, p) in records.pledges.part(part) {
            check_text_cells(&files.pledges, i, p, out);
        }
    }
    if first && kinds.contains(&FileKind::Events) {
        for (i, e) in &records.events {
            check_text_cells(&files.events, i, e, out);
        }
    }
    if first && kinds.contains(&FileKind::Statements) {
        for (i, x) in &records.statements {
            check_text_cells(&files.statements, i, x, out);
        }
    }
}

/// Checks the free-text fields of the typed record at `index`, where its
/// tables declare them: the record's own text columns, then those of each
/// of its lists' items.
fn check_text_cells<R: Record>(path: &Path, index: usize, record: &R, out: &mut Vec<Diagnostic>) {
    let collection = collection(R::TABLE.kind);
    for (c, column) in R::TABLE.columns.iter().enumerate() {
        if let (ColumnKind::Text, Some(text)) = (column.kind, record.cell(c).text()) {
            let pointer = || format!("/{collection}/{index}/{}", column.path);
            check_text_value(path, &pointer, text, out);
        }
    }
    /// Checks the text columns of every item of every list.
    struct Lists<'o> {
        path: &'o Path,
        collection: &'static str,
        index: usize,
        out: &'o mut Vec<Diagnostic>,
    }
    impl<'r> Children<'r> for Lists<'_> {
        fn items<I: Row>(&mut self, table: &'static Table, items: &'r [I]) {
            let Shape::Child { field, .. } = table.shape else {
                return;
            };
            for (c, column) in table.columns.iter().enumerate() {
                if column.kind != ColumnKind::Text {
                    continue;
                }
                for (j, item) in items.iter().enumerate() {
                    if let Some(text) = item.cell(c).text() {
                        let (collection, index) = (self.collection, self.index);
                        let pointer = || match column.path {
                            "" => format!("/{collection}/{index}/{field}/{j}"),
                            inner => format!("/{collection}/{index}/{field}/{j}/{inner}"),
                        };
                        check_text_value(self.path, &pointer, text, self.out);
                    }
                }
            }
        }
    }
    record.children(&mut Lists {
        path,
        collection,
        index,
        out,
    });
}

/// Checks countries, URLs, dates and the manifest.
pub(crate) fn check_records(records: &Records, files: &Files, out: &mut Vec<Diagnostic>) {
    for (index, actor) in &records.actors {
        let base = format!("/actors/{index}");
        match (&actor.iso_3166, actor.kind) {
            (Some(code), kind) => {
                if rust_iso3166::from_alpha2(code.as_str()).is_none() {
                    out.push(
                        Diagnostic::new(
                            Code::UnknownCountry,
                            &files.actors,
                            format!("{base}/iso_3166"),
                            format!("`{code}` is not an assigned ISO 3166-1 alpha-2 code"),
                        )
                        .with_hint("the United Kingdom is `GB`, not `UK`"),
                    );
                }
                if kind != ActorKind::State {
                    out.push(
                        Diagnostic::new(
                            Code::CountryNotState,
                            &files.actors,
                            format!("{base}/iso_3166"),
                            "only states have a country code",
                        )
                        .with_hint(
                            "set `iso_3166` to null, or `kind` to `state` if this actor is one",
                        ),
                    );
                }
            }
            (None, ActorKind::State) => out.push(
                Diagnostic::new(
                    Code::StateWithoutCountry,
                    &files.actors,
                    format!("{base}/iso_3166"),
                    format!("the state `{}` has no ISO 3166-1 code", actor.id),
                )
                .with_hint("add its two-letter code, e.g. `\"iso_3166\": \"UA\"`"),
            ),
            (None, _) => {}
        }
    }

    let mut published = HashMap::new();
    for (index, source) in &records.sources {
        if let Some(url) = &source.url {
            let rest = url.as_str().split_once("://").map_or("", |(_, rest)| rest);
            let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
            if authority.contains('@') {
                out.push(
                    Diagnostic::new(
                        Code::UrlCredentials,
                        &files.sources,
                        format!("/sources/{index}/url"),
                        "the URL contains a user name or password",
                    )
                    .with_hint("remove the `user:password@` part"),
                );
            }
        }
        if let Some(date) = source.published {
            published.insert(source.id.as_str(), date);
        }
    }

    for (index, pledge) in &records.pledges {
        check_categories_and_quantities(&files.pledges, index, pledge, out);
        let Some(announced) = pledge.announced else {
            continue;
        };
        for evidence in &pledge.evidence {
            let Some(source_date) = published.get(evidence.source.as_str()) else {
                continue;
            };
            if announced.certainly_after(source_date) {
                out.push(
                    Diagnostic::new(
                        Code::AnnouncedAfterSource,
                        &files.pledges,
                        format!("/pledges/{index}/announced"),
                        format!(
                            "announced {announced}, after `{}` reported it on {source_date}",
                            evidence.source
                        ),
                    )
                    .with_hint(
                        "a source cannot report a pledge before it was made: check both dates",
                    ),
                );
                break;
            }
        }
    }

    if let Some(manifest) = &records.manifest {
        if semver::Version::parse(&manifest.version).is_err() {
            out.push(
                Diagnostic::new(
                    Code::InvalidVersion,
                    &files.manifest,
                    "/version",
                    format!("`{}` is not a semantic version", preview(&manifest.version)),
                )
                .with_hint("write MAJOR.MINOR.PATCH, e.g. `0.1.0`"),
            );
        }
        if manifest.schema_version != SCHEMA_VERSION {
            out.push(
                Diagnostic::new(
                    Code::SchemaVersionMismatch,
                    &files.manifest,
                    "/schema_version",
                    format!(
                        "the data follows schema version {}, this tool reads {SCHEMA_VERSION}",
                        preview(&manifest.schema_version)
                    ),
                )
                .with_hint("use the matching version of the `pledges` tool"),
            );
        }
    }
}

/// A pledge's categories are each listed once; its quantities fit their
/// kinds and name assigned currencies.
fn check_categories_and_quantities(
    path: &Path,
    index: usize,
    pledge: &crate::model::Pledge,
    out: &mut Vec<Diagnostic>,
) {
    for (j, category) in pledge.categories.iter().enumerate() {
        if pledge.categories[..j].contains(category) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateCategory,
                    path,
                    format!("/pledges/{index}/categories/{j}"),
                    format!("`{category}` is listed twice"),
                )
                .with_hint("list each category once, the primary one first"),
            );
        }
    }
    for (j, quantity) in pledge.quantities.iter().enumerate() {
        if let Some(problem) = quantity.shape_error() {
            out.push(
                Diagnostic::new(
                    Code::QuantityShape,
                    path,
                    format!("/pledges/{index}/quantities/{j}"),
                    problem,
                )
                .with_hint("a count has a `unit`, money a `currency`, a duration a `time_unit`; a share has none of them"),
            );
        }
        if let Some(code) = &quantity.currency
            && rust_iso4217::from_code(code.as_str()).is_none()
        {
            out.push(
                Diagnostic::new(
                    Code::UnknownCurrency,
                    path,
                    format!("/pledges/{index}/quantities/{j}/currency"),
                    format!("`{code}` is not an ISO 4217 currency code"),
                )
                .with_hint("the euro is `EUR`, the US dollar `USD`, the pound sterling `GBP`"),
            );
        }
    }
}

/// Warns when a file's `$schema` does not name its schema file.
pub(crate) fn check_schema_reference(
    kind: FileKind,
    path: &Path,
    reference: &str,
    out: &mut Vec<Diagnostic>,
) {
    let expected = kind.schema_file_name();
    if !reference.ends_with(expected) {
        out.push(
            Diagnostic::new(
                Code::SchemaReference,
                path,
                "/$schema",
                format!(
                    "`$schema` is `{}`, which is not {expected}",
                    preview(reference)
                ),
            )
            .with_hint(format!(
                "point it at the schema, e.g. `../schema/{expected}`, so editors check the file"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Characters that exercise every branch: ASCII and Unicode spaces,
    /// controls, formula starters, combining marks, letters.
    fn text() -> impl Strategy<Value = String> {
        let chars = prop_oneof![
            6 => proptest::char::range('a', 'e'),
            2 => Just(' '),
            1 => Just('\u{1f}'),
            1 => Just('\u{20}'),
            1 => Just('\t'),
            1 => Just('\n'),
            1 => Just('\u{7f}'),
            1 => Just('\u{85}'),
            1 => Just('\u{a0}'),
            1 => Just('\u{2003}'),
            1 => Just('\u{3000}'),
            1 => Just('\u{1680}'),
            1 => Just('\u{2028}'),
            1 => Just('\u{205f}'),
            1 => Just('\u{9f}'),
            1 => Just('€'),
            1 => Just('\u{800}'),
            1 => Just('ж'),
            1 => Just('😀'),
            1 => Just('='),
            1 => Just('-'),
            1 => Just('@'),
            1 => Just('é'),
            1 => Just('\u{301}'),
            1 => Just('ї'),
            1 => proptest::char::range('\u{80}', '\u{7ff}'),
            1 => any::<char>(),
            1 => proptest::char::range('a', 'z'),
            1 => Just('~'),
            1 => Just('`'),
            1 => Just('!'),
        ];
        proptest::collection::vec(chars, 0..40).prop_map(|c| c.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The quick check passes exactly the text the full check finds
        /// nothing wrong with.
        #[test]
        fn quick_text_check_agrees_with_the_full_check(
            s in prop_oneof![text(), "[a-c ]{0,40}", "[a-c \\x1f\\x7f~`@=é]{0,40}"],
        ) {
            let mut found = Vec::new();
            check_string(Path::new("f.json"), "/x", &s, &mut found);
            prop_assert_eq!(is_plainly_clean(&s), found.is_empty(), "{:?}", s);
        }
    }

    /// A tree of arrays and objects, with keys that need escaping, holding
    /// text that fails the checks.
    fn tree() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            text().prop_map(Value::String),
            Just(Value::Null),
            any::<i32>().prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec(
                    (
                        prop_oneof!["[a-c]{0,3}", Just("$schema".to_owned()), "[a/~]{1,3}"],
                        inner
                    ),
                    0..5
                )
                .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// The walk as it was written first: a pointer made for every value.
    fn check_text_plainly(path: &Path, pointer: String, value: &Value, out: &mut Vec<Diagnostic>) {
        match value {
            Value::String(s) => check_text_value(path, &|| pointer.clone(), s, out),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_text_plainly(path, format!("{pointer}/{i}"), item, out);
                }
            }
            Value::Object(members) => {
                for (key, item) in members {
                    if pointer.is_empty() && key == "$schema" {
                        continue;
                    }
                    let token = key.replace('~', "~0").replace('/', "~1");
                    check_text_plainly(path, format!("{pointer}/{token}"), item, out);
                }
            }
            _ => {}
        }
    }

    proptest! {
        /// The walk that grows and cuts back one pointer finds what a walk
        /// making a pointer for each value finds, at the same pointers and
        /// in the same order, from the file's root or from a record's place.
        #[test]
        fn text_is_checked_at_the_same_pointers_as_a_plain_walk(
            value in tree(),
            start in prop_oneof![Just(String::new()), Just("/pledges/3".to_owned())],
        ) {
            let path = Path::new("f.json");
            let (mut found, mut expected) = (Vec::new(), Vec::new());
            check_text_at(path, start.clone(), &value, &mut found);
            check_text_plainly(path, start, &value, &mut expected);
            prop_assert_eq!(found, expected);
        }
    }

    /// Every control and every whitespace character but the space starts
    /// with a byte that sends the quick check's eight bytes to the slow
    /// path, so that eight bytes without one hold no such character.
    #[test]
    fn every_control_and_whitespace_but_the_space_has_a_flagged_byte() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if c != ' ' && (c.is_control() || c.is_whitespace() || is_invisible(c)) {
                let mut buf = [0u8; 4];
                let lead = c.encode_utf8(&mut buf).as_bytes()[0];
                let word = u64::from_le_bytes([b'a', b'a', b'a', lead, b'a', b'a', b'a', b'a']);
                assert!(has_other_whitespace_or_control(word), "{c:?}");
            }
        }
        // And none of the bytes of ordinary text is.
        for text in ["Україна ", "Zusage, ", "sécurit", "€ 2 1/2 "] {
            // (€ is U+20AC, behind a flagged 0xE2.)
            let mut word = [b'a'; 8];
            word[..text.len().min(8)].copy_from_slice(&text.as_bytes()[..text.len().min(8)]);
            let flagged = has_other_whitespace_or_control(u64::from_le_bytes(word));
            assert_eq!(flagged, text.starts_with('€'), "{text:?}");
        }
    }

    /// The two-byte characters the quick check passes without decoding
    /// are neither controls nor whitespace nor invisible (but U+061C, which
    /// it looks for), every one of them.
    #[test]
    fn two_byte_characters_after_0xc2_are_neither_controls_nor_spaces() {
        for c in ('\u{c0}'..='\u{7ff}').filter(|c| c.len_utf8() == 2) {
            assert!(!c.is_control() && !c.is_whitespace(), "{c:?}");
            assert!(!is_invisible(c) || c == '\u{061C}', "{c:?}");
            assert!((0xC3..=0xDF).contains(&c.encode_utf8(&mut [0; 4]).as_bytes()[0]));
        }
    }
}
