//! The result files of one run: `summary.json`, `snapshots.json` (shaped like
//! `aws ec2 describe-snapshots` output plus the simulator's own fields),
//! `snapshots.csv` (the same rows) and `storage.csv`.
//!
//! Only simulated quantities go in; wall-clock figures stay out so that the
//! files are byte-identical for the same scenario and seed.

use crate::engine::SimTime;
use crate::metrics::{RunResult, RunSummary, SnapshotRecord, StoragePoint, TimeseriesRow};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

/// What the files need besides the results themselves.
#[derive(Clone, Copy, Debug)]
pub struct ResultContext {
    /// Wall-clock date of simulated time zero, for `StartTime` stamps.
    pub start: SystemTime,
}

/// Names and contents of every result file, ready for
/// [`super::publish`].
pub fn result_files(result: &RunResult, ctx: ResultContext) -> Vec<(String, Vec<u8>)> {
    result_files_with_warnings(result, ctx, &[])
}

/// As [`result_files`], with the scenario's warnings (see
/// `scenario::Warning`) as the `warnings` array of `summary.json`, right
/// after `scenario_source`. The key is left out when there are none, so the
/// files of a scenario without warnings are unchanged.
pub fn result_files_with_warnings(
    result: &RunResult,
    ctx: ResultContext,
    warnings: &[String],
) -> Vec<(String, Vec<u8>)> {
    let summary = &result.summary;
    // Rows go into the CSV one at a time; only a run small enough for the
    // describe-snapshots JSON keeps them all (a fleet's month has hundreds
    // of thousands, half a gigabyte of JSON).
    let keep_json = result.snapshots.len() <= SNAPSHOTS_JSON_MAX;
    let mut rows: Vec<Map<String, Value>> = Vec::new();
    let mut table = csv_header();
    for r in &result.snapshots {
        let m = row(summary, r, ctx);
        csv_row(&m, &mut table);
        if keep_json {
            rows.push(m);
        }
    }
    let mut summary_json = serde_json::to_value(summary).unwrap_or(Value::Null);
    if let (Value::Object(m), false) = (&mut summary_json, warnings.is_empty()) {
        m.insert("warnings".into(), json!(warnings));
    }
    let mut files = vec![("summary.json".into(), pretty(&summary_json))];
    if keep_json {
        files.push((
            "snapshots.json".into(),
            pretty(&json!({ "Snapshots": rows })),
        ));
    }
    files.extend([
        ("snapshots.csv".into(), table.into_bytes()),
        (
            "storage.csv".into(),
            storage_csv(summary, &result.storage).into_bytes(),
        ),
        (
            "timeseries.csv".into(),
            timeseries_csv(summary, &result.timeseries).into_bytes(),
        ),
        ("latency.csv".into(), latency_csv(summary).into_bytes()),
    ]);
    files
}

/// Most snapshot records for which `snapshots.json` (the describe-snapshots
/// shape) is written; beyond, `snapshots.csv` alone holds them.
pub const SNAPSHOTS_JSON_MAX: usize = 20_000;

/// One row per volume × operation × pending level × burst-credit state
/// (IO fidelity; only the header at flow fidelity): `credits` is
/// `available` for IOs that did not wait for burst credits (all IOs of a
/// type without them), `exhausted` for those that did, after them. Ratios
/// are against the same percentile with no snapshot pending and credits
/// available, empty where that level has no IOs.
fn latency_csv(summary: &RunSummary) -> String {
    let mut out = String::from(
        "volume,op,pending,count,mean_us,p50_us,p90_us,p99_us,p999_us,max_us,\
p50_ratio,p90_ratio,p99_ratio,p999_ratio,credits,mean_ratio\n",
    );
    for v in &summary.volumes {
        for op in v.latency.iter().flatten() {
            let short = op.credits_exhausted.iter();
            let strata = std::iter::once(("available", &op.levels, &op.degradation))
                .chain(short.map(|c| ("exhausted", &c.levels, &c.degradation)));
            for (state, levels, degradation) in strata {
                for l in levels {
                    let d = degradation.iter().find(|d| d.pending == l.pending);
                    let _ = writeln!(
                        out,
                        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{state},{}",
                        quote(&v.name),
                        op.op,
                        l.pending,
                        l.count,
                        l.mean_us,
                        l.p50_us,
                        l.p90_us,
                        l.p99_us,
                        l.p999_us,
                        l.max_us,
                        cell(d.and_then(|d| d.p50)),
                        cell(d.and_then(|d| d.p90)),
                        cell(d.and_then(|d| d.p99)),
                        cell(d.and_then(|d| d.p999)),
                        cell(d.and_then(|d| d.mean)),
                    );
                }
            }
        }
    }
    out
}

