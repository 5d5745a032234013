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

pub mod admission;
pub mod block_set;
pub mod config;
pub mod feed;
pub mod io;
pub mod lifecycle;
mod outcome;
pub mod retention;
pub mod rng;
mod series;
pub mod simulation;
pub mod source;
pub mod storage;
pub mod tracking;
pub mod transfers;
pub mod units;
pub mod volume;
pub mod volume_type;
pub mod work;
pub mod workload;
pub mod zipf;

use crate::engine::{self, run_until, Scheduler, SimTime};
use crate::metrics;
pub use crate::metrics::RunResult;
use config::SimConfig;
use simulation::Simulation;
use thiserror::Error;

/// Price of standard-tier snapshot storage, us-east-1 [USD per GB-month]
/// (EBS_FACTS.md §5.1).
pub const USD_PER_GB_MONTH: f64 = 0.05;

/// Most memory a run may plan to use for block state [B].
pub const MEMORY_BUDGET_BYTES: u64 = 8 << 30;

/// The memory budget when the run allows large work ([`SimConfig::allow_large`]) [B].
pub const LARGE_MEMORY_BUDGET_BYTES: u64 = 64 << 30;

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
    /// Published values to set beside the simulated ones.
    pub measurements: Vec<crate::metrics::summary::Measurement>,
}

/// Why a run was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModelError {
    /// The run would need more memory than [`MEMORY_BUDGET_BYTES`].
    #[error("the scenario needs about {needed_mib} MiB of memory, more than the {budget_mib} MiB budget ({what})")]
    TooLarge {
        /// What dominates the need.
        what: String,
        /// Estimated need [MiB].
        needed_mib: u64,
        /// The budget [MiB].
        budget_mib: u64,
    },
    /// Statistical tracking was asked for a run that needs exact tracking.
    #[error(
        "change_tracking \"statistical\" cannot be used because {0}; use \"exact\" or \"auto\""
    )]
    NotStatistical(String),
    /// A trace could not be opened or stopped on bad input.
    #[error("{0}")]
    Trace(String),
    /// The run would need more simulated operations than [`work::MAX_WORK`].
    #[error("the scenario needs about {total} simulated operations ({what}), more than the limit of {limit} (about half an hour of CPU); {fix}, or pass --allow-large (or set \"allow_large\": true) if you mean it")]
    TooMuchWork {
        /// The parts, in words.
        what: String,
        /// Estimated operations, in scientific notation.
        total: String,
        /// The limit, in scientific notation.
        limit: String,
        /// How to shrink the run.
        fix: String,
    },
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

/// What a run will use, estimated from its configuration alone (before
/// allocating anything): the change-tracking method `auto` resolves to, and
/// the memory of everything that grows with the scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The tracking method the run uses.
    pub method: tracking::Method,
    /// Memory estimate [B], by part.
    pub memory: MemoryEstimate,
    /// Work estimate [operations], by part.
    pub work: work::WorkEstimate,
}

/// Memory a run is expected to need, by what grows [B].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Changed-block state: dirty sets, pending snapshots' remaining sets
    /// and delta lists, statistical tracking's heaps, `--verify` versions.
    pub block_state: u64,
    /// Delta lists of retained snapshots (only a retention that deletes
    /// keeps them), bounded by the writes between two snapshots.
    pub retained_lists: u64,
    /// Snapshot records, retries included, storage points, and the pools'
    /// clock breakpoints (at most two per upload: its start and its end).
    pub records: u64,
    /// The per-volume time series.
    pub timeseries: u64,
    /// IO queues at IO fidelity, at their bound ([`io::queue_bound`]).
    pub io_queues: u64,
}

impl MemoryEstimate {
    /// Everything [B].
    pub fn total(&self) -> u64 {
        self.block_state
            .saturating_add(self.retained_lists)
            .saturating_add(self.records)
            .saturating_add(self.timeseries)
            .saturating_add(self.io_queues)
    }
}

/// Bytes per snapshot record held in memory and written out (the record,
/// its strings and its storage points).
const RECORD_BYTES: u64 = std::mem::size_of::<metrics::SnapshotRecord>() as u64 + 96;

