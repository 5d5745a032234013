//! IO fidelity: every read and write of a volume is simulated. An IO
//! arrives, waits for its volume's token buckets, queues at the storage
//! station, is served, and its latency is recorded by the number of
//! snapshots pending when it arrived. Snapshot uploads read their blocks
//! through the same station at the pace they upload them.
//!
//! How it runs fast without changing what it computes:
//! - A volume's arrivals are one chain of events; while no other event is
//!   due first, the next arrival runs inline without the event queue
//!   ([`crate::engine::Scheduler::advance_if_next`]).
//! - Token buckets admit IOs first come first served, so an IO's admission
//!   instant is decided when it arrives: the later of its arrival and the
//!   previous admission, plus the wait for its tokens. Admitted IOs reach
//!   the station at those instants, in order, merged with snapshot reads.
//!   Bucket rates change only when st1/sc1 drop to their baseline while a
//!   snapshot is pending; then the admissions still ahead are decided again
//!   from the moment of the change, from a copy of the buckets kept in step
//!   with the station (which is also what the time series read).
//! - The station needs no completion events ([`station`]).
//!
//! Assumptions, written down: uploads are network-bound, so the station does
//! not slow an upload (its reads only load the station); a write's block
//! effects (changed blocks, copy-on-write) happen at its arrival; a
//! copy-on-write adds a read and a write of what it preserves (the bytes the
//! write overwrites under `copy_range`, the default; the whole block under
//! `copy`) to the writing IO's service time and to what it takes from the
//! volume's IOPS and throughput buckets, or, under the `wait` policy, holds
//! the write until the snapshot has uploaded the block out of order.

pub mod bucket;
pub mod hdr_counts;
pub mod limits;
pub mod recorder;
pub mod station;

use super::config::{CowPolicy, LatencyDist, Performance, VolumeConfig};
use super::rng::StreamRng;
use super::simulation::{Event, Simulation, VolumeId};
use super::source::IoSource;
use super::workload::Write;
use crate::engine::{ceil_u64, u64_to_f64, Scheduler, SimDuration, SimTime, NANOS_PER_SEC};
use limits::Limits;
use rand_distr::{Distribution, Exp1, StandardNormal};
use recorder::Recorder;
use station::{Job, Station};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Operation code of a read in jobs.
pub const READ: u8 = 0;
/// Operation code of a write in jobs.
pub const WRITE: u8 = 1;
/// Job kind of a snapshot block read.
pub const SNAPSHOT_READ: u8 = 2;

/// IOs all volumes of a run may hold queued (admitted but not yet at the
/// station, or waiting for a channel) before the run is overloaded: a
/// workload beyond the volume's limits grows the queue without bound.
pub const QUEUED_IOS_TOTAL: usize = 16_000_000;

/// Bytes one queued IO takes, a queue's spare capacity included [B].
pub const QUEUED_IO_BYTES: u64 = 2 * (std::mem::size_of::<Admitted>() as u64);

/// The queue bound of each of `volumes` IO-fidelity volumes [IOs]: an
/// equal share of [`QUEUED_IOS_TOTAL`], between 10,000 and 1,000,000.
pub fn queue_bound(volumes: usize) -> usize {
    (QUEUED_IOS_TOTAL / volumes.max(1)).clamp(10_000, 1_000_000)
}

/// A write held until a pending snapshot has uploaded the block it hits:
/// (release instant, order of holding, offset, length, arrival, pending
/// snapshots at arrival, sequential).
type CowHeld = (SimTime, u64, u64, u64, SimTime, u8, bool);

/// What an IO takes from the volume's token buckets: its own IO units and
/// bytes plus those of its copy-on-write traffic, which the volume's IOPS
/// and throughput limits cover like any other IO.
#[derive(Clone, Copy, Debug)]
struct Cost {
    /// IO units (256 KiB SSD, 1 MiB HDD).
    ios: f64,
    /// Bytes, copy-on-write included [B].
    bytes: u64,
    /// Of them, copy-on-write reads and writes [B].
    cow_bytes: u64,
}

/// An admitted IO on its way to the station: the job (its `at` is the
/// admission instant), what it costs, and when it was submitted.
type Admitted = (Job, Cost, SimTime);

