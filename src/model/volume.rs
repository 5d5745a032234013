//! One volume's block state: changed-block tracking, pending snapshots'
//! upload cursors, copy-on-write and (optionally) block versions.
//!
//! Writes are applied lazily: [`VolumeState::advance_to`] draws and applies
//! every write that arrived before an instant. Callers advance a volume to
//! `now` before anything that reads its blocks; a change of upload rate
//! keeps the ended progress segment instead ([`UploadProgress::set_pace`]),
//! so each write, applied later, still sees the upload progress in force at
//! its arrival.

use super::block_set::{BlockColumns, BlockSet};
use super::source::IoSource;
use super::tracking::sampled::{SampledWrites, SlotWrite};
use super::tracking::{Sample, Weights};
use super::transfers::{Clocks, Pace};
use crate::engine::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Version number of a block that was never written.
pub const UNWRITTEN: u64 = 0;

/// Upload progress of one pending snapshot: linear in time between rate
/// changes.
///
/// A rate change need not apply the volume's writes up to that instant
/// first: the segments before it are kept (`earlier`) until the volume's
/// writes have passed them, so a write applied later still sees the
/// progress in force at its arrival. That keeps a fair pool's rate changes,
/// which touch every flow in it, from advancing every volume each time
/// (cost quadratic in the fleet, and small batches of writes that miss the
/// cache).
#[derive(Clone, Debug)]
pub struct UploadProgress {
    /// Current pace: a rate, or a pool's clock ([`super::transfers::Clock`]).
    pub pace: Pace,
    /// Instant at which `base_bytes` was exact.
    pub base_time: SimTime,
    /// Bytes uploaded at `base_time` [B].
    pub base_bytes: f64,
    /// Bytes to upload in all [B].
    pub total_bytes: f64,
    /// Whether every block has been uploaded.
    pub done: bool,
    /// Earlier segments that writes not yet applied may fall in: (start,
    /// bytes uploaded at start [B], pace), oldest first; each ends where
    /// the next (or the current one, at `base_time`) starts.
    pub earlier: Vec<(SimTime, f64, Pace)>,
}

impl UploadProgress {
    /// Bytes uploaded at `t` [B], never more than the total.
    #[inline]
    pub fn bytes_at(&self, t: SimTime, clocks: &Clocks) -> f64 {
        if self.done {
            return self.total_bytes;
        }
        let (start, bytes, pace) = if t < self.base_time && !self.earlier.is_empty() {
            let i = self.earlier.partition_point(|s| s.0 <= t).max(1);
            self.earlier[i - 1]
        } else {
            (self.base_time, self.base_bytes, self.pace)
        };
        clocks.progress(pace, start, bytes, t).min(self.total_bytes)
    }

    /// The current rate [B/s].
    pub fn rate(&self, clocks: &Clocks) -> f64 {
        clocks.rate(self.pace)
    }

    /// The pace becomes `pace` at `now`. With `keep`, the segment that ends
    /// here is kept for writes not applied yet (see the type's doc);
    /// without, every write before `now` must have been applied already.
    pub fn set_pace(&mut self, now: SimTime, pace: Pace, keep: bool, clocks: &Clocks) {
        let bytes = self.bytes_at(now, clocks);
        if keep {
            self.earlier
                .push((self.base_time, self.base_bytes, self.pace));
        }
        self.base_bytes = bytes;
        self.base_time = now;
        self.pace = pace;
    }

    /// Every write before `t` has been applied: segments that end by then
    /// are no longer needed.
    pub fn forget_before(&mut self, t: SimTime) {
        let n = self.earlier.len();
        let ended = (0..n)
            .take_while(|&i| self.earlier.get(i + 1).map_or(self.base_time, |s| s.0) <= t)
            .count();
        self.earlier.drain(..ended);
    }
}

