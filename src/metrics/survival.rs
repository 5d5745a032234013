//! Time pending with right censoring: the Kaplan–Meier estimator.
//!
//! A snapshot still `pending` when the run ends has not told us how long it
//! stays pending, only that it stays pending for *at least* the horizon minus
//! its request time. Dropping such snapshots (as a plain distribution of the
//! completed ones does) biases every quantile low, and most in exactly the
//! runs a planner worries about: the ones where snapshots do not keep up.
//! The Kaplan–Meier (product-limit) estimator uses them as right-censored
//! observations instead.
//!
//! Conventions, all in seconds of simulated time:
//! - The survival function is `S(t) = P(T > t)`, a step function that drops
//!   only at completion ("event") times: at each distinct event time `t_j`
//!   with `d_j` completions among the `n_j` observations still at risk,
//!   `S` is multiplied by `1 − d_j / n_j`.
//! - At a tie, completions count before censorings: a snapshot censored at
//!   `t` was still pending at `t`, so it is at risk there.
//! - The `q`-quantile is the smallest event time with `S(t) ≤ 1 − q` (the
//!   left-continuous inverse, without interpolation, so it is always an
//!   observed completion time). Without censoring this is the classic
//!   "inverse of the empirical CDF" (Hyndman & Fan type 1), which can differ
//!   from the interpolated percentiles of [`super::stats::Distribution`].
//! - When `S` stays above `1 − q` up to the largest observation (which is then
//!   censored), the estimator cannot place the quantile inside the observed
//!   span: it lies beyond the largest observation, reported as
//!   [`Quantile::AtLeast`]. The estimate assumes censoring independent of
//!   the time pending; here censoring is the horizon, so it holds if the
//!   snapshots late in the run behave like the early ones. The bound is the
//!   estimator's, not a guarantee about the individual snapshots.
//! - The maximum is exact only when every observation completed; otherwise
//!   it is at least the largest observation (completed or censored), which
//!   *is* a hard lower bound: every unfinished snapshot will stay pending
//!   longer than its censored time.

use serde::{Deserialize, Serialize};

/// Relative slack when comparing a survival product against `1 − q`, so that
/// e.g. 5 completions out of 10 reach the median despite rounding of
/// `0.9 · 0.888… · …`.
const LEVEL_SLACK: f64 = 1e-12;

/// One snapshot's time pending: completed, or still pending (censored).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    /// Time pending [s]: request to completion, or request to the horizon.
    pub seconds: f64,
    /// Whether the snapshot completed (`false`: still pending, censored).
    pub completed: bool,
}

/// A quantile (or maximum) of time pending [s]: a value, or a lower bound
/// when censoring hides it.
///
/// In JSON: `{"kind": "exact", "seconds": 3505.5}` or
/// `{"kind": "at_least", "seconds": 21600.0}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "seconds", rename_all = "snake_case")]
pub enum Quantile {
    /// The estimate [s].
    Exact(f64),
    /// More than this [s]: the estimate does not reach the level within
    /// the observed span.
    AtLeast(f64),
}

impl Quantile {
    /// The value, or the lower bound [s].
    pub fn seconds(self) -> f64 {
        match self {
            Quantile::Exact(s) | Quantile::AtLeast(s) => s,
        }
    }

    /// Whether this is only a lower bound.
    pub fn is_lower_bound(self) -> bool {
        matches!(self, Quantile::AtLeast(_))
    }
}

/// The Kaplan–Meier estimate from a non-empty sample.
#[derive(Clone, Debug, PartialEq)]
pub struct KaplanMeier {
    /// (event time [s], survival just after it), ascending in time.
    steps: Vec<(f64, f64)>,
    /// Largest observation, completed or censored [s].
    largest: f64,
    /// Whether any observation is censored.
    any_censored: bool,
    /// Number of observations.
    n: usize,
}

impl KaplanMeier {
    /// Estimates from `sample`; `None` if it is empty. Non-finite times must
    /// not occur (the model produces none); they sort last if they do.
    pub fn new(sample: &[Observation]) -> Option<KaplanMeier> {
        if sample.is_empty() {
            return None;
        }
        let mut obs = sample.to_vec();
        // Ascending time; completions before censorings at the same time.
        obs.sort_by(|a, b| {
            a.seconds
                .total_cmp(&b.seconds)
                .then(b.completed.cmp(&a.completed))
        });
        let n = obs.len();
        let mut steps = Vec::new();
        let mut survival = 1.0;
        let mut i = 0;
        while i < n {
            let t = obs[i].seconds;
            let at_risk = n - i;
            let mut events = 0usize;
            while i < n && obs[i].seconds == t {
                events += usize::from(obs[i].completed);
                i += 1;
            }
            if events > 0 {
                survival *= 1.0 - events as f64 / at_risk as f64;
                steps.push((t, survival));
            }
        }
        Some(KaplanMeier {
            steps,
            largest: obs[n - 1].seconds,
            any_censored: obs.iter().any(|o| !o.completed),
            n,
        })
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false: an estimate is built from at least one observation.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The curve: (event time [s], `S` just after it), ascending.
    pub fn steps(&self) -> &[(f64, f64)] {
        &self.steps
    }

    /// `S(t) = P(T > t)` [0, 1]. Beyond the largest observation the last
    /// value is carried on (the estimator knows nothing past it).
    pub fn survival(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|(at, _)| *at <= t)
            .last()
            .map_or(1.0, |(_, s)| *s)
    }