/// The IO-fidelity state of one volume.
pub struct IoVolume {
    /// IO sources (read streams, write streams, a trace), by index.
    sources: Vec<IoSource>,
    last_end: [u64; 2],
    /// The buckets as of the latest admission decided (possibly ahead of
    /// the clock).
    limits: Option<Limits>,
    /// The buckets as of the latest IO handed to the station (never ahead of
    /// the clock): read by the time series, and the base for deciding again
    /// after a rate change.
    lagged: Option<Limits>,
    last_admit: SimTime,
    admitted: VecDeque<Admitted>,
    station: Station,
    perf: Performance,
    /// Transfer time of one byte on a channel [ns].
    ns_per_byte: f64,
    latency_rng: StreamRng,
    horizon: SimTime,
    snapshot_reads_scheduled: bool,
    /// IO held by a pause (freeze, unmount) until it is released.
    held: Vec<(Write, u8)>,
    /// Writes waiting for out-of-order uploads (copy-on-write `wait`).
    cow_held: BinaryHeap<Reverse<CowHeld>>,
    cow_seq: u64,
    /// Instant of the earliest release event scheduled, MAX if none.
    cow_next: SimTime,
    /// Latency histograms and per-step figures.
    pub recorder: Recorder,
    /// Foreground IOs that reached admission (shed ones included).
    pub submitted: u64,
    /// Foreground IOs not queued because the volume was overloaded.
    pub shed: u64,
    /// When the queue first reached [`IoVolume::queue_bound`]; from then
    /// on the volume's IOs are shed.
    pub overloaded_at: Option<SimTime>,
    /// Queued IOs at which the volume is overloaded.
    queue_bound: usize,
    /// Bytes charged against the throughput limit by the IOs that reached
    /// the station, copy-on-write traffic included [B].
    pub charged_bytes: u64,
    /// Of them, copy-on-write reads and writes [B].
    pub cow_bytes: u64,
}

/// Records a foreground IO that completes at `end`, if it does so within
/// the run.
#[inline]
fn record_into(rec: &mut Recorder, horizon: SimTime) -> impl FnMut(&Job, SimTime) + '_ {
    move |job: &Job, end: SimTime| {
        if end <= horizon {
            rec.record(job, end);
        }
    }
}

impl IoVolume {
    /// The IO state of volume `v`, fed by `sources`, for a run ending at
    /// `horizon`.
    pub fn new(
        v: &VolumeConfig,
        sources: Vec<IoSource>,
        latency_rng: StreamRng,
        recorder: Recorder,
        horizon: SimTime,
        queue_bound: usize,
    ) -> IoVolume {
        let perf = v.performance;
        let limits = perf.limits.then(|| Limits::new(v.kind, &v.provisioned));
        IoVolume {
            sources,
            last_end: [u64::MAX; 2],
            lagged: limits.clone(),
            limits,
            last_admit: SimTime::ZERO,
            admitted: VecDeque::new(),
            station: Station::new(perf.channels, perf.snapshot_reads, horizon),
            ns_per_byte: NANOS_PER_SEC as f64 / perf.channel_bandwidth.bytes_per_sec,
            perf,
            latency_rng,
            horizon,
            snapshot_reads_scheduled: false,
            held: Vec::new(),
            cow_held: BinaryHeap::new(),
            cow_seq: 0,
            cow_next: SimTime::MAX,
            recorder,
            submitted: 0,
            shed: 0,
            overloaded_at: None,
            queue_bound,
            charged_bytes: 0,
            cow_bytes: 0,
        }
    }

    /// Whether the queue is full now: the first time, the volume becomes
    /// overloaded at `now`.
    #[inline(always)]
    fn overloaded(&mut self, now: SimTime) -> bool {
        if self.overloaded_at.is_none()
            && self.admitted.len() + self.station.queued() < self.queue_bound
        {
            return false;
        }
        self.overloaded_at.get_or_insert(now);
        true
    }

    /// Arrival time of the volume's first IO (MAX if none).
    pub fn first_arrival(&self) -> SimTime {
        self.next_arrival().1
    }

    /// The source with the earliest next IO (the first listed on a tie)
    /// and that IO's arrival.
    #[inline]
    fn next_arrival(&self) -> (usize, SimTime) {
        let mut best = (0, SimTime::MAX);
        for (k, s) in self.sources.iter().enumerate() {
            let t = s.peek_time();
            if t < best.1 {
                best = (k, t);
            }
        }
        best
    }

