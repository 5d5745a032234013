//! The scenario JSON of an import, in the documented format (version 1),
//! checked by the scenario loader itself before it is returned, so what
//! `snapsim import` writes is what `snapsim validate` and `snapsim run`
//! accept.
//!
//! Layout: the top-level keys one per line and each volume entry on one
//! line, so that a fleet stays a readable, diffable file well inside the
//! 16 MiB scenario limit.

use super::group::{Entry, Location};
use super::metrics::Fit;
use super::policies::snapshots_block;
use super::time::{duration_text, format_rfc3339};
use super::{Gathered, ImportError};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// A rate [1/s] as a frequency text with six decimals, trailing zeros cut
/// (`"64/s"`, `"0.25/s"`); `"0/s"` below a millionth per second. From 10⁹/s
/// on (beyond any scenario's limit, so only in the report, e.g. a read
/// rate) in the short form of [`crate::scenario::units::number_text`]
/// (`"3.333e297/s"`), not hundreds of digits.
pub fn rate_text(r: f64) -> String {
    if r.is_nan() || r.abs() >= 1e9 {
        return format!("{}/s", crate::scenario::units::number_text(r));
    }
    let s = format!("{r:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}/s")
}

/// A multiplier with four decimals, as a JSON number.
fn mult(x: f64) -> Value {
    json!((x * 10_000.0).round() / 10_000.0)
}

/// The read size when VolumeReadOps came without VolumeReadBytes [B]: an
/// assumption, stated in import.md (16 KiB, the size of a database page
/// read and the gp3/io2 IOPS accounting unit's order of magnitude).
pub const ASSUMED_READ_SIZE: u64 = 16 << 10;

/// The read stream of an entry under `--reads`: the mean read rate and
/// size over the metric window, uniform over the volume (CloudWatch says
/// nothing of where reads land; they change no block), or `None` without
/// reads.
fn reads(e: &Entry) -> Option<Value> {
    let f = &e.fitted;
    if f.read_rate <= 5e-7 {
        return None;
    }
    let size = if f.read_bytes_rate > 0.0 {
        (f.read_bytes_rate / f.read_rate)
            .round()
            .clamp(1.0, f64::from(64u32 << 20)) as u64
    } else {
        ASSUMED_READ_SIZE
    };
    Some(json!({"rate": rate_text(f.read_rate), "size": format!("{size}B"), "pattern": "uniform"}))
}

/// The workload of an entry, or `None` when it has no IO to simulate.
pub fn workload(e: &Entry, g: &Gathered) -> Option<Value> {
    let read = if g.opts.reads { reads(e) } else { None };
    let f = &e.fitted;
    if !f.has_writes || f.write_rate <= 5e-7 || f.write_size < 0.5 {
        return read.map(|r| json!({ "reads": r }));
    }
    let size = format!(
        "{}B",
        f.write_size.round().clamp(1.0, f64::from(64u32 << 20)) as u64
    );
    let mut s = Map::new();
    match g.opts.fit {
        Fit::Daily => {
            s.insert("rate".into(), json!(rate_text(f.write_rate)));
            let m: Vec<f64> = f.hourly.iter().map(|h| h / f.write_rate).collect();
            if m.iter().any(|x| (x - 1.0).abs() > 5e-5) {
                s.insert(
                    "arrival".into(),
                    json!({"daily": {"multipliers": m.iter().map(|&x| mult(x)).collect::<Vec<_>>()}}),
                );
            }
        }
        Fit::Steps => {
            let peak = f.steps.iter().copied().fold(0.0, f64::max);
            let period = g.window.map_or(300, |w| w.period);
            let mut steps = Vec::new();
            let mut last: Option<String> = None;
            for (k, &r) in f.steps.iter().enumerate() {
                let t = rate_text(r);
                if last.as_ref() != Some(&t) {
                    steps.push(json!({"at": duration_text(k as i64 * period), "rate": t}));
                    last = Some(t);
                }
            }
            if peak <= 5e-7 {
                return read.map(|r| json!({ "reads": r }));
            }
            s.insert("rate".into(), json!(rate_text(peak)));
            if steps.len() > 1 {
                s.insert("arrival".into(), json!({"steps": steps}));
            } else {
                s.insert(
                    "rate".into(),
                    json!(last.unwrap_or_else(|| rate_text(peak))),
                );
            }
        }
    }
    s.insert("size".into(), json!(size));
    s.insert("pattern".into(), g.opts.pattern.json.clone());
    match read {
        Some(r) => Some(json!({ "writes": Value::Object(s), "reads": r })),
        None => Some(json!({ "writes": Value::Object(s) })),
    }
}

