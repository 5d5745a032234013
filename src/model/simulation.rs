//! The snapshot model driven by the engine: requests, the pending limit and
//! request-rate rule, uploads sharing bandwidth, in-order completion and
//! retention.
//!
//! Events are few (schedule slots, requests, upload completions, retention
//! checks); writes are applied lazily by each [`VolumeState`]. Every handler
//! first advances the volumes it touches to `now`.

use super::config::VolumeConfig;
use super::config::{Consistency, CowPolicy, Fidelity};
use super::config::{LimitPolicy, Retention, SimConfig, Times};
use super::feed::FeedCursor;
use super::io::recorder::Recorder;
use super::io::IoVolume;
use super::lifecycle::{Call, Lifecycle, SetCall};
use super::rng::{stream, StreamRng};
use super::source::IoSource;
use super::storage::{LedgerVolume, StorageLedger};
use super::tracking::sampled::SampledWrites;
use super::tracking::{Method, Sample};
use super::transfers::{Limits, Pace, PaceChange, Steps, Transfers};
use super::volume::{Pause, PendingCheck, PendingSnapshot, UploadProgress, VolumeState};
use super::workload::WriteGenerator;
use super::ModelError;
use crate::engine::{EventId, Model, Scheduler, SimDuration, SimTime};
use crate::metrics::{ErrorCode, SnapshotRecord, StoragePoint};
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

pub use super::admission::REQUEST_SPACING;
use super::admission::{Admission, CallState};

/// A volume of the run: its index in the configuration, typed so that an
/// event cannot mistake it for a set, a slot or a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VolumeId(pub usize);

/// A multi-volume snapshot set of the run (index in the configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SetId(pub usize);

/// The model's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Schedule slot `slot` of a volume came due.
    SlotDue {
        /// The volume.
        volume: VolumeId,
        /// Slot number, from 0.
        slot: u64,
    },
    /// A CreateSnapshot call is made (after jitter, or as a retry).
    RequestDue {
        /// The volume.
        volume: VolumeId,
        /// The slot's instant.
        scheduled_at: SimTime,
        /// 0 for the first call, then retries.
        attempt: u32,
        /// Whether the consistency preparation (flush, unmount, stop) is
        /// done, so the call is made now.
        prepared: bool,
    },
    /// Schedule slot `slot` of a multi-volume set came due.
    GroupSlotDue {
        /// The multi-volume set.
        group: SetId,
        /// Slot number, from 0.
        slot: u64,
    },
    /// A set's CreateSnapshots call is made.
    GroupRequestDue {
        /// The multi-volume set.
        group: SetId,
        /// The slot's instant.
        scheduled_at: SimTime,
        /// 0 for the first call, then retries.
        attempt: u32,
    },
    /// IO held by a freeze or unmount may proceed (the snapshot is pending).
    PauseReleased {
        /// The volume.
        volume: VolumeId,
    },
    /// The earliest upload completion: every upload whose last delta
    /// block is uploaded by now ends. There is one such event at a time,
    /// whatever the number of uploads, so rate changes never pile
    /// cancelled completions up in the queue.
    UploadsDue,
    /// A completed snapshot may have reached its maximum age.
    RetentionDue {
        /// The volume.
        volume: VolumeId,
    },
    /// IO fidelity: the next IO of a volume arrives (of whichever of its
    /// sources comes first).
    IoArrival {
        /// The volume.
        volume: VolumeId,
    },
    /// IO fidelity: writes waiting for out-of-order uploads may proceed.
    CowReleased {
        /// The volume.
        volume: VolumeId,
    },
    /// IO fidelity: an upload reads its next block.
    SnapshotReadDue {
        /// The volume.
        volume: VolumeId,
    },
}

/// Per-volume bookkeeping besides block state.
pub(crate) struct VolumeBook {
    pub(crate) scheduled: u64,
    pub(crate) calls: u64,
    pub(crate) retries: u64,
    pub(crate) failed: u64,
    pub(crate) skipped: u64,
    pub(crate) last_call: Option<SimTime>,
    pub(crate) max_pending: u32,
    /// Pause of the request being prepared [s].
    pub(crate) pause: f64,
    jitter_rng: StreamRng,
}