    /// The first error of a trace source, if one stopped early.
    pub fn feed_error(&self) -> Option<String> {
        self.sources
            .iter()
            .find_map(|s| s.error().map(ToString::to_string))
    }

    /// Service time of an IO of `len` bytes plus `extra_bytes` of
    /// copy-on-write traffic: a base latency draw plus transfer time.
    #[inline(always)]
    fn service(&mut self, len: u64, extra_bytes: u64) -> u64 {
        let base = match self.perf.base_latency {
            LatencyDist::Constant(d) => u64_to_f64(d.0),
            LatencyDist::Exponential(m) => {
                let x: f64 = Exp1.sample(&mut self.latency_rng);
                x * u64_to_f64(m.0)
            }
            LatencyDist::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(&mut self.latency_rng);
                u64_to_f64(median.0) * (sigma * z).exp()
            }
        };
        let transfer = u64_to_f64(len + extra_bytes) * self.ns_per_byte;
        ceil_u64(base + transfer).max(1)
    }

    /// An IO enters the volume at `now`: its admission instant is decided
    /// (first come first served on the token buckets) and it is on its way
    /// to the station.
    #[inline(always)]
    fn submit(&mut self, now: SimTime, mut job: Job, cost: Cost) {
        self.submitted += 1;
        if self.overloaded(now) {
            self.shed += 1;
            return;
        }
        let at = match &mut self.limits {
            None => now,
            Some(l) => {
                let t = now.max(self.last_admit);
                job.credit_wait = l.is_short_of_credits(t, cost.bytes, cost.ios);
                let t = t + l.wait_for(t, cost.bytes, cost.ios);
                l.admit(t, cost.bytes, cost.ios);
                t
            }
        };
        self.last_admit = at;
        job.at = at;
        self.admitted.push_back((job, cost, now));
        self.pump(now);
    }

    /// Hands every admitted IO due by `t` to the station, in admission
    /// order, and closes the time-series steps that end by then.
    #[inline(always)]
    fn pump(&mut self, t: SimTime) {
        loop {
            let next = self.admitted.front().map(|a| a.0.at).filter(|&a| a <= t);
            let x = next.unwrap_or(t);
            while let Some(end) = self.recorder.open_step_end().filter(|&e| e <= x) {
                self.close_step(end);
            }
            if next.is_none() {
                return;
            }
            let Some((job, cost, _)) = self.admitted.pop_front() else {
                return;
            };
            if let Some(l) = &mut self.lagged {
                l.admit(job.at, cost.bytes, cost.ios);
            }
            self.charged_bytes += cost.bytes;
            self.cow_bytes += cost.cow_bytes;
            self.station_arrive(job);
        }
    }

    /// `job` arrives at the station; foreground completions are recorded.
    #[inline(always)]
    fn station_arrive(&mut self, job: Job) {
        self.station
            .arrive(job, &mut record_into(&mut self.recorder, self.horizon));
    }

    /// Brings the station to `t`; foreground completions are recorded.
    fn station_advance(&mut self, t: SimTime) {
        self.station
            .advance(t, &mut record_into(&mut self.recorder, self.horizon));
    }

    /// Closes the oldest open step, which ends at `end`: the station is
    /// brought to `end` and the buckets are read there.
    fn close_step(&mut self, end: SimTime) {
        self.station_advance(end);
        let at = end.min(self.horizon);
        let (tokens, credits) = match &self.lagged {
            Some(l) => (l.iops_tokens(at), l.burst_credits(at)),
            None => (f64::NAN, f64::NAN),
        };
        self.recorder.close_step(tokens, credits);
    }

    /// A snapshot block read arrives at the station at `now`.
    fn snapshot_read(&mut self, now: SimTime, block: u64) {
        self.pump(now);
        if self.overloaded(now) {
            return; // uploads are network-bound: only the station's load is lost
        }
        let job = Job {
            kind: SNAPSHOT_READ,
            pending: 0,
            credit_wait: false,
            len: block,
            arrived: now,
            at: now,
            service_ns: self.service(block, 0),
        };
        self.station_arrive(job);
    }

    /// Closes the run at `end`: admitted IOs due by then reach the
    /// station, IOs completing by then are recorded, and every step closes.
    pub fn finish(&mut self, end: SimTime) {
        self.pump(end);
        self.station_advance(end);
        while let Some(e) = self.recorder.open_step_end() {
            self.close_step(e);
        }
    }

    /// st1/sc1 drop to baseline while snapshots are pending: the rate changes
    /// at `now`, and the admissions still ahead are decided again.
    pub fn set_pending(&mut self, now: SimTime, pending: usize) {
        if !self.lagged.as_ref().is_some_and(Limits::has_pending_cap) {
            return;
        }
        self.pump(now);
        let Some(lagged) = self.lagged.as_mut() else {
            return;
        };
        lagged.set_pending(now, pending);
        let mut l = lagged.clone();
        let mut last = now;
        for (job, cost, submitted) in &mut self.admitted {
            let t = (*submitted).max(last);
            let t = t + l.wait_for(t, cost.bytes, cost.ios);
            l.admit(t, cost.bytes, cost.ios);
            job.at = t;
            last = t;
        }
        self.last_admit = last;
        self.limits = Some(l);
    }

    /// Builds the job of IO `w` (with `extra_bytes` of copy-on-write
    /// traffic) and submits it at `now`.
    #[inline(always)]
    fn admit_io(
        &mut self,
        now: SimTime,
        w: Write,
        op: u8,
        pending: u8,
        sequential: bool,
        extra_bytes: u64,
    ) {
        let job = Job {
            kind: op,
            pending,
            credit_wait: false,
            len: w.len,
            arrived: w.at,
            at: now,
            service_ns: self.service(w.len, extra_bytes),
        };
        // A copy is one read and one write of half the extra bytes each.
        let ios = self.limits.as_ref().map_or(1.0, |l| {
            let copies = if extra_bytes > 0 {
                2.0 * l.io_cost(extra_bytes / 2, false)
            } else {
                0.0
            };
            l.io_cost(w.len, sequential) + copies
        });
        let cost = Cost {
            ios,
            bytes: w.len + extra_bytes,
            cow_bytes: extra_bytes,
        };
        self.submit(now, job, cost);
    }

    /// Makes sure a release event comes at `release` (one already due
    /// earlier will schedule it when it runs).
    fn wake_for_release(&mut self, sched: &mut Scheduler<Event>, volume: usize, release: SimTime) {
        if release < self.cow_next {
            self.cow_next = release;
            sched
                .schedule_at(
                    release.max(sched.now()),
                    Event::CowReleased {
                        volume: VolumeId(volume),
                    },
                )
                .expect("clamped to now");
        }
    }

    /// Time integral of foreground IOs in the station up to the horizon
    /// [IO·ns] (after [`IoVolume::finish`] at the horizon).
    pub fn station_area(&self) -> f64 {
        self.station.area()
    }
}