/// A snapshot that is accepted but not yet completed.
pub struct PendingSnapshot {
    /// Index of its record.
    pub record: usize,
    /// Delta blocks, ascending: the upload order.
    pub delta: Vec<u32>,
    /// Its slot in the volume's [`VolumeState::remaining`]: the delta blocks
    /// neither uploaded nor preserved by copy-on-write yet (uploaded blocks
    /// may linger; the upload cursor decides).
    pub slot: usize,
    /// Upload progress.
    pub upload: UploadProgress,
    /// Copy-on-write copies made for this snapshot (under the wait
    /// policy: blocks uploaded out of order for a waiting write).
    pub cow_copies: u64,
    /// Verification state, in `--verify` mode.
    pub check: Option<PendingCheck>,
    /// Wait policy: when the blocks already moved out of order for waiting
    /// writes are uploaded; the next one queues behind them.
    pub urgent_until: SimTime,
    /// Wait policy: the upload rate of an out-of-order block when the
    /// snapshot gets no bandwidth at the moment (its own stream cap) [B/s].
    pub urgent_rate: f64,
    /// Statistical tracking: blocks represented by `delta[..=i]`, so that
    /// the upload cursor can be placed among sampled blocks (`None`: every
    /// delta entry is one block).
    pub cum_blocks: Option<Vec<u64>>,
}

impl PendingSnapshot {
    /// Delta entries wholly uploaded at `at`.
    #[inline]
    pub fn uploaded_entries(&self, at: SimTime, block_size: f64, clocks: &Clocks) -> usize {
        let blocks = (self.upload.bytes_at(at, clocks) / block_size) as u64;
        match &self.cum_blocks {
            None => blocks as usize,
            Some(cum) => cum.partition_point(|&c| c <= blocks),
        }
    }

    /// Wait policy: a write at `at` needs block `b`, not uploaded yet. The
    /// block is uploaded next, out of order, behind the blocks already moved
    /// ahead — unless the upload reaches it in order first (at the current
    /// rate). Returns when the block is uploaded (`at` if it cannot be
    /// said: no finite rate).
    fn upload_for_write(
        &mut self,
        at: SimTime,
        b: u64,
        block_size: f64,
        clocks: &Clocks,
    ) -> SimTime {
        let current = self.upload.rate(clocks);
        let rate = if current > 0.0 {
            current
        } else {
            self.urgent_rate
        };
        if !(rate.is_finite() && rate > 0.0) {
            return at;
        }
        let urgent = self.urgent_until.max(at) + SimDuration::from_secs_f64_ceil(block_size / rate);
        if current > 0.0 {
            let rank = self.delta.partition_point(|&x| u64::from(x) < b) as f64;
            let left = (rank + 1.0) * block_size - self.upload.bytes_at(at, clocks);
            let in_order = at + SimDuration::from_secs_f64_ceil(left / current);
            if in_order < urgent {
                return in_order;
            }
        }
        self.urgent_until = urgent;
        urgent
    }
}

/// What a pending snapshot must hold and what it has captured so far.
pub struct PendingCheck {
    /// Every block's version at the point in time.
    pub expected: Vec<u64>,
    /// The version stored for `delta[i]`, once uploaded or preserved.
    pub captured: Vec<u64>,
    /// Delta positions below this have been captured at upload.
    pub upload_cursor: usize,
}

/// Block versions, kept only in `--verify` mode.
pub struct Versions {
    /// Current version of every block (`UNWRITTEN` if never written).
    pub current: Vec<u64>,
    /// Full image of the newest completed snapshot.
    pub last_image: Vec<u64>,
    /// Next version number to hand out.
    pub next: u64,
}

/// A pause of the volume's IO around a snapshot request (freeze, unmount,
/// stop): IO arriving in `[start, end)` is held until `released` (then applied
/// after the snapshot's point in time), or dropped (instance stopped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pause {
    /// Start of the pause.
    pub start: SimTime,
    /// When IO resumes.
    pub end: SimTime,
    /// IO in the window is dropped rather than held.
    pub drop: bool,
    /// Held IO may proceed.
    pub released: bool,
}

