//! Snapshot storage under retention: which blocks are stored, and what a
//! deletion frees.
//!
//! A snapshot stores its delta blocks; a later snapshot references every
//! block of its predecessors it did not change. Deleting a snapshot frees
//! only blocks no retained snapshot references (EBS_FACTS.md §1.13).
//! Retention here always deletes the oldest retained snapshot and never the
//! newest completed one, so deleting oldest `d` (next `r`) frees exactly the
//! blocks of `d`'s full image that `r` rewrote: |delta(r) ∩ image(d)|, where
//! image(d) is the union of all deltas up to `d`. One bit set per volume
//! holds image(d); each deletion costs O(|delta(r)|).
//!
//! A volume whose scenario says `existing_snapshot` starts with one link
//! already completed ([`StorageLedger::existing`]): a snapshot made before
//! the simulation, whose delta is every `used` block, stored from t = 0.
//! It is the oldest link, deleted by retention like any other (its record
//! is [`EXISTING_RECORD`], which no output record has), and deleting it
//! frees the used blocks its successor rewrote.

use super::block_set::BlockSet;
use super::tracking::Weights;
use crate::engine::SimTime;
use crate::metrics::StoragePoint;
use std::collections::VecDeque;

/// The record of a volume's existing snapshot (made before the simulation,
/// not a record of the run).
pub const EXISTING_RECORD: usize = usize::MAX;

struct Link {
    record: usize,
    /// Delta blocks, once completed.
    delta: Option<Vec<u32>>,
}

struct VolumeLedger {
    /// Slots of the volume (blocks, or sampled blocks) and what each
    /// stands for.
    slots: u64,
    weights: Weights,
    /// Whether delta lists are kept: only a retention that deletes needs
    /// them, so a keep-everything volume holds counts only and its memory
    /// does not grow with the horizon.
    keep_lists: bool,
    /// Accepted, not deleted snapshots in acceptance (= completion) order.
    chain: VecDeque<Link>,
    /// Full image of the newest deleted snapshot; `None` before any deletion.
    deleted_image: Option<BlockSet>,
    stored_blocks: u64,
    completed: usize,
}

/// Stored blocks of every volume, and their history.
pub struct StorageLedger {
    block_size: u64,
    volumes: Vec<VolumeLedger>,
    points: Vec<StoragePoint>,
}

/// How one volume's blocks are counted in the ledger.
#[derive(Clone, Copy, Debug)]
pub struct LedgerVolume {
    /// Slots (blocks, or sampled blocks).
    pub slots: u64,
    /// What each slot stands for.
    pub weights: Weights,
    /// Whether snapshots of the volume may ever be deleted.
    pub deletes: bool,
}

impl StorageLedger {
    /// An empty ledger for volumes of `blocks[i]` blocks of `block_size`
    /// bytes, each block counted once, every delta list kept.
    pub fn new(blocks: Vec<u64>, block_size: u64) -> StorageLedger {
        let volumes = blocks
            .into_iter()
            .map(|slots| LedgerVolume {
                slots,
                weights: Weights::EXACT,
                deletes: true,
            })
            .collect();
        StorageLedger::with_volumes(volumes, block_size)
    }

    /// An empty ledger for `volumes`.
    pub fn with_volumes(volumes: Vec<LedgerVolume>, block_size: u64) -> StorageLedger {
        let volumes = volumes
            .into_iter()
            .map(|v| VolumeLedger {
                slots: v.slots,
                weights: v.weights,
                keep_lists: v.deletes,
                chain: VecDeque::new(),
                deleted_image: None,
                stored_blocks: 0,
                completed: 0,
            })
            .collect();
        StorageLedger {
            block_size,
            volumes,
            points: Vec::new(),
        }
    }

    /// The volume starts with a completed snapshot made before the
    /// simulation, whose delta is `delta` (slots, ascending): it becomes the
    /// oldest link of the chain, as [`EXISTING_RECORD`], and its blocks are
    /// stored from t = 0. Call before any snapshot of the volume is
    /// accepted.
    pub fn existing(&mut self, volume: usize, delta: Vec<u32>) {
        let v = &mut self.volumes[volume];
        debug_assert!(v.chain.is_empty(), "the existing snapshot comes first");
        v.stored_blocks += v.weights.sum(&delta);
        v.completed += 1;
        let delta = if v.keep_lists { delta } else { Vec::new() };
        v.chain.push_back(Link {
            record: EXISTING_RECORD,
            delta: Some(delta),
        });
        self.record_point(volume, SimTime::ZERO);
    }

    /// A snapshot was accepted (it joins the chain, stores nothing yet).
    pub fn accepted(&mut self, volume: usize, record: usize) {
        self.volumes[volume].chain.push_back(Link {
            record,
            delta: None,
        });
    }

    /// A snapshot completed: its delta is now stored.
    pub fn completed(&mut self, volume: usize, record: usize, delta: Vec<u32>, now: SimTime) {
        let v = &mut self.volumes[volume];
        v.stored_blocks += v.weights.sum(&delta);
        v.completed += 1;
        let delta = if v.keep_lists { delta } else { Vec::new() };
        if let Some(link) = v.chain.iter_mut().find(|l| l.record == record) {
            link.delta = Some(delta);
        }
        if !v.keep_lists {
            // Nothing is ever deleted: the completed prefix of the chain
            // need not be remembered.
            while v.chain.front().is_some_and(|l| l.delta.is_some()) && v.chain.len() > 1 {
                v.chain.pop_front();
            }
        }
        self.record_point(volume, now);
    }

