//! A finished sweep as the sweep charts and report see it, parsed from the
//! bytes of `sweep.json` (never from the runs), so `snapsim sweep` and
//! `snapsim merge` draw and write the same report.
//!
//! Also knows which metrics the report shows ([`MetricSpec`], [`SHOWN`])
//! and how a swept parameter's values become numbers on an axis
//! ([`ParamKind`]): unit strings are parsed with `scenario::units`
//! (frequency, bandwidth, bytes, duration) into base units, plain numbers
//! stay numbers, and anything else is a category in sweep order.

use super::data::LoadError;
use crate::scenario::units::{parse_bandwidth, parse_bytes, parse_duration, parse_frequency};
use serde_json::Value;
use std::collections::BTreeMap;

/// How a metric's values are scaled and labelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricKind {
    /// Seconds (axis in s/min/h/d).
    Seconds,
    /// A count (no unit).
    Count,
    /// Bytes (axis in B…TiB).
    Bytes,
    /// US dollars.
    Usd,
    /// Microseconds (axis in µs/ms/s).
    Micros,
}

/// A metric the sweep report tabulates and charts.
#[derive(Clone, Copy, Debug)]
pub struct MetricSpec {
    /// Column name in `points.csv` / key in `sweep.json`.
    pub name: &'static str,
    /// File stem of its chart.
    pub stem: &'static str,
    /// Words for titles and headings.
    pub label: &'static str,
    /// At most about 30 characters of it, for the heatmap's title and
    /// colour bar, which have no room for the long form.
    pub short: &'static str,
    /// Its unit.
    pub kind: MetricKind,
}

/// The metrics shown, in report order; one is shown when some point has it.
pub const SHOWN: [MetricSpec; 8] = [
    MetricSpec {
        name: "snapshot_duration_mean_seconds",
        stem: "sweep-duration-mean",
        label: "Snapshot duration, mean (completed snapshots only)",
        short: "Snapshot duration, mean",
        kind: MetricKind::Seconds,
    },
    MetricSpec {
        name: "snapshot_duration_p95_seconds",
        stem: "sweep-duration-p95",
        label: "Snapshot duration, p95 (completed snapshots only)",
        short: "Snapshot duration, p95",
        kind: MetricKind::Seconds,
    },
    MetricSpec {
        name: "time_pending_p95_seconds",
        stem: "sweep-time-pending-p95",
        label: "Time pending, p95 (Kaplan–Meier; a lower bound in runs with time_pending_p95_is_lower_bound = 1)",
        short: "Time pending, p95",
        kind: MetricKind::Seconds,
    },
    MetricSpec {
        name: "rejections",
        stem: "sweep-rejections",
        label: "CreateSnapshot calls rejected",
        short: "Rejected requests",
        kind: MetricKind::Count,
    },
    MetricSpec {
        name: "stored_bytes_final",
        stem: "sweep-stored-bytes",
        label: "Snapshot storage at the end",
        short: "Storage at the end",
        kind: MetricKind::Bytes,
    },
    MetricSpec {
        name: "storage_cost_usd",
        stem: "sweep-storage-cost",
        label: "Storage cost over the run",
        short: "Storage cost",
        kind: MetricKind::Usd,
    },
    MetricSpec {
        name: "latency_write_p99_us_pending_1",
        stem: "sweep-write-p99",
        label: "Write latency p99, 1 snapshot pending",
        short: "Write p99, 1 pending",
        kind: MetricKind::Micros,
    },
    MetricSpec {
        name: "latency_read_p99_us_pending_1",
        stem: "sweep-read-p99",
        label: "Read latency p99, 1 snapshot pending",
        short: "Read p99, 1 pending",
        kind: MetricKind::Micros,
    },
];

/// How a parameter's values sit on an axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// Events per second (`"800/s"`).
    Frequency,
    /// Bytes per second (`"48MiB/s"`).
    Bandwidth,
    /// Bytes (`"1TiB"`).
    Bytes,
    /// Seconds (`"1h"`).
    Duration,
    /// Plain JSON numbers.
    Number,
    /// Anything else: positions 0, 1, … in sweep order.
    Category,
}