/// One volume of the run: its blocks and pending snapshots, its counters,
/// its IO plane (at IO fidelity) and its upload-rate stream.
pub(crate) struct Volume {
    pub(crate) state: VolumeState,
    pub(crate) book: VolumeBook,
    /// IO-fidelity state (`None` at flow fidelity or without IO).
    pub(crate) io: Option<IoVolume>,
    rate_rng: StreamRng,
}

/// Per multi-volume set bookkeeping.
pub(crate) struct GroupBook {
    /// Set requests (calls) made so far; numbers the set ids.
    pub(crate) requests: u64,
    /// Slots that came due.
    pub(crate) scheduled: u64,
    jitter_rng: StreamRng,
}

/// The whole simulated system.
pub struct Simulation {
    pub(crate) cfg: SimConfig,
    /// Every volume's state, in configuration order ([`VolumeId`]).
    pub(crate) volumes: Vec<Volume>,
    /// Per multi-volume set: requests made so far and its jitter stream.
    pub(crate) group_books: Vec<GroupBook>,
    /// Every request and its transitions.
    lifecycle: Lifecycle,
    /// The output records, built from the lifecycle when the run ends.
    pub(crate) records: Vec<SnapshotRecord>,
    pub(crate) storage: StorageLedger,
    /// Every upload flow, its rate and its completion; volumes are its
    /// owners, snapshot records its tags.
    pub(crate) transfers: Transfers,
    /// The one scheduled [`Event::UploadsDue`] and its instant.
    uploads_due: Option<(SimTime, EventId)>,
    /// Scratch for [`Transfers::settle`].
    changes: Vec<PaceChange>,
    touched: Vec<usize>,
    /// How blocks are tracked in this run.
    pub(crate) method: Method,
    /// The rules a CreateSnapshot call must pass.
    admission: Admission,
    pub(crate) verified: u64,
    pub(crate) mismatched_snapshots: u64,
    pub(crate) mismatched_blocks: u64,
}

