//! Schedule slots and CreateSnapshot calls: slot instants and jitter, the
//! consistency procedure before a call, the admission rules, retries.

use super::*;

impl Simulation {
    pub(super) fn on_group_slot(&mut self, sched: &mut Scheduler<Event>, group: usize, slot: u64) {
        let now = sched.now();
        let g = &self.cfg.groups[group];
        let jitter = if g.schedule.jitter.is_zero() {
            SimDuration::ZERO
        } else {
            let j = g.schedule.jitter.0;
            SimDuration(self.group_books[group].jitter_rng.random_range(0..=j))
        };
        self.group_books[group].scheduled += 1;
        for &v in &g.members {
            self.volumes[v].book.scheduled += 1;
        }
        sched.schedule_after(
            jitter,
            Event::GroupRequestDue {
                group: SetId(group),
                scheduled_at: now,
                attempt: 0,
            },
        );
        if let Some(t) = slot_time(&g.schedule.times, slot + 1) {
            if t < self.horizon() {
                // Slot instants ascend (validated); clamped all the same so
                // that no error can be dropped.
                sched
                    .schedule_at(
                        t.max(now),
                        Event::GroupSlotDue {
                            group: SetId(group),
                            slot: slot + 1,
                        },
                    )
                    .expect("clamped to now");
            }
        }
    }

    pub(super) fn on_slot(&mut self, sched: &mut Scheduler<Event>, volume: usize, slot: u64) {
        let now = sched.now();
        let schedule = &self.cfg.volumes[volume].schedule;
        let jitter = if schedule.jitter.is_zero() {
            SimDuration::ZERO
        } else {
            SimDuration(
                self.volumes[volume]
                    .book
                    .jitter_rng
                    .random_range(0..=schedule.jitter.0),
            )
        };
        self.volumes[volume].book.scheduled += 1;
        sched.schedule_after(
            jitter,
            Event::RequestDue {
                volume: VolumeId(volume),
                scheduled_at: now,
                attempt: 0,
                prepared: false,
            },
        );
        if let Some(t) = slot_time(&schedule.times, slot + 1) {
            if t < self.horizon() {
                // Slot times are strictly increasing, so `t` is in the
                // future; clamped all the same so that no error is dropped.
                sched
                    .schedule_at(
                        t.max(now),
                        Event::SlotDue {
                            volume: VolumeId(volume),
                            slot: slot + 1,
                        },
                    )
                    .expect("clamped to now");
            }
        }
    }

    /// Starts the consistency procedure before a call (freeze, unmount,
    /// stop): pauses the volume's IO and schedules the call after the
    /// preparation. Returns false in crash mode (call at once).
    pub(super) fn prepare(
        &mut self,
        sched: &mut Scheduler<Event>,
        volume: usize,
        scheduled_at: SimTime,
        attempt: u32,
    ) -> bool {
        let mode = self.cfg.volumes[volume].schedule.consistency;
        if mode == Consistency::Crash {
            return false;
        }
        let now = sched.now();
        let vs = &mut self.volumes[volume].state;
        vs.advance_to(now, self.transfers.clocks());
        let (before, after, drop) = mode.pause(vs.cached_at(now));
        vs.flush_cache();
        let end = now + before + after;
        vs.pause = Some(Pause {
            start: now,
            end,
            drop,
            released: false,
        });
        self.volumes[volume].book.pause = (end - now).as_secs_f64();
        sched.schedule_after(
            before,
            Event::RequestDue {
                volume: VolumeId(volume),
                scheduled_at,
                attempt,
                prepared: true,
            },
        );
        sched
            .schedule_at(
                end,
                Event::PauseReleased {
                    volume: VolumeId(volume),
                },
            )
            .expect("the pause ends after it starts");
        true
    }

    /// IO resumes after a pause; held IO proceeds in arrival order.
    pub(super) fn on_pause_released(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        if let Some(p) = self.volumes[volume].state.pause.as_mut() {
            p.released = true;
        }
        self.release_held_io(sched, volume);
    }

