//! A run reduced to a flat list of named numbers: what a sweep keeps of each
//! run (one row of `runs.csv`), and what its statistics and sequential
//! replications work on.
//!
//! The names are part of the sweep outputs' contract. Fixed metrics
//! ([`FIXED_METRICS`]) cover the whole run (all volumes pooled); latency
//! metrics appear only when a volume recorded latency (IO fidelity). A
//! metric that has no value in a run (no snapshot completed, no second
//! snapshot) is absent from its row rather than zero.

use super::window::{Attempt, BackupWindow, WindowOutcome};
use super::{RunResult, SnapshotState};
use crate::engine::SimTime;

/// The metrics every run row may hold, in column order, with their meaning:
/// (name, description with unit).
pub const FIXED_METRICS: &[(&str, &str)] = &[
    ("snapshot_duration_mean_seconds", "mean time pending, request to completed, over the completed snapshots of all volumes only; biased low when snapshots are unfinished, see time_pending_* [s]"),
    ("snapshot_duration_p95_seconds", "95th percentile of the same, completed snapshots only [s]"),
    ("snapshot_duration_max_seconds", "longest of the same, completed snapshots only [s]"),
    ("time_pending_p50_seconds", "Kaplan–Meier median time pending over every accepted snapshot, unfinished ones censored at the end; a lower bound when time_pending_p50_is_lower_bound is 1 [s]"),
    ("time_pending_p95_seconds", "Kaplan–Meier 95th percentile of the same [s]"),
    ("time_pending_p99_seconds", "Kaplan–Meier 99th percentile of the same [s]"),
    ("time_pending_max_seconds", "longest time pending; a lower bound if any snapshot is unfinished [s]"),
    ("time_pending_p50_is_lower_bound", "1 if time_pending_p50_seconds is only a lower bound (the estimate does not reach 50 % within the run), else 0; its mean over runs is the share of runs where it is"),
    ("time_pending_p95_is_lower_bound", "the same for p95"),
    ("time_pending_p99_is_lower_bound", "the same for p99"),
    ("time_pending_max_is_lower_bound", "the same for the maximum (1 when any snapshot is unfinished)"),
    ("snapshots_accepted", "CreateSnapshot calls accepted (snapshots created)"),
    ("fraction_completed", "share of accepted snapshots completed by the end of the run [0, 1]"),
    ("fraction_completed_within_deadline", "share of accepted snapshots that met the sweep's `deadline` (completed within that long of their request, or, for clock times, requested inside a day's window and completed by its close) [0, 1]; only when the sweep sets one"),
    ("snapshots_completed", "snapshots that completed (including those later deleted by retention)"),
    ("snapshots_pending_at_end", "snapshots still pending when the run ended"),
    ("rejections", "CreateSnapshot calls rejected, all error codes"),
    ("rejections_ConcurrentSnapshotLimitExceeded", "calls rejected for the pending-snapshot limit"),
    ("rejections_SnapshotCreationPerVolumeRateExceeded", "calls rejected by the 15 s rule"),
    ("requests_failed", "schedule slots whose last allowed call was rejected"),
    ("requests_skipped", "schedule slots the skip policy did not send"),
    ("cow_copies", "writes that preserved a not-yet-uploaded block"),
    ("stored_bytes_final", "snapshot storage at the end, all volumes [B]"),
    ("stored_bytes_max", "sum over volumes of each volume's peak snapshot storage [B]"),
    ("pending_upload_bytes_final", "delta bytes the snapshots unfinished at the end had not uploaded, all volumes; not in stored_bytes_final [B]"),
    ("storage_cost_usd", "storage cost over the run [USD]"),
    ("final_monthly_cost_usd", "monthly cost of the final storage [USD/month]"),
    ("writes_simulated", "writes simulated, all volumes"),
    ("delta_bytes_mean", "mean delta of accepted snapshots, all volumes [B]"),
    ("second_snapshot_delta_blocks", "mean over volumes with two accepted snapshots of the second one's delta [blocks]; the block-occupancy closed form"),
];

