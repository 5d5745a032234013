//! Virtual time of a saturated pool: the bytes one flow at the pool's water
//! level has received since the run began.
//!
//! While a pool is saturated, every flow it limits gets the same rate, the
//! water level `L`. A change of `L` (an upload starts or ends anywhere in the
//! pool) would otherwise change the rate of every such flow, `O(F)` work per
//! event and quadratic cost in the fleet. Instead those flows follow the
//! pool's clock `V(t) = ∫ L dt` [B]: a flow that joined the level at `V₀`
//! with `R` bytes left finishes when `V` reaches `V₀ + R`, and its progress
//! at any past instant is read from the clock's log of breakpoints. This is
//! the virtual-time device of fair-queueing schedulers and of SimGrid's
//! lazy action updates.

use crate::engine::SimTime;
use std::cell::Cell;

/// How one upload progresses between changes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pace {
    /// A rate of its own [B/s].
    Fixed(f64),
    /// The water level of pool `pool`'s clock, joined when the clock read
    /// `v0` [B].
    Clock {
        /// Index of the clock (pool).
        pool: u32,
        /// Clock reading when the flow joined the level [B].
        v0: f64,
    },
}

/// One breakpoint: from `at` on, the clock reads `v` plus `level` × the
/// seconds since `at`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Breakpoint {
    at: SimTime,
    /// Reading at `at` [B].
    v: f64,
    /// Level from `at` on [B/s]; 0 while no flow is at the level.
    level: f64,
}

/// Memory of one breakpoint [B], for the resource plan.
pub const BREAKPOINT_BYTES: u64 = std::mem::size_of::<Breakpoint>() as u64;

/// A pool's clock: piecewise linear, kept as its breakpoints.
#[derive(Clone, Debug)]
pub struct Clock {
    log: Vec<Breakpoint>,
    /// The breakpoint the last past reading fell in: a volume applies its
    /// writes in time order, so the next reading is usually in the same
    /// segment or the next one, not worth a binary search.
    hint: Cell<usize>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            log: vec![Breakpoint {
                at: SimTime::ZERO,
                v: 0.0,
                level: 0.0,
            }],
            hint: Cell::new(0),
        }
    }
}

impl Clock {
    /// The reading at `t` [B]; any instant since the start.
    #[inline]
    pub fn at(&self, t: SimTime) -> f64 {
        let last = self.log[self.log.len() - 1];
        let b = if t >= last.at {
            last
        } else {
            let within =
                |i: usize| self.log[i].at <= t && self.log.get(i + 1).is_some_and(|n| t < n.at);
            let h = self.hint.get();
            let i = if within(h) {
                h
            } else if h + 1 < self.log.len() && within(h + 1) {
                h + 1
            } else {
                self.log.partition_point(|b| b.at <= t).max(1) - 1
            };
            self.hint.set(i);
            self.log[i]
        };
        b.v + b.level * (t - b.at).as_secs_f64()
    }

    /// The level in force now [B/s].
    pub fn level(&self) -> f64 {
        self.log[self.log.len() - 1].level
    }

    /// The instant of the last change and the reading then.
    pub fn last_change(&self) -> (SimTime, f64) {
        let b = self.log[self.log.len() - 1];
        (b.at, b.v)
    }

    /// The level becomes `level` at `now` (not before the last change).
    pub fn set_level(&mut self, now: SimTime, level: f64) {
        let v = self.at(now);
        let last = self.log.len() - 1;
        if self.log[last].level == level {
            return;
        }
        if self.log[last].at == now {
            self.log[last].level = level;
            self.log[last].v = v;
        } else {
            self.log.push(Breakpoint { at: now, v, level });
        }
    }

    /// Breakpoints kept (for the memory estimate and tests).
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether only the initial breakpoint is kept.
    pub fn is_empty(&self) -> bool {
        self.log.len() <= 1
    }
}

/// Every pool's clock, indexed like the pools.
#[derive(Clone, Debug, Default)]
pub struct Clocks(pub Vec<Clock>);

impl Clocks {
    /// Progress [B] of an upload that had `bytes` at `start` and advanced
    /// at `pace` since, at `t ≥ start`.
    #[inline]
    pub fn progress(&self, pace: Pace, start: SimTime, bytes: f64, t: SimTime) -> f64 {
        match pace {
            Pace::Fixed(rate) => bytes + rate * (t - start).as_secs_f64(),
            Pace::Clock { pool, v0 } => bytes + (self.0[pool as usize].at(t) - v0).max(0.0),
        }
    }

    /// The rate [B/s] of `pace` now.
    pub fn rate(&self, pace: Pace) -> f64 {
        match pace {
            Pace::Fixed(rate) => rate,
            Pace::Clock { pool, .. } => self.0[pool as usize].level(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    fn s(x: u64) -> SimTime {
        SimTime::ZERO + SimDuration(x * 1_000_000_000)
    }

    /// Level 10 B/s from 0 s, 4 B/s from 10 s, idle from 20 s: the reading
    /// at 5, 15 and 25 s is 50, 120 and 140 B, before and after later
    /// changes are logged.
    #[test]
    fn readings_follow_the_levels_in_force() {
        let mut c = Clock::default();
        c.set_level(s(0), 10.0);
        assert_eq!(c.at(s(5)), 50.0);
        c.set_level(s(10), 4.0);
        c.set_level(s(20), 0.0);
        assert_eq!(c.at(s(5)), 50.0);
        assert_eq!(c.at(s(15)), 120.0);
        assert_eq!(c.at(s(25)), 140.0);
        assert_eq!(c.len(), 3, "the first change at 0 s replaces the start");
        // Readings in any order agree with the segments (the hint is only
        // a shortcut).
        for x in [12, 13, 3, 19, 20, 21, 0, 10, 9, 11] {
            let want = match x {
                0..10 => 10.0 * x as f64,
                10..20 => 100.0 + 4.0 * (x - 10) as f64,
                _ => 140.0,
            };
            assert_eq!(c.at(s(x)), want, "at {x} s");
        }
        let clocks = Clocks(vec![c]);
        let pace = Pace::Clock { pool: 0, v0: 50.0 };
        assert_eq!(clocks.progress(pace, s(5), 7.0, s(15)), 77.0);
        assert_eq!(clocks.rate(pace), 0.0);
    }
}
