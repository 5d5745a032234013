//! Upload throughput over time: each volume's mean upload rate per
//! time-series step, plus one line per shared pool (the sum of its member
//! volumes). With more than six volumes only the total and the pools are
//! drawn, so the chart stays readable.

use super::{bytes_scale, de, headroom, legend, mesh, run_time_scale, styled_line, title, Drawn};
use crate::report::data::ReportData;
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
    for (pool, members) in pools(data) {
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

/// Shared pools of the scenario and the indices of their member volumes.
/// Membership comes from the echoed scenario: a volume entry with `pool`
/// names one volume, or `count` volumes `name-1` … `name-N`.
fn pools(data: &ReportData) -> BTreeMap<String, Vec<usize>> {
    let mut out: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let src = &data.summary.scenario_source;
    let Some(entries) = src.get("volumes").and_then(|v| v.as_array()) else {
        return out;
    };
    for e in entries {
        let (Some(name), Some(pool)) = (
            e.get("name").and_then(|n| n.as_str()),
            e.get("pool").and_then(|p| p.as_str()),
        ) else {
            continue;
        };
        let counted = e.get("count").and_then(|c| c.as_u64()).unwrap_or(1) > 1;
        let members = out.entry(pool.to_string()).or_default();
        for (k, v) in data.summary.volumes.iter().enumerate() {
            let stamped = counted
                && v.name
                    .strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|n| n.parse::<u64>().is_ok());
            if v.name == name || stamped {
                members.push(k);
            }
        }
    }
    out
}
