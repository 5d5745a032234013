//! The storage station: `channels` IOs in service at once, a foreground
//! queue and a snapshot-read queue, first come first served within each.
//!
//! The station keeps the time integral of the number of foreground IOs in it
//! (queued or in service), for Little's law.

use crate::engine::SimTime;
use std::collections::VecDeque;

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
    /// Service time [ns].
    pub service_ns: u64,
}

impl Job {
    /// Whether this is foreground IO.
    pub fn is_foreground(&self) -> bool {
        self.kind < 2
    }
}

/// A multi-channel FIFO station with a low-priority lane.
#[derive(Clone, Debug)]
pub struct Station {
    channels: u32,
    busy: u32,
    fg: VecDeque<Job>,
    bg: VecDeque<Job>,
    bg_low: bool,
    in_system: u64,
    area_ns: f64,
    last: SimTime,
}

impl Station {
    /// A station with `channels` channels; snapshot reads wait behind
    /// foreground IO when `snapshot_low` is true.
    pub fn new(channels: u32, snapshot_low: bool) -> Station {
        Station {
            channels: channels.max(1),
            busy: 0,
            fg: VecDeque::new(),
            bg: VecDeque::new(),
            bg_low: snapshot_low,
            in_system: 0,
            area_ns: 0.0,
            last: SimTime::ZERO,
        }
    }

    fn account(&mut self, now: SimTime) {
        self.area_ns += self.in_system as f64 * (now - self.last).as_nanos() as f64;
        self.last = now;
    }

    /// A job arrives; returns it if a channel is free (it starts now).
    pub fn arrive(&mut self, now: SimTime, job: Job) -> Option<Job> {
        self.account(now);
        if job.is_foreground() {
            self.in_system += 1;
        }
        if self.busy < self.channels {
            self.busy += 1;
            return Some(job);
        }
        if job.is_foreground() || !self.bg_low {
            self.fg.push_back(job);
        } else {
            self.bg.push_back(job);
        }
        None
    }

    /// A job finished; returns the next job to start on the freed channel.
    pub fn depart(&mut self, now: SimTime, done: &Job) -> Option<Job> {
        self.account(now);
        if done.is_foreground() {
            self.in_system -= 1;
        }
        match self.fg.pop_front().or_else(|| self.bg.pop_front()) {
            Some(next) => Some(next),
            None => {
                self.busy -= 1;
                None
            }
        }
    }

    /// Time integral of foreground IOs in the station up to `now` [IO·ns].
    pub fn area_until(&self, now: SimTime) -> f64 {
        self.area_ns + self.in_system as f64 * (now - self.last).as_nanos() as f64
    }
}
