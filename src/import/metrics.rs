//! CloudWatch output: `aws cloudwatch get-metric-data` and `aws cloudwatch
//! get-metric-statistics`, for the EBS metrics `VolumeWriteOps`,
//! `VolumeWriteBytes`, `VolumeReadOps` and `VolumeReadBytes` with the `Sum`
//! statistic (CloudWatch's definition for these four: the sum over the
//! period of the IOs completed, or of their bytes).
//!
//! **Which volume and metric a `get-metric-data` result is.** The output
//! carries no dimensions, only the query's `Id` and `Label`, so the query
//! must name them. Either form is accepted:
//! - a `Label` holding the volume id and the metric name as words, in any
//!   order: `"vol-0a1b2c3d4e5f60001 VolumeWriteBytes"` or
//!   `"VolumeWriteBytes vol-0a1b2c3d4e5f60001"`;
//! - else an `Id` `wo_`, `wb_`, `ro_` or `rb_` (write ops, write bytes, read
//!   ops, read bytes) followed by the volume id with `-` written `_`:
//!   `wb_vol_0a1b2c3d4e5f60001` (an `Id` must start with a lower-case
//!   letter and hold only letters, digits and `_`).
//!
//! A result for another EBS metric (`VolumeIdleTime`, …) is counted and
//! ignored. `get-metric-statistics` output (`{"Label", "Datapoints":
//! [{"Timestamp", "Sum", "Unit"}]}`) has no volume id at all: give it as
//! `--metrics vol-…=FILE`, or put the volume id in the file name
//! (`vol-0a1b2c3d4e5f60001.VolumeWriteOps.json`).
//!
//! **The period** is not in either output: it is the smallest spacing of
//! consecutive timestamps of any series (gaps are whole missing periods),
//! or `--period`. Each file (at most 256 MiB) is parsed through typed
//! visitors that fold every result into per-series sums as it is read
//! (never a `serde_json::Value` of the file), one file per thread, so
//! memory does not grow with the datapoints under the daily fit.

use super::input::{open, short, MAX_INPUT_BYTES};
use super::time::parse_iso8601;
use super::ImportError;
use crate::scenario::units::{number_text, MAX_FREQUENCY_PER_SEC};
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::PathBuf;

/// The four EBS metrics the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// `VolumeWriteOps` (count per period).
    WriteOps = 0,
    /// `VolumeWriteBytes` (bytes per period).
    WriteBytes = 1,
    /// `VolumeReadOps`.
    ReadOps = 2,
    /// `VolumeReadBytes`.
    ReadBytes = 3,
}

impl Metric {
    const ALL: [Metric; 4] = [
        Metric::WriteOps,
        Metric::WriteBytes,
        Metric::ReadOps,
        Metric::ReadBytes,
    ];

    /// CloudWatch's metric name.
    pub fn name(self) -> &'static str {
        match self {
            Metric::WriteOps => "VolumeWriteOps",
            Metric::WriteBytes => "VolumeWriteBytes",
            Metric::ReadOps => "VolumeReadOps",
            Metric::ReadBytes => "VolumeReadBytes",
        }
    }

    fn id_prefix(self) -> &'static str {
        match self {
            Metric::WriteOps => "wo_",
            Metric::WriteBytes => "wb_",
            Metric::ReadOps => "ro_",
            Metric::ReadBytes => "rb_",
        }
    }

    fn from_name(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    fn unit(self) -> &'static str {
        match self {
            Metric::WriteOps | Metric::ReadOps => "Count",
            Metric::WriteBytes | Metric::ReadBytes => "Bytes",
        }
    }
}

/// How the write rate over time becomes a scenario arrival process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fit {
    /// `{"daily": {"multipliers": [24]}}`: the mean rate of each hour of
    /// the day over the whole window (a typical day; day-to-day and weekly
    /// differences are averaged away). Memory independent of the window.
    Daily,
    /// `{"steps": […]}`: one step per metric period, the recorded rate
    /// replayed period by period.
    Steps,
}

/// One metrics file as given to `--metrics`: a path, and for
/// `get-metric-statistics` output the volume it is about.
#[derive(Clone, Debug)]
pub struct MetricsFile {
    /// The file.
    pub path: PathBuf,
    /// From `vol-…=FILE`.
    pub volume: Option<String>,
}

impl MetricsFile {
    /// Parses a `--metrics` argument: `FILE` or `vol-…=FILE`.
    pub fn parse(arg: &str) -> MetricsFile {
        match arg.split_once('=') {
            Some((v, p)) if v.starts_with("vol-") => MetricsFile {
                path: PathBuf::from(p),
                volume: Some(v.to_string()),
            },
            _ => MetricsFile {
                path: PathBuf::from(arg),
                volume: None,
            },
        }
    }
}

