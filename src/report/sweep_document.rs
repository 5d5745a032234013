//! The sweep report (`sweep-report.html`, `sweep-report.md`) and its
//! charts, built from the bytes of `sweep.json` alone, so a sweep, a resumed
//! sweep and a merge of shards write the same report byte for byte. Same
//! style as the run report ([`super::markup`]): scenario, swept parameters
//! and replication policy, a table per shown metric, the charts, and the
//! commands that reproduce the sweep. No wall-clock data.
//!
//! Numbers in the tables are `sweep.json`'s, printed with
//! [`report_number`] (six significant digits), beside a human form.
//!
//! At scale the report stays a page one can read and load: a sweep of more
//! than [`MAX_TABLE_ROWS`] points gets, per metric, a sentence on the
//! spread over all points and the extremes only, with a link to the
//! `points.csv` written beside it; long value lists are shortened. The
//! charts keep their own limits (`charts::sweep_envelope`,
//! `charts::sweep_layout`).

use super::charts::sweep::{figures, SweepFigure};
use super::charts::Format;
use super::markup::{to_html, to_markdown, Block};
use super::sweep_data::{MetricKind, MetricSpec, PointData, SweepData, SweptParam};
use super::table::{human_bytes, human_seconds};
use super::ReportError;
use crate::report::data::LoadError;
use serde_json::Value;

/// Names of the report files (the charts come on top).
pub const REPORT_FILES: [&str; 2] = ["sweep-report.html", "sweep-report.md"];

