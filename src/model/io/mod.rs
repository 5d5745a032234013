//! IO fidelity: every read and write of a volume is an event. An IO arrives,
//! waits for its volume's token buckets, queues at the storage station, is
//! served, and its latency is recorded by the number of snapshots pending
//! when it arrived. Snapshot uploads read their blocks through the same
//! station at the pace they upload them.
//!
//! Assumptions, written down: uploads are network-bound, so the station does
//! not slow an upload (its reads only load the station); a write's block
//! effects (changed blocks, copy-on-write) happen at its arrival; a
//! copy-on-write adds a read and a write of one snapshot block to the
//! writing IO's service time.

pub mod bucket;
pub mod limits;
pub mod recorder;
pub mod station;

use super::config::{LatencyDist, Performance, SnapshotReadPriority, VolumeConfig};
use super::rng::StreamRng;
use super::simulation::{Event, Simulation};
use super::source::IoSource;
use super::workload::Write;
use crate::engine::{Scheduler, SimDuration, SimTime, NANOS_PER_SEC};
use limits::Limits;
use rand_distr::{Distribution, Exp1, StandardNormal};
use recorder::Recorder;
use station::{Job, Station};
use std::collections::VecDeque;

/// Operation code of a read in jobs.
pub const READ: u8 = 0;
/// Operation code of a write in jobs.
pub const WRITE: u8 = 1;
/// Job kind of a snapshot block read.
pub const SNAPSHOT_READ: u8 = 2;

/// The IO-fidelity state of one volume.
pub struct IoVolume {
    /// IO sources (read streams, write streams, a trace), by index.
    sources: Vec<IoSource>,
    last_end: [u64; 2],
    limits: Option<Limits>,
    station: Station,
    perf: Performance,
    latency_rng: StreamRng,
    admission: VecDeque<(Job, f64)>,
    tokens_event: bool,
    snapshot_reads_scheduled: bool,
    /// IO held by a pause (freeze, unmount) until it is released.
    held: Vec<(Write, u8)>,
    /// Latency histograms and per-step figures.
    pub recorder: Recorder,
}

impl IoVolume {
    /// The IO state of volume `v`, fed by `sources`.
    pub fn new(
        v: &VolumeConfig,
        sources: Vec<IoSource>,
        latency_rng: StreamRng,
        recorder: Recorder,
    ) -> IoVolume {
        let perf = v.performance;
        IoVolume {
            sources,
            last_end: [u64::MAX; 2],
            limits: perf.limits.then(|| Limits::new(v.kind, &v.provisioned)),
            station: Station::new(
                perf.channels,
                perf.snapshot_reads == SnapshotReadPriority::Low,
            ),
            perf,
            latency_rng,
            admission: VecDeque::new(),
            tokens_event: false,
            snapshot_reads_scheduled: false,
            held: Vec::new(),
            recorder,
        }
    }

    /// Arrival times of the first IO of each source.
    pub fn first_arrivals(&self) -> Vec<SimTime> {
        self.sources.iter().map(IoSource::peek_time).collect()
    }

    /// The first error of a trace source, if one stopped early.
    pub fn feed_error(&self) -> Option<String> {
        self.sources
            .iter()
            .find_map(|s| s.error().map(ToString::to_string))
    }

    /// Service time of an IO of `len` bytes plus `extra_bytes` of
    /// copy-on-write traffic: a base latency draw plus transfer time.
    fn service(&mut self, len: u64, extra_bytes: u64) -> u64 {
        let base = match self.perf.base_latency {
            LatencyDist::Constant(d) => d.0 as f64,
            LatencyDist::Exponential(m) => {
                let x: f64 = Exp1.sample(&mut self.latency_rng);
                x * m.0 as f64
            }
            LatencyDist::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(&mut self.latency_rng);
                median.0 as f64 * (sigma * z).exp()
            }
        };
        let transfer = (len + extra_bytes) as f64 / self.perf.channel_bandwidth.bytes_per_sec
            * NANOS_PER_SEC as f64;
        (base + transfer).ceil().max(1.0) as u64
    }

    /// Hands an admitted job to the station; schedules its completion if a
    /// channel is free.
    fn enqueue(&mut self, sched: &mut Scheduler<Event>, volume: usize, job: Job) {
        let now = sched.now();
        if let Some(started) = self.station.arrive(now, job) {
            sched.schedule_after(
                SimDuration(started.service_ns),
                Event::ServiceDone {
                    volume,
                    job: started,
                },
            );
        }
    }

    /// Admits queued IOs whose tokens are there, in order; schedules a retry
    /// for the first one that must wait.
    fn admit_queued(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let now = sched.now();
        while let Some(&(job, ios)) = self.admission.front() {
            let wait = match &mut self.limits {
                Some(l) => l.wait_for(now, job.len, ios),
                None => SimDuration::ZERO,
            };
            if !wait.is_zero() {
                if !self.tokens_event {
                    self.tokens_event = true;
                    sched.schedule_after(wait, Event::TokensReady { volume });
                }
                return;
            }
            if let Some(l) = &mut self.limits {
                l.admit(now, job.len, ios);
            }
            self.admission.pop_front();
            self.enqueue(sched, volume, job);
        }
    }

    fn flush_steps(&mut self, now: SimTime) {
        let step = self.recorder.step_of(now);
        if step > self.recorder.current_step() {
            let (tokens, credits) = match &self.limits {
                Some(l) => (l.iops_tokens(now), l.burst_credits(now)),
                None => (f64::NAN, f64::NAN),
            };
            self.recorder.flush_until(step, tokens, credits);
        }
    }

    /// Closes the time series at the end of the run.
    pub fn finish(&mut self, end: SimTime) {
        let (tokens, credits) = match &self.limits {
            Some(l) => (l.iops_tokens(end), l.burst_credits(end)),
            None => (f64::NAN, f64::NAN),
        };
        let steps = self.recorder.steps.len();
        self.recorder.flush_until(steps, tokens, credits);
    }

    /// st1/sc1 drop to baseline while snapshots are pending.
    pub fn set_pending(&mut self, now: SimTime, pending: usize) {
        if let Some(l) = &mut self.limits {
            l.set_pending(now, pending);
        }
    }

    /// Time integral of foreground IOs in the station up to `now` [IO·ns].
    pub fn station_area(&self, now: SimTime) -> f64 {
        self.station.area_until(now)
    }
}

