//! `snapsim sensitivity`: how much each unknown of the assumptions ledger
//! moves the headline answers. One factor at a time (OAT): every factor is
//! set to the low and then the high end of its plausible range while the
//! others keep the scenario's values, with replications; the swing of each
//! metric between the two ends ranks the factors (a tornado).
//!
//! The design is a sweep: a `zip` over the factors' paths whose point 0 is
//! the scenario itself, point 2i + 1 factor i at its low end and 2i + 2 at
//! its high end. It runs on the sweep machinery, so it is parallel,
//! deterministic at any thread count, resumable and shardable like any
//! sweep, and its replications share random numbers across points (common
//! random numbers), which keeps the differences between points much less
//! noisy than independent runs would.
//!
//! Defaults the scenario leaves out are written into the base first (the
//! default `per_snapshot` rate, "no per-volume cap" as a cap of 1 PiB/s,
//! which no upload can reach), so that every factor has a value to move.

pub mod effects;
pub mod io_factors;
pub mod morris;

use crate::scenario::json_path::JsonPath;
use crate::scenario::{self, Scenario, ScenarioError};
use crate::sweep::{Plan, SweepError};
use serde_json::{json, Value};

/// Replications per point unless `--replications` says otherwise.
pub const DEFAULT_REPLICATIONS: u32 = 3;

/// The metrics a tornado is drawn for unless `--metric` says otherwise.
pub const DEFAULT_METRICS: [&str; 4] = [
    "time_pending_p95_seconds",
    "fraction_completed",
    "stored_bytes_final",
    "storage_cost_usd",
];

/// Added to the default metrics at IO fidelity: the application impact
/// (mean latency of all IO with one snapshot pending over none) and the
/// write p99 ratio.
pub const IO_METRICS: [&str; 2] = [
    "latency_all_mean_ratio_pending_1",
    "latency_write_p99_ratio_pending_1",
];

/// The published spread of one snapshot's upload rate: full gp3 snapshots
/// of 100 GiB in 50 min (34.1 MiB/s) to 500 GiB in 150 min (56.9 MiB/s),
/// EBS_FACTS §3.2.
pub const PER_SNAPSHOT_RANGE: [&str; 2] = ["34.1MiB/s", "56.9MiB/s"];

/// "No cap" written as a cap no upload reaches (the largest bandwidth a
/// scenario may give).
pub const NO_CAP: &str = "1PiB/s";

/// One unknown and its plausible range.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// Scenario path, as the assumptions ledger names it.
    pub path: String,
    /// The scenario's value (after defaults are written in).
    pub base: Value,
    /// Low end of the range.
    pub low: Value,
    /// High end of the range.
    pub high: Value,
    /// Where the range comes from.
    pub why: String,
}

/// Why a sensitivity study cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SensitivityError {
    /// The scenario, or a factor's value in it, is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The `sensitivity` section is malformed.
    #[error("{origin}: {path}: {message}")]
    Section {
        /// The file.
        origin: String,
        /// JSON path in the file.
        path: String,
        /// What is wrong and the fix.
        message: String,
    },
    /// The generated sweep was refused (too large, …) or failed.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A `--metric` name is unknown.
    #[error("unknown metric \"{0}\"; use one of the sweep metrics, e.g. time_pending_p95_seconds, fraction_completed, stored_bytes_final, storage_cost_usd (README, Sweeps)")]
    UnknownMetric(String),
}

impl SensitivityError {
    /// Whether the error is the user's input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            SensitivityError::Sweep(e) => e.is_bad_input(),
            _ => true,
        }
    }
}

/// A sensitivity study ready to run.
#[derive(Clone, Debug)]
pub struct Design {
    /// The factors, in ledger order, then any the scenario adds.
    pub factors: Vec<Factor>,
    /// The metrics to rank factors by.
    pub metrics: Vec<String>,
    /// The Morris trajectories, after the one-at-a-time points (empty
    /// without `--morris`).
    pub trajectories: Vec<morris::Trajectory>,
    /// The sweep that runs it.
    pub plan: Plan,
}

/// The value at `path` in `doc`.
fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    JsonPath::parse(path).ok().and_then(|p| p.get(doc))
}

