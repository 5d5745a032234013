//! The short human summary printed after a run.

use super::verdict::{quantile_human, verdict};
use crate::metrics::summary::{AssumptionSource, PendingTime, Quantile};
use crate::metrics::summary::{Requests, SnapshotCounts, Storage};
use crate::metrics::RunSummary;
use std::fmt::Write as _;
use std::time::Duration;

/// A duration in seconds as `45.2s`, `12m30s`, `3h05m` or `2d04h`.
pub fn human_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    let whole = s.round() as u64;
    if s < 60.0 {
        format!("{s:.1}s")
    } else if whole < 3600 {
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else if whole < 86_400 {
        format!("{}h{:02}m", whole / 3600, (whole % 3600) / 60)
    } else {
        format!("{}d{:02}h", whole / 86_400, (whole % 86_400) / 3600)
    }
}

/// Bytes in the largest binary unit that keeps at least 1 (`12.5 GiB`).
pub fn human_bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Large counts as `1.23 M`, `45.6 k`.
pub fn human_count(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.2} G", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.2} M", n / 1e6)
    } else if n >= 1e4 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

/// Beyond this many volumes the table has one row per volume group and
/// one for the fleet by default.
pub const GROUP_ROWS_ABOVE: usize = 12;

/// One row of the table.
#[allow(clippy::too_many_arguments)]
fn cells(
    name: &str,
    kind: &str,
    requests: &Requests,
    snapshots: &SnapshotCounts,
    pending: Option<&PendingTime>,
    mean_delta: Option<f64>,
    storage: &Storage,
    cow: u64,
) -> Vec<String> {
    let rejected: u64 = requests.rejected.values().sum();
    let q =
        |f: fn(&PendingTime) -> Quantile| pending.map_or("-".to_string(), |p| quantile_human(f(p)));
    vec![
        name.to_string(),
        kind.to_string(),
        (snapshots.completed + snapshots.deleted).to_string(),
        snapshots.pending_at_end.to_string(),
        rejected.to_string(),
        requests.failed.to_string(),
        requests.skipped.to_string(),
        q(|p| p.p50),
        q(|p| p.p95),
        q(|p| p.p99),
        q(|p| p.max),
        mean_delta.map_or("-".into(), human_bytes),
        human_bytes(storage.final_bytes as f64),
        human_bytes(storage.pending_upload_bytes as f64),
        format!("{:.2}", storage.final_monthly_cost_usd),
        human_count(cow as f64),
    ]
}

