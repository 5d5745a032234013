//! The distribution of snapshot durations (request to completed) as an
//! empirical CDF: all volumes together and, for up to six volumes, each on
//! its own; with the backup window as a vertical line when the report was
//! given one as a length of time (`--backup-window 4h`). A clock window
//! (`01:00-05:00`) sets no single duration a snapshot must beat (that
//! depends on when in the window it was requested), so it draws no line.

use super::{de, legend, mesh, styled_line, time_scale, title, Drawn};
use crate::report::data::ReportData;
use crate::report::ReportOptions;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Draws the duration CDF figure.
pub(crate) fn draw_duration_cdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ReportData,
    opts: &ReportOptions,
) -> Drawn {
    let volumes = &data.summary.volumes;
    let mut lines: Vec<(String, Vec<f64>)> = Vec::new();
    let all: Vec<f64> = durations(data, |_| true);
    if volumes.len() > 1 {
        lines.push((format!("all {} volumes", volumes.len()), all.clone()));
    }
    if volumes.len() <= 6 {
        for (k, v) in volumes.iter().enumerate() {
            let d = durations(data, |r| r == k);
            if !d.is_empty() {
                lines.push((v.name.clone(), d));
            }
        }
    }
    let window = match opts.backup_window {
        Some(crate::report::BackupWindow::Within { seconds }) => Some(seconds),
        _ => None,
    };
    let max = all
        .last()
        .copied()
        .unwrap_or(1.0)
        .max(window.unwrap_or(0.0));
    let ts = time_scale(max);
    let mut chart = ChartBuilder::on(root)
        .caption(title("Snapshot durations (CDF)", data), ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max * 1.05 / ts.div, 0.0..100.0)
        .map_err(de)?;
    mesh(
        &mut chart,
        &format!("duration, request to completed [{}]", ts.unit),
        "snapshots completed within [%]",
    )?;
    for (i, (label, d)) in lines.iter().enumerate() {
        let n = d.len() as f64;
        let mut points = vec![(0.0, 0.0)];
        for (j, &x) in d.iter().enumerate() {
            points.push((x / ts.div, j as f64 / n * 100.0));
            points.push((x / ts.div, (j + 1) as f64 / n * 100.0));
        }
        styled_line(
            &mut chart,
            &super::thin(&points, super::THIN_BINS),
            i,
            &format!("{label} (n = {})", d.len()),
        )?;
    }
    if let Some(w) = window {
        let style = BLACK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                [(w / ts.div, 0.0), (w / ts.div, 100.0)],
                6,
                4,
                style,
            ))
            .map_err(de)?
            .label(format!(
                "backup window ({})",
                crate::report::table::human_seconds(w)
            ))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Sorted durations [s] of the completed snapshots of the selected volumes.
fn durations(data: &ReportData, member: impl Fn(usize) -> bool) -> Vec<f64> {
    let mut d: Vec<f64> = data
        .snapshots
        .iter()
        .filter(|r| member(r.volume))
        .filter_map(|r| r.duration_seconds)
        .collect();
    d.sort_by(f64::total_cmp);
    d
}
