//! `pledges codebook`.

use ukraine_pledges::write::codebook::{WRITE_COMMAND, codebook};

use crate::args::CodebookArgs;
use crate::generated::Generated;
use crate::{SUCCESS, emit, fail};

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
    Generated {
        shipped: "docs/codebook.md",
        write_command: WRITE_COMMAND,
        command_for: "pledges codebook --out",
        source: "the data model",
    }
    .check(path, &text)
}
