//! The `sweep` section of a scenario file: which parameters vary, over which
//! values, and how many replications each point gets. Turns the section into
//! a [`SweepDef`] and checks every point like a scenario file before anything
//! runs.
//!
//! Points: the `grid` parameters form a cartesian product in file order (the
//! first key varies slowest); the `zip` parameters advance in lock-step and
//! form one more axis, the fastest. A point's scenario is the base scenario's
//! JSON with each parameter's value replaced at its path (the `sweep` key
//! removed), validated by [`super::from_value`]. Errors name the sweep
//! location and the offending value, e.g.
//! `sweep.grid["volumes[0].workload.writes.rate"][2]: invalid frequency …`.

use super::error::{Invalid, ScenarioError};
use super::json_path::JsonPath;
use super::sweep_range::expand_values;
use super::sweep_replications::replications;
pub use super::sweep_replications::Replications;
use serde_json::Value;

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 100_000;
/// Most runs (points × largest replication count) a sweep may plan.
pub const MAX_RUNS: u64 = 10_000_000;

/// Which part of the section a parameter comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// `grid`: its own axis of the cartesian product.
    Grid,
    /// `zip`: moves in lock-step with the other `zip` parameters.
    Zip,
}

impl Axis {
    /// `grid` or `zip`, as in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Axis::Grid => "grid",
            Axis::Zip => "zip",
        }
    }
}

/// One swept parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    /// Where it is in the scenario.
    pub path: JsonPath,
    /// `grid` or `zip`.
    pub axis: Axis,
    /// Its values, ranges expanded.
    pub values: Vec<Value>,
}

/// A parsed, fully validated sweep.
#[derive(Clone, Debug)]
pub struct SweepDef {
    /// Grid parameters (file order), then zip parameters (file order).
    pub parameters: Vec<Parameter>,
    /// The replication policy.
    pub replications: Replications,
    /// `deadline`: the backup window a snapshot must meet to count as on
    /// time (a duration from its request, or daily clock times in UTC), for
    /// the `fraction_completed_within_deadline` metric; `None` leaves that
    /// metric out.
    pub deadline: Option<crate::metrics::window::BackupWindow>,
}

impl SweepDef {
    /// Length of each axis, slowest first: one per grid parameter, then the
    /// zip length if there are zip parameters.
    fn axes(&self) -> Vec<usize> {
        let mut axes: Vec<usize> = self
            .parameters
            .iter()
            .filter(|p| p.axis == Axis::Grid)
            .map(|p| p.values.len())
            .collect();
        if let Some(z) = self.parameters.iter().find(|p| p.axis == Axis::Zip) {
            axes.push(z.values.len());
        }
        axes
    }

    /// Number of points (1 for a sweep of replications only).
    pub fn points(&self) -> usize {
        self.axes().iter().product()
    }

    /// For point `p`, the index into each parameter's values.
    pub fn value_indices(&self, p: usize) -> Vec<usize> {
        let axes = self.axes();
        let mut digits = vec![0; axes.len()];
        let mut rest = p;
        for (d, len) in digits.iter_mut().zip(&axes).rev() {
            *d = rest % len;
            rest /= len;
        }
        let grid = self
            .parameters
            .iter()
            .filter(|q| q.axis == Axis::Grid)
            .count();
        self.parameters
            .iter()
            .enumerate()
            .map(|(k, q)| {
                if q.axis == Axis::Grid {
                    digits[k]
                } else {
                    digits[grid]
                }
            })
            .collect()
    }

    /// For point `p`, each parameter's value.
    pub fn values(&self, p: usize) -> Vec<&Value> {
        self.value_indices(p)
            .into_iter()
            .zip(&self.parameters)
            .map(|(i, q)| &q.values[i])
            .collect()
    }

    /// The scenario JSON of point `p`: `base` without its `sweep` key, each
    /// parameter set to its value.
    pub fn apply(&self, base: &Value, p: usize) -> Value {
        let mut doc = base.clone();
        if let Some(o) = doc.as_object_mut() {
            o.shift_remove("sweep");
        }
        for (q, v) in self.parameters.iter().zip(self.values(p)) {
            // Paths were checked to exist in the base in `parse`.
            q.path.set(&mut doc, v.clone());
        }
        doc
    }

    /// `path = value, …` of point `p`, for messages.
    pub fn describe(&self, p: usize) -> String {
        let parts: Vec<String> = self
            .parameters
            .iter()
            .zip(self.values(p))
            .map(|(q, v)| format!("{} = {v}", q.path))
            .collect();
        parts.join(", ")
    }
}

/// Reads and checks the `sweep` section of `source` (a parsed scenario
/// file), validating every point; `None` if there is no section.
///
/// # Errors
/// [`ScenarioError::Invalid`] naming the sweep location (or the point) and
/// the value.
pub fn sweep_definition(source: &Value, origin: &str) -> Result<Option<SweepDef>, ScenarioError> {
    let Some(section) = source.get("sweep") else {
        return Ok(None);
    };
    let def = parse(section, source).map_err(|e| e.in_file(origin))?;
    check_points(&def, source, origin)?;
    Ok(Some(def))
}

