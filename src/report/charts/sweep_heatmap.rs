//! The sweep heatmap: a metric's mean over the two parameters of a
//! two-dimensional sweep, one cell per point with its value written in it,
//! coloured on the viridis scale (perceptually uniform, colour-blind safe)
//! with a colour bar.
//!
//! At scale ([`super::sweep_layout`]): cells too small for their text keep
//! only their colour, and a side of more than 60 values is drawn in blocks
//! of consecutive values, each cell the mean of its points, so a
//! 100 × 100 sweep is 2,500 cells (a 250 KB SVG), not 10,000 unreadable
//! ones; a note under the title says which, and that every value is in
//! `points.csv`.

use super::sweep::{metric_unit, with_unit, AxisUnit};
use super::sweep_layout::{block_size, cell_labels_fit, tick_stride, CELL_FONT_PX};
use super::{de, tidy, Drawn};
use crate::report::sweep_data::{MetricSpec, SweepData, SweptParam};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Viridis (perceptually uniform, colour-blind safe) at `t` in 0..=1.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let f = t * 4.0;
    let k = (f.floor() as usize).min(3);
    let u = f - k as f64;
    let (a, b) = (STOPS[k], STOPS[k + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The heatmap's cells: the grid of the two swept parameters, in blocks of
/// consecutive values when a side has more than
/// [`MAX_CELLS_PER_SIDE`](super::sweep_layout::MAX_CELLS_PER_SIDE) values.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatmapGrid {
    /// Indices of the two parameters in [`SweepData::params`] (x, y).
    pub params: (usize, usize),
    /// Values of each parameter per cell (1 when not aggregated).
    pub block: (usize, usize),
    /// Cells along x and y.
    pub size: (usize, usize),
    /// (column, row, value): the mean of `m`'s point means over the
    /// block's points that have it; cells without any are absent.
    pub cells: Vec<(usize, usize, f64)>,
}

impl HeatmapGrid {
    /// The grid of `m` over the first two parameters of
    /// [`SweepData::x_params`], or `None` for fewer than two.
    pub fn of(data: &SweepData, m: MetricSpec) -> Option<HeatmapGrid> {
        let xs = data.x_params();
        let (&a, &b) = (xs.first()?, xs.get(1)?);
        let (pa, pb) = (&data.params[a], &data.params[b]);
        let block = (block_size(pa.values.len()), block_size(pb.values.len()));
        let size = (
            pa.values.len().div_ceil(block.0),
            pb.values.len().div_ceil(block.1),
        );
        // (sum, count) per cell, row-major.
        let mut acc = vec![(0.0, 0usize); size.0 * size.1];
        for p in &data.points {
            let (Some(i), Some(j), Some(s)) = (
                pa.values.iter().position(|v| *v == p.values[a]),
                pb.values.iter().position(|v| *v == p.values[b]),
                p.metrics.get(m.name),
            ) else {
                continue;
            };
            let c = &mut acc[(j / block.1) * size.0 + i / block.0];
            c.0 += s.mean;
            c.1 += 1;
        }
        let cells = acc
            .iter()
            .enumerate()
            .filter(|(_, c)| c.1 > 0)
            .map(|(k, c)| (k % size.0, k / size.0, c.0 / c.1 as f64))
            .collect();
        Some(HeatmapGrid {
            params: (a, b),
            block,
            size,
            cells,
        })
    }

    /// Whether cells stand for more than one point.
    pub fn aggregated(&self) -> bool {
        self.block != (1, 1)
    }
}

/// The heatmap's plot area in pixels at its figure size (960 × 560): the
/// main part (84 % of the width) less its margins (2 × 12), the y label
/// area (90), the x label area (44) and the title (about 30). The caption
/// and the drawing decide from this one estimate, so they agree.
const PLOT_PX: (f64, f64) = (960.0 * 0.84 - 24.0 - 90.0, 560.0 - 30.0 - 24.0 - 44.0);

/// Whether the cells of `grid` get their value written in them: not when
/// they are blocks of points, nor when the longest value does not fit a
/// cell ([`cell_labels_fit`]).
pub fn labelled(m: MetricSpec, grid: &HeatmapGrid) -> bool {
    let vmax = grid
        .cells
        .iter()
        .map(|c| c.2)
        .fold(f64::NEG_INFINITY, f64::max);
    let yu = metric_unit(m.kind, if vmax.is_finite() { vmax } else { 1.0 });
    let longest = grid
        .cells
        .iter()
        .map(|c| cell_text(c.2, &yu).chars().count())
        .max()
        .unwrap_or(1);
    let cell = (
        PLOT_PX.0 / grid.size.0.max(1) as f64,
        PLOT_PX.1 / grid.size.1.max(1) as f64,
    );
    !grid.aggregated() && cell_labels_fit(cell, longest)
}

/// A cell's value as written in it (three significant digits and unit).
fn cell_text(v: f64, yu: &AxisUnit) -> String {
    format!("{} {}", tidy(sig3(v / yu.div)), yu.unit)
}

/// Axis description: the path, and how many values a cell holds.
fn axis_desc(p: &SweptParam, block: usize) -> String {
    if block > 1 {
        format!("{} ({block} values per cell, the first labelled)", p.path)
    } else {
        p.path.clone()
    }
}

/// Draws `m`'s mean over the two swept parameters as coloured cells with a
/// colour bar on the right. Each cell's value is written in it when it
/// fits ([`cell_labels_fit`]); otherwise, and when the grid is drawn in
/// blocks, a line under the title says so and where the values are.
pub(crate) fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &SweepData,
    m: MetricSpec,
) -> Drawn {
    let Some(grid) = HeatmapGrid::of(data, m) else {
        return Ok(());
    };
    let (pa, pb) = (&data.params[grid.params.0], &data.params[grid.params.1]);
    let (vmin, vmax) = grid
        .cells
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), c| {
            (l.min(c.2), h.max(c.2))
        });
    let (vmin, vmax) = if vmin.is_finite() {
        (vmin, vmax)
    } else {
        (0.0, 1.0)
    };
    let span = if vmax > vmin { vmax - vmin } else { 1.0 };
    let yu = metric_unit(m.kind, vmax);
    let area = root
        .titled(
            &format!("{}: mean over the grid — {}", m.short, data.scenario),
            ("sans-serif", 20),
        )
        .map_err(de)?;
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w * 84 / 100);
    let (nx, ny) = grid.size;
    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..nx as f64 - 0.5, -0.5..ny as f64 - 0.5)
        .map_err(de)?;
    let (px, py) = chart.plotting_area().dim_in_pixel();
    let labelled = labelled(m, &grid);
    let stride = |p: &SweptParam, block: usize, axis_px: u32, vertical: bool| {
        let chars = (0..p.values.len())
            .map(|i| p.label(i).chars().count())
            .max()
            .unwrap_or(1);
        // Vertical axes stack labels: each needs a line, not its width.
        let chars = if vertical { 2 } else { chars };
        tick_stride(
            p.values.len().div_ceil(block),
            f64::from(axis_px),
            chars,
            13.0,
        )
    };
    let (sx, sy) = (
        stride(pa, grid.block.0, px, false),
        stride(pb, grid.block.1, py, true),
    );
    let label_of = |p: &SweptParam, block: usize, stride: usize, v: f64| {
        let i = v.round();
        let first = i as usize * block;
        if (v - i).abs() < 1e-6 && i >= 0.0 && first < p.values.len() && (i as usize) % stride == 0
        {
            p.label(first)
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(axis_desc(pa, grid.block.0))
        .y_desc(axis_desc(pb, grid.block.1))
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 13))
        .x_label_formatter(&|v| label_of(pa, grid.block.0, sx, *v))
        .y_label_formatter(&|v| label_of(pb, grid.block.1, sy, *v))
        .draw()
        .map_err(de)?;
    chart
        .draw_series(grid.cells.iter().map(|&(i, j, v)| {
            let (x, y) = (i as f64, j as f64);
            Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                viridis((v - vmin) / span).filled(),
            )
        }))
        .map_err(de)?;
    if labelled {
        for &(i, j, v) in &grid.cells {
            let ink = if (v - vmin) / span > 0.55 {
                BLACK
            } else {
                WHITE
            };
            let style = TextStyle::from(("sans-serif", CELL_FONT_PX))
                .color(&ink)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(
                    cell_text(v, &yu),
                    (i as f64, j as f64),
                    style,
                )))
                .map_err(de)?;
        }
    }
    if let Some(note) = note(&grid, data, labelled) {
        main.draw(&Text::new(
            note,
            (12, 0),
            TextStyle::from(("sans-serif", 12)).color(&BLACK.mix(0.75)),
        ))
        .map_err(de)?;
    }
    draw_colour_bar(&bar, vmin, vmin + span, &yu, m)
}

