//! `snapsim plan`: the value of one scenario parameter at which a target
//! on a sweep metric switches from failing to holding ("the smallest pool
//! rate so that 99 % of snapshots finish within 4 h").
//!
//! A goal ([`Goal`]) is the base scenario, one parameter (a JSON path, as a
//! sweep names it) searched between two values, and a target
//! `METRIC OP VALUE` on the mean of a sweep metric over replications, held
//! at a confidence level. [`search`] runs it: both ends first, to learn the
//! direction, then bisection. At each candidate, replications run in rounds
//! until the Student-t interval of the metric's mean lies wholly on one
//! side of VALUE (the point holds or fails) or the per-point cap is reached
//! (undecided). Everything a run needs comes from the sweep machinery: a
//! candidate is a one-point sweep of the base scenario (so it is built and
//! validated exactly as a sweep point, with the same errors), replication
//! r uses the sweep's seed `derive_seed(base seed, "replication/r")` at
//! every candidate (common random numbers), a run is reduced to the sweep's
//! metrics row, and every finished run is appended, fsync'd, to the sweep
//! journal format (`runs.jsonl`), keyed by candidate value and replication,
//! so `--resume` runs nothing twice.
//!
//! Knows scenarios, the sweep and metrics; never the command line, files
//! other than the journal, or charts.

pub mod search;

pub use search::{search, Decision, Direction, Evaluated, GoalOptions, Outcome, Status};

use crate::scenario::json_path::JsonPath;
use crate::scenario::units::{parse_bandwidth, parse_bytes, parse_duration, parse_frequency};
use crate::scenario::{self, ScenarioError};
use crate::sweep::{Plan, SweepError};
use serde_json::{json, Value};

/// Runs per point unless `--max-runs` says otherwise.
pub const DEFAULT_MAX_RUNS: u32 = 30;
/// Runs added per round (the first round too), or the cap if lower.
pub const ROUND: u32 = 5;
/// Default confidence of the decisions.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// Default resolution: this share of HI − LO.
pub const DEFAULT_RESOLUTION_SHARE: f64 = 0.01;

/// Why a goal cannot be set up or run.
#[derive(Debug, thiserror::Error)]
pub enum GoalError {
    /// The base scenario is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A command-line argument is wrong; the message says how to fix it.
    #[error("{arg} {text}: {problem}")]
    Argument {
        /// The flag (`--find`, `--between`, …).
        arg: &'static str,
        /// The value as given.
        text: String,
        /// What is wrong, and the fix.
        problem: String,
    },
    /// A candidate scenario is refused as a sweep point would be.
    #[error("{path} = {value} is refused: {cause}")]
    Candidate {
        /// The parameter.
        path: String,
        /// The candidate value.
        value: String,
        /// The sweep's error.
        cause: Box<SweepError>,
    },
    /// The journal or the thread pool failed, or a resume does not match.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A run failed (refused by the model or crashed): no decision can be
    /// made on it.
    #[error("run {replication} at {path} = {value} failed: {error}; finished runs are kept in {out}/runs.jsonl: fix the cause and rerun with --resume")]
    RunFailed {
        /// The parameter.
        path: String,
        /// The candidate value.
        value: String,
        /// Replication index.
        replication: u32,
        /// The run's error.
        error: String,
        /// Output directory.
        out: String,
    },
}

impl GoalError {
    /// Whether the error is the user's input (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            GoalError::Sweep(e) => e.is_bad_input(),
            GoalError::RunFailed { .. } => false,
            _ => true,
        }
    }
}

/// The comparison of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Op {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// Whether `x OP value`.
    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Op::Lt => x < value,
            Op::Le => x <= value,
            Op::Gt => x > value,
            Op::Ge => x >= value,
        }
    }
}

/// `METRIC OP VALUE` on the metric's mean.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// A sweep metric (`metrics::run_metrics`).
    pub metric: String,
    /// The comparison.
    pub op: Op,
    /// The threshold, in the metric's unit (s, B, fraction, count).
    pub value: f64,
}

impl Target {
    /// As written: `fraction_completed_within_deadline >= 0.99`.
    pub fn text(&self) -> String {
        format!("{} {} {}", self.metric, self.op.as_str(), self.value)
    }