/// Most datapoints kept in memory under the steps fit (16 B each): 50 M,
/// 800 MB. The daily fit keeps 24 sums per series whatever the window.
pub const MAX_STEP_POINTS: u64 = 50_000_000;

/// What one series (one volume, one metric) added up to.
#[derive(Clone, Debug, Default)]
pub struct SeriesAgg {
    /// Datapoints.
    pub count: u64,
    /// Datapoints whose value is 0.
    pub zeros: u64,
    /// Sum of the values.
    pub sum: f64,
    /// Sum of the values by UTC hour of the day of their timestamp.
    pub hour_sum: [f64; 24],
    /// Datapoints by UTC hour of the day.
    pub hour_count: [u32; 24],
    /// (timestamp [s], value), steps fit only.
    pub points: Vec<(i64, f64)>,
    /// (first, last timestamp [s], where) of each result or file, to find
    /// a period given twice across pages.
    chunks: Vec<(i64, i64, String)>,
}

impl SeriesAgg {
    fn merge(&mut self, o: SeriesAgg) {
        self.count += o.count;
        self.zeros += o.zeros;
        self.sum += o.sum;
        for h in 0..24 {
            self.hour_sum[h] += o.hour_sum[h];
            self.hour_count[h] += o.hour_count[h];
        }
        self.points.extend(o.points);
        self.chunks.extend(o.chunks);
    }
}

/// Everything read from the metrics files.
#[derive(Debug, Default)]
pub struct Collected {
    /// Per inventory volume, per [`Metric`] (index `Metric as usize`).
    pub series: Vec<[SeriesAgg; 4]>,
    /// Earliest and latest timestamp [s].
    pub span: Option<(i64, i64)>,
    /// Smallest spacing of consecutive timestamps of one series [s].
    pub min_spacing: Option<i64>,
    /// Files read.
    pub files: usize,
    /// Results / datapoint lists read.
    pub results: usize,
    /// Datapoints read.
    pub datapoints: u64,
    /// Results for other metrics, by metric name: count.
    pub ignored: Vec<(String, usize)>,
}

impl Collected {
    fn new(volumes: usize) -> Collected {
        Collected {
            series: vec![Default::default(); volumes],
            ..Collected::default()
        }
    }

    fn merge(&mut self, o: Collected) {
        for (a, b) in self.series.iter_mut().zip(o.series) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        self.span = match (self.span, o.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (x, None) => x,
            (None, y) => y,
        };
        self.min_spacing = match (self.min_spacing, o.min_spacing) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (x, None) => x,
            (None, y) => y,
        };
        self.files += o.files;
        self.results += o.results;
        self.datapoints += o.datapoints;
        for (name, n) in o.ignored {
            match self.ignored.iter_mut().find(|(k, _)| *k == name) {
                Some((_, m)) => *m += n,
                None => self.ignored.push((name, n)),
            }
        }
    }

    /// Adds one list of datapoints of `metric` for volume `vol`.
    fn add(
        &mut self,
        vol: usize,
        metric: Metric,
        mut pts: Vec<(i64, f64)>,
        keep: bool,
        file: &str,
        at: &str,
    ) -> Result<(), ImportError> {
        self.results += 1;
        if pts.is_empty() {
            return Ok(());
        }
        pts.sort_by_key(|p| p.0);
        for w in pts.windows(2) {
            let d = w[1].0 - w[0].0;
            if d == 0 {
                return Err(ImportError::input(
                    file,
                    at,
                    super::time::format_rfc3339(w[0].0 * 1000),
                    "the same timestamp is given twice in one series",
                    "give each period once (save each page of the output once)",
                ));
            }
            self.min_spacing = Some(self.min_spacing.map_or(d, |m| m.min(d)));
        }
        let (first, last) = (pts[0].0, pts[pts.len() - 1].0);
        self.span = Some(
            self.span
                .map_or((first, last), |(a, b)| (a.min(first), b.max(last))),
        );
        self.datapoints += pts.len() as u64;
        let s = &mut self.series[vol][metric as usize];
        s.chunks.push((first, last, format!("{file} {at}")));
        for &(t, v) in &pts {
            s.count += 1;
            if v == 0.0 {
                s.zeros += 1;
            }
            s.sum += v;
            let h = t.div_euclid(3600).rem_euclid(24) as usize;
            s.hour_sum[h] += v;
            s.hour_count[h] += 1;
        }
        if keep {
            s.points.extend(pts);
        }
        Ok(())
    }
}

