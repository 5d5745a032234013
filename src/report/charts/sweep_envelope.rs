//! How a sweep panel shows many lines: the decision ([`legend_mode`]) and
//! the envelope it falls back to ([`envelope`]). Pure functions of the
//! lines' numbers, so tests check the decision without counting pixels.
//!
//! Why an envelope and not small multiples: a panel has one line per
//! combination of the *other* parameters' values, so a 40 × 30 grid puts
//! 30 lines in one panel and 40 in the other. Facets would mean 30 to 40
//! postage stamps per figure, each too small to read and all alike; the
//! envelope keeps one readable panel per parameter and still answers the
//! planner's question there ("how much does the metric move with this
//! parameter, and how far apart do the other parameters push it?"). Every
//! single line is still in the heatmap, in the report's tables and in
//! `points.csv`.

/// Most lines a panel draws one by one, each with its legend row. Beyond
/// 8 the legend (one 13 px row each) covers the top third of a 440 px
/// panel, and past the palette's 7 colours lines differ only by dash and
/// marker, which nobody can match against a legend of dozens of rows.
pub const MAX_LEGEND_SERIES: usize = 8;

/// How a panel draws its lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendMode {
    /// Every line with its 95 % band and a legend row.
    PerSeries,
    /// More lines than [`MAX_LEGEND_SERIES`]: their median (a line) and
    /// their min–max range (a band) at each parameter value, with a legend
    /// of two rows naming the count.
    Envelope {
        /// Number of lines summarised.
        series: usize,
    },
}

/// The mode for a panel of `series` lines.
pub fn legend_mode(series: usize) -> LegendMode {
    if series > MAX_LEGEND_SERIES {
        LegendMode::Envelope { series }
    } else {
        LegendMode::PerSeries
    }
}

/// One parameter value of an envelope: (x, min, median, max) of the
/// lines' means there.
pub type EnvelopePoint = (f64, f64, f64, f64);

/// The envelope of `lines`, each a list of (x, mean) points: at every x
/// some line has, the smallest, median (the mean of the middle two for an
/// even count) and largest mean, in ascending x. Non-finite means are
/// left out; an x with none left is dropped.
pub fn envelope(lines: &[Vec<(f64, f64)>]) -> Vec<EnvelopePoint> {
    let mut all: Vec<(f64, f64)> = lines
        .iter()
        .flatten()
        .copied()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = Vec::new();
    let mut start = 0;
    while start < all.len() {
        let x = all[start].0;
        let end = start + all[start..].partition_point(|p| p.0 == x);
        let ys: Vec<f64> = all[start..end].iter().map(|p| p.1).collect();
        let n = ys.len();
        let median = if n % 2 == 1 {
            ys[n / 2]
        } else {
            (ys[n / 2 - 1] + ys[n / 2]) / 2.0
        };
        out.push((x, ys[0], median, ys[n - 1]));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_eight_lines_collapse() {
        assert_eq!(legend_mode(1), LegendMode::PerSeries);
        assert_eq!(legend_mode(8), LegendMode::PerSeries);
        assert_eq!(legend_mode(9), LegendMode::Envelope { series: 9 });
    }

    #[test]
    fn envelope_takes_min_median_max_per_x() {
        let lines = vec![
            vec![(2.0, 5.0), (1.0, 1.0)],
            vec![(1.0, 3.0), (2.0, f64::NAN)],
            vec![(1.0, 2.0), (2.0, 7.0), (3.0, 4.0)],
            vec![(1.0, 10.0)],
        ];
        assert_eq!(
            envelope(&lines),
            vec![
                (1.0, 1.0, 2.5, 10.0),
                (2.0, 5.0, 6.0, 7.0),
                (3.0, 4.0, 4.0, 4.0)
            ]
        );
        assert!(envelope(&[]).is_empty());
    }
}