    /// Parses `METRIC OP VALUE` (spaces optional around OP). VALUE is a
    /// number, or for a `_seconds` metric a duration (`4h`), for a bytes
    /// metric a size (`1TiB`).
    ///
    /// # Errors
    /// [`GoalError::Argument`] naming `--target`.
    pub fn parse(text: &str) -> Result<Target, GoalError> {
        let bad = |problem: String| GoalError::Argument {
            arg: "--target",
            text: format!("'{text}'"),
            problem,
        };
        let form = "write 'METRIC OP VALUE' with OP one of <, <=, >, >=, e.g. 'fraction_completed_within_deadline >= 0.99'";
        let is_op = |c: char| matches!(c, '<' | '>' | '=' | '!');
        let start = text
            .find(is_op)
            .ok_or_else(|| bad(format!("no comparison found; {form}")))?;
        let metric = text[..start].trim();
        let rest = &text[start..];
        let end = rest.find(|c: char| !is_op(c)).unwrap_or(rest.len());
        let (op_text, value_text) = (&rest[..end], rest[end..].trim());
        if metric.is_empty() {
            return Err(bad(format!("no metric before \"{op_text}\"; {form}")));
        }
        if !crate::metrics::run_metrics::is_metric(metric) {
            return Err(bad(format!(
                "unknown metric \"{metric}\"; use a sweep metric (README, Sweeps), e.g. fraction_completed_within_deadline, time_pending_max_seconds, time_pending_p95_seconds, rejections_ConcurrentSnapshotLimitExceeded"
            )));
        }
        let op = match op_text {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            other => {
                return Err(bad(format!(
                    "unknown comparison \"{other}\"; use <, <=, > or >= (a mean is never exactly equal to a value at a confidence)"
                )))
            }
        };
        if value_text.is_empty() {
            return Err(bad(format!("no value after \"{op_text}\"; {form}")));
        }
        let value = value_text
            .parse::<f64>()
            .ok()
            .or_else(|| {
                if metric.ends_with("_seconds") {
                    parse_duration(value_text).ok().map(|d| d.0 as f64 / 1e9)
                } else if metric.contains("_bytes") {
                    parse_bytes(value_text).ok().map(|b| b.0 as f64)
                } else {
                    None
                }
            })
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                bad(format!(
                    "\"{value_text}\" is not a number{}; {form}",
                    if metric.ends_with("_seconds") {
                        " or a duration such as \"4h\""
                    } else if metric.contains("_bytes") {
                        " or a size such as \"1TiB\""
                    } else {
                        ""
                    }
                ))
            })?;
        Ok(Target {
            metric: metric.to_string(),
            op,
            value,
        })
    }
}

/// What kind of value the parameter is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A plain JSON number.
    Number,
    /// A size (`"1TiB"`).
    Bytes,
    /// A bandwidth (`"400MiB/s"`).
    Bandwidth,
    /// A frequency (`"800/s"`).
    Frequency,
    /// A duration (`"4h"`).
    Duration,
}

impl Kind {
    /// Name for messages and `plan.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Number => "number",
            Kind::Bytes => "size",
            Kind::Bandwidth => "bandwidth",
            Kind::Frequency => "frequency",
            Kind::Duration => "duration",
        }
    }

    /// `text` in base units (B, B/s, 1/s, s), if it is of this kind.
    pub fn base_units(self, text: &str) -> Option<f64> {
        match self {
            Kind::Number => text.trim().parse::<f64>().ok(),
            Kind::Bytes => parse_bytes(text).ok().map(|b| b.0 as f64),
            Kind::Bandwidth => parse_bandwidth(text).ok().map(|b| b.bytes_per_sec),
            Kind::Frequency => parse_frequency(text).ok().map(|f| f.per_sec),
            Kind::Duration => parse_duration(text).ok().map(|d| d.0 as f64 / 1e9),
        }
    }

    /// Why `text` is not of this kind, as `" (<the parser's message>)"`.
    fn problem(self, text: &str) -> String {
        let e = match self {
            Kind::Number => return String::new(),
            Kind::Bytes => parse_bytes(text).err(),
            Kind::Bandwidth => parse_bandwidth(text).err(),
            Kind::Frequency => parse_frequency(text).err(),
            Kind::Duration => parse_duration(text).err(),
        };
        e.map(|e| format!(" ({e})")).unwrap_or_default()
    }

    /// The kind of a unit string, trying sizes, bandwidths, frequencies and
    /// durations in turn (as the sweep charts classify values).
    fn of_text(text: &str) -> Option<Kind> {
        [
            Kind::Bytes,
            Kind::Bandwidth,
            Kind::Frequency,
            Kind::Duration,
        ]
        .into_iter()
        .find(|k| k.base_units(text).is_some())
    }
}

/// One end of the range as given: its number, decimals and unit.
#[derive(Clone, Debug)]
struct End {
    number: f64,
    decimals: usize,
    unit: String,
}

