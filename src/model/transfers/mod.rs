//! Transfers: every upload flow's lifecycle (start, progress, rate changes,
//! completion) and how concurrent flows share bandwidth.
//!
//! A flow belongs to groups: its own cap, its owner's cap (a volume, shared
//! by the owner's flows) and at most one pool with a finite capacity (shared
//! by the owners in it). Rates are max-min fair or first come, first served
//! ([`allocate`]). This module knows nothing of volumes or snapshots: an
//! owner is an index and a flow carries a caller's tag.
//!
//! Two ways to keep rates current, with the same answers:
//! - **incremental** (max-min fair at flow fidelity): a start or end
//!   recomputes only its owner's flows and the water level of its pool
//!   ([`pool::PoolLevel`]); flows at a pool's level follow the pool's
//!   virtual clock ([`Clock`]) and are not touched when the level moves, so
//!   an event costs `O(k + log F)` for `k` flows per owner, not `O(F)`;
//! - **reference**: every change recomputes every flow with
//!   [`allocate_fast`] and re-times those whose rate changed. First come,
//!   first served needs it (a flow's rate depends on every older one), and
//!   so do runs whose volumes read their blocks at the upload's pace (IO
//!   fidelity, `--verify`), which must see each rate change as it happens.
//!
//! Either way each flow has one finish time in one ordered set, so the
//! caller keeps a single completion event for all flows.

pub mod allocate;
pub mod clock;
mod pool;

pub use allocate::{allocate, allocate_fast, max_min_fair_tree, FlowSpec};
pub use clock::{Clock, Clocks, Pace};

use super::config::Sharing;
use crate::engine::{SimDuration, SimTime};
use pool::PoolLevel;
use std::collections::BTreeSet;

/// A flow's handle, valid until it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowId(u32);

/// A flow's pace changed at the instant of [`Transfers::settle`]; the
/// owner's mirror of the flow's progress must follow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PaceChange {
    /// The owner's index.
    pub owner: usize,
    /// The tag given at [`Transfers::start`].
    pub tag: usize,
    /// The new pace.
    pub pace: Pace,
}

/// What a [`Transfers`] shares, fixed for the run.
#[derive(Clone, Debug)]
pub struct Limits {
    /// How flows share their groups.
    pub sharing: Sharing,
    /// Cap of all flows of one owner together [B/s] (infinite: none).
    pub owner_cap: f64,
    /// Capacity of each pool [B/s] (infinite: the pool limits nothing).
    pub pool_caps: Vec<f64>,
    /// Number of owners.
    pub owners: usize,
    /// Whether the incremental way may be used (with max-min fair sharing).
    pub incremental: bool,
}

/// Time-series accounting of owners' upload bytes.
#[derive(Clone, Copy, Debug)]
pub struct Steps {
    /// Step length (positive).
    pub step: SimDuration,
    /// Number of steps.
    pub count: usize,
    /// End of the series (the horizon).
    pub end: SimTime,
}

struct Flow {
    owner: u32,
    /// Pool with a finite capacity, if any.
    pool: Option<u32>,
    cap: f64,
    /// Bound from the flow's cap and its owner's level [B/s].
    bound: f64,
    seq: u64,
    tag: usize,
    total: f64,
    base_time: SimTime,
    base_bytes: f64,
    pace: Pace,
    /// Whether the pace has been set since the flow started.
    timed: bool,
    /// Completion at a fixed pace ([`SimTime::MAX`] at rate 0).
    finish: SimTime,
    /// Completion at a clock pace: the clock reading [B].
    clock_finish: f64,
}

struct Owner {
    /// Live flows, oldest first.
    flows: Vec<FlowId>,
    /// Sum of the fixed-pace rates, as last logged [B/s].
    fixed_rate: f64,
    /// When `fixed_rate` took effect.
    since: SimTime,
    /// Upload bytes × ns per step, integrated as rates change.
    steps: Vec<f64>,
    dirty: bool,
}

