//! Turns the final simulation state into the run summary.

use super::config::Consistency;
use super::simulation::Simulation;
use super::tracking::{Choice, Method, SampleSize};
use super::{RunMeta, RunResult, USD_PER_GB_MONTH};
use crate::engine::SimTime;
use crate::metrics::latency::StationStats;
use crate::metrics::rollup::rollups;
use crate::metrics::stats::Distribution;
use crate::metrics::summary::TrackingSummary;
use crate::metrics::summary::{ConsistencySummary, GroupSummary};
use crate::metrics::summary::{Requests, SnapshotCounts, Storage, Verification, VolumeSummary};
use crate::metrics::survival::{observations, unfinished_bytes, Observation, PendingTime};
use crate::metrics::{
    RunSummary, SnapshotRecord, SnapshotState, StoragePoint, SUMMARY_SCHEMA_VERSION,
};

/// Seconds in the billing month used for GB-month figures (730 h).
const MONTH_SECONDS: f64 = 730.0 * 3600.0;

pub(super) fn collect(sim: &Simulation, events: u64, meta: RunMeta) -> RunResult {
    let end = SimTime::ZERO + sim.cfg.duration;
    let mut volumes = Vec::with_capacity(sim.cfg.volumes.len());
    let mut writes_total = 0;
    // Records and storage points by volume, gathered once: a filter per
    // volume would make a fleet's outcome quadratic.
    let n = sim.cfg.volumes.len();
    let mut by_volume: Vec<Vec<&SnapshotRecord>> = vec![Vec::new(); n];
    for r in &sim.records {
        by_volume[r.volume].push(r);
    }
    let mut points_of: Vec<Vec<&StoragePoint>> = vec![Vec::new(); n];
    for p in sim.storage_points() {
        points_of[p.volume].push(p);
    }
    for (i, v) in sim.cfg.volumes.iter().enumerate() {
        let vs = &sim.volumes[i].state;
        let book = &sim.volumes[i].book;
        writes_total += vs.writes_applied;
        let mut req = Requests {
            scheduled: book.scheduled,
            calls: book.calls,
            retries: book.retries,
            failed: book.failed,
            skipped: book.skipped,
            ..Requests::default()
        };
        let mut counts = SnapshotCounts {
            max_pending: book.max_pending,
            ..SnapshotCounts::default()
        };
        let mut durations = Vec::new();
        let mut deltas = Vec::new();
        for &r in &by_volume[i] {
            match r.state {
                SnapshotState::Rejected => {
                    let code = r.error.map_or("unknown", |e| e.as_str());
                    *req.rejected.entry(code.to_string()).or_insert(0) += 1;
                }
                SnapshotState::Skipped => {}
                SnapshotState::Pending => counts.pending_at_end += 1,
                SnapshotState::Completed => counts.completed += 1,
                SnapshotState::Deleted => counts.deleted += 1,
            }
            if r.snapshot_id.is_some() {
                req.accepted += 1;
                deltas.push(r.delta_bytes as f64);
            }
            if let Some(d) = r.duration_seconds() {
                durations.push(d);
            }
        }
        volumes.push(VolumeSummary {
            name: v.name.clone(),
            group: v.group.clone(),
            pool: v.pool.map(|p| sim.cfg.transfer.pools[p].name.clone()),
            region: v.region.clone(),
            availability_zone: v.availability_zone.clone(),
            kind: v.kind.name().to_string(),
            size_bytes: v.provisioned.size.0,
            iops: v.provisioned.iops,
            throughput_bytes_per_second: v.provisioned.throughput.bytes_per_sec,
            pending_limit: v.pending_limit,
            encrypted: v.encrypted,
            existing_snapshot: v.existing_snapshot,
            tags: v
                .schedule
                .tags
                .iter()
                .map(|(k, val)| (k.clone(), serde_json::Value::String(val.clone())))
                .collect(),
            writes: vs.writes_applied,
            bytes_written: vs.bytes_written,
            requests: req,
            snapshots: counts,
            duration_seconds: Distribution::of(&durations),
            pending_seconds: PendingTime::of(&observations(by_volume[i].iter().copied(), end)),
            delta_bytes: Distribution::of(&deltas),
            cow_copies: vs.cow_copies,
            storage: storage_of(sim, &points_of[i], &by_volume[i], end),
            latency: sim.volumes[i].io.as_ref().map(|io| io.recorder.summary()),
            consistency: consistency_of(sim, i),
            station: sim.volumes[i].io.as_ref().map(|io| {
                let secs = sim.cfg.duration.as_secs_f64();
                let r = &io.recorder;
                StationStats {
                    completed: r.completed,
                    throughput_per_second: r.completed as f64 / secs,
                    mean_latency_us: if r.completed > 0 {
                        r.latency_sum_ns / r.completed as f64 / 1e3
                    } else {
                        0.0
                    },
                    mean_in_station: io.station_area() / sim.cfg.duration.as_nanos() as f64,
                    submitted: io.submitted,
                    shed: io.shed,
                    never_completed_fraction: if io.submitted > 0 {
                        io.submitted.saturating_sub(r.completed) as f64 / io.submitted as f64
                    } else {
                        0.0
                    },
                    overloaded_at_seconds: io.overloaded_at.map(|t| t.as_secs_f64()),
                    charged_bytes_per_second: io.charged_bytes as f64 / secs,
                    copy_on_write_bytes: io.cow_bytes,
                }
            }),
            trace: sim.cfg.volumes[i].trace.as_ref().map(|t| t.stats()),
        });
    }
    let group_of: Vec<String> = sim.cfg.volumes.iter().map(|v| v.group.clone()).collect();
    let (volume_groups, fleet) =
        rollups(&volumes, &group_of, &sim.records, sim.storage_points(), end);
    let summary = RunSummary {
        schema_version: SUMMARY_SCHEMA_VERSION,
        snapsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: meta.scenario,
        description: meta.description,
        seed: sim.cfg.seed,
        simulated_seconds: sim.cfg.duration.as_secs_f64(),
        block_size_bytes: sim.cfg.block_size.0,
        events_processed: events,
        writes_simulated: writes_total,
        timeseries_step_seconds: sim.cfg.timeseries_step.as_secs_f64(),
        usd_per_gb_month: USD_PER_GB_MONTH,
        assumptions: meta.assumptions,
        measurements: measured(sim, meta.measurements),
        pending_seconds: PendingTime::of(&observations(&sim.records, end)),
        verification: sim.cfg.verify.then_some(Verification {
            snapshots_checked: sim.verified,
            mismatched_snapshots: sim.mismatched_snapshots,
            mismatched_blocks: sim.mismatched_blocks,
        }),
        change_tracking: tracking_summary(sim),
        fleet,
        volume_groups,
        volumes_with_existing_snapshot: sim
            .cfg
            .volumes
            .iter()
            .filter(|v| v.existing_snapshot)
            .count() as u64,
        volumes,
        groups: groups_of(sim),
        scenario_source: meta.source,
        command: None,
    };
    RunResult {
        summary,
        snapshots: sim.records.clone(),
        storage: sim.storage_points().to_vec(),
        timeseries: super::series::build(sim, end),
    }
}

