//! Results: the run summary (the one contract between the simulator, the
//! output files, reports and notebooks), per-snapshot records, and the
//! statistics used to summarise them.
//!
//! Knows nothing of files or the command line; the model fills these types
//! and `report` writes them.

pub mod latency;
pub mod record;
pub mod rollup;
pub mod run_metrics;
pub mod stats;
pub mod summary;
pub mod survival;
pub mod timeseries;
pub mod window;

pub use record::{ErrorCode, SnapshotRecord, SnapshotState, StoragePoint};
pub use summary::{RunSummary, SUMMARY_SCHEMA_VERSION};
pub use timeseries::{IoStep, TimeseriesRow};

/// Everything a run produces: the contract between the simulator and every
/// writer of results.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The summary (`summary.json`).
    pub summary: RunSummary,
    /// One record per request, in request order.
    pub snapshots: Vec<SnapshotRecord>,
    /// Stored bytes per volume over time.
    pub storage: Vec<StoragePoint>,
    /// Per-volume time series at the summary's step.
    pub timeseries: Vec<TimeseriesRow>,
}