impl Pause {
    /// Whether an IO arriving at `at` falls in the pause.
    #[inline]
    pub fn covers(&self, at: SimTime) -> bool {
        at >= self.start && at < self.end
    }
}

/// The mutable state of one volume.
pub struct VolumeState {
    /// Block size [B].
    pub block_size: u64,
    /// log2 of the block size (a shift instead of a division per write).
    block_shift: u32,
    /// Blocks changed since the newest accepted snapshot's point in time
    /// (before the first snapshot: every written block, or none written
    /// before t = 0 when an existing snapshot holds them).
    pub dirty: BlockSet,
    /// Source of writes at flow fidelity (reads of a trace are skipped).
    pub writes: Option<IoSource>,
    /// Accepted snapshots not yet completed, oldest first.
    pub pending: VecDeque<PendingSnapshot>,
    /// The pending snapshots' remaining sets, one slot each.
    pub remaining: BlockColumns,
    /// Writes applied so far.
    pub writes_applied: u64,
    /// Bytes written so far [B].
    pub bytes_written: u64,
    /// Copy-on-write copies so far.
    pub cow_copies: u64,
    /// Copy-on-write by waiting for the upload instead of copying.
    pub cow_wait: bool,
    /// Wait policy: the instant until which the last applied write must
    /// wait for out-of-order uploads (at or before its arrival: no wait).
    pub cow_release: SimTime,
    /// Block versions in `--verify` mode.
    pub versions: Option<Versions>,
    /// Horizon: writes at or after it are never applied.
    pub horizon: SimTime,
    /// Statistical tracking: the sampled blocks (slots are then sampled
    /// blocks, not blocks).
    pub sample: Option<Sample>,
    /// What each slot stands for.
    pub weights: Weights,
    /// Statistical tracking of synthetic streams: their writes that matter.
    pub sampled: Option<SampledWrites>,
    scratch: Vec<SlotWrite>,
    /// The current or last pause, if any.
    pub pause: Option<Pause>,
    cache: Option<super::config::WriteCache>,
    cache_bytes: u64,
    cache_epoch: u64,
    /// Writes per time-series step, and bytes.
    pub step_writes: Vec<u64>,
    /// Bytes written per time-series step [B].
    pub step_bytes: Vec<u64>,
    step_ns: u64,
    cur_step: usize,
    cur_step_end: u64,
}

impl VolumeState {
    /// A volume of `blocks` blocks whose first `used_blocks` are written,
    /// counting writes per `step` until `horizon`.
    ///
    /// # Panics
    /// If `block_size` is not a power of two (the scenario validator
    /// refuses such block sizes).
    pub fn new(
        blocks: u64,
        used_blocks: u64,
        block_size: u64,
        writes: Option<IoSource>,
        verify: bool,
        horizon: SimTime,
        step: SimDuration,
    ) -> VolumeState {
        let step_ns = step.0.max(1);
        let steps = if horizon == SimTime::MAX {
            1
        } else {
            horizon.0.div_ceil(step_ns).max(1) as usize
        };
        let versions = verify.then(|| {
            let mut current = vec![UNWRITTEN; blocks as usize];
            for (b, v) in current.iter_mut().take(used_blocks as usize).enumerate() {
                *v = 1 + b as u64;
            }
            Versions {
                current,
                last_image: vec![UNWRITTEN; blocks as usize],
                next: 1 + used_blocks,
            }
        });
        assert!(block_size.is_power_of_two(), "block size {block_size}");
        VolumeState {
            block_size,
            block_shift: block_size.trailing_zeros(),
            dirty: BlockSet::with_prefix(blocks, used_blocks),
            writes,
            pending: VecDeque::new(),
            remaining: BlockColumns::new(),
            writes_applied: 0,
            bytes_written: 0,
            cow_copies: 0,
            cow_wait: false,
            cow_release: SimTime::ZERO,
            versions,
            horizon,
            sample: None,
            weights: Weights::EXACT,
            sampled: None,
            scratch: Vec::new(),
            step_writes: vec![0; steps],
            step_bytes: vec![0; steps],
            step_ns,
            cur_step: 0,
            cur_step_end: step_ns,
            pause: None,
            cache: None,
            cache_bytes: 0,
            cache_epoch: 0,
        }
    }