/// Which tracking ran, with its sample size.
fn tracking_summary(sim: &Simulation) -> TrackingSummary {
    let requested = match sim.cfg.change_tracking {
        Choice::Auto => "auto",
        Choice::Exact => "exact",
        Choice::Statistical(_) => "statistical",
    };
    let fractions = sim
        .volumes
        .iter()
        .filter_map(|vs| vs.state.sample.as_ref())
        .map(|s| s.slots() as f64 / s.blocks() as f64);
    let range = fractions.fold(None, |acc: Option<[f64; 2]>, f| {
        Some(acc.map_or([f, f], |[a, b]| [a.min(f), b.max(f)]))
    });
    let (method, samples, rate) = match sim.method {
        Method::Exact => ("exact", None, None),
        Method::Sampled(SampleSize::Blocks(n)) => ("statistical", Some(u64::from(n)), None),
        Method::Sampled(SampleSize::Rate(r)) => ("statistical", None, Some(r)),
    };
    TrackingSummary {
        method: method.into(),
        requested: requested.into(),
        samples_per_volume: samples,
        sampling_rate: rate,
        sampled_fraction_range: range,
        description: sim.method.describe(),
    }
}

/// Per multi-volume set: requests accepted, sets completed, set durations.
fn groups_of(sim: &Simulation) -> Vec<GroupSummary> {
    let end = SimTime::ZERO + sim.cfg.duration;
    sim.cfg
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let prefix = format!("set-{}-", group.name);
            let mut sets: std::collections::BTreeMap<&str, (SimTime, Option<SimTime>)> =
                Default::default();
            for r in sim.records.iter().filter(|r| r.snapshot_id.is_some()) {
                if let Some(id) = r.set_id.as_deref().filter(|id| id.starts_with(&prefix)) {
                    sets.insert(id, (r.requested_at, r.set_completed_at));
                }
            }
            let durations: Vec<f64> = sets
                .values()
                .filter_map(|(at, done)| done.map(|d| (d - *at).as_secs_f64()))
                .collect();
            GroupSummary {
                name: group.name.clone(),
                volumes: group
                    .members
                    .iter()
                    .map(|&v| sim.cfg.volumes[v].name.clone())
                    .collect(),
                scheduled: sim.group_books[g].scheduled,
                accepted: sets.len() as u64,
                completed: durations.len() as u64,
                set_duration_seconds: Distribution::of(&durations),
                set_pending_seconds: PendingTime::of(
                    &sets
                        .values()
                        .map(|(at, done)| Observation::between(*at, *done, end))
                        .collect::<Vec<_>>(),
                ),
            }
        })
        .collect()
}

