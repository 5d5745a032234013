//! Charts of a finished sweep, drawn from [`SweepData`] (parsed
//! `sweep.json`): for each shown metric, its mean with the 95 % confidence
//! band against every swept parameter (one panel per parameter, one line
//! per value of the other parameters), and, for a two-dimensional sweep, a
//! heatmap of the p95 snapshot duration over the two parameters
//! (`sweep_heatmap.rs`).
//!
//! Parameter values become numbers through [`ParamKind`] (unit strings in
//! base units, shown in human units); category values sit at positions
//! 0, 1, … and are labelled with their text.

use super::sweep_envelope::{envelope, legend_mode, EnvelopePoint, LegendMode, MAX_LEGEND_SERIES};
use super::sweep_heatmap::{labelled, note as heatmap_note, HeatmapGrid};
use super::sweep_layout::tick_stride;
use super::{
    bytes_scale, colour, de, headroom, latency_scale, legend, render, styled_line, thin, tidy,
    time_scale, ChartError, Drawn, Format, Painter, Plot,
};
use crate::report::sweep_data::{MetricKind, MetricSpec, ParamKind, SweepData, SweptParam};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One figure of the sweep report.
#[derive(Clone, Copy, Debug)]
pub enum SweepFigure {
    /// The metric's mean and 95 % band against each swept parameter.
    Metric(MetricSpec),
    /// The metric's mean over the two parameters of a 2-D sweep.
    Heatmap(MetricSpec),
}

/// The figures `data` supports, in report order.
pub fn figures(data: &SweepData) -> Vec<SweepFigure> {
    if data.x_params().is_empty() {
        return Vec::new();
    }
    let shown = data.shown_metrics();
    let mut out: Vec<SweepFigure> = shown.iter().map(|m| SweepFigure::Metric(*m)).collect();
    if data.x_params().len() == 2 {
        let heat = [
            "time_pending_p95_seconds",
            "snapshot_duration_p95_seconds",
            "snapshot_duration_mean_seconds",
        ];
        if let Some(m) = heat
            .iter()
            .find_map(|name| shown.iter().find(|m| m.name == *name))
        {
            out.push(SweepFigure::Heatmap(*m));
        }
    }
    out
}

impl SweepFigure {
    /// File stem.
    pub fn stem(self) -> &'static str {
        match self {
            SweepFigure::Metric(m) => m.stem,
            SweepFigure::Heatmap(_) => "sweep-heatmap",
        }
    }

    /// Caption for the report.
    pub fn caption(self, data: &SweepData) -> String {
        match self {
            SweepFigure::Metric(m) => format!(
                "{} (`{}`) against each swept parameter: mean over replications (line) and its 95 % Student-t confidence interval (band){}.{}",
                m.label,
                m.name,
                if data.params.len() > 1 { ", one line per value of the other parameters" } else { "" },
                envelope_note(data, m)
            ),
            SweepFigure::Heatmap(m) => format!(
                "{} (`{}`), mean over replications, over the two swept parameters.{}",
                m.label,
                m.name,
                HeatmapGrid::of(data, m)
                    .and_then(|g| heatmap_note(&g, data, labelled(m, &g)))
                    .map(|n| format!(" {}: the cells carry colour only.", upper_first(&n)))
                    .unwrap_or_default()
            ),
        }
    }

    /// Size in pixels (PNG) and user units (SVG).
    pub fn size(self, data: &SweepData) -> (u32, u32) {
        match self {
            SweepFigure::Metric(_) => {
                let k = data.x_params().len().max(1) as u32;
                let (cols, rows) = (k.min(3), k.div_ceil(3));
                ((560 * cols).max(960), 440 * rows + 40)
            }
            SweepFigure::Heatmap(_) => (960, 560),
        }
    }

    /// Renders the figure.
    ///
    /// # Errors
    /// [`ChartError`] if the font cannot load or plotters fails.
    pub fn render(self, data: &SweepData, format: Format) -> Result<Vec<u8>, ChartError> {
        render(&(self, data), self.stem(), self.size(data), format)
    }
}

impl Painter for (SweepFigure, &SweepData) {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        root.fill(&WHITE).map_err(de)?;
        match self.0 {
            SweepFigure::Metric(m) => draw_metric_vs_parameters(root, self.1, m),
            SweepFigure::Heatmap(m) => super::sweep_heatmap::draw_heatmap(root, self.1, m),
        }
    }
}