/// Reads every metrics file (in parallel, merged in the order given).
///
/// # Errors
/// The file, JSON path, value and fix of the first problem, in file order.
pub fn read(
    files: &[MetricsFile],
    ids: &HashMap<String, usize>,
    volumes: usize,
    fit: Fit,
) -> Result<Collected, ImportError> {
    // A few files at a time (one per thread), merged in the order given:
    // the sums are the same whatever the thread count, and only a few
    // files' aggregates are alive at once.
    let mut all = Collected::new(volumes);
    let batch = rayon::current_num_threads().max(1);
    for chunk in files.chunks(batch) {
        let parts: Vec<Result<Collected, ImportError>> = chunk
            .par_iter()
            .map(|f| read_file(f, ids, volumes, fit))
            .collect();
        for p in parts {
            all.merge(p?);
        }
    }
    if fit == Fit::Steps {
        let kept: u64 = all
            .series
            .iter()
            .flat_map(|s| s.iter())
            .map(|s| s.points.len() as u64)
            .sum();
        if kept > MAX_STEP_POINTS {
            return Err(ImportError::Options {
                problem: format!("--fit steps keeps every datapoint in memory, and the metrics hold {kept}, more than the limit of {MAX_STEP_POINTS}"),
                fix: "use --fit daily (24 hourly rates per volume), or import a shorter window".into(),
            });
        }
    }
    // A period given in two pages (the same Id saved twice).
    let mut names = vec![String::new(); volumes];
    for (id, &i) in ids {
        names[i].clone_from(id);
    }
    for (v, per) in all.series.iter_mut().enumerate() {
        for (m, s) in per.iter_mut().enumerate() {
            s.chunks.sort_by_key(|c| c.0);
            for w in s.chunks.windows(2) {
                if w[1].0 <= w[0].1 {
                    return Err(ImportError::input(
                        w[1].2.split(' ').next().unwrap_or(""),
                        w[1].2.split_once(' ').map_or("", |x| x.1),
                        format!("{} to {}", super::time::format_rfc3339(w[1].0 * 1000), super::time::format_rfc3339(w[1].1 * 1000)),
                        format!("{} of volume {} overlaps the datapoints at {} in time", Metric::ALL[m].name(), names[v], w[0].2),
                        "give each page of the output once; pages of one query never repeat a period",
                    ));
                }
            }
        }
    }
    Ok(all)
}

/// The state of one file's parse, shared by the nested visitors.
struct Ctx<'a> {
    file: String,
    hint: Option<String>,
    ids: &'a HashMap<String, usize>,
    keep: bool,
    out: RefCell<Collected>,
    error: RefCell<Option<ImportError>>,
    /// The JSON path being read, for serde's own type errors.
    at: RefCell<String>,
}

impl Ctx<'_> {
    fn fail<E: de::Error>(&self, e: ImportError) -> E {
        *self.error.borrow_mut() = Some(e);
        E::custom("import error")
    }

    fn volume(&self, id: &str, at: &str, value: &str) -> Result<usize, ImportError> {
        self.ids.get(id).copied().ok_or_else(|| {
            ImportError::input(
                &self.file,
                at,
                value,
                format!("metrics for volume {id}, which is not in the inventory (--volumes)"),
                "add the describe-volumes page that lists it, or leave its metrics out",
            )
        })
    }
}

fn read_file(
    f: &MetricsFile,
    ids: &HashMap<String, usize>,
    volumes: usize,
    fit: Fit,
) -> Result<Collected, ImportError> {
    let file = f.path.display().to_string();
    let handle = open(&f.path)?;
    let hint = f.volume.clone().or_else(|| {
        f.path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(volume_token)
    });
    let ctx = Ctx {
        file: file.clone(),
        hint,
        ids,
        keep: fit == Fit::Steps,
        out: RefCell::new(Collected::new(volumes)),
        error: RefCell::new(None),
        at: RefCell::new("(top level)".into()),
    };
    // The whole file (at most MAX_INPUT_BYTES, checked before reading),
    // parsed from memory: twice as fast as from a reader, and still into
    // typed visitors that keep only the aggregates.
    let mut bytes = Vec::new();
    BufReader::new(handle.take(MAX_INPUT_BYTES + 1))
        .read_to_end(&mut bytes)
        .map_err(|cause| ImportError::Read {
            file: file.clone(),
            cause,
        })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let r = TopSeed(&ctx).deserialize(&mut de).and_then(|()| de.end());
    drop(bytes);
    if let Some(e) = ctx.error.borrow_mut().take() {
        return Err(e);
    }
    match r {
        Ok(()) => {
            let mut out = ctx.out.into_inner();
            out.files = 1;
            Ok(out)
        }
        Err(e) if e.is_io() => Err(ImportError::Read {
            file,
            cause: std::io::Error::other(e.to_string()),
        }),
        Err(e) if e.is_data() => Err(ImportError::input(
            &file,
            &ctx.at.borrow(),
            format!("line {}, column {}", e.line(), e.column()),
            e.to_string(),
            "give --metrics the unmodified output of `aws cloudwatch get-metric-data` or `get-metric-statistics` (--output json)",
        )),
        Err(e) => Err(super::input::not_json(&file, &e)),
    }
}

