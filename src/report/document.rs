//! What the report says: scenario and key parameters, the headline answers
//! (snapshot durations, snapshot sets, limit rejections, consistency pauses
//! and data left out, latency degradation, storage and cost; sets and pauses
//! only for runs that have them, see [`super::consistency`]), the charts,
//! the assumptions with their sources, and how to reproduce the run. Built
//! as [`Block`]s from [`ReportData`] only, so the Markdown and HTML reports
//! agree and depend on the result files alone.
//!
//! Every headline number is printed from `summary.json` as read back (not
//! recomputed), with seconds to one decimal beside the human form, so a test
//! can check the report against the summary.
//!
//! A fleet (more than [`FLEET_ABOVE`] volumes) gets a Fleet section (the
//! volume-group roll-ups of `summary.json` and the fleet figures), and its
//! headline tables have one row per volume group and one for the fleet
//! instead of one per volume: a thousand rows answer nothing, and every
//! volume's own numbers stay in `summary.json`.

use super::consistency;
use super::data::ReportData;
use super::fleet::{groups, is_fleet, FLEET_ABOVE};
use super::markup::Block;
use super::table::{human_bytes, human_seconds};
use super::verdict::{quantile_cell, verdict};
use super::ReportOptions;
use crate::metrics::summary::{PendingTime, Quantile, Requests, SnapshotCounts, Storage};
use crate::metrics::window::{clock_text, Attempt, BackupWindow, WindowCounts};
use serde_json::Value;
use std::collections::BTreeSet;

/// A duration as `58m24s (3504.1 s)`.
pub fn seconds_cell(s: f64) -> String {
    format!("{} ({s:.1} s)", human_seconds(s))
}

/// A latency [µs] as `1562.6 µs`, or, from one second on, as
/// `14m36s (876.2 s)`: overloaded runs reach minutes, where microseconds
/// stop being readable.
pub fn latency_cell(us: f64) -> String {
    if us < 1e6 {
        format!("{us:.1} µs")
    } else {
        seconds_cell(us / 1e6)
    }
}

/// A byte count as `12.0 GiB (12884901888 B)`.
pub fn bytes_cell(b: u64) -> String {
    format!("{} ({b} B)", human_bytes(b as f64))
}

