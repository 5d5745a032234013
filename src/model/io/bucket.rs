//! A token bucket: tokens accrue at a rate up to a capacity; an IO waits
//! until enough tokens are there, then takes them.
//!
//! Admission needs `min(cost, capacity)` tokens and takes the whole cost, so
//! an IO larger than the bucket is admitted once the bucket is full and
//! leaves it in debt; the debt delays later IOs exactly as the rate demands.

use crate::engine::{u64_to_f64, SimDuration, SimTime};

/// Tokens [unit of the bucket] accruing at `rate` [tokens/s].
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    rate: f64,
    /// `rate` per nanosecond, so refills multiply instead of divide.
    rate_ns: f64,
    capacity: f64,
    level: f64,
    at: SimTime,
}

impl TokenBucket {
    /// A bucket holding `initial` of `capacity` tokens at time zero.
    ///
    /// # Panics
    /// If the rate or capacity is not finite and positive.
    pub fn new(rate: f64, capacity: f64, initial: f64) -> TokenBucket {
        assert!(rate > 0.0 && rate.is_finite() && capacity > 0.0 && capacity.is_finite());
        TokenBucket {
            rate,
            rate_ns: rate / 1e9,
            capacity,
            level: initial.min(capacity),
            at: SimTime::ZERO,
        }
    }

    #[inline(always)]
    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            let dt = u64_to_f64((now - self.at).as_nanos());
            self.level = (self.level + self.rate_ns * dt).min(self.capacity);
            self.at = now;
        }
    }

    /// Tokens at `now` without changing the bucket.
    pub fn level_at(&self, now: SimTime) -> f64 {
        let dt = u64_to_f64((now - self.at).as_nanos());
        (self.level + self.rate_ns * dt).min(self.capacity)
    }

    /// How long from `now` until an IO costing `cost` may be admitted.
    #[inline(always)]
    pub fn wait_for(&mut self, now: SimTime, cost: f64) -> SimDuration {
        self.refill(now);
        let need = cost.min(self.capacity);
        // A relative tolerance absorbs the rounding of the ceil'ed wait.
        if self.level >= need - 1e-9 * need.max(1.0) {
            SimDuration::ZERO
        } else {
            SimDuration::from_secs_f64_ceil((need - self.level) / self.rate)
        }
    }

    /// Takes `cost` tokens at `now` (possibly into debt).
    #[inline(always)]
    pub fn take(&mut self, now: SimTime, cost: f64) {
        self.refill(now);
        self.level -= cost;
    }

    /// Changes the fill rate from `now` on.
    pub fn set_rate(&mut self, now: SimTime, rate: f64) {
        self.refill(now);
        self.rate = rate;
        self.rate_ns = rate / 1e9;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_exactly_for_missing_tokens_and_caps_at_capacity() {
        let mut b = TokenBucket::new(100.0, 10.0, 0.0);
        assert_eq!(b.wait_for(SimTime::ZERO, 5.0), SimDuration::from_millis(50));
        assert_eq!(b.wait_for(SimTime::from_secs(1), 5.0), SimDuration::ZERO);
        assert_eq!(b.level_at(SimTime::from_secs(1)), 10.0, "capped");
        b.take(SimTime::from_secs(1), 25.0); // larger than the bucket: debt
        assert_eq!(b.level_at(SimTime::from_secs(1)), -15.0);
        assert_eq!(
            b.wait_for(SimTime::from_secs(1), 1.0),
            SimDuration::from_millis(160)
        );
    }
}