/// The first `vol-<hex>` word of a file name or label.
fn volume_token(s: &str) -> Option<String> {
    let i = s.find("vol-")?;
    let rest = &s[i + 4..];
    let n = rest
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(rest.len());
    (n > 0).then(|| format!("vol-{}", &rest[..n]))
}

/// What a `get-metric-data` result is about, from its `Label` or `Id`.
enum Identity {
    Ours(String, Metric),
    Other(String),
}

fn identify(id: Option<&str>, label: Option<&str>) -> Option<Identity> {
    if let Some(l) = label {
        let words: Vec<&str> = l.split_whitespace().collect();
        let vol = words.iter().find_map(|w| volume_token(w));
        let metric = words.iter().find_map(|w| Metric::from_name(w));
        match (vol, metric) {
            (Some(v), Some(m)) => return Some(Identity::Ours(v, m)),
            (Some(_), None) => {
                if let Some(w) = words.iter().find(|w| w.starts_with("Volume")) {
                    return Some(Identity::Other((*w).to_string()));
                }
            }
            _ => {}
        }
    }
    let id = id?;
    Metric::ALL.into_iter().find_map(|m| {
        let hex = id.strip_prefix(m.id_prefix())?.strip_prefix("vol_")?;
        (!hex.is_empty() && hex.chars().all(|c| c.is_ascii_alphanumeric()))
            .then(|| Identity::Ours(format!("vol-{hex}"), m))
    })
}

struct TopSeed<'c, 'a>(&'c Ctx<'a>);

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the JSON object get-metric-data or get-metric-statistics prints")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0;
        let mut label: Option<String> = None;
        let mut datapoints: Option<Vec<(i64, Datapoint)>> = None;
        let mut seen_results = false;
        let mut keys: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            ctx.at.replace(key.clone());
            match key.as_str() {
                "MetricDataResults" => {
                    seen_results = true;
                    map.next_value_seed(ResultsSeed(ctx))?;
                }
                "Label" => label = Some(map.next_value()?),
                "Datapoints" => datapoints = Some(map.next_value_seed(DatapointsSeed(ctx))?),
                "Volumes" | "Reservations" | "Snapshots" | "Policy" | "Policies" => {
                    let cmd = match key.as_str() {
                        "Volumes" => "aws ec2 describe-volumes",
                        "Reservations" => "aws ec2 describe-instances",
                        "Snapshots" => "aws ec2 describe-snapshots",
                        _ => "aws dlm get-lifecycle-policy",
                    };
                    return Err(ctx.fail(ImportError::input(
                        &ctx.file,
                        "(top level)",
                        format!("\"{key}\""),
                        format!("this is not CloudWatch output: its top-level \"{key}\" makes it look like the output of `{cmd}`"),
                        "give --metrics the output of `aws cloudwatch get-metric-data` or `get-metric-statistics`",
                    )));
                }
                _ => {
                    keys.push(key);
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(points) = datapoints {
            let path = "Datapoints";
            let metric = label.as_deref().and_then(Metric::from_name);
            let Some(metric) = metric else {
                if label.as_deref().is_some_and(|l| l.starts_with("Volume")) {
                    ctx.out
                        .borrow_mut()
                        .merge_ignored(label.as_deref().unwrap_or(""));
                    return Ok(());
                }
                return Err(ctx.fail(ImportError::input(
                    &ctx.file,
                    "Label",
                    format!("{:?}", label.unwrap_or_default()),
                    "get-metric-statistics output for an unknown metric",
                    "query VolumeWriteOps, VolumeWriteBytes, VolumeReadOps or VolumeReadBytes",
                )));
            };
            let Some(vol_id) = ctx.hint.clone() else {
                return Err(ctx.fail(ImportError::input(
                    &ctx.file,
                    "(top level)",
                    "{\"Label\", \"Datapoints\"}",
                    "get-metric-statistics output does not say which volume it is about",
                    "give it as --metrics vol-0123456789abcdef0=FILE, or put the volume id in the file name (vol-0123456789abcdef0.VolumeWriteOps.json)",
                )));
            };
            let vol = ctx
                .volume(&vol_id, path, &vol_id)
                .map_err(|e| ctx.fail::<A::Error>(e))?;
            let mut pts = Vec::with_capacity(points.len());
            for (i, (t, dp)) in points.into_iter().enumerate() {
                let at = format!("Datapoints[{i}]");
                if let Some(u) = &dp.unit {
                    if u != metric.unit() {
                        return Err(ctx.fail(ImportError::input(
                            &ctx.file,
                            &format!("{at}.Unit"),
                            format!("\"{u}\""),
                            format!("{} is published in {}", metric.name(), metric.unit()),
                            "give the unmodified output, queried without --unit",
                        )));
                    }
                }
                let Some(sum) = dp.sum else {
                    return Err(ctx.fail(ImportError::input(
                        &ctx.file,
                        &format!("{at}.Sum"),
                        "(missing)",
                        "the datapoint has no Sum statistic; the importer needs the sum per period",
                        "query with --statistics Sum",
                    )));
                };
                if !(sum.is_finite() && sum >= 0.0) {
                    return Err(ctx.fail(ImportError::input(
                        &ctx.file,
                        &format!("{at}.Sum"),
                        number_text(sum),
                        "a sum of IOs or bytes is a number of at least 0",
                        "give the unmodified output",
                    )));
                }
                pts.push((t, sum));
            }
            let (file, keep) = (ctx.file.clone(), ctx.keep);
            ctx.out
                .borrow_mut()
                .add(vol, metric, pts, keep, &file, path)
                .map_err(|e| ctx.fail::<A::Error>(e))?;
        } else if !seen_results {
            return Err(ctx.fail(ImportError::input(
                &ctx.file,
                "(top level)",
                format!("keys {:?}", keys.iter().take(5).collect::<Vec<_>>()),
                "this is not CloudWatch output: it has neither \"MetricDataResults\" (get-metric-data) nor \"Datapoints\" (get-metric-statistics)",
                "give --metrics the output of `aws cloudwatch get-metric-data` or `get-metric-statistics` (--output json)",
            )));
        }
        Ok(())
    }
}

