//! Everything a run writes: result files and, later, charts and the report.
//!
//! Knows the metrics types and files; never the model's internals or the
//! command line. Files are staged and renamed into place, so a failure never
//! leaves a half-written result.

pub mod atomic;
pub mod files;
pub mod table;

pub use atomic::{write_files, OutputError};
pub use files::{result_files, ResultContext};
