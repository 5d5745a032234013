//! Which runs a sweep (or one shard of it) needs, round by round.
//!
//! Fixed replications need every (point, replication) in one round.
//! Sequential replications start with `min` runs per point; after each
//! round, a point whose metric is not yet precise enough (see
//! [`super::stats::precise_enough`]) and is below `max` runs gets another
//! `min` runs (capped at `max`). Decisions look only at completed rounds,
//! so the set of runs never depends on thread timing, and a resume or a
//! merge replays them exactly.
//!
//! Shards: with fixed replications, run i = point × replications + r belongs
//! to shard i mod N; with sequential replications whole points do (point mod
//! N), because a point's later rounds depend on its earlier ones.

use super::plan::Plan;
use super::record::Shard;
use super::stats::precise_enough;
use crate::scenario::Replications;

/// A run's identity: (point, replication).
pub type RunKey = (usize, u32);

/// The round-by-round plan of one process (whole sweep or one shard).
pub struct Rounds<'a> {
    plan: &'a Plan,
    shard: Option<Shard>,
    /// Per point of this shard: (point, runs so far, finished).
    points: Vec<(usize, u32, bool)>,
    started: bool,
}

impl<'a> Rounds<'a> {
    /// The rounds of `plan` for `shard` (all runs if `None`).
    pub fn new(plan: &'a Plan, shard: Option<Shard>) -> Rounds<'a> {
        let sequential = matches!(plan.def.replications, Replications::Sequential { .. });
        let points = (0..plan.def.points())
            .filter(|&p| {
                !sequential || shard.map_or(true, |s| p % s.count as usize == s.index as usize)
            })
            .map(|p| (p, 0, false))
            .collect();
        Rounds {
            plan,
            shard,
            points,
            started: false,
        }
    }

    /// Most runs this process may need (the progress bar's first length).
    pub fn upper_bound(&self) -> u64 {
        match self.plan.def.replications {
            Replications::Fixed(r) => {
                let all = self.plan.def.points() as u64 * u64::from(r);
                self.shard.map_or(all, |s| {
                    (all + u64::from(s.count) - 1 - u64::from(s.index)) / u64::from(s.count)
                })
            }
            Replications::Sequential { min, .. } => self.points.len() as u64 * u64::from(min),
        }
    }

    /// The runs of the next round, given the metric values of finished runs
    /// (`value(point, replication)`: `None` for a failed run or a run
    /// without the metric); empty when the sweep is complete. Callers must
    /// have finished every run of the previous rounds.
    pub fn next_round(&mut self, value: &dyn Fn(usize, u32) -> Option<f64>) -> Vec<RunKey> {
        let mut out = Vec::new();
        match &self.plan.def.replications {
            Replications::Fixed(r) => {
                if !self.started {
                    let r = *r;
                    for p in 0..self.plan.def.points() {
                        for rep in 0..r {
                            let i = p as u64 * u64::from(r) + u64::from(rep);
                            if self
                                .shard
                                .map_or(true, |s| i % u64::from(s.count) == u64::from(s.index))
                            {
                                out.push((p, rep));
                            }
                        }
                    }
                }
            }
            Replications::Sequential {
                half_width,
                relative,
                min,
                max,
                ..
            } => {
                for (p, k, done) in &mut self.points {
                    if *done {
                        continue;
                    }
                    if self.started {
                        let values: Vec<f64> = (0..*k).filter_map(|r| value(*p, r)).collect();
                        if *k >= *max || precise_enough(&values, *half_width, *relative) {
                            *done = true;
                            continue;
                        }
                    }
                    let next = (*k + *min).min(*max);
                    out.extend((*k..next).map(|r| (*p, r)));
                    *k = next;
                }
            }
        }
        self.started = true;
        out
    }

    /// The metric sequential replications decide on, if any.
    pub fn metric(&self) -> Option<&str> {
        match &self.plan.def.replications {
            Replications::Sequential { metric, .. } => Some(metric),
            Replications::Fixed(_) => None,
        }
    }
}
