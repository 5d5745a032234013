//! The storage station: `channels` IOs in service at once, a foreground lane
//! and a snapshot-read lane, first come first served within each lane.
//!
//! The station has no completion events. Service times are known when a job
//! starts, so a job's completion is known then too; the station keeps every
//! channel's free time in a small heap and is *advanced* to an instant by
//! granting channels freed by then to waiting jobs in time order. Callers
//! advance it (through [`Station::arrive`] or [`Station::advance`]) with
//! non-decreasing instants, which is all the queue discipline needs: a
//! channel freed at `f` goes to a job waiting at `f`, and every job that
//! arrives by `f` has been handed in before the station is advanced past
//! `f`. The result is the same as one completion event per job, at a
//! fraction of the cost: a job that starts takes the channel with the
//! earliest free time, which is one replacement at the heap's top.
//!
//! How the lanes share channels ([`SnapshotReadPriority`]):
//! - `Equal`: one queue, in arrival order.
//! - `Low`: a freed channel goes to the foreground lane if any
//!   foreground IO waits (non-preemptive: a snapshot read in service
//!   finishes).
//! - `Weight(w)`: when both lanes wait, channel time is shared in the
//!   ratio 1 : w (foreground : snapshot reads) by start-time fair queueing
//!   on service time: each lane has a virtual clock that advances by
//!   `service / weight` per job started; the lane with the smaller clock
//!   goes next (foreground on a tie); a lane that was empty joins at the
//!   other lane's clock, so idling banks no credit.
//!
//! The station keeps the time integral of the number of foreground IOs in
//! it (queued or in service) up to the run's horizon, for Little's law: each
//! foreground IO adds the part of its stay in the station that falls before
//! the horizon when it starts, and the ones still queued at the end add
//! theirs then.

use crate::engine::{u64_to_f64, SimTime};
use crate::model::config::SnapshotReadPriority;
use std::collections::VecDeque;

/// A job waiting for or holding a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// 0 read, 1 write, 2 snapshot block read.
    pub kind: u8,
    /// Pending snapshots when the IO arrived (latency split).
    pub pending: u8,
    /// Whether its admission waited for burst credits (gp2 IO credits,
    /// st1/sc1 throughput credits): the credits were exhausted (latency
    /// split).
    pub credit_wait: bool,
    /// Bytes moved [B].
    pub len: u64,
    /// When the IO arrived at the volume [ns].
    pub arrived: SimTime,
    /// When it arrived at the station (after its token wait) [ns].
    pub at: SimTime,
    /// Service time [ns].
    pub service_ns: u64,
}

impl Job {
    /// Whether this is foreground IO.
    #[inline]
    pub fn is_foreground(&self) -> bool {
        self.kind < 2
    }
}

/// Every channel's free time [ns], as a binary min-heap in an array: the
/// earliest free channel is at the top, and starting a job on it is one
/// replacement there. The heap is padded to a full tree with never-free
/// entries (`u64::MAX`), so that every inner node has two children and the
/// smaller child is chosen without a branch (a branch there is a coin toss
/// the processor mispredicts half the time).
#[derive(Clone, Debug)]
struct FreeTimes(Vec<u64>);

impl FreeTimes {
    /// `channels` channels, free from time zero.
    fn new(channels: usize) -> FreeTimes {
        let full = 2 * channels.max(1).next_power_of_two() - 1;
        let mut heap = vec![u64::MAX; full];
        heap[..channels.max(1)].fill(0);
        FreeTimes(heap)
    }

    /// Earliest free time.
    #[inline]
    fn top(&self) -> u64 {
        self.0[0]
    }

    /// Replaces the earliest free time by `t` (not earlier) and restores
    /// the heap order.
    #[inline]
    fn replace_top(&mut self, t: u64) {
        let h = &mut self.0;
        let mut i = 0;
        loop {
            let l = 2 * i + 1;
            if l + 1 >= h.len() {
                break;
            }
            let c = l + usize::from(h[l + 1] < h[l]);
            if h[c] >= t {
                break;
            }
            h[i] = h[c];
            i = c;
        }
        h[i] = t;
    }
}

