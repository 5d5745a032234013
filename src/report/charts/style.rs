//! What every chart shares: the Okabe–Ito palette, a dash pattern and a
//! marker per series (so greyscale prints still tell series apart), legend
//! and mesh styling, and human axis scales (s/min/h/d, B…TiB, µs/ms).
//! Knows plotters and the result data, never a particular figure.

use super::{de, Drawn};
use crate::report::data::ReportData;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// Okabe–Ito colours (colour-blind safe), darkest first; yellow is left out
/// because it vanishes on white.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
];

/// Colour of series `i`.
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Outline of marker shape `shape` around (0, 0) in pixels: octagon
/// (a circle), triangle, square, diamond, and (4) a cross.
pub(crate) fn marker_shape(shape: usize) -> Vec<(i32, i32)> {
    match shape {
        0 => vec![
            (-2, -5),
            (2, -5),
            (5, -2),
            (5, 2),
            (2, 5),
            (-2, 5),
            (-5, 2),
            (-5, -2),
        ],
        1 => vec![(0, -6), (5, 4), (-5, 4)],
        2 => vec![(-4, -4), (4, -4), (4, 4), (-4, 4)],
        3 => vec![(0, -6), (6, 0), (0, 6), (-6, 0)],
        _ => vec![
            (-5, -3),
            (-3, -5),
            (0, -2),
            (3, -5),
            (5, -3),
            (2, 0),
            (5, 3),
            (3, 5),
            (0, 2),
            (-3, 5),
            (-5, 3),
            (-2, 0),
        ],
    }
}

/// The plain chart type every figure draws on.
pub(crate) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws series `i` of a chart: a line in the series' colour with its own
/// dash pattern (solid, dashed, dotted), about a dozen markers along it, and
/// a legend entry. NaN points split the line.
pub(crate) fn styled_line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    points: &[(f64, f64)],
    i: usize,
    label: &str,
) -> Drawn {
    let c = colour(i);
    let style = c.stroke_width(2);
    let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &p in points {
        if p.0.is_finite() && p.1.is_finite() {
            if let Some(last) = segments.last_mut() {
                last.push(p);
            }
        } else if segments.last().is_some_and(|s| !s.is_empty()) {
            segments.push(Vec::new());
        }
    }
    for seg in segments.iter().filter(|s| !s.is_empty()) {
        match i % 3 {
            0 => chart
                .draw_series(LineSeries::new(seg.iter().copied(), style))
                .map(|_| ())
                .map_err(de)?,
            1 => chart
                .draw_series(DashedLineSeries::new(seg.iter().copied(), 10, 5, style))
                .map(|_| ())
                .map_err(de)?,
            _ => chart
                .draw_series(DashedLineSeries::new(seg.iter().copied(), 3, 4, style))
                .map(|_| ())
                .map_err(de)?,
        }
    }
    let finite: Vec<(f64, f64)> = segments.concat();
    let every = (finite.len() / 12).max(1);
    let shape = i % 4;
    chart
        .draw_series(
            finite
                .iter()
                .enumerate()
                .filter(|(k, _)| k % every == every / 2 % every)
                .map(|(_, &p)| EmptyElement::at(p) + Polygon::new(marker_shape(shape), c.filled())),
        )
        .map_err(de)?
        .label(label.to_string())
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (20, 0)], style)
                + Polygon::new(
                    marker_shape(shape)
                        .into_iter()
                        .map(|(a, b)| (a + 10, b))
                        .collect::<Vec<_>>(),
                    c.filled(),
                )
        });
    Ok(())
}

/// Legend box in the upper left, on a translucent white background.
pub(crate) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    position: SeriesLabelPosition,
) -> Drawn {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(de)
}

/// Mesh (grid and axes) with unit-bearing axis descriptions.
pub(crate) fn mesh<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    x_desc: &str,
    y_desc: &str,
) -> Drawn {
    // 11: plotters' own default.
    mesh_labels(chart, x_desc, y_desc, 11)
}

/// As [`mesh`], with at most `x_labels` labels on the x axis: for an axis
/// of whole counts, one per count and none between them.
pub(crate) fn mesh_labels<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    x_desc: &str,
    y_desc: &str,
    x_labels: usize,
) -> Drawn {
    chart
        .configure_mesh()
        .x_labels(x_labels)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(BLACK.mix(0.05))
        .bold_line_style(BLACK.mix(0.12))
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 12))
        .x_label_formatter(&|x| tidy(*x))
        .y_label_formatter(&|y| tidy(*y))
        .draw()
        .map_err(de)
}

/// A tick label without float noise (`0.30000000000000004` → `0.3`).
pub(crate) fn tidy(x: f64) -> String {
    let s = format!("{:.6}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A unit for an axis: values are divided by `div` and labelled `unit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scale {
    /// Divisor from the base unit (s, B, µs).
    pub div: f64,
    /// Unit name shown on the axis.
    pub unit: &'static str,
}

/// Seconds, minutes, hours or days for a span of `max` seconds.
pub(crate) fn time_scale(max: f64) -> Scale {
    let (div, unit) = if max <= 120.0 {
        (1.0, "s")
    } else if max <= 2.0 * 3600.0 {
        (60.0, "min")
    } else if max <= 3.0 * 86_400.0 {
        (3600.0, "h")
    } else {
        (86_400.0, "d")
    };
    Scale { div, unit }
}

/// The binary unit that keeps `max` bytes between 1 and 1024.
pub(crate) fn bytes_scale(max: f64) -> Scale {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut u = 0;
    let mut div = 1.0;
    while max / div >= 1024.0 && u + 1 < UNITS.len() {
        div *= 1024.0;
        u += 1;
    }
    Scale {
        div,
        unit: UNITS[u],
    }
}

/// µs, ms or s for latencies up to `max_us` microseconds.
pub(crate) fn latency_scale(max_us: f64) -> Scale {
    if max_us < 2_000.0 {
        Scale {
            div: 1.0,
            unit: "µs",
        }
    } else if max_us < 2_000_000.0 {
        Scale {
            div: 1_000.0,
            unit: "ms",
        }
    } else {
        Scale {
            div: 1_000_000.0,
            unit: "s",
        }
    }
}

/// Upper end of an axis holding values up to `max`: 5 % headroom, and 1
/// when there is nothing to show.
pub(crate) fn headroom(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.05
    } else {
        1.0
    }
}

/// Chart title: the figure's subject and the scenario's name.
pub(crate) fn title(subject: &str, data: &ReportData) -> String {
    format!("{subject} — {}", data.summary.scenario)
}

/// The time axis of the whole run.
pub(crate) fn run_time_scale(data: &ReportData) -> Scale {
    time_scale(data.summary.simulated_seconds)
}