fn pretty(v: &Value) -> Vec<u8> {
    // Serialising a Value cannot fail: keys are strings, numbers finite.
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// `vol-0` and 16 hex digits, stable for a volume name.
pub fn volume_id(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("vol-0{h:016x}")
}

/// ISO-8601 timestamp of simulated instant `t` (millisecond precision, UTC).
pub fn timestamp(ctx: ResultContext, t: SimTime) -> String {
    let at = ctx.start + Duration::from_nanos(t.as_nanos());
    humantime::format_rfc3339_millis(at).to_string()
}

fn secs(t: Option<SimTime>) -> Value {
    t.map_or(Value::Null, |t| json!(t.as_secs_f64()))
}

fn row(summary: &RunSummary, r: &SnapshotRecord, ctx: ResultContext) -> Map<String, Value> {
    let vol = &summary.volumes[r.volume];
    let tags: Vec<Value> = vol
        .tags
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    let mut m = Map::new();
    m.insert("SnapshotId".into(), json!(r.snapshot_id));
    m.insert("VolumeId".into(), json!(volume_id(&vol.name)));
    m.insert("StartTime".into(), json!(timestamp(ctx, r.requested_at)));
    m.insert("State".into(), json!(r.state.as_str()));
    m.insert(
        "Progress".into(),
        json!(format!("{}%", (r.progress * 100.0).floor() as u64)),
    );
    m.insert("VolumeSize".into(), json!(vol.size_bytes.div_ceil(1 << 30)));
    m.insert("Encrypted".into(), json!(vol.encrypted));
    m.insert("Tags".into(), Value::Array(tags));
    m.insert("VolumeName".into(), json!(vol.name));
    m.insert("ScheduledAt".into(), json!(r.scheduled_at.as_secs_f64()));
    m.insert("RequestedAt".into(), json!(r.requested_at.as_secs_f64()));
    m.insert("Attempt".into(), json!(r.attempt));
    m.insert("UploadDoneAt".into(), secs(r.upload_done_at));
    m.insert("CompletedAt".into(), secs(r.completed_at));
    m.insert("DeletedAt".into(), secs(r.deleted_at));
    m.insert("DeltaBlocks".into(), json!(r.delta_blocks));
    m.insert("DeltaBytes".into(), json!(r.delta_bytes));
    m.insert("DurationSeconds".into(), json!(r.duration_seconds()));
    m.insert("CowCopies".into(), json!(r.cow_copies));
    m.insert("RateMultiplier".into(), json!(r.rate_multiplier));
    m.insert("PauseSeconds".into(), json!(r.pause_seconds));
    m.insert("LeftOutBytes".into(), json!(r.left_out_bytes));
    m.insert("SetId".into(), json!(r.set_id));
    m.insert("SetCompletedAt".into(), secs(r.set_completed_at));
    m.insert("Error".into(), json!(r.error.map(|e| e.as_str())));
    m.insert("WillRetry".into(), json!(r.will_retry));
    m
}

/// The CSV's columns: the JSON keys.
const COLUMNS: [&str; 26] = [
    "SnapshotId",
    "VolumeId",
    "VolumeName",
    "StartTime",
    "State",
    "Progress",
    "VolumeSize",
    "Encrypted",
    "Tags",
    "ScheduledAt",
    "RequestedAt",
    "Attempt",
    "UploadDoneAt",
    "CompletedAt",
    "DeletedAt",
    "DeltaBlocks",
    "DeltaBytes",
    "DurationSeconds",
    "CowCopies",
    "RateMultiplier",
    "PauseSeconds",
    "LeftOutBytes",
    "SetId",
    "SetCompletedAt",
    "Error",
    "WillRetry",
];

fn csv_header() -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    out
}

/// One CSV row per record with the JSON keys as header; tags as `k=v;k=v`.
fn csv_row(r: &Map<String, Value>, out: &mut String) {
    {
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|c| match (c, r.get(*c)) {
                (&"Tags", Some(Value::Array(tags))) => quote(
                    &tags
                        .iter()
                        .map(|t| format!("{}={}", plain(&t["Key"]), plain(&t["Value"])))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                (_, Some(v)) => quote(&plain(v)),
                (_, None) => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// RFC 4180 quoting, only where needed.
fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn storage_csv(summary: &RunSummary, points: &[StoragePoint]) -> String {
    let mut out = String::from("time_seconds,volume,stored_bytes\n");
    for p in points {
        let name = quote(&summary.volumes[p.volume].name);
        let _ = writeln!(out, "{},{},{}", p.at.as_secs_f64(), name, p.stored_bytes);
    }
    out
}

/// Optional float as a CSV cell: empty when absent or not a number.
fn cell(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => v.to_string(),
        _ => String::new(),
    }
}

fn timeseries_csv(summary: &RunSummary, rows: &[TimeseriesRow]) -> String {
    let mut out = String::from(
        "time_seconds,volume,pending,upload_bytes_per_second,writes_per_second,write_bytes_per_second,\
reads_per_second,read_bytes_per_second,read_p50_us,read_p99_us,write_p50_us,write_p99_us,iops_tokens,burst_credits\n",
    );
    for r in rows {
        let io = r.io.as_ref();
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.start.as_secs_f64(),
            quote(&summary.volumes[r.volume].name),
            r.pending,
            r.upload_bytes_per_second,
            r.writes_per_second,
            r.write_bytes_per_second,
            cell(io.map(|i| i.reads_per_second)),
            cell(io.map(|i| i.read_bytes_per_second)),
            cell(io.map(|i| i.read_p50_us)),
            cell(io.map(|i| i.read_p99_us)),
            cell(io.map(|i| i.write_p50_us)),
            cell(io.map(|i| i.write_p99_us)),
            cell(io.map(|i| i.iops_tokens)),
            cell(io.map(|i| i.burst_credits)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn timestamps_count_from_the_scenario_start() {
        let start = humantime::parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let ctx = ResultContext { start };
        assert_eq!(
            timestamp(ctx, SimTime::from_secs(3661)),
            "2026-01-01T01:01:01.000Z"
        );
    }

    #[test]
    fn volume_ids_look_like_ec2_ids_and_are_stable() {
        let id = volume_id("db");
        assert_eq!(id.len(), "vol-0".len() + 16);
        assert_eq!(id, volume_id("db"));
        assert_ne!(id, volume_id("db-1"));
    }
}
