//! The snapshot timeline: a Gantt bar per accepted snapshot from its request
//! (the point in time) to completion, one band per volume; rejected and
//! skipped requests as markers named by their API error code; and, below, the
//! number of pending snapshots as a step line (per volume, or all volumes
//! together when there are more than six).

use super::{
    colour, de, legend, marker_shape, mesh, run_time_scale, styled_line, title, Drawn, Plot,
};
use crate::report::data::{ReportData, SnapshotRow};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Most volumes drawn as their own pending line.
const MAX_PENDING_LINES: usize = 6;

/// Draws the timeline figure.
pub(crate) fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let (_, h) = root.dim_in_pixel();
    let (top, bottom) = root.split_vertically(h * 64 / 100);
    let horizon = data.summary.simulated_seconds;
    let ts = run_time_scale(data);
    let volumes = &data.summary.volumes;
    let n = volumes.len().max(1);
    let names: Vec<String> = volumes.iter().map(|v| v.name.clone()).collect();

    let mut chart = ChartBuilder::on(&top)
        .caption(title("Snapshot timeline", data), ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(0)
        .y_label_area_size(label_width(&names))
        .build_cartesian_2d(
            0.0..horizon / ts.div,
            // Headroom above the bands keeps the legend clear of them.
            0.0..n as f64 * 1.25 + 0.3,
        )
        .map_err(de)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .y_labels(0)
        .x_labels(0)
        .draw()
        .map_err(de)?;
    // Volume names left of their bands, and a thin line between bands.
    let name_style = TextStyle::from(("sans-serif", 13))
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (k, name) in names.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(0.0, k as f64 + 0.5));
        top.draw(&Text::new(name.clone(), (x - 6, y), name_style.clone()))
            .map_err(de)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, k as f64), (horizon / ts.div, k as f64)],
                BLACK.mix(0.15),
            )))
            .map_err(de)?;
    }

    let mut any = [false; 3];
    for (k, rows) in by_volume(data).iter().enumerate() {
        let bars = lanes(rows, horizon);
        let lanes_n = bars.iter().map(|b| b.lane + 1).max().unwrap_or(1) as f64;
        let height = 0.8 / lanes_n;
        for b in &bars {
            let y0 = k as f64 + 0.1 + b.lane as f64 * height;
            let (fill, kind) = if b.pending_at_end {
                (colour(1).mix(0.8), 1)
            } else {
                (colour(0).mix(0.8), 0)
            };
            any[kind] = true;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [
                        (b.start / ts.div, y0 + height * 0.1),
                        (b.end / ts.div, y0 + height * 0.9),
                    ],
                    fill.filled(),
                )))
                .map_err(de)?;
        }
    }
    // Legend entries for the bar kinds, drawn as empty series.
    for (kind, label) in [(0, "completed snapshot"), (1, "pending at the end")] {
        if any[kind] {
            let c = colour(kind);
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(de)?
                .label(label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.filled()));
        }
    }
    draw_rejections(&mut chart, data, ts.div)?;
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;

    // Pending count underneath.
    let steps = pending_steps(data, horizon);
    let max_pending = steps
        .iter()
        .flat_map(|(_, s)| s.iter().map(|p| p.1))
        .fold(1.0_f64, f64::max);
    let mut chart = ChartBuilder::on(&bottom)
        .margin(10)
        .margin_top(0)
        .x_label_area_size(40)
        .y_label_area_size(label_width(&names))
        .build_cartesian_2d(
            0.0..horizon / ts.div,
            0.0..pending_top(max_pending, steps.len()),
        )
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("time since start [{}]", ts.unit),
        "pending",
    )?;
    for (i, (label, points)) in steps.iter().enumerate() {
        let scaled: Vec<(f64, f64)> = points.iter().map(|&(t, p)| (t / ts.div, p)).collect();
        styled_line(&mut chart, &scaled, i, label)?;
    }
    if steps.len() > 1 {
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// Top of the pending panel's y range: half a snapshot above the highest
/// count and, with a legend (more than one volume), a fifth of that again
/// per legend row, so that the legend in the upper right sits above the
/// curves instead of on them.
fn pending_top(max_pending: f64, series: usize) -> f64 {
    let top = max_pending + 0.5;
    if series > 1 {
        top * (1.0 + 0.2 * series as f64)
    } else {
        top
    }
}

/// Left label area wide enough for the longest volume name.
fn label_width(names: &[String]) -> u32 {
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(4) as u32;
    (longest * 8 + 16).clamp(48, 320)
}

/// Each volume's requests, in file order.
fn by_volume(data: &ReportData) -> Vec<Vec<&SnapshotRow>> {
    let mut out = vec![Vec::new(); data.summary.volumes.len()];
    for r in &data.snapshots {
        if let Some(v) = out.get_mut(r.volume) {
            v.push(r);
        }
    }
    out
}

/// A Gantt bar in its lane.
struct Bar {
    start: f64,
    end: f64,
    lane: usize,
    pending_at_end: bool,
}

/// Bars of accepted snapshots, each in the lowest lane free at its start.
fn lanes(rows: &[&SnapshotRow], horizon: f64) -> Vec<Bar> {
    let mut lane_ends: Vec<f64> = Vec::new();
    let mut bars = Vec::new();
    for r in rows.iter().filter(|r| r.is_accepted()) {
        let end = r.completed_at.unwrap_or(horizon);
        let lane = match lane_ends.iter().position(|&e| e <= r.requested_at) {
            Some(l) => l,
            None => {
                lane_ends.push(0.0);
                lane_ends.len() - 1
            }
        };
        lane_ends[lane] = end;
        bars.push(Bar {
            start: r.requested_at,
            end,
            lane,
            pending_at_end: r.completed_at.is_none(),
        });
    }
    bars
}

/// Rejected and skipped requests: a cross (or triangle) per error code near
/// the top of the volume's band.
fn draw_rejections<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    data: &ReportData,
    div: f64,
) -> Drawn {
    let mut codes: Vec<&str> = data
        .snapshots
        .iter()
        .filter(|r| !r.is_accepted())
        .filter_map(|r| r.error.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    for (j, code) in codes.iter().enumerate() {
        let c = colour(3 + j);
        let points: Vec<(f64, f64)> = data
            .snapshots
            .iter()
            .filter(|r| !r.is_accepted() && r.error.as_deref() == Some(code))
            .map(|r| (r.requested_at / div, r.volume as f64 + 0.95))
            .collect();
        let skipped = data
            .snapshots
            .iter()
            .any(|r| r.state == "skipped" && r.error.as_deref() == Some(code));
        let label = if skipped {
            format!("{code} (rejected or skipped)")
        } else {
            format!("rejected: {code}")
        };
        let shape = if j % 2 == 0 { 4 } else { 1 }; // cross, then triangle
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| EmptyElement::at(p) + Polygon::new(marker_shape(shape), c.filled())),
            )
            .map_err(de)?
            .label(label)
            .legend(move |(x, y)| {
                EmptyElement::at((x + 10, y)) + Polygon::new(marker_shape(shape), c.filled())
            });
    }
    Ok(())
}

