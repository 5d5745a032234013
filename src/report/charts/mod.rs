//! Charts of one run, drawn with plotters as SVG and PNG from [`ReportData`].
//!
//! Owns the list of figures ([`Figure`]), the rendering to both formats, and
//! what every figure shares: the bundled font, the colour-blind-safe palette
//! with a distinct dash and marker per series (so a greyscale print still
//! tells them apart), and human axis scales (s/min/h/d, KiB…TiB, µs/ms).
//! Each submodule draws one or two figures; every drawing function takes a
//! drawing area and the result data, nothing else.
//!
//! Output is identical on every machine: text is laid out (and, in PNGs,
//! rasterised) with the DejaVu Sans file bundled in `assets/fonts/` through
//! plotters' pure-Rust `ab_glyph` path, never a system font library. SVGs
//! name the family `sans-serif`, so a browser uses its own sans-serif face.
//! Plotters errors never panic: they become a [`ChartError`].

mod durations;
mod latency;
mod storage;
mod throughput;
mod timeline;

use super::ReportOptions;
use crate::report::data::ReportData;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::OnceLock;
use thiserror::Error;

/// Why a chart could not be drawn.
#[derive(Debug, Error)]
pub enum ChartError {
    /// The bundled font did not load (a broken build, not bad input).
    #[error("the bundled font assets/fonts/DejaVuSans.ttf cannot be loaded")]
    Font,
    /// Plotters refused to draw.
    #[error("drawing the {figure} chart: {message}")]
    Draw {
        /// File stem of the figure.
        figure: &'static str,
        /// Plotters' error.
        message: String,
    },
    /// The PNG encoder failed.
    #[error("encoding the {figure} chart as PNG: {message}")]
    Encode {
        /// File stem of the figure.
        figure: &'static str,
        /// The encoder's error.
        message: String,
    },
}

/// Result of a drawing function; the message is wrapped with the figure
/// name by [`Figure::render`].
pub(crate) type Drawn = Result<(), String>;

/// Maps a plotters error into the message of a [`ChartError::Draw`].
pub(crate) fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Registers the bundled font as plotters' `sans-serif` (once per process).
fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

/// File format of a rendered chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics (text kept as text).
    Svg,
    /// A PNG image.
    Png,
}

impl Format {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// Every figure the report can hold, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// Gantt bar per snapshot, rejections, pending count underneath.
    Timeline,
    /// Upload rate over time per volume (and per pool).
    Throughput,
    /// Read and write p50/p99 over time with pending periods shaded.
    LatencyOverTime,
    /// p50/p99/p99.9 latency by number of pending snapshots.
    Degradation,
    /// CDF of snapshot durations with the backup window.
    DurationCdf,
    /// Stored bytes and monthly cost over time.
    Storage,
}

impl Figure {
    /// All figures, in report order.
    pub const ALL: [Figure; 6] = [
        Figure::Timeline,
        Figure::DurationCdf,
        Figure::Throughput,
        Figure::Storage,
        Figure::LatencyOverTime,
        Figure::Degradation,
    ];

    /// File stem (`timeline` → `timeline.svg`, `timeline.png`).
    pub fn stem(self) -> &'static str {
        match self {
            Figure::Timeline => "timeline",
            Figure::Throughput => "throughput",
            Figure::LatencyOverTime => "latency",
            Figure::Degradation => "degradation",
            Figure::DurationCdf => "durations",
            Figure::Storage => "storage",
        }
    }

    /// One-sentence caption for the report.
    pub fn caption(self) -> &'static str {
        match self {
            Figure::Timeline => "Each snapshot from request to completion (one bar; overlapping snapshots of a volume share its band), rejected requests marked by error code, and the number of pending snapshots below.",
            Figure::Throughput => "Upload rate to the object store per volume, averaged over each time-series step.",
            Figure::LatencyOverTime => "Read and write latency (p50, p99) over time; shaded where snapshots are pending.",
            Figure::Degradation => "Latency percentiles by the number of snapshots pending when the IO arrived.",
            Figure::DurationCdf => "Distribution of snapshot durations (request to completed).",
            Figure::Storage => "Snapshot storage kept under the retention policy, and its monthly cost at that level.",
        }
    }

    /// Pixel size (PNG) and user units (SVG).
    pub fn size(self) -> (u32, u32) {
        match self {
            Figure::Timeline | Figure::Storage | Figure::LatencyOverTime => (960, 640),
            _ => (960, 480),
        }
    }

    /// Whether the results hold what this figure shows.
    pub fn applies(self, data: &ReportData) -> bool {
        match self {
            Figure::Timeline => !data.snapshots.is_empty(),
            Figure::Throughput => !data.timeseries.is_empty(),
            Figure::LatencyOverTime => data.has_io_series(),
            Figure::Degradation => data.has_latency(),
            Figure::DurationCdf => data.snapshots.iter().any(|s| s.duration_seconds.is_some()),
            Figure::Storage => !data.storage.is_empty(),
        }
    }

    /// Renders the figure in `format`.
    ///
    /// # Errors
    /// [`ChartError`] if the font cannot load or plotters fails.
    pub fn render(
        self,
        data: &ReportData,
        opts: &ReportOptions,
        format: Format,
    ) -> Result<Vec<u8>, ChartError> {
        ensure_font()?;
        let size = self.size();
        let figure = self.stem();
        let draw_err = |message| ChartError::Draw { figure, message };
        match format {
            Format::Svg => {
                let mut text = String::new();
                {
                    let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                    self.draw(&root, data, opts).map_err(draw_err)?;
                    root.present().map_err(|e| draw_err(de(e)))?;
                }
                text.push('\n');
                Ok(text.into_bytes())
            }
            Format::Png => {
                let (w, h) = size;
                let mut pixels = vec![0u8; (w * h * 3) as usize];
                {
                    let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                    self.draw(&root, data, opts).map_err(draw_err)?;
                    root.present().map_err(|e| draw_err(de(e)))?;
                }
                encode_png(&pixels, size).map_err(|message| ChartError::Encode { figure, message })
            }
        }
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        data: &ReportData,
        opts: &ReportOptions,
    ) -> Drawn {
        root.fill(&WHITE).map_err(de)?;
        match self {
            Figure::Timeline => timeline::draw_timeline(root, data),
            Figure::Throughput => throughput::draw_throughput(root, data),
            Figure::LatencyOverTime => latency::draw_latency_over_time(root, data),
            Figure::Degradation => latency::draw_degradation(root, data),
            Figure::DurationCdf => durations::draw_duration_cdf(root, data, opts),
            Figure::Storage => storage::draw_storage(root, data),
        }
    }
}

fn encode_png(rgb: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
        .write_image(rgb, w, h, image::ColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

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
    chart
        .configure_mesh()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_pick_human_units() {
        assert_eq!(time_scale(86_400.0).unit, "h");
        assert_eq!(time_scale(600.0).unit, "min");
        assert_eq!(time_scale(30.0 * 86_400.0).unit, "d");
        assert_eq!(bytes_scale(3.0 * 1024.0 * 1024.0 * 1024.0).unit, "GiB");
        assert_eq!(latency_scale(900.0).unit, "µs");
        assert_eq!(latency_scale(25_000.0).unit, "ms");
        assert_eq!(tidy(0.30000000000000004), "0.3");
        assert_eq!(tidy(12.0), "12");
    }
}
