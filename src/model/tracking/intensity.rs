//! Cumulative intensity Λ(t) = ∫₀ᵗ λ(s) ds of a write stream's arrival
//! process, and its inverse, as a piecewise-linear function of time.
//!
//! Statistical tracking draws each sampled block's next write in Λ-space
//! (the first arrival after `t0` of a Poisson process of rate `q·λ(t)` comes
//! at `Λ⁻¹(Λ(t0) + E/q)`, `E` a unit exponential), so only Λ and Λ⁻¹ are
//! needed, never the individual arrivals.
//!
//! - Poisson and constant rates: one linear piece. A constant-rate stream's
//!   per-block writes are a Bernoulli thinning of a lattice, which is
//!   close to Poisson whenever a block gets a small share of the writes; the
//!   exact lattice is used by sequential streams (see `sampled`).
//! - Daily multipliers and steps: exact pieces (hourly, or at each step).
//! - Sinusoid: pieces of 15 minutes whose slopes are the exact mean rate
//!   over each piece, so Λ is exact at every piece boundary.
//! - On/off bursts: the on and off periods are drawn (exponential or fixed,
//!   as the scenario says) up to the horizon and Λ is exact; a stream whose
//!   cycles are so short that the horizon holds more than
//!   [`MAX_PIECES`] of them is taken at its mean rate (its bursts are
//!   then far below any snapshot interval).

use super::super::config::Arrival;
use super::super::rng::StreamRng;
use crate::engine::{SimTime, NANOS_PER_SEC};
use rand_distr::{Distribution, Exp1};

/// Most linear pieces one stream's Λ may have.
pub const MAX_PIECES: u64 = 2_000_000;

/// Sinusoid pieces [ns]: 15 minutes.
const SINE_PIECE: u64 = 900 * NANOS_PER_SEC;

/// Λ as linear pieces: piece `i` starts at `starts[i]` with value `values[i]`
/// and slope `slopes[i]` [arrivals/ns]; the last piece runs forever.
#[derive(Clone, Debug)]
pub struct CumIntensity {
    starts: Vec<u64>,
    values: Vec<f64>,
    slopes: Vec<f64>,
    /// The piece of the last look-up: time moves forward, so the next one
    /// is almost always in it or the next.
    hint: std::cell::Cell<usize>,
}

impl CumIntensity {
    /// Λ of `arrival` up to `horizon` [ns]; `rng` draws on/off periods.
    pub fn new(arrival: &Arrival, horizon: u64, rng: &mut StreamRng) -> CumIntensity {
        let per_ns = |per_sec: f64| per_sec / NANOS_PER_SEC as f64;
        let mut pieces: Vec<(u64, f64)> = Vec::new(); // (start, slope)
        match arrival {
            Arrival::Poisson(f) | Arrival::Constant(f) => pieces.push((0, per_ns(f.per_sec))),
            Arrival::Daily { base, multipliers } => {
                let hour = 3600 * NANOS_PER_SEC;
                let hours = horizon.div_ceil(hour).max(1);
                for h in 0..hours {
                    pieces.push((
                        h * hour,
                        per_ns(base.per_sec * multipliers[(h % 24) as usize]),
                    ));
                }
            }
            Arrival::Sinusoid {
                mean,
                amplitude,
                peak_hour,
            } => {
                // ∫ mean·(1 + A cos(2π(h − p)/24)) over a piece, exactly.
                let day = 24.0 * 3600.0;
                let w = std::f64::consts::TAU / day;
                let phase0 = peak_hour * 3600.0;
                let antideriv = |t: f64| t + amplitude / w * (w * (t - phase0)).sin();
                let n = horizon.div_ceil(SINE_PIECE).max(1);
                for k in 0..n {
                    let a = (k * SINE_PIECE) as f64 / 1e9;
                    let b = a + SINE_PIECE as f64 / 1e9;
                    let mean_rate = mean.per_sec * (antideriv(b) - antideriv(a)) / (b - a);
                    pieces.push((k * SINE_PIECE, per_ns(mean_rate.max(0.0))));
                }
            }
            Arrival::Steps { initial, steps } => {
                pieces.push((0, per_ns(initial.per_sec)));
                for (at, f) in steps {
                    if at.0 > 0 && at.0 < horizon {
                        pieces.push((at.0, per_ns(f.per_sec)));
                    } else if at.0 == 0 {
                        pieces[0].1 = per_ns(f.per_sec);
                    }
                }
            }
            Arrival::OnOff {
                rate,
                on,
                off,
                fixed,
            } => {
                let cycle = on.0.saturating_add(off.0).max(1);
                if horizon / cycle > MAX_PIECES / 2 {
                    pieces.push((0, per_ns(arrival.rate().per_sec)));
                } else {
                    let period = |mean: u64, rng: &mut StreamRng| -> u64 {
                        if *fixed {
                            mean.max(1)
                        } else {
                            let x: f64 = Exp1.sample(rng);
                            ((x * mean as f64) as u64).max(1)
                        }
                    };
                    let mut t = 0u64;
                    while t < horizon {
                        pieces.push((t, per_ns(rate.per_sec)));
                        t = t.saturating_add(period(on.0, rng));
                        if t >= horizon {
                            break;
                        }
                        pieces.push((t, 0.0));
                        t = t.saturating_add(period(off.0, rng));
                    }
                }
            }
        }
        let mut starts = Vec::with_capacity(pieces.len());
        let mut values = Vec::with_capacity(pieces.len());
        let mut slopes = Vec::with_capacity(pieces.len());
        let mut value = 0.0;
        for (i, &(start, slope)) in pieces.iter().enumerate() {
            if i > 0 {
                value += slopes[i - 1] * (start - starts[i - 1]) as f64;
            }
            starts.push(start);
            values.push(value);
            slopes.push(slope);
        }
        CumIntensity {
            starts,
            values,
            slopes,
            hint: std::cell::Cell::new(0),
        }
    }