    /// The `q`-quantile of time pending, `0 < q ≤ 1`: the smallest event time
    /// with `S ≤ 1 − q`, or [`Quantile::AtLeast`] the largest observation if
    /// `S` never gets there.
    ///
    /// # Panics
    /// If `q` is outside `(0, 1]`.
    pub fn quantile(&self, q: f64) -> Quantile {
        assert!(q > 0.0 && q <= 1.0, "quantile level {q} outside (0, 1]");
        let level = 1.0 - q;
        self.steps
            .iter()
            .find(|(_, s)| *s <= level + LEVEL_SLACK)
            .map_or(Quantile::AtLeast(self.largest), |(t, _)| {
                Quantile::Exact(*t)
            })
    }

    /// The longest time pending: exact without censoring, otherwise at least
    /// the largest observation (a hard bound).
    pub fn max(&self) -> Quantile {
        if self.any_censored {
            Quantile::AtLeast(self.largest)
        } else {
            Quantile::Exact(self.largest)
        }
    }
}

/// Time pending of a group of accepted snapshots, censoring-aware.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingTime {
    /// Accepted snapshots (completed + unfinished).
    pub count: u64,
    /// Of which completed by the horizon (including those later deleted).
    pub completed: u64,
    /// Of which still pending at the horizon (right-censored).
    pub unfinished: u64,
    /// Kaplan–Meier median [s].
    pub p50: Quantile,
    /// Kaplan–Meier 95th percentile [s].
    pub p95: Quantile,
    /// Kaplan–Meier 99th percentile [s].
    pub p99: Quantile,
    /// Longest time pending [s]; a lower bound if any snapshot is unfinished.
    pub max: Quantile,
}

impl PendingTime {
    /// Summarises `sample`; `None` if it is empty.
    pub fn of(sample: &[Observation]) -> Option<PendingTime> {
        let km = KaplanMeier::new(sample)?;
        let completed = sample.iter().filter(|o| o.completed).count() as u64;
        Some(PendingTime {
            count: sample.len() as u64,
            completed,
            unfinished: sample.len() as u64 - completed,
            p50: km.quantile(0.5),
            p95: km.quantile(0.95),
            p99: km.quantile(0.99),
            max: km.max(),
        })
    }
}

impl Observation {
    /// From a request at `requested` that completed at `completed`, or is
    /// still pending at the horizon `end` (censored at `end − requested`).
    pub fn between(
        requested: crate::engine::SimTime,
        completed: Option<crate::engine::SimTime>,
        end: crate::engine::SimTime,
    ) -> Observation {
        Observation {
            seconds: (completed.unwrap_or(end) - requested).as_secs_f64(),
            completed: completed.is_some(),
        }
    }
}

/// The time-pending observations of accepted snapshots in `records`, with
/// the horizon at `end`: completed ones (including those later deleted) are
/// events at `completed_at − requested_at`, the others are censored at
/// `end − requested_at`.
pub fn observations<'a>(
    records: impl IntoIterator<Item = &'a super::SnapshotRecord>,
    end: crate::engine::SimTime,
) -> Vec<Observation> {
    records
        .into_iter()
        .filter(|r| r.snapshot_id.is_some())
        .map(|r| Observation::between(r.requested_at, r.completed_at, end))
        .collect()
}