/// Every live flow and the state that shares bandwidth among them.
pub struct Transfers {
    limits: Limits,
    incremental: bool,
    series: Steps,
    flows: Vec<Option<Flow>>,
    vacant: Vec<u32>,
    next_seq: u64,
    /// Live flows in start order (the reference way only).
    order: Vec<FlowId>,
    live: usize,
    owners: Vec<Owner>,
    dirty_owners: Vec<usize>,
    pools: Vec<Option<PoolLevel>>,
    dirty_pools: Vec<bool>,
    clocks: Clocks,
    /// Fixed-pace completions: (instant, start order, flow).
    due_fixed: BTreeSet<(SimTime, u64, u32)>,
    /// Per pool, clock-pace completions: (reading bits, start order, flow).
    due_clock: Vec<BTreeSet<(u64, u64, u32)>>,
    scratch: Vec<u32>,
}

impl Transfers {
    /// No flows yet.
    pub fn new(limits: Limits, series: Steps) -> Transfers {
        let incremental = limits.incremental && limits.sharing == Sharing::Fair;
        let n_pools = limits.pool_caps.len();
        let pools = limits
            .pool_caps
            .iter()
            .map(|&c| (incremental && c.is_finite()).then(|| PoolLevel::new(c)))
            .collect();
        let owners = (0..limits.owners)
            .map(|_| Owner {
                flows: Vec::new(),
                fixed_rate: 0.0,
                since: SimTime::ZERO,
                steps: vec![0.0; series.count.max(1)],
                dirty: false,
            })
            .collect();
        Transfers {
            incremental,
            series,
            flows: Vec::new(),
            vacant: Vec::new(),
            next_seq: 0,
            order: Vec::new(),
            live: 0,
            owners,
            dirty_owners: Vec::new(),
            pools,
            dirty_pools: vec![false; n_pools],
            clocks: Clocks(vec![Clock::default(); n_pools]),
            due_fixed: BTreeSet::new(),
            due_clock: vec![BTreeSet::new(); n_pools],
            scratch: Vec::new(),
            limits,
        }
    }

    /// Whether rates are kept incrementally (see the module doc).
    pub fn is_incremental(&self) -> bool {
        self.incremental
    }

    /// The pools' clocks, to read the progress of clock-paced flows.
    pub fn clocks(&self) -> &Clocks {
        &self.clocks
    }

    /// Live flows.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no flow is live.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Starts a flow of `total` bytes [B] for `owner`, capped at `cap`
    /// [B/s], in `pool`; its rate is set by the next [`Transfers::settle`].
    pub fn start(
        &mut self,
        now: SimTime,
        owner: usize,
        pool: Option<usize>,
        cap: f64,
        total: f64,
        tag: usize,
    ) -> FlowId {
        let pool = pool.filter(|&p| self.limits.pool_caps[p].is_finite());
        let flow = Flow {
            owner: owner as u32,
            pool: pool.map(|p| p as u32),
            cap,
            bound: cap,
            seq: self.next_seq,
            tag,
            total,
            base_time: now,
            base_bytes: 0.0,
            pace: Pace::Fixed(0.0),
            timed: false,
            finish: SimTime::MAX,
            clock_finish: f64::INFINITY,
        };
        self.next_seq += 1;
        let id = match self.vacant.pop() {
            Some(i) => {
                self.flows[i as usize] = Some(flow);
                i
            }
            None => {
                self.flows.push(Some(flow));
                (self.flows.len() - 1) as u32
            }
        };
        let id = FlowId(id);
        self.live += 1;
        if !self.incremental {
            self.order.push(id);
        }
        self.owners[owner].flows.push(id);
        self.mark_owner(owner);
        id
    }

    fn mark_owner(&mut self, owner: usize) {
        if !self.owners[owner].dirty {
            self.owners[owner].dirty = true;
            self.dirty_owners.push(owner);
        }
    }

    fn flow(&self, id: u32) -> &Flow {
        self.flows[id as usize].as_ref().expect("a live flow")
    }

    fn flow_mut(&mut self, id: u32) -> &mut Flow {
        self.flows[id as usize].as_mut().expect("a live flow")
    }

    /// When the next flow completes ([`SimTime::MAX`]: none will).
    pub fn next_completion(&self) -> SimTime {
        let mut next = self.due_fixed.first().map_or(SimTime::MAX, |e| e.0);
        for (p, due) in self.due_clock.iter().enumerate() {
            if let Some(&(bits, _, _)) = due.first() {
                next = next.min(self.clock_time(p, f64::from_bits(bits)));
            }
        }
        next
    }