/// A multi-channel station with a foreground and a snapshot-read lane.
#[derive(Clone, Debug)]
pub struct Station {
    free: FreeTimes,
    fg: VecDeque<Job>,
    bg: VecDeque<Job>,
    discipline: SnapshotReadPriority,
    /// Virtual clocks of the lanes (weighted discipline) [ns / weight].
    vclock: [f64; 2],
    horizon: SimTime,
    /// Foreground IO time in the station before the horizon, of the IOs
    /// started so far [IO·ns].
    area_ns: u128,
}

impl Station {
    /// Jobs waiting for a channel, both lanes [IOs].
    #[inline(always)]
    pub fn queued(&self) -> usize {
        self.fg.len() + self.bg.len()
    }

    /// A station with `channels` channels, shared with snapshot reads by
    /// `discipline`, keeping Little's-law figures up to `horizon`.
    pub fn new(channels: u32, discipline: SnapshotReadPriority, horizon: SimTime) -> Station {
        Station {
            free: FreeTimes::new(channels as usize),
            fg: VecDeque::new(),
            bg: VecDeque::new(),
            discipline,
            vclock: [0.0; 2],
            horizon,
            area_ns: 0,
        }
    }

    /// Starts `job` at `start` on the earliest free channel; reports a
    /// foreground job's completion to `done`.
    #[inline(always)]
    fn start(&mut self, start: SimTime, job: Job, done: &mut impl FnMut(&Job, SimTime)) {
        let end = start.0.saturating_add(job.service_ns);
        self.free.replace_top(end);
        let fg = job.is_foreground();
        if let SnapshotReadPriority::Weight(w) = self.discipline {
            let lane = usize::from(!fg);
            let weight = if fg { 1.0 } else { w };
            self.vclock[lane] += u64_to_f64(job.service_ns) / weight;
        }
        if fg {
            let h = self.horizon.0;
            self.area_ns += u128::from(end.min(h).saturating_sub(job.at.0.min(h)));
            done(&job, SimTime(end));
        }
    }

    /// The lane that gets a freed channel: 0 foreground, 1 snapshot reads,
    /// `None` if nobody waits.
    #[inline]
    fn pick(&self) -> Option<usize> {
        match (self.fg.front(), self.bg.front()) {
            (None, None) => None,
            (Some(_), None) => Some(0),
            (None, Some(_)) => Some(1),
            (Some(f), Some(b)) => Some(match self.discipline {
                SnapshotReadPriority::Equal => usize::from(b.at < f.at),
                SnapshotReadPriority::Low => 0,
                SnapshotReadPriority::Weight(_) => usize::from(self.vclock[1] < self.vclock[0]),
            }),
        }
    }

    /// Grants every channel freed at or before `t` to waiting jobs, in time
    /// order (a waiting job arrived while every channel was busy, so it
    /// starts when the channel frees).
    #[inline(always)]
    pub fn advance(&mut self, t: SimTime, done: &mut impl FnMut(&Job, SimTime)) {
        while self.free.top() <= t.0 {
            let Some(lane) = self.pick() else {
                return;
            };
            let free = SimTime(self.free.top());
            let job = if lane == 0 {
                self.fg.pop_front()
            } else {
                self.bg.pop_front()
            };
            if let Some(job) = job {
                self.start(free, job, done);
            }
        }
    }

    /// A job arrives at `job.at` (not before any earlier call's instant):
    /// the station is advanced to then, and the job starts at once on a
    /// free channel or joins its lane.
    #[inline(always)]
    pub fn arrive(&mut self, job: Job, done: &mut impl FnMut(&Job, SimTime)) {
        let now = job.at;
        self.advance(now, done);
        // After advancing, a channel is free at `now` only if nobody waits.
        if self.free.top() <= now.0 {
            self.start(now, job, done);
            return;
        }
        let fg = job.is_foreground();
        let lane = usize::from(!fg);
        let (own, other) = if fg {
            (&mut self.fg, &self.bg)
        } else {
            (&mut self.bg, &self.fg)
        };
        if own.is_empty() && !other.is_empty() {
            // A lane that was empty starts at the other's virtual clock.
            self.vclock[lane] = self.vclock[lane].max(self.vclock[1 - lane]);
        }
        own.push_back(job);
    }

