//! One-at-a-time effects from a finished sensitivity sweep: for each
//! factor and metric, the mean over replications at the factor's low and
//! high ends against the base point, and the swing between them.

use super::{Design, Factor};
use crate::sweep::record::{RunRecord, RunStatus};
use serde::Serialize;

/// The effect of one factor on one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    /// The factor's scenario path.
    pub factor: String,
    /// The metric.
    pub metric: String,
    /// Low and high ends, as scenario values.
    pub low_value: serde_json::Value,
    /// High end.
    pub high_value: serde_json::Value,
    /// Mean at the base point (the scenario as given).
    pub base: Option<f64>,
    /// Mean with the factor at its low end.
    pub low: Option<f64>,
    /// Mean with the factor at its high end.
    pub high: Option<f64>,
    /// `high − low` (signed; the bar of the tornado spans `low … high`).
    pub swing: Option<f64>,
    /// Successful runs behind each of base, low and high.
    pub runs: [usize; 3],
}

impl Effect {
    /// |swing|, 0 when it cannot be computed (for ranking).
    pub fn size(&self) -> f64 {
        self.swing.map_or(0.0, f64::abs)
    }
}

/// Mean of `metric` over the successful runs of point `p`, and their count.
pub fn mean(records: &[RunRecord], p: usize, metric: &str) -> (Option<f64>, usize) {
    let xs: Vec<f64> = records
        .iter()
        .filter(|r| r.point == p && r.status == RunStatus::Ok)
        .filter_map(|r| r.metric(metric))
        .collect();
    if xs.is_empty() {
        (None, 0)
    } else {
        (Some(xs.iter().sum::<f64>() / xs.len() as f64), xs.len())
    }
}

fn effect(records: &[RunRecord], i: usize, f: &Factor, metric: &str) -> Effect {
    let (base, nb) = mean(records, 0, metric);
    let (low, nl) = mean(records, 2 * i + 1, metric);
    let (high, nh) = mean(records, 2 * i + 2, metric);
    Effect {
        factor: f.path.clone(),
        metric: metric.to_string(),
        low_value: f.low.clone(),
        high_value: f.high.clone(),
        base,
        low,
        high,
        swing: low.zip(high).map(|(l, h)| h - l),
        runs: [nb, nl, nh],
    }
}

/// Every (metric, factor) effect, metrics in design order, factors by
/// decreasing |swing| (ties in design order).
pub fn effects(design: &Design, records: &[RunRecord]) -> Vec<Effect> {
    let mut out = Vec::new();
    for m in &design.metrics {
        let mut es: Vec<Effect> = design
            .factors
            .iter()
            .enumerate()
            .map(|(i, f)| effect(records, i, f, m))
            .collect();
        es.sort_by(|a, b| b.size().total_cmp(&a.size()));
        out.extend(es);
    }
    out
}

/// The Morris screening of every metric (empty without trajectories).
pub fn screenings(design: &Design, records: &[RunRecord]) -> Vec<super::morris::Screening> {
    if design.trajectories.is_empty() {
        return Vec::new();
    }
    design
        .metrics
        .iter()
        .flat_map(|m| {
            super::morris::screen(&design.factors, &design.trajectories, m, &|p| {
                mean(records, p, m).0
            })
        })
        .collect()
}