impl Simulation {
    /// The next IO of source `source` arrives on `volume`.
    pub(crate) fn on_io_arrival(
        &mut self,
        sched: &mut Scheduler<Event>,
        volume: usize,
        source: u8,
    ) {
        let now = sched.now();
        let horizon = SimTime::ZERO + self.cfg.duration;
        let vs = &mut self.volumes[volume];
        let Some(io) = self.io[volume].as_mut() else {
            return;
        };
        let Some(src) = io.sources.get_mut(usize::from(source)) else {
            return;
        };
        let Some((w, is_write)) = src.next_io() else {
            return;
        };
        let op = if is_write { WRITE } else { READ };
        let next = src.peek_time();
        if next < horizon {
            sched
                .schedule_at(next, Event::IoArrival { volume, source })
                .ok();
        }
        if let Some(p) = vs.pause.filter(|p| p.covers(now)) {
            if p.drop {
                return; // the instance is down: no IO
            }
            if !p.released {
                io.held.push((w, op));
                return;
            }
        }
        self.submit_io(sched, volume, w, op);
    }

    /// Submits IO held by a pause, in arrival order, now that it may run.
    pub(crate) fn release_held_io(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let Some(io) = self.io[volume].as_mut() else {
            return;
        };
        for (w, op) in std::mem::take(&mut io.held) {
            self.submit_io(sched, volume, w, op);
        }
    }

    /// An IO that arrived at `w.at` enters the volume now: its block effects
    /// apply, and it joins the admission queue. Its latency counts from its
    /// arrival, so time held by a pause shows in it.
    fn submit_io(&mut self, sched: &mut Scheduler<Event>, volume: usize, w: Write, op: u8) {
        let now = sched.now();
        let block_size = self.cfg.block_size.0;
        let vs = &mut self.volumes[volume];
        let Some(io) = self.io[volume].as_mut() else {
            return;
        };
        let cow = if op == WRITE {
            let before = vs.cow_copies;
            vs.apply_write(now, w.offset, w.len);
            vs.cow_copies - before
        } else {
            0
        };
        let sequential = io.last_end[usize::from(op)] == w.offset;
        io.last_end[usize::from(op)] = w.offset + w.len;
        let job = Job {
            kind: op,
            pending: vs.pending.len().min(255) as u8,
            len: w.len,
            arrived: w.at,
            service_ns: io.service(w.len, cow * 2 * block_size),
        };
        let ios = io
            .limits
            .as_ref()
            .map_or(1.0, |l| l.io_cost(w.len, sequential));
        io.admission.push_back((job, ios));
        if io.admission.len() == 1 && !io.tokens_event {
            io.admit_queued(sched, volume);
        }
    }

    /// The head of `volume`'s admission queue may have its tokens now.
    pub(crate) fn on_tokens_ready(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        if let Some(io) = self.io[volume].as_mut() {
            io.tokens_event = false;
            io.admit_queued(sched, volume);
        }
    }

    /// A job leaves the station.
    pub(crate) fn on_service_done(
        &mut self,
        sched: &mut Scheduler<Event>,
        volume: usize,
        job: Job,
    ) {
        let now = sched.now();
        let Some(io) = self.io[volume].as_mut() else {
            return;
        };
        if job.is_foreground() {
            io.flush_steps(now);
            io.recorder
                .record(job.kind, job.pending, job.arrived, job.len, now);
        }
        if let Some(next) = io.station.depart(now, &job) {
            sched.schedule_after(
                SimDuration(next.service_ns),
                Event::ServiceDone { volume, job: next },
            );
        }
    }

    /// Reads the next snapshot block for upload, at the pace of the volume's
    /// total upload rate.
    pub(crate) fn on_snapshot_read(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let rate = self.last_rate[volume];
        let block = self.cfg.block_size.0;
        let Some(io) = self.io[volume].as_mut() else {
            return;
        };
        if rate <= 0.0 {
            io.snapshot_reads_scheduled = false;
            return;
        }
        let job = Job {
            kind: SNAPSHOT_READ,
            pending: 0,
            len: block,
            arrived: sched.now(),
            service_ns: io.service(block, 0),
        };
        io.enqueue(sched, volume, job);
        let gap = SimDuration::from_secs_f64_ceil(block as f64 / rate);
        sched.schedule_after(gap, Event::SnapshotReadDue { volume });
    }

    /// Starts a volume's snapshot reads when its uploads start.
    pub(crate) fn wake_snapshot_reads(&mut self, sched: &mut Scheduler<Event>, volume: usize) {
        let rate = self.last_rate[volume];
        let block = self.cfg.block_size.0;
        if let Some(io) = self.io[volume].as_mut() {
            if rate > 0.0 && !io.snapshot_reads_scheduled {
                io.snapshot_reads_scheduled = true;
                let gap = SimDuration::from_secs_f64_ceil(block as f64 / rate);
                sched.schedule_after(gap, Event::SnapshotReadDue { volume });
            }
        }
    }
}