/// Error codes with a rejection column, in [`FIXED_METRICS`] order.
const REJECTION_CODES: [&str; 2] = [
    "ConcurrentSnapshotLimitExceeded",
    "SnapshotCreationPerVolumeRateExceeded",
];

/// Whether `name` is a metric a run row can hold: a fixed one, or a latency
/// metric `latency_{read|write}_p99_us_pending_{k}`,
/// `latency_{read|write}_p99_ratio_pending_{k}` or
/// `latency_all_mean_ratio_pending_{k}` (the application impact: mean
/// latency of reads and writes together against none pending).
pub fn is_metric(name: &str) -> bool {
    if FIXED_METRICS.iter().any(|(n, _)| *n == name) {
        return true;
    }
    const LATENCY: [&str; 5] = [
        "latency_read_p99_us_pending_",
        "latency_write_p99_us_pending_",
        "latency_read_p99_ratio_pending_",
        "latency_write_p99_ratio_pending_",
        "latency_all_mean_ratio_pending_",
    ];
    LATENCY.iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Reduces a run to its metrics row, in [`FIXED_METRICS`] order followed by
/// latency metrics (by volume order, operation, pending level). Latency
/// metrics are averaged over the volumes that have them.
/// `deadline` (the sweep's backup window) adds
/// `fraction_completed_within_deadline`; `clock_at_zero` is the time of day
/// of simulated time zero [s after midnight UTC], for a clock window.
pub fn run_metrics(
    result: &RunResult,
    deadline: Option<&BackupWindow>,
    clock_at_zero: f64,
) -> Vec<(String, f64)> {
    let s = &result.summary;
    let mut durations: Vec<f64> = result
        .snapshots
        .iter()
        .filter_map(|r| r.duration_seconds())
        .collect();
    durations.sort_by(f64::total_cmp);
    let mut row: Vec<(String, f64)> = Vec::new();
    let mut put = |name: &str, v: f64| row.push((name.to_string(), v));
    if !durations.is_empty() {
        let n = durations.len();
        put(
            "snapshot_duration_mean_seconds",
            durations.iter().sum::<f64>() / n as f64,
        );
        put(
            "snapshot_duration_p95_seconds",
            super::stats::quantile_sorted(&durations, 0.95),
        );
        put("snapshot_duration_max_seconds", durations[n - 1]);
    }
    if let Some(p) = &s.pending_seconds {
        let quantiles = [
            ("p50", p.p50),
            ("p95", p.p95),
            ("p99", p.p99),
            ("max", p.max),
        ];
        for (name, q) in quantiles {
            put(&format!("time_pending_{name}_seconds"), q.seconds());
        }
        for (name, q) in quantiles {
            put(
                &format!("time_pending_{name}_is_lower_bound"),
                f64::from(u8::from(q.is_lower_bound())),
            );
        }
        put("snapshots_accepted", p.count as f64);
        put("fraction_completed", p.completed as f64 / p.count as f64);
        if let Some(w) = deadline {
            let end = s.simulated_seconds;
            let within = result
                .snapshots
                .iter()
                .filter(|r| {
                    matches!(
                        r.state,
                        SnapshotState::Pending | SnapshotState::Completed | SnapshotState::Deleted
                    )
                })
                .filter(|r| {
                    let a = Attempt {
                        requested: r.requested_at.as_secs_f64(),
                        completed: r.completed_at.map(SimTime::as_secs_f64),
                        duration: r.duration_seconds(),
                    };
                    w.assess(clock_at_zero, a, end) == WindowOutcome::Met
                })
                .count();
            put(
                "fraction_completed_within_deadline",
                within as f64 / p.count as f64,
            );
        }
    }
    let sum = |f: &dyn Fn(&super::summary::VolumeSummary) -> u64| -> f64 {
        s.volumes.iter().map(f).sum::<u64>() as f64
    };
    put(
        "snapshots_completed",
        sum(&|v| v.snapshots.completed + v.snapshots.deleted),
    );
    put(
        "snapshots_pending_at_end",
        sum(&|v| v.snapshots.pending_at_end),
    );
    put(
        "rejections",
        sum(&|v| v.requests.rejected.values().sum::<u64>()),
    );
    for code in REJECTION_CODES {
        put(
            &format!("rejections_{code}"),
            sum(&|v| v.requests.rejected.get(code).copied().unwrap_or(0)),
        );
    }
    put("requests_failed", sum(&|v| v.requests.failed));
    put("requests_skipped", sum(&|v| v.requests.skipped));
    put("cow_copies", sum(&|v| v.cow_copies));
    put("stored_bytes_final", sum(&|v| v.storage.final_bytes));
    put("stored_bytes_max", sum(&|v| v.storage.max_bytes));
    put(
        "pending_upload_bytes_final",
        sum(&|v| v.storage.pending_upload_bytes),
    );
    put(
        "storage_cost_usd",
        s.volumes.iter().map(|v| v.storage.cost_usd).sum(),
    );
    put(
        "final_monthly_cost_usd",
        s.volumes
            .iter()
            .map(|v| v.storage.final_monthly_cost_usd)
            .sum(),
    );
    put("writes_simulated", s.writes_simulated as f64);
    let accepted = result.snapshots.iter().filter(|r| is_accepted(r.state));
    let (n, total) = accepted.fold((0u64, 0u64), |(n, t), r| (n + 1, t + r.delta_bytes));
    if n > 0 {
        put("delta_bytes_mean", total as f64 / n as f64);
    }
    if let Some(v) = second_snapshot_delta(result) {
        put("second_snapshot_delta_blocks", v);
    }
    row.extend(latency_metrics(result));
    row
}

fn is_accepted(state: SnapshotState) -> bool {
    matches!(
        state,
        SnapshotState::Pending | SnapshotState::Completed | SnapshotState::Deleted
    )
}

/// Mean over volumes of the delta blocks of each volume's second accepted
/// snapshot; `None` if no volume has two.
fn second_snapshot_delta(result: &RunResult) -> Option<f64> {
    let volumes = result.summary.volumes.len();
    let mut seen = vec![0u32; volumes];
    let (mut n, mut total) = (0u64, 0u64);
    for r in result.snapshots.iter().filter(|r| is_accepted(r.state)) {
        if let Some(c) = seen.get_mut(r.volume) {
            *c += 1;
            if *c == 2 {
                n += 1;
                total += r.delta_blocks;
            }
        }
    }
    (n > 0).then(|| total as f64 / n as f64)
}

/// p99 latency and its degradation ratio by operation and pending level,
/// and the all-IO mean ratio by pending level, averaged over the volumes
/// that recorded them.
fn latency_metrics(result: &RunResult) -> Vec<(String, f64)> {
    let mut acc: Vec<(String, f64, u32)> = Vec::new();
    let mut add = |name: String, v: f64| match acc.iter_mut().find(|(n, _, _)| *n == name) {
        Some(e) => {
            e.1 += v;
            e.2 += 1;
        }
        None => acc.push((name, v, 1)),
    };
    for v in &result.summary.volumes {
        for op in v.latency.iter().flatten() {
            for l in &op.levels {
                add(
                    format!("latency_{}_p99_us_pending_{}", op.op, l.pending),
                    l.p99_us,
                );
            }
            for d in &op.degradation {
                if let Some(r) = d.p99 {
                    add(
                        format!("latency_{}_p99_ratio_pending_{}", op.op, d.pending),
                        r,
                    );
                }
            }
        }
        let means = super::latency::all_io_mean(v.latency.as_deref().unwrap_or_default());
        if let Some(&(_, _, base)) = means.iter().find(|m| m.0 == 0).filter(|m| m.2 > 0.0) {
            for &(k, _, mean) in means.iter().filter(|m| m.0 > 0) {
                add(format!("latency_all_mean_ratio_pending_{k}"), mean / base);
            }
        }
    }
    acc.into_iter()
        .map(|(n, v, c)| (n, v / f64::from(c)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_fixed_and_latency_names() {
        assert!(is_metric("snapshot_duration_p95_seconds"));
        assert!(is_metric("latency_write_p99_us_pending_2"));
        assert!(is_metric("latency_read_p99_ratio_pending_10"));
        assert!(!is_metric("latency_write_p99_us_pending_"));
        assert!(!is_metric("snapshot_duration"));
    }
}