/// One swept parameter.
#[derive(Clone, Debug)]
pub struct SweptParam {
    /// JSON path in the scenario.
    pub path: String,
    /// `grid` or `zip`.
    pub axis: String,
    /// Values as in the sweep.
    pub values: Vec<Value>,
    /// How they map to numbers.
    pub kind: ParamKind,
    /// Each value on the axis, in base units (1/s, B/s, B, s) or position.
    pub xs: Vec<f64>,
}

impl SweptParam {
    /// A value as written in the sweep (strings without quotes).
    pub fn label(&self, i: usize) -> String {
        value_text(&self.values[i])
    }

    /// Axis position of `v` (one of this parameter's values).
    pub fn x_of(&self, v: &Value) -> Option<f64> {
        self.values.iter().position(|w| w == v).map(|i| self.xs[i])
    }

    /// The last two segments of the path (`writes.rate`), for legends.
    pub fn short(&self) -> String {
        let parts: Vec<&str> = self.path.split('.').collect();
        parts[parts.len().saturating_sub(2)..].join(".")
    }
}

/// Statistics of one metric at one point, as in `sweep.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    /// Runs with the metric.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// 95 % half-width (below 2 values: none).
    pub half_width: Option<f64>,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
}

/// One point of the sweep.
#[derive(Clone, Debug)]
pub struct PointData {
    /// Point index.
    pub point: u64,
    /// Value of each parameter, in parameter order.
    pub values: Vec<Value>,
    /// Runs made.
    pub runs: u64,
    /// Runs failed.
    pub failed: u64,
    /// Statistics by metric name.
    pub metrics: BTreeMap<String, Stat>,
}

/// What the sweep charts and report read from `sweep.json`.
#[derive(Clone, Debug)]
pub struct SweepData {
    /// The whole document, for fields printed as they are.
    pub doc: Value,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Swept parameters, in sweep order.
    pub params: Vec<SweptParam>,
    /// Points with runs.
    pub points: Vec<PointData>,
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn corrupt(message: impl Into<String>) -> LoadError {
    LoadError::Corrupt {
        file: "sweep.json".into(),
        message: message.into(),
    }
}

/// Reads the values of a parameter as numbers of one kind.
fn classify(values: &[Value]) -> (ParamKind, Vec<f64>) {
    type Parser = fn(&str) -> Option<f64>;
    let parsers: [(ParamKind, Parser); 4] = [
        (ParamKind::Bytes, |t| {
            parse_bytes(t).ok().map(|b| b.0 as f64)
        }),
        (ParamKind::Bandwidth, |t| {
            parse_bandwidth(t).ok().map(|b| b.bytes_per_sec)
        }),
        (ParamKind::Frequency, |t| {
            parse_frequency(t).ok().map(|f| f.per_sec)
        }),
        (ParamKind::Duration, |t| {
            parse_duration(t).ok().map(|d| d.0 as f64 / 1e9)
        }),
    ];
    if let Some(xs) = values.iter().map(Value::as_f64).collect::<Option<Vec<_>>>() {
        return (ParamKind::Number, xs);
    }
    for (kind, parse) in parsers {
        let xs: Option<Vec<f64>> = values.iter().map(|v| v.as_str().and_then(parse)).collect();
        if let Some(xs) = xs {
            return (kind, xs);
        }
    }
    (
        ParamKind::Category,
        (0..values.len()).map(|i| i as f64).collect(),
    )
}

fn stat(v: &Value) -> Option<Stat> {
    let f = |k: &str| v.get(k).and_then(Value::as_f64);
    Some(Stat {
        n: v.get("n")?.as_u64()?,
        mean: f("mean")?,
        min: f("min")?,
        max: f("max")?,
        half_width: f("ci95_half_width"),
        low: f("ci95_low"),
        high: f("ci95_high"),
    })
}

impl SweepData {
    /// Parses the bytes of `sweep.json`.
    ///
    /// # Errors
    /// [`LoadError::Corrupt`] if it is not what `snapsim sweep` writes.
    pub fn parse(bytes: &[u8]) -> Result<SweepData, LoadError> {
        let doc: Value = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
        let scenario = text("scenario").ok_or_else(|| corrupt("no \"scenario\""))?;
        let mut params = Vec::new();
        for (i, p) in doc
            .get("parameters")
            .and_then(Value::as_array)
            .ok_or_else(|| corrupt("no \"parameters\" list"))?
            .iter()
            .enumerate()
        {
            let path = p.get("path").and_then(Value::as_str);
            let values = p.get("values").and_then(Value::as_array);
            let (Some(path), Some(values)) = (path, values) else {
                return Err(corrupt(format!("parameters[{i}] lacks path or values")));
            };
            let (kind, xs) = classify(values);
            params.push(SweptParam {
                path: path.to_string(),
                axis: p.get("axis").map(value_text).unwrap_or_default(),
                values: values.clone(),
                kind,
                xs,
            });
        }
        let mut points = Vec::new();
        for (i, p) in doc
            .get("points")
            .and_then(Value::as_array)
            .ok_or_else(|| corrupt("no \"points\" list"))?
            .iter()
            .enumerate()
        {
            let bad = || corrupt(format!("points[{i}] is malformed"));
            let values = params
                .iter()
                .map(|q| p.get("values").and_then(|v| v.get(&q.path)).cloned())
                .collect::<Option<Vec<_>>>()
                .ok_or_else(bad)?;
            let mut metrics = BTreeMap::new();
            if let Some(m) = p.get("metrics").and_then(Value::as_object) {
                for (name, s) in m {
                    metrics.insert(name.clone(), stat(s).ok_or_else(bad)?);
                }
            }
            points.push(PointData {
                point: p.get("point").and_then(Value::as_u64).ok_or_else(bad)?,
                values,
                runs: p.get("runs").and_then(Value::as_u64).unwrap_or(0),
                failed: p.get("failed").and_then(Value::as_u64).unwrap_or(0),
                metrics,
            });
        }
        Ok(SweepData {
            scenario,
            description: text("description").unwrap_or_default(),
            params,
            points,
            doc,
        })
    }

