//! The snapshot lifecycle: every CreateSnapshot request and what became of
//! it, as typed transitions.
//!
//! Event handlers record transitions (made, accepted, uploaded, completed,
//! deleted, or rejected, skipped, retried); nothing else writes a request's
//! state. The output records ([`SnapshotRecord`], with their snapshot and
//! set ids) are built once, when the run ends ([`Lifecycle::into_records`]),
//! so a run's memory holds no strings per request and no handler edits an
//! output record.

use crate::engine::SimTime;
use crate::metrics::{ErrorCode, SnapshotRecord, SnapshotState};
use std::collections::BTreeMap;

/// A request of a multi-volume set: which set, and the set's call number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetCall {
    /// Index of the set in the configuration.
    pub set: usize,
    /// The set's calls made before this one.
    pub request: u64,
}

/// What a request is when it is made.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Call {
    /// The volume's index.
    pub volume: usize,
    /// The schedule slot's instant.
    pub scheduled_at: SimTime,
    /// When the call is made.
    pub requested_at: SimTime,
    /// 0 for the first call of a slot, then retries.
    pub attempt: u32,
    /// IO pause of the consistency procedure before the call [s].
    pub pause_seconds: f64,
    /// Bytes in the guest's cache the snapshot leaves out (crash mode) [B].
    pub left_out_bytes: u64,
    /// The set the call belongs to, if any.
    pub set: Option<SetCall>,
}

#[derive(Clone, Debug)]
struct Entry {
    call: Call,
    state: SnapshotState,
    error: Option<ErrorCode>,
    will_retry: bool,
    accepted: bool,
    delta_blocks: u64,
    delta_bytes: u64,
    rate_multiplier: f64,
    upload_done_at: Option<SimTime>,
    completed_at: Option<SimTime>,
    deleted_at: Option<SimTime>,
    progress: f64,
    cow_copies: u64,
}

/// Every request of the run, in the order they were made.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    entries: Vec<Entry>,
}

impl Lifecycle {
    /// A call is made (or skipped): rejected with `refusal` unless it is
    /// accepted next. Returns its index.
    pub fn made(&mut self, call: Call, refusal: Option<ErrorCode>) -> usize {
        self.entries.push(Entry {
            call,
            state: SnapshotState::Rejected,
            error: refusal,
            will_retry: false,
            accepted: false,
            delta_blocks: 0,
            delta_bytes: 0,
            rate_multiplier: 1.0,
            upload_done_at: None,
            completed_at: None,
            deleted_at: None,
            progress: 0.0,
            cow_copies: 0,
        });
        self.entries.len() - 1
    }

    /// The volume of request `i`.
    pub fn volume(&self, i: usize) -> usize {
        self.entries[i].call.volume
    }

    /// When request `i` was made.
    pub fn requested_at(&self, i: usize) -> SimTime {
        self.entries[i].call.requested_at
    }

    /// Not sent: the `skip` policy saw it would be rejected.
    pub fn skipped(&mut self, i: usize) {
        self.entries[i].state = SnapshotState::Skipped;
    }

    /// A rejected call will be retried (or not).
    pub fn will_retry(&mut self, i: usize, retry: bool) {
        self.entries[i].will_retry = retry;
    }

    /// Accepted: pending with its delta [blocks, B] and rate multiplier.
    pub fn accepted(&mut self, i: usize, delta_blocks: u64, delta_bytes: u64, multiplier: f64) {
        let e = &mut self.entries[i];
        e.state = SnapshotState::Pending;
        e.error = None;
        e.accepted = true;
        e.delta_blocks = delta_blocks;
        e.delta_bytes = delta_bytes;
        e.rate_multiplier = multiplier;
    }

    /// Its last delta block is uploaded at `at`.
    pub fn uploaded(&mut self, i: usize, at: SimTime) {
        self.entries[i].upload_done_at = Some(at);
    }

    /// Completed at `at` (after every older snapshot of the volume) with
    /// `cow_copies` copy-on-write copies.
    pub fn completed(&mut self, i: usize, at: SimTime, cow_copies: u64) {
        let e = &mut self.entries[i];
        e.state = SnapshotState::Completed;
        e.completed_at = Some(at);
        e.progress = 1.0;
        e.cow_copies = cow_copies;
    }

