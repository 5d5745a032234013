//! A token bucket: tokens accrue at a rate up to a capacity; an IO waits
//! until enough tokens are there, then takes them.
//!
//! Admission needs `min(cost, capacity)` tokens and takes the whole cost, so
//! an IO larger than the bucket is admitted once the bucket is full and
//! leaves it in debt; the debt delays later IOs exactly as the rate demands.
//!
//! The bucket is kept as the instant at which it will be full (the
//! "theoretical arrival time" of the generic cell rate algorithm) rather
//! than as a level and the instant of that level: the level at `t` is
//! `capacity − (full − t)·rate` before `full` and `capacity` after it.
//! Taking tokens moves `full` later, so an admission is a comparison and a
//! multiply-add, with no refill step. Instants are `f64` nanoseconds, exact
//! to well under a nanosecond for runs of weeks (2^-11 ns at one hour,
//! 0.5 ns at 30 days).

use crate::engine::{ceil_u64, u64_to_f64, SimDuration, SimTime};

/// Tokens [unit of the bucket] accruing at `rate` [tokens/s].
#[derive(Clone, Debug, PartialEq)]
pub struct TokenBucket {
    rate: f64,
    /// `rate` per nanosecond [tokens/ns].
    rate_ns: f64,
    /// Nanoseconds per token [ns].
    ns_per_token: f64,
    capacity: f64,
    /// When the bucket is full, if nothing more is taken [ns].
    full: f64,
}

/// `t` as `f64` nanoseconds.
#[inline]
pub fn ns(t: SimTime) -> f64 {
    u64_to_f64(t.0)
}

impl TokenBucket {
    /// A bucket holding `initial` of `capacity` tokens at time zero.
    ///
    /// # Panics
    /// If the rate or capacity is not finite and positive.
    pub fn new(rate: f64, capacity: f64, initial: f64) -> TokenBucket {
        assert!(rate > 0.0 && rate.is_finite() && capacity > 0.0 && capacity.is_finite());
        let ns_per_token = 1e9 / rate;
        TokenBucket {
            rate,
            rate_ns: rate / 1e9,
            ns_per_token,
            capacity,
            full: (capacity - initial.min(capacity)) * ns_per_token,
        }
    }

    /// Tokens at `t` [ns] (negative while in debt).
    pub fn level_at(&self, t: f64) -> f64 {
        self.capacity - (self.full - t).max(0.0) * self.rate_ns
    }

    /// How long from `t` [ns] until an IO costing `cost` may be admitted.
    #[inline(always)]
    pub fn wait_for(&self, t: f64, cost: f64) -> SimDuration {
        let need = cost.min(self.capacity);
        // Until `need` tokens are there: the bucket is short of them until
        // `full − (capacity − need)/rate`. A relative tolerance (in tokens)
        // absorbs rounding, as it would for a ceil'ed wait.
        let short = self.full - t - (self.capacity - need) * self.ns_per_token;
        if short <= 1e-9 * need.max(1.0) * self.ns_per_token {
            SimDuration::ZERO
        } else {
            SimDuration(ceil_u64(short))
        }
    }

    /// Takes `cost` tokens at `t` [ns] (possibly into debt).
    #[inline(always)]
    pub fn take(&mut self, t: f64, cost: f64) {
        self.full = self.full.max(t) + cost * self.ns_per_token;
    }

    /// Changes the fill rate from `t` [ns] on: the tokens there stay.
    pub fn set_rate(&mut self, t: f64, rate: f64) {
        let missing = (self.full - t).max(0.0) * self.rate_ns;
        self.rate = rate;
        self.rate_ns = rate / 1e9;
        self.ns_per_token = 1e9 / rate;
        self.full = t + missing * self.ns_per_token;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_exactly_for_missing_tokens_and_caps_at_capacity() {
        let s = |secs: u64| ns(SimTime::from_secs(secs));
        let mut b = TokenBucket::new(100.0, 10.0, 0.0);
        assert_eq!(b.wait_for(0.0, 5.0), SimDuration::from_millis(50));
        assert_eq!(b.wait_for(s(1), 5.0), SimDuration::ZERO);
        assert_eq!(b.level_at(s(1)), 10.0, "capped");
        b.take(s(1), 25.0); // larger than the bucket: debt
        assert_eq!(b.level_at(s(1)), -15.0);
        assert_eq!(b.wait_for(s(1), 1.0), SimDuration::from_millis(160));
        // Half the rate from 1 s on: the debt takes twice as long to repay.
        b.set_rate(s(1), 50.0);
        assert_eq!(b.level_at(s(1)), -15.0);
        assert_eq!(b.wait_for(s(1), 1.0), SimDuration::from_millis(320));
        // An IO larger than the bucket waits for a full bucket only.
        let mut b = TokenBucket::new(100.0, 10.0, 10.0);
        b.take(0.0, 10.0);
        assert_eq!(b.wait_for(0.0, 40.0), SimDuration::from_millis(100));
    }
}
