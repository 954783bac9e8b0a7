#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

// The layers, lowest first; each module imports only those above it in this
// list (`scripts/check-layers.py` enforces it, and says which layer each
// module is in).
pub mod dataset;
pub mod diagnostic;
pub mod diff;
pub mod error;
mod fxhash;
pub mod generate;
pub mod load;
pub mod model;
pub mod release;
pub mod schema;
pub mod tables;
pub mod validate;
pub mod write;

pub use dataset::Dataset;
pub use diagnostic::{Code, Diagnostic, Report, Severity};
pub use error::{Error, ErrorKind};
