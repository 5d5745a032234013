//! Accepted snapshots: their point in time and delta, their uploads (the
//! [`Transfers`] component), in-order completion and retention.

use super::*;

impl Simulation {
    /// Creates the snapshot: fixes its point in time, takes the delta, and
    /// starts its upload.
    pub(super) fn accept(&mut self, sched: &mut Scheduler<Event>, index: usize) {
        let now = sched.now();
        let volume = self.lifecycle.volume(index);
        let multiplier = match self.cfg.transfer.variability {
            None => 1.0,
            Some(crate::model::config::RateVariability::LogNormal { sigma }) => {
                // Validated: sigma is finite and positive.
                let d = LogNormal::new(0.0, sigma).expect("validated sigma");
                d.sample(&mut self.volumes[volume].rate_rng)
            }
        };
        let slots = self.cfg.volumes[volume].pending_limit as usize;
        let vs = &mut self.volumes[volume].state;
        let (delta, slot) = vs.take_delta(slots);
        vs.point_in_time(now);
        let bs = vs.block_size;
        let weights = vs.weights;
        let (delta_blocks, cum_blocks) = if weights.is_exact() {
            (delta.len() as u64, None)
        } else {
            let mut acc = 0u64;
            let cum: Vec<u64> = delta
                .iter()
                .map(|&b| {
                    acc += weights.of(u64::from(b));
                    acc
                })
                .collect();
            (acc, Some(cum))
        };
        let total_bytes = delta_blocks * bs;
        let check = vs.versions.as_ref().map(|v| PendingCheck {
            expected: v.current.clone(),
            captured: vec![u64::MAX; delta.len()],
            upload_cursor: 0,
        });
        self.lifecycle
            .accepted(index, delta_blocks, total_bytes, multiplier);
        let empty = delta.is_empty();
        vs.pending.push_back(PendingSnapshot {
            record: index,
            delta,
            slot,
            upload: UploadProgress {
                pace: Pace::Fixed(0.0),
                base_time: now,
                base_bytes: 0.0,
                total_bytes: total_bytes as f64,
                done: false,
                earlier: Vec::new(),
            },
            cow_copies: 0,
            check,
            urgent_until: now,
            urgent_rate: self.cfg.transfer.per_snapshot.bytes_per_sec * multiplier,
            cum_blocks,
        });
        let pending_now = vs.pending.len() as u32;
        if let Some(io) = self.volumes[volume].io.as_mut() {
            io.set_pending(now, pending_now as usize);
        }
        let book = &mut self.volumes[volume].book;
        book.max_pending = book.max_pending.max(pending_now);
        self.storage.accepted(volume, index);
        if empty {
            self.finish_upload(sched, volume, index);
        } else {
            let cap = self.cfg.transfer.per_snapshot.bytes_per_sec * multiplier;
            let pool = self.cfg.volumes[volume].pool;
            self.transfers
                .start(now, volume, pool, cap, total_bytes as f64, index);
            self.reallocate(sched);
        }
    }

    /// Brings every upload's rate up to date after starts and ends, mirrors
    /// the changed paces into the volumes' upload progress and keeps the one
    /// completion event at the earliest completion.
    pub(super) fn reallocate(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        let mut changes = std::mem::take(&mut self.changes);
        let mut touched = std::mem::take(&mut self.touched);
        self.transfers.settle(now, &mut changes, &mut touched);
        for c in &changes {
            let vs = &mut self.volumes[c.owner].state;
            let Some(p) = vs.pending.iter().position(|p| p.record == c.tag) else {
                continue;
            };
            // The volume's writes are applied when something reads its
            // blocks, not here: the ended segment is kept for them.
            let clocks = self.transfers.clocks();
            let eager = vs.needs_eager_advance();
            if eager {
                vs.advance_to(now, clocks);
                vs.capture_uploaded(now, clocks);
            }
            vs.pending[p].upload.set_pace(now, c.pace, !eager, clocks);
        }
        for &v in &touched {
            if self.volumes[v].io.is_some() {
                self.wake_snapshot_reads(sched, v);
            }
        }
        changes.clear();
        touched.clear();
        self.changes = changes;
        self.touched = touched;
        self.schedule_uploads_due(sched);
    }

