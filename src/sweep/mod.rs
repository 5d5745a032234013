//! Parameter sweeps: many runs of one scenario, in parallel, with
//! replications and confidence intervals, and beyond one machine.
//!
//! ```text
//!  scenario + "sweep" ──▶ Plan (points × replications, seeds)
//!        │                   │ Rounds: which runs, round by round, per shard
//!        ▼                   ▼
//!  rayon pool ── run ──▶ metrics row ──▶ runs.jsonl (appended, fsync'd)
//!                                            │ read back at the end
//!                                            ▼
//!                    runs.jsonl (sorted), runs.csv, points.csv, sweep.json
//! ```
//!
//! A run is fully determined by (scenario, point, replication); see
//! [`plan`] for the seeds. The final files depend only on the set of
//! records, never on threads, shards or the order of completion, so a
//! resumed sweep and a merge of shards ([`merge`]) write the same bytes as
//! an uninterrupted single-process sweep (DESIGN §3). Knows scenarios,
//! the model and metrics; never the command line.

pub mod error;
pub mod execute;
pub mod merge;
pub mod output;
pub mod plan;
pub mod record;
pub mod rounds;
pub mod stats;

pub use error::SweepError;
pub use execute::{run_sweep, SweepOptions, SweepReport};
pub use merge::{merge, MergeReport};
pub use plan::Plan;
pub use record::Shard;