impl Simulation {
    /// Builds the initial state and schedules the first slot of every volume.
    /// Resource limits must have been checked ([`super::check_resources`]).
    ///
    /// # Errors
    /// [`ModelError::Trace`] if a trace feed cannot be opened.
    pub fn new(
        cfg: SimConfig,
        method: Method,
        sched: &mut Scheduler<Event>,
    ) -> Result<Simulation, ModelError> {
        let bs = cfg.block_size.0;
        let horizon = SimTime::ZERO + cfg.duration;
        let mut volumes = Vec::with_capacity(cfg.volumes.len());
        let steps = horizon.0.div_ceil(cfg.timeseries_step.0.max(1)) as usize;
        for (i, v) in cfg.volumes.iter().enumerate() {
            let blocks = v.provisioned.size.0.div_ceil(bs);
            let used = v.used.0.div_ceil(bs);
            let sources = build_sources(&cfg, v)?;
            let (io_volume, writes) = if cfg.fidelity == Fidelity::Io && !sources.is_empty() {
                let recorder = Recorder::new(
                    v.pending_limit,
                    SimTime::ZERO + cfg.warmup,
                    cfg.timeseries_step.0,
                    steps,
                );
                let latency_rng = stream(cfg.seed, &format!("volume/{}/latency", v.name));
                let bound = super::io::queue_bound(cfg.volumes.len());
                let iov = IoVolume::new(v, sources, latency_rng, recorder, horizon, bound);
                let first = iov.first_arrival();
                if first < horizon {
                    sched
                        .schedule_at(
                            first,
                            Event::IoArrival {
                                volume: VolumeId(i),
                            },
                        )
                        .expect("arrivals are not before time zero");
                }
                (Some(iov), None)
            } else {
                // Flow fidelity: only the write sources matter.
                let writes = sources
                    .into_iter()
                    .filter(|s| !matches!(s, IoSource::Streams { write: false, .. }))
                    .reduce(|a, b| match (a, b) {
                        (
                            IoSource::Streams {
                                streams: mut x,
                                write,
                                ..
                            },
                            IoSource::Streams { streams: y, .. },
                        ) => {
                            x.extend(y);
                            IoSource::streams(x, write)
                        }
                        (feed @ IoSource::Feed(_), _) | (_, feed @ IoSource::Feed(_)) => feed,
                    });
                (None, writes)
            };
            let (writes, sampled) = match method {
                Method::Sampled(size) => {
                    let mut rng = stream(cfg.seed, &format!("volume/{}/sample", v.name));
                    let sample = Sample::new(blocks, size.slots_for(blocks), &mut rng);
                    match writes {
                        // A trace's writes are explicit: filtered to the
                        // sample as they are applied.
                        Some(feed @ IoSource::Feed(_)) => (Some(feed), Some((sample, None))),
                        _ => {
                            let rngs = (0..v.writes.len())
                                .map(|k| {
                                    stream(
                                        cfg.seed,
                                        &format!("volume/{}/writes/sampled/{k}", v.name),
                                    )
                                })
                                .collect();
                            let w = SampledWrites::new(&v.writes, bs, &sample, horizon, rngs);
                            (None, Some((sample, Some(w))))
                        }
                    }
                }
                Method::Exact => (writes, None),
            };
            let mut state = VolumeState::new(
                blocks,
                used,
                bs,
                writes,
                cfg.verify,
                horizon,
                cfg.timeseries_step,
            )
            .with_cache(v.cache)
            .with_cow_wait(
                cfg.fidelity == Fidelity::Io && v.performance.copy_on_write == CowPolicy::Wait,
            );
            if let Some((sample, w)) = sampled {
                state = state.with_sample(sample, used, w);
            }
            let book = VolumeBook {
                scheduled: 0,
                calls: 0,
                retries: 0,
                failed: 0,
                skipped: 0,
                last_call: None,
                max_pending: 0,
                pause: 0.0,
                jitter_rng: stream(cfg.seed, &format!("volume/{}/jitter", v.name)),
            };
            volumes.push(Volume {
                state,
                book,
                io: io_volume,
                rate_rng: stream(cfg.seed, &format!("volume/{}/upload-rate", v.name)),
            });
            if let Some(t) = slot_time(&v.schedule.times, 0) {
                if t < horizon {
                    sched
                        .schedule_at(
                            t,
                            Event::SlotDue {
                                volume: VolumeId(i),
                                slot: 0,
                            },
                        )
                        .expect("the clock is at zero");
                }
            }
        }
        let ledger = volumes
            .iter()
            .map(|v| &v.state)
            .zip(&cfg.volumes)
            .map(|(vs, v): (&VolumeState, &VolumeConfig)| LedgerVolume {
                slots: vs.dirty.capacity(),
                weights: vs.weights,
                deletes: v.schedule.retention != Retention::KeepAll,
            })
            .collect();
        let storage = StorageLedger::with_volumes(ledger, bs);
        let mut group_books = Vec::with_capacity(cfg.groups.len());
        for (g, group) in cfg.groups.iter().enumerate() {
            group_books.push(GroupBook {
                requests: 0,
                scheduled: 0,
                jitter_rng: stream(cfg.seed, &format!("group/{}/jitter", group.name)),
            });
            if let Some(t) = slot_time(&group.schedule.times, 0).filter(|&t| t < horizon) {
                sched
                    .schedule_at(
                        t,
                        Event::GroupSlotDue {
                            group: SetId(g),
                            slot: 0,
                        },
                    )
                    .expect("the clock is at zero");
            }
        }
        let t = &cfg.transfer;
        // Volumes that read their blocks at the upload's pace (IO fidelity)
        // or capture versions as it goes (verify) need every rate change as
        // it happens: the reference way.
        let eager = cfg.verify || volumes.iter().any(|v| v.io.is_some());
        let limits = Limits {
            sharing: t.sharing,
            owner_cap: t.per_volume.map_or(f64::INFINITY, |b| b.bytes_per_sec),
            pool_caps: t.pools.iter().map(|p| p.rate.bytes_per_sec).collect(),
            owners: cfg.volumes.len(),
            incremental: !eager,
        };
        let series = Steps {
            step: cfg.timeseries_step.max(SimDuration(1)),
            count: steps,
            end: horizon,
        };
        let transfers = Transfers::new(limits, series);
        Ok(Simulation {
            cfg,
            volumes,
            group_books,
            lifecycle: Lifecycle::default(),
            records: Vec::new(),
            storage,
            transfers,
            uploads_due: None,
            changes: Vec::new(),
            touched: Vec::new(),
            method,
            admission: Admission::default(),
            verified: 0,
            mismatched_snapshots: 0,
            mismatched_blocks: 0,
        })
    }

