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
mod fleet;
mod latency;
pub mod plan;
mod storage;
mod style;
pub mod sweep;
pub mod sweep_envelope;
pub mod sweep_heatmap;
pub mod sweep_layout;
mod throughput;
mod timeline;
pub mod tornado;

pub(crate) use style::*;

use super::ReportOptions;
use crate::report::data::ReportData;
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
    /// Fleets: pending snapshots over time, stacked by volume group.
    FleetPending,
    /// Fleets: Kaplan–Meier distribution of time pending, one curve per
    /// volume group.
    FleetTimePending,
    /// Fleets: each shared pool's summed upload rate in percent of its rate.
    FleetPools,
}

impl Figure {
    /// The figures of the report's Charts section, in report order (the
    /// timeline only for runs of at most
    /// [`FLEET_ABOVE`](crate::report::fleet::FLEET_ABOVE) volumes).
    pub const ALL: [Figure; 6] = [
        Figure::Timeline,
        Figure::DurationCdf,
        Figure::Throughput,
        Figure::Storage,
        Figure::LatencyOverTime,
        Figure::Degradation,
    ];

    /// The figures of the report's Fleet section, drawn only for runs of
    /// more than [`FLEET_ABOVE`](crate::report::fleet::FLEET_ABOVE) volumes.
    pub const FLEET: [Figure; 3] = [
        Figure::FleetPending,
        Figure::FleetTimePending,
        Figure::FleetPools,
    ];

    /// Whether the figure belongs in the Fleet section.
    pub fn is_fleet(self) -> bool {
        Figure::FLEET.contains(&self)
    }

    /// File stem (`timeline` → `timeline.svg`, `timeline.png`).
    pub fn stem(self) -> &'static str {
        match self {
            Figure::Timeline => "timeline",
            Figure::Throughput => "throughput",
            Figure::LatencyOverTime => "latency",
            Figure::Degradation => "degradation",
            Figure::DurationCdf => "durations",
            Figure::Storage => "storage",
            Figure::FleetPending => "fleet-pending",
            Figure::FleetTimePending => "fleet-time-pending",
            Figure::FleetPools => "fleet-pools",
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
            Figure::FleetPending => "Snapshots pending at the start of each time-series step, summed over each volume group's volumes and stacked (first group at the bottom).",
            Figure::FleetTimePending => "Time pending (request to completed) by volume group: the Kaplan–Meier estimate of the share of snapshots completed within t, with snapshots still pending at the end counted as censored there (pending for at least the end minus their request), not dropped; a curve ends at its group's longest observation, and one that stays below 100 % means that group's remaining snapshots outlast the run.",
            Figure::FleetPools => "Utilisation of each shared upload pool: the summed upload rate of its member volumes, averaged over each time-series step, in percent of the pool's rate; at 100 % the pool is the bottleneck.",
        }
    }

    /// The caption for this run: for a fleet, the throughput figure has one
    /// line per volume group instead of per volume (pools have their own
    /// figure there).
    pub fn caption_for(self, data: &ReportData) -> &'static str {
        match self {
            Figure::Throughput if crate::report::fleet::is_fleet(data) => "Upload rate to the object store per volume group (the sum of its volumes), averaged over each time-series step; each shared pool's load is in the pool utilisation figure of the Fleet section.",
            _ => self.caption(),
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
            Figure::Timeline => !data.snapshots.is_empty() && !fleet::applies(data),
            Figure::Throughput => !data.timeseries.is_empty(),
            Figure::LatencyOverTime => data.has_io_series(),
            Figure::Degradation => data.has_latency(),
            Figure::DurationCdf => data.snapshots.iter().any(|s| s.duration_seconds.is_some()),
            Figure::Storage => !data.storage.is_empty(),
            Figure::FleetPending => fleet::applies(data) && !data.timeseries.is_empty(),
            Figure::FleetTimePending => {
                fleet::applies(data) && data.snapshots.iter().any(|s| s.is_accepted())
            }
            Figure::FleetPools => {
                fleet::applies(data)
                    && !data.timeseries.is_empty()
                    && !crate::report::fleet::pool_utilisation(data)
                        .parts
                        .is_empty()
            }
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
        let painter = RunFigure {
            figure: self,
            data,
            opts,
        };
        render(&painter, self.stem(), self.size(), format)
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
            Figure::FleetPending => fleet::draw_fleet_pending(root, data),
            Figure::FleetTimePending => fleet::draw_fleet_time_pending(root, data),
            Figure::FleetPools => fleet::draw_fleet_pools(root, data),
        }
    }
}

