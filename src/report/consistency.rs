//! The report's consistency sections: pauses and data left out per volume
//! (the `consistency` entry of a volume summary), and multi-volume snapshot
//! sets (`groups`). Each appears only when the run has it, so a run with
//! neither renders exactly as it did before these sections existed.
//!
//! Totals, maxima and set durations are printed from `summary.json`, in the
//! same cells as the other headline numbers ([`seconds_cell`],
//! [`bytes_cell`]); only the number of paused requests and which member
//! completed a set last are counted from `snapshots.csv`.

use super::data::ReportData;
use super::document::{bytes_cell, seconds_cell};
use super::markup::Block;
use super::verdict::quantile_cell;
use crate::metrics::summary::{GroupSummary, PendingTime, Quantile};

/// `cell` of a quantity, or `none` when it is zero (a pause in crash mode,
/// data left out by a mode that flushes the cache first).
fn or_none(is_zero: bool, cell: impl FnOnce() -> String) -> String {
    if is_zero {
        "none".into()
    } else {
        cell()
    }
}

/// Pauses and data left out, one row per volume that has either; nothing
/// when no volume does.
pub fn pauses(b: &mut Vec<Block>, data: &ReportData) {
    if !data.has_consistency() {
        return;
    }
    b.push(Block::Heading(
        3,
        "How long is IO paused for a snapshot, and what does a snapshot leave out?".into(),
    ));
    b.push(Block::Para(
        "The consistency mode of each volume's requests (the scenario's `consistency`). `freeze` and `unmount` \
         hold the volume's IO while the guest's write-back cache is flushed (and the file \
         system unmounted) and the request is made, until the snapshot is `pending` (and the \
         volume remounted); `stop` keeps the instance down from its stop until it has started \
         again, and no IO happens meanwhile. A pause [s] is that time for one request: the \
         downtime the application sees. The paused share is the total pause over the \
         simulated time. `crash` pauses nothing, but data still in the guest's write-back cache at the point \
         in time is left out of the snapshot [B]: a volume restored from it lacks that data \
         (the total is over accepted snapshots, the most is of one snapshot)."
            .into(),
    ));
    let header = [
        "volume",
        "mode",
        "paused requests",
        "total pause",
        "longest pause",
        "paused share",
        "left out, total",
        "left out, most in one",
    ];
    let simulated = data.summary.simulated_seconds;
    let rows = data
        .summary
        .volumes
        .iter()
        .enumerate()
        .filter_map(|(k, v)| v.consistency.as_ref().map(|c| (k, v, c)))
        .map(|(k, v, c)| {
            let paused = data
                .snapshots
                .iter()
                .filter(|r| r.volume == k && r.pause_seconds > 0.0)
                .count();
            let no_pause = c.pause_seconds_total == 0.0;
            vec![
                v.name.clone(),
                format!("`{}`", c.mode),
                paused.to_string(),
                or_none(no_pause, || seconds_cell(c.pause_seconds_total)),
                or_none(no_pause, || seconds_cell(c.pause_seconds_max)),
                or_none(no_pause || simulated <= 0.0, || {
                    format!("{:.3} %", 100.0 * c.pause_seconds_total / simulated)
                }),
                or_none(c.left_out_bytes_total == 0, || {
                    bytes_cell(c.left_out_bytes_total)
                }),
                or_none(c.left_out_bytes_max == 0, || {
                    bytes_cell(c.left_out_bytes_max)
                }),
            ]
        })
        .collect();
    b.push(Block::Table(
        header.iter().map(|h| h.to_string()).collect(),
        rows,
    ));
}

/// One row per multi-volume snapshot set; nothing when the run has none.
pub fn sets(b: &mut Vec<Block>, data: &ReportData) {
    if !data.has_sets() {
        return;
    }
    b.push(Block::Heading(
        3,
        "How long until a multi-volume snapshot set is complete?".into(),
    ));
    b.push(Block::Para(
        "A snapshot set (`CreateSnapshots`) gives its member volumes one point in time and is \
         accepted or rejected as a whole. It is complete when its last member's snapshot is, so \
         the set duration [s], from the point in time to that completion, is its slowest \
         member's. Scheduled: schedule slots that came due; accepted: calls that gave every \
         member a snapshot; complete: sets whose every member completed; completed last: the \
         member whose snapshot completed the set, in how many of the complete sets. The \
         percentiles are Kaplan–Meier estimates over every accepted set, those still \
         incomplete at the end counted as censored; `> X` is a lower bound, with the \
         incomplete count beside it."
            .into(),
    ));
    let header = [
        "set",
        "members",
        "scheduled",
        "accepted",
        "complete",
        "p50",
        "p95",
        "p99",
        "max",
        "completed last",
    ];
    let rows = data
        .summary
        .groups
        .iter()
        .map(|g| {
            let p = g.set_pending_seconds.as_ref();
            let cell = |f: fn(&PendingTime) -> Quantile| {
                p.map_or("-".to_string(), |p| {
                    let q = f(p);
                    if q.is_lower_bound() {
                        format!("{}, {} incomplete", quantile_cell(q), p.unfinished)
                    } else {
                        quantile_cell(q)
                    }
                })
            };
            vec![
                g.name.clone(),
                g.volumes.join(", "),
                g.scheduled.to_string(),
                g.accepted.to_string(),
                g.completed.to_string(),
                cell(|p| p.p50),
                cell(|p| p.p95),
                cell(|p| p.p99),
                cell(|p| p.max),
                completed_last(data, g),
            ]
        })
        .collect();
    b.push(Block::Table(
        header.iter().map(|h| h.to_string()).collect(),
        rows,
    ));
}

/// `data (5 of 6), log (1 of 6)`: for each member, in how many of the set's
/// complete sets its snapshot completed last (members completing at the
/// same instant both count); `-` when no set completed.
fn completed_last(data: &ReportData, g: &GroupSummary) -> String {
    let vols = &data.summary.volumes;
    let members: Vec<usize> = g
        .volumes
        .iter()
        .filter_map(|name| vols.iter().position(|v| &v.name == name))
        .collect();
    let done: Vec<_> = data
        .snapshots
        .iter()
        .filter(|r| members.contains(&r.volume) && r.set_id.is_some())
        .filter(|r| r.set_completed_at.is_some())
        .collect();
    let mut sets: Vec<&str> = done.iter().filter_map(|r| r.set_id.as_deref()).collect();
    sets.sort_unstable();
    sets.dedup();
    if sets.is_empty() {
        return "-".into();
    }
    members
        .iter()
        .filter_map(|&m| {
            let last = done
                .iter()
                .filter(|r| r.volume == m && r.completed_at == r.set_completed_at)
                .count();
            (last > 0).then(|| format!("{} ({last} of {})", vols[m].name, sets.len()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