    /// Deleted by retention at `at`.
    pub fn deleted(&mut self, i: usize, at: SimTime) {
        let e = &mut self.entries[i];
        e.state = SnapshotState::Deleted;
        e.deleted_at = Some(at);
    }

    /// Still pending at the end: the fraction uploaded and the copies made.
    pub fn unfinished(&mut self, i: usize, progress: f64, cow_copies: u64) {
        let e = &mut self.entries[i];
        e.progress = progress;
        e.cow_copies = cow_copies;
    }

    /// The output records, in request order. Accepted snapshots get their
    /// id from (`seed`, index); a set's members get the set's id (from
    /// `set_names`) and, when all are complete, the set's completion time.
    pub fn into_records(self, seed: u64, set_names: &[String]) -> Vec<SnapshotRecord> {
        // A set call is complete when all its accepted members are.
        let mut sets: BTreeMap<(usize, u64), Option<SimTime>> = BTreeMap::new();
        for e in self.entries.iter().filter(|e| e.accepted) {
            if let Some(s) = e.call.set {
                let done = sets
                    .entry((s.set, s.request))
                    .or_insert(Some(SimTime::ZERO));
                *done = match (*done, e.completed_at) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
            }
        }
        self.entries
            .into_iter()
            .enumerate()
            .map(|(index, e)| SnapshotRecord {
                snapshot_id: e.accepted.then(|| snapshot_id(seed, index)),
                volume: e.call.volume,
                scheduled_at: e.call.scheduled_at,
                requested_at: e.call.requested_at,
                attempt: e.call.attempt,
                state: e.state,
                error: e.error,
                will_retry: e.will_retry,
                delta_blocks: e.delta_blocks,
                delta_bytes: e.delta_bytes,
                upload_done_at: e.upload_done_at,
                completed_at: e.completed_at,
                deleted_at: e.deleted_at,
                progress: e.progress,
                cow_copies: e.cow_copies,
                rate_multiplier: e.rate_multiplier,
                pause_seconds: e.call.pause_seconds,
                left_out_bytes: e.call.left_out_bytes,
                set_id: e
                    .call
                    .set
                    .map(|s| format!("set-{}-{}", set_names[s.set], s.request)),
                set_completed_at: e
                    .call
                    .set
                    .and_then(|s| sets.get(&(s.set, s.request)).copied().flatten()),
            })
            .collect()
    }
}

/// `snap-` and 17 hex digits, deterministic in (seed, record index).
fn snapshot_id(seed: u64, index: usize) -> String {
    let mut z = seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // The mix is a bijection of u64, so ids are unique within a run.
    format!("snap-0{z:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(volume: usize, at: u64, set: Option<SetCall>) -> Call {
        Call {
            volume,
            scheduled_at: SimTime(at),
            requested_at: SimTime(at),
            attempt: 0,
            pause_seconds: 0.0,
            left_out_bytes: 0,
            set,
        }
    }

    /// A set of two: complete when its later member completes; a rejected
    /// call has no snapshot id; a deleted snapshot keeps its completion.
    #[test]
    fn records_are_built_from_the_transitions() {
        let mut l = Lifecycle::default();
        let set = Some(SetCall { set: 0, request: 3 });
        let a = l.made(call(0, 10, set), None);
        let b = l.made(call(1, 10, set), None);
        l.accepted(a, 2, 1024, 1.0);
        l.accepted(b, 1, 512, 1.0);
        let r = l.made(
            call(0, 20, None),
            Some(ErrorCode::ConcurrentSnapshotLimitExceeded),
        );
        l.will_retry(r, true);
        l.completed(a, SimTime(50), 0);
        l.completed(b, SimTime(70), 4);
        l.deleted(a, SimTime(90));
        let recs = l.into_records(7, &["db".to_string()]);
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].set_id.as_deref(), Some("set-db-3"));
        assert_eq!(recs[0].set_completed_at, Some(SimTime(70)));
        assert_eq!(recs[0].state, SnapshotState::Deleted);
        assert_eq!(recs[0].completed_at, Some(SimTime(50)));
        assert_eq!(recs[1].cow_copies, 4);
        assert!(recs[2].snapshot_id.is_none() && recs[2].will_retry);
        assert_eq!(recs[0].snapshot_id, Some(snapshot_id(7, 0)));
        assert_ne!(recs[0].snapshot_id, recs[1].snapshot_id);
    }
}