    /// Time integral of foreground IOs in the station up to the horizon
    /// [IO·ns]; the station must have been advanced to the horizon.
    pub fn area(&self) -> f64 {
        let h = self.horizon.0;
        let queued: u128 = self
            .fg
            .iter()
            .map(|j| u128::from(h.saturating_sub(j.at.0)))
            .sum();
        (self.area_ns + queued) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(kind: u8, at: u64, service_ns: u64) -> Job {
        Job {
            kind,
            pending: 0,
            credit_wait: false,
            len: 0,
            arrived: SimTime(at),
            at: SimTime(at),
            service_ns,
        }
    }

    /// Runs jobs through a one-channel station; returns foreground
    /// completions in the order reported.
    fn run(discipline: SnapshotReadPriority, jobs: &[Job]) -> Vec<(u64, u64)> {
        let mut s = Station::new(1, discipline, SimTime::MAX);
        let mut out = Vec::new();
        let mut done = |j: &Job, end: SimTime| out.push((j.arrived.0, end.0));
        for j in jobs {
            s.arrive(*j, &mut done);
        }
        s.advance(SimTime::MAX, &mut done);
        out
    }

    #[test]
    fn priority_serves_foreground_before_waiting_snapshot_reads() {
        // A foreground job holds the channel until 10; a snapshot read waits
        // from 1, a foreground job from 2: the foreground one goes first.
        let jobs = [job(0, 0, 10), job(2, 1, 10), job(1, 2, 10)];
        assert_eq!(
            run(SnapshotReadPriority::Low, &jobs),
            vec![(0, 10), (2, 20)]
        );
        assert_eq!(
            run(SnapshotReadPriority::Equal, &jobs),
            vec![(0, 10), (2, 30)]
        );
    }

    /// The heap's top is always the earliest free time, and a start
    /// replaces exactly that one channel's time.
    #[test]
    fn free_times_always_offer_the_earliest_channel() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        for channels in [1, 2, 3, 5, 32, 33, 100] {
            let mut f = FreeTimes::new(channels);
            let mut reference = vec![0u64; channels];
            for _ in 0..5_000 {
                let min = *reference.iter().min().unwrap();
                assert_eq!(f.top(), min, "{channels} channels");
                let t = min + rng.random_range(0..1_000);
                f.replace_top(t);
                *reference.iter_mut().find(|v| **v == min).unwrap() = t;
                let mut leaves: Vec<u64> = f.0.iter().copied().filter(|&v| v != u64::MAX).collect();
                leaves.sort_unstable();
                let mut expect = reference.clone();
                expect.sort_unstable();
                assert_eq!(leaves, expect, "{channels} channels");
            }
        }
    }

    #[test]
    fn weighted_lanes_share_channel_time_by_weight() {
        // Both lanes backlogged with equal jobs: with weight 1/3 the
        // snapshot lane gets one start in four.
        let mut jobs = Vec::new();
        for i in 0..400 {
            jobs.push(job(0, i, 10));
            jobs.push(job(2, i, 10));
        }
        let fg = run(SnapshotReadPriority::Weight(1.0 / 3.0), &jobs);
        let by_4000 = fg.iter().filter(|(_, end)| *end <= 4000).count();
        assert!((298..=302).contains(&by_4000), "{by_4000} of ~300");
    }

    #[test]
    fn little_area_counts_queue_and_service() {
        let mut s = Station::new(1, SnapshotReadPriority::Equal, SimTime(100));
        let mut ignore = |_: &Job, _: SimTime| {};
        s.arrive(job(0, 0, 10), &mut ignore);
        s.arrive(job(0, 0, 10), &mut ignore);
        // Ends at 95, straddling the horizon; the one after it never starts.
        s.arrive(job(0, 90, 5), &mut ignore);
        s.arrive(job(0, 92, 50), &mut ignore);
        s.arrive(job(0, 93, 50), &mut ignore);
        s.advance(SimTime(100), &mut ignore);
        // 20 + 10 ns, then 5, then 8 of the 50 in service, 7 queued.
        assert_eq!(s.area(), 50.0);
    }
}
