//! What the report shows of a fleet (more than [`FLEET_ABOVE`] volumes),
//! computed from [`ReportData`] only: which volume group and pool each
//! volume is in, pending snapshots per group per time-series step, the
//! Kaplan–Meier distribution of time pending per group, and each shared
//! pool's utilisation per step.
//!
//! Every series has at most one point per time-series step per group or
//! pool (or, for time pending, at most [`MAX_CURVE_POINTS`] points per
//! group), never one per snapshot per volume, so the inline SVGs of a
//! 1,000-volume report stay small. The functions are public so that tests
//! can check the figures' data against the result files, not pixels.

use super::data::ReportData;
use super::table::GROUP_ROWS_ABOVE;
use crate::metrics::survival::{KaplanMeier, Observation};
use crate::scenario::units::parse_bandwidth;
use serde_json::Value;
use std::collections::BTreeMap;

/// Beyond this many volumes the report is a fleet report: group figures
/// and tables instead of per-volume ones. The same threshold as the
/// terminal table's ([`GROUP_ROWS_ABOVE`]), so both switch together.
pub const FLEET_ABOVE: usize = GROUP_ROWS_ABOVE;

/// Most points of one time-pending curve: a group with more distinct
/// completion times is drawn from the estimate at this many evenly spaced
/// times (the curve then rounds each step to the grid, at most
/// 1/[`MAX_CURVE_POINTS`] of its span).
pub const MAX_CURVE_POINTS: usize = 600;

/// Whether `data` is a fleet run (more than [`FLEET_ABOVE`] volumes).
pub fn is_fleet(data: &ReportData) -> bool {
    data.summary.volumes.len() > FLEET_ABOVE
}

/// Volume groups in `summary.volume_groups` order, and for each volume the
/// index of its group.
#[derive(Clone, Debug, PartialEq)]
pub struct Groups {
    /// Group names, in the order of `volume_groups`.
    pub names: Vec<String>,
    /// Group index of each volume of `summary.volumes`.
    pub of_volume: Vec<usize>,
}

/// Whether `volume` is the scenario entry `entry` itself or, when the
/// entry has `count` above 1, one of its `entry-N` copies.
fn is_copy_of(volume: &str, entry: &str, counted: bool) -> bool {
    volume == entry
        || counted
            && volume
                .strip_prefix(entry)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| n.parse::<u64>().is_ok())
}

/// The group of each volume: its `group` field, or (in summaries written
/// before volumes named their group) the roll-up whose name it is or whose
/// `name-N` copy it is. A volume matching no roll-up gets a group of its
/// own name, appended.
pub fn groups(data: &ReportData) -> Groups {
    let s = &data.summary;
    let mut names: Vec<String> = s.volume_groups.iter().map(|g| g.name.clone()).collect();
    let counted: Vec<bool> = s.volume_groups.iter().map(|g| g.count > 1).collect();
    let mut of_volume = Vec::with_capacity(s.volumes.len());
    for v in &s.volumes {
        let found = if v.group.is_empty() {
            names
                .iter()
                .zip(counted.iter().chain(std::iter::repeat(&false)))
                .position(|(g, &c)| is_copy_of(&v.name, g, c))
        } else {
            names.iter().position(|g| *g == v.group)
        };
        let k = found.unwrap_or_else(|| {
            names.push(if v.group.is_empty() {
                v.name.clone()
            } else {
                v.group.clone()
            });
            names.len() - 1
        });
        of_volume.push(k);
    }
    Groups { names, of_volume }
}

/// Shared pools of the scenario and the indices of their member volumes.
/// Membership comes from the echoed scenario: a volume entry with `pool`
/// names one volume, or `count` volumes `name-1` … `name-N`.
pub fn pool_members(data: &ReportData) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let src = &data.summary.scenario_source;
    let Some(entries) = src.get("volumes").and_then(Value::as_array) else {
        return out;
    };
    for e in entries {
        let (Some(name), Some(pool)) = (
            e.get("name").and_then(Value::as_str),
            e.get("pool").and_then(Value::as_str),
        ) else {
            continue;
        };
        let counted = e.get("count").and_then(Value::as_u64).unwrap_or(1) > 1;
        let members = out.entry(pool.to_string()).or_default();
        for (k, v) in data.summary.volumes.iter().enumerate() {
            if is_copy_of(&v.name, name, counted) {
                members.push(k);
            }
        }
    }
    out
}