/// A number as the sweep report prints it: six significant digits, no
/// trailing zeros (`3504.12`, `0.0412346`, `120000000000`); below 1e-4 in
/// scientific notation (`2.76700e-12` → `2.767e-12`).
pub fn report_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{}", if x == 0.0 { 0.0 } else { x });
    }
    if x.abs() < 1e-4 {
        let s = format!("{x:.5e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exp}");
    }
    let decimals = (5 - x.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Charts (`<stem>.svg`, `<stem>.png`) and the sweep report from the final
/// files of a sweep given as (name, bytes); only `sweep.json` is read.
///
/// # Errors
/// [`ReportError::Load`] if `sweep.json` is missing or malformed,
/// [`ReportError::Chart`] if a chart cannot be drawn.
pub fn sweep_report_files(
    files: &[(String, Vec<u8>)],
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let bytes = files
        .iter()
        .find(|(n, _)| n == "sweep.json")
        .map(|(_, b)| b)
        .ok_or_else(|| LoadError::Corrupt {
            file: "sweep.json".into(),
            message: "not among the sweep's final files".into(),
        })?;
    let data = SweepData::parse(bytes)?;
    let mut out = Vec::new();
    let mut charts = Vec::new();
    for fig in figures(&data) {
        let svg = fig.render(&data, Format::Svg)?;
        let png = fig.render(&data, Format::Png)?;
        charts.push((fig, String::from_utf8_lossy(&svg).into_owned()));
        out.push((format!("{}.svg", fig.stem()), svg));
        out.push((format!("{}.png", fig.stem()), png));
    }
    let blocks = blocks(&data, charts);
    let title = format!("Sweep report: {}", data.scenario);
    out.push((
        REPORT_FILES[0].into(),
        to_html(&title, &blocks).into_bytes(),
    ));
    out.push((REPORT_FILES[1].into(), to_markdown(&blocks).into_bytes()));
    Ok(out)
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "-".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn human(kind: MetricKind, x: f64) -> String {
    match kind {
        MetricKind::Seconds => human_seconds(x),
        MetricKind::Bytes => human_bytes(x),
        MetricKind::Usd => format!("${x:.2}"),
        MetricKind::Micros if x >= 1000.0 => format!("{:.2} ms", x / 1000.0),
        MetricKind::Micros => format!("{x:.0} µs"),
        MetricKind::Count => format!("{x:.1}"),
    }
}

fn unit(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Seconds => "s",
        MetricKind::Bytes => "B",
        MetricKind::Usd => "USD",
        MetricKind::Micros => "µs",
        MetricKind::Count => "count",
    }
}

/// The report's blocks; `charts` are the figures with their SVG text.
fn blocks(data: &SweepData, charts: Vec<(SweepFigure, String)>) -> Vec<Block> {
    let d = &data.doc;
    let mut b = vec![Block::Heading(
        1,
        format!("Sweep report: {}", data.scenario),
    )];
    if !data.description.is_empty() {
        b.push(Block::Para(data.description.clone()));
    }
    b.push(Block::Para(format!(
        "{} points · {} runs ({} failed) · base seed {} · scenario hash `{}` · snapsim {} (sweep schema {})",
        text(d.get("points_total")),
        text(d.get("runs")),
        text(d.get("failed_runs")),
        text(d.get("base_seed")),
        text(d.get("scenario_hash")),
        text(d.get("snapsim_version")),
        text(d.get("schema_version")),
    )));
    b.push(Block::Heading(2, "Swept parameters".into()));
    b.push(Block::Table(
        vec!["parameter".into(), "axis".into(), "values".into()],
        data.params
            .iter()
            .map(|p| vec![format!("`{}`", p.path), p.axis.clone(), value_list(p)])
            .collect(),
    ));
    b.push(Block::Para(
        "`grid` parameters form a cartesian product (the first varies slowest); `zip` \
         parameters move in lock-step."
            .into(),
    ));
    b.push(Block::Heading(2, "Replications".into()));
    b.push(Block::Para(replication_text(d.get("replications"))));
    b.push(Block::Para(format!(
        "Seeds: {}. Intervals are 95 % Student-t confidence intervals of the mean over the \
         replications of a point (none below two values).",
        text(d.get("seed_rule"))
    )));
    b.push(Block::Heading(2, "Results".into()));
    b.push(Block::Para(
        "Per point: n (runs with a value), mean ± 95 % half-width in the metric's base unit \
         (six significant digits, from `sweep.json`), the mean in human units, min and max. \
         Every metric of every point is in `points.csv` and `sweep.json`."
            .into(),
    ));
    if data.points.len() > MAX_TABLE_ROWS {
        b.push(Block::Para(format!(
            "{} points, more than the {MAX_TABLE_ROWS} a readable table holds: each table below \
             shows the {EXTREME_ROWS} points with the largest mean and the {EXTREME_ROWS} with \
             the smallest, largest first. The full table is in [points.csv](points.csv), beside \
             this report.",
            data.points.len()
        )));
    }
    for m in data.shown_metrics() {
        metric_table(&mut b, data, m);
    }
    if !charts.is_empty() {
        b.push(Block::Heading(2, "Charts".into()));
        for (fig, svg) in charts {
            b.push(Block::Chart {
                stem: fig.stem().to_string(),
                caption: fig.caption(data),
                svg,
            });
        }
    }
    reproduce(&mut b, data);
    b
}

fn replication_text(r: Option<&Value>) -> String {
    let Some(r) = r else { return "-".into() };
    if let Some(n) = r.get("fixed") {
        return format!("A fixed {} replications per point.", text(Some(n)));
    }
    let until = r.get("until");
    let relative = until
        .and_then(|u| u.get("relative"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    format!(
        "Sequential: each point is replicated in rounds of {} runs until the 95 % half-width of \
         `{}` is at most {}{}, at most {} runs.",
        text(r.get("round")),
        text(until.and_then(|u| u.get("metric"))),
        text(until.and_then(|u| u.get("half_width"))),
        if relative { " times |mean|" } else { "" },
        text(r.get("max")),
    )
}

fn metric_table(b: &mut Vec<Block>, data: &SweepData, m: MetricSpec) {
    b.push(Block::Heading(3, format!("{} (`{}`)", m.label, m.name)));
    let mut header = vec!["point".to_string()];
    header.extend(data.params.iter().map(|p| format!("`{}`", p.short())));
    let u = unit(m.kind);
    header.extend([
        "n".to_string(),
        format!("mean ± 95 % half-width [{u}]"),
        "mean".into(),
        format!("min [{u}]"),
        format!("max [{u}]"),
    ]);
    let shown = table_points(data, m);
    let capped = shown.len() < data.points.len();
    if capped {
        b.push(Block::Para(spread(data, m)));
    }
    let mut rows: Vec<Vec<String>> = shown
        .into_iter()
        .map(|p| {
            let mut row = vec![p.point.to_string()];
            row.extend(p.values.iter().map(|v| text(Some(v))));
            match p.metrics.get(m.name) {
                None => row.extend(["0", "-", "-", "-", "-"].map(String::from)),
                Some(s) => row.extend([
                    s.n.to_string(),
                    match s.half_width {
                        Some(h) => format!("{} ± {}", report_number(s.mean), report_number(h)),
                        None => report_number(s.mean),
                    },
                    human(m.kind, s.mean),
                    report_number(s.min),
                    report_number(s.max),
                ]),
            }
            row
        })
        .collect();
    if capped && rows.len() == 2 * EXTREME_ROWS {
        // Between the largest and the smallest: the points left out.
        rows.insert(EXTREME_ROWS, vec!["…".to_string(); header.len()]);
    }
    b.push(Block::Table(header, rows));
}

/// Most rows of a metric's table: a sweep of more points gets the
/// [`EXTREME_ROWS`] largest and smallest instead. 200 rows of eight
/// metrics keep the HTML report near 1 MB; a 10,000-point table would be
/// 2 MB per metric and unreadable anyway.
pub const MAX_TABLE_ROWS: usize = 200;

/// Rows at each end (largest, smallest mean) of a capped table.
pub const EXTREME_ROWS: usize = 20;

/// Most values listed per swept parameter; a longer list shows its first
/// and last few and the count (every value is in `sweep.json`).
pub const MAX_LISTED_VALUES: usize = 20;

/// A parameter's values as the parameters table lists them.
fn value_list(p: &SweptParam) -> String {
    let n = p.values.len();
    let labels = |r: std::ops::Range<usize>| r.map(|i| p.label(i)).collect::<Vec<_>>().join(", ");
    if n <= MAX_LISTED_VALUES {
        labels(0..n)
    } else {
        format!("{}, …, {} ({n} values)", labels(0..5), labels(n - 5..n))
    }
}

/// The points a metric's table lists: all of them up to
/// [`MAX_TABLE_ROWS`], else the [`EXTREME_ROWS`] with the largest mean
/// and those with the smallest, largest first (ties by point), each once.
pub fn table_points(data: &SweepData, m: MetricSpec) -> Vec<&PointData> {
    if data.points.len() <= MAX_TABLE_ROWS {
        return data.points.iter().collect();
    }
    let mut with: Vec<(&PointData, f64)> = data
        .points
        .iter()
        .filter_map(|p| Some((p, p.metrics.get(m.name)?.mean)))
        .collect();
    with.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.point.cmp(&b.0.point)));
    if with.len() > 2 * EXTREME_ROWS {
        with.drain(EXTREME_ROWS..with.len() - EXTREME_ROWS);
    }
    with.into_iter().map(|(p, _)| p).collect()
}

/// One sentence on a metric over all points, for a capped table: how many
/// have it and the smallest, median and largest of their means.
fn spread(data: &SweepData, m: MetricSpec) -> String {
    let mut means: Vec<f64> = data
        .points
        .iter()
        .filter_map(|p| p.metrics.get(m.name).map(|s| s.mean))
        .collect();
    means.sort_by(f64::total_cmp);
    let Some((&lo, &hi)) = means.first().zip(means.last()) else {
        return format!("No point of the {} has a value.", data.points.len());
    };
    let mid = means[means.len() / 2];
    format!(
        "{} of {} points have a value; their means run from {} to {} (median {}). Below: the \
         {EXTREME_ROWS} largest and the {EXTREME_ROWS} smallest; every point in \
         [points.csv](points.csv).",
        means.len(),
        data.points.len(),
        human(m.kind, lo),
        human(m.kind, hi),
        human(m.kind, mid),
    )
}

fn reproduce(b: &mut Vec<Block>, data: &SweepData) {
    let name = &data.scenario;
    b.push(Block::Heading(2, "Reproduce".into()));
    b.push(Block::Para(format!(
        "The sweep is deterministic: any thread count, any split into shards and any resume \
         give byte-identical files, this report included. So the report quotes no single \
         command line (a merge of shards has none); with the scenario file as `SCENARIO.json` \
         (for the bundled scenario `{name}`, `scenarios/{name}.json`) and any output folder \
         `DIR`:"
    )));
    b.push(Block::Code(
        "snapsim sweep SCENARIO.json --out DIR\n\
         \n\
         # or in shards (e.g. on 4 machines), then merged into the same files:\n\
         for i in 0 1 2 3; do snapsim sweep SCENARIO.json --shard $i/4 --out sweep/shard-$i; done\n\
         snapsim merge --out DIR sweep/shard-0 sweep/shard-1 sweep/shard-2 sweep/shard-3\n\
         \n\
         # or on Slurm: a job array of 4 shards, then a merge job (writes sweep/merged)\n\
         deploy/slurm/submit.sh SCENARIO.json sweep 4"
            .into(),
    ));
}

#[cfg(test)]
mod tests {
    use super::report_number;

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(report_number(3504.123456), "3504.12");
        assert_eq!(report_number(0.041234567), "0.0412346");
        assert_eq!(report_number(120_000_000_000.0), "120000000000");
        assert_eq!(report_number(2.0), "2");
        assert_eq!(report_number(0.0), "0");
        assert_eq!(report_number(-1.5), "-1.5");
        assert_eq!(report_number(2.767e-12), "2.767e-12");
    }
}
