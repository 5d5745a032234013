//! At IO fidelity, the storage station's unknowns as default factors of a
//! sensitivity study: for each volume entry of the file (at most
//! [`MAX_ENTRIES`]), its channels, its base latency and how a write pays
//! for copy-on-write. AWS publishes none of them (the assumptions ledger
//! says so); the ranges are wide on purpose, and a scenario's `sensitivity`
//! section can narrow them.
//!
//! The defaults a volume entry leaves out are written into the base first,
//! so that every factor has a value to move; writing a default out changes
//! nothing in a run.

use super::Factor;
use crate::model::config::{CowPolicy, LatencyDist, Performance};
use crate::scenario::Scenario;
use serde_json::{json, Value};

/// Volume entries whose station gets default factors; further entries keep
/// theirs fixed (add them in the `sensitivity` section).
pub const MAX_ENTRIES: usize = 4;

/// A duration [ns] as scenario text in microseconds.
fn micros(ns: u64) -> Value {
    let t = format!("{:.3}", ns as f64 / 1e3);
    Value::String(format!(
        "{}us",
        t.trim_end_matches('0').trim_end_matches('.')
    ))
}

/// The base latency as scenario JSON, and the path (under it) and value of
/// its scale: the median, the mean or the constant [ns].
fn latency_json(d: LatencyDist) -> (Value, &'static str, u64) {
    match d {
        LatencyDist::Constant(c) => (json!({ "constant": micros(c.0) }), "constant", c.0),
        LatencyDist::Exponential(m) => (
            json!({ "exponential": { "mean": micros(m.0) } }),
            "exponential.mean",
            m.0,
        ),
        LatencyDist::LogNormal { median, sigma } => (
            json!({ "lognormal": { "median": micros(median.0), "sigma": sigma } }),
            "lognormal.median",
            median.0,
        ),
    }
}

fn cow_name(c: CowPolicy) -> &'static str {
    match c {
        CowPolicy::CopyRange => "copy_range",
        CowPolicy::Copy => "copy",
        CowPolicy::Redirect => "redirect",
        CowPolicy::Wait => "wait",
    }
}

/// Adds the station factors of the first [`MAX_ENTRIES`] volume entries of
/// `sc` to `factors`, writing their defaults into `base`.
pub fn add(sc: &Scenario, base: &mut Value, factors: &mut Vec<Factor>) {
    let counts: Vec<usize> = base
        .get("volumes")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| v.get("count").and_then(Value::as_u64).unwrap_or(1) as usize)
                .collect()
        })
        .unwrap_or_default();
    let mut first = 0;
    for (i, count) in counts.into_iter().enumerate().take(MAX_ENTRIES) {
        let Some(p) = sc.config.volumes.get(first).map(|v| v.performance) else {
            break;
        };
        first += count;
        entry_factors(i, &p, base, factors);
    }
}

fn entry_factors(i: usize, p: &Performance, base: &mut Value, factors: &mut Vec<Factor>) {
    let Some(perf) = base
        .get_mut("volumes")
        .and_then(|v| v.get_mut(i))
        .and_then(Value::as_object_mut)
        .map(|v| v.entry("performance").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let at = |key: &str| format!("volumes[{i}].performance.{key}");
    let c = p.channels;
    perf.insert("channels".into(), json!(c));
    factors.push(Factor {
        path: at("channels"),
        base: json!(c),
        low: json!((c / 4).max(1)),
        high: json!((c * 4).min(4096)),
        why: format!(
            "EBS publishes no internal parallelism: a quarter to 4 times {c} IOs in parallel"
        ),
    });
    let (latency, scale_path, scale) = latency_json(p.base_latency);
    let scale_value = latency
        .pointer(&format!("/{}", scale_path.replace('.', "/")))
        .cloned()
        .unwrap_or(Value::Null);
    perf.insert("base_latency".into(), latency);
    factors.push(Factor {
        path: at(&format!("base_latency.{scale_path}")),
        base: scale_value,
        low: micros(scale / 2),
        high: micros(scale * 2),
        why: "AWS states only \"single-digit millisecond\" latency for gp2/gp3 and \"sub-millisecond\" for io2 Block Express: half to twice the base latency".into(),
    });
    let cow = p.copy_on_write;
    perf.insert("copy_on_write".into(), json!(cow_name(cow)));
    if cow != CowPolicy::Wait {
        factors.push(Factor {
            path: at("copy_on_write"),
            base: json!(cow_name(cow)),
            low: json!("redirect"),
            high: json!(if cow == CowPolicy::Copy { "copy" } else { "copy_range" }),
            why: "how EBS keeps a pending snapshot's blocks is not published: from redirect-on-write (no cost) to copying the overwritten bytes, the most the one measurement (under 3 % impact on gp3) allows".into(),
        });
    }
}