/// Why a volume cannot be tracked statistically, if it cannot.
fn statistical_obstacle(cfg: &SimConfig) -> Option<String> {
    if cfg.fidelity == config::Fidelity::Io {
        return Some("the run is at IO fidelity".into());
    }
    if cfg.verify {
        return Some("--verify checks every block's version".into());
    }
    cfg.volumes.iter().find_map(|v| {
        if v.cache.is_some() {
            Some(format!("volume `{}` models a guest write cache", v.name))
        } else if v.schedule.consistency != config::Consistency::Crash {
            Some(format!(
                "volume `{}` pauses its writes around requests (consistency mode)",
                v.name
            ))
        } else {
            None
        }
    })
}

/// Snapshots of a volume that retention keeps, at most (for memory only).
fn retained_at_most(v: &config::VolumeConfig, duration: engine::SimDuration) -> u64 {
    let interval = match &v.schedule.times {
        config::Times::Every { interval, .. } => interval.0.max(1),
        _ => duration.0.max(1),
    };
    match v.schedule.retention {
        config::Retention::KeepAll => 0,
        config::Retention::Last(n) => u64::from(n),
        config::Retention::MaxAge(age) => age.0 / interval + 1,
    }
}

/// Decides the tracking method and estimates the memory of a run; refuses
/// a run beyond [`MEMORY_BUDGET_BYTES`] or with volumes too large to index.
///
/// # Errors
/// [`ModelError`] naming the need and the fix.
pub fn plan(cfg: &SimConfig) -> Result<Plan, ModelError> {
    let bs = cfg.block_size.0.max(1);
    let secs = cfg.duration.as_secs_f64();
    let mut exact_state: u128 = 0;
    let mut sampled_state: u128 = 0;
    let mut exact_lists: u128 = 0;
    let mut sampled_lists: u128 = 0;
    let mut requests: u128 = 0;
    let statistical_size = match cfg.change_tracking {
        tracking::Choice::Statistical(size) => size,
        _ => tracking::SampleSize::Blocks(tracking::DEFAULT_SAMPLES),
    };
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
        // A delta list holds at most the used blocks (the first snapshot)
        // or the blocks the writes between two snapshots can change (each
        // write spans at most `size / block + 1` blocks; a trace, the whole
        // volume).
        let interval_secs = match &v.schedule.times {
            config::Times::Every { interval, .. } => interval.as_secs_f64(),
            _ => secs,
        };
        let touched: f64 = v
            .writes
            .iter()
            .map(|w| w.arrival.max_rate().per_sec * interval_secs * (w.size.0 / bs + 2) as f64)
            .sum();
        let delta_max = if v.trace.is_some() {
            b
        } else {
            u128::from(v.used.0.div_ceil(bs))
                .max(touched.min(blocks as f64) as u128)
                .min(b)
        };
        // Dirty set, one remaining set and one delta list per pending
        // snapshot.
        exact_state += b / 8 * (2 + limit) + delta_max * 4 * limit;
        if cfg.verify {
            // Current versions, last image, expected image per pending one.
            exact_state += b * 8 * (2 + limit);
        }
        let slots = u128::from(statistical_size.slots_for(blocks));
        let streams = v.writes.len().max(1) as u128;
        // As exact, plus cumulative weights per pending delta and, per
        // stream, one heap entry and one probability per slot.
        sampled_state += slots / 8 * (2 + limit) + slots * 12 * limit + slots * 24 * streams;
        let retained = u128::from(retained_at_most(v, cfg.duration));
        if retained > 0 {
            let interval = match &v.schedule.times {
                config::Times::Every { interval, .. } => interval.as_secs_f64(),
                _ => secs,
            };
            let writes: f64 = v
                .writes
                .iter()
                .map(|w| w.arrival.rate().per_sec)
                .sum::<f64>()
                * interval;
            let changed = (writes.min(blocks as f64) as u128).max(1);
            exact_lists += retained * changed.min(b) * 4;
            sampled_lists += retained * slots * 4;
            if v.existing_snapshot {
                // The existing snapshot's delta list: every used block
                // (slot), held until retention deletes it.
                exact_lists += u128::from(v.used.0.div_ceil(bs)).min(b) * 4;
                sampled_lists += slots * 4;
            }
        }
        let slots_planned = match &v.schedule.times {
            config::Times::Never => 0,
            config::Times::Every { interval, first_at } => {
                u128::from(cfg.duration.0.saturating_sub(first_at.0) / interval.0.max(1) + 1)
            }
            config::Times::At(list) => list.len() as u128,
        };
        let attempts = match v.schedule.on_limit {
            config::LimitPolicy::Retry { max, .. } => 1 + u128::from(max),
            _ => 1,
        };
        requests += slots_planned * attempts;
    }
    let steps = u128::from(cfg.duration.0.div_ceil(cfg.timeseries_step.0.max(1)));
    let rows = steps * cfg.volumes.len() as u128;
    let row_bytes = std::mem::size_of::<metrics::TimeseriesRow>() as u128 + 16;
    let obstacle = statistical_obstacle(cfg);
    let method = match cfg.change_tracking {
        tracking::Choice::Exact => tracking::Method::Exact,
        tracking::Choice::Statistical(size) => {
            if let Some(why) = obstacle {
                return Err(ModelError::NotStatistical(why));
            }
            tracking::Method::Sampled(size)
        }
        tracking::Choice::Auto => {
            if exact_state > u128::from(tracking::AUTO_BUDGET_BYTES) && obstacle.is_none() {
                tracking::Method::Sampled(statistical_size)
            } else {
                tracking::Method::Exact
            }
        }
    };
    let (state, lists) = match method {
        tracking::Method::Exact => (exact_state, exact_lists),
        tracking::Method::Sampled(_) => (sampled_state, sampled_lists),
    };
    let clamp = |x: u128| u64::try_from(x).unwrap_or(u64::MAX);
    let pooled = cfg.volumes.iter().any(|v| v.pool.is_some());
    let clock_bytes = if pooled {
        2 * transfers::clock::BREAKPOINT_BYTES
    } else {
        0
    };
    let memory = MemoryEstimate {
        block_state: clamp(state),
        retained_lists: clamp(lists),
        records: clamp(requests * u128::from(RECORD_BYTES + clock_bytes)),
        timeseries: clamp(rows * row_bytes),
        io_queues: if cfg.fidelity == config::Fidelity::Io {
            let n = cfg.volumes.len();
            (io::queue_bound(n) as u64 * n as u64).saturating_mul(io::QUEUED_IO_BYTES)
        } else {
            0
        },
    };
    let budget = if cfg.allow_large {
        LARGE_MEMORY_BUDGET_BYTES
    } else {
        MEMORY_BUDGET_BYTES
    };
    let work = work::estimate(cfg, method, requests, rows);
    if !cfg.allow_large && work.total() > work::MAX_WORK {
        return Err(too_much_work(cfg, method, obstacle.is_none(), &work));
    }
    if memory.total() > budget {
        let mib = |x: u64| x >> 20;
        let parts = [
            memory.block_state.saturating_add(memory.retained_lists),
            memory.records,
            memory.timeseries,
            memory.io_queues,
        ];
        let largest = (0..parts.len()).max_by_key(|&i| parts[i]).unwrap_or(0);
        let fix = match (largest, method) {
            (1, _) => "; lengthen `every`, lower the retry `max`, shorten `duration` or use fewer volumes",
            (2, _) => "; lengthen `timeseries_step` or use fewer volumes",
            (3, _) => "; use fewer volumes at IO fidelity",
            (_, tracking::Method::Exact) if obstacle.is_none() => {
                "; set \"change_tracking\": \"statistical\" (or \"auto\"), use fewer or smaller volumes, or a larger block_size"
            }
            (_, tracking::Method::Exact) => "; use fewer or smaller volumes, a larger block_size, or run without --verify",
            (_, tracking::Method::Sampled(_)) => "; use fewer volumes, fewer samples, a longer timeseries_step, or a coarser schedule",
        };
        return Err(ModelError::TooLarge {
            what: format!(
                "{} volume(s), {} tracking: block state {} MiB, retained delta lists {} MiB, {} snapshot requests {} MiB, {} time-series rows {} MiB, IO queues {} MiB{}",
                cfg.volumes.len(),
                match method {
                    tracking::Method::Exact => "exact",
                    tracking::Method::Sampled(_) => "statistical",
                },
                mib(memory.block_state),
                mib(memory.retained_lists),
                requests,
                mib(memory.records),
                rows,
                mib(memory.timeseries),
                mib(memory.io_queues),
                if cfg.allow_large {
                    fix.to_string()
                } else {
                    format!("{fix}; or pass --allow-large (or set \"allow_large\": true) for a budget of 64 GiB, on a machine that has it")
                }
            ),
            needed_mib: mib(memory.total()),
            budget_mib: budget >> 20,
        });
    }
    Ok(Plan {
        method,
        memory,
        work,
    })
}