/// Sets `path` in `doc`, creating the last key's object if needed (only for
/// the `transfer` defaults written into the base).
fn put(doc: &mut Value, parent: &str, key: &str, value: Value) {
    if let Some(o) = doc.as_object_mut() {
        let t = o.entry(parent.to_string()).or_insert_with(|| json!({}));
        if let Some(t) = t.as_object_mut() {
            t.insert(key.to_string(), value);
        }
    }
}

/// A bandwidth `b` × `f` in MiB/s, as scenario text.
fn scaled(b: f64, f: f64) -> Value {
    Value::String(format!(
        "{}MiB/s",
        (b * f / f64::from(1u32 << 20) * 1e3).round() / 1e3
    ))
}

/// The ledger's unknowns with their default ranges, and the base with the
/// defaults written in.
fn default_factors(sc: &Scenario) -> (Value, Vec<Factor>) {
    let mut base = sc.source.clone();
    if let Some(o) = base.as_object_mut() {
        o.shift_remove("sweep");
        o.shift_remove("sensitivity");
    }
    let t = &sc.config.transfer;
    let mut factors = Vec::new();
    let per_snapshot = at(&base, "transfer.per_snapshot")
        .cloned()
        .unwrap_or_else(|| scaled(t.per_snapshot.bytes_per_sec, 1.0));
    put(&mut base, "transfer", "per_snapshot", per_snapshot.clone());
    factors.push(Factor {
        path: "transfer.per_snapshot".into(),
        base: per_snapshot.clone(),
        low: json!(PER_SNAPSHOT_RANGE[0]),
        high: json!(PER_SNAPSHOT_RANGE[1]),
        why: "the published spread of full gp3 snapshots: 100 GiB in 50 min to 500 GiB in 150 min (PingCAP docs, backup-restore-snapshot-perf)".into(),
    });
    match at(&base, "transfer.per_volume").cloned() {
        Some(v) => {
            let b = t.per_volume.map_or(0.0, |b| b.bytes_per_sec);
            factors.push(Factor {
                path: "transfer.per_volume".into(),
                base: v,
                low: scaled(b, 0.5),
                high: scaled(b, 2.0),
                why: "no per-volume figure is published by AWS: half to twice the scenario's cap"
                    .into(),
            });
        }
        None => {
            put(&mut base, "transfer", "per_volume", json!(NO_CAP));
            let most = sc
                .config
                .volumes
                .iter()
                .map(|v| v.pending_limit)
                .max()
                .unwrap_or(1)
                .max(1);
            factors.push(Factor {
                path: "transfer.per_volume".into(),
                base: json!(NO_CAP),
                low: scaled(t.per_snapshot.bytes_per_sec, 1.0),
                high: scaled(t.per_snapshot.bytes_per_sec, f64::from(most)),
                why: format!("no per-volume figure is published by AWS: from one snapshot's rate for all of a volume's pending snapshots together to {most} times it, what the scenario's default (no cap) gives {most} pending snapshots"),
            });
        }
    }
    for (j, p) in t.pools.iter().enumerate() {
        let path = format!("transfer.pools[{j}].rate");
        if let Some(v) = at(&base, &path).cloned() {
            factors.push(Factor {
                path,
                base: v,
                low: scaled(p.rate.bytes_per_sec, 0.5),
                high: scaled(p.rate.bytes_per_sec, 1.5),
                why: format!(
                    "no account or region upload figure is published by AWS: pool `{}` at half to 1.5 times its rate",
                    p.name
                ),
            });
        }
    }
    if sc.config.fidelity == crate::model::config::Fidelity::Io {
        io_factors::add(sc, &mut base, &mut factors);
    }
    (base, factors)
}

