//! The storage station: `channels` IOs in service at once, a foreground lane
//! and a snapshot-read lane, first come first served within each lane.
//!
//! The station has no completion events. Service times are known when a job
//! starts, so a job's completion is known then too; the station keeps the
//! busy channels' free times in a small heap and is *advanced* to an instant
//! by granting freed channels to waiting jobs in time order. Callers advance
//! it (through [`Station::arrive`] or [`Station::advance`]) with
//! non-decreasing instants, which is all the queue discipline needs: a
//! channel freed at `f` goes to a job waiting at `f`, and every job that
//! arrives by `f` has been handed in before the station is advanced past
//! `f`. The result is the same as one completion event per job, at a
//! fraction of the cost.
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
//! it (queued or in service), for Little's law; it changes only at arrivals
//! and completions, which the station sees in time order.

use crate::engine::SimTime;
use crate::model::config::SnapshotReadPriority;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// A job waiting for or holding a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    /// 0 read, 1 write, 2 snapshot block read.
    pub kind: u8,
    /// Pending snapshots when the IO arrived (latency split).
    pub pending: u8,
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

/// A multi-channel station with a foreground and a snapshot-read lane.
#[derive(Clone, Debug)]
pub struct Station {
    idle: u32,
    /// Busy channels: free time [ns] shifted left by one, with the low bit
    /// set when a foreground job holds the channel (one `u64` compares
    /// faster than a tuple; the order is by time, then background first).
    busy: BinaryHeap<Reverse<u64>>,
    fg: VecDeque<Job>,
    bg: VecDeque<Job>,
    discipline: SnapshotReadPriority,
    /// Virtual clocks of the lanes (weighted discipline) [ns / weight].
    vclock: [f64; 2],
    in_system: u64,
    area_ns: f64,
    last: SimTime,
}

impl Station {
    /// A station with `channels` channels, shared with snapshot reads by
    /// `discipline`.
    pub fn new(channels: u32, discipline: SnapshotReadPriority) -> Station {
        Station {
            idle: channels.max(1),
            busy: BinaryHeap::new(),
            fg: VecDeque::new(),
            bg: VecDeque::new(),
            discipline,
            vclock: [0.0; 2],
            in_system: 0,
            area_ns: 0.0,
            last: SimTime::ZERO,
        }
    }

    #[inline]
    fn account(&mut self, now: SimTime) {
        if now > self.last {
            self.area_ns += self.in_system as f64 * (now - self.last).as_nanos() as f64;
            self.last = now;
        }
    }

    /// Starts `job` at `start` on a channel; reports a foreground job's
    /// completion to `done`.
    #[inline]
    fn start(&mut self, start: SimTime, job: Job, done: &mut impl FnMut(&Job, SimTime)) {
        let end = start.0.saturating_add(job.service_ns).min(u64::MAX >> 1);
        let fg = job.is_foreground();
        self.busy.push(Reverse(end << 1 | u64::from(fg)));
        if let SnapshotReadPriority::Weight(w) = self.discipline {
            let lane = usize::from(!fg);
            let weight = if fg { 1.0 } else { w };
            self.vclock[lane] += job.service_ns as f64 / weight;
        }
        if fg {
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
    /// order; freed channels nobody waits for become idle.
    #[inline]
    pub fn advance(&mut self, t: SimTime, done: &mut impl FnMut(&Job, SimTime)) {
        while let Some(&Reverse(key)) = self.busy.peek() {
            let (free, fg) = (key >> 1, key & 1 == 1);
            if free > t.0 {
                break;
            }
            self.busy.pop();
            let free = SimTime(free);
            if fg {
                self.account(free);
                self.in_system -= 1;
            }
            match self.pick() {
                Some(lane) => {
                    let job = if lane == 0 {
                        self.fg.pop_front()
                    } else {
                        self.bg.pop_front()
                    };
                    if let Some(job) = job {
                        self.start(free, job, done);
                    }
                }
                None => self.idle += 1,
            }
        }
    }

    /// A job arrives at `job.at` (not before any earlier call's instant):
    /// the station is advanced to then, and the job starts at once on an
    /// idle channel or joins its lane.
    #[inline]
    pub fn arrive(&mut self, job: Job, done: &mut impl FnMut(&Job, SimTime)) {
        let now = job.at;
        self.advance(now, done);
        let fg = job.is_foreground();
        if fg {
            self.account(now);
            self.in_system += 1;
        }
        if self.idle > 0 {
            self.idle -= 1;
            self.start(now, job, done);
            return;
        }
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

    /// Time integral of foreground IOs in the station up to `now` [IO·ns];
    /// the station must have been advanced to `now`.
    pub fn area_until(&self, now: SimTime) -> f64 {
        self.area_ns + self.in_system as f64 * (now.max(self.last) - self.last).as_nanos() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(kind: u8, at: u64, service_ns: u64) -> Job {
        Job {
            kind,
            pending: 0,
            len: 0,
            arrived: SimTime(at),
            at: SimTime(at),
            service_ns,
        }
    }

    /// Runs jobs through a one-channel station; returns foreground
    /// completions in the order reported.
    fn run(discipline: SnapshotReadPriority, jobs: &[Job]) -> Vec<(u64, u64)> {
        let mut s = Station::new(1, discipline);
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
        let mut s = Station::new(1, SnapshotReadPriority::Equal);
        let mut ignore = |_: &Job, _: SimTime| {};
        s.arrive(job(0, 0, 10), &mut ignore);
        s.arrive(job(0, 0, 10), &mut ignore);
        s.advance(SimTime(100), &mut ignore);
        // One IO for 20 ns and another for 10 ns.
        assert_eq!(s.area_until(SimTime(100)), 30.0);
    }
}