fn parse(section: &Value, base: &Value) -> Result<SweepDef, Invalid> {
    let Some(obj) = section.as_object() else {
        return Err(Invalid::at(
            "sweep",
            format!("expected an object {{\"grid\", \"zip\", \"replications\"}}, found {section}"),
        ));
    };
    if let Some(k) = obj
        .keys()
        .find(|k| !["grid", "zip", "replications", "deadline"].contains(&k.as_str()))
    {
        return Err(Invalid::at(
            "sweep",
            format!("unknown key \"{k}\"; a sweep has \"grid\", \"zip\", \"replications\" and \"deadline\""),
        ));
    }
    let deadline = match obj.get("deadline") {
        None => None,
        Some(v) => {
            let bad = |why: String| Invalid::at("sweep.deadline", why);
            let text = v.as_str().ok_or_else(|| {
                bad(format!(
                    "expected a backup window as a string, found {v}; write clock times in UTC, \
                     e.g. \"01:00-05:00\", or a duration, e.g. \"4h\""
                ))
            })?;
            Some(super::backup_window::parse_backup_window(text).map_err(|e| bad(e.to_string()))?)
        }
    };
    let mut parameters = Vec::new();
    for axis in [Axis::Grid, Axis::Zip] {
        let Some(spec) = obj.get(axis.as_str()) else {
            continue;
        };
        let at = format!("sweep.{}", axis.as_str());
        let Some(map) = spec.as_object() else {
            return Err(Invalid::at(
                at,
                format!("expected an object {{PATH: [values…]}}, found {spec}"),
            ));
        };
        if map.is_empty() {
            return Err(Invalid::at(at, "names no parameter; add one, e.g. {\"transfer.per_snapshot\": [\"24MiB/s\", \"48MiB/s\"]}, or remove it"));
        }
        for (text, values) in map {
            let here = format!("{at}[\"{text}\"]");
            let path = JsonPath::parse(text).map_err(|m| Invalid::at(&here, m))?;
            check_settable(&path, base, &here)?;
            if let Some(prev) = parameters.iter().find(|q: &&Parameter| q.path == path) {
                return Err(Invalid::at(
                    here,
                    format!(
                        "\"{path}\" is already swept in sweep.{}; sweep each parameter once",
                        prev.axis.as_str()
                    ),
                ));
            }
            let values = expand_values(values, &here)?;
            parameters.push(Parameter { path, axis, values });
        }
    }
    let zip: Vec<&Parameter> = parameters.iter().filter(|q| q.axis == Axis::Zip).collect();
    if let Some(first) = zip.first() {
        if let Some(odd) = zip.iter().find(|q| q.values.len() != first.values.len()) {
            return Err(Invalid::at(format!("sweep.zip[\"{}\"]", odd.path), format!(
                "has {} values but \"{}\" has {}; zipped lists move in lock-step and must have equal lengths",
                odd.values.len(), first.path, first.values.len()
            )));
        }
    }
    let replications = replications(obj.get("replications"))?;
    let def = SweepDef {
        parameters,
        replications,
        deadline,
    };
    let points = def
        .axes()
        .iter()
        .try_fold(1usize, |a, &n| a.checked_mul(n))
        .unwrap_or(usize::MAX);
    if points > MAX_POINTS {
        return Err(Invalid::at(
            "sweep",
            format!("{points} points are more than the {MAX_POINTS} allowed; sweep fewer values"),
        ));
    }
    let runs = points as u64 * u64::from(def.replications.max_runs());
    if runs > MAX_RUNS {
        return Err(Invalid::at("sweep", format!("up to {runs} runs are more than the {MAX_RUNS} allowed; sweep fewer values or replications")));
    }
    Ok(def)
}

fn check_settable(path: &JsonPath, base: &Value, at: &str) -> Result<(), Invalid> {
    let why = match path.root_key() {
        "sweep" => Some("the sweep cannot sweep itself"),
        "name" => Some("the name is the sweep's identity and output folder"),
        "format_version" => Some("there is only one format version"),
        "seed" => Some("replications set every run's seed (derived from the base seed); use \"replications\" instead"),
        _ => None,
    };
    if let Some(why) = why {
        return Err(Invalid::at(
            at,
            format!("\"{path}\" cannot be swept: {why}"),
        ));
    }
    if path.get(base).is_none() {
        return Err(Invalid::at(at, format!(
            "\"{path}\" is not in the base scenario (the longest part of it that is: {}); a sweep only changes values the scenario sets, so give it a value there first",
            path.existing_prefix(base)
        )));
    }
    Ok(())
}

/// Validates every point: first each value alone (so an error names the
/// value's own place in the file), then every combination.
fn check_points(def: &SweepDef, base: &Value, origin: &str) -> Result<(), ScenarioError> {
    let mut doc = base.clone();
    if let Some(o) = doc.as_object_mut() {
        o.shift_remove("sweep");
    }
    for q in &def.parameters {
        for (i, v) in q.values.iter().enumerate() {
            let mut one = doc.clone();
            q.path.set(&mut one, v.clone());
            if let Err(e) = super::from_value(one, origin) {
                let at = format!("sweep.{}[\"{}\"][{i}]", q.axis.as_str(), q.path);
                let (path, message) = split(e);
                let message = if path == q.path.to_string() {
                    message
                } else if q.path.covers(&path) {
                    format!("{path}: {message}")
                } else {
                    format!("with {} = {v}, {path}: {message}", q.path)
                };
                return Err(Invalid::at(at, message).in_file(origin));
            }
        }
    }
    if def.parameters.len() > 1 {
        for p in 0..def.points() {
            if let Err(e) = super::from_value(def.apply(base, p), origin) {
                let (path, message) = split(e);
                return Err(Invalid::at(
                    "sweep",
                    format!("point {p} ({}): {path}: {message}", def.describe(p)),
                )
                .in_file(origin));
            }
        }
    }
    Ok(())
}

/// The path and message of a validation error (values never have syntax
/// errors, so other kinds do not occur; they are kept whole).
fn split(e: ScenarioError) -> (String, String) {
    match e {
        ScenarioError::Invalid { path, message, .. } => (path, message),
        other => ("(top level)".to_string(), other.to_string()),
    }
}