    /// When pool `p`'s clock reaches `reading` at its current level.
    fn clock_time(&self, p: usize, reading: f64) -> SimTime {
        let clock = &self.clocks.0[p];
        let (at, v) = clock.last_change();
        let level = clock.level();
        if level > 0.0 {
            at + SimDuration::from_secs_f64_ceil(((reading - v) / level).max(0.0))
        } else {
            SimTime::MAX
        }
    }

    /// Removes every flow due by `now` and returns (owner, tag) of each, in
    /// start order. Call [`Transfers::settle`] afterwards.
    pub fn take_due(&mut self, now: SimTime) -> Vec<(usize, usize)> {
        let mut done: Vec<(u64, u32)> = Vec::new();
        while let Some(&(at, seq, id)) = self.due_fixed.first() {
            if at > now {
                break;
            }
            self.due_fixed.pop_first();
            done.push((seq, id));
        }
        for p in 0..self.due_clock.len() {
            while let Some(&(bits, seq, id)) = self.due_clock[p].first() {
                if self.clock_time(p, f64::from_bits(bits)) > now {
                    break;
                }
                self.due_clock[p].pop_first();
                done.push((seq, id));
            }
        }
        done.sort_unstable();
        let mut out = Vec::with_capacity(done.len());
        for &(_, id) in &done {
            let f = self.flows[id as usize].take().expect("a live flow");
            self.vacant.push(id);
            self.live -= 1;
            let owner = f.owner as usize;
            out.push((owner, f.tag));
            if let Pace::Clock { pool, v0 } = f.pace {
                let clock = &self.clocks.0[pool as usize];
                let steps = &mut self.owners[owner].steps;
                add_clock_segment(steps, clock, self.series, f.base_time, now, v0);
            }
            if let Some(p) = f.pool.map(|p| p as usize) {
                if let Some(pool) = self.pools[p].as_mut() {
                    pool.remove(f.bound, id);
                    self.dirty_pools[p] = true;
                }
            }
            self.owners[owner].flows.retain(|x| x.0 != id);
            self.mark_owner(owner);
        }
        if !done.is_empty() && !self.incremental {
            let gone: BTreeSet<u32> = done.iter().map(|d| d.1).collect();
            self.order.retain(|x| !gone.contains(&x.0));
        }
        out
    }

    /// Brings every rate up to date after starts and completions at `now`,
    /// appending each flow whose pace changed to `changes` (in start
    /// order) and each owner whose flows changed to `touched`.
    pub fn settle(
        &mut self,
        now: SimTime,
        changes: &mut Vec<PaceChange>,
        touched: &mut Vec<usize>,
    ) {
        let (first, from) = (changes.len(), touched.len());
        if self.incremental {
            self.settle_incremental(now, changes);
        } else {
            self.settle_reference(now, changes);
        }
        // Owners whose flows came, went or changed pace, each once.
        touched.append(&mut self.dirty_owners);
        for c in &changes[first..] {
            if !self.owners[c.owner].dirty {
                self.owners[c.owner].dirty = true;
                touched.push(c.owner);
            }
        }
        for &o in &touched[from..] {
            self.owners[o].dirty = false;
            self.log_fixed_rate(o, now);
        }
    }

    /// Every flow recomputed by [`allocate_fast`]; those whose rate changed
    /// are re-timed.
    fn settle_reference(&mut self, now: SimTime, changes: &mut Vec<PaceChange>) {
        let n = self.limits.owners;
        let mut caps = vec![self.limits.owner_cap; n + self.limits.pool_caps.len()];
        caps[n..].copy_from_slice(&self.limits.pool_caps);
        let owner_capped = self.limits.owner_cap.is_finite();
        let specs: Vec<FlowSpec> = self
            .order
            .iter()
            .map(|id| {
                let f = self.flow(id.0);
                FlowSpec {
                    cap: f.cap,
                    group_a: owner_capped.then_some(f.owner as usize),
                    group_b: f.pool.map(|p| n + p as usize),
                }
            })
            .collect();
        let rates = allocate_fast(self.limits.sharing, &specs, &caps);
        let order = std::mem::take(&mut self.order);
        for (id, &rate) in order.iter().zip(&rates) {
            let f = self.flow(id.0);
            if f.timed && f.pace == Pace::Fixed(rate) {
                continue;
            }
            self.set_pace(now, id.0, Pace::Fixed(rate));
            let f = self.flow(id.0);
            changes.push(PaceChange {
                owner: f.owner as usize,
                tag: f.tag,
                pace: f.pace,
            });
        }
        self.order = order;
    }

