//! Simulated time: integer nanoseconds, never floating point inside the engine.
//!
//! `SimTime` is an instant (nanoseconds since the scenario start) and
//! `SimDuration` a span. Both convert to and from `f64` seconds only at the
//! edges (scenario parsing, reports), so event ordering never needs an epsilon.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds in one second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant of simulated time [ns since the scenario start].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time [ns].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The scenario start.
    pub const ZERO: SimTime = SimTime(0);
    /// The end of representable time (about 584 years).
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// The instant `secs` seconds after the start [s].
    pub fn from_secs(secs: u64) -> SimTime {
        SimTime(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// This instant in seconds since the start [s]; for reports only.
    pub fn as_secs_f64(self) -> f64 {
        u64_to_f64(self.0) / NANOS_PER_SEC as f64
    }

    /// Nanoseconds since the start [ns].
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span of `secs` seconds [s].
    pub fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// A span of `ms` milliseconds [ms].
    pub fn from_millis(ms: u64) -> SimDuration {
        SimDuration(ms.saturating_mul(1_000_000))
    }

    /// A span of `secs` seconds, rounded up to the next nanosecond so that a
    /// computed completion is never early. Negative or NaN inputs give zero;
    /// spans beyond `u64` nanoseconds saturate.
    pub fn from_secs_f64_ceil(secs: f64) -> SimDuration {
        SimDuration(ceil_u64(secs * NANOS_PER_SEC as f64))
    }

    /// This span in seconds [s]; for reports and rate arithmetic.
    pub fn as_secs_f64(self) -> f64 {
        u64_to_f64(self.0) / NANOS_PER_SEC as f64
    }

    /// Nanoseconds [ns].
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// Whether the span is empty.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    /// Saturates at [`SimTime::MAX`] instead of wrapping.
    fn add(self, rhs: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(rhs.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, rhs: SimDuration) {
        *self = *self + rhs;
    }
}

impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    /// Saturates at zero.
    fn sub(self, rhs: SimTime) -> SimDuration {
        self.saturating_since(rhs)
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, rhs: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.9}s", self.as_secs_f64())
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.9}s", self.as_secs_f64())
    }
}

/// 2^63: below it, `f64` and `i64` convert in one instruction.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `x as u64` (truncation, saturating; 0 for NaN and negatives), with a
/// one-instruction path for `0 ≤ x < 2^63`.
#[inline]
pub fn trunc_u64(x: f64) -> u64 {
    if (0.0..TWO_POW_63).contains(&x) {
        x as i64 as u64
    } else {
        trunc_u64_slow(x)
    }
}

/// Out of line, so that the compiler does not compute the dozen-instruction
/// unsigned conversion on the fast path too and select.
#[cold]
#[inline(never)]
fn trunc_u64_slow(x: f64) -> u64 {
    x as u64
}

/// `x as f64` (nearest), with a one-instruction path for `x < 2^63`.
#[inline]
pub fn u64_to_f64(x: u64) -> f64 {
    if x < 1 << 63 {
        x as i64 as f64
    } else {
        x as f64
    }
}

/// `x` rounded up to a whole number, as `u64` (0 for NaN and negatives,
/// `u64::MAX` beyond it). Same as `x.ceil() as u64`, without the libm call
/// that `ceil` is on baseline x86-64; hot paths round every service time.
#[inline]
pub fn ceil_u64(x: f64) -> u64 {
    if x > 0.0 && x < TWO_POW_63 {
        // The signed conversions are one instruction each; the unsigned ones
        // are a dozen (baseline x86-64 has no unsigned conversion).
        let t = x as i64;
        return (t + i64::from((t as f64) < x)) as u64;
    }
    if x.is_nan() || x <= 0.0 {
        return 0;
    }
    if x >= u64::MAX as f64 {
        return u64::MAX;
    }
    let t = x as u64;
    if (t as f64) < x {
        t + 1
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceil_conversion_never_rounds_down() {
        assert_eq!(SimDuration::from_secs_f64_ceil(1.5).0, 1_500_000_000);
        assert_eq!(SimDuration::from_secs_f64_ceil(1e-10).0, 1);
        assert_eq!(SimDuration::from_secs_f64_ceil(-3.0).0, 0);
        assert_eq!(SimDuration::from_secs_f64_ceil(f64::NAN).0, 0);
        assert_eq!(SimDuration::from_secs_f64_ceil(1e30).0, u64::MAX);
        for x in [
            0.5,
            1.0,
            1.000_000_1,
            2.5,
            1e15 + 0.5,
            123_456_789.0,
            TWO_POW_63 - 1024.0,
            TWO_POW_63,
            1.5e19,
            f64::INFINITY,
            -0.0,
        ] {
            assert_eq!(ceil_u64(x), x.ceil() as u64, "{x}");
        }
    }

    #[test]
    fn fast_conversions_agree_with_the_casts_on_both_sides_of_2_pow_63() {
        for x in [
            0.0,
            -1.0,
            0.999,
            7.5,
            1e18 + 0.5,
            TWO_POW_63 - 1024.0,
            TWO_POW_63,
            1.7e19,
            1e30,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(trunc_u64(x), x as u64, "{x}");
        }
        for x in [
            0,
            1,
            1 << 53,
            (1 << 53) + 1,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX,
        ] {
            assert_eq!(u64_to_f64(x), x as f64, "{x}");
        }
    }

    #[test]
    fn arithmetic_saturates() {
        assert_eq!(SimTime::MAX + SimDuration(5), SimTime::MAX);
        assert_eq!(SimTime(3) - SimTime(5), SimDuration::ZERO);
        assert_eq!(SimTime(5) - SimTime(3), SimDuration(2));
    }
}
