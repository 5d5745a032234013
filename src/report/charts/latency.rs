//! Foreground latency figures, drawn only when the results carry IO-level
//! latency (IO fidelity): p50/p99 over time for reads and writes with the
//! pending-snapshot periods shaded, and p50/p99/p99.9 by the number of
//! pending snapshots. Both show the first volume that has latency data, and
//! say so in their title.

use super::{
    de, headroom, latency_scale, legend, mesh, mesh_labels, run_time_scale, styled_line, title,
    Drawn,
};
use crate::metrics::latency::{LatencyLevel, OpLatency};
use crate::report::data::ReportData;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws latency over time (two panels: reads, writes).
pub(crate) fn draw_latency_over_time<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let Some(k) = data
        .timeseries
        .iter()
        .find(|r| r.io.is_some())
        .map(|r| r.volume)
    else {
        return Err("the time series has no IO latency".into());
    };
    let name = &data.summary.volumes[k].name;
    let rows: Vec<_> = data.timeseries.iter().filter(|r| r.volume == k).collect();
    let ts = run_time_scale(data);
    let step = data.summary.timeseries_step_seconds;
    let horizon = data.summary.simulated_seconds;
    let max_us = rows
        .iter()
        .filter_map(|r| r.io.as_ref())
        .flat_map(|io| {
            [
                io.read_p99_us,
                io.write_p99_us,
                io.read_p50_us,
                io.write_p50_us,
            ]
        })
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let ls = latency_scale(max_us);
    let (_, h) = root.dim_in_pixel();
    let root = root
        .titled(
            &title(&format!("Latency over time, volume {name}"), data),
            ("sans-serif", 20),
        )
        .map_err(de)?;
    let (top, bottom) = root.split_vertically((h - 30) / 2);
    for (panel, op) in [(&top, "read"), (&bottom, "write")] {
        let mut chart = ChartBuilder::on(panel)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..horizon / ts.div, 0.0..headroom(max_us / ls.div))
            .map_err(de)?;
        mesh(
            &mut chart,
            &format!("time since start [{}]", ts.unit),
            &format!("{op} latency [{}]", ls.unit),
        )?;
        let top_y = headroom(max_us / ls.div);
        let shade = RGBColor(0, 0, 0).mix(0.08).filled();
        chart
            .draw_series(rows.iter().filter(|r| r.pending > 0).map(|r| {
                Rectangle::new(
                    [
                        (r.time_seconds / ts.div, 0.0),
                        ((r.time_seconds + step).min(horizon) / ts.div, top_y),
                    ],
                    shade,
                )
            }))
            .map_err(de)?
            .label("snapshot pending")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], shade));
        let pick = |p99: bool| -> Vec<(f64, f64)> {
            rows.iter()
                .map(|r| {
                    let v = r.io.as_ref().map_or(f64::NAN, |io| match (op, p99) {
                        ("read", false) => io.read_p50_us,
                        ("read", true) => io.read_p99_us,
                        (_, false) => io.write_p50_us,
                        (_, true) => io.write_p99_us,
                    });
                    (r.time_seconds / ts.div, v / ls.div)
                })
                .collect()
        };
        styled_line(&mut chart, &pick(false), 0, &format!("{op} p50"))?;
        styled_line(&mut chart, &pick(true), 1, &format!("{op} p99"))?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

/// Draws latency percentiles by pending level (two panels: reads, writes).
pub(crate) fn draw_degradation<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
) -> Drawn {
    let Some((name, ops)) = data.summary.volumes.iter().find_map(|v| {
        v.latency
            .as_ref()
            .filter(|l| !l.is_empty())
            .map(|l| (&v.name, l))
    }) else {
        return Err("no volume has latency by pending level".into());
    };
    let max_us = ops
        .iter()
        .flat_map(|o| o.levels.iter().map(|l| l.p999_us))
        .fold(0.0, f64::max);
    let max_level = ops
        .iter()
        .flat_map(|o| o.levels.iter().map(|l| l.pending))
        .max()
        .unwrap_or(5)
        .max(1);
    let ls = latency_scale(max_us);
    let root = root
        .titled(
            &title(
                &format!("Latency by pending snapshots, volume {name}"),
                data,
            ),
            ("sans-serif", 20),
        )
        .map_err(de)?;
    let panels = root.split_evenly((1, 2));
    for (panel, op) in panels.iter().zip(["read", "write"]) {
        let Some(lat) = ops.iter().find(|o| o.op == op) else {
            continue;
        };
        draw_levels(panel, lat, max_level, max_us, ls)?;
    }
    Ok(())
}

/// Picks one percentile of a level [µs].
type Percentile = fn(&LatencyLevel) -> f64;

fn draw_levels<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    lat: &OpLatency,
    max_level: u32,
    max_us: f64,
    ls: super::Scale,
) -> Drawn {
    let mut chart = ChartBuilder::on(panel)
        .caption(format!("{}s", lat.op), ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            -0.2..f64::from(max_level) + 0.2,
            // A third more headroom keeps the upper-left legend clear of
            // the lines, which climb from level 0 to 1.
            0.0..headroom(max_us / ls.div) * 1.3,
        )
        .map_err(de)?;
    mesh_labels(
        &mut chart,
        "snapshots pending at arrival",
        &format!("{} latency [{}]", lat.op, ls.unit),
        max_level as usize + 1,
    )?;
    let series: [(&str, Percentile); 3] = [
        ("p50", |l| l.p50_us),
        ("p99", |l| l.p99_us),
        ("p99.9", |l| l.p999_us),
    ];
    for (i, (label, f)) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> = lat
            .levels
            .iter()
            .map(|l| (f64::from(l.pending), f(l) / ls.div))
            .collect();
        styled_line(&mut chart, &points, i, label)?;
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}
