//! The tornado chart of a sensitivity study: one horizontal bar per factor
//! from the metric's mean at the factor's low end to its mean at the high
//! end, largest swing on top, with the base value as a vertical line. A
//! factor with no effect is a zero-width bar (a tick at the base).

use super::sweep::{metric_unit, with_unit};
use super::{de, render, ChartError, Drawn, Format, Painter};
use crate::report::sweep_data::MetricKind;
use crate::sensitivity::effects::Effect;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The unit of a metric, from its name's suffix.
pub fn metric_kind(name: &str) -> MetricKind {
    if name.ends_with("_seconds") {
        MetricKind::Seconds
    } else if name.contains("_bytes") {
        MetricKind::Bytes
    } else if name.ends_with("_usd") {
        MetricKind::Usd
    } else if name.contains("_us_") {
        MetricKind::Micros
    } else {
        MetricKind::Count
    }
}

/// One metric's tornado: its effects, ranked.
pub struct Tornado<'a> {
    /// The metric.
    pub metric: &'a str,
    /// Its effects, largest |swing| first.
    pub effects: Vec<&'a Effect>,
    /// The scenario's name, for the title.
    pub scenario: &'a str,
}

impl Tornado<'_> {
    /// File stem: `tornado-<metric>`.
    pub fn stem(&self) -> String {
        format!("tornado-{}", self.metric)
    }

    /// Renders the chart.
    ///
    /// # Errors
    /// [`ChartError`] if the font cannot load or plotters fails.
    pub fn render(&self, format: Format) -> Result<Vec<u8>, ChartError> {
        let h = 140 + 56 * self.effects.len().max(1) as u32;
        let w = 900 + self.label_width() - MIN_LABEL_WIDTH;
        render(self, "tornado", (w, h), format)
    }

    /// Width of the factor labels' area [px]: room for the longest label
    /// (`volumes[0].performance.base_latency.lognormal.median` is 52
    /// characters) at about 7.5 px per character of the 14 px font, so no
    /// label is cut at the left edge; the chart widens by as much.
    fn label_width(&self) -> u32 {
        let chars = self
            .effects
            .iter()
            .map(|e| e.factor.chars().count())
            .max()
            .unwrap_or(0) as u32;
        (chars * 15 / 2 + 24).clamp(MIN_LABEL_WIDTH, 520)
    }
}

/// The factor labels' area when every label fits in it [px].
const MIN_LABEL_WIDTH: u32 = 230;

impl Painter for Tornado<'_> {
    fn paint<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        root.fill(&WHITE).map_err(de)?;
        let base = self.effects.iter().find_map(|e| e.base).unwrap_or(0.0);
        let values: Vec<f64> = self
            .effects
            .iter()
            .flat_map(|e| [e.low, e.high, e.base])
            .flatten()
            .collect();
        let lo = values.iter().copied().fold(base, f64::min);
        let hi = values.iter().copied().fold(base, f64::max);
        let unit = metric_unit(metric_kind(self.metric), lo.abs().max(hi.abs()));
        let pad = ((hi - lo) * 0.08).max(base.abs() * 0.05).max(1e-9);
        let (x0, x1) = ((lo - pad) / unit.div, (hi + pad) / unit.div);
        let n = self.effects.len().max(1);
        let area = root
            .titled(
                &format!("{}: one factor at a time — {}", self.metric, self.scenario),
                ("sans-serif", 20),
            )
            .map_err(de)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(self.label_width())
            .build_cartesian_2d(x0..x1, -0.5..n as f64 - 0.5)
            .map_err(de)?;
        let labels: Vec<String> = self.effects.iter().map(|e| e.factor.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(with_unit(
                &format!("{} (bar: low end … high end of the factor)", self.metric),
                &unit.unit,
            ))
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    // Largest swing on top.
                    labels[labels.len() - 1 - i as usize].clone()
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(de)?;
        for (k, e) in self.effects.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            let (Some(l), Some(h)) = (e.low, e.high) else {
                continue;
            };
            let (a, b) = (l / unit.div, h / unit.div);
            let (from, to) = if a <= b { (a, b) } else { (b, a) };
            // Low end in blue, high end in orange, split at the base.
            let mid = (base / unit.div).clamp(from, to);
            let low_colour = RGBColor(0, 114, 178);
            let high_colour = RGBColor(230, 159, 0);
            let (left, right) = if a <= b {
                (low_colour, high_colour)
            } else {
                (high_colour, low_colour)
            };
            chart
                .draw_series([
                    Rectangle::new([(from, y - 0.3), (mid, y + 0.3)], left.filled()),
                    Rectangle::new([(mid, y - 0.3), (to, y + 0.3)], right.filled()),
                ])
                .map_err(de)?;
            if from == to {
                chart
                    .draw_series([PathElement::new(
                        [(from, y - 0.35), (from, y + 0.35)],
                        BLACK.stroke_width(2),
                    )])
                    .map_err(de)?;
            }
        }
        chart
            .draw_series([PathElement::new(
                [(base / unit.div, -0.5), (base / unit.div, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )])
            .map_err(de)?
            .label("base (the scenario as given)")
            .legend(|(x, y)| PathElement::new([(x, y - 6), (x, y + 6)], BLACK));
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(de)?
            .label("factor at its low end")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 14, y + 5)],
                    RGBColor(0, 114, 178).filled(),
                )
            });
        chart
            .draw_series(std::iter::empty::<Rectangle<(f64, f64)>>())
            .map_err(de)?
            .label("factor at its high end")
            .legend(|(x, y)| {
                Rectangle::new(
                    [(x, y - 5), (x + 14, y + 5)],
                    RGBColor(230, 159, 0).filled(),
                )
            });
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .position(SeriesLabelPosition::LowerRight)
            .draw()
            .map_err(de)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(factor: &str) -> Effect {
        Effect {
            factor: factor.into(),
            metric: "m".into(),
            low_value: serde_json::Value::Null,
            high_value: serde_json::Value::Null,
            base: Some(1.0),
            low: Some(0.5),
            high: Some(2.0),
            swing: Some(1.5),
            runs: [1, 1, 1],
        }
    }

    /// Short labels keep the usual 900 px chart; a 52-character station
    /// factor gets room for 52 × 7.5 px and widens the chart by as much.
    #[test]
    fn long_factor_labels_get_room_instead_of_being_cut() {
        let short = effect("transfer.per_snapshot");
        let long = effect("volumes[0].performance.base_latency.lognormal.median");
        fn t<'a>(effects: Vec<&'a Effect>) -> Tornado<'a> {
            Tornado {
                metric: "m",
                effects,
                scenario: "s",
            }
        }
        assert_eq!(t(vec![&short]).label_width(), MIN_LABEL_WIDTH);
        let w = t(vec![&short, &long]).label_width();
        assert!(w >= 52 * 15 / 2, "{w}");
        assert!(w <= 520);
    }
}
