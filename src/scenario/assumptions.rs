//! The assumptions ledger: every value the model uses that AWS does not
//! document, with the value the run used, whether the scenario set it or a
//! default did, the evidence for it and its plausible range.
//!
//! A planner reading an answer needs to know which of its inputs are
//! measurements, which are guesses, and which guesses the scenario never
//! made (a default did). Whether a value was set is read from the scenario
//! as parsed (the file's JSON, [`Scenario::source`]), never inferred from the
//! value: a scenario that writes the default rate out has still chosen it.
//! Values come from the validated configuration, so they are the ones the
//! run used. The evidence cites its public sources (README, "Sources").
//!
//! Per-volume values are listed per volume entry of the file
//! (`volumes[2].performance.channels`), or once as `volumes[*]…` when every
//! entry has the same value from the same source.

use super::Scenario;
use crate::metrics::summary::{Assumption, AssumptionSource};
use crate::model::config::{
    CowPolicy, Fidelity, LatencyDist, RateVariability, Sharing, SnapshotReadPriority, VolumeConfig,
};
use crate::model::units::Bandwidth;
use crate::model::volume_type::VolumeKind;
use serde_json::Value;

/// One volume entry's (value, set by the scenario), or `None` to leave the
/// entry out.
type Cell = Option<(String, bool)>;

/// A rate as `42 MiB/s (44.0 MB/s)`: the scenario's binary unit and the
/// decimal one the community measurements use.
fn rate(b: Bandwidth) -> String {
    let mib = b.as_mib_per_sec();
    let mib = if mib.fract() == 0.0 {
        format!("{mib:.0}")
    } else {
        format!("{mib:.2}")
    };
    format!("{mib} MiB/s ({:.1} MB/s)", b.bytes_per_sec / 1e6)
}

fn latency(d: LatencyDist) -> String {
    let ms = |d: crate::engine::SimDuration| format!("{} ms", d.as_secs_f64() * 1e3);
    match d {
        LatencyDist::Constant(x) => format!("constant {}", ms(x)),
        LatencyDist::Exponential(m) => format!("exponential, mean {}", ms(m)),
        LatencyDist::LogNormal { median, sigma } => {
            format!("log-normal, median {}, sigma {sigma}", ms(median))
        }
    }
}

fn source_of(set: bool) -> AssumptionSource {
    if set {
        AssumptionSource::Scenario
    } else {
        AssumptionSource::Default
    }
}

fn entry(
    key: impl Into<String>,
    value: String,
    set: bool,
    evidence: &str,
    range: &str,
) -> Assumption {
    Assumption {
        key: key.into(),
        value,
        source: source_of(set),
        evidence: evidence.into(),
        range: range.into(),
    }
}

