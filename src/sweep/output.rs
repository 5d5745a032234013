//! The final files of a sweep, computed from its journal alone:
//! `runs.jsonl` (header, then records sorted by point and replication),
//! `runs.csv`, `points.csv` and `sweep.json`. A finished sweep, a resumed
//! one and a merge of shards all end here with the same records, so they
//! write the same bytes. No wall-clock data appears in any of them.
//!
//! [`write_final`] writes them, then (for a whole sweep, not a shard) the
//! sweep report and its charts, built from the bytes just written.

use super::error::SweepError;
use super::plan::Plan;
use super::record::{line, Header, RunRecord, RunStatus, SWEEP_SCHEMA_VERSION};
use super::stats::{describe, MetricStats};
use crate::metrics::run_metrics::FIXED_METRICS;
use crate::report::{sweep_report_files, write_files};
use crate::scenario::Replications;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Names of the files [`final_files`] produces, in order.
pub const FILE_NAMES: [&str; 4] = ["runs.jsonl", "runs.csv", "points.csv", "sweep.json"];

/// Writes the final files for `records` into `out`, then, unless `header`
/// is a shard's, the sweep report and charts built from those files' bytes
/// (so a merge writes the same report as an unsharded sweep).
///
/// # Errors
/// IO errors; [`SweepError::Report`] if the report cannot be built.
pub fn write_final(
    out: &std::path::Path,
    plan: &Plan,
    header: &Header,
    records: &[RunRecord],
) -> Result<(), SweepError> {
    let files = final_files(plan, header, records);
    write_files(out, &files)?;
    if header.shard.is_none() {
        write_files(out, &sweep_report_files(&files)?)?;
    }
    Ok(())
}

/// The final files for `records` (sorted by key, one per run).
pub fn final_files(plan: &Plan, header: &Header, records: &[RunRecord]) -> Vec<(String, Vec<u8>)> {
    let metrics = metric_columns(records);
    let points = point_stats(plan, records, &metrics);
    let mut jsonl = line(header);
    for r in records {
        jsonl.extend(line(r));
    }
    vec![
        ("runs.jsonl".to_string(), jsonl),
        ("runs.csv".to_string(), runs_csv(plan, records, &metrics)),
        (
            "points.csv".to_string(),
            points_csv(plan, &points, &metrics),
        ),
        (
            "sweep.json".to_string(),
            sweep_json(plan, header, records, &points, &metrics),
        ),
    ]
}

/// Every fixed metric, then any other metric some run has, sorted.
fn metric_columns(records: &[RunRecord]) -> Vec<String> {
    let mut cols: Vec<String> = FIXED_METRICS
        .iter()
        .map(|(n, _)| (*n).to_string())
        .collect();
    let extra: BTreeSet<&String> = records
        .iter()
        .flat_map(|r| r.metrics.keys())
        .filter(|k| !FIXED_METRICS.iter().any(|(n, _)| n == k))
        .collect();
    cols.extend(extra.into_iter().cloned());
    cols
}

/// One point's runs and statistics.
struct PointSummary {
    point: usize,
    runs: usize,
    failed: usize,
    stats: Vec<Option<MetricStats>>,
}

fn point_stats(plan: &Plan, records: &[RunRecord], metrics: &[String]) -> Vec<PointSummary> {
    let mut out = Vec::new();
    for p in 0..plan.def.points() {
        // Records are sorted by point, so a point's runs are contiguous.
        let lo = records.partition_point(|r| r.point < p);
        let hi = records.partition_point(|r| r.point <= p);
        let runs = &records[lo..hi];
        if runs.is_empty() {
            continue;
        }
        let stats = metrics
            .iter()
            .map(|m| describe(&runs.iter().filter_map(|r| r.metric(m)).collect::<Vec<_>>()))
            .collect();
        out.push(PointSummary {
            point: p,
            runs: runs.len(),
            failed: runs
                .iter()
                .filter(|r| r.status == RunStatus::Failed)
                .count(),
            stats,
        });
    }
    out
}