/// Per-step series of several named parts (groups or pools).
#[derive(Clone, Debug, PartialEq)]
pub struct StepSeries {
    /// Start of each time-series step, ascending [s].
    pub times: Vec<f64>,
    /// (part name, one value per step of `times`).
    pub parts: Vec<(String, Vec<f64>)>,
}

/// The distinct step start times of `timeseries.csv`, ascending [s], and
/// a lookup from a time's bits to its index.
fn step_times(data: &ReportData) -> (Vec<f64>, BTreeMap<u64, usize>) {
    let mut times: Vec<f64> = data.timeseries.iter().map(|r| r.time_seconds).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let index = times
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_bits(), i))
        .collect();
    (times, index)
}

/// Snapshots pending at the start of each time-series step, summed over
/// each group's volumes (the `pending` column of `timeseries.csv`): the
/// data of the stacked pending figure, one value per step per group.
pub fn pending_by_group(data: &ReportData) -> StepSeries {
    let g = groups(data);
    let (times, index) = step_times(data);
    let mut sums = vec![vec![0.0; times.len()]; g.names.len()];
    for r in &data.timeseries {
        let (Some(&k), Some(&i)) = (
            g.of_volume.get(r.volume),
            index.get(&r.time_seconds.to_bits()),
        ) else {
            continue;
        };
        sums[k][i] += f64::from(r.pending);
    }
    StepSeries {
        times,
        parts: g.names.into_iter().zip(sums).collect(),
    }
}

/// One group's time pending as a cumulative distribution.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCurve {
    /// Group name.
    pub group: String,
    /// Accepted snapshots (completed and unfinished).
    pub snapshots: usize,
    /// Of which still pending at the horizon (censored).
    pub unfinished: usize,
    /// (time pending [s], Kaplan–Meier P(pending ≤ t) in [0, 1]) as a
    /// staircase from (0, 0) to the largest observation, where the
    /// estimate ends.
    pub points: Vec<(f64, f64)>,
}

/// Time-pending observations of the accepted snapshots of `snapshots.csv`
/// whose volume `member` selects: completed ones at request to completion,
/// unfinished ones censored at request to the horizon (the same rule as
/// `summary.json`'s roll-ups).
pub fn observations(data: &ReportData, member: impl Fn(usize) -> bool) -> Vec<Observation> {
    let end = data.summary.simulated_seconds;
    data.snapshots
        .iter()
        .filter(|r| r.is_accepted() && member(r.volume))
        .map(|r| Observation {
            seconds: r.completed_at.unwrap_or(end) - r.requested_at,
            completed: r.completed_at.is_some(),
        })
        .collect()
}

/// The Kaplan–Meier estimate of P(pending ≤ t) = 1 − S(t) per group
/// (unfinished snapshots censored at the horizon); groups without accepted
/// snapshots are left out.
pub fn time_pending_by_group(data: &ReportData) -> Vec<PendingCurve> {
    let g = groups(data);
    let mut curves = Vec::new();
    for (k, name) in g.names.iter().enumerate() {
        let obs = observations(data, |v| g.of_volume.get(v) == Some(&k));
        let Some(km) = KaplanMeier::new(&obs) else {
            continue;
        };
        let end = obs.iter().map(|o| o.seconds).fold(0.0, f64::max);
        curves.push(PendingCurve {
            group: name.clone(),
            snapshots: obs.len(),
            unfinished: obs.iter().filter(|o| !o.completed).count(),
            points: staircase(km.steps(), end),
        });
    }
    curves
}

