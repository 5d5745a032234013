//! The snapshot model driven by the engine: requests, the pending limit and
//! request-rate rule, uploads sharing bandwidth, in-order completion and
//! retention.
//!
//! Events are few (schedule slots, requests, upload completions, retention
//! checks); writes are applied lazily by each [`VolumeState`]. Every handler
//! first advances the volumes it touches to `now`.
//!
//! This module holds the events, the run's state and the router
//! ([`Model::handle`]); the handlers live with their jobs: `requests` (slots,
//! the consistency procedure, CreateSnapshot calls and the admission rules),
//! `uploads` (accepted snapshots, their flows in [`Transfers`], in-order
//! completion, retention) and [`super::io`] (the IO plane). Flows are owned
//! by [`Transfers`], request states by [`Lifecycle`].

use super::config::VolumeConfig;
use super::config::{Consistency, CowPolicy, Fidelity};
use super::config::{LimitPolicy, Retention, RetryJitter, SimConfig, Times};
use super::feed::FeedCursor;
use super::io::recorder::Recorder;
use super::io::IoVolume;
use super::lifecycle::{Call, Lifecycle, SetCall};
use super::rng::{stream, StreamRng};
use super::source::IoSource;
use super::storage::{LedgerVolume, StorageLedger, EXISTING_RECORD};
use super::tracking::sampled::SampledWrites;
use super::tracking::{Method, Sample};
use super::transfers::{Limits, Pace, PaceChange, Steps, Transfers};
use super::volume::{Pause, PendingCheck, PendingSnapshot, UploadProgress, VolumeState};
use super::workload::WriteGenerator;
use super::zipf::ZipfTables;
use super::ModelError;
use crate::engine::{EventId, Model, Scheduler, SimDuration, SimTime};
use crate::metrics::{ErrorCode, SnapshotRecord, StoragePoint};
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

pub use super::admission::REQUEST_SPACING;

mod requests;
mod uploads;
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
    /// Full-jitter retry delays.
    retry_rng: StreamRng,
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
    /// Full-jitter retry delays.
    retry_rng: StreamRng,
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
        let mut zipf_tables = ZipfTables::default();
        for (i, v) in cfg.volumes.iter().enumerate() {
            let blocks = v.provisioned.size.0.div_ceil(bs);
            let used = v.used.0.div_ceil(bs);
            let sources = build_sources(&cfg, v, &mut zipf_tables)?;
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
                retry_rng: stream(cfg.seed, &format!("volume/{}/retry", v.name)),
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
        let mut storage = StorageLedger::with_volumes(ledger, bs);
        for (i, v) in cfg.volumes.iter().enumerate() {
            if v.existing_snapshot {
                let delta = volumes[i].state.seed_existing_snapshot();
                storage.existing(i, delta);
                // A max-age retention may delete it once it is that old
                // (counted from t = 0), if a newer one has completed then.
                if let Retention::MaxAge(age) = v.schedule.retention {
                    let due = SimTime::ZERO + age;
                    if due < horizon {
                        sched
                            .schedule_at(
                                due,
                                Event::RetentionDue {
                                    volume: VolumeId(i),
                                },
                            )
                            .expect("the clock is at zero");
                    }
                }
            }
        }
        let mut group_books = Vec::with_capacity(cfg.groups.len());
        for (g, group) in cfg.groups.iter().enumerate() {
            group_books.push(GroupBook {
                requests: 0,
                scheduled: 0,
                jitter_rng: stream(cfg.seed, &format!("group/{}/jitter", group.name)),
                retry_rng: stream(cfg.seed, &format!("group/{}/retry", group.name)),
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
fn build_sources(
    cfg: &SimConfig,
    v: &VolumeConfig,
    tables: &mut ZipfTables,
) -> Result<Vec<IoSource>, ModelError> {
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
                WriteGenerator::with_tables(w, bs, stream(cfg.seed, &name), tables)
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
