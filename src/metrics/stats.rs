//! Descriptive statistics over finite samples.

use serde::{Deserialize, Serialize};

/// Count, mean, extremes and quantiles of a sample [unit of the sample].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of observations.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Smallest observation.
    pub min: f64,
    /// Median (linear interpolation between order statistics).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest observation.
    pub max: f64,
}

impl Distribution {
    /// Summarises `values`; `None` if empty. NaNs must not occur (the model
    /// produces none) and are ordered last if they do.
    pub fn of(values: &[f64]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(|a, b| a.total_cmp(b));
        let sum: f64 = v.iter().sum();
        Some(Distribution {
            count: v.len(),
            mean: sum / v.len() as f64,
            min: v[0],
            p50: quantile_sorted(&v, 0.5),
            p90: quantile_sorted(&v, 0.9),
            p95: quantile_sorted(&v, 0.95),
            p99: quantile_sorted(&v, 0.99),
            max: v[v.len() - 1],
        })
    }
}

/// The `q`-quantile of an ascending, non-empty slice, interpolating linearly
/// between order statistics (Hyndman & Fan type 7, as numpy's default).
///
/// # Panics
/// If `sorted` is empty or `q` is outside `[0, 1]`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    assert!(!sorted.is_empty() && (0.0..=1.0).contains(&q));
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_linear() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert!((quantile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
        let d = Distribution::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!(
            (d.count, d.mean, d.min, d.p50, d.max),
            (3, 2.0, 1.0, 2.0, 3.0)
        );
        assert!(Distribution::of(&[]).is_none());
    }
}
