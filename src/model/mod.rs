//! The storage domain: volumes, workloads, snapshots, uploads and retention.
//!
//! Knows nothing about files, the command line or charts: [`simulate`] takes
//! a validated [`config::SimConfig`] and returns a [`RunResult`] made of
//! `metrics` types.
//!
//! ```text
//!  schedule ──SlotDue──▶ RequestDue ──accepted──▶ pending snapshot
//!                            │ rejected              │ delta = blocks changed
//!                            ▼ (fail/skip/retry)     │ since previous PIT
//!                         record                     ▼
//!  writes ─▶ dirty blocks ─▶ copy-on-write ◀── upload (shared bandwidth)
//!                                                    │ UploadFinished
//!                                                    ▼
//!                                  completed (in order) ─▶ retention/storage
//! ```

pub mod block_set;
pub mod config;
pub mod feed;
pub mod io;
mod outcome;
pub mod rng;
mod series;
pub mod simulation;
pub mod source;
pub mod storage;
pub mod transfer;
pub mod units;
pub mod volume;
pub mod volume_type;
pub mod workload;
pub mod zipf;

use crate::engine::{run_until, Scheduler, SimTime};
pub use crate::metrics::RunResult;
use config::SimConfig;
use simulation::Simulation;
use thiserror::Error;

/// Price of standard-tier snapshot storage, us-east-1 [USD per GB-month]
/// (EBS_FACTS.md §5.1).
pub const USD_PER_GB_MONTH: f64 = 0.05;

/// Most memory a run may plan to use for block state [B].
pub const MEMORY_BUDGET_BYTES: u64 = 8 << 30;

/// Descriptive metadata carried into the summary untouched.
#[derive(Clone, Debug, Default)]
pub struct RunMeta {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// The scenario as parsed, echoed into the summary.
    pub source: serde_json::Value,
    /// The assumptions ledger, echoed into the summary.
    pub assumptions: Vec<crate::metrics::summary::Assumption>,
}

/// Why a run was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// The run would need more memory than [`MEMORY_BUDGET_BYTES`].
    #[error("the scenario needs about {needed_mib} MiB of block state ({what}), more than the {budget_mib} MiB budget; use fewer or smaller volumes, a larger block_size, or run without --verify")]
    TooLarge {
        /// What dominates the need.
        what: String,
        /// Estimated need [MiB].
        needed_mib: u64,
        /// The budget [MiB].
        budget_mib: u64,
    },
    /// A trace could not be opened or stopped on bad input.
    #[error("{0}")]
    Trace(String),
    /// A volume has more blocks than a block index can address.
    #[error("volume `{volume}` has {blocks} blocks of {block_size} B, more than 2^32; use a larger block_size")]
    TooManyBlocks {
        /// Volume name.
        volume: String,
        /// Its block count.
        blocks: u64,
        /// The block size [B].
        block_size: u64,
    },
}

/// Estimates the block-state memory of a run and refuses it before
/// allocating anything if it exceeds [`MEMORY_BUDGET_BYTES`].
///
/// # Errors
/// [`ModelError`] naming the need and the fix.
pub fn check_resources(cfg: &SimConfig) -> Result<(), ModelError> {
    let bs = cfg.block_size.0.max(1);
    let mut need: u128 = 0;
    for v in &cfg.volumes {
        let blocks = v.provisioned.size.0.div_ceil(bs);
        if blocks > 1 << 32 {
            return Err(ModelError::TooManyBlocks {
                volume: v.name.clone(),
                blocks,
                block_size: bs,
            });
        }
        let limit = u128::from(v.pending_limit);
        let b = u128::from(blocks);
        // Dirty set, one remaining-set and one delta list per pending
        // snapshot, the retention image.
        need += b / 8 * (2 + limit) + b * 4 * limit;
        if cfg.verify {
            // Current versions, last image, expected image per pending one.
            need += b * 8 * (2 + limit);
        }
    }
    if need > u128::from(MEMORY_BUDGET_BYTES) {
        return Err(ModelError::TooLarge {
            what: format!(
                "{} volume(s){}",
                cfg.volumes.len(),
                if cfg.verify { " with --verify" } else { "" }
            ),
            needed_mib: u64::try_from(need >> 20).unwrap_or(u64::MAX),
            budget_mib: MEMORY_BUDGET_BYTES >> 20,
        });
    }
    Ok(())
}

/// Runs one simulation to the scenario's horizon.
///
/// # Errors
/// [`ModelError`] if the run is refused by [`check_resources`].
pub fn simulate(cfg: SimConfig, meta: RunMeta) -> Result<RunResult, ModelError> {
    check_resources(&cfg)?;
    let mut sched = Scheduler::new();
    let end = SimTime::ZERO + cfg.duration;
    let mut sim = Simulation::new(cfg, &mut sched)?;
    run_until(&mut sched, &mut sim, end);
    sim.finish(end);
    if let Some(e) = sim.feed_error() {
        return Err(ModelError::Trace(e));
    }
    Ok(outcome::collect(&sim, sched.events_processed(), meta))
}