    /// Only the dirty owners' flows and their pools are recomputed.
    fn settle_incremental(&mut self, now: SimTime, changes: &mut Vec<PaceChange>) {
        let mut candidates = std::mem::take(&mut self.scratch);
        candidates.clear();
        let owner_cap = self.limits.owner_cap;
        let mut caps = Vec::new();
        for i in 0..self.dirty_owners.len() {
            let o = self.dirty_owners[i];
            let level = if owner_cap.is_finite() {
                caps.clear();
                caps.extend(self.owners[o].flows.iter().map(|id| self.flow(id.0).cap));
                allocate::water_level(&mut caps, owner_cap)
            } else {
                f64::INFINITY
            };
            for k in 0..self.owners[o].flows.len() {
                let id = self.owners[o].flows[k].0;
                let f = self.flow(id);
                let bound = f.cap.min(level);
                if f.timed && bound == f.bound {
                    continue;
                }
                let (old, pool, timed) = (f.bound, f.pool, f.timed);
                self.flow_mut(id).bound = bound;
                if let Some(p) = pool.map(|p| p as usize) {
                    if let Some(pl) = self.pools[p].as_mut() {
                        if timed {
                            pl.remove(old, id);
                        }
                        pl.insert(bound, id);
                        self.dirty_pools[p] = true;
                    }
                }
                candidates.push(id);
            }
        }
        for p in 0..self.pools.len() {
            if !std::mem::take(&mut self.dirty_pools[p]) {
                continue;
            }
            let Some(pl) = self.pools[p].as_mut() else {
                continue;
            };
            pl.settle(&mut candidates);
            let level = pl.level();
            self.clocks.0[p].set_level(now, if level.is_finite() { level } else { 0.0 });
        }
        // In start order, each flow once.
        candidates.sort_unstable_by_key(|&id| self.flow(id).seq);
        candidates.dedup();
        for &id in &candidates {
            let f = self.flow(id);
            let at_level = f
                .pool
                .and_then(|p| self.pools[p as usize].as_ref())
                .is_some_and(|pl| pl.at_level(f.bound, id));
            // A pooled flow bounded above the pool's capacity gets at most
            // the capacity (it is alone in the pool, or at the level).
            let own = match f.pool {
                Some(p) => f.bound.min(self.limits.pool_caps[p as usize]),
                None => f.bound,
            };
            let same = f.timed
                && match (f.pace, at_level) {
                    (Pace::Clock { .. }, true) => true,
                    (Pace::Fixed(r), false) => r == own,
                    _ => false,
                };
            if same {
                continue;
            }
            let pace = match (at_level, f.pool) {
                (true, Some(p)) => Pace::Clock {
                    pool: p,
                    v0: self.clocks.0[p as usize].at(now),
                },
                _ => Pace::Fixed(own),
            };
            self.set_pace(now, id, pace);
            let f = self.flow(id);
            changes.push(PaceChange {
                owner: f.owner as usize,
                tag: f.tag,
                pace,
            });
        }
        self.scratch = candidates;
    }

    /// Progress of flow `id` at `now` ≥ its base time [B].
    fn bytes_now(&self, f: &Flow, now: SimTime) -> f64 {
        self.clocks
            .progress(f.pace, f.base_time, f.base_bytes, now)
            .min(f.total)
    }