/// Splits `"100MiB/s"` into 100, 0 decimals and `MiB/s`; a plain number
/// has an empty unit.
fn split_end(text: &str) -> Option<End> {
    let t = text.trim();
    let cut = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(cut);
    let number: f64 = num.parse().ok()?;
    let decimals = num.split_once('.').map_or(0, |(_, f)| f.len());
    Some(End {
        number,
        decimals,
        unit: unit.trim().to_string(),
    })
}

/// A goal ready to search.
#[derive(Clone, Debug)]
pub struct Goal {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// The scenario file, for messages.
    pub origin: String,
    /// The base scenario JSON (its `sweep` section removed).
    pub base: Value,
    /// The parameter.
    pub path: JsonPath,
    /// Its kind.
    pub kind: Kind,
    /// The unit candidates are written in (empty for plain numbers).
    pub unit: String,
    /// Base units (B, B/s, 1/s, s) per unit of [`Goal::unit`].
    pub unit_factor: f64,
    /// Whole numbers only (a plain integer parameter).
    pub integer: bool,
    /// Decimals candidates are written with.
    pub decimals: usize,
    /// The range, in [`Goal::unit`].
    pub lo: f64,
    /// The range, in [`Goal::unit`].
    pub hi: f64,
    /// Stop when the bracket is at most this wide, in [`Goal::unit`].
    pub resolution: f64,
    /// The target.
    pub target: Target,
    /// Confidence of each decision, in (0, 1).
    pub confidence: f64,
    /// Most runs per candidate.
    pub max_runs: u32,
    /// The backup window for `fraction_completed_within_deadline`, as text.
    pub deadline: Option<String>,
    /// Lift the work limit (`--allow-large`).
    pub allow_large: bool,
    /// The scenario's base seed.
    pub base_seed: u64,
}

/// The command-line arguments of a goal, as text.
#[derive(Clone, Debug)]
pub struct GoalArgs {
    /// `--find`.
    pub find: String,
    /// `--between LO HI`.
    pub lo: String,
    /// `--between LO HI`.
    pub hi: String,
    /// `--target`.
    pub target: String,
    /// `--confidence`.
    pub confidence: f64,
    /// `--resolution`, if given.
    pub resolution: Option<String>,
    /// `--max-runs`.
    pub max_runs: u32,
    /// `--deadline`, if given.
    pub deadline: Option<String>,
    /// `--allow-large`.
    pub allow_large: bool,
}

