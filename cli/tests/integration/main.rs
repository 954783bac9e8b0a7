//! The integration tests: one binary, one module per concern.

mod helpers;

mod cli;
mod codebook;
mod contributor;
mod convert;
mod diagnostics;
mod equivalence;
mod export;
mod limits;
mod properties;
mod query;
mod release;
mod robustness;
mod schema_files;
mod shipped_data;
mod site;
mod sync;
mod writes;