impl Collected {
    fn merge_ignored(&mut self, name: &str) {
        self.results += 1;
        match self.ignored.iter_mut().find(|(k, _)| k == name) {
            Some((_, n)) => *n += 1,
            None => self.ignored.push((name.to_string(), 1)),
        }
    }
}

struct ResultsSeed<'c, 'a>(&'c Ctx<'a>);

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of metric data results")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq.next_element_seed(ResultSeed(self.0, i))?.is_some() {
            i += 1;
        }
        Ok(())
    }
}

struct ResultSeed<'c, 'a>(&'c Ctx<'a>, usize);

impl<'de> DeserializeSeed<'de> for ResultSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a metric data result {\"Id\", \"Label\", \"Timestamps\", \"Values\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (ctx, i) = (self.0, self.1);
        let at = format!("MetricDataResults[{i}]");
        let mut id: Option<String> = None;
        let mut label: Option<String> = None;
        let mut stamps: Vec<i64> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let mut status: Option<String> = None;
        while let Some(key) = map.next_key::<String>()? {
            ctx.at.replace(format!("{at}.{key}"));
            match key.as_str() {
                "Id" => id = Some(map.next_value()?),
                "Label" => label = Some(map.next_value()?),
                "Timestamps" => {
                    stamps = map.next_value_seed(StampsSeed(ctx, &at))?;
                }
                "Values" => values = map.next_value()?,
                "StatusCode" => status = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(s) = &status {
            if s != "Complete" && s != "PartialData" {
                return Err(ctx.fail(ImportError::input(
                    &ctx.file,
                    &format!("{at}.StatusCode"),
                    format!("\"{s}\""),
                    "CloudWatch did not return this result (only Complete and PartialData carry data)",
                    "run the query again (InternalError) or fix its permissions (Forbidden), and save the new output",
                )));
            }
        }
        if stamps.len() != values.len() {
            return Err(ctx.fail(ImportError::input(
                &ctx.file,
                &format!("{at}.Values"),
                format!("{} values", values.len()),
                format!(
                    "the result has {} timestamps but {} values",
                    stamps.len(),
                    values.len()
                ),
                "give the unmodified output; Timestamps[k] and Values[k] belong together",
            )));
        }
        let who = match identify(id.as_deref(), label.as_deref()) {
            Some(Identity::Ours(v, m)) => (v, m),
            Some(Identity::Other(name)) => {
                ctx.out.borrow_mut().merge_ignored(&name);
                return Ok(());
            }
            None => {
                return Err(ctx.fail(ImportError::input(
                    &ctx.file,
                    &format!("{at}.Label"),
                    format!("Id {:?}, Label {:?}", id.unwrap_or_default(), label.unwrap_or_default()),
                    "cannot tell which volume and metric this result is: get-metric-data output carries only the query's Id and Label",
                    "name the query with a Label holding the volume id and the metric (\"vol-0123456789abcdef0 VolumeWriteBytes\"), or an Id wo_/wb_/ro_/rb_ plus the volume id (\"wb_vol_0123456789abcdef0\")",
                )));
            }
        };
        let vol = ctx
            .volume(&who.0, &format!("{at}.Label"), &who.0)
            .map_err(|e| ctx.fail::<A::Error>(e))?;
        let mut pts = Vec::with_capacity(values.len());
        for (k, (t, v)) in stamps.into_iter().zip(values).enumerate() {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ctx.fail(ImportError::input(
                    &ctx.file,
                    &format!("{at}.Values[{k}]"),
                    number_text(v),
                    "a sum of IOs or bytes is a number of at least 0",
                    "give the unmodified output",
                )));
            }
            pts.push((t, v));
        }
        let (file, keep) = (ctx.file.clone(), ctx.keep);
        ctx.out
            .borrow_mut()
            .add(vol, who.1, pts, keep, &file, &at)
            .map_err(|e| ctx.fail::<A::Error>(e))
    }
}

