//! `pledges codebook`.

use ukraine_pledges::write::codebook::{WRITE_COMMAND, codebook};

use crate::args::CodebookArgs;
use crate::{ERROR, FAILURE, SUCCESS, emit, fail};

pub fn run(args: &CodebookArgs) -> u8 {
    let text = codebook();
    let Some(path) = &args.out else {
        return match emit(&text) {
            Ok(()) => SUCCESS,
            Err(e) => fail(e),
        };
    };
    if !args.check {
        return match ukraine_pledges::write::atomic_write(path, text.as_bytes()) {
            Ok(()) => SUCCESS,
            Err(e) => fail(e),
        };
    }
    let current = match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return fail(format_args!("{}: {e}", path.display())),
    };
    if current.as_deref() == Some(text.as_bytes()) {
        return SUCCESS;
    }
    let command = if path == std::path::Path::new("docs/codebook.md") {
        WRITE_COMMAND.to_owned()
    } else {
        format!("pledges codebook --out {}", path.display())
    };
    let what = if current.is_some() {
        "differs from the data model"
    } else {
        "does not exist"
    };
    match emit(&format!(
        "{} {what}; run `{command}` to regenerate it\n",
        path.display()
    )) {
        Ok(()) => FAILURE,
        Err(_) => ERROR,
    }
}
