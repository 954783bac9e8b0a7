#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod convert;
pub mod dataset;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod format;
pub mod generate;
pub mod locate;
pub mod model;
pub mod release;
pub mod schema;
pub mod validate;
pub mod write;

pub use dataset::Dataset;
pub use diagnostic::{Code, Diagnostic, Report, Severity};
pub use error::{Error, ErrorKind};