    /// The first error that stopped a trace feed early, if any.
    pub(crate) fn feed_error(&self) -> Option<String> {
        let io = self
            .volumes
            .iter()
            .filter_map(|v| v.io.as_ref())
            .find_map(IoVolume::feed_error);
        io.or_else(|| {
            self.volumes.iter().find_map(|v| {
                v.state
                    .writes
                    .as_ref()
                    .and_then(|w| w.error())
                    .map(ToString::to_string)
            })
        })
    }

    fn horizon(&self) -> SimTime {
        SimTime::ZERO + self.cfg.duration
    }

    fn on_group_slot(&mut self, sched: &mut Scheduler<Event>, group: usize, slot: u64) {
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

    fn on_slot(&mut self, sched: &mut Scheduler<Event>, volume: usize, slot: u64) {
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
    fn prepare(
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
    fn on_pause_released(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        if let Some(p) = self.volumes[volume].state.pause.as_mut() {
            p.released = true;
        }
        self.release_held_io(sched, volume);
    }

    fn on_request(
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
    fn on_group_request(
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
    fn refusal(&self, volume: usize, now: SimTime) -> Option<ErrorCode> {
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
    fn call(
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
        let retry = match policy {
            LimitPolicy::Retry { after, max, factor } if attempt < max => Some(
                SimDuration::from_secs_f64_ceil(after.as_secs_f64() * factor.powi(attempt as i32)),
            ),
            _ => None,
        };
        for &i in &calls {
            self.lifecycle.will_retry(i, retry.is_some());
            if retry.is_none() {
                self.volumes[self.lifecycle.volume(i)].book.failed += 1;
            }
        }
        retry
    }

    /// Creates the snapshot: fixes its point in time, takes the delta, and
    /// starts its upload.
    fn accept(&mut self, sched: &mut Scheduler<Event>, index: usize) {
        let now = sched.now();
        let volume = self.lifecycle.volume(index);
        let multiplier = match self.cfg.transfer.variability {
            None => 1.0,
            Some(super::config::RateVariability::LogNormal { sigma }) => {
                // Validated: sigma is finite and positive.
                let d = LogNormal::new(0.0, sigma).expect("validated sigma");
                d.sample(&mut self.volumes[volume].rate_rng)
            }
        };
        let vs = &mut self.volumes[volume].state;
        let remaining = vs.dirty.take();
        vs.point_in_time(now);
        let delta = remaining.to_sorted_u32();
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
            remaining,
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
    fn reallocate(&mut self, sched: &mut Scheduler<Event>) {
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
    fn schedule_uploads_due(&mut self, sched: &mut Scheduler<Event>) {
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
    fn on_uploads_due(&mut self, sched: &mut Scheduler<Event>) {
        let now = sched.now();
        self.uploads_due = None;
        for (volume, record) in self.transfers.take_due(now) {
            self.finish_upload(sched, volume, record);
        }
        self.reallocate(sched);
    }

    /// Marks an upload done, then completes, in order, every snapshot of the
    /// volume whose upload and all older snapshots are done.
    fn finish_upload(&mut self, sched: &mut Scheduler<Event>, volume: usize, record: usize) {
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

    fn apply_retention(&mut self, volume: usize, now: SimTime) {
        let retention = self.cfg.volumes[volume].schedule.retention;
        while let Some(oldest) = self.storage.oldest_deletable(volume) {
            let age = now - self.lifecycle.requested_at(oldest);
            if !retention.deletes_oldest(self.storage.retained(volume), age) {
                break;
            }
            self.storage.delete_oldest(volume, now);
            self.lifecycle.deleted(oldest, now);
        }
    }

    /// Brings every volume to the horizon, records the progress of the
    /// snapshots still pending and builds the output records.
    pub(crate) fn finish(&mut self, end: SimTime) {
        for io in self.volumes.iter_mut().filter_map(|v| v.io.as_mut()) {
            io.finish(end);
        }
        let clocks = self.transfers.clocks();
        for vs in self.volumes.iter_mut().map(|v| &mut v.state) {
            vs.advance_to(end, clocks);
            for p in &vs.pending {
                let progress = if p.upload.total_bytes > 0.0 {
                    p.upload.bytes_at(end, clocks) / p.upload.total_bytes
                } else {
                    1.0
                };
                self.lifecycle.unfinished(p.record, progress, p.cow_copies);
            }
        }
        let names: Vec<String> = self.cfg.groups.iter().map(|g| g.name.clone()).collect();
        self.records = std::mem::take(&mut self.lifecycle).into_records(self.cfg.seed, &names);
    }

    /// Stored-bytes samples, in time order.
    pub(crate) fn storage_points(&self) -> &[StoragePoint] {
        self.storage.points()
    }
}

impl Model for Simulation {
    type Event = Event;

    fn handle(&mut self, sched: &mut Scheduler<Event>, event: Event) {
        match event {
            Event::SlotDue { volume, slot } => self.on_slot(sched, volume.0, slot),
            Event::RequestDue {
                volume: VolumeId(volume),
                scheduled_at,
                attempt,
                prepared,
            } => {
                if prepared || !self.prepare(sched, volume, scheduled_at, attempt) {
                    self.on_request(sched, volume, scheduled_at, attempt);
                }
            }
            Event::PauseReleased {
                volume: VolumeId(volume),
            } => self.on_pause_released(sched, volume),
            Event::GroupSlotDue { group, slot } => self.on_group_slot(sched, group.0, slot),
            Event::GroupRequestDue {
                group: SetId(group),
                scheduled_at,
                attempt,
            } => self.on_group_request(sched, group, scheduled_at, attempt),
            Event::UploadsDue => self.on_uploads_due(sched),
            Event::RetentionDue {
                volume: VolumeId(volume),
            } => self.apply_retention(volume, sched.now()),
            Event::IoArrival { volume } => self.on_io_arrival(sched, volume.0),
            Event::CowReleased { volume } => self.on_cow_released(sched, volume.0),
            Event::SnapshotReadDue { volume } => self.on_snapshot_read(sched, volume.0),
        }
    }
}

/// The IO sources of volume `v`: its read streams, its write streams, and
/// its trace, in that order (indices are stable for the run).
fn build_sources(cfg: &SimConfig, v: &VolumeConfig) -> Result<Vec<IoSource>, ModelError> {
    let bs = cfg.block_size.0;
    let mut sources = Vec::new();
    for (kind, streams, write) in [("reads", &v.reads, false), ("writes", &v.writes, true)] {
        if streams.is_empty() {
            continue;
        }
        // Stream 0 keeps the plain name, so a single stream's numbers do
        // not change when the format allows lists.
        let generators = streams
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let name = match k {
                    0 => format!("volume/{}/{kind}", v.name),
                    _ => format!("volume/{}/{kind}/{k}", v.name),
                };
                WriteGenerator::new(w, bs, stream(cfg.seed, &name))
            })
            .collect();
        sources.push(IoSource::streams(generators, write));
    }
    if let Some(t) = &v.trace {
        let feed = t.open().map_err(|e| ModelError::Trace(e.to_string()))?;
        sources.push(IoSource::Feed(FeedCursor::new(feed)));
    }
    Ok(sources)
}

/// The instant of schedule slot `k`, if there is one.
fn slot_time(times: &Times, k: u64) -> Option<SimTime> {
    match times {
        Times::Never => None,
        Times::Every { interval, first_at } => {
            let offset = interval.0.checked_mul(k)?;
            first_at.0.checked_add(offset).map(SimTime)
        }
        Times::At(list) => list.get(usize::try_from(k).ok()?).copied(),
    }
}