/// The ledger of `sc`, in a fixed order: block size, transfer, then the
/// per-volume values.
pub fn ledger(sc: &Scenario) -> Vec<Assumption> {
    let src = &sc.source;
    let cfg = &sc.config;
    let t = &cfg.transfer;
    let raw_t = src.get("transfer");
    let has = |v: Option<&Value>, key: &str| v.and_then(|v| v.get(key)).is_some();
    let mut out = vec![entry(
        "block_size",
        format!(
            "{} B: a write dirties every block of this size it overlaps, and deltas are uploaded in these blocks",
            cfg.block_size.0
        ),
        src.get("block_size").is_some(),
        "The EBS direct APIs use 512 KiB snapshot blocks (AWS docs, ebs-accessing-snapshot and archiving-guidelines); that changes are tracked at 512 KiB is not published by AWS.",
        "512 KiB is the only size with any support; smaller sizes shrink the deltas of scattered small writes",
    )];
    out.push(entry(
        "transfer.per_snapshot",
        format!("{}: cap of one snapshot's upload stream", rate(t.per_snapshot)),
        has(raw_t, "per_snapshot"),
        "AWS publishes no snapshot upload rate. Community measurements of full gp3 snapshots (TiDB, 7,000 IOPS / 400 MiB/s provisioned) work out at about 33–56 MB/s per volume (PingCAP docs, backup-restore-snapshot-perf); daily incrementals there usually finish within about 1 h.",
        "33–56 MB/s (31–53 MiB/s) measured for full gp3 snapshots; nothing measured for incrementals, other types or regions",
    ));
    let per_volume = match t.per_volume {
        Some(b) => format!("{}: cap of all uploads of one volume together", rate(b)),
        None => {
            let most = cfg
                .volumes
                .iter()
                .map(|v| v.pending_limit)
                .max()
                .unwrap_or(1);
            format!(
                "no cap: k pending snapshots of one volume upload at k times the per-snapshot rate at once, k × {}, up to {} with {most} pending",
                rate(t.per_snapshot),
                rate(Bandwidth {
                    bytes_per_sec: t.per_snapshot.bytes_per_sec * f64::from(most)
                })
            )
        }
    };
    out.push(entry(
        "transfer.per_volume",
        per_volume,
        has(raw_t, "per_volume"),
        "AWS publishes no per-volume upload cap; the TiDB rates (PingCAP docs, backup-restore-snapshot-perf) are per volume with one snapshot at a time, so they say nothing about several pending at once. Without a cap, concurrent snapshots of one volume multiply its upload bandwidth.",
        "unknown; set it equal to per_snapshot to make one volume's snapshots share one stream",
    ));
    out.push(entry(
        "transfer.sharing",
        match t.sharing {
            Sharing::Fair => "fair: max-min fair shares of a volume cap or pool".into(),
            Sharing::FirstComeFirstServed => {
                "fcfs: the oldest upload takes all it can use".into()
            }
        },
        has(raw_t, "sharing"),
        "Not documented. Pending snapshots of a volume complete roughly in start order (AWS Knowledge Center, ebs-snapshot-stuck), which says when they complete, not how they share bandwidth.",
        "fair or fcfs; the two bracket the possibilities",
    ));
    for (j, p) in t.pools.iter().enumerate() {
        out.push(entry(
            format!("transfer.pools[{j}].rate"),
            format!("{}: shared by every upload of the volumes in pool `{}`", rate(p.rate), p.name),
            true,
            "No account- or region-level snapshot bandwidth is published by AWS. For the direct APIs: PutSnapshotBlock 1,000/s per account (a secondary copy of the Service Quotas table; AWS docs, ebs-resource-quotas, not checked for it), i.e. 1,000 × 512 KiB ≈ 500 MiB/s (derived), and AWS's own sizing example reaches about 500 MB/s (AWS docs, ebsapi-performance).",
            "unknown for CreateSnapshot; about 500 MB/s for direct-API uploads (AWS docs, ebsapi-performance)",
        ));
    }
    out.push(entry(
        "transfer.variability",
        match t.variability {
            None => "off: every snapshot gets exactly its cap".into(),
            Some(RateVariability::LogNormal { sigma }) => format!(
                "log-normal, sigma {sigma}: each snapshot's cap is multiplied by one draw with median 1"
            ),
        },
        has(raw_t, "variability"),
        "Snapshots in one availability zone were much slower than in others (attributed by AWS to load; GitHub, pingcap/tidb-operator#5268), unquantified. The measured 33–56 MB/s spread spans ln(56/33) ≈ 0.53 in log space, about sigma 0.13 if that is ±2 sigma (derived).",
        "sigma about 0.1–0.3 for the spread measured within one setup; more between zones, unmeasured",
    ));
    volumes(&mut out, sc);
    out.extend(change_tracking(sc));
    out
}

/// Under statistical change tracking, its sample size: not an AWS unknown
/// but an approximation whose error the answer carries. Absent when the
/// run tracks exactly (or is refused anyway).
fn change_tracking(sc: &Scenario) -> Option<Assumption> {
    let plan = crate::model::plan(&sc.config).ok()?;
    let crate::model::tracking::Method::Sampled(size) = plan.method else {
        return None;
    };
    let error = match size {
        crate::model::tracking::SampleSize::Blocks(m) => {
            let se = |f: f64| ((1.0 - f) / (f * f64::from(m))).sqrt() * 100.0;
            format!(
                "; a snapshot that changed a fraction f of its volume is estimated with a relative standard error of about √((1 − f)/(f·{m})): {:.1} % at f = 10 %, {:.0} % at f = 1 %",
                se(0.1),
                se(0.01)
            )
        }
        crate::model::tracking::SampleSize::Rate(_) => {
            "; a snapshot that changed a fraction f of a volume of n blocks, m of them sampled, is estimated with a relative standard error of about √((1 − f)/(f·m))".into()
        }
    };
    Some(entry(
        "change_tracking",
        format!("{}{error}", plan.method.describe()),
        sc.source.get("change_tracking").is_some(),
        "Not an AWS value: snapsim's approximation for volumes whose exact block state does not fit. Its estimates are unbiased for every delta, the first (full) snapshot and storage under retention, and the test suite checks them against exact tracking and closed forms (README, \"Fleets: statistical change tracking\"); the error per volume shrinks as 1/√(sampled blocks), and fleet totals average it out.",
        "exact tracking (no sampling error) where memory allows; more sampled blocks per volume (\"change_tracking\": {\"statistical\": {\"samples\": N}}) shrink the error",
    ))
}