    /// Models the guest's write-back cache.
    pub fn with_cache(mut self, cache: Option<super::config::WriteCache>) -> VolumeState {
        self.cache = cache;
        self
    }

    /// Statistical tracking: slots are the blocks of `sample`, `used_blocks`
    /// (given to [`VolumeState::new`] as a count of blocks) becomes the
    /// sampled blocks below it, and synthetic writes come from `sampled`,
    /// whose expected counts fill the per-step write series.
    pub fn with_sample(
        mut self,
        sample: Sample,
        used_blocks: u64,
        sampled: Option<SampledWrites>,
    ) -> VolumeState {
        self.dirty = BlockSet::with_prefix(sample.slots(), sample.slots_below(used_blocks));
        self.weights = sample.weights();
        if let Some(w) = &sampled {
            let steps = self.step_writes.len();
            let (counts, bytes) = super::tracking::sampled::expected_per_step(
                w,
                crate::engine::SimDuration(self.step_ns),
                steps,
                self.horizon,
            );
            self.writes_applied = counts.iter().sum();
            self.bytes_written = bytes.iter().sum();
            self.step_writes = counts;
            self.step_bytes = bytes;
        }
        self.sample = Some(sample);
        self.sampled = sampled;
        self
    }

    /// A completed snapshot outside the simulation holds the volume's data
    /// at t = 0 (the scenario's `existing_snapshot`): the blocks written so
    /// far (the `used` prefix, in slots) are no longer dirty, so the first
    /// simulated snapshot holds only blocks written from t = 0, and in
    /// verify mode they are already in the last image. Returns those slots,
    /// ascending: the existing snapshot's delta, for the storage ledger.
    /// Call after [`VolumeState::with_sample`], before any write.
    pub fn seed_existing_snapshot(&mut self) -> Vec<u32> {
        let delta = self.dirty.take().to_sorted_u32();
        if let Some(v) = &mut self.versions {
            v.last_image.clone_from(&v.current);
        }
        delta
    }

    /// A new snapshot's delta: the dirty blocks, ascending, and the slot of
    /// its remaining set (a copy of them); nothing is dirty afterwards. The
    /// first call sizes the remaining sets for `slots` pending snapshots
    /// (the volume's pending limit), so they are never moved after.
    pub fn take_delta(&mut self, slots: usize) -> (Vec<u32>, usize) {
        let delta = self.dirty.to_sorted_u32();
        let slot = self.remaining.claim(&self.dirty, slots);
        self.dirty.clear();
        (delta, slot)
    }

    /// A snapshot's point in time is `t` (the volume is advanced to `t`):
    /// statistical tracking redraws the next write of the blocks written
    /// since the previous one.
    pub fn point_in_time(&mut self, t: SimTime) {
        if let Some(w) = &mut self.sampled {
            w.point_in_time(t);
        }
    }

    /// Copy-on-write by waiting for the block's upload (IO fidelity).
    pub fn with_cow_wait(mut self, wait: bool) -> VolumeState {
        self.cow_wait = wait;
        self
    }

    /// Empties the guest's cache (a freeze, unmount or stop flushes it).
    pub fn flush_cache(&mut self) {
        self.cache_bytes = 0;
    }

    /// Bytes in the guest's cache at `t` (call after advancing to `t`):
    /// written since the last periodic flush, at most the cache size.
    pub fn cached_at(&self, t: SimTime) -> u64 {
        match self.cache {
            Some(c) if t.0 / c.flush_interval.0.max(1) == self.cache_epoch => self.cache_bytes,
            _ => 0,
        }
    }

