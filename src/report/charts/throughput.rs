//! Upload throughput over time: each volume's mean upload rate per
//! time-series step, plus one line per shared pool (the sum of its member
//! volumes). With more than six volumes only the total and the pools are
//! drawn, so the chart stays readable; for a fleet (more than
//! [`FLEET_ABOVE`](crate::report::fleet::FLEET_ABOVE) volumes) one line per
//! volume group, the pools having a figure of their own there
//! (utilisation, in the Fleet section).

use super::{bytes_scale, de, headroom, legend, mesh, run_time_scale, styled_line, title, Drawn};
use crate::report::data::ReportData;
use crate::report::fleet::{is_fleet, pool_members, upload_by_group};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// Most volumes drawn as their own line.
const MAX_VOLUME_LINES: usize = 6;

/// Draws the upload-throughput figure.
pub(crate) fn draw_throughput<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let ts = run_time_scale(data);
    let lines = series(data);
    let max = lines
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold(0.0, f64::max);
    let bs = bytes_scale(max);
    let mut chart = ChartBuilder::on(root)
        .caption(title("Upload throughput", data), ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            0.0..data.summary.simulated_seconds / ts.div,
            0.0..headroom(max / bs.div),
        )
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        &format!("upload rate [{}/s]", bs.unit),
    )?;
    for (i, (label, points)) in lines.iter().enumerate() {
        let scaled: Vec<(f64, f64)> = points
            .iter()
            .map(|&(t, r)| (t / ts.div, r / bs.div))
            .collect();
        styled_line(&mut chart, &scaled, i, label)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// (label, [(time [s], rate [B/s])]) for every line of the chart.
fn series(data: &ReportData) -> Vec<(String, Vec<(f64, f64)>)> {
    if is_fleet(data) {
        let groups = upload_by_group(data);
        return groups
            .parts
            .into_iter()
            .map(|(name, rates)| (name, groups.times.iter().copied().zip(rates).collect()))
            .collect();
    }
    let volumes = &data.summary.volumes;
    let mut per_volume: Vec<Vec<(f64, f64)>> = vec![Vec::new(); volumes.len()];
    for r in &data.timeseries {
        if let Some(v) = per_volume.get_mut(r.volume) {
            v.push((r.time_seconds, r.upload_bytes_per_second));
        }
    }
    let mut out: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    if volumes.len() <= MAX_VOLUME_LINES {
        for (v, points) in volumes.iter().zip(&per_volume) {
            out.push((v.name.clone(), points.clone()));
        }
    } else {
        out.push((
            format!("all {} volumes", volumes.len()),
            sum(data, |_| true),
        ));
    }
    for (pool, members) in pool_members(data) {
        out.push((format!("pool {pool}"), sum(data, |v| members.contains(&v))));
    }
    out
}

/// Per-step sum of the upload rates of the volumes `member` selects.
fn sum(data: &ReportData, member: impl Fn(usize) -> bool) -> Vec<(f64, f64)> {
    let mut by_time: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for r in data.timeseries.iter().filter(|r| member(r.volume)) {
        let e = by_time
            .entry(r.time_seconds.to_bits())
            .or_insert((r.time_seconds, 0.0));
        e.1 += r.upload_bytes_per_second;
    }
    let mut v: Vec<(f64, f64)> = by_time.into_values().collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}
