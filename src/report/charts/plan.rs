//! The chart of `snapsim plan`: the target metric's mean with its
//! confidence interval (error bars) at every evaluated value of the
//! parameter, each point coloured by its decision (holds, fails,
//! undecided), the target as a horizontal dashed line, the interval of the
//! switch point shaded and the answer as a vertical line.

use super::sweep::{metric_unit, with_unit};
use super::tornado::metric_kind;
use super::{colour, de, legend, marker_shape, render, tidy, ChartError, Drawn, Format, Painter};
use crate::goal::{Decision, Goal, Outcome};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The plan chart of one outcome.
pub struct PlanChart<'a> {
    /// The goal.
    pub goal: &'a Goal,
    /// Its outcome.
    pub outcome: &'a Outcome,
}

/// Colour of a decision: holds bluish green, fails vermillion, undecided
/// grey.
fn decision_colour(d: Decision) -> RGBColor {
    match d {
        Decision::Holds => colour(2),
        Decision::Fails => colour(1),
        Decision::Undecided => RGBColor(120, 120, 120),
    }
}

impl PlanChart<'_> {
    /// Renders the chart (900 × 560).
    ///
    /// # Errors
    /// [`ChartError`] if the font cannot load or plotters fails.
    pub fn render(&self, format: Format) -> Result<Vec<u8>, ChartError> {
        render(self, "plan", (900, 560), format)
    }
}

impl Painter for PlanChart<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        root.fill(&WHITE).map_err(de)?;
        let (g, o) = (self.goal, self.outcome);
        let metric = g.target.metric.as_str();
        let ys: Vec<f64> = o
            .points
            .iter()
            .flat_map(|p| [p.mean, p.low, p.high])
            .flatten()
            .chain([g.target.value])
            .collect();
        let ymin = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let ymax = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let unit = metric_unit(metric_kind(metric), ymin.abs().max(ymax.abs()));
        let span = (ymax - ymin).max(ymax.abs() * 0.02).max(1e-9);
        // Room above for the legend.
        let (y0, y1) = (
            (ymin - span * 0.08) / unit.div,
            (ymax + span * 0.45) / unit.div,
        );
        let xpad = (g.hi - g.lo) * 0.04;
        let (x0, x1) = (g.lo - xpad, g.hi + xpad);
        let area = root
            .titled(
                &format!("{}: find {} — {}", g.target.text(), g.path, g.name),
                ("sans-serif", 18),
            )
            .map_err(de)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc(with_unit(&g.path.to_string(), &g.unit))
            .y_desc(with_unit(
                &format!("{metric}: mean, {} % CI", tidy(g.confidence * 100.0)),
                &unit.unit,
            ))
            .light_line_style(BLACK.mix(0.05))
            .bold_line_style(BLACK.mix(0.12))
            .axis_desc_style(("sans-serif", 14))
            .label_style(("sans-serif", 12))
            .x_label_formatter(&|x| tidy(*x))
            .y_label_formatter(&|y| tidy(*y))
            .draw()
            .map_err(de)?;
        // The interval of the switch point, shaded, and the answer.
        if let (Some((a, b)), Some(ans)) = (o.interval(g), o.answer) {
            chart
                .draw_series([Rectangle::new(
                    [(a, y0), (b, y1)],
                    colour(0).mix(0.12).filled(),
                )])
                .map_err(de)?
                .label(format!(
                    "switch point interval [{}, {}]",
                    g.value_text(a),
                    g.value_text(b)
                ))
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour(0).mix(0.2).filled())
                });
            chart
                .draw_series([PathElement::new(
                    [(ans, y0), (ans, y1)],
                    colour(0).stroke_width(2),
                )])
                .map_err(de)?
                .label(format!("answer {}", g.value_text(ans)))
                .legend(|(x, y)| {
                    PathElement::new([(x, y), (x + 20, y)], colour(0).stroke_width(2))
                });
        }
        // The target.
        let t = g.target.value / unit.div;
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, t), (x1, t)],
                8,
                5,
                BLACK.stroke_width(2),
            ))
            .map_err(de)?
            .label(format!("target: {}", g.target.text()))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        // Every point: error bar and marker, coloured by decision.
        for d in [Decision::Holds, Decision::Fails, Decision::Undecided] {
            let c = decision_colour(d);
            let pts: Vec<_> = o.points.iter().filter(|p| p.decision == d).collect();
            for p in &pts {
                if let (Some(l), Some(h)) = (p.low, p.high) {
                    let (l, h) = (l / unit.div, h / unit.div);
                    let cap = (g.hi - g.lo) * 0.006;
                    chart
                        .draw_series([
                            PathElement::new([(p.x, l), (p.x, h)], c.stroke_width(2)),
                            PathElement::new([(p.x - cap, l), (p.x + cap, l)], c.stroke_width(2)),
                            PathElement::new([(p.x - cap, h), (p.x + cap, h)], c.stroke_width(2)),
                        ])
                        .map_err(de)?;
                }
            }
            let shape = match d {
                Decision::Holds => 0,
                Decision::Fails => 1,
                Decision::Undecided => 3,
            };
            let series = chart
                .draw_series(pts.iter().filter_map(|p| {
                    p.mean.map(|m| {
                        EmptyElement::at((p.x, m / unit.div))
                            + Polygon::new(marker_shape(shape), c.filled())
                    })
                }))
                .map_err(de)?;
            if !pts.is_empty() {
                series.label(d.as_str().to_string()).legend(move |(x, y)| {
                    EmptyElement::at((x + 10, y)) + Polygon::new(marker_shape(shape), c.filled())
                });
            }
        }
        // The legend on the side away from the answer.
        let left = o.answer.is_some_and(|a| a < (g.lo + g.hi) / 2.0);
        legend(
            &mut chart,
            if left {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::UpperLeft
            },
        )
    }
}
