//! `pledges export`: the dataset as a SQLite database, an Excel workbook, or the Datasette metadata.

use ukraine_pledges::export::datasette::{WRITE_COMMAND, metadata_json};
use ukraine_pledges::export::{sqlite, xlsx};

use crate::args::{ExportArgs, ExportFormat};
use crate::generated::Generated;
use crate::query_cmd::dataset;
use crate::{SUCCESS, fail};

pub fn run(args: &ExportArgs) -> u8 {
    if args.check && args.to != ExportFormat::DatasetteMetadata {
        return fail("--check works with --to datasette-metadata only");
    }
    // Refused before the dataset is read: nothing is written there anyway.
    match std::fs::symlink_metadata(&args.file) {
        Ok(meta) if !meta.file_type().is_file() => {
            return fail(format_args!(
                "{}: not a regular file (a directory, a symbolic link or a device); give the path of a file to write",
                crate::escape::visible(&args.file.display().to_string())
            ));
        }
        _ => {}
    }
    let data = match dataset(&args.data) {
        Ok(data) => data,
        Err(code) => return code,
    };
    let written = match args.to {
        ExportFormat::Sqlite => sqlite::write(&data, &args.file),
        ExportFormat::Xlsx => xlsx::write(&data, &args.file),
        ExportFormat::DatasetteMetadata => {
            let text = metadata_json(&data);
            if args.check {
                return Generated {
                    shipped: "datasette/metadata.json",
                    write_command: WRITE_COMMAND,
                    command_for: "pledges export --to datasette-metadata",
                    source: "the metadata generated from the dataset",
                }
                .check(&args.file, &text);
            }
            ukraine_pledges::write::atomic_write(&args.file, text.as_bytes())
        }
    };
    match written {
        Ok(()) => SUCCESS,
        Err(e) => fail(e),
    }
}
