//! `pledges quote`: the passage of an archived source that best matches a
//! remembered quote, verbatim, ready to paste.

use std::fmt::Write as _;

use ukraine_pledges::model::{QUOTE_MAX_LEN, is_invisible};
use ukraine_pledges::validate::fold_quote_text;
use ukraine_pledges::validate::matcher::best_passage;

use crate::args::QuoteArgs;
use crate::escape::visible;
use crate::{ERROR, FAILURE, SUCCESS, emit, fail, load_or_report};

pub fn run(args: &QuoteArgs) -> u8 {
    if args.text.chars().count() > QUOTE_MAX_LEN {
        return fail(format_args!(
            "TEXT has more than {QUOTE_MAX_LEN} characters, the longest a quote may be; give a shorter passage"
        ));
    }
    let dataset = match load_or_report(&args.data, &args.limit) {
        Ok(dataset) => dataset,
        Err(code) => return code,
    };
    let Some(source) = dataset.source(&args.source) else {
        let ids = dataset.sources().iter().map(|s| s.id.as_str());
        let hint = ukraine_pledges::diagnostic::did_you_mean(&args.source, ids)
            .map(|near| format!("; did you mean `{near}`?"))
            .unwrap_or_default();
        return fail(format_args!(
            "no source has the id `{}`{hint}",
            visible(&args.source)
        ));
    };
    let path = args.archive.join(source.archive.file.as_str());
    let bytes = match ukraine_pledges::load::read_regular(
        &path,
        ukraine_pledges::load::MAX_ARCHIVE_FILE_SIZE,
    ) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format_args!("cannot read {}: {e}", path.display())),
    };
    let digest = ukraine_pledges::validate::sha256_hex(&bytes);
    if digest != source.archive.sha256.as_str() {
        return fail(format_args!(
            "{} has SHA-256 {digest}, not the {} recorded for `{}`: it is not the text the source's quotes come from",
            path.display(),
            source.archive.sha256.as_str(),
            source.id
        ));
    }
    let text = String::from_utf8_lossy(&bytes);
    let passage = best_passage(&text, &args.text).filter(|p| p.is_close());
    let Some(passage) = passage else {
        let _ = writeln_err(&format!(
            "pledges: no passage of `{}` matches TEXT closely (at most a third of its words may differ); check the source id, or quote fewer words",
            source.id
        ));
        return FAILURE;
    };
    // Whitespace is forgiven by the validator: one line, one space each.
    let words: String = text[passage.range.clone()]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !fold_quote_text(&text).contains(&fold_quote_text(&words)) {
        // Never happens for a passage cut at word boundaries; checked so
        // that what is printed always passes `validate`.
        return fail("the passage found does not pass the quote check; please report this");
    }
    let count = words.chars().count();
    if count > QUOTE_MAX_LEN {
        let _ = writeln_err(&format!(
            "pledges: warning: the passage has {count} characters, more than the {QUOTE_MAX_LEN} a quote may have; shorten it at a word boundary"
        ));
    }
    if passage.edits > 0 {
        let _ = writeln_err(&format!(
            "pledges: {} of {} words differ from TEXT; paste the source's words below",
            passage.edits, passage.quote_words
        ));
    }
    let out = if args.json {
        json_string(&words)
    } else {
        visible(&words).into_owned()
    };
    if emit(&format!("{out}\n")).is_err() {
        return ERROR;
    }
    SUCCESS
}

fn writeln_err(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    writeln!(std::io::stderr(), "{}", visible(text))
}

/// `text` as a JSON string, with invisible characters escaped too.
fn json_string(text: &str) -> String {
    let json = serde_json::to_string(text).unwrap_or_default();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_invisible(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}
