//! `pledges add source`: archive a text and append its source record.

use std::io::Write as _;
use std::path::Path;

use ukraine_pledges::model::{
    Archive, FileName, Grade, LanguageTag, Reliability, Source, SourceId, SourceKind, Text,
};
use ukraine_pledges::schema::FileKind;
use ukraine_pledges::validate::sha256_hex;
use ukraine_pledges::write::{atomic_write, canonical_files, file_name, schema_dir_of};

use crate::args::AddSourceArgs;
use crate::escape::visible;
use crate::{SUCCESS, emit, fail, load_or_report};

/// An id from a file name: lowercase ASCII words joined by hyphens.
fn slug(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(80).collect();
    while out.ends_with('-') {
        out.pop();
    }
    out
}

pub fn source(args: &AddSourceArgs) -> u8 {
    if ukraine_pledges::load::is_csv_dir(&args.data) {
        return fail(format_args!(
            "{} is a CSV dataset; add the source to the JSON dataset (`data/`) and convert",
            args.data.display()
        ));
    }
    let Some(name) = args.file.file_name().and_then(|n| n.to_str()) else {
        return fail(format_args!(
            "{} has no file name in UTF-8",
            args.file.display()
        ));
    };
    let file = match FileName::new(name) {
        Ok(file) => file,
        Err(e) => {
            return fail(format_args!(
                "`{}` cannot be an archive file name: {e}",
                visible(name)
            ));
        }
    };
    let id_text = args.id.clone().unwrap_or_else(|| slug(name));
    let id = match SourceId::new(id_text.as_str()) {
        Ok(id) => id,
        Err(e) => {
            return fail(format_args!(
                "`{}` is not a source id: {e}; give one with --id",
                visible(&id_text)
            ));
        }
    };
    let bytes = match ukraine_pledges::load::read_regular(
        &args.file,
        ukraine_pledges::load::MAX_ARCHIVE_FILE_SIZE,
    ) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format_args!("cannot read {}: {e}", args.file.display())),
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return fail(format_args!("{} is not UTF-8 text", args.file.display()));
    };
    let mut dataset = match load_or_report(&args.data, &args.limit) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    if dataset.source(id.as_str()).is_some() {
        return fail(format_args!(
            "a source with the id `{id}` exists already; choose another with --id"
        ));
    }
    if let Some(other) = dataset.sources().iter().find(|s| s.archive.file == file) {
        return fail(format_args!(
            "source `{}` already archives a file named `{}`",
            other.id,
            visible(name)
        ));
    }
    let title_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(name);
    let title: String = title_line
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let record = Source {
        id,
        title: Text::new(if title.is_empty() {
            name.to_owned()
        } else {
            title
        })
        .unwrap_or_else(|_| Text::new("untitled").expect("not empty")),
        publisher: None,
        url: None,
        published: None,
        kind: SourceKind::UnattributedText,
        language: LanguageTag::new("en").expect("a language tag"),
        reliability: Reliability {
            grade: Grade::F,
            reason: Text::new("Not yet graded: added by `pledges add source`.").expect("not empty"),
        },
        archive: Archive {
            file,
            sha256: ukraine_pledges::model::Sha256::new(sha256_hex(&bytes)).expect("a digest"),
        },
        notes: None,
        retired: None,
    };
    if let Err(code) = archive_copy(&args.file, &args.archive.join(name), &bytes) {
        return code;
    }
    let id = record.id.clone();
    if dataset.add_source(record).is_err() {
        return fail(format_args!("a source with the id `{id}` exists already"));
    }
    let path = args.data.join(file_name(&dataset, FileKind::Sources));
    let Some((_, json)) = canonical_files(&dataset, &schema_dir_of(&dataset))
        .into_iter()
        .find(|(kind, _)| *kind == FileKind::Sources)
    else {
        return fail("no sources file to write");
    };
    if let Err(e) = atomic_write(&path, json.as_bytes()) {
        return fail(e);
    }
    let _ = writeln!(
        std::io::stderr(),
        "pledges: added source `{id}` to {}; review and fill in by hand:\n  \
         title (taken from the text's first line), publisher, url, published (null: unknown),\n  \
         kind (set to unattributed_text), language (set to en),\n  \
         reliability (set to grade F, not yet graded) and notes",
        path.display()
    );
    if emit(&format!("{id}\n")).is_err() {
        return crate::ERROR;
    }
    SUCCESS
}

/// Copies `bytes` (read from `from`) to `to` in the archive, unless the same
/// bytes are already there; refuses a different file of that name.
fn archive_copy(from: &Path, to: &Path, bytes: &[u8]) -> Result<(), u8> {
    match std::fs::symlink_metadata(to) {
        Ok(_) => match ukraine_pledges::load::read_regular(
            to,
            ukraine_pledges::load::MAX_ARCHIVE_FILE_SIZE,
        ) {
            Ok(existing) if existing == bytes => Ok(()),
            Ok(_) => Err(fail(format_args!(
                "{} exists and differs from {}; rename the file, or remove the archived one if it is wrong",
                to.display(),
                from.display()
            ))),
            Err(e) => Err(fail(format_args!("{}: {e}", to.display()))),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => atomic_write(to, bytes).map_err(fail),
        Err(e) => Err(fail(format_args!("{}: {e}", to.display()))),
    }
}
