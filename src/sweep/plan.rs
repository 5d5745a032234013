//! A sweep ready to run: the base scenario's JSON, its validated
//! [`SweepDef`], the base seed and the scenario hash; and how one run
//! (point, replication) is built, seeded and reduced to a [`RunRecord`].
//!
//! Seeds: replication r of *every* point uses the seed
//! `derive_seed(base seed, "replication/r")` (`model::rng`). Points thus
//! share their random numbers replication by replication (common random
//! numbers, DESIGN §1.1), which makes differences between points much less
//! noisy than independent seeds would; and a run depends only on (scenario,
//! point, replication), never on threads, shards or the order of completion.

use super::error::SweepError;
use super::record::{Header, RunRecord, RunStatus, Shard, SWEEP_SCHEMA_VERSION};
use crate::metrics::run_metrics::run_metrics;
use crate::model::rng::{derive_seed, fnv1a};
use crate::model::{simulate, RunMeta};
use crate::scenario::{self, SweepDef};
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// A validated sweep.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Where the scenario came from (file name), for messages.
    pub origin: String,
    /// The scenario file as parsed, `sweep` section included.
    pub source: Value,
    /// The sweep.
    pub def: SweepDef,
    /// The scenario's base seed.
    pub base_seed: u64,
    /// Hash of `source`, 16 hex digits.
    pub hash: String,
    /// Lift the work limit for every run (`--allow-large`; the scenario's
    /// own `allow_large` key applies as well).
    pub allow_large: bool,
}

/// Work limit of a whole sweep without `allow_large` [operations]: a
/// hundred runs at the single-run limit.
pub const MAX_SWEEP_WORK: u128 = 100 * crate::model::work::MAX_WORK;

/// What a whole sweep will cost, from [`Plan::estimate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepEstimate {
    /// Runs at most: points × maximum replications.
    pub runs: u64,
    /// Simulated operations of all runs [operations].
    pub work: u128,
    /// The largest memory estimate of one run [B].
    pub peak_memory: u64,
}

impl Plan {
    /// Loads the scenario file and checks its sweep and every point.
    ///
    /// # Errors
    /// [`SweepError::Scenario`] for invalid input, [`SweepError::NoSweep`].
    pub fn load(path: &Path) -> Result<Plan, SweepError> {
        let sc = scenario::load(path)?;
        Plan::from_source(sc.source, &path.display().to_string())
    }

    /// Builds the plan from scenario JSON (as a merge reads it from a
    /// journal header).
    ///
    /// # Errors
    /// As [`Plan::load`].
    pub fn from_source(source: Value, origin: &str) -> Result<Plan, SweepError> {
        let sc = scenario::from_value(source, origin)?;
        let def =
            scenario::sweep_definition(&sc.source, origin)?.ok_or_else(|| SweepError::NoSweep {
                origin: origin.to_string(),
            })?;
        Ok(Plan {
            hash: source_hash(&sc.source),
            name: sc.name,
            description: sc.description,
            origin: origin.to_string(),
            base_seed: sc.config.seed,
            def,
            source: sc.source,
            allow_large: false,
        })
    }

    /// Plans every point as `run` would (work and memory) and sums the
    /// work over the runs; refuses a point `run` would refuse, and a sweep
    /// beyond [`MAX_SWEEP_WORK`] unless large runs are allowed.
    ///
    /// # Errors
    /// [`SweepError::PointRefused`], [`SweepError::SweepTooLarge`], or the
    /// scenario error of a point.
    pub fn estimate(&self) -> Result<SweepEstimate, SweepError> {
        let reps = u128::from(self.def.replications.max_runs());
        let (mut work, mut peak, mut allow) = (0u128, 0u64, self.allow_large);
        for p in 0..self.def.points() {
            let mut cfg =
                scenario::from_value(self.def.apply(&self.source, p), &self.origin)?.config;
            cfg.allow_large |= self.allow_large;
            allow |= cfg.allow_large;
            let plan = crate::model::plan(&cfg).map_err(|cause| SweepError::PointRefused {
                origin: self.origin.clone(),
                point: p,
                values: self.def.describe(p),
                cause: Box::new(cause),
            })?;
            work = work.saturating_add(plan.work.total().saturating_mul(reps));
            peak = peak.max(plan.memory.total());
        }
        let runs = (self.def.points() as u64).saturating_mul(reps as u64);
        if !allow && work > MAX_SWEEP_WORK {
            return Err(SweepError::SweepTooLarge {
                origin: self.origin.clone(),
                total: format!("{:.1e}", work as f64),
                runs,
                limit: format!("{:.1e}", MAX_SWEEP_WORK as f64),
            });
        }
        Ok(SweepEstimate {
            runs,
            work,
            peak_memory: peak,
        })
    }

    /// Seed of replication `r` (the same at every point).
    pub fn seed(&self, r: u32) -> u64 {
        derive_seed(self.base_seed, &format!("replication/{r}"))
    }

    /// The journal header of this sweep (or of one shard of it).
    pub fn header(&self, shard: Option<Shard>) -> Header {
        Header {
            snapsim_sweep_runs: SWEEP_SCHEMA_VERSION,
            scenario: self.name.clone(),
            scenario_hash: self.hash.clone(),
            shard,
            source: self.source.clone(),
        }
    }

    /// Runs replication `r` of point `p` and reduces it to its record. A
    /// refused run or a panic inside the model becomes a failed record.
    pub fn run(&self, p: usize, r: u32) -> RunRecord {
        let seed = self.seed(r);
        let outcome =
            catch_unwind(AssertUnwindSafe(|| self.simulate(p, seed))).unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_else(|| "unknown".to_string());
                Err(format!("the simulation panicked: {what}"))
            });
        let (status, error, metrics) = match outcome {
            Ok(row) => (RunStatus::Ok, None, row),
            Err(e) => (RunStatus::Failed, Some(e), serde_json::Map::new()),
        };
        RunRecord {
            point: p,
            replication: r,
            seed,
            status,
            error,
            metrics,
            value: None,
        }
    }

    fn simulate(&self, p: usize, seed: u64) -> Result<serde_json::Map<String, Value>, String> {
        let sc = scenario::from_value(self.def.apply(&self.source, p), &self.origin)
            .map_err(|e| e.to_string())?;
        let mut cfg = sc.config;
        cfg.seed = seed;
        cfg.allow_large |= self.allow_large;
        let meta = RunMeta {
            scenario: sc.name,
            description: sc.description,
            source: Value::Null,
            // A sweep keeps only each run's metrics row, never its summary.
            assumptions: Vec::new(),
            measurements: Vec::new(),
        };
        let result = simulate(cfg, meta).map_err(|e| e.to_string())?;
        let clock = crate::metrics::window::clock_at_zero(sc.start);
        Ok(run_metrics(&result, self.def.deadline.as_ref(), clock)
            .into_iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| (k, Value::from(v)))
            .collect())
    }
}

/// Hash of the scenario JSON as parsed (key order kept, whitespace
/// normalised): 16 hex digits. Not cryptographic; it catches mixing runs of
/// different scenarios or sweeps by mistake.
pub fn source_hash(source: &Value) -> String {
    let text = serde_json::to_string(source).unwrap_or_default();
    format!("{:016x}", fnv1a(text.as_bytes()))
}