impl Simulation {
    /// The next IO of `volume` arrives; so do the ones after it, inline,
    /// while no other event is due first.
    pub(crate) fn on_io_arrival(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let horizon = SimTime::ZERO + self.cfg.duration;
        let Some(mut k) = self.volumes[volume]
            .io
            .as_ref()
            .map(|io| io.next_arrival().0)
        else {
            return;
        };
        loop {
            let Some(io) = self.volumes[volume].io.as_mut() else {
                return;
            };
            let Some((w, is_write)) = io.sources.get_mut(k).and_then(IoSource::next_io) else {
                return;
            };
            let next;
            (k, next) = io.next_arrival();
            self.io_arrives(sched, volume, w, if is_write { WRITE } else { READ });
            if next >= horizon {
                return;
            }
            if !sched.advance_if_next(next) {
                sched
                    .schedule_at(
                        next.max(sched.now()),
                        Event::IoArrival {
                            volume: VolumeId(volume),
                        },
                    )
                    .expect("clamped to now");
                return;
            }
        }
    }

    /// IO `w` arrives now: held by a pause, dropped while the instance is
    /// down, or submitted.
    #[inline(always)]
    fn io_arrives(&mut self, sched: &mut Scheduler<Event>, volume: usize, w: Write, op: u8) {
        let now = sched.now();
        if let Some(p) = self.volumes[volume].state.pause.filter(|p| p.covers(now)) {
            if p.drop {
                return; // the instance is down: no IO
            }
            if !p.released {
                if let Some(io) = self.volumes[volume].io.as_mut() {
                    io.held.push((w, op));
                }
                return;
            }
        }
        self.submit_io(sched, volume, w, op);
    }