/// The per-volume entries: pending limit (when changed), then at IO
/// fidelity copy-on-write, channels, base latency, channel bandwidth and
/// snapshot-read priority; at flow fidelity how copy-on-write is charged.
fn volumes(out: &mut Vec<Assumption>, sc: &Scenario) {
    let raw: Vec<&Value> = sc
        .source
        .get("volumes")
        .and_then(Value::as_array)
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    // The first expanded volume of each file entry (entries expand in order).
    let mut first = Vec::with_capacity(raw.len());
    let mut at = 0usize;
    for v in &raw {
        first.push(sc.config.volumes.get(at));
        at += usize::try_from(v.get("count").and_then(Value::as_u64).unwrap_or(1)).unwrap_or(0);
    }
    let set = |i: usize, group: &str, key: &str| {
        let g = raw[i].get(group);
        if key.is_empty() {
            g.is_some()
        } else {
            g.and_then(|g| g.get(key)).is_some()
        }
    };
    let mut per_volume = |suffix: &str, cells: Vec<Cell>, evidence: &str, range: &str| {
        let present: Vec<(usize, &(String, bool))> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
            .collect();
        if present.is_empty() {
            return;
        }
        if present.len() == cells.len() && present.iter().all(|(_, c)| *c == present[0].1) {
            let (value, s) = present[0].1;
            out.push(entry(
                format!("volumes[*].{suffix}"),
                value.clone(),
                *s,
                evidence,
                range,
            ));
        } else {
            for (i, (value, s)) in present {
                out.push(entry(
                    format!("volumes[{i}].{suffix}"),
                    value.clone(),
                    *s,
                    evidence,
                    range,
                ));
            }
        }
    };
    let pick = |f: &dyn Fn(usize, &VolumeConfig) -> Cell| -> Vec<Cell> {
        first
            .iter()
            .enumerate()
            .map(|(i, v)| v.and_then(|v| f(i, v)))
            .collect()
    };
    per_volume(
        "pending_limit",
        pick(&|i, v| {
            set(i, "pending_limit", "").then(|| {
                let real = if matches!(v.kind, VolumeKind::St1 | VolumeKind::Sc1) { 1 } else { 5 };
                (
                    format!("{} pending snapshots (the real quota for {} is {real})", v.pending_limit, v.kind.name()),
                    true,
                )
            })
        }),
        "The quota is 5 pending snapshots per SSD volume and 1 for st1/sc1, and it is not adjustable (AWS docs, ebs-creating-snapshot and ebs-resource-quotas); another value is a what-if.",
        "5 (SSD) or 1 (st1, sc1) in AWS; anything else does not exist there",
    );
    if sc.config.fidelity == Fidelity::Flow {
        per_volume(
            "performance.copy_on_write",
            pick(&|_, _| {
                Some((
                    "counted only: at flow fidelity a write that preserves a not-yet-uploaded block costs no time".into(),
                    false,
                ))
            }),
            "AWS says only that pending snapshots \"can result in reduced volume performance\" (AWS docs, ebs-creating-snapshot); no number is published by AWS. At flow fidelity the copies are counted (`cow_copies`) but not charged.",
            "unknown; TiDB measured under 3% application impact while snapshotting gp3 (PingCAP docs, backup-restore-snapshot-perf)",
        );
        return;
    }
    per_volume(
        "performance.copy_on_write",
        pick(&|i, v| {
            let b = sc.config.block_size.0;
            Some((
                match v.performance.copy_on_write {
                    CowPolicy::CopyRange => "copy_range: the write first reads and writes the bytes it overwrites (2 × its length), in its service time at the channel bandwidth and charged against the volume's IOPS and throughput".into(),
                    CowPolicy::Copy => format!(
                        "copy: the write first reads and writes the old block, 2 × {b} B in its service time at the channel bandwidth and charged against the volume's IOPS and throughput"
                    ),
                    CowPolicy::Redirect => "redirect: the old data stays in place and the write goes elsewhere, at no extra cost".into(),
                    CowPolicy::Wait => "wait: the write waits until the snapshot has uploaded that block, at the snapshot's upload rate".into(),
                },
                set(i, "performance", "copy_on_write"),
            ))
        }),
        "How EBS keeps a pending snapshot's point in time is not documented; AWS says only that pending snapshots \"can result in reduced volume performance\" (AWS docs, ebs-creating-snapshot), with no number. PingCAP measured under 3% application impact while snapshotting TiDB on gp3 (PingCAP docs, backup-restore-snapshot-perf). On that setup (scenarios/calibration-tidb-impact.json: a full snapshot pending under 3,500 IOs/s) `copy_range` raises the mean IO latency by about 1%; whole-block copies (`copy`) need about 1 MiB per hit, more than the 400 MiB/s the volume has, and saturate it, so they contradict the measurement.",
        "from no cost (redirect-on-write: the old data stays where it is) to `copy_range`; `copy` (whole 512 KiB blocks) is ruled out for gp3 by the TiDB measurement",
    );
    per_volume(
        "performance.channels",
        pick(&|i, v| {
            Some((
                format!("{} IOs served in parallel by the storage station", v.performance.channels),
                set(i, "performance", "channels"),
            ))
        }),
        "EBS publishes no internal parallelism; only IOPS and throughput limits and that performance is delivered 99% (gp) or 99.9% (io) of the time (AWS docs, general-purpose, provisioned-iops and hdd-vols).",
        "unknown; with the token buckets in force it matters mainly at high queue depth",
    );
    per_volume(
        "performance.base_latency",
        pick(&|i, v| {
            Some((
                format!("{} per IO, plus size / channel bandwidth", latency(v.performance.base_latency)),
                set(i, "performance", "base_latency"),
            ))
        }),
        "AWS states only \"single-digit millisecond\" latency for gp2/gp3 and \"sub-millisecond average\" for io2 Block Express (AWS docs, general-purpose and provisioned-iops); no distribution is published by AWS (a <500 µs io2 figure appears only on a low-quality non-AWS site, grokipedia.com).",
        "gp2/gp3 about 1–9 ms, io2 Block Express below 1 ms; st1/sc1 unpublished",
    );
    per_volume(
        "performance.channel_bandwidth",
        pick(&|i, v| {
            Some((
                format!("{} per channel", rate(v.performance.channel_bandwidth)),
                set(i, "performance", "channel_bandwidth"),
            ))
        }),
        "Not documented; the default is the volume's provisioned throughput (AWS docs, general-purpose and provisioned-iops), which the throughput bucket enforces anyway.",
        "up to the provisioned throughput",
    );
    per_volume(
        "performance.snapshot_reads",
        pick(&|i, v| {
            Some((
                match v.performance.snapshot_reads {
                    SnapshotReadPriority::Low => "low: snapshot block reads only when no foreground IO waits".into(),
                    SnapshotReadPriority::Equal => "equal: one queue with foreground IO".into(),
                    SnapshotReadPriority::Weight(w) => format!("weight {w} against foreground IO's 1"),
                },
                set(i, "performance", "snapshot_reads"),
            ))
        }),
        "Whether snapshot uploads read the volume's storage at all, and at what priority, is not documented; st1/sc1 drop to baseline while a snapshot is pending (AWS docs, hdd-vols), other types are only said to be possibly slower (AWS docs, ebs-creating-snapshot).",
        "low to equal",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statistical tracking puts its sample size and error in the ledger
    /// (4096 blocks: √(0.9/409.6) = 4.7 % at 10 % changed); exact tracking
    /// has no such entry.
    #[test]
    fn statistical_tracking_states_its_sample_size_and_error() {
        let text = |tracking: &str| {
            format!(
                r#"{{"name": "t", "duration": "1h", "change_tracking": "{tracking}",
                    "volumes": [{{"name": "v", "type": "gp3", "size": "100GiB", "snapshots": {{"every": "1h"}},
                                 "workload": {{"writes": {{"rate": "10/s", "size": "4KiB"}}}}}}]}}"#
            )
        };
        let l = ledger_of(&text("statistical"));
        let e = find(&l, "change_tracking");
        assert!(e.value.contains("4096 sampled blocks"), "{}", e.value);
        assert!(e.value.contains("4.7 % at f = 10 %"), "{}", e.value);
        assert_eq!(e.source, AssumptionSource::Scenario);
        let l = ledger_of(&text("exact"));
        assert!(l.iter().all(|a| a.key != "change_tracking"));
    }

    fn ledger_of(text: &str) -> Vec<Assumption> {
        ledger(&super::super::from_str(text, "t.json").expect("valid"))
    }

    fn find<'a>(l: &'a [Assumption], key: &str) -> &'a Assumption {
        l.iter()
            .find(|a| a.key == key)
            .unwrap_or_else(|| panic!("no {key} in {l:?}"))
    }

    const VOLUME: &str = r#"{"name": "db", "type": "gp3", "size": "100GiB"}"#;

    #[test]
    fn a_set_rate_is_from_the_scenario_and_a_missing_one_from_the_default() {
        let set = ledger_of(&format!(
            r#"{{"name": "a", "duration": "1h", "transfer": {{"per_snapshot": "30MiB/s"}}, "volumes": [{VOLUME}]}}"#
        ));
        let a = find(&set, "transfer.per_snapshot");
        assert_eq!(a.source, AssumptionSource::Scenario);
        assert!(a.value.starts_with("30 MiB/s (31.5 MB/s)"), "{}", a.value);
        assert!(a
            .evidence
            .contains("(PingCAP docs, backup-restore-snapshot-perf)"));
        assert_eq!(
            find(&set, "transfer.per_volume").source,
            AssumptionSource::Default
        );
        let unset = ledger_of(&format!(
            r#"{{"name": "a", "duration": "1h", "volumes": [{VOLUME}]}}"#
        ));
        let a = find(&unset, "transfer.per_snapshot");
        assert_eq!(a.source, AssumptionSource::Default);
        assert!(a.value.starts_with("42 MiB/s (44.0 MB/s)"), "{}", a.value);
        // Without a per-volume cap the ledger says what that implies.
        assert!(find(&unset, "transfer.per_volume")
            .value
            .contains("k × 42 MiB/s"));
        assert_eq!(find(&unset, "block_size").source, AssumptionSource::Default);
        // Flow fidelity: copy-on-write is counted, not charged; no
        // station parameters; an unchanged pending limit is not listed.
        assert!(find(&unset, "volumes[*].performance.copy_on_write")
            .value
            .starts_with("counted only"));
        assert!(!unset
            .iter()
            .any(|a| a.key.contains("channels") || a.key.contains("pending_limit")));
    }

    #[test]
    fn io_fidelity_lists_the_station_per_volume_entry() {
        let l = ledger_of(
            r#"{"name": "a", "duration": "1h", "fidelity": "io", "volumes": [
                {"name": "a", "type": "gp3", "size": "100GiB", "performance": {"channels": 4}},
                {"name": "b", "type": "gp3", "size": "100GiB", "count": 3, "pending_limit": 2}]}"#,
        );
        let c0 = find(&l, "volumes[0].performance.channels");
        assert_eq!(
            (c0.source, c0.value.starts_with("4 IOs")),
            (AssumptionSource::Scenario, true)
        );
        let c1 = find(&l, "volumes[1].performance.channels");
        assert_eq!(
            (c1.source, c1.value.starts_with("32 IOs")),
            (AssumptionSource::Default, true)
        );
        let cow = find(&l, "volumes[*].performance.copy_on_write");
        assert!(cow.value.starts_with("copy_range"), "{}", cow.value);
        let lat = find(&l, "volumes[*].performance.base_latency");
        assert!(lat.value.contains("median 1.5 ms"), "{}", lat.value);
        let lim = find(&l, "volumes[1].pending_limit");
        assert_eq!(lim.source, AssumptionSource::Scenario);
        assert!(lim.value.starts_with("2 pending"));
        assert!(!l.iter().any(|a| a.key == "volumes[0].pending_limit"));
    }
}