    /// The shown metrics some point has.
    pub fn shown_metrics(&self) -> Vec<MetricSpec> {
        SHOWN
            .into_iter()
            .filter(|m| self.points.iter().any(|p| p.metrics.contains_key(m.name)))
            .collect()
    }

    /// Parameters to chart against: each grid parameter and the first of
    /// the zip group (the others move with it), with at least two values.
    pub fn x_params(&self) -> Vec<usize> {
        let mut seen_zip = false;
        (0..self.params.len())
            .filter(|&i| {
                let p = &self.params[i];
                let first_zip = p.axis == "zip" && !std::mem::replace(&mut seen_zip, true);
                p.values.len() >= 2 && (p.axis != "zip" || first_zip)
            })
            .collect()
    }

    /// Indices of the parameters that do not move with `x` (other axes).
    pub fn others(&self, x: usize) -> Vec<usize> {
        let zip = self.params[x].axis == "zip";
        (0..self.params.len())
            .filter(|&i| i != x && !(zip && self.params[i].axis == "zip"))
            .filter(|&i| self.params[i].values.len() >= 2)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unit_values_become_base_units() {
        let (k, xs) = classify(&[json!("200/s"), json!("1/min")]);
        assert_eq!(k, ParamKind::Frequency);
        assert_eq!(xs[0], 200.0);
        let (k, xs) = classify(&[json!("24MiB/s")]);
        assert_eq!((k, xs[0]), (ParamKind::Bandwidth, 24.0 * 1048576.0));
        let (k, xs) = classify(&[json!("1TiB"), json!("2GiB")]);
        assert_eq!((k, xs[1]), (ParamKind::Bytes, 2.0 * 1073741824.0));
        assert_eq!(classify(&[json!("1h")]).1[0], 3600.0);
        assert_eq!(classify(&[json!(3000)]).0, ParamKind::Number);
        assert_eq!(
            classify(&[json!("fair"), json!("1h")]).0,
            ParamKind::Category
        );
    }
}
