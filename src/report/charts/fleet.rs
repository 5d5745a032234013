//! The figures of a fleet run (more than
//! [`FLEET_ABOVE`](crate::report::fleet::FLEET_ABOVE) volumes): pending
//! snapshots over time stacked by volume group, the distribution of time
//! pending by group (Kaplan–Meier, unfinished snapshots censored), and
//! each shared pool's utilisation over time. The data come from
//! [`crate::report::fleet`]; this module only draws them.

use super::{
    colour, de, headroom, legend, mesh, run_time_scale, styled_line, time_scale, title, Drawn,
};
use crate::report::data::ReportData;
use crate::report::fleet::{pending_by_group, pool_utilisation, time_pending_by_group};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws pending snapshots per step, stacked by group (first group at the
/// bottom), each band outlined so that neighbours of similar colour stay
/// apart in greyscale.
pub(crate) fn draw_fleet_pending<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let series = pending_by_group(data);
    let ts = run_time_scale(data);
    let x: Vec<f64> = series.times.iter().map(|t| t / ts.div).collect();
    let mut lower = vec![0.0; x.len()];
    let mut bands = Vec::new();
    for (name, values) in &series.parts {
        let upper: Vec<f64> = lower.iter().zip(values).map(|(l, v)| l + v).collect();
        bands.push((name.clone(), lower.clone(), upper.clone()));
        lower = upper;
    }
    let max = lower.iter().copied().fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(root)
        .caption(
            title("Pending snapshots by volume group", data),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            0.0..data.summary.simulated_seconds / ts.div,
            0.0..headroom(max),
        )
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        "snapshots pending (stacked)",
    )?;
    // Drawn top group first so the legend lists groups top to bottom, as
    // they are stacked.
    for (i, (name, lo, up)) in bands.iter().enumerate().rev() {
        let c = colour(i);
        let mut outline: Vec<(f64, f64)> = x.iter().copied().zip(up.iter().copied()).collect();
        outline.extend(x.iter().copied().zip(lo.iter().copied()).rev());
        chart
            .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.75).filled())))
            .map_err(de)?
            .label(name.clone())
            .legend(move |(px, py)| {
                Rectangle::new([(px, py - 5), (px + 20, py + 5)], c.mix(0.75).filled())
            });
        chart
            .draw_series(LineSeries::new(
                x.iter().copied().zip(up.iter().copied()),
                BLACK.mix(0.6).stroke_width(1),
            ))
            .map_err(de)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)
}

/// Draws the Kaplan–Meier P(pending ≤ t) of every group, in percent, each
/// curve ending at its largest observation.
pub(crate) fn draw_fleet_time_pending<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let curves = time_pending_by_group(data);
    let max = curves
        .iter()
        .filter_map(|c| c.points.last().map(|p| p.0))
        .fold(0.0, f64::max);
    let ts = time_scale(max);
    let mut chart = ChartBuilder::on(root)
        .caption(
            title("Time pending by volume group (Kaplan–Meier)", data),
            ("sans-serif", 20),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        // 40 % room on the right keeps the legend (lower right) off the
        // curves, which all end at their longest observation.
        .build_cartesian_2d(0.0..headroom(max / ts.div) * 1.4, 0.0..100.0)
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time pending, request to completed [{}]", ts.unit),
        "snapshots completed within [%]",
    )?;
    for (i, c) in curves.iter().enumerate() {
        let points: Vec<(f64, f64)> = c
            .points
            .iter()
            .map(|&(t, f)| (t / ts.div, f * 100.0))
            .collect();
        styled_line(
            &mut chart,
            &points,
            i,
            &format!(
                "{} (n = {}, {} unfinished)",
                c.group, c.snapshots, c.unfinished
            ),
        )?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Draws each pool's utilisation per step in percent of its rate, with the
/// pool rate (100 %) as a dashed line.
pub(crate) fn draw_fleet_pools<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let series = pool_utilisation(data);
    let ts = run_time_scale(data);
    let max = series
        .parts
        .iter()
        .flat_map(|(_, v)| v.iter().copied())
        .fold(100.0, f64::max);
    let horizon = data.summary.simulated_seconds / ts.div;
    let mut chart = ChartBuilder::on(root)
        .caption(title("Pool utilisation", data), ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..horizon, 0.0..headroom(max))
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        "upload rate of member volumes [% of pool rate]",
    )?;
    let full = BLACK.mix(0.7).stroke_width(1);
    chart
        .draw_series(DashedLineSeries::new(
            [(0.0, 100.0), (horizon, 100.0)],
            6,
            4,
            full,
        ))
        .map_err(de)?
        .label("pool rate (100 %)")
        .legend(move |(px, py)| PathElement::new(vec![(px, py), (px + 20, py)], full));
    for (i, (pool, values)) in series.parts.iter().enumerate() {
        let points: Vec<(f64, f64)> = series
            .times
            .iter()
            .zip(values)
            .map(|(&t, &u)| (t / ts.div, u))
            .collect();
        styled_line(&mut chart, &points, i, &format!("pool {pool}"))?;
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Whether the run is a fleet, so the fleet figures apply and the
/// per-volume timeline does not.
pub(crate) fn applies(data: &ReportData) -> bool {
    crate::report::fleet::is_fleet(data)
}