    /// Completed snapshots still retained.
    pub fn retained(&self, volume: usize) -> usize {
        self.volumes[volume].completed
    }

    /// The oldest retained snapshot, if it may be deleted (it is completed
    /// and a newer completed snapshot exists).
    pub fn oldest_deletable(&self, volume: usize) -> Option<usize> {
        let v = &self.volumes[volume];
        let front = v.chain.front()?;
        (front.delta.is_some() && v.completed >= 2).then_some(front.record)
    }

    /// Deletes the oldest retained snapshot; returns the blocks freed.
    ///
    /// # Panics
    /// If [`StorageLedger::oldest_deletable`] is `None`.
    pub fn delete_oldest(&mut self, volume: usize, now: SimTime) -> u64 {
        let v = &mut self.volumes[volume];
        let blocks = v.slots;
        let d = v.chain.pop_front().expect("a deletable snapshot");
        let d_delta = d.delta.expect("only completed snapshots are deleted");
        let image = v.deleted_image.get_or_insert_with(|| BlockSet::new(blocks));
        for &b in &d_delta {
            image.insert(u64::from(b));
        }
        let r = v.chain.front().and_then(|l| l.delta.as_ref());
        let r = r.expect("a newer completed snapshot exists");
        let weights = v.weights;
        let freed = r
            .iter()
            .filter(|&&b| image.contains(u64::from(b)))
            .map(|&b| weights.of(u64::from(b)))
            .sum::<u64>();
        v.stored_blocks -= freed;
        v.completed -= 1;
        self.record_point(volume, now);
        freed
    }

    /// Bytes stored for a volume now [B].
    pub fn stored_bytes(&self, volume: usize) -> u64 {
        self.volumes[volume].stored_blocks * self.block_size
    }

    fn record_point(&mut self, volume: usize, at: SimTime) {
        let stored_bytes = self.stored_bytes(volume);
        self.points.push(StoragePoint {
            at,
            volume,
            stored_bytes,
        });
    }

    /// Every change of stored bytes, in time order.
    pub fn points(&self) -> &[StoragePoint] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(a: u32, b: u32) -> Vec<u32> {
        (a..b).collect()
    }

    /// EBS_FACTS.md §1.10 and §1.13, in blocks of 1 GiB: A = 10 full,
    /// B = 4 changed, C = 2 added. Stored 16; deleting A keeps the 6 blocks
    /// of A that B and C still reference: 12 stay.
    #[test]
    fn aws_worked_example_10_4_2() {
        let mut l = StorageLedger::new(vec![20], 1);
        for r in 0..3 {
            l.accepted(0, r);
        }
        l.completed(0, 0, range(0, 10), SimTime(1));
        l.completed(0, 1, range(6, 10), SimTime(2));
        l.completed(0, 2, range(10, 12), SimTime(3));
        assert_eq!(l.stored_bytes(0), 16);
        assert_eq!(l.oldest_deletable(0), Some(0));
        assert_eq!(l.delete_oldest(0, SimTime(4)), 4);
        assert_eq!(l.stored_bytes(0), 12);
        // Deleting B too: C added new blocks only, so nothing is freed.
        assert_eq!(l.delete_oldest(0, SimTime(5)), 0);
        assert_eq!(l.stored_bytes(0), 12);
        // C is the newest completed: never deleted.
        assert_eq!(l.oldest_deletable(0), None);
    }

    /// An existing snapshot of 10 used blocks stores them from t = 0; the
    /// first simulated snapshot (blocks 8..12) adds 4; deleting the existing
    /// one frees the 2 used blocks its successor rewrote (8 and 9).
    #[test]
    fn an_existing_snapshot_is_the_oldest_link() {
        let mut l = StorageLedger::new(vec![20], 1);
        l.existing(0, range(0, 10));
        assert_eq!(l.stored_bytes(0), 10);
        assert_eq!(l.points()[0].at, SimTime::ZERO);
        assert_eq!(l.retained(0), 1);
        assert_eq!(l.oldest_deletable(0), None, "the only completed one");
        l.accepted(0, 0);
        assert_eq!(l.oldest_deletable(0), None, "its successor is pending");
        l.completed(0, 0, range(8, 12), SimTime(5));
        assert_eq!(l.stored_bytes(0), 14);
        assert_eq!(l.oldest_deletable(0), Some(EXISTING_RECORD));
        assert_eq!(l.delete_oldest(0, SimTime(6)), 2);
        assert_eq!(l.stored_bytes(0), 12);
        assert_eq!(l.oldest_deletable(0), None);
    }

    #[test]
    fn pending_snapshots_are_never_deleted() {
        let mut l = StorageLedger::new(vec![8], 1);
        l.accepted(0, 0);
        l.accepted(0, 1);
        assert_eq!(l.oldest_deletable(0), None);
        l.completed(0, 0, range(0, 4), SimTime(1));
        assert_eq!(l.oldest_deletable(0), None, "the only completed one");
    }
}