    /// Flow `id` goes on at `pace` from `now`: progress so far is banked,
    /// its completion re-filed.
    fn set_pace(&mut self, now: SimTime, id: u32, pace: Pace) {
        let f = self.flow(id);
        let bytes = self.bytes_now(f, now);
        let (old, seq, owner, base_time) = (f.pace, f.seq, f.owner as usize, f.base_time);
        let (finish, clock_finish) = (f.finish, f.clock_finish);
        match old {
            Pace::Fixed(_) => {
                self.due_fixed.remove(&(finish, seq, id));
            }
            Pace::Clock { pool, v0 } => {
                self.due_clock[pool as usize].remove(&(clock_finish.to_bits(), seq, id));
                let clock = &self.clocks.0[pool as usize];
                let steps = &mut self.owners[owner].steps;
                add_clock_segment(steps, clock, self.series, base_time, now, v0);
            }
        }
        let f = self.flow_mut(id);
        f.base_bytes = bytes;
        f.base_time = now;
        f.pace = pace;
        f.timed = true;
        let left = f.total - bytes;
        match pace {
            Pace::Fixed(rate) => {
                f.finish = if rate > 0.0 {
                    now + SimDuration::from_secs_f64_ceil(left / rate)
                } else {
                    SimTime::MAX
                };
                if f.finish < SimTime::MAX {
                    let key = (f.finish, seq, id);
                    self.due_fixed.insert(key);
                }
            }
            Pace::Clock { pool, v0 } => {
                f.clock_finish = v0 + left;
                let key = (f.clock_finish.to_bits(), seq, id);
                self.due_clock[pool as usize].insert(key);
            }
        }
    }

    /// Logs owner `o`'s fixed-pace rate if it changed (a fresh sum in start
    /// order, so that the series does not drift).
    fn log_fixed_rate(&mut self, o: usize, now: SimTime) {
        let total: f64 = self.owners[o]
            .flows
            .iter()
            .map(|id| match self.flow(id.0).pace {
                Pace::Fixed(r) => r,
                Pace::Clock { .. } => 0.0,
            })
            .sum();
        let (step, end) = (self.series.step, self.series.end);
        let owner = &mut self.owners[o];
        if owner.fixed_rate != total {
            let from = owner.since.min(end);
            super::series::spread(&mut owner.steps, step, from, now.min(end), owner.fixed_rate);
            owner.since = now.min(end);
            owner.fixed_rate = total;
        }
    }

    /// The owner's total upload rate now [B/s].
    pub fn owner_rate(&self, o: usize) -> f64 {
        let owner = &self.owners[o];
        let mut rate = owner.fixed_rate;
        for id in &owner.flows {
            if let pace @ Pace::Clock { .. } = self.flow(id.0).pace {
                rate += self.clocks.rate(pace);
            }
        }
        rate
    }

    /// Owner `o`'s upload bytes × ns per step up to the series' end, with the
    /// rates in force now carried to the end.
    pub fn owner_steps(&self, o: usize) -> Vec<f64> {
        let owner = &self.owners[o];
        let mut acc = owner.steps.clone();
        acc.resize(self.series.count, 0.0);
        let end = self.series.end;
        super::series::spread(
            &mut acc,
            self.series.step.max(SimDuration(1)),
            owner.since.min(end),
            end,
            owner.fixed_rate,
        );
        for id in &owner.flows {
            let f = self.flow(id.0);
            if let Pace::Clock { pool, v0 } = f.pace {
                let clock = &self.clocks.0[pool as usize];
                add_clock_segment(&mut acc, clock, self.series, f.base_time, end, v0);
            }
        }
        acc
    }
}

/// Adds the bytes of a clock-paced segment, `[from, to)` on `clock` from
/// reading `v0`, to each step it covers [B × ns/s, as rate × ns].
fn add_clock_segment(
    acc: &mut [f64],
    clock: &Clock,
    series: Steps,
    from: SimTime,
    to: SimTime,
    v0: f64,
) {
    let step = series.step.0.max(1);
    let to = to.min(series.end);
    let (mut t, mut v) = (from, v0);
    while t < to {
        let k = (t.0 / step) as usize;
        let upto = SimTime(((k as u64 + 1) * step).min(to.0));
        let next = clock.at(upto);
        if let Some(a) = acc.get_mut(k) {
            *a += (next - v) * 1e9;
        }
        v = next;
        t = upto;
    }
}

impl Transfers {
    /// The current rate of a live flow [B/s] (`None` once it completed).
    pub fn rate_of(&self, id: FlowId) -> Option<f64> {
        let f = self.flows.get(id.0 as usize)?.as_ref()?;
        Some(self.clocks.rate(f.pace))
    }
}

#[cfg(test)]
mod tests;
