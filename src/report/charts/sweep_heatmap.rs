//! The sweep heatmap: a metric's mean over the two parameters of a
//! two-dimensional sweep, one cell per point with its value written in it,
//! coloured on the viridis scale (perceptually uniform, colour-blind safe)
//! with a colour bar.

use super::sweep::{metric_unit, with_unit, AxisUnit};
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

/// Draws `m`'s mean over the two swept parameters as coloured cells, with
/// each cell's value written in it and a colour bar on the right.
pub(crate) fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &SweepData,
    m: MetricSpec,
) -> Drawn {
    let xs = data.x_params();
    let (Some(&a), Some(&b)) = (xs.first(), xs.get(1)) else {
        return Ok(());
    };
    let (pa, pb) = (&data.params[a], &data.params[b]);
    let cells: Vec<(usize, usize, f64)> = data
        .points
        .iter()
        .filter_map(|p| {
            let i = pa.values.iter().position(|v| *v == p.values[a])?;
            let j = pb.values.iter().position(|v| *v == p.values[b])?;
            Some((i, j, p.metrics.get(m.name)?.mean))
        })
        .collect();
    let (vmin, vmax) = cells
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
            &format!("{}: mean over the grid — {}", m.label, data.scenario),
            ("sans-serif", 20),
        )
        .map_err(de)?;
    let (w, _) = area.dim_in_pixel();
    let (main, bar) = area.split_horizontally(w * 84 / 100);
    let (na, nb) = (pa.values.len(), pb.values.len());
    let mut chart = ChartBuilder::on(&main)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(90)
        .build_cartesian_2d(-0.5..na as f64 - 0.5, -0.5..nb as f64 - 0.5)
        .map_err(de)?;
    let label_of = |p: &SweptParam, v: f64| {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < p.values.len() {
            p.label(i as usize)
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(&pa.path)
        .y_desc(&pb.path)
        .x_labels(na * 2 + 1)
        .y_labels(nb * 2 + 1)
        .axis_desc_style(("sans-serif", 14))
        .label_style(("sans-serif", 13))
        .x_label_formatter(&|v| label_of(pa, *v))
        .y_label_formatter(&|v| label_of(pb, *v))
        .draw()
        .map_err(de)?;
    for &(i, j, v) in &cells {
        let t = (v - vmin) / span;
        let (x, y) = (i as f64, j as f64);
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                viridis(t).filled(),
            )))
            .map_err(de)?;
        let ink = if t > 0.55 { BLACK } else { WHITE };
        let style = TextStyle::from(("sans-serif", 15))
            .color(&ink)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let text = format!("{} {}", tidy(sig3(v / yu.div)), yu.unit);
        chart
            .draw_series(std::iter::once(Text::new(text, (x, y), style)))
            .map_err(de)?;
    }
    draw_colour_bar(&bar, vmin, vmin + span, &yu, m)
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
        .y_desc(with_unit(m.label, &yu.unit))
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