/// A list of ISO-8601 timestamps, parsed without allocating each string.
struct StampsSeed<'c, 'a, 'p>(&'c Ctx<'a>, &'p str);

impl<'de> DeserializeSeed<'de> for StampsSeed<'_, '_, '_> {
    type Value = Vec<i64>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<i64>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StampsSeed<'_, '_, '_> {
    type Value = Vec<i64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of timestamps")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(t) = seq.next_element_seed(Stamp)? {
            match t {
                Ok(ms) => out.push(ms.div_euclid(1000)),
                Err((text, why)) => {
                    return Err(self.0.fail(ImportError::input(
                        &self.0.file,
                        &format!("{}.Timestamps[{}]", self.1, out.len()),
                        format!("\"{text}\""),
                        why,
                        "give the unmodified output (the CLI prints 2026-11-01T00:05:00+00:00)",
                    )))
                }
            }
        }
        Ok(out)
    }
}

/// One timestamp: parsed, or the text and why not.
struct Stamp;

impl<'de> DeserializeSeed<'de> for Stamp {
    type Value = Result<i64, (String, String)>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Stamp {
    type Value = Result<i64, (String, String)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO-8601 timestamp string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(parse_iso8601(v).map_err(|why| (v.to_string(), why)))
    }
}

/// One datapoint of `get-metric-statistics`.
struct Datapoint {
    sum: Option<f64>,
    unit: Option<String>,
}

struct DatapointsSeed<'c, 'a>(&'c Ctx<'a>);

impl<'de> DeserializeSeed<'de> for DatapointsSeed<'_, '_> {
    type Value = Vec<(i64, Datapoint)>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let raw: Vec<serde_json::Value> = serde::Deserialize::deserialize(d)?;
        let ctx = self.0;
        let mut out = Vec::with_capacity(raw.len());
        for (i, v) in raw.into_iter().enumerate() {
            let at = format!("Datapoints[{i}].Timestamp");
            let t = v.get("Timestamp").and_then(|t| t.as_str()).ok_or_else(|| {
                ctx.fail::<D::Error>(ImportError::input(
                    &ctx.file,
                    &at,
                    v.get("Timestamp").map_or("(missing)".into(), short),
                    "every datapoint needs a Timestamp string",
                    "give the unmodified output",
                ))
            })?;
            let ms = parse_iso8601(t).map_err(|why| {
                ctx.fail::<D::Error>(ImportError::input(
                    &ctx.file,
                    &at,
                    format!("\"{t}\""),
                    why,
                    "give the unmodified output",
                ))
            })?;
            let sum = match v.get("Sum") {
                None => None,
                Some(s) => Some(s.as_f64().ok_or_else(|| {
                    ctx.fail::<D::Error>(ImportError::input(
                        &ctx.file,
                        &format!("Datapoints[{i}].Sum"),
                        short(s),
                        "Sum must be a number",
                        "give the unmodified output",
                    ))
                })?),
            };
            let unit = v.get("Unit").and_then(|u| u.as_str()).map(str::to_string);
            out.push((ms.div_euclid(1000), Datapoint { sum, unit }));
        }
        Ok(out)
    }
}

/// The metrics of one volume (or group), fitted to the scenario window.
#[derive(Clone, Debug, Default)]
pub struct Fitted {
    /// Mean write rate over the observed periods [writes/s].
    pub write_rate: f64,
    /// Mean write size: write bytes ÷ write ops over the window [B].
    pub write_size: f64,
    /// Write rate by hour of the simulated day (hour 0 starts at the
    /// scenario's start) [writes/s]; daily fit.
    pub hourly: [f64; 24],
    /// Write rate per period from the start [writes/s]; steps fit.
    pub steps: Vec<f64>,
    /// Mean read rate [reads/s] and read bandwidth [B/s] (reported only).
    pub read_rate: f64,
    /// Mean read bandwidth [B/s].
    pub read_bytes_rate: f64,
    /// Write-ops periods with a datapoint, missing (gaps) and zero.
    pub present: u64,
    /// Missing write-ops periods in the window.
    pub gaps: u64,
    /// Write-ops periods whose value is 0.
    pub zeros: u64,
    /// Whether the volume has write metrics at all.
    pub has_writes: bool,
    /// Total write ops and bytes over the window (their datapoints).
    pub total_ops: f64,
    /// Total write bytes.
    pub total_bytes: f64,
}