    /// Λ(t): expected arrivals in `[0, t)`.
    pub fn at(&self, t: SimTime) -> f64 {
        let h = self.hint.get();
        let in_piece = |i: usize| {
            self.starts[i] <= t.0 && self.starts.get(i + 1).map_or(true, |&next| t.0 < next)
        };
        let i = if in_piece(h) {
            h
        } else if h + 1 < self.starts.len() && in_piece(h + 1) {
            h + 1
        } else {
            self.starts.partition_point(|&s| s <= t.0).saturating_sub(1)
        };
        self.hint.set(i);
        self.values[i] + self.slopes[i] * (t.0 - self.starts[i]) as f64
    }

    /// The first instant at which Λ reaches `u` ([`SimTime::MAX`] if never).
    pub fn time_of(&self, u: f64) -> SimTime {
        let i = self.values.partition_point(|&v| v <= u).saturating_sub(1);
        let left = u - self.values[i];
        if left <= 0.0 {
            return SimTime(self.starts[i]);
        }
        // A flat piece is followed by a rising one (values strictly grow
        // across it) unless it is the last.
        if self.slopes[i] <= 0.0 {
            return SimTime::MAX;
        }
        let dt = (left / self.slopes[i]).ceil();
        if dt >= (u64::MAX - self.starts[i]) as f64 {
            SimTime::MAX
        } else {
            SimTime(self.starts[i] + dt as u64)
        }
    }

    /// Number of linear pieces.
    pub fn pieces(&self) -> usize {
        self.starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::stream;
    use crate::model::units::Frequency;

    fn f(per_sec: f64) -> Frequency {
        Frequency { per_sec }
    }

    #[test]
    fn poisson_is_linear_and_inverts() {
        let c = CumIntensity::new(&Arrival::Poisson(f(100.0)), 10, &mut stream(1, "t"));
        assert!((c.at(SimTime::from_secs(3)) - 300.0).abs() < 1e-9);
        assert_eq!(c.time_of(300.0), SimTime::from_secs(3));
    }

    #[test]
    fn steps_and_daily_are_exact() {
        let steps = Arrival::Steps {
            initial: f(10.0),
            steps: vec![
                (SimTime::from_secs(10), f(0.0)),
                (SimTime::from_secs(20), f(5.0)),
            ],
        };
        let c = CumIntensity::new(&steps, 100 * NANOS_PER_SEC, &mut stream(1, "t"));
        assert!((c.at(SimTime::from_secs(15)) - 100.0).abs() < 1e-9);
        assert!((c.at(SimTime::from_secs(30)) - 150.0).abs() < 1e-9);
        // The flat piece from 10 s to 20 s is skipped.
        assert_eq!(c.time_of(99.0), SimTime(9_900_000_000));
        assert_eq!(c.time_of(125.0), SimTime::from_secs(25));
        let mut m = [1.0; 24];
        m[1] = 3.0;
        let daily = Arrival::Daily {
            base: f(1.0),
            multipliers: m,
        };
        let c = CumIntensity::new(&daily, 48 * 3600 * NANOS_PER_SEC, &mut stream(1, "t"));
        let day = c.at(SimTime::from_secs(24 * 3600));
        assert!((day - 26.0 * 3600.0).abs() < 1e-6, "{day}");
    }

    #[test]
    fn sinusoid_integrates_to_its_mean_over_a_day() {
        let s = Arrival::Sinusoid {
            mean: f(50.0),
            amplitude: 0.8,
            peak_hour: 14.0,
        };
        let c = CumIntensity::new(&s, 72 * 3600 * NANOS_PER_SEC, &mut stream(1, "t"));
        let day = c.at(SimTime::from_secs(24 * 3600));
        assert!((day / (50.0 * 86400.0) - 1.0).abs() < 1e-9, "{day}");
        assert!(c.pieces() == 288);
    }

    #[test]
    fn on_off_keeps_its_duty_cycle() {
        let a = Arrival::OnOff {
            rate: f(100.0),
            on: crate::engine::SimDuration::from_secs(60),
            off: crate::engine::SimDuration::from_secs(240),
            fixed: false,
        };
        let horizon = 30 * 86400 * NANOS_PER_SEC;
        let c = CumIntensity::new(&a, horizon, &mut stream(3, "t"));
        let mean = c.at(SimTime(horizon)) / (30.0 * 86400.0);
        assert!((mean / 20.0 - 1.0).abs() < 0.03, "{mean}");
    }
}