/// Pending snapshots over time as step points: one series per volume, or
/// the sum over all volumes when there are more than [`MAX_PENDING_LINES`].
fn pending_steps(data: &ReportData, horizon: f64) -> Vec<(String, Vec<(f64, f64)>)> {
    let volumes = &data.summary.volumes;
    let groups: Vec<(String, Vec<usize>)> = if volumes.len() <= MAX_PENDING_LINES {
        volumes
            .iter()
            .enumerate()
            .map(|(k, v)| (v.name.clone(), vec![k]))
            .collect()
    } else {
        vec![(
            format!("all {} volumes", volumes.len()),
            (0..volumes.len()).collect(),
        )]
    };
    groups
        .into_iter()
        .map(|(label, members)| {
            let mut events: Vec<(f64, i64)> = Vec::new();
            for r in data
                .snapshots
                .iter()
                .filter(|r| r.is_accepted() && members.contains(&r.volume))
            {
                events.push((r.requested_at, 1));
                if let Some(c) = r.completed_at {
                    events.push((c, -1));
                }
            }
            // Completions before requests at the same instant.
            events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut points = vec![(0.0, 0.0)];
            let mut level = 0i64;
            for (t, d) in events {
                points.push((t, level as f64));
                level += d;
                points.push((t, level as f64));
            }
            points.push((horizon, level as f64));
            (label, points)
        })
        .collect()
}