/// Pauses and left-out data of volume `volume`'s requests.
fn consistency_of(sim: &Simulation, volume: usize) -> Option<ConsistencySummary> {
    let v = &sim.cfg.volumes[volume];
    let mode = match v.schedule.consistency {
        Consistency::Crash if v.cache.is_none() => return None,
        Consistency::Crash => "crash",
        Consistency::Freeze { .. } => "freeze",
        Consistency::Unmount { .. } => "unmount",
        Consistency::Stop { .. } => "stop",
    };
    let mut s = ConsistencySummary {
        mode: mode.to_string(),
        ..ConsistencySummary::default()
    };
    for r in sim.records.iter().filter(|r| r.volume == volume) {
        s.pause_seconds_total += r.pause_seconds;
        s.pause_seconds_max = s.pause_seconds_max.max(r.pause_seconds);
        if r.snapshot_id.is_some() {
            s.left_out_bytes_total += r.left_out_bytes;
            s.left_out_bytes_max = s.left_out_bytes_max.max(r.left_out_bytes);
        }
    }
    Some(s)
}

/// Integrates the volume's stored bytes over the run.
fn storage_of(
    sim: &Simulation,
    points: &[&StoragePoint],
    records: &[&SnapshotRecord],
    end: SimTime,
) -> Storage {
    let mut last_t = SimTime::ZERO;
    let mut last_v = 0u64;
    let mut byte_seconds = 0.0;
    let mut max = 0;
    for p in points {
        byte_seconds += last_v as f64 * (p.at - last_t).as_secs_f64();
        last_t = p.at;
        last_v = p.stored_bytes;
        max = max.max(last_v);
    }
    byte_seconds += last_v as f64 * (end - last_t).as_secs_f64();
    let secs = sim.cfg.duration.as_secs_f64();
    let gb_months = byte_seconds / 1e9 / MONTH_SECONDS;
    let (pending_upload_bytes, pending_delta_bytes) = unfinished_bytes(records.iter().copied());
    Storage {
        pending_upload_bytes,
        pending_delta_bytes,
        final_bytes: last_v,
        max_bytes: max,
        mean_bytes: if secs > 0.0 { byte_seconds / secs } else { 0.0 },
        gb_months,
        cost_usd: gb_months * USD_PER_GB_MONTH,
        final_monthly_cost_usd: last_v as f64 / 1e9 * USD_PER_GB_MONTH,
    }
}

/// The measurements with their simulated values: the time pending of each
/// named volume's first accepted snapshot, if it completed.
fn measured(
    sim: &Simulation,
    rows: Vec<crate::metrics::summary::Measurement>,
) -> Vec<crate::metrics::summary::Measurement> {
    rows.into_iter()
        .map(|mut m| {
            let volume = sim.cfg.volumes.iter().position(|v| v.name == m.volume);
            let first = sim
                .records
                .iter()
                .filter(|r| Some(r.volume) == volume && r.snapshot_id.is_some())
                .min_by_key(|r| r.requested_at);
            m.simulated_seconds =
                first.and_then(|r| r.completed_at.map(|c| (c - r.requested_at).as_secs_f64()));
            m.inside_range = m
                .range_seconds
                .map(|[lo, hi]| m.simulated_seconds.is_some_and(|s| (lo..=hi).contains(&s)));
            m
        })
        .collect()
}