/// The caption's sentence for panels drawn as an envelope (none when
/// every panel draws its lines one by one).
fn envelope_note(data: &SweepData, m: MetricSpec) -> String {
    let xs = data.x_params();
    let collapsed: Vec<String> = panel_modes(data, m)
        .into_iter()
        .zip(&xs)
        .filter_map(|(mode, &x)| match mode {
            LegendMode::Envelope { series } => {
                Some(format!("against `{}`, {series} lines", data.params[x].path))
            }
            LegendMode::PerSeries => None,
        })
        .collect();
    if collapsed.is_empty() {
        return String::new();
    }
    format!(
        " Panels of more than {MAX_LEGEND_SERIES} lines ({}) show their envelope instead: the median of the lines' means (line) and their min–max range (band), without the single lines' intervals; every point's mean and interval is in the tables above and in `points.csv`.",
        collapsed.join("; ")
    )
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Divisor and unit of an axis.
pub(super) struct AxisUnit {
    pub(super) div: f64,
    pub(super) unit: String,
}

pub(super) fn metric_unit(kind: MetricKind, max: f64) -> AxisUnit {
    let (div, unit) = match kind {
        MetricKind::Seconds => (time_scale(max).div, time_scale(max).unit),
        MetricKind::Bytes => (bytes_scale(max).div, bytes_scale(max).unit),
        MetricKind::Micros => (latency_scale(max).div, latency_scale(max).unit),
        MetricKind::Usd => (1.0, "USD"),
        MetricKind::Count => (1.0, ""),
    };
    AxisUnit {
        div,
        unit: unit.into(),
    }
}

fn param_unit(p: &SweptParam) -> AxisUnit {
    let max = p.xs.iter().copied().fold(0.0, f64::max);
    let (div, unit) = match p.kind {
        ParamKind::Frequency if max >= 10_000.0 => (1000.0, "thousand per s".to_string()),
        ParamKind::Frequency => (1.0, "per s".into()),
        ParamKind::Bandwidth => (bytes_scale(max).div, format!("{}/s", bytes_scale(max).unit)),
        ParamKind::Bytes => (bytes_scale(max).div, bytes_scale(max).unit.into()),
        ParamKind::Duration => (time_scale(max).div, time_scale(max).unit.into()),
        ParamKind::Number | ParamKind::Category => (1.0, String::new()),
    };
    AxisUnit { div, unit }
}

pub(super) fn with_unit(text: &str, unit: &str) -> String {
    if unit.is_empty() {
        text.to_string()
    } else {
        format!("{text} [{unit}]")
    }
}

/// Draws one panel per swept parameter of `m`'s mean and 95 % band.
pub(crate) fn draw_metric_vs_parameters<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &SweepData,
    m: MetricSpec,
) -> Drawn {
    let area = root
        .titled(
            &format!("{}: mean and 95 % CI — {}", m.label, data.scenario),
            ("sans-serif", 20),
        )
        .map_err(de)?;
    let xs = data.x_params();
    let k = xs.len().max(1);
    let panels = area.split_evenly((k.div_ceil(3), k.min(3)));
    for (panel, &x) in panels.iter().zip(&xs) {
        draw_panel(panel, data, m, x)?;
    }
    Ok(())
}

/// One line of a panel: its label and (x, mean, low, high) per point.
type Line = (String, Vec<(f64, f64, f64, f64)>);