    /// Keeps the one [`Event::UploadsDue`] at the earliest completion.
    pub(super) fn schedule_uploads_due(&mut self, sched: &mut Scheduler<Event>) {
        let next = self.transfers.next_completion();
        if self.uploads_due.is_some_and(|(at, _)| at == next) {
            return;
        }
        if let Some((_, id)) = self.uploads_due.take() {
            sched.cancel(id);
        }
        if next < SimTime::MAX {
            let id = sched
                .schedule_at(next, Event::UploadsDue)
                .expect("completions are never in the past");
            self.uploads_due = Some((next, id));
        }
    }

    /// Ends every upload due by now, in the order they started, then
    /// shares the bandwidth anew.
    pub(super) fn on_uploads_due(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.uploads_due = None;
        for (volume, record) in self.transfers.take_due(now) {
            self.finish_upload(sched, volume, record);
        }
        self.reallocate(sched);
    }

    /// Marks an upload done, then completes, in order, every snapshot of the
    /// volume whose upload and all older snapshots are done.
    pub(super) fn finish_upload(
        &mut self,
        sched: &mut Scheduler<Event>,
        volume: usize,
        record: usize,
    ) {
        let now = sched.now();
        let vs = &mut self.volumes[volume].state;
        let clocks = self.transfers.clocks();
        vs.advance_to(now, clocks);
        if let Some(p) = vs.pending.iter_mut().find(|p| p.record == record) {
            p.upload.base_bytes = p.upload.total_bytes;
            p.upload.base_time = now;
            p.upload.done = true;
        }
        vs.capture_uploaded(now, clocks);
        self.lifecycle.uploaded(record, now);
        while vs.pending.front().is_some_and(|p| p.upload.done) {
            let Some(snap) = vs.pending.pop_front() else {
                break;
            };
            vs.remaining.release(snap.slot);
            if let Some(wrong) = vs.check_completed(&snap) {
                self.verified += 1;
                if wrong > 0 {
                    self.mismatched_snapshots += 1;
                    self.mismatched_blocks += wrong;
                }
            }
            self.lifecycle.completed(snap.record, now, snap.cow_copies);
            self.storage.completed(volume, snap.record, snap.delta, now);
            if let Retention::MaxAge(age) = self.cfg.volumes[volume].schedule.retention {
                let due = self.lifecycle.requested_at(snap.record) + age;
                sched
                    .schedule_at(
                        due.max(now),
                        Event::RetentionDue {
                            volume: VolumeId(volume),
                        },
                    )
                    .expect("clamped to now");
            }
        }
        let still_pending = self.volumes[volume].state.pending.len();
        if let Some(io) = self.volumes[volume].io.as_mut() {
            io.set_pending(now, still_pending);
        }
        self.apply_retention(volume, now);
    }

    pub(super) fn apply_retention(&mut self, volume: usize, now: SimTime) {
        let retention = self.cfg.volumes[volume].schedule.retention;
        while let Some(oldest) = self.storage.oldest_deletable(volume) {
            // The existing snapshot (made before the run) is as old as the
            // run: its age counts from t = 0, and it has no record.
            let existing = oldest == EXISTING_RECORD;
            let taken = if existing {
                SimTime::ZERO
            } else {
                self.lifecycle.requested_at(oldest)
            };
            if !retention.deletes_oldest(self.storage.retained(volume), now - taken) {
                break;
            }
            self.storage.delete_oldest(volume, now);
            if !existing {
                self.lifecycle.deleted(oldest, now);
            }
        }
    }
}