/// One volume entry of the scenario.
fn volume_json(e: &Entry, g: &Gathered, completed: &HashSet<&str>) -> Value {
    let mut v = Map::new();
    v.insert("name".into(), json!(e.name));
    if e.members.len() > 1 {
        v.insert("count".into(), json!(e.members.len()));
    }
    match &e.location {
        Location::Zone(z) => {
            v.insert("availability_zone".into(), json!(z));
        }
        Location::Region(r) => {
            v.insert("region".into(), json!(r));
        }
        Location::Mixed => {}
    }
    v.insert("type".into(), json!(e.kind));
    v.insert("size".into(), json!(format!("{}GiB", e.size_gib)));
    if let Some(i) = e.iops {
        v.insert("iops".into(), json!(i));
    }
    if let Some(t) = e.throughput_mib_s {
        v.insert("throughput".into(), json!(format!("{t}MiB/s")));
    }
    v.insert("used".into(), json!(format!("{}B", e.used)));
    let ids = e.members.iter().map(|&i| g.volumes[i].id.as_str());
    if super::snapshots::seeded(completed, ids).2 {
        v.insert("existing_snapshot".into(), json!(true));
    }
    if e.encrypted {
        v.insert("encrypted".into(), json!(true));
    }
    if let Some(w) = workload(e, g) {
        v.insert("workload".into(), w);
    }
    if let Some(s) = schedule_of(e, g).and_then(Result::ok) {
        v.insert("snapshots".into(), s);
    }
    Value::Object(v)
}

/// The entry's `snapshots` block: `None` without a policy, `Err(reason)`
/// when its schedule has no request in the window.
pub fn schedule_of(e: &Entry, g: &Gathered) -> Option<Result<Value, String>> {
    let p = &g.policies[e.policy?];
    let s = p.schedule.as_ref()?;
    Some(snapshots_block(s, g.start, g.duration))
}

/// The scenario's `description`: where it came from and what it assumes.
pub fn description(g: &Gathered) -> String {
    let n = g.volumes.len();
    let fit = match (g.window, g.opts.fit) {
        (None, _) => "no CloudWatch metrics, so no writes".to_string(),
        (Some(w), Fit::Daily) => format!(
            "write rates from CloudWatch ({} s periods) as a daily profile of 24 hourly means",
            w.period
        ),
        (Some(w), Fit::Steps) => format!(
            "write rates from CloudWatch replayed period by period ({} s steps)",
            w.period
        ),
    };
    format!(
        "Imported by snapsim import from AWS CLI output: {n} volume{} in {} entr{}; {fit}; spatial pattern of writes {} (assumed: CloudWatch does not say where writes land; --pattern changes it); see import.md",
        if n == 1 { "" } else { "s" },
        g.entries.len(),
        if g.entries.len() == 1 { "y" } else { "ies" },
        g.opts.pattern.text,
    )
}

/// The scenario text, validated by the scenario loader.
///
/// # Errors
/// [`ImportError::Options`] if the loader refuses it (naming the entry's
/// source volumes) or it exceeds the 16 MiB scenario limit.
pub fn scenario_text(g: &Gathered) -> Result<String, ImportError> {
    let mut top: Vec<(&str, Value)> = vec![
        ("format_version", json!(1)),
        ("name", json!(g.opts.name)),
        ("description", json!(description(g))),
        ("seed", json!(1)),
        ("duration", json!(duration_text(g.duration))),
    ];
    if g.opts.reads {
        top.push(("fidelity", json!("io")));
    }
    if g.window.is_some() {
        top.push(("start", json!(format_rfc3339(g.start * 1000))));
    }
    if let Some(w) = g.window {
        let volumes: u64 = g.entries.iter().map(|e| e.members.len() as u64).sum();
        if w.periods * volumes <= 1_000_000 && w.period >= 1 {
            top.push(("timeseries_step", json!(duration_text(w.period))));
        }
    }
    let mut text = String::from("{\n");
    for (k, v) in &top {
        text.push_str(&format!("  {}: {},\n", json!(k), v));
    }
    text.push_str("  \"volumes\": [\n");
    let completed = super::snapshots::with_completed(&g.history);
    for (i, e) in g.entries.iter().enumerate() {
        let sep = if i + 1 == g.entries.len() { "" } else { "," };
        text.push_str(&format!("    {}{sep}\n", volume_json(e, g, &completed)));
    }
    text.push_str("  ]\n}\n");
    if text.len() as u64 > crate::scenario::MAX_SCENARIO_BYTES {
        return Err(ImportError::Options {
            problem: format!(
                "the scenario would have {} B, more than the 16 MiB a scenario file may have",
                text.len()
            ),
            fix: "group the volumes with --group-by (e.g. --group-by type,tag:Role,az), or use --fit daily".into(),
        });
    }
    crate::scenario::from_str(&text, &g.opts.name).map_err(|e| {
        ImportError::Options {
            problem: format!("the imported scenario is refused by the scenario format: {e}"),
            fix: "the entry's volumes are listed in import.md; check their describe-volumes values (EBS rules the format enforces: e.g. gp3 at most 16,000 IOPS) and leave such volumes out, or report this".into(),
        }
    })?;
    Ok(text)
}