/// The scenario window the metrics cover.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Start [s since the epoch].
    pub start: i64,
    /// Periods in the window.
    pub periods: u64,
    /// Metric period [s].
    pub period: i64,
}

impl Window {
    /// Length [s].
    pub fn seconds(&self) -> i64 {
        self.periods as i64 * self.period
    }
}

/// The window of the collected metrics: from the first period (the start
/// of its hour under the daily fit) to the end of the last.
///
/// # Errors
/// No period can be found, or the daily fit's period does not divide an
/// hour.
pub fn window(c: &Collected, period: Option<i64>, fit: Fit) -> Result<Option<Window>, ImportError> {
    let Some((first, last)) = c.span else {
        return Ok(None);
    };
    let period = match period.or(c.min_spacing) {
        Some(p) => p,
        None => {
            return Err(ImportError::Options {
                problem: "every metric series has a single datapoint, so the metric period cannot be found from the spacing of the timestamps".into(),
                fix: "give it with --period, e.g. --period 300s".into(),
            })
        }
    };
    if fit == Fit::Daily && (period > 3600 || 3600 % period != 0) {
        return Err(ImportError::Options {
            problem: format!("the metric period is {period} s, which does not divide an hour, so hourly rates of a daily profile cannot be formed"),
            fix: "query a period of 60, 300, 600, 900, 1800 or 3600 s, or use --fit steps".into(),
        });
    }
    let start = if fit == Fit::Daily {
        first.div_euclid(3600) * 3600
    } else {
        first
    };
    let periods = ((last + period - start) as u64).div_ceil(period as u64);
    Ok(Some(Window {
        start,
        periods,
        period,
    }))
}

/// Fits one volume's series to the window (see [`Fit`]).
///
/// Gaps (periods without a datapoint) are left out of the means: the
/// daily fit's hourly rate is the mean of the periods observed in that
/// hour of the day, and the steps fit fills a gap with the volume's mean
/// rate. Zero datapoints are real idle periods and count as 0.
pub fn fit(s: &[SeriesAgg; 4], w: &Window, fit: Fit) -> Fitted {
    let ops = &s[Metric::WriteOps as usize];
    let bytes = &s[Metric::WriteBytes as usize];
    let p = w.period as f64;
    let mut f = Fitted {
        has_writes: ops.count > 0,
        present: ops.count,
        gaps: w.periods.saturating_sub(ops.count),
        zeros: ops.zeros,
        total_ops: ops.sum,
        total_bytes: bytes.sum,
        ..Fitted::default()
    };
    let rate = |a: &SeriesAgg| {
        if a.count == 0 {
            0.0
        } else {
            a.sum / (a.count as f64 * p)
        }
    };
    f.write_rate = rate(ops);
    f.write_size = if ops.sum > 0.0 {
        bytes.sum / ops.sum
    } else {
        0.0
    };
    f.read_rate = rate(&s[Metric::ReadOps as usize]);
    f.read_bytes_rate = rate(&s[Metric::ReadBytes as usize]);
    match fit {
        Fit::Daily => {
            let start_hour = w.start.div_euclid(3600).rem_euclid(24) as usize;
            for k in 0..24 {
                let u = (k + start_hour) % 24;
                f.hourly[k] = if ops.hour_count[u] == 0 {
                    f.write_rate
                } else {
                    ops.hour_sum[u] / (f64::from(ops.hour_count[u]) * p)
                };
            }
        }
        Fit::Steps => {
            let mut steps = vec![f64::NAN; w.periods as usize];
            for &(t, v) in &ops.points {
                let k = (t - w.start).div_euclid(w.period);
                if let Some(x) = usize::try_from(k).ok().and_then(|k| steps.get_mut(k)) {
                    *x = v / p;
                }
            }
            for x in &mut steps {
                if x.is_nan() {
                    *x = f.write_rate;
                }
            }
            f.steps = steps;
        }
    }
    f
}

