//! The `replications` key of a sweep: a fixed count, or sequential
//! replication until a metric's 95 % confidence interval is narrow enough.

use super::error::Invalid;
use crate::metrics::run_metrics::is_metric;
use serde_json::Value;

/// How many runs each point gets.
#[derive(Clone, Debug, PartialEq)]
pub enum Replications {
    /// Exactly this many (at least 1).
    Fixed(u32),
    /// Replicate until the 95 % confidence half-width of `metric` is at most
    /// `half_width` (times |mean| when `relative`), with at least `min` and
    /// at most `max` runs, in rounds of `min` runs.
    Sequential {
        /// A run metric name (see `metrics::run_metrics`).
        metric: String,
        /// Target half-width (absolute, in the metric's unit, or relative).
        half_width: f64,
        /// Whether `half_width` is relative to the mean.
        relative: bool,
        /// Runs in the first round, and in each later round.
        min: u32,
        /// Cap of runs per point.
        max: u32,
    },
}

impl Replications {
    /// The largest number of runs a point can get.
    pub fn max_runs(&self) -> u32 {
        match self {
            Replications::Fixed(n) => *n,
            Replications::Sequential { max, .. } => *max,
        }
    }
}

pub(crate) fn replications(spec: Option<&Value>) -> Result<Replications, Invalid> {
    let at = "sweep.replications";
    let count = |v: Option<&Value>, key: &str, low: u64| -> Result<Option<u32>, Invalid> {
        let here = if key.is_empty() {
            at.to_string()
        } else {
            format!("{at}.{key}")
        };
        match v {
            None => Ok(None),
            Some(x) => match x.as_u64().filter(|n| (low..=100_000).contains(n)) {
                Some(n) => Ok(Some(n as u32)),
                None => Err(Invalid::at(
                    here,
                    format!("expected a whole number from {low} to 100000, found {x}"),
                )),
            },
        }
    };
    let Some(spec) = spec else {
        return Ok(Replications::Fixed(1));
    };
    if spec.is_number() {
        return Ok(Replications::Fixed(count(Some(spec), "", 1)?.unwrap_or(1)));
    }
    let Some(obj) = spec.as_object() else {
        return Err(Invalid::at(at, format!("expected a count such as 5, or {{\"until\": {{\"metric\", \"half_width\"}}, \"min\", \"max\"}}, found {spec}")));
    };
    if let Some(k) = obj
        .keys()
        .find(|k| !["until", "min", "max"].contains(&k.as_str()))
    {
        return Err(Invalid::at(
            at,
            format!(
                "unknown key \"{k}\"; sequential replications have \"until\", \"min\" and \"max\""
            ),
        ));
    }
    let until = obj.get("until").and_then(Value::as_object).ok_or_else(|| {
        Invalid::at(
            at,
            "needs \"until\": {\"metric\": NAME, \"half_width\": X, \"relative\": false}",
        )
    })?;
    if let Some(k) = until
        .keys()
        .find(|k| !["metric", "half_width", "relative"].contains(&k.as_str()))
    {
        return Err(Invalid::at(
            format!("{at}.until"),
            format!("unknown key \"{k}\"; use \"metric\", \"half_width\" and \"relative\""),
        ));
    }
    let metric = until.get("metric").and_then(Value::as_str).unwrap_or("");
    if !is_metric(metric) {
        return Err(Invalid::at(format!("{at}.until.metric"), format!(
            "\"{metric}\" is not a run metric; use one of the columns of runs.csv, e.g. \"snapshot_duration_mean_seconds\" (README, Sweeps)"
        )));
    }
    let half_width = until
        .get("half_width")
        .and_then(Value::as_f64)
        .filter(|h| *h > 0.0 && h.is_finite())
        .ok_or_else(|| {
            Invalid::at(
                format!("{at}.until.half_width"),
                "expected a number greater than zero, e.g. 0.05",
            )
        })?;
    let relative = match until.get("relative") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(x) => {
            return Err(Invalid::at(
                format!("{at}.until.relative"),
                format!("expected true or false, found {x}"),
            ))
        }
    };
    let min = count(obj.get("min"), "min", 2)?.unwrap_or(3);
    let max = count(obj.get("max"), "max", 2)?
        .ok_or_else(|| Invalid::at(at, "needs \"max\", the cap of runs per point"))?;
    if max < min {
        return Err(Invalid::at(
            format!("{at}.max"),
            format!("max {max} is below min {min}; raise max"),
        ));
    }
    Ok(Replications::Sequential {
        metric: metric.to_string(),
        half_width,
        relative,
        min,
        max,
    })
}