/// A figure bound to its data, drawable on any plotters backend.
pub(crate) trait Painter {
    /// Draws the whole figure on `root`.
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn;
}

struct RunFigure<'a> {
    figure: Figure,
    data: &'a ReportData,
    opts: &'a ReportOptions,
}

impl Painter for RunFigure<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        self.figure.draw(root, self.data, self.opts)
    }
}

/// Renders `painter` as `format` at `size` (pixels, SVG user units);
/// `figure` names it in errors.
///
/// # Errors
/// [`ChartError`] if the font cannot load, plotters fails or PNG encoding
/// fails.
pub(crate) fn render(
    painter: &impl Painter,
    figure: &'static str,
    size: (u32, u32),
    format: Format,
) -> Result<Vec<u8>, ChartError> {
    ensure_font()?;
    let draw_err = |message| ChartError::Draw { figure, message };
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
                painter.paint(&root).map_err(draw_err)?;
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
                painter.paint(&root).map_err(draw_err)?;
                root.present().map_err(|e| draw_err(de(e)))?;
            }
            encode_png(&pixels, size).map_err(|message| ChartError::Encode { figure, message })
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

/// Most x-bins a line keeps (see [`thin`]).
pub(crate) const THIN_BINS: usize = 1500;

/// A line of more than `4 × bins` points reduced to, per x-bin, its first,
/// lowest, highest and last point in their order: the drawn envelope is
/// the same at the chart's resolution, and a fleet's month (hundreds of
/// thousands of storage changes) stays a few hundred kilobytes of SVG.
/// Shorter lines are returned unchanged, so small runs draw exactly as
/// before.
pub(crate) fn thin(points: &[(f64, f64)], bins: usize) -> std::borrow::Cow<'_, [(f64, f64)]> {
    if points.len() <= 4 * bins || bins == 0 {
        return std::borrow::Cow::Borrowed(points);
    }
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.0), b.max(p.0))
        });
    let width = ((hi - lo) / bins as f64).max(f64::MIN_POSITIVE);
    let bin_of = |x: f64| (((x - lo) / width) as usize).min(bins - 1);
    let mut out = Vec::with_capacity(4 * bins);
    let mut start = 0;
    while start < points.len() {
        let b = bin_of(points[start].0);
        let mut end = start;
        while end < points.len() && bin_of(points[end].0) == b {
            end += 1;
        }
        let run = &points[start..end];
        let (mut imin, mut imax) = (0, 0);
        for (i, p) in run.iter().enumerate() {
            if p.1 < run[imin].1 {
                imin = i;
            }
            if p.1 > run[imax].1 {
                imax = i;
            }
        }
        let mut keep = vec![0, imin, imax, run.len() - 1];
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|i| run[i]));
        start = end;
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod thin_tests {
    use super::*;

    #[test]
    fn short_lines_are_kept_and_long_ones_keep_their_envelope() {
        let short: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, (i % 7) as f64)).collect();
        assert_eq!(thin(&short, 50).as_ref(), short.as_slice());
        let long: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (i as f64, ((i * 37) % 1000) as f64))
            .collect();
        let t = thin(&long, 100);
        assert!(t.len() <= 400, "{}", t.len());
        assert_eq!(t.first(), long.first());
        assert_eq!(t.last(), long.last());
        let max = |v: &[(f64, f64)]| v.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert_eq!(max(&t), max(&long));
        assert!(t.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
