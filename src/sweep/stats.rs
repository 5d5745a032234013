//! Statistics of one metric at one point over its replications: n, mean,
//! sample standard deviation, min, max and the 95 % Student-t confidence
//! interval of the mean (statrs). Also the stopping rule of sequential
//! replications, so the sweep and a merge decide identically.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of a metric's values at one point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricStats {
    /// Runs that have the metric.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` below 2 values.
    pub std_dev: Option<f64>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Half-width of the 95 % confidence interval of the mean; `None`
    /// below 2 values.
    pub ci95_half_width: Option<f64>,
    /// mean − half-width.
    pub ci95_low: Option<f64>,
    /// mean + half-width.
    pub ci95_high: Option<f64>,
}

/// The 0.975 quantile of Student's t with `n − 1` degrees of freedom.
fn t975(n: usize) -> Option<f64> {
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(0.975))
}

/// Statistics of `values` (in replication order); `None` if empty.
pub fn describe(values: &[f64]) -> Option<MetricStats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (std_dev, half) = if n >= 2 {
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        (Some(sd), t975(n).map(|t| t * sd / (n as f64).sqrt()))
    } else {
        (None, None)
    };
    Some(MetricStats {
        n,
        mean,
        std_dev,
        min,
        max,
        ci95_half_width: half,
        ci95_low: half.map(|h| mean - h),
        ci95_high: half.map(|h| mean + h),
    })
}

/// Whether `values` meet the target: at least two values and a 95 %
/// half-width at most `target` (times |mean| when `relative`).
pub fn precise_enough(values: &[f64], target: f64, relative: bool) -> bool {
    let Some(s) = describe(values) else {
        return false;
    };
    let Some(h) = s.ci95_half_width else {
        return false;
    };
    h <= if relative {
        target * s.mean.abs()
    } else {
        target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_hand_computed_interval() {
        // mean 2, sd 1, n 3: t(0.975, 2) = 4.302653, half = 4.302653 / sqrt(3).
        let s = describe(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(
            (s.n, s.mean, s.std_dev, s.min, s.max),
            (3, 2.0, Some(1.0), 1.0, 3.0)
        );
        let h = s.ci95_half_width.unwrap();
        assert!((h - 4.302_653 / 3f64.sqrt()).abs() < 1e-5, "{h}");
        assert_eq!(describe(&[5.0]).unwrap().ci95_half_width, None);
        assert!(describe(&[]).is_none());
        assert!(precise_enough(&[1.0, 1.0], 0.1, false));
        assert!(!precise_enough(&[1.0, 2.0, 3.0], 0.1, true));
    }
}