/// The scenario's `sensitivity` section: `{"PATH": [low, high], …}`
/// narrows a default factor's range or adds a factor.
fn narrowed(
    section: Option<&Value>,
    base: &Value,
    factors: &mut Vec<Factor>,
    origin: &str,
) -> Result<(), SensitivityError> {
    let Some(section) = section else {
        return Ok(());
    };
    let bad = |path: String, message: String| SensitivityError::Section {
        origin: origin.to_string(),
        path,
        message,
    };
    let obj = section.as_object().ok_or_else(|| {
        bad(
            "sensitivity".into(),
            "must be an object of ranges, e.g. {\"transfer.per_snapshot\": [\"40MiB/s\", \"45MiB/s\"]}".into(),
        )
    })?;
    for (path, range) in obj {
        let here = format!("sensitivity[\"{path}\"]");
        let parsed = JsonPath::parse(path).map_err(|m| bad(here.clone(), m))?;
        let Some(current) = parsed.get(base).cloned() else {
            return Err(bad(
                here,
                format!("\"{path}\" is not in the scenario; give it a value there first, or use a path the scenario sets"),
            ));
        };
        let [low, high] = match range.as_array().map(Vec::as_slice) {
            Some([l, h]) => [l.clone(), h.clone()],
            _ => return Err(bad(
                here,
                "a range is a list of two values, low then high, e.g. [\"40MiB/s\", \"45MiB/s\"]"
                    .into(),
            )),
        };
        for (end, v) in [("low", &low), ("high", &high)] {
            let mut doc = base.clone();
            parsed.set(&mut doc, v.clone());
            if let Err(e) = scenario::from_value(doc, origin) {
                return Err(bad(
                    here.clone(),
                    format!("the {end} end {v} is refused: {e}"),
                ));
            }
        }
        let factor = Factor {
            path: path.clone(),
            base: current,
            low,
            high,
            why: "range given by the scenario".into(),
        };
        match factors.iter_mut().find(|f| f.path == *path) {
            Some(f) => *f = factor,
            None => factors.push(factor),
        }
    }
    Ok(())
}

impl Design {
    /// The study of scenario `sc` (loaded from `origin`), with
    /// `replications` per point, ranking by `metrics` (empty: the default
    /// four).
    ///
    /// # Errors
    /// [`SensitivityError`] for a malformed section, an unknown metric, or a
    /// sweep the guards refuse.
    pub fn new(
        sc: &Scenario,
        origin: &str,
        replications: u32,
        metrics: &[String],
        morris_trajectories: u32,
        allow_large: bool,
    ) -> Result<Design, SensitivityError> {
        let (mut base, mut factors) = default_factors(sc);
        if morris_trajectories > 0 {
            // A default factor whose ends cannot be interpolated (names such
            // as the copy-on-write policies) stays one at a time; a factor
            // the user names is checked by `morris::check` instead.
            factors.retain(|f| morris::interpolate(&f.low, &f.high, 0.5).is_some());
        }
        narrowed(sc.source.get("sensitivity"), &base, &mut factors, origin)?;
        let metrics: Vec<String> = if metrics.is_empty() {
            let io = sc.config.fidelity == crate::model::config::Fidelity::Io;
            DEFAULT_METRICS
                .iter()
                .chain(if io { &IO_METRICS[..] } else { &[] })
                .map(|m| (*m).to_string())
                .collect()
        } else {
            metrics.to_vec()
        };
        for m in &metrics {
            if !crate::metrics::run_metrics::is_metric(m) {
                return Err(SensitivityError::UnknownMetric(m.clone()));
            }
        }
        let points = 1 + 2 * factors.len();
        let (screening, trajectories) = if morris_trajectories > 0 {
            morris::check(&factors).map_err(|message| SensitivityError::Section {
                origin: origin.to_string(),
                path: "sensitivity".into(),
                message,
            })?;
            morris::design(&factors, morris_trajectories, sc.config.seed, points)
        } else {
            (vec![Vec::new(); factors.len()], Vec::new())
        };
        let mut zip = serde_json::Map::new();
        for ((i, f), extra) in factors.iter().enumerate().zip(screening) {
            let mut values = vec![f.base.clone(); points];
            values[2 * i + 1] = f.low.clone();
            values[2 * i + 2] = f.high.clone();
            values.extend(extra);
            zip.insert(f.path.clone(), Value::Array(values));
        }
        if let Some(o) = base.as_object_mut() {
            o.insert(
                "sweep".into(),
                json!({ "zip": zip, "replications": replications }),
            );
        }
        let mut plan = Plan::from_source(base, origin)?;
        plan.allow_large = allow_large;
        plan.estimate()?;
        Ok(Design {
            factors,
            metrics,
            trajectories,
            plan,
        })
    }
}