    /// Applies every write that arrives before `t` (and before the horizon).
    pub fn advance_to(&mut self, t: SimTime, clocks: &Clocks) {
        let limit = t.min(self.horizon);
        if self.sampled.is_some() {
            self.advance_sampled(limit, clocks);
        }
        let Some(mut gen) = self.writes.take() else {
            self.forget_upload_segments(limit);
            return;
        };
        while gen.peek_time() < limit {
            if let Some(p) = self.pause.filter(|p| p.covers(gen.peek_time())) {
                if p.drop {
                    gen.next_io();
                    continue;
                }
                if !p.released {
                    break;
                }
            }
            match gen.next_io() {
                Some((w, true)) => self.apply_write(w.at, w.offset, w.len, clocks),
                Some((_, false)) => {}
                None => break,
            }
        }
        // A pause that holds writes stops short of `limit`.
        let applied = gen.peek_time().min(limit);
        self.writes = Some(gen);
        self.forget_upload_segments(applied);
    }

    /// Every write before `t` is applied: drops upload segments that end by
    /// then.
    fn forget_upload_segments(&mut self, t: SimTime) {
        for p in self.pending.iter_mut() {
            if !p.upload.earlier.is_empty() {
                p.upload.forget_before(t);
            }
        }
    }

    /// Whether a change of upload rate must apply the volume's writes first:
    /// in verify mode, whose captured versions follow the upload cursor as
    /// writes are applied.
    pub fn needs_eager_advance(&self) -> bool {
        self.versions.is_some()
    }

    /// Statistical tracking: applies the sampled writes before `limit`, in
    /// time order across streams.
    fn advance_sampled(&mut self, limit: SimTime, clocks: &Clocks) {
        let Some(w) = &mut self.sampled else {
            return;
        };
        let mut events = std::mem::take(&mut self.scratch);
        w.advance(limit, &mut events);
        if !self.pending.is_empty() {
            events.sort_unstable();
        }
        for &(at, slot) in &events {
            self.dirty.insert(u64::from(slot));
            if !self.pending.is_empty() {
                self.copy_on_write(at, u64::from(slot), clocks);
            }
        }
        events.clear();
        self.scratch = events;
    }

    /// Applies one write of `len` bytes at `offset`, arriving at `at`.
    #[inline(always)]
    pub fn apply_write(&mut self, at: SimTime, offset: u64, len: u64, clocks: &Clocks) {
        self.writes_applied += 1;
        self.cow_release = at;
        self.bytes_written += len;
        while at.0 >= self.cur_step_end && self.cur_step + 1 < self.step_writes.len() {
            self.cur_step += 1;
            self.cur_step_end += self.step_ns;
        }
        self.step_writes[self.cur_step] += 1;
        self.step_bytes[self.cur_step] += len;
        if let Some(c) = self.cache {
            let epoch = at.0 / c.flush_interval.0.max(1);
            if epoch != self.cache_epoch {
                self.cache_bytes = 0;
                self.cache_epoch = epoch;
            }
            self.cache_bytes = (self.cache_bytes + len).min(c.size.0);
        }
        let first = offset >> self.block_shift;
        let last = (offset + len - 1) >> self.block_shift;
        if self.versions.is_some() {
            self.capture_uploaded(at, clocks);
        }
        if self.sample.is_some() {
            self.apply_sampled_write(at, first, last, clocks);
            return;
        }
        for b in first..=last {
            // A block already dirty was written since the newest pending
            // snapshot's point in time, so that write already took it out
            // of every pending snapshot's remaining set: nothing to copy.
            if self.dirty.insert(b) && !self.pending.is_empty() {
                self.copy_on_write(at, b, clocks);
            }
            if let Some(v) = &mut self.versions {
                v.current[b as usize] = v.next;
            }
        }
        if let Some(v) = &mut self.versions {
            v.next += 1;
        }
    }

    /// Statistical tracking of an explicit write (a trace) over blocks
    /// `first..=last`: only its sampled blocks are tracked. Kept out of line
    /// so that the exact path stays as it was.
    #[cold]
    #[inline(never)]
    fn apply_sampled_write(&mut self, at: SimTime, first: u64, last: u64, clocks: &Clocks) {
        let Some(sample) = self.sample.take() else {
            return;
        };
        for slot in sample.slots_in(first, last) {
            self.dirty.insert(u64::from(slot));
            if !self.pending.is_empty() {
                self.copy_on_write(at, u64::from(slot), clocks);
            }
        }
        self.sample = Some(sample);
    }

