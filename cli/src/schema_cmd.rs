//! `pledges schema`.

use ukraine_pledges::schema::{FileKind, to_file_text};

use crate::args::SchemaArgs;
use crate::{ERROR, FAILURE, SUCCESS, emit, fail};

pub fn run(args: &SchemaArgs) -> u8 {
    if let Some(dir) = &args.write {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(format_args!("{}: {e}", dir.display()));
        }
        for kind in FileKind::ALL {
            let path = dir.join(kind.schema_file_name());
            if let Err(e) =
                ukraine_pledges::write::atomic_write(&path, to_file_text(&kind.schema()).as_bytes())
            {
                return fail(e);
            }
        }
        return SUCCESS;
    }
    if let Some(dir) = &args.check {
        let mut stale = Vec::new();
        for kind in FileKind::ALL {
            let path = dir.join(kind.schema_file_name());
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if current != to_file_text(&kind.schema()) {
                stale.push(path.display().to_string());
            }
        }
        if stale.is_empty() {
            return SUCCESS;
        }
        let mut text = String::from(
            "these schemas differ from the data model; run `pledges schema --write schema`:\n",
        );
        for path in stale {
            text.push_str(&format!("  {path}\n"));
        }
        return match emit(&text) {
            Ok(()) => FAILURE,
            Err(_) => ERROR,
        };
    }
    let mut text = String::new();
    for kind in FileKind::ALL {
        text.push_str(&to_file_text(&kind.schema()));
    }
    match emit(&text) {
        Ok(()) => SUCCESS,
        Err(e) => fail(e),
    }
}
