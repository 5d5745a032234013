//! Fleet outputs: volumes rolled up by the scenario entry they come from
//! (`count` identical volumes are one group) and for the whole run, so a
//! 1,000-volume answer reads in a handful of rows.
//!
//! Counts, storage and cost add up; time pending is estimated afresh over
//! every snapshot of the group (Kaplan–Meier, unfinished snapshots
//! censored at the horizon), and the largest stored bytes is the maximum of
//! the group's total over time, not a sum of per-volume maxima.

use super::summary::{Requests, SnapshotCounts, Storage, VolumeSummary};
use super::survival::{observations, PendingTime};
use super::{SnapshotRecord, StoragePoint};
use crate::engine::SimTime;
use serde::{Deserialize, Serialize};

/// Volumes taken together: one group, or the fleet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    /// Group name (the scenario entry's `name`), or `"fleet"`.
    pub name: String,
    /// Volumes in it.
    pub count: u64,
    /// Their type, or `"mixed"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Their sizes together [B].
    pub size_bytes: u64,
    /// Writes simulated (under statistical tracking: represented) on them.
    pub writes: u64,
    /// Requests and outcomes, summed.
    pub requests: Requests,
    /// Snapshot counts, summed (`max_pending`: the largest of any volume).
    pub snapshots: SnapshotCounts,
    /// Time pending of all their accepted snapshots, censoring-aware [s].
    pub pending_seconds: Option<PendingTime>,
    /// Mean delta of their accepted snapshots [B].
    pub mean_delta_bytes: Option<f64>,
    /// Copy-on-write copies, summed.
    pub cow_copies: u64,
    /// Storage summed; `max_bytes` is the peak of the sum over time.
    pub storage: Storage,
}

/// Groups of `volumes` (by `group_of[i]`, in order of first appearance)
/// and the fleet, from the run's records and storage points.
pub fn rollups(
    volumes: &[VolumeSummary],
    group_of: &[String],
    records: &[SnapshotRecord],
    points: &[StoragePoint],
    end: SimTime,
) -> (Vec<Rollup>, Rollup) {
    let mut names: Vec<String> = Vec::new();
    let mut index = vec![0usize; volumes.len()];
    for (i, g) in group_of.iter().enumerate() {
        index[i] = match names.iter().position(|n| n == g) {
            Some(k) => k,
            None => {
                names.push(g.clone());
                names.len() - 1
            }
        };
    }
    let members: Vec<Vec<usize>> = (0..names.len())
        .map(|k| (0..volumes.len()).filter(|&i| index[i] == k).collect())
        .collect();
    let peaks = peak_totals(points, &index, names.len());
    let mut groups = Vec::with_capacity(names.len());
    for (k, name) in names.iter().enumerate() {
        let recs = records.iter().filter(|r| index.get(r.volume) == Some(&k));
        groups.push(roll(name, &members[k], volumes, recs, end, peaks.0[k]));
    }
    let all: Vec<usize> = (0..volumes.len()).collect();
    let fleet = roll("fleet", &all, volumes, records.iter(), end, peaks.1);
    (groups, fleet)
}

/// Peak over time of each group's stored bytes, and of the fleet's.
fn peak_totals(points: &[StoragePoint], index: &[usize], groups: usize) -> (Vec<u64>, u64) {
    let mut current = vec![0u64; index.len()];
    let mut totals = vec![0u64; groups];
    let mut peaks = vec![0u64; groups];
    let (mut fleet, mut fleet_peak) = (0u64, 0u64);
    for p in points {
        let g = index[p.volume];
        let old = std::mem::replace(&mut current[p.volume], p.stored_bytes);
        totals[g] = totals[g] - old + p.stored_bytes;
        fleet = fleet - old + p.stored_bytes;
        peaks[g] = peaks[g].max(totals[g]);
        fleet_peak = fleet_peak.max(fleet);
    }
    (peaks, fleet_peak)
}

fn roll<'a>(
    name: &str,
    members: &[usize],
    volumes: &[VolumeSummary],
    records: impl Iterator<Item = &'a SnapshotRecord> + Clone,
    end: SimTime,
    peak: u64,
) -> Rollup {
    let vs: Vec<&VolumeSummary> = members.iter().map(|&i| &volumes[i]).collect();
    let kind = match vs.first() {
        Some(first) if vs.iter().all(|v| v.kind == first.kind) => first.kind.clone(),
        Some(_) => "mixed".into(),
        None => "-".into(),
    };
    let mut requests = Requests::default();
    let mut snapshots = SnapshotCounts::default();
    let mut storage = Storage::default();
    for v in &vs {
        let r = &v.requests;
        requests.scheduled += r.scheduled;
        requests.calls += r.calls;
        requests.accepted += r.accepted;
        requests.retries += r.retries;
        requests.failed += r.failed;
        requests.skipped += r.skipped;
        for (code, n) in &r.rejected {
            *requests.rejected.entry(code.clone()).or_insert(0) += n;
        }
        snapshots.completed += v.snapshots.completed;
        snapshots.deleted += v.snapshots.deleted;
        snapshots.pending_at_end += v.snapshots.pending_at_end;
        snapshots.max_pending = snapshots.max_pending.max(v.snapshots.max_pending);
        let s = &v.storage;
        storage.final_bytes += s.final_bytes;
        storage.mean_bytes += s.mean_bytes;
        storage.gb_months += s.gb_months;
        storage.cost_usd += s.cost_usd;
        storage.final_monthly_cost_usd += s.final_monthly_cost_usd;
        storage.pending_upload_bytes += s.pending_upload_bytes;
        storage.pending_delta_bytes += s.pending_delta_bytes;
    }
    storage.max_bytes = peak;
    let accepted: Vec<f64> = records
        .clone()
        .filter(|r| r.snapshot_id.is_some())
        .map(|r| r.delta_bytes as f64)
        .collect();
    Rollup {
        name: name.to_string(),
        count: vs.len() as u64,
        kind,
        size_bytes: vs.iter().map(|v| v.size_bytes).sum(),
        writes: vs.iter().map(|v| v.writes).sum(),
        requests,
        snapshots,
        pending_seconds: PendingTime::of(&observations(records, end)),
        mean_delta_bytes: (!accepted.is_empty())
            .then(|| accepted.iter().sum::<f64>() / accepted.len() as f64),
        cow_copies: vs.iter().map(|v| v.cow_copies).sum(),
        storage,
    }
}