    /// A write to block `b` at `at`: every pending snapshot that still needs
    /// the block's current content and has not uploaded it gets a copy first
    /// or, under the wait policy, uploads it next (after the blocks already
    /// moved ahead for other writes) while the write waits.
    #[inline(always)]
    fn copy_on_write(&mut self, at: SimTime, b: u64, clocks: &Clocks) {
        let block_size = self.block_size as f64;
        for p in self.pending.iter_mut() {
            if !self.remaining.remove(p.slot, b) {
                continue;
            }
            let uploaded = p.uploaded_entries(at, block_size, clocks);
            match p.delta.get(uploaded) {
                None => continue, // everything uploaded
                Some(&cursor) if b < u64::from(cursor) => continue,
                Some(_) => {}
            }
            let w = self.weights.of(b);
            p.cow_copies += w;
            self.cow_copies += w;
            if self.cow_wait {
                self.cow_release = self
                    .cow_release
                    .max(p.upload_for_write(at, b, block_size, clocks));
            }
            if let (Some(check), Some(v)) = (&mut p.check, &self.versions) {
                // Only verification needs the block's rank in the delta.
                let rank = p.delta.partition_point(|&x| u64::from(x) < b);
                check.captured[rank] = v.current[b as usize];
            }
        }
    }

    /// Verify mode: records, for each pending snapshot, the version of every
    /// block its upload has passed by `t` and that was not preserved earlier.
    pub fn capture_uploaded(&mut self, t: SimTime, clocks: &Clocks) {
        let Some(v) = &self.versions else {
            return;
        };
        let block_size = self.block_size as f64;
        for p in self.pending.iter_mut() {
            let Some(check) = &mut p.check else { continue };
            let upto = ((p.upload.bytes_at(t, clocks) / block_size) as usize).min(p.delta.len());
            while check.upload_cursor < upto {
                let i = check.upload_cursor;
                let b = u64::from(p.delta[i]);
                if self.remaining.remove(p.slot, b) {
                    check.captured[i] = v.current[b as usize];
                }
                check.upload_cursor += 1;
            }
        }
    }