/// The table: one row per volume (or per group, for fleets), then totals
/// and the wall-clock speed.
pub fn summary_table(s: &RunSummary, wall: Duration, by_volume: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} (seed {}, {} simulated)",
        s.scenario,
        if s.description.is_empty() {
            "-"
        } else {
            &s.description
        },
        s.seed,
        human_seconds(s.simulated_seconds)
    );
    let header = [
        "volume",
        "type",
        "done",
        "unfinished",
        "rejected",
        "failed",
        "skipped",
        "p50",
        "p95",
        "p99",
        "max",
        "mean delta",
        "stored",
        "to upload",
        "$/month",
        "CoW",
    ];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    let by_group = !by_volume;
    if by_group {
        rows[0][0] = "group (volumes)".into();
        for g in s.volume_groups.iter().chain([&s.fleet]) {
            rows.push(cells(
                &format!("{} ({})", g.name, g.count),
                &g.kind,
                &g.requests,
                &g.snapshots,
                g.pending_seconds.as_ref(),
                g.mean_delta_bytes,
                &g.storage,
                g.cow_copies,
            ));
        }
    } else {
        for v in &s.volumes {
            rows.push(cells(
                &v.name,
                &v.kind,
                &v.requests,
                &v.snapshots,
                v.pending_seconds.as_ref(),
                v.delta_bytes.as_ref().map(|d| d.mean),
                &v.storage,
                v.cow_copies,
            ));
        }
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let line: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c < 2 {
                    format!("{cell:<w$}", w = widths[c])
                } else {
                    format!("{cell:>w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "  {}", line.join("  ").trim_end());
        if i == 0 {
            let _ = writeln!(
                out,
                "  {}",
                "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1))
            );
        }
    }
    let _ = writeln!(
        out,
        "  (done/unfinished: snapshots completed / still pending at the end; p50 … max: time pending, request to completed,\n   Kaplan–Meier with unfinished snapshots censored at the end, \"> X\": more than X; to upload: delta bytes unfinished snapshots have not uploaded, not in stored)"
    );
    if let Some(line) = super::document::existing_snapshots(s) {
        let _ = writeln!(out, "  ({})", line.trim_end_matches('.'));
    }
    let _ = writeln!(out, "change tracking: {}", s.change_tracking.description);
    if by_group {
        let _ = writeln!(
            out,
            "  ({} volumes in {} groups; --by volume prints one row per volume; every volume is in summary.json)",
            s.volumes.len(),
            s.volume_groups.len()
        );
    }
    let _ = writeln!(out, "verdict: {}", verdict(s));
    for line in super::measured::lines(s) {
        let _ = writeln!(out, "{line}");
    }
    let defaults = s
        .assumptions
        .iter()
        .filter(|a| a.source == AssumptionSource::Default)
        .count();
    let _ = writeln!(
        out,
        "assumptions: this answer rests on {} values AWS does not document ({defaults} of them snapsim defaults); see `assumptions` in summary.json and the top of report.html",
        s.assumptions.len()
    );
    for g in &s.groups {
        let p = g.set_pending_seconds.as_ref();
        let q =
            |f: fn(&PendingTime) -> Quantile| p.map_or("-".to_string(), |p| quantile_human(f(p)));
        let _ = writeln!(
            out,
            "set {} ({}): {} requested, {} accepted, {} complete; set duration (Kaplan–Meier, incomplete sets censored) p50 {} p95 {} p99 {} max {}",
            g.name,
            g.volumes.join(", "),
            g.scheduled,
            g.accepted,
            g.completed,
            q(|p| p.p50),
            q(|p| p.p95),
            q(|p| p.p99),
            q(|p| p.max)
        );
    }
    out.push_str(&degradation_table(s));
    if let Some(v) = &s.verification {
        let _ = writeln!(
            out,
            "verify: {} completed snapshots checked block by block, {} mismatched",
            v.snapshots_checked, v.mismatched_snapshots
        );
    }
    let secs = wall.as_secs_f64().max(1e-9);
    let _ = writeln!(
        out,
        "wall time {:.3} s: {} events ({} events/s), {} writes ({} writes/s)",
        wall.as_secs_f64(),
        human_count(s.events_processed as f64),
        human_count(s.events_processed as f64 / secs),
        human_count(s.writes_simulated as f64),
        human_count(s.writes_simulated as f64 / secs),
    );
    out
}

/// A latency [µs] for the terminal: milliseconds without a unit below one
/// second (`3.87`), then with one (`12.5s`, `14m36s`), so an overloaded
/// volume does not print `876173.33`.
pub fn latency_ms(us: f64) -> String {
    if us < 1e6 {
        format!("{:.2}", us / 1e3)
    } else {
        human_seconds(us / 1e6)
    }
}

/// Latency by pending snapshots (IO fidelity): p50 / p99 / p99.9 in ms (or
/// s, m, h as marked), and the p99 ratio against no snapshot pending.
pub fn degradation_table(s: &RunSummary) -> String {
    let mut out = String::new();
    for v in &s.volumes {
        let Some(ops) = &v.latency else { continue };
        let _ = writeln!(
            out,
            "latency of {} by snapshots pending at arrival (p50 / p99 / p99.9 in ms unless marked s, m or h; p99 ratio to none pending):",
            v.name
        );
        for op in ops {
            let cells: Vec<String> = op
                .levels
                .iter()
                .map(|l| {
                    let ratio = op
                        .degradation
                        .iter()
                        .find(|d| d.pending == l.pending)
                        .and_then(|d| d.p99)
                        .map_or(String::new(), |r| format!(" x{r:.2}"));
                    format!(
                        "{}: {}/{}/{}{}",
                        l.pending,
                        latency_ms(l.p50_us),
                        latency_ms(l.p99_us),
                        latency_ms(l.p999_us),
                        ratio
                    )
                })
                .collect();
            let _ = writeln!(out, "  {:<5} {}", op.op, cells.join("  "));
            if let Some(c) = &op.credits_exhausted {
                let cells: Vec<String> = c
                    .levels
                    .iter()
                    .map(|l| {
                        let ratio = c
                            .degradation
                            .iter()
                            .find(|d| d.pending == l.pending)
                            .and_then(|d| d.p99)
                            .map_or(String::new(), |r| format!(" x{r:.2}"));
                        format!(
                            "{}: {}/{}/{}{}",
                            l.pending,
                            latency_ms(l.p50_us),
                            latency_ms(l.p99_us),
                            latency_ms(l.p999_us),
                            ratio
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "  {:<5} burst credits exhausted (apart from the above): {}",
                    op.op,
                    cells.join("  ")
                );
            }
        }
        let _ = writeln!(out, "  {}", impact_line(ops));
    }
    out
}

/// The application impact line: mean latency of reads and writes together
/// by pending level, and its change from none pending.
fn impact_line(ops: &[crate::metrics::latency::OpLatency]) -> String {
    let means = crate::metrics::latency::all_io_mean(ops);
    let base = means.iter().find(|m| m.0 == 0).map(|m| m.2);
    let cells: Vec<String> = means
        .iter()
        .map(|&(p, _, mean)| match base {
            Some(b) if p > 0 && b > 0.0 => {
                format!(
                    "{p}: {} ({:+.2} %)",
                    latency_ms(mean),
                    (mean / b - 1.0) * 100.0
                )
            }
            _ => format!("{p}: {}", latency_ms(mean)),
        })
        .collect();
    format!(
        "all IO mean (application impact, change from none pending): {}",
        cells.join("  ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(human_seconds(45.24), "45.2s");
        assert_eq!(human_seconds(750.0), "12m30s");
        assert_eq!(human_seconds(8533.3), "2h22m");
        assert_eq!(human_seconds(90_000.0), "1d01h");
        assert_eq!(human_bytes(512.0), "512 B");
        assert_eq!(human_bytes(1.5 * 1024.0 * 1024.0 * 1024.0), "1.5 GiB");
        assert_eq!(human_count(12_345_678.0), "12.35 M");
        assert_eq!(latency_ms(3_870.0), "3.87");
        assert_eq!(latency_ms(999_994.0), "999.99");
        assert_eq!(latency_ms(12_500_000.0), "12.5s");
        assert_eq!(latency_ms(876_173_328.4), "14m36s");
    }
}