/// The members' mean: what a `count` entry of them gets per volume.
pub fn mean(members: &[&Fitted]) -> Fitted {
    let n = members.len().max(1) as f64;
    let mut m = Fitted::default();
    let len = members.iter().map(|f| f.steps.len()).max().unwrap_or(0);
    m.steps = vec![0.0; len];
    for f in members {
        m.write_rate += f.write_rate / n;
        m.read_rate += f.read_rate / n;
        m.read_bytes_rate += f.read_bytes_rate / n;
        for k in 0..24 {
            m.hourly[k] += f.hourly[k] / n;
        }
        for (a, b) in m.steps.iter_mut().zip(&f.steps) {
            *a += b / n;
        }
        m.total_ops += f.total_ops;
        m.total_bytes += f.total_bytes;
        m.present += f.present;
        m.gaps += f.gaps;
        m.zeros += f.zeros;
        m.has_writes |= f.has_writes;
    }
    m.write_size = if m.total_ops > 0.0 {
        m.total_bytes / m.total_ops
    } else {
        0.0
    };
    m
}

/// Checks that no volume's fitted write rate (its highest hourly mean or
/// period) is beyond the scenario format's limit of
/// [`MAX_FREQUENCY_PER_SEC`]: such a rate is not a real volume's (the
/// fastest serves 256,000 IOPS) but a wrong metric or unit, and is refused
/// here, at the file and result it came from, not by the scenario loader.
///
/// # Errors
/// [`ImportError::Input`] at the volume's first `VolumeWriteOps` result,
/// the rate in [`number_text`]'s short form.
pub fn check_rates(c: &Collected, fitted: &[Fitted], ids: &[String]) -> Result<(), ImportError> {
    for (v, f) in fitted.iter().enumerate() {
        if !f.has_writes {
            continue;
        }
        let peak = f
            .hourly
            .iter()
            .chain(&f.steps)
            .copied()
            .fold(f.write_rate, f64::max);
        // NaN-safe: an overflowing sum is infinite, and fails too.
        if peak <= MAX_FREQUENCY_PER_SEC && peak.is_finite() {
            continue;
        }
        let ops = &c.series[v][Metric::WriteOps as usize];
        let at = ops
            .chunks
            .iter()
            .min_by_key(|c| c.0)
            .map_or("", |c| c.2.as_str());
        let (file, path) = at.split_once(' ').unwrap_or((at, ""));
        return Err(ImportError::input(
            file,
            path,
            format!("{}/s", number_text(peak)),
            format!("the VolumeWriteOps sums of volume {} give a write rate of up to {}/s (sum per period ÷ period), more than the scenario format's limit of 10,000,000/s (the fastest EBS volume serves 256,000 IOPS)", ids[v], number_text(peak)),
            "check that the result is the volume's VolumeWriteOps with the Sum statistic (not VolumeWriteBytes or another metric) and that the values are unmodified",
        ));
    }
    Ok(())
}

/// Checks that every volume with one write metric has the other.
///
/// # Errors
/// [`ImportError::Options`] naming the volume and the missing metric.
pub fn check_pairs(c: &Collected, ids: &[String]) -> Result<(), ImportError> {
    for (v, s) in c.series.iter().enumerate() {
        let (o, b) = (
            s[Metric::WriteOps as usize].count,
            s[Metric::WriteBytes as usize].count,
        );
        if (o > 0) != (b > 0) {
            let (has, lacks) = if o > 0 {
                ("VolumeWriteOps", "VolumeWriteBytes")
            } else {
                ("VolumeWriteBytes", "VolumeWriteOps")
            };
            return Err(ImportError::Options {
                problem: format!("volume {} has {has} but no {lacks}: the write rate needs the ops and the write size needs both", ids[v]),
                fix: format!("add the {lacks} query for it (Sum, same period) to the metrics files, or leave both out"),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_ids() {
        let ours = |id: Option<&str>, l: Option<&str>| match identify(id, l) {
            Some(Identity::Ours(v, m)) => Some((v, m)),
            _ => None,
        };
        assert_eq!(
            ours(None, Some("vol-0abc VolumeWriteBytes")),
            Some(("vol-0abc".into(), Metric::WriteBytes))
        );
        assert_eq!(
            ours(Some("x"), Some("VolumeWriteOps vol-0abc")),
            Some(("vol-0abc".into(), Metric::WriteOps))
        );
        assert_eq!(
            ours(Some("rb_vol_0abc"), Some("VolumeReadBytes")),
            Some(("vol-0abc".into(), Metric::ReadBytes))
        );
        assert!(ours(Some("m1"), Some("VolumeWriteOps")).is_none());
        assert!(matches!(
            identify(None, Some("vol-0abc VolumeIdleTime")),
            Some(Identity::Other(n)) if n == "VolumeIdleTime"
        ));
        assert_eq!(
            volume_token("vol-0abc.VolumeWriteOps.json").as_deref(),
            Some("vol-0abc")
        );
    }
}
