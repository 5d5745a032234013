//! snapsim: a discrete-event simulator of incremental block-volume snapshots
//! in the style of Amazon EBS.
//!
//! Module map (dependencies point one way):
//!
//! ```text
//!  cli ──▶ sweep ──▶ scenario ──▶ model ──▶ engine
//!   │                   │          ▲    │
//!   │                   └─▶ trace ─┘    │
//!   └──▶ report ──▶ metrics ◀───────────┘
//! ```
//!
//! - [`engine`]: generic discrete-event core (integer-ns time, event queue).
//! - [`model`]: volumes, writes, snapshots, uploads, retention.
//! - `scenario`: the JSON scenario format → validated [`model::config::SimConfig`].
//! - [`trace`]: block IO trace files → the model's IO feeds (streaming,
//!   gzip, ten formats).
//! - [`metrics`]: the run summary and per-snapshot records.
//! - `report`: writes results to files.
//! - [`import`]: saved AWS CLI output → a scenario and its import report.
//! - [`sweep`]: parameter sweeps with replications, shards, resume and merge.
//! - [`goal`]: `snapsim plan`, the parameter value where a target starts
//!   to hold, by bisection over replicated sweep runs.
//! - [`fuzzing`]: the entry points of the fuzz targets (`fuzz/`) and of
//!   their corpus replay test.
pub mod cli;
pub mod engine;
pub mod fuzzing;
pub mod goal;
pub mod import;
pub mod metrics;
pub mod model;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod sweep;
pub mod trace;