    pub(super) fn on_request(
        &mut self,
        sched: &mut Scheduler<Event>,
        volume: usize,
        scheduled_at: SimTime,
        attempt: u32,
    ) {
        let policy = self.cfg.volumes[volume].schedule.on_limit;
        if let Some(delay) = self.call(sched, &[volume], policy, scheduled_at, attempt, None) {
            sched.schedule_after(
                delay,
                Event::RequestDue {
                    volume: VolumeId(volume),
                    scheduled_at,
                    attempt: attempt + 1,
                    prepared: false,
                },
            );
        }
    }

    /// A set's CreateSnapshots call: every member or none.
    pub(super) fn on_group_request(
        &mut self,
        sched: &mut Scheduler<Event>,
        group: usize,
        scheduled_at: SimTime,
        attempt: u32,
    ) {
        let g = &self.cfg.groups[group];
        let members = g.members.clone();
        let policy = g.schedule.on_limit;
        let set = SetCall {
            set: group,
            request: self.group_books[group].requests,
        };
        self.group_books[group].requests += 1;
        if let Some(delay) = self.call(sched, &members, policy, scheduled_at, attempt, Some(set)) {
            sched.schedule_after(
                delay,
                Event::GroupRequestDue {
                    group: SetId(group),
                    scheduled_at,
                    attempt: attempt + 1,
                },
            );
        }
    }

    /// Why a call on `volume` at `now` would be rejected, if it would: the
    /// first refusal of the admission rules.
    pub(super) fn refusal(&self, volume: usize, now: SimTime) -> Option<ErrorCode> {
        self.admission.refusal(&CallState {
            now,
            last_call: self.volumes[volume].book.last_call,
            pending: self.volumes[volume].state.pending.len() as u32,
            pending_limit: self.cfg.volumes[volume].pending_limit,
        })
    }

    /// One CreateSnapshot call covering `members` (one volume, or a set that
    /// is accepted or rejected as a whole). Records the outcome per member
    /// and returns the delay before the retry, if the policy retries.
    pub(super) fn call(
        &mut self,
        sched: &mut Scheduler<Event>,
        members: &[usize],
        policy: LimitPolicy,
        scheduled_at: SimTime,
        attempt: u32,
        set: Option<SetCall>,
    ) -> Option<SimDuration> {
        let now = sched.now();
        for &v in members {
            self.volumes[v]
                .state
                .advance_to(now, self.transfers.clocks());
        }
        let refusal = members.iter().find_map(|&v| self.refusal(v, now));
        let calls: Vec<usize> = members
            .iter()
            .map(|&volume| {
                let crash = self.cfg.volumes[volume].schedule.consistency == Consistency::Crash;
                let vol = &mut self.volumes[volume];
                let call = Call {
                    volume,
                    scheduled_at,
                    requested_at: now,
                    attempt,
                    pause_seconds: std::mem::take(&mut vol.book.pause),
                    left_out_bytes: if crash { vol.state.cached_at(now) } else { 0 },
                    set,
                };
                self.lifecycle.made(call, refusal)
            })
            .collect();
        if refusal.is_some() && policy == LimitPolicy::Skip {
            for &i in &calls {
                self.lifecycle.skipped(i);
                self.volumes[self.lifecycle.volume(i)].book.skipped += 1;
            }
            return None;
        }
        // The call is made: it counts towards the 15 s rule even if rejected.
        for &v in members {
            let book = &mut self.volumes[v].book;
            book.calls += 1;
            book.retries += u64::from(attempt > 0);
            book.last_call = Some(now);
        }
        if refusal.is_none() {
            for &i in &calls {
                self.accept(sched, i);
            }
            return None;
        }
        let retry = policy.backoff(attempt).map(|b| match policy {
            LimitPolicy::Retry {
                jitter: RetryJitter::Full,
                ..
            } => {
                // A set's call draws from the set's stream, a volume's from
                // the volume's: each its own, so no other draw moves.
                let rng = match set {
                    Some(s) => &mut self.group_books[s.set].retry_rng,
                    None => &mut self.volumes[members[0]].book.retry_rng,
                };
                SimDuration(rng.random_range(0..=b.0))
            }
            _ => b,
        });
        for &i in &calls {
            self.lifecycle.will_retry(i, retry.is_some());
            if retry.is_none() {
                self.volumes[self.lifecycle.volume(i)].book.failed += 1;
            }
        }
        retry
    }
}