    /// Verify mode: applies a completed snapshot's captured delta to the
    /// restorable image and compares it block by block with the volume at the
    /// snapshot's point in time. Returns the number of differing blocks.
    pub fn check_completed(&mut self, snap: &PendingSnapshot) -> Option<u64> {
        let (Some(v), Some(check)) = (&mut self.versions, &snap.check) else {
            return None;
        };
        for (i, &b) in snap.delta.iter().enumerate() {
            v.last_image[b as usize] = check.captured[i];
        }
        let wrong = v
            .last_image
            .iter()
            .zip(&check.expected)
            .filter(|(a, b)| a != b)
            .count();
        Some(wrong as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_CLOCKS: Clocks = Clocks(Vec::new());

    /// 10 B/s from 0 s, 20 B/s from 10 s, 0 from 20 s, with the ended
    /// segments kept: a write applied afterwards at 5 s, 15 s or 25 s sees
    /// 50, 200 and 300 B uploaded, as it would have when applied on time;
    /// once writes have passed 15 s the first segment goes, not the second.
    #[test]
    fn kept_segments_give_the_progress_in_force_at_a_past_instant() {
        let s = |x: u64| SimTime::ZERO + SimDuration::from_secs_f64_ceil(x as f64);
        let mut up = UploadProgress {
            pace: Pace::Fixed(10.0),
            base_time: SimTime::ZERO,
            base_bytes: 0.0,
            total_bytes: 1000.0,
            done: false,
            earlier: Vec::new(),
        };
        up.set_pace(s(10), Pace::Fixed(20.0), true, &NO_CLOCKS);
        up.set_pace(s(20), Pace::Fixed(0.0), true, &NO_CLOCKS);
        assert_eq!(
            [
                up.bytes_at(s(5), &NO_CLOCKS),
                up.bytes_at(s(15), &NO_CLOCKS),
                up.bytes_at(s(25), &NO_CLOCKS)
            ],
            [50.0, 200.0, 300.0] // 15 s: 100 + 5 × 20
        );
        up.forget_before(s(15));
        assert_eq!(up.earlier.len(), 1);
        assert_eq!(up.bytes_at(s(15), &NO_CLOCKS), 200.0);
        up.forget_before(s(20));
        assert!(up.earlier.is_empty());
        assert_eq!(up.bytes_at(s(25), &NO_CLOCKS), 300.0);
        // Without keeping, the past is the current line (eager callers
        // have applied every earlier write).
        up.set_pace(s(30), Pace::Fixed(5.0), false, &NO_CLOCKS);
        assert!(up.earlier.is_empty());
    }

    fn pending_of(vs: &mut VolumeState, record: usize) -> PendingSnapshot {
        let (delta, slot) = vs.take_delta(1);
        let check = vs.versions.as_ref().map(|v| PendingCheck {
            expected: v.current.clone(),
            captured: vec![u64::MAX; delta.len()],
            upload_cursor: 0,
        });
        PendingSnapshot {
            record,
            upload: UploadProgress {
                pace: Pace::Fixed(1.0),
                base_time: SimTime::ZERO,
                base_bytes: 0.0,
                total_bytes: (delta.len() as u64 * vs.block_size) as f64,
                done: false,
                earlier: Vec::new(),
            },
            delta,
            slot,
            cow_copies: 0,
            check,
            urgent_until: SimTime::ZERO,
            urgent_rate: 0.0,
            cum_blocks: None,
        }
    }

    #[test]
    fn a_write_to_a_block_not_yet_uploaded_is_copied_once() {
        let mut vs = VolumeState::new(8, 4, 1, None, true, SimTime::MAX, SimDuration(1));
        let p = pending_of(&mut vs, 0);
        vs.pending.push_back(p);
        // Rate 1 B/s with 1-byte blocks: block 0 is uploaded at t = 1 s.
        let t = SimTime::from_secs(2);
        vs.apply_write(t, 3, 1, &NO_CLOCKS); // block 3 not uploaded yet: copy
        vs.apply_write(t, 3, 1, &NO_CLOCKS); // already preserved: no second copy
        vs.apply_write(t, 0, 1, &NO_CLOCKS); // block 0 already uploaded: no copy
        vs.apply_write(t, 6, 1, &NO_CLOCKS); // not in the delta: no copy
        assert_eq!(vs.cow_copies, 1);
        let mut p = vs.pending.pop_front().unwrap();
        p.upload.done = true;
        vs.pending.push_back(p);
        vs.capture_uploaded(SimTime::from_secs(10), &NO_CLOCKS);
        let p = vs.pending.pop_front().unwrap();
        assert_eq!(vs.check_completed(&p), Some(0));
    }

    /// The checker itself: a snapshot that stored the wrong version (here:
    /// an overwrite that bypassed copy-on-write) is reported.
    #[test]
    fn verification_detects_a_missed_copy_on_write() {
        let mut vs = VolumeState::new(8, 4, 1, None, true, SimTime::MAX, SimDuration(1));
        let p = pending_of(&mut vs, 0);
        vs.pending.push_back(p);
        // Overwrite block 2 behind copy-on-write's back.
        if let Some(v) = &mut vs.versions {
            v.current[2] = 999;
        }
        let mut p = vs.pending.pop_front().unwrap();
        p.upload.done = true;
        vs.pending.push_back(p);
        vs.capture_uploaded(SimTime::from_secs(10), &NO_CLOCKS);
        let p = vs.pending.pop_front().unwrap();
        assert_eq!(vs.check_completed(&p), Some(1));
    }
}