/// The report's blocks; `charts` (the Charts section) and `fleet_charts`
/// (the Fleet section, empty unless the run is a fleet) are
/// (stem, caption, svg) in report order.
pub fn blocks(
    data: &ReportData,
    opts: &ReportOptions,
    charts: Vec<(String, String, String)>,
    fleet_charts: Vec<(String, String, String)>,
) -> Vec<Block> {
    let s = &data.summary;
    let mut b = vec![Block::Heading(
        1,
        format!("Snapshot report: {}", s.scenario),
    )];
    if !s.description.is_empty() {
        b.push(Block::Para(s.description.clone()));
    }
    b.push(Block::Para(format!(
        "Seed {} · {} simulated ({} s) · {} volume{} · {} snapshot requests · snapsim {} (summary schema {})",
        s.seed,
        human_seconds(s.simulated_seconds),
        s.simulated_seconds,
        s.volumes.len(),
        if s.volumes.len() == 1 { "" } else { "s" },
        data.snapshots.len(),
        s.snapsim_version,
        s.schema_version,
    )));
    b.push(Block::Para(format!("Verdict: {}", verdict(s))));
    super::measured::section(&mut b, s);
    ledger(&mut b, data);
    parameters(&mut b, data);
    b.push(Block::Heading(2, "Headline answers".into()));
    if is_fleet(data) {
        b.push(Block::Para(format!(
            "With {} volumes (more than {FLEET_ABOVE}), the tables below have one row per volume \
             group (the scenario entry its volumes come from) and one for the whole fleet; every \
             volume's own numbers are in `summary.json` (`volumes`), not in this report.",
            s.volumes.len()
        )));
    }
    durations(&mut b, data, opts);
    consistency::sets(&mut b, data);
    rejections(&mut b, data);
    consistency::pauses(&mut b, data);
    latency(&mut b, data);
    storage(&mut b, data);
    if is_fleet(data) {
        fleet(&mut b, data, fleet_charts);
    }
    if !charts.is_empty() {
        b.push(Block::Heading(2, "Charts".into()));
        for (stem, caption, svg) in charts {
            b.push(Block::Chart { stem, caption, svg });
        }
    }
    assumptions(&mut b, data);
    reproduce(&mut b, data, opts);
    b
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The value as text, or `default` when absent.
fn text_or(v: Option<&Value>, default: &str) -> String {
    match v {
        None | Some(Value::Null) => default.into(),
        some => text(some),
    }
}

fn parameters(b: &mut Vec<Block>, data: &ReportData) {
    let src = &data.summary.scenario_source;
    b.push(Block::Heading(2, "Scenario and key parameters".into()));
    let t = src.get("transfer");
    let pools = t
        .and_then(|t| t.get("pools"))
        .and_then(Value::as_array)
        .map(|p| {
            p.iter()
                .map(|p| format!("{} at {}", text(p.get("name")), text(p.get("rate"))))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "none".into());
    b.push(Block::List(vec![
        format!("Simulated horizon: `{}`", text(src.get("duration"))),
        format!(
            "Upload caps: per snapshot `{}`, per volume `{}`, sharing `{}`, pools: {pools}",
            text_or(t.and_then(|t| t.get("per_snapshot")), "42MiB/s (default)"),
            text_or(t.and_then(|t| t.get("per_volume")), "no cap"),
            text_or(t.and_then(|t| t.get("sharing")), "fair"),
        ),
        format!(
            "Block size {} · storage price ${} per GB-month · time-series step {} s",
            human_bytes(data.summary.block_size_bytes as f64),
            data.summary.usd_per_gb_month,
            data.summary.timeseries_step_seconds
        ),
    ]));
    let header = [
        "volume", "count", "type", "size", "used", "IOPS", "writes", "schedule", "on limit",
        "retain",
    ];
    let rows = src
        .get("volumes")
        .and_then(Value::as_array)
        .map(|vols| {
            vols.iter()
                .map(|v| {
                    let w = v.get("workload").and_then(|w| w.get("writes"));
                    // A set's members take the set's schedule, not one of their own.
                    let set = match v.get("snapshots") {
                        None => set_of(
                            src,
                            &text(v.get("name")),
                            v.get("count").and_then(Value::as_u64).unwrap_or(1) > 1,
                        ),
                        Some(_) => None,
                    };
                    let sn = v
                        .get("snapshots")
                        .or_else(|| set.and_then(|g| g.get("snapshots")));
                    let mut schedule = match sn {
                        None => "none".to_string(),
                        Some(sn) => match sn.get("every") {
                            Some(e) => format!("every {}", text(Some(e))),
                            None => format!(
                                "{} explicit times",
                                sn.get("at").and_then(Value::as_array).map_or(0, Vec::len)
                            ),
                        },
                    };
                    if let Some(g) = set {
                        schedule = format!("{schedule} (set `{}`)", text(g.get("name")));
                    }
                    vec![
                        text(v.get("name")),
                        text_or(v.get("count"), "1"),
                        text(v.get("type")),
                        text(v.get("size")),
                        text_or(v.get("used"), "0B"),
                        text_or(v.get("iops"), "per type"),
                        w.map_or("none".into(), |w| {
                            format!("{} × {}", text(w.get("rate")), text(w.get("size")))
                        }),
                        schedule,
                        text_or(sn.and_then(|s| s.get("on_limit")), "fail"),
                        text_or(sn.and_then(|s| s.get("retain")), "all"),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    b.push(Block::Table(
        header.iter().map(|h| h.to_string()).collect(),
        rows,
    ));
    if let Some(line) = existing_snapshots(&data.summary) {
        b.push(Block::Para(line));
    }
}

/// The sentence on volumes that start with an existing snapshot
/// (`existing_snapshot`), for the report and the terminal table; `None`
/// when no volume does, so other outputs are unchanged.
pub fn existing_snapshots(s: &crate::metrics::RunSummary) -> Option<String> {
    let k = s.volumes_with_existing_snapshot;
    (k > 0).then(|| {
        format!(
            "{k} of {} volume{} start{} with an existing completed snapshot (`existing_snapshot`): their first simulated snapshot is incremental (only the blocks written from the start), and the existing snapshot's `used` bytes are stored from t = 0.",
            s.volumes.len(),
            if s.volumes.len() == 1 { "" } else { "s" },
            if k == 1 { "s" } else { "" },
        )
    })
}

/// The entry of the scenario's `groups` (multi-volume snapshot sets) that
/// holds the volume entry `name`: the name itself or, for an entry with
/// `count` above 1 (`copies`), one of its `name-N` copies.
fn set_of<'a>(src: &'a Value, name: &str, copies: bool) -> Option<&'a Value> {
    let copy_of = |member: &str| {
        member == name
            || copies
                && member
                    .strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
    };
    src.get("groups")?.as_array()?.iter().find(|g| {
        g.get("volumes")
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().filter_map(Value::as_str).any(copy_of))
    })
}

/// One row of a headline table: a volume or, for a fleet, a volume group
/// or the whole fleet.
struct Part<'a> {
    name: String,
    requests: &'a Requests,
    snapshots: &'a SnapshotCounts,
    pending: Option<&'a PendingTime>,
    storage: &'a Storage,
    /// Indices of its volumes in `summary.volumes`.
    members: Vec<usize>,
}

/// The rows of the headline tables: every volume or, for a fleet, every
/// volume group (`name (count)`) and then the fleet.
fn parts(data: &ReportData) -> Vec<Part<'_>> {
    let s = &data.summary;
    if !is_fleet(data) {
        return s
            .volumes
            .iter()
            .enumerate()
            .map(|(k, v)| Part {
                name: v.name.clone(),
                requests: &v.requests,
                snapshots: &v.snapshots,
                pending: v.pending_seconds.as_ref(),
                storage: &v.storage,
                members: vec![k],
            })
            .collect();
    }
    let g = groups(data);
    let rollups = s
        .volume_groups
        .iter()
        .enumerate()
        .map(|(k, r)| (r, k, false));
    rollups
        .chain(std::iter::once((&s.fleet, usize::MAX, true)))
        .map(|(r, k, whole)| Part {
            name: format!("{} ({})", r.name, r.count),
            requests: &r.requests,
            snapshots: &r.snapshots,
            pending: r.pending_seconds.as_ref(),
            storage: &r.storage,
            members: (0..s.volumes.len())
                .filter(|&i| whole || g.of_volume[i] == k)
                .collect(),
        })
        .collect()
}

/// The first column's header: `volume`, or for a fleet `group (volumes)`.
fn part_header(data: &ReportData) -> String {
    if is_fleet(data) {
        "group (volumes)".into()
    } else {
        "volume".into()
    }
}

fn durations(b: &mut Vec<Block>, data: &ReportData, opts: &ReportOptions) {
    b.push(Block::Heading(
        3,
        "How long are snapshots pending? (request to completed)".into(),
    ));
    b.push(Block::Para(
        "Quantiles are Kaplan–Meier estimates over every accepted snapshot: a snapshot still \
         pending when the run ended counts as pending for at least the end minus its request \
         time (right-censored), not as missing. `> X` means the estimate does not reach that \
         level before the largest observation, which is unfinished: the value is more than X, \
         and the unfinished count stands beside it."
            .into(),
    ));
    let mut header: Vec<String> = [
        "volume",
        "completed",
        "unfinished at end",
        "p50",
        "p95",
        "p99",
        "max",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header[0] = part_header(data);
    if let Some(w) = &opts.backup_window {
        header.push(window_header(w));
    }
    let rows = parts(data)
        .iter()
        .map(|v| {
            let p = v.pending;
            let cell = |f: fn(&PendingTime) -> Quantile| {
                p.map_or("-".to_string(), |p| {
                    let q = f(p);
                    if q.is_lower_bound() {
                        format!("{}, {} unfinished", quantile_cell(q), p.unfinished)
                    } else {
                        quantile_cell(q)
                    }
                })
            };
            let mut row = vec![
                v.name.clone(),
                p.map_or(0, |p| p.completed).to_string(),
                p.map_or(0, |p| p.unfinished).to_string(),
                cell(|p| p.p50),
                cell(|p| p.p95),
                cell(|p| p.p99),
                cell(|p| p.max),
            ];
            if let Some(w) = &opts.backup_window {
                row.push(within_window(data, &v.members, w));
            }
            row
        })
        .collect();
    b.push(Block::Table(header, rows));
}

/// The window column's header: `within 4h00m` or `in 01:00–05:00 UTC`.
fn window_header(w: &BackupWindow) -> String {
    match *w {
        BackupWindow::Within { seconds } => format!("within {}", human_seconds(seconds)),
        BackupWindow::Clock { open, close } => {
            format!("in {}–{} UTC", clock_text(open), clock_text(close))
        }
    }
}

/// `22 of 24`; for a clock window `(2 requested outside the window)`; and
/// for snapshots still pending at the end, which came before their deadline,
/// `(1 undecided: still pending, the window had not closed at the end)`:
/// they may yet finish inside the window. Unfinished snapshots never count
/// as inside.
fn within_window(data: &ReportData, members: &[usize], w: &BackupWindow) -> String {
    let end = data.summary.simulated_seconds;
    let clock = data.clock_at_zero();
    let mut member = vec![false; data.summary.volumes.len()];
    for &k in members {
        member[k] = true;
    }
    let c = WindowCounts::of(
        data.snapshots
            .iter()
            .filter(|r| member.get(r.volume) == Some(&true) && r.is_accepted())
            .map(|r| {
                let a = Attempt {
                    requested: r.requested_at,
                    completed: r.completed_at,
                    duration: r.duration_seconds,
                };
                w.assess(clock, a, end)
            }),
    );
    let mut cell = format!("{} of {}", c.met, c.accepted);
    if c.requested_outside > 0 {
        cell.push_str(&format!(
            " ({} requested outside the window)",
            c.requested_outside
        ));
    }
    if c.undecided > 0 {
        let why = match *w {
            BackupWindow::Within { seconds } => {
                format!(
                    "requested less than {} before the end",
                    human_seconds(seconds)
                )
            }
            BackupWindow::Clock { .. } => "the window had not closed at the end".into(),
        };
        cell.push_str(&format!(
            " ({} undecided: still pending, {why})",
            c.undecided
        ));
    }
    cell
}

fn rejections(b: &mut Vec<Block>, data: &ReportData) {
    b.push(Block::Heading(3, "Do requests hit the limits?".into()));
    let vols = &data.summary.volumes;
    let parts = parts(data);
    let codes: BTreeSet<&str> = parts
        .iter()
        .flat_map(|v| v.requests.rejected.keys().map(String::as_str))
        .collect();
    let total: u64 = vols.iter().flat_map(|v| v.requests.rejected.values()).sum();
    let by = if is_fleet(data) {
        "volume group"
    } else {
        "volume"
    };
    b.push(Block::Para(if total == 0 {
        "No request was rejected.".into()
    } else {
        format!("{total} CreateSnapshot calls were rejected in all; by {by} and error code:")
    }));
    let mut header: Vec<String> = ["volume", "calls", "accepted"]
        .iter()
        .map(|h| h.to_string())
        .collect();
    header[0] = part_header(data);
    header.extend(codes.iter().map(|c| format!("`{c}`")));
    header.extend(
        ["retries", "failed", "skipped", "most pending / limit"]
            .iter()
            .map(|h| h.to_string()),
    );
    let rows = parts
        .iter()
        .map(|v| {
            let r = v.requests;
            let mut row = vec![v.name.clone(), r.calls.to_string(), r.accepted.to_string()];
            row.extend(
                codes
                    .iter()
                    .map(|c| r.rejected.get(*c).copied().unwrap_or(0).to_string()),
            );
            row.extend([
                r.retries.to_string(),
                r.failed.to_string(),
                r.skipped.to_string(),
                format!("{} / {}", v.snapshots.max_pending, limits(data, &v.members)),
            ]);
            row
        })
        .collect();
    b.push(Block::Table(header, rows));
}

/// The pending limit of `members`: one number, or `lo–hi` when they differ.
fn limits(data: &ReportData, members: &[usize]) -> String {
    let l = members
        .iter()
        .map(|&k| data.summary.volumes[k].pending_limit);
    match (l.clone().min(), l.max()) {
        (Some(lo), Some(hi)) if lo < hi => format!("{lo}–{hi}"),
        (Some(lo), _) => lo.to_string(),
        _ => "-".into(),
    }
}

fn ratio(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("×{x:.2}"))
}

fn latency(b: &mut Vec<Block>, data: &ReportData) {
    b.push(Block::Heading(
        3,
        "How much do pending snapshots slow IO?".into(),
    ));
    if !data.has_latency() {
        b.push(Block::Para(
            "Not available for this run: it was simulated at flow fidelity, which models \
             snapshot durations, limits and storage but not foreground IO latency. Runs \
             simulated at IO fidelity (`\"fidelity\": \"io\"` in the scenario) show percentiles by \
             pending level here."
                .into(),
        ));
        return;
    }
    if is_fleet(data) {
        b.push(Block::Para(format!(
            "Latency by pending level is measured per volume; with {} volumes its tables are \
             left to `summary.json` (`volumes[].latency`).",
            data.summary.volumes.len()
        )));
        return;
    }
    for v in &data.summary.volumes {
        let Some(ops) = &v.latency else { continue };
        for op in ops {
            let short = op.credits_exhausted.as_ref();
            let mut para = format!(
                "Volume `{}`, {}s: latency by snapshots pending at arrival, and the ratio to none pending.",
                v.name, op.op
            );
            if let Some(c) = short {
                let waited: u64 = c.levels.iter().map(|l| l.count).sum();
                let all = waited + op.levels.iter().map(|l| l.count).sum::<u64>();
                para.push_str(&format!(
                    " The volume ran out of burst credits: {waited} of the {all} {}s waited for \
                     credits. They are the rows marked `exhausted`, with ratios to none pending \
                     with credits available; the `available` rows leave them out, so their \
                     ratios show what pending snapshots cost and the `exhausted` rows what the \
                     empty credits cost.",
                    op.op
                ));
            }
            b.push(Block::Para(para));
            let mut header = vec![
                "pending",
                "IOs",
                "p50",
                "p99",
                "p99.9",
                "mean ratio",
                "p50 ratio",
                "p99 ratio",
                "p99.9 ratio",
            ];
            if short.is_some() {
                header.insert(0, "burst credits");
            }
            let mut rows: Vec<Vec<String>> = Vec::new();
            for (state, levels, degradation, none) in [
                ("available", &op.levels, &op.degradation, "×1.00"),
                (
                    "exhausted",
                    short.map_or(&op.levels, |c| &c.levels),
                    short.map_or(&op.degradation, |c| &c.degradation),
                    "-",
                ),
            ] {
                if state == "exhausted" && short.is_none() {
                    break;
                }
                for l in levels {
                    let d = degradation.iter().find(|d| d.pending == l.pending);
                    let mut row = vec![
                        l.pending.to_string(),
                        l.count.to_string(),
                        latency_cell(l.p50_us),
                        latency_cell(l.p99_us),
                        latency_cell(l.p999_us),
                        d.map_or(none.into(), |d| ratio(d.mean)),
                        d.map_or(none.into(), |d| ratio(d.p50)),
                        d.map_or(none.into(), |d| ratio(d.p99)),
                        d.map_or(none.into(), |d| ratio(d.p999)),
                    ];
                    if short.is_some() {
                        row.insert(0, format!("`{state}`"));
                    }
                    rows.push(row);
                }
            }
            b.push(Block::Table(
                header.iter().map(|h| h.to_string()).collect(),
                rows,
            ));
        }
    }
}

fn storage(b: &mut Vec<Block>, data: &ReportData) {
    b.push(Block::Heading(
        3,
        "What does the snapshot storage cost?".into(),
    ));
    b.push(Block::Para(
        "Stored bytes and costs count a snapshot's delta once it completes. At the end of the \
         run, the snapshots still pending had the last two columns outstanding: bytes not yet \
         uploaded, and their whole deltas, which storage and cost will include once they \
         complete."
            .into(),
    ));
    let header = [
        "volume",
        "stored at end",
        "most stored",
        "mean stored",
        "GB-months",
        "cost over the run [USD]",
        "monthly cost at end [USD/month]",
        "still to upload at end",
        "unfinished deltas, not yet stored",
    ];
    let vols = &data.summary.volumes;
    let mut header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    header[0] = part_header(data);
    let mut rows: Vec<Vec<String>> = parts(data)
        .iter()
        .map(|v| {
            let s = v.storage;
            vec![
                v.name.clone(),
                bytes_cell(s.final_bytes),
                human_bytes(s.max_bytes as f64),
                human_bytes(s.mean_bytes),
                format!("{:.3}", s.gb_months),
                format!("{:.2}", s.cost_usd),
                format!("{:.2}", s.final_monthly_cost_usd),
                bytes_cell(s.pending_upload_bytes),
                bytes_cell(s.pending_delta_bytes),
            ]
        })
        .collect();
    // A fleet's last row is the fleet roll-up, whose most stored is the
    // peak of the sum.
    if vols.len() > 1 && !is_fleet(data) {
        let final_bytes: u64 = vols.iter().map(|v| v.storage.final_bytes).sum();
        rows.push(vec![
            "total".into(),
            bytes_cell(final_bytes),
            "-".into(),
            human_bytes(vols.iter().map(|v| v.storage.mean_bytes).sum()),
            format!(
                "{:.3}",
                vols.iter().map(|v| v.storage.gb_months).sum::<f64>()
            ),
            format!(
                "{:.2}",
                vols.iter().map(|v| v.storage.cost_usd).sum::<f64>()
            ),
            format!(
                "{:.2}",
                vols.iter()
                    .map(|v| v.storage.final_monthly_cost_usd)
                    .sum::<f64>()
            ),
            bytes_cell(vols.iter().map(|v| v.storage.pending_upload_bytes).sum()),
            bytes_cell(vols.iter().map(|v| v.storage.pending_delta_bytes).sum()),
        ]);
    }
    b.push(Block::Table(header, rows));
}

/// The Fleet section: the volume-group roll-ups of `summary.json`, the
/// fleet row, and the fleet figures.
fn fleet(b: &mut Vec<Block>, data: &ReportData, charts: Vec<(String, String, String)>) {
    let s = &data.summary;
    b.push(Block::Heading(2, "Fleet".into()));
    b.push(Block::Para(format!(
        "{} volumes in {} volume groups (one per scenario entry), from `volume_groups` and \
         `fleet` in `summary.json`; the per-volume detail is in `summary.json` only. Time \
         pending (request to completed) is a Kaplan–Meier estimate over every accepted snapshot \
         of the group, unfinished ones censored at the end: `> X` means more than X. Done: \
         completed (including later deleted); unfinished: still pending at the end; stored: \
         at the end; to upload: delta bytes unfinished snapshots had not uploaded.",
        s.volumes.len(),
        s.volume_groups.len()
    )));
    let header = [
        "group",
        "count",
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
    ];
    let rows = s
        .volume_groups
        .iter()
        .chain(std::iter::once(&s.fleet))
        .map(|g| {
            let q = |f: fn(&PendingTime) -> Quantile| {
                g.pending_seconds
                    .as_ref()
                    .map_or("-".to_string(), |p| quantile_cell(f(p)))
            };
            vec![
                g.name.clone(),
                g.count.to_string(),
                g.kind.clone(),
                (g.snapshots.completed + g.snapshots.deleted).to_string(),
                g.snapshots.pending_at_end.to_string(),
                g.requests.rejected.values().sum::<u64>().to_string(),
                g.requests.failed.to_string(),
                g.requests.skipped.to_string(),
                q(|p| p.p50),
                q(|p| p.p95),
                q(|p| p.p99),
                q(|p| p.max),
                g.mean_delta_bytes.map_or("-".into(), human_bytes),
                bytes_cell(g.storage.final_bytes),
                bytes_cell(g.storage.pending_upload_bytes),
                format!("{:.2}", g.storage.final_monthly_cost_usd),
            ]
        })
        .collect();
    b.push(Block::Table(
        header.iter().map(|h| h.to_string()).collect(),
        rows,
    ));
    for (stem, caption, svg) in charts {
        b.push(Block::Chart { stem, caption, svg });
    }
}

/// The assumptions ledger of `summary.json`, at the top of the report.
fn ledger(b: &mut Vec<Block>, data: &ReportData) {
    let l = &data.summary.assumptions;
    b.push(Block::Heading(2, "Assumptions this answer rests on".into()));
    if l.is_empty() {
        b.push(Block::Para(
            "The summary lists no assumptions (the run was made without a scenario file's \
             ledger)."
                .into(),
        ));
        return;
    }
    let defaults = l
        .iter()
        .filter(|a| a.source == crate::metrics::summary::AssumptionSource::Default)
        .count();
    b.push(Block::Para(format!(
        "AWS does not document these {} values; the answer above holds only as far as they do. \
         Source `scenario`: the scenario file sets it; `default`: snapsim's default applies \
         ({defaults} of them). The evidence names its public sources; their addresses are listed \
         under \"Sources\" in snapsim's README.",
        l.len()
    )));
    b.push(Block::Table(
        ["key", "value", "source", "evidence", "range"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        l.iter()
            .map(|a| {
                vec![
                    format!("`{}`", a.key),
                    a.value.clone(),
                    a.source.as_str().to_string(),
                    a.evidence.clone(),
                    a.range.clone(),
                ]
            })
            .collect(),
    ));
}

fn assumptions(b: &mut Vec<Block>, data: &ReportData) {
    b.push(Block::Heading(2, "Assumptions and defaults".into()));
    b.push(Block::Para(
        "Each item names the public source it follows; their addresses are listed under \
         \"Sources\" in snapsim's README."
            .into(),
    ));
    let mut items = vec![
        format!(
            "Changes are tracked in {} blocks, the snapshot block size of the EBS direct APIs (AWS \
             docs, ebs-accessing-snapshot); the first snapshot holds every written block and never \
             the unwritten ones (AWS docs, EBSSnapshots).",
            human_bytes(data.summary.block_size_bytes as f64)
        ),
        "A volume holds at most 5 pending snapshots (1 for st1/sc1); one more request is rejected \
         with `ConcurrentSnapshotLimitExceeded` (AWS docs, ebs-creating-snapshot)."
            .into(),
        "A request less than 15 s after the previous CreateSnapshot call on the volume is rejected \
         with `SnapshotCreationPerVolumeRateExceeded` (AWS Knowledge Center, ebs-snapshot-stuck)."
            .into(),
        "A snapshot completes once its delta is uploaded and every older snapshot of the volume \
         has completed (AWS Knowledge Center, ebs-snapshot-stuck)."
            .into(),
        "AWS publishes no upload rate; the default 42 MiB/s per snapshot sits in the 33–56 MB/s \
         measured for full gp3 snapshots (PingCAP docs, backup-restore-snapshot-perf)."
            .into(),
        format!(
            "Deleting a snapshot frees only blocks no retained snapshot references (AWS docs, \
             ebs-deleting-snapshot); storage costs ${} per GB-month, GB = 10^9 B, month = 730 h \
             (us-east-1 standard tier; AWS docs, snapshot-archive-pricing).",
            data.summary.usd_per_gb_month
        ),
        "Copy-on-write copies are counted; their latency cost and foreground IO are modelled \
         only at IO fidelity."
            .into(),
    ];
    if data.has_consistency() {
        items.push(
            "A snapshot holds only data already on the volume at its point in time, not the \
             guest's cache (crash-consistent); freeze and unmount may end as soon as the \
             snapshot is `pending`; a root volume is snapshotted with its instance stopped \
             (all three: AWS docs, ebs-creating-snapshot)."
                .into(),
        );
    }
    if data.has_sets() {
        items.push(
            "A multi-volume snapshot set (`CreateSnapshots`) is crash-consistent across its \
             members, at most 40 volumes, and accepted or rejected as a whole (AWS docs, \
             ebs-creating-snapshot)."
                .into(),
        );
    }
    b.push(Block::List(items));
}

fn reproduce(b: &mut Vec<Block>, data: &ReportData, opts: &ReportOptions) {
    let s = &data.summary;
    b.push(Block::Heading(2, "Reproduce".into()));
    let window = opts
        .backup_window
        .map(|w| format!(" --backup-window {}", w.to_arg()))
        .unwrap_or_default();
    let folder = opts.folder.as_deref().map_or("DIR".into(), shell_word);
    let again = format!(
        "snapsim report {folder}{window}   # charts and report again, from the saved files"
    );
    match &s.command {
        Some(command) => {
            b.push(Block::Para(
                "The run is deterministic: the same command line gives byte-identical results. \
                 These results were made with this command (paths as given, from the directory \
                 it ran in):"
                    .into(),
            ));
            b.push(Block::Code(format!("{command}\n{again}")));
        }
        None => {
            b.push(Block::Para(format!(
                "The run is deterministic: the same scenario and seed give byte-identical \
                 results. The command line was not recorded (a program wrote these results \
                 through the snapsim library); with the scenario file `{}.json`, say:",
                s.scenario
            )));
            b.push(Block::Code(format!(
                "snapsim run {name}.json --seed {seed}{window}\n{again}",
                name = shell_word(&s.scenario),
                seed = s.seed,
            )));
        }
    }
}

/// `text` as one POSIX shell word: as is when it holds only characters no
/// shell treats specially, else single-quoted.
pub fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