/// The estimate's steps (time, S after it) as a staircase of
/// (time, 1 − S) from 0 to `end`; more than [`MAX_CURVE_POINTS`] steps are
/// taken at that many evenly spaced times instead.
fn staircase(steps: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 0.0)];
    let mut level = 0.0;
    if steps.len() <= MAX_CURVE_POINTS {
        for &(t, s) in steps {
            points.push((t, level));
            level = 1.0 - s;
            points.push((t, level));
        }
    } else {
        let mut next = 0;
        for i in 1..=MAX_CURVE_POINTS {
            let t = end * i as f64 / MAX_CURVE_POINTS as f64;
            let before = level;
            while next < steps.len() && steps[next].0 <= t {
                level = 1.0 - steps[next].1;
                next += 1;
            }
            if level != before {
                points.push((t, before));
                points.push((t, level));
            }
        }
    }
    points.push((end, level));
    points
}

/// Each shared pool's rate [B/s] from the echoed scenario
/// (`transfer.pools[].rate`); pools whose rate does not parse are left out.
pub fn pool_rates(data: &ReportData) -> BTreeMap<String, f64> {
    data.summary
        .scenario_source
        .get("transfer")
        .and_then(|t| t.get("pools"))
        .and_then(Value::as_array)
        .map(|pools| {
            pools
                .iter()
                .filter_map(|p| {
                    let name = p.get("name")?.as_str()?;
                    let rate = parse_bandwidth(p.get("rate")?.as_str()?).ok()?;
                    Some((name.to_string(), rate.bytes_per_sec))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Each pool's utilisation per time-series step [%]: the summed mean
/// upload rate of its member volumes over the step divided by the pool's
/// rate. Empty when the scenario has no pools.
pub fn pool_utilisation(data: &ReportData) -> StepSeries {
    let (times, index) = step_times(data);
    let rates = pool_rates(data);
    let mut parts = Vec::new();
    for (pool, members) in pool_members(data) {
        let Some(&rate) = rates.get(&pool) else {
            continue;
        };
        let mut member = vec![false; data.summary.volumes.len()];
        for k in members {
            member[k] = true;
        }
        let mut sum = vec![0.0; times.len()];
        for r in &data.timeseries {
            if member.get(r.volume) == Some(&true) {
                if let Some(&i) = index.get(&r.time_seconds.to_bits()) {
                    sum[i] += r.upload_bytes_per_second;
                }
            }
        }
        parts.push((pool, sum.into_iter().map(|b| b / rate * 100.0).collect()));
    }
    StepSeries { times, parts }
}

/// Summed mean upload rate per group per time-series step [B/s]: the
/// fleet form of the throughput figure.
pub fn upload_by_group(data: &ReportData) -> StepSeries {
    let g = groups(data);
    let (times, index) = step_times(data);
    let mut sums = vec![vec![0.0; times.len()]; g.names.len()];
    for r in &data.timeseries {
        let (Some(&k), Some(&i)) = (
            g.of_volume.get(r.volume),
            index.get(&r.time_seconds.to_bits()),
        ) else {
            continue;
        };
        sums[k][i] += r.upload_bytes_per_second;
    }
    StepSeries {
        times,
        parts: g.names.into_iter().zip(sums).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_matched_by_their_number_only() {
        assert!(is_copy_of("db-3", "db", true));
        assert!(!is_copy_of("db-3", "db", false));
        assert!(!is_copy_of("db-small-3", "db", true));
        assert!(is_copy_of("db", "db", false));
    }

    #[test]
    fn a_long_estimate_is_thinned_to_the_grid_and_keeps_its_ends() {
        let steps: Vec<(f64, f64)> = (1..=2000)
            .map(|i| (f64::from(i), 1.0 - f64::from(i) / 2000.0))
            .collect();
        let p = staircase(&steps, 2000.0);
        assert!(p.len() <= 2 * MAX_CURVE_POINTS + 2, "{}", p.len());
        assert_eq!(p[0], (0.0, 0.0));
        assert_eq!(*p.last().unwrap(), (2000.0, 1.0));
        assert!(p.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        // A short one is drawn exactly, up to the largest observation.
        let p = staircase(&[(5.0, 0.5)], 9.0);
        assert_eq!(p, vec![(0.0, 0.0), (5.0, 0.0), (5.0, 0.5), (9.0, 0.5)]);
    }
}