/// The line under the title when cells do not show their values: why, and
/// where the values are.
pub fn note(grid: &HeatmapGrid, data: &SweepData, labelled: bool) -> Option<String> {
    let (a, b) = grid.params;
    if grid.aggregated() {
        Some(format!(
            "{} × {} points drawn as {} × {} cells, each the mean of up to {} × {} points; every point is in points.csv",
            data.params[a].values.len(),
            data.params[b].values.len(),
            grid.size.0,
            grid.size.1,
            grid.block.0,
            grid.block.1
        ))
    } else if !labelled {
        Some("cells too small for their values: see the report's tables or points.csv".into())
    } else {
        None
    }
}

/// `x` to three significant digits.
fn sig3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let p = 10f64.powi(2 - x.abs().log10().floor() as i32);
    (x * p).round() / p
}

fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    yu: &AxisUnit,
    m: MetricSpec,
) -> Drawn {
    let mut chart = ChartBuilder::on(area)
        .margin_top(12)
        .margin_bottom(56)
        .margin_right(8)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, lo / yu.div..hi / yu.div)
        .map_err(de)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_desc(with_unit(m.short, &yu.unit))
        .axis_desc_style(("sans-serif", 13))
        .label_style(("sans-serif", 12))
        .y_label_formatter(&|y| tidy(sig3(*y)))
        .draw()
        .map_err(de)?;
    const STEPS: usize = 64;
    let h = (hi - lo) / yu.div / STEPS as f64;
    chart
        .draw_series((0..STEPS).map(|k| {
            let y0 = lo / yu.div + k as f64 * h;
            Rectangle::new(
                [(0.0, y0), (1.0, y0 + h)],
                viridis((k as f64 + 0.5) / STEPS as f64).filled(),
            )
        }))
        .map(|_| ())
        .map_err(de)
}