impl Goal {
    /// Checks every argument against the scenario `sc` (loaded from
    /// `origin`) and validates both ends as sweep points, before anything
    /// runs.
    ///
    /// # Errors
    /// [`GoalError::Argument`] naming the argument and the fix;
    /// [`GoalError::Candidate`] if an end is refused as a sweep point.
    pub fn new(sc: &scenario::Scenario, origin: &str, a: &GoalArgs) -> Result<Goal, GoalError> {
        let arg = |arg: &'static str, text: &str, problem: String| GoalError::Argument {
            arg,
            text: text.to_string(),
            problem,
        };
        let mut base = sc.source.clone();
        let sweep_deadline = base
            .get("sweep")
            .and_then(|s| s.get("deadline"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(o) = base.as_object_mut() {
            o.shift_remove("sweep");
        }
        // The parameter.
        let path = JsonPath::parse(&a.find).map_err(|m| arg("--find", &a.find, m))?;
        let why = match path.root_key() {
            "sweep" | "name" | "format_version" => Some("it is not a scenario setting"),
            "seed" => Some("replications set every run's seed"),
            _ => None,
        };
        if let Some(why) = why {
            return Err(arg(
                "--find",
                &a.find,
                format!("\"{path}\" cannot be searched: {why}; name a numeric setting such as transfer.pools[0].rate"),
            ));
        }
        let Some(current) = path.get(&base).cloned() else {
            return Err(arg("--find", &a.find, format!(
                "\"{path}\" is not in the scenario (the longest part of it that is: {}); plan only changes values the scenario sets, so give it a value there first",
                path.existing_prefix(&base)
            )));
        };
        let base_kind = match &current {
            Value::Number(_) => Some(Kind::Number),
            Value::String(s) => Kind::of_text(s),
            _ => None,
        }
        .ok_or_else(|| {
            arg(
                "--find",
                &a.find,
                format!("the scenario's value there is {current}, which is not a number or a quantity with a unit (\"400MiB/s\", \"24h\", \"1TiB\", \"800/s\"); plan searches numeric settings only"),
            )
        })?;
        // The range.
        let between = |text: &str, which: &str| -> Result<(End, f64), GoalError> {
            let t = format!("{} {}", a.lo, a.hi);
            let e = split_end(text).ok_or_else(|| {
                arg("--between", &t, format!("{which} \"{text}\" does not start with a decimal number; write e.g. --between 100MiB/s 4GiB/s"))
            })?;
            if base_kind == Kind::Number {
                if !e.unit.is_empty() {
                    return Err(arg("--between", &t, format!("{which} \"{text}\" has a unit, but {path} is a plain number ({current}) in the scenario; write plain numbers")));
                }
                return Ok((e.clone(), e.number));
            }
            if e.unit.is_empty() {
                return Err(arg("--between", &t, format!("{which} \"{text}\" has no unit, but {path} is a {} ({current}) in the scenario; write it with a unit, e.g. \"{text}{}\"", base_kind.as_str(), split_end(current.as_str().unwrap_or("")).map(|x| x.unit).unwrap_or_default())));
            }
            if e.unit.contains(|c: char| c.is_ascii_digit() || c == '.') {
                return Err(arg("--between", &t, format!("{which} \"{text}\" has more than one unit; write one number and one unit, e.g. \"90m\" instead of \"1h30m\"")));
            }
            let v = base_kind.base_units(text).ok_or_else(|| {
                arg(
                    "--between",
                    &t,
                    format!(
                        "{which} \"{text}\" is not a {} like the scenario's {current} at {path}{}",
                        base_kind.as_str(),
                        base_kind.problem(text)
                    ),
                )
            })?;
            Ok((e, v))
        };
        let (lo_end, lo_base) = between(&a.lo, "LO")?;
        let (hi_end, hi_base) = between(&a.hi, "HI")?;
        let range_text = format!("{} {}", a.lo, a.hi);
        if lo_base >= hi_base {
            return Err(arg(
                "--between",
                &range_text,
                "LO must be below HI; give the smaller value first".to_string(),
            ));
        }
        // Candidates are written in the finer of the two units.
        let factor_of = |e: &End| {
            if base_kind == Kind::Number {
                1.0
            } else {
                base_kind.base_units(&format!("1{}", e.unit)).unwrap_or(1.0)
            }
        };
        let (unit_end, other) = if factor_of(&lo_end) <= factor_of(&hi_end) {
            (&lo_end, &hi_end)
        } else {
            (&hi_end, &lo_end)
        };
        let unit = unit_end.unit.clone();
        let unit_factor = factor_of(unit_end);
        let (lo, hi) = (lo_base / unit_factor, hi_base / unit_factor);
        let integer = base_kind == Kind::Number
            && current.is_i64()
            && lo_end.decimals == 0
            && hi_end.decimals == 0;
        // The resolution.
        let resolution = match &a.resolution {
            None => {
                let r = (hi - lo) * DEFAULT_RESOLUTION_SHARE;
                if integer {
                    r.round().max(1.0)
                } else {
                    r
                }
            }
            Some(text) => {
                let v = if base_kind == Kind::Number {
                    text.trim().parse::<f64>().ok()
                } else {
                    base_kind.base_units(text).map(|b| b / unit_factor)
                };
                match v {
                    Some(v) if v > 0.0 && v.is_finite() && v < hi - lo => v,
                    _ => {
                        return Err(arg(
                            "--resolution",
                            text,
                            format!(
                            "expected a {} greater than zero and below HI − LO, e.g. \"{}{unit}\"",
                            base_kind.as_str(),
                            tidy((hi - lo) / 100.0)
                        ),
                        ))
                    }
                }
            }
        };
        let decimals = if integer {
            0
        } else {
            let needed = (-(resolution / 10.0).log10()).ceil().max(0.0) as usize;
            let same = |e: &End| {
                if std::ptr::eq(e, unit_end) || e.unit == unit {
                    e.decimals
                } else {
                    0
                }
            };
            same(unit_end).max(same(other)).max(needed).min(9)
        };
        // Target, confidence, cap, deadline.
        let target = Target::parse(&a.target)?;
        if !(a.confidence > 0.0 && a.confidence < 1.0) {
            return Err(arg(
                "--confidence",
                &a.confidence.to_string(),
                "must lie strictly between 0 and 1, e.g. 0.95".to_string(),
            ));
        }
        if a.max_runs < 2 {
            return Err(arg(
                "--max-runs",
                &a.max_runs.to_string(),
                "a confidence interval needs at least 2 runs per point; use 2 or more (default 30)"
                    .to_string(),
            ));
        }
        let deadline = a.deadline.clone().or(sweep_deadline);
        if let Some(d) = &a.deadline {
            scenario::backup_window::parse_backup_window(d).map_err(|e| {
                arg(
                    "--deadline",
                    d,
                    format!(
                        "{}; write clock times in UTC, e.g. 01:00-05:00, or a duration, e.g. 4h",
                        e.problem
                    ),
                )
            })?;
        }
        if target.metric == "fraction_completed_within_deadline" && deadline.is_none() {
            return Err(arg(
                "--target",
                &format!("'{}'", a.target),
                "fraction_completed_within_deadline needs a backup window: pass --deadline 4h (or 01:00-05:00), or set \"deadline\" in the scenario's sweep section".to_string(),
            ));
        }
        let goal = Goal {
            name: sc.name.clone(),
            description: sc.description.clone(),
            origin: origin.to_string(),
            base,
            path,
            kind: base_kind,
            unit,
            unit_factor,
            integer,
            decimals,
            lo,
            hi,
            resolution,
            target,
            confidence: a.confidence,
            max_runs: a.max_runs,
            deadline,
            allow_large: a.allow_large,
            base_seed: sc.config.seed,
        };
        // Both ends must be valid scenarios before anything runs.
        goal.plan_at(goal.lo)?;
        goal.plan_at(goal.hi)?;
        Ok(goal)
    }

    /// `x` (in [`Goal::unit`]) rounded to the candidates' decimals.
    pub fn round(&self, x: f64) -> f64 {
        let d = self.decimals;
        format!("{x:.d$}").parse().unwrap_or(x)
    }

    /// The scenario value of `x`: `"345MiB/s"`, or a JSON number.
    pub fn value(&self, x: f64) -> Value {
        let d = self.decimals;
        let text = format!("{x:.d$}");
        if !self.unit.is_empty() {
            Value::String(format!("{text}{}", self.unit))
        } else if d == 0 {
            text.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
        } else {
            text.parse::<f64>().map(Value::from).unwrap_or(Value::Null)
        }
    }

    /// The value as text (strings without quotes).
    pub fn value_text(&self, x: f64) -> String {
        match self.value(x) {
            Value::String(s) => s,
            v => v.to_string(),
        }
    }

    /// The one-point sweep that runs candidate `x`, validated like a sweep
    /// point (and its work estimated like one).
    ///
    /// # Errors
    /// [`GoalError::Candidate`] with the sweep's message.
    pub fn plan_at(&self, x: f64) -> Result<Plan, GoalError> {
        let mut doc = self.base.clone();
        let mut sweep =
            json!({ "zip": { self.path.to_string(): [self.value(x)] }, "replications": 1 });
        if let Some(d) = &self.deadline {
            sweep["deadline"] = json!(d);
        }
        if let Some(o) = doc.as_object_mut() {
            o.insert("sweep".into(), sweep);
        }
        let candidate = |mut cause: SweepError| {
            // The sweep names the value's place in its own section; a plan
            // user wrote it as --find.
            if let SweepError::Scenario(ScenarioError::Invalid { path, .. }) = &mut cause {
                let own = format!("sweep.zip[\"{}\"][0]", self.path);
                if *path == own {
                    *path = format!("--find {}", self.path);
                }
            }
            GoalError::Candidate {
                path: self.path.to_string(),
                value: self.value_text(x),
                cause: Box::new(cause),
            }
        };
        let mut plan = Plan::from_source(doc, &self.origin).map_err(candidate)?;
        plan.allow_large = self.allow_large;
        plan.estimate().map_err(candidate)?;
        Ok(plan)
    }

    /// The definition as recorded in the journal header and `plan.json`.
    pub fn definition(&self) -> Value {
        json!({
            "find": self.path.to_string(),
            "kind": self.kind.as_str(),
            "between": [self.value(self.lo), self.value(self.hi)],
            "resolution": self.resolution,
            "unit": self.unit,
            "target": self.target.text(),
            "confidence": self.confidence,
            "round": ROUND.min(self.max_runs),
            "max_runs_per_point": self.max_runs,
            "deadline": self.deadline,
        })
    }

    /// Points a plain grid from LO to HI at the resolution would have.
    pub fn grid_points(&self) -> u64 {
        ((self.hi - self.lo) / self.resolution - 1e-9).ceil() as u64 + 1
    }
}

/// A number without float noise, for messages.
pub(crate) fn tidy(x: f64) -> String {
    let s = format!("{x:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