    /// Submits IO held by a pause, in arrival order, now that it may run.
    pub(crate) fn release_held_io(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let Some(io) = self.volumes[volume].io.as_mut() else {
            return;
        };
        for (w, op) in std::mem::take(&mut io.held) {
            self.submit_io(sched, volume, w, op);
        }
    }

    /// An IO that arrived at `w.at` enters the volume now: its block effects
    /// apply, and it goes to admission, or, if it must wait for an
    /// out-of-order upload, is held until then. Its latency counts from its
    /// arrival, so time held by a pause shows in it.
    #[inline(always)]
    fn submit_io(&mut self, sched: &mut Scheduler<Event>, volume: usize, w: Write, op: u8) {
        let now = sched.now();
        let block_size = self.cfg.block_size.0;
        let clocks = self.transfers.clocks();
        let vol = &mut self.volumes[volume];
        let vs = &mut vol.state;
        let Some(io) = vol.io.as_mut() else {
            return;
        };
        let pending = vs.pending.len().min(255) as u8;
        let cow = if op == WRITE {
            let before = vs.cow_copies;
            vs.apply_write(now, w.offset, w.len, clocks);
            vs.cow_copies - before
        } else {
            0
        };
        let sequential = io.last_end[usize::from(op)] == w.offset;
        io.last_end[usize::from(op)] = w.offset + w.len;
        if cow > 0 && vs.cow_wait && vs.cow_release > now {
            let release = vs.cow_release;
            io.cow_held.push(Reverse((
                release, io.cow_seq, w.offset, w.len, w.at, pending, sequential,
            )));
            io.cow_seq += 1;
            io.wake_for_release(sched, volume, release);
            return;
        }
        // A copy reads and writes what it preserves; waits are over.
        let extra = match io.perf.copy_on_write {
            _ if cow == 0 => 0,
            CowPolicy::Wait | CowPolicy::Redirect => 0,
            CowPolicy::Copy => cow * 2 * block_size,
            CowPolicy::CopyRange => 2 * w.len.min(cow * block_size),
        };
        io.admit_io(now, w, op, pending, sequential, extra);
    }

    /// Writes whose out-of-order uploads are done go on to admission.
    pub(crate) fn on_cow_released(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let now = sched.now();
        let Some(io) = self.volumes[volume].io.as_mut() else {
            return;
        };
        if io.cow_next <= now {
            io.cow_next = SimTime::MAX;
        }
        while let Some(&Reverse((release, _, offset, len, at, pending, sequential))) =
            io.cow_held.peek()
        {
            if release > now {
                io.wake_for_release(sched, volume, release);
                break;
            }
            io.cow_held.pop();
            let w = Write { at, offset, len };
            io.admit_io(now, w, WRITE, pending, sequential, 0);
        }
    }

    /// Reads the next snapshot block for upload, at the pace of the volume's
    /// total upload rate.
    pub(crate) fn on_snapshot_read(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let rate = self.transfers.owner_rate(volume);
        let block = self.cfg.block_size.0;
        let Some(io) = self.volumes[volume].io.as_mut() else {
            return;
        };
        if rate <= 0.0 {
            io.snapshot_reads_scheduled = false;
            return;
        }
        io.snapshot_read(sched.now(), block);
        let gap = SimDuration::from_secs_f64_ceil(block as f64 / rate);
        sched.schedule_after(
            gap,
            Event::SnapshotReadDue {
                volume: VolumeId(volume),
            },
        );
    }

    /// Starts a volume's snapshot reads when its uploads start.
    pub(crate) fn wake_snapshot_reads(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let rate = self.transfers.owner_rate(volume);
        let block = self.cfg.block_size.0;
        if let Some(io) = self.volumes[volume].io.as_mut() {
            if rate > 0.0 && !io.snapshot_reads_scheduled {
                io.snapshot_reads_scheduled = true;
                let gap = SimDuration::from_secs_f64_ceil(block as f64 / rate);
                sched.schedule_after(
                    gap,
                    Event::SnapshotReadDue {
                        volume: VolumeId(volume),
                    },
                );
            }
        }
    }
}