/// Bytes of the unfinished snapshots in `records` at the horizon [B]:
/// (still to upload, whole deltas). Storage counts a snapshot's delta when
/// it completes, so the whole deltas are not yet in the stored bytes.
pub fn unfinished_bytes<'a>(
    records: impl IntoIterator<Item = &'a super::SnapshotRecord>,
) -> (u64, u64) {
    records
        .into_iter()
        .filter(|r| r.state == super::SnapshotState::Pending)
        .fold((0, 0), |(left, delta), r| {
            let uploaded = (r.delta_bytes as f64 * r.progress.clamp(0.0, 1.0)).round() as u64;
            (
                left + r.delta_bytes.saturating_sub(uploaded),
                delta + r.delta_bytes,
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(s: f64) -> Observation {
        Observation {
            seconds: s,
            completed: true,
        }
    }

    fn open(s: f64) -> Observation {
        Observation {
            seconds: s,
            completed: false,
        }
    }

    /// Hand computation. Sample (s; `+` = censored):
    /// 10, 20, 20, 30+, 40, 50+, 60, 70+ (n = 8).
    ///
    /// | t  | at risk | completions | S after                    |
    /// |----|---------|-------------|----------------------------|
    /// | 10 | 8       | 1           | 7/8 = 0.875                |
    /// | 20 | 7       | 2           | 0.875 · 5/7 = 0.625        |
    /// | 30+| 5       | 0           | (censored, no step)        |
    /// | 40 | 4       | 1           | 0.625 · 3/4 = 0.46875      |
    /// | 50+| 3       | 0           | (censored)                 |
    /// | 60 | 2       | 1           | 0.46875 · 1/2 = 0.234375   |
    /// | 70+| 1       | 0           | (censored; S stays 0.234375)|
    ///
    /// Median: first S ≤ 0.5 is at t = 40. Quantile 0.75: first S ≤ 0.25 is
    /// at 60. Quantile 0.95: S never reaches 0.05, the largest observation
    /// (70) is censored, so "more than 70 s". Max: some are censored, so at
    /// least 70. Dropping the censored ones instead (10, 20, 20, 40, 60)
    /// would put the median at 20 s.
    #[test]
    fn matches_a_hand_computed_censored_sample() {
        let sample = [
            done(40.0),
            open(30.0),
            done(10.0),
            done(20.0),
            open(70.0),
            done(60.0),
            done(20.0),
            open(50.0),
        ];
        let km = KaplanMeier::new(&sample).unwrap();
        assert_eq!(
            km.steps(),
            &[
                (10.0, 0.875),
                (20.0, 0.625),
                (40.0, 0.46875),
                (60.0, 0.234375)
            ]
        );
        assert_eq!(km.survival(5.0), 1.0);
        assert_eq!(km.survival(35.0), 0.625);
        assert_eq!(km.survival(1000.0), 0.234375);
        assert_eq!(km.quantile(0.5), Quantile::Exact(40.0));
        assert_eq!(km.quantile(0.75), Quantile::Exact(60.0));
        assert_eq!(km.quantile(0.95), Quantile::AtLeast(70.0));
        assert_eq!(km.max(), Quantile::AtLeast(70.0));
        let p = PendingTime::of(&sample).unwrap();
        assert_eq!((p.count, p.completed, p.unfinished), (8, 5, 3));
        assert_eq!(p.p99, Quantile::AtLeast(70.0));
    }

    /// Without censoring KM is the empirical CDF: 10 values 1..=10, the
    /// median is the 5th (S = 0.5 exactly after it, reached despite the
    /// rounding of the running product), p95 the 10th, max exact.
    #[test]
    fn without_censoring_is_the_empirical_inverse() {
        let sample: Vec<_> = (1..=10).rev().map(|i| done(f64::from(i))).collect();
        let km = KaplanMeier::new(&sample).unwrap();
        assert_eq!(km.quantile(0.5), Quantile::Exact(5.0));
        assert_eq!(km.quantile(0.9), Quantile::Exact(9.0));
        assert_eq!(km.quantile(0.95), Quantile::Exact(10.0));
        assert_eq!(km.max(), Quantile::Exact(10.0));
        assert!(KaplanMeier::new(&[]).is_none());
    }

    /// A censoring tied with a completion is still at risk at that time:
    /// 10, 10+, 20: at 10, 3 at risk, 1 completion → S = 2/3; at 20, 1 at
    /// risk (the censored one has left) → S = 0. Counting the censoring
    /// first would give 1 − 1/2 = 1/2 at 10 instead.
    #[test]
    fn ties_count_completions_first() {
        let km = KaplanMeier::new(&[open(10.0), done(10.0), done(20.0)]).unwrap();
        assert_eq!(km.steps()[0].0, 10.0);
        assert!((km.steps()[0].1 - 2.0 / 3.0).abs() < 1e-15);
        assert_eq!(km.steps()[1], (20.0, 0.0));
        assert_eq!(km.max(), Quantile::AtLeast(20.0));
    }

    #[test]
    fn serialises_with_its_kind() {
        let j = serde_json::to_string(&Quantile::AtLeast(1.5)).unwrap();
        assert_eq!(j, r#"{"kind":"at_least","seconds":1.5}"#);
        let back: Quantile = serde_json::from_str(r#"{"kind":"exact","seconds":2.0}"#).unwrap();
        assert_eq!(back, Quantile::Exact(2.0));
    }
}