fn lines(data: &SweepData, m: MetricSpec, x: usize) -> Vec<Line> {
    let others = data.others(x);
    let mut out: Vec<(Vec<serde_json::Value>, Line)> = Vec::new();
    for p in &data.points {
        let (Some(s), Some(px)) = (p.metrics.get(m.name), data.params[x].x_of(&p.values[x])) else {
            continue;
        };
        let key: Vec<serde_json::Value> = others.iter().map(|&i| p.values[i].clone()).collect();
        let point = (
            px,
            s.mean,
            s.low.unwrap_or(s.mean),
            s.high.unwrap_or(s.mean),
        );
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, (_, pts))) => pts.push(point),
            None => {
                let label = others
                    .iter()
                    .map(|&i| {
                        format!(
                            "{} = {}",
                            data.params[i].short(),
                            p.values[i]
                                .as_str()
                                .map_or_else(|| p.values[i].to_string(), str::to_string)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let label = if label.is_empty() {
                    "mean".to_string()
                } else {
                    label
                };
                out.push((key, (label, vec![point])));
            }
        }
    }
    let mut out: Vec<Line> = out.into_iter().map(|(_, l)| l).collect();
    for (_, pts) in &mut out {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Most x-bins a panel line keeps: a one-parameter sweep of 10,000 values
/// draws at most `4 × LINE_BINS` points per line and band edge (see
/// [`thin`]), the same picture at a panel's few hundred pixels.
const LINE_BINS: usize = 300;

/// What a panel draws: each line as it is, or their envelope.
enum Drawing {
    Lines(Vec<Line>),
    Envelope {
        series: usize,
        points: Vec<EnvelopePoint>,
    },
}

impl Drawing {
    fn of(lines: Vec<Line>) -> Drawing {
        match legend_mode(lines.len()) {
            LegendMode::PerSeries => Drawing::Lines(lines),
            LegendMode::Envelope { series } => {
                let means: Vec<Vec<(f64, f64)>> = lines
                    .iter()
                    .map(|(_, pts)| pts.iter().map(|p| (p.0, p.1)).collect())
                    .collect();
                Drawing::Envelope {
                    series,
                    points: envelope(&means),
                }
            }
        }
    }

    /// Largest value drawn.
    fn ymax(&self) -> f64 {
        match self {
            Drawing::Lines(lines) => lines
                .iter()
                .flat_map(|(_, pts)| pts.iter().map(|p| p.3.max(p.1)))
                .fold(0.0, f64::max),
            Drawing::Envelope { points, .. } => points.iter().map(|p| p.3).fold(0.0, f64::max),
        }
    }

    /// Legend rows.
    fn legend_rows(&self) -> usize {
        match self {
            Drawing::Lines(lines) => lines.len() + 1,
            Drawing::Envelope { .. } => 2,
        }
    }
}

/// The legend mode of each panel of `m`'s figure, in
/// [`SweepData::x_params`] order: what [`SweepFigure::render`] draws.
pub fn panel_modes(data: &SweepData, m: MetricSpec) -> Vec<LegendMode> {
    data.x_params()
        .into_iter()
        .map(|x| legend_mode(lines(data, m, x).len()))
        .collect()
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &SweepData,
    m: MetricSpec,
    x: usize,
) -> Drawn {
    let param = &data.params[x];
    let drawing = Drawing::of(lines(data, m, x));
    let ymax = drawing.ymax();
    let yu = metric_unit(m.kind, ymax);
    let xu = param_unit(param);
    let (lo, hi) = param
        .xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let pad = ((hi - lo) * 0.05).max(if param.kind == ParamKind::Category {
        0.5
    } else {
        1e-9
    });
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(
            (lo - pad) / xu.div..(hi + pad) / xu.div,
            // Room above the data for the legend (a row per entry).
            0.0..headroom(ymax) * (1.0 + 0.08 * drawing.legend_rows() as f64) / yu.div,
        )
        .map_err(de)?;
    let category = param.kind == ParamKind::Category;
    let labels: Vec<String> = (0..param.values.len()).map(|i| param.label(i)).collect();
    let (axis_px, _) = chart.plotting_area().dim_in_pixel();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let stride = tick_stride(labels.len(), f64::from(axis_px), longest, 12.0);
    let x_fmt = |v: &f64| {
        if category {
            let i = v.round();
            if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) % stride == 0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        } else {
            tidy(*v)
        }
    };
    chart
        .configure_mesh()
        .x_desc(with_unit(&param.path, &xu.unit))
        .y_desc(with_unit(m.label, &yu.unit))
        .x_labels(if category { labels.len() * 2 + 1 } else { 8 })
        .light_line_style(BLACK.mix(0.05))
        .bold_line_style(BLACK.mix(0.12))
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 12))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| tidy(*y))
        .draw()
        .map_err(de)?;
    let scale = |pts: &[(f64, f64)]| -> Vec<(f64, f64)> {
        thin(pts, LINE_BINS)
            .iter()
            .map(|p| (p.0 / xu.div, p.1 / yu.div))
            .collect()
    };
    let grey = BLACK.mix(0.15);
    match &drawing {
        Drawing::Lines(lines) => {
            for (i, (label, pts)) in lines.iter().enumerate() {
                let edge = |f: fn(&(f64, f64, f64, f64)) -> f64| -> Vec<(f64, f64)> {
                    scale(&pts.iter().map(|p| (p.0, f(p))).collect::<Vec<_>>())
                };
                band(&mut chart, &edge(|p| p.3), &edge(|p| p.2), colour(i))?;
                styled_line(&mut chart, &edge(|p| p.1), i, label)?;
            }
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(de)?
                .label("95 % confidence interval")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], grey.filled()));
        }
        Drawing::Envelope { series, points } => {
            let edge = |f: fn(&EnvelopePoint) -> f64| -> Vec<(f64, f64)> {
                scale(&points.iter().map(|p| (p.0, f(p))).collect::<Vec<_>>())
            };
            let c = colour(0);
            band(&mut chart, &edge(|p| p.3), &edge(|p| p.1), c)?;
            styled_line(
                &mut chart,
                &edge(|p| p.2),
                0,
                &format!("{series} series: median of their means"),
            )?;
            chart
                .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
                .map_err(de)?
                .label(format!(
                    "{series} series: envelope (min–max of their means)"
                ))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], c.mix(0.18).filled())
                });
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

/// A shaded band between `upper` and `lower` (chart coordinates, each in
/// ascending x) in a light tint of `c`.
fn band<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    upper: &[(f64, f64)],
    lower: &[(f64, f64)],
    c: RGBColor,
) -> Drawn {
    let mut outline = upper.to_vec();
    outline.extend(lower.iter().rev());
    chart
        .draw_series(std::iter::once(Polygon::new(outline, c.mix(0.18).filled())))
        .map(|_| ())
        .map_err(de)
}
