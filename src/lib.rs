#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// The layers, lowest first, one group of `mod`s each: a module may use its
// own layer and those above it in this file, never one below it.
// `scripts/check-layers.py` reads these groups and CI fails on an import
// that runs the other way.

// The data model: the types that are the schema.
pub mod model;

// Schema generation, the CSV layout, diagnostics and errors, and the
// journal that makes a set write one change.
pub mod diagnostic;
pub mod error;
#[cfg(any(feature = "validate", feature = "write"))]
pub mod journal;
pub mod schema;
#[cfg(any(feature = "validate", feature = "write"))]
pub mod tables;

// Bytes to records, with where each came from.
#[cfg(feature = "validate")]
pub mod load;

// Records to a report.
#[cfg(feature = "validate")]
pub mod validate;

// The validated dataset and its lookups.
pub mod dataset;

// A dataset to files.
#[cfg(feature = "write")]
pub mod write;

// What is built on whole datasets: diffs, the release rules, synthetic
// data, the static site, the exports for analysts (SQLite, Excel,
// Datasette).
pub mod diff;
#[cfg(feature = "export")]
pub mod export;
#[cfg(feature = "write")]
pub mod generate;
#[cfg(feature = "validate")]
pub mod release;
#[cfg(feature = "site")]
pub mod site;

pub use dataset::Dataset;
pub use diagnostic::{Code, Diagnostic, Report, Severity};
pub use error::{Error, ErrorKind};