/// The refusal of a run beyond [`work::MAX_WORK`], with the fix that
/// shrinks its largest part.
fn too_much_work(
    cfg: &SimConfig,
    method: tracking::Method,
    can_sample: bool,
    work: &work::WorkEstimate,
) -> ModelError {
    let (largest, _) = work.dominant();
    let fix = match largest {
        "writes drawn" if method == tracking::Method::Exact && can_sample => {
            "set \"change_tracking\": \"statistical\" (writes are then drawn only for sampled blocks), lower the write rates or shorten `duration`"
        }
        "writes drawn" => "lower the write rates, use fewer samples or shorten `duration`",
        "IOs queued" => "shorten `duration`, lower the rates, or run at flow fidelity (latency is then not measured)",
        "trace lines read" => "shorten `duration`, raise `time_scale` or drop \"loop\"",
        "snapshot requests" => "lengthen `every`, lower the retry `max` or shorten `duration`",
        "on/off phase changes" => "lengthen the on and off periods",
        _ => "lengthen `timeseries_step` or shorten `duration`",
    };
    let parts = [
        ("writes", work.writes),
        ("IOs", work.ios),
        ("trace lines", work.trace_lines),
        ("requests", work.requests),
        ("phase changes", work.phases),
        ("time-series rows", work.rows),
    ];
    let what = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{} {k}", sci(*n)))
        .collect::<Vec<_>>()
        .join(", ");
    ModelError::TooMuchWork {
        what: format!(
            "{} volume(s) over {}: {what}",
            cfg.volumes.len(),
            span(cfg.duration.as_secs_f64())
        ),
        total: sci(work.total()),
        limit: sci(work::MAX_WORK),
        fix: fix.to_string(),
    }
}

