//! Results: the run summary (the one contract between the simulator, the
//! output files, reports and notebooks), per-snapshot records, and the
//! statistics used to summarise them.
//!
//! Knows nothing of files or the command line; the model fills these types
//! and `report` writes them.

pub mod record;
pub mod stats;
pub mod summary;

pub use record::{ErrorCode, SnapshotRecord, SnapshotState, StoragePoint};
pub use summary::{RunSummary, SUMMARY_SCHEMA_VERSION};