/// A CSV cell: quoted when it holds a comma, quote or line break.
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A parameter value as a cell: strings bare, anything else as JSON.
fn value_cell(v: &Value) -> String {
    match v {
        Value::String(s) => cell(s),
        other => cell(&other.to_string()),
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn header_row(plan: &Plan, first: &[&str], rest: impl Iterator<Item = String>) -> String {
    let mut cols: Vec<String> = first.iter().map(|s| (*s).to_string()).collect();
    cols.extend(
        plan.def
            .parameters
            .iter()
            .map(|q| cell(&q.path.to_string())),
    );
    cols.extend(rest);
    cols.join(",") + "\n"
}

fn runs_csv(plan: &Plan, records: &[RunRecord], metrics: &[String]) -> Vec<u8> {
    let mut out = header_row(
        plan,
        &["point", "replication", "seed"],
        ["status".to_string(), "error".to_string()]
            .into_iter()
            .chain(metrics.iter().cloned()),
    );
    for r in records {
        let mut row = vec![
            r.point.to_string(),
            r.replication.to_string(),
            r.seed.to_string(),
        ];
        row.extend(plan.def.values(r.point).into_iter().map(value_cell));
        row.push(
            if r.status == RunStatus::Ok {
                "ok"
            } else {
                "failed"
            }
            .to_string(),
        );
        row.push(cell(r.error.as_deref().unwrap_or("")));
        row.extend(metrics.iter().map(|m| num(r.metric(m))));
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

const STAT_SUFFIXES: [&str; 8] = [
    "n",
    "mean",
    "sd",
    "min",
    "max",
    "ci95_half_width",
    "ci95_low",
    "ci95_high",
];

fn points_csv(plan: &Plan, points: &[PointSummary], metrics: &[String]) -> Vec<u8> {
    let stat_cols = metrics
        .iter()
        .flat_map(|m| STAT_SUFFIXES.iter().map(move |s| format!("{m}_{s}")));
    let mut out = header_row(
        plan,
        &["point"],
        ["runs".to_string(), "failed".to_string()]
            .into_iter()
            .chain(stat_cols),
    );
    for ps in points {
        let mut row = vec![ps.point.to_string()];
        row.extend(plan.def.values(ps.point).into_iter().map(value_cell));
        row.push(ps.runs.to_string());
        row.push(ps.failed.to_string());
        for s in &ps.stats {
            match s {
                None => row.extend(
                    ["0".to_string()]
                        .into_iter()
                        .chain((1..STAT_SUFFIXES.len()).map(|_| String::new())),
                ),
                Some(s) => row.extend([
                    s.n.to_string(),
                    num(Some(s.mean)),
                    num(s.std_dev),
                    num(Some(s.min)),
                    num(Some(s.max)),
                    num(s.ci95_half_width),
                    num(s.ci95_low),
                    num(s.ci95_high),
                ]),
            }
        }
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn sweep_json(
    plan: &Plan,
    header: &Header,
    records: &[RunRecord],
    points: &[PointSummary],
    metrics: &[String],
) -> Vec<u8> {
    let replications = match &plan.def.replications {
        Replications::Fixed(n) => json!({ "fixed": n }),
        Replications::Sequential {
            metric,
            half_width,
            relative,
            min,
            max,
        } => json!({
            "until": { "metric": metric, "half_width": half_width, "relative": relative },
            "min": min, "max": max, "round": min,
        }),
    };
    let parameters: Vec<Value> = plan
        .def
        .parameters
        .iter()
        .map(|q| json!({ "path": q.path.to_string(), "axis": q.axis.as_str(), "values": q.values }))
        .collect();
    let point_list: Vec<Value> = points
        .iter()
        .map(|ps| {
            let values: serde_json::Map<String, Value> = plan
                .def
                .parameters
                .iter()
                .zip(plan.def.values(ps.point))
                .map(|(q, v)| (q.path.to_string(), v.clone()))
                .collect();
            let stats: serde_json::Map<String, Value> = metrics
                .iter()
                .zip(&ps.stats)
                .filter_map(|(m, s)| s.as_ref().map(|s| (m.clone(), json!(s))))
                .collect();
            json!({ "point": ps.point, "values": values, "runs": ps.runs, "failed": ps.failed, "metrics": stats })
        })
        .collect();
    let doc = json!({
        "schema_version": SWEEP_SCHEMA_VERSION,
        "snapsim_version": env!("CARGO_PKG_VERSION"),
        "scenario": plan.name,
        "description": plan.description,
        "scenario_hash": plan.hash,
        "base_seed": plan.base_seed,
        "seed_rule": "replication r of every point uses seed derive_seed(base_seed, \"replication/r\") (common random numbers)",
        "shard": header.shard,
        "parameters": parameters,
        "points_total": plan.def.points(),
        "replications": replications,
        "runs": records.len(),
        "failed_runs": records.iter().filter(|r| r.status == RunStatus::Failed).count(),
        "metrics": metrics,
        "points": point_list,
    });
    let mut text = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    text.push(b'\n');
    text
}