/// A horizon in the largest whole unit that fits (for messages).
fn span(secs: f64) -> String {
    if secs >= 2.0 * 86_400.0 {
        format!("{:.0} days", secs / 86_400.0)
    } else if secs >= 3_600.0 {
        format!("{:.0} h", secs / 3_600.0)
    } else {
        format!("{secs:.0} s")
    }
}

/// A count in scientific notation with two significant digits.
fn sci(n: u128) -> String {
    if n < 100_000 {
        n.to_string()
    } else {
        format!("{:.1e}", n as f64)
    }
}

/// Refuses a run beyond the memory budget (see [`plan`]).
///
/// # Errors
/// [`ModelError`] naming the need and the fix.
pub fn check_resources(cfg: &SimConfig) -> Result<(), ModelError> {
    plan(cfg).map(|_| ())
}

/// Runs one simulation to the scenario's horizon.
///
/// # Errors
/// [`ModelError`] if the run is refused by [`check_resources`].
pub fn simulate(cfg: SimConfig, meta: RunMeta) -> Result<RunResult, ModelError> {
    let plan = plan(&cfg)?;
    let mut sched = Scheduler::new();
    let end = SimTime::ZERO + cfg.duration;
    let mut sim = Simulation::new(cfg, plan.method, &mut sched)?;
    run_until(&mut sched, &mut sim, end);
    sim.finish(end);
    if let Some(e) = sim.feed_error() {
        return Err(ModelError::Trace(e));
    }
    Ok(outcome::collect(&sim, sched.events_processed(), meta))
}
