//! Snapshot storage over time under the retention policy: stored bytes per
//! volume (and in total) as step lines, and underneath the monthly cost the
//! total would have at that level (`usd_per_gb_month`, GB = 10^9 B).

use super::{bytes_scale, de, headroom, legend, mesh, run_time_scale, styled_line, title, Drawn};
use crate::report::data::ReportData;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Most volumes drawn as their own line.
const MAX_VOLUME_LINES: usize = 6;

/// Draws the storage and cost figure.
pub(crate) fn draw_storage<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let (_, h) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically(h * 60 / 100);
    let horizon = data.summary.simulated_seconds;
    let ts = run_time_scale(data);
    let total = total_steps(data, horizon);
    let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let volumes = &data.summary.volumes;
    if volumes.len() <= MAX_VOLUME_LINES {
        for (k, v) in volumes.iter().enumerate() {
            lines.push((v.name.clone(), volume_steps(data, k, horizon)));
        }
    }
    if volumes.len() > 1 {
        lines.push(("total".into(), total.clone()));
    }
    let max = total.iter().map(|p| p.1).fold(0.0, f64::max);
    let bs = bytes_scale(max);
    let mut chart = ChartBuilder::on(&top)
        .caption(title("Snapshot storage and cost", data), ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..horizon / ts.div, 0.0..headroom(max / bs.div))
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        &format!("stored [{}]", bs.unit),
    )?;
    for (i, (label, points)) in lines.iter().enumerate() {
        let scaled: Vec<(f64, f64)> = super::thin(points, super::THIN_BINS)
            .iter()
            .map(|&(t, b)| (t / ts.div, b / bs.div))
            .collect();
        styled_line(&mut chart, &scaled, i, label)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)?;

    let price = data.summary.usd_per_gb_month;
    let cost: Vec<(f64, f64)> = super::thin(&total, super::THIN_BINS)
        .iter()
        .map(|&(t, b)| (t / ts.div, b / 1e9 * price))
        .collect();
    let max_cost = cost.iter().map(|p| p.1).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(&bottom)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..horizon / ts.div, 0.0..headroom(max_cost))
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        "monthly cost [USD/month]",
    )?;
    styled_line(
        &mut chart,
        &cost,
        lines.len().saturating_sub(1),
        &format!("at ${price} per GB-month"),
    )?;
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// One volume's stored bytes as step points from 0 to the horizon.
fn volume_steps(data: &ReportData, k: usize, horizon: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 0.0)];
    let mut level = 0.0;
    for s in data.storage.iter().filter(|s| s.volume == k) {
        points.push((s.time_seconds, level));
        level = s.stored_bytes as f64;
        points.push((s.time_seconds, level));
    }
    points.push((horizon, level));
    points
}

/// All volumes' stored bytes summed, as step points.
fn total_steps(data: &ReportData, horizon: f64) -> Vec<(f64, f64)> {
    let mut current: BTreeMap<usize, u64> = BTreeMap::new();
    let mut points = vec![(0.0, 0.0)];
    let mut level = 0.0;
    for s in &data.storage {
        current.insert(s.volume, s.stored_bytes);
        points.push((s.time_seconds, level));
        level = current.values().sum::<u64>() as f64;
        points.push((s.time_seconds, level));
    }
    points.push((horizon, level));
    points
}
