//! One pool's max-min fair water level, kept up to date as flows come and
//! go instead of recomputed from all of them.
//!
//! Flows reach the pool with their bound `b` (the least of their own cap and
//! their owner's water level). The pool fills at the level `L` with
//! `Σ min(b, L) = C`: flows with `b < L` keep `b` (the *free* set), the
//! others get `L` (the *level* set), so `L = (C − Σ_free b) / |level|`. A
//! flow that starts or ends moves at most a few flows across the boundary;
//! each move is `O(log F)`. Sums are kept in fixed point (2⁻⁴⁰ B/s: a 10¹² B/s bound times 10⁶ flows still fits an i128) and the
//! boundary tests are exact integer comparisons, so the result does not
//! depend on the order of past additions and the settling loop cannot cycle
//! on rounding.

use std::collections::BTreeSet;

/// Fixed-point units per B/s.
const SCALE: f64 = 1_099_511_627_776.0;

fn fixed(rate: f64) -> i128 {
    (rate * SCALE).round() as i128
}

/// Orders positive finite rates by their bits (the same order as the
/// values), ties broken by flow id.
type Key = (u64, u32);

fn key(b: f64, flow: u32) -> Key {
    (b.to_bits(), flow)
}

fn rate_of(k: Key) -> i128 {
    fixed(f64::from_bits(k.0))
}

/// The state of one pool with a finite capacity.
#[derive(Clone, Debug)]
pub struct PoolLevel {
    /// Capacity [B/s]; bounds above it are taken as it (a flow bounded
    /// above the capacity is at the level whenever it is limited at all),
    /// which keeps the fixed-point sums far from overflow.
    cap_rate: f64,
    cap: i128,
    free: BTreeSet<Key>,
    level: BTreeSet<Key>,
    free_sum: i128,
}

impl PoolLevel {
    /// An empty pool of `cap` B/s (finite, positive).
    pub fn new(cap: f64) -> PoolLevel {
        PoolLevel {
            cap_rate: cap,
            cap: fixed(cap),
            free: BTreeSet::new(),
            level: BTreeSet::new(),
            free_sum: 0,
        }
    }

    /// Adds a flow with bound `b` [B/s]; [`PoolLevel::settle`] places it.
    pub fn insert(&mut self, b: f64, flow: u32) {
        let b = b.min(self.cap_rate);
        if self.free.insert(key(b, flow)) {
            self.free_sum += fixed(b);
        }
    }

    /// Removes a flow inserted with bound `b`.
    pub fn remove(&mut self, b: f64, flow: u32) {
        let b = b.min(self.cap_rate);
        let k = key(b, flow);
        if self.free.remove(&k) {
            self.free_sum -= fixed(b);
        } else {
            self.level.remove(&k);
        }
    }

    /// Whether the flow gets the water level (rather than its bound).
    pub fn at_level(&self, b: f64, flow: u32) -> bool {
        self.level.contains(&key(b.min(self.cap_rate), flow))
    }

    /// The water level [B/s]; infinite while the pool is not saturated.
    pub fn level(&self) -> f64 {
        if self.level.is_empty() {
            f64::INFINITY
        } else {
            let left = (self.cap - self.free_sum) as f64;
            left / self.level.len() as f64 / SCALE
        }
    }

    /// Moves flows across the boundary until every free flow's bound is at
    /// most the level and every level flow's at least; appends each moved
    /// flow to `moved`. Every move raises the level, so the loop ends.
    pub fn settle(&mut self, moved: &mut Vec<u32>) {
        loop {
            let n = self.level.len() as i128;
            let left = self.cap - self.free_sum;
            if n == 0 {
                if left >= 0 {
                    return; // not saturated: every flow keeps its bound
                }
                self.lift_largest_free(moved);
                continue;
            }
            // b < L ⇔ b·n < C − Σ_free (exact).
            if let Some(&k) = self.level.first() {
                if rate_of(k) * n < left {
                    self.level.remove(&k);
                    self.free.insert(k);
                    self.free_sum += rate_of(k);
                    moved.push(k.1);
                    continue;
                }
            }
            if let Some(&k) = self.free.last() {
                if rate_of(k) * n > left {
                    self.lift_largest_free(moved);
                    continue;
                }
            }
            return;
        }
    }

    fn lift_largest_free(&mut self, moved: &mut Vec<u32>) {
        if let Some(k) = self.free.pop_last() {
            self.free_sum -= rate_of(k);
            self.level.insert(k);
            moved.push(k.1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pool 100 B/s, bounds 10, 30, 80: 10 and 30 keep their bound, 80
    /// gets the rest (60); remove 30 and the level rises to 90, which 80
    /// no longer reaches: the pool is not saturated.
    #[test]
    fn the_level_fills_what_the_free_flows_leave() {
        let mut p = PoolLevel::new(100.0);
        let mut moved = Vec::new();
        for (b, id) in [(10.0, 0), (30.0, 1), (80.0, 2)] {
            p.insert(b, id);
        }
        p.settle(&mut moved);
        assert_eq!(p.level(), 60.0);
        assert!(p.at_level(80.0, 2) && !p.at_level(30.0, 1));
        moved.clear();
        p.remove(30.0, 1);
        p.settle(&mut moved);
        assert_eq!(p.level(), f64::INFINITY);
        assert_eq!(moved, vec![2]);
        assert_eq!(p.free.len() + p.level.len(), 2);
    }

    /// Bounds far above the capacity (a huge per-snapshot cap times a rate
    /// multiplier) are taken as the capacity: no overflow, same shares.
    #[test]
    fn huge_bounds_share_like_the_capacity() {
        let mut p = PoolLevel::new((1u64 << 50) as f64);
        let mut moved = Vec::new();
        for id in 0..1000 {
            p.insert(1e30, id);
        }
        p.settle(&mut moved);
        assert_eq!(p.level(), (1u64 << 50) as f64 / 1000.0);
        assert!(p.at_level(1e30, 7));
        p.remove(1e30, 7);
        p.settle(&mut moved);
        assert_eq!(p.level(), (1u64 << 50) as f64 / 999.0);
    }

    /// Equal bounds over the capacity share it equally.
    #[test]
    fn equal_bounds_share_equally() {
        let mut p = PoolLevel::new(90.0);
        let mut moved = Vec::new();
        for id in 0..3 {
            p.insert(50.0, id);
        }
        p.settle(&mut moved);
        assert_eq!(p.level(), 30.0);
        assert_eq!(moved.len(), 3);
    }
}
