//! `snapsim import`: saved AWS CLI JSON output (files only; nothing is
//! fetched, no credentials are needed) → a scenario and its import report.
//!
//! One module per input shape and one job each:
//! - [`volumes`]: `aws ec2 describe-volumes` (the inventory);
//! - [`metrics`]: `aws cloudwatch get-metric-data` / `get-metric-statistics`
//!   (write rates and sizes over time, streamed);
//! - [`policies`]: `aws dlm get-lifecycle-policy` (schedules, retention);
//! - [`snapshots`]: `aws ec2 describe-snapshots` (history, used bytes);
//! - [`time`]: the CLI's ISO-8601 timestamps;
//! - [`group`]: volumes → scenario entries (`--group-by`);
//! - [`build`]: the scenario JSON; [`report`]: `import.md`.
//!
//! The library prints nothing and writes nothing: [`import`] returns the two
//! texts, and the CLI writes them. Every error names the file, the JSON
//! path, the value and a fix.

pub mod build;
pub mod compare;
pub mod group;
pub mod input;
pub mod metrics;
pub mod policies;
pub mod report;
pub mod snapshots;
pub mod time;
pub mod volumes;

use metrics::{Fit, MetricsFile};
use std::collections::HashMap;
use std::path::PathBuf;
use thiserror::Error;

/// Why an import failed. All of these are bad input (exit code 2).
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{file}: cannot read it ({cause}); check the path and permissions")]
    Read {
        /// The file.
        file: String,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// Not a regular file (a FIFO, directory, device).
    #[error("{file}: {problem}; give the path of a saved AWS CLI output file")]
    NotRegular {
        /// The file.
        file: String,
        /// What it is instead.
        problem: String,
    },
    /// Larger than [`input::MAX_INPUT_BYTES`]; refused before reading.
    #[error("{file}: the file has {size} B, more than the limit of {limit} B (256 MiB) for one input file, so it is not read; one page of AWS CLI output is a few MiB: save the output in pages (the CLI's --max-items and --starting-token, or several queries) and give every page")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size [B].
        size: u64,
        /// The limit [B].
        limit: u64,
    },
    /// Not JSON.
    #[error("{file}: not JSON (line {line}, column {column}: {message}); give the file the AWS CLI wrote with --output json (its default)")]
    NotJson {
        /// The file.
        file: String,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// A value in a file.
    #[error("{file}: {path}: {problem} (value: {value}); {fix}")]
    Input {
        /// The file.
        file: String,
        /// The JSON path (`Volumes[3].VolumeType`).
        path: String,
        /// The offending value, shortened.
        value: String,
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
    /// The options, or what the files say together.
    #[error("{problem}; {fix}")]
    Options {
        /// What is wrong.
        problem: String,
        /// How to fix it.
        fix: String,
    },
}

impl ImportError {
    /// An [`ImportError::Input`].
    pub fn input(
        file: &str,
        path: &str,
        value: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> ImportError {
        ImportError::Input {
            file: file.to_string(),
            path: path.to_string(),
            value: value.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }
}

/// The spatial pattern given to every imported write stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    /// In the scenario format (`"uniform"`, `{"zipf": {"exponent": 1.1}}`).
    pub json: serde_json::Value,
    /// As written on the command line.
    pub text: String,
}

impl Pattern {
    /// Parses `uniform`, `sequential`, `zipf:S` or `hotspot:X:Y` (X % of
    /// writes to Y % of the space).
    ///
    /// # Errors
    /// [`ImportError::Options`] with the forms.
    pub fn parse(text: &str) -> Result<Pattern, ImportError> {
        use serde_json::json;
        let bad = || {
            ImportError::Options {
            problem: format!("--pattern \"{text}\" is not understood"),
            fix: "use uniform, sequential, zipf:EXPONENT (e.g. zipf:1.1) or hotspot:IO_PERCENT:SPACE_PERCENT (e.g. hotspot:90:10)".into(),
        }
        };
        let parts: Vec<&str> = text.split(':').collect();
        let num = |s: &str| s.parse::<f64>().ok().filter(|x| x.is_finite() && *x > 0.0);
        let json = match parts.as_slice() {
            ["uniform"] => json!("uniform"),
            ["sequential"] => json!("sequential"),
            ["zipf", s] => json!({"zipf": {"exponent": num(s).ok_or_else(bad)?}}),
            ["hotspot", x, y] => {
                let (x, y) = (num(x).ok_or_else(bad)?, num(y).ok_or_else(bad)?);
                if x >= 100.0 || y >= 100.0 {
                    return Err(bad());
                }
                json!({"hotspot": {"io_percent": x, "space_percent": y}})
            }
            _ => return Err(bad()),
        };
        Ok(Pattern {
            json,
            text: text.to_string(),
        })
    }
}

/// Where `used` comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Used {
    /// `--used F`: this fraction of each volume's size (also the fallback
    /// of `from_snapshots`).
    pub fraction: Option<f64>,
    /// `--used-from-snapshots`.
    pub from_snapshots: bool,
}

/// What to import and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// `describe-volumes` pages.
    pub volumes: Vec<PathBuf>,
    /// CloudWatch output files.
    pub metrics: Vec<MetricsFile>,
    /// `get-lifecycle-policy` files.
    pub policies: Vec<PathBuf>,
    /// `describe-snapshots` pages.
    pub snapshots: Vec<PathBuf>,
    /// Used bytes.
    pub used: Used,
    /// Spatial pattern of writes (default uniform).
    pub pattern: Pattern,
    /// `--group-by` keys (empty: one entry per volume).
    pub group_by: Vec<group::Key>,
    /// How the write rate over time is fitted.
    pub fit: Fit,
    /// `--period` [s], if given.
    pub period: Option<i64>,
    /// Horizon [s] when there are no metrics (default 1 day).
    pub duration: Option<i64>,
    /// Scenario name.
    pub name: String,
    /// `--compare`: simulate the scenario and report its time pending
    /// beside the observed one.
    pub compare: bool,
    /// `--reads`: read streams from the read metrics, at IO fidelity.
    pub reads: bool,
    /// The command line, quoted, for the report.
    pub command: String,
}

/// The result of an import: the two files' texts and a one-line summary.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The scenario JSON.
    pub scenario: String,
    /// `import.md`.
    pub report: String,
    /// `N volumes as M entries, …`.
    pub summary: String,
}

/// Everything gathered, for [`build`] and [`report`].
pub struct Gathered {
    /// The options.
    pub opts: Options,
    /// Inventory.
    pub volumes: Vec<volumes::Volume>,
    /// Metrics, as read.
    pub collected: metrics::Collected,
    /// The window, if there are metrics.
    pub window: Option<metrics::Window>,
    /// Fitted metrics per volume.
    pub fitted: Vec<metrics::Fitted>,
    /// Policies.
    pub policies: Vec<policies::Policy>,
    /// Policy applied to each volume.
    pub policy_of: Vec<Option<usize>>,
    /// Volumes targeted by more than one policy: (volume, other policies).
    pub contested: Vec<(usize, Vec<usize>)>,
    /// History.
    pub history: Vec<snapshots::Snapshot>,
    /// Used bytes per volume, and whether from a snapshot.
    pub used: Vec<(u64, bool)>,
    /// Entries.
    pub entries: Vec<group::Entry>,
    /// Scenario start [s since the epoch].
    pub start: i64,
    /// Scenario horizon [s].
    pub duration: i64,
}

fn paths(v: &[PathBuf]) -> Vec<&std::path::Path> {
    v.iter().map(PathBuf::as_path).collect()
}

/// Default start when no metrics fix it (the scenario format's default).
pub const DEFAULT_START: i64 = crate::scenario::DEFAULT_START_UNIX_SECS as i64;

/// Runs an import (see the module doc).
///
/// # Errors
/// The first problem in the input, with file, path, value and fix.
pub fn import(opts: Options) -> Result<Imported, ImportError> {
    let g = gather(opts)?;
    let scenario = build::scenario_text(&g)?;
    let simulated = if g.opts.compare {
        Some(compare::simulate(&scenario, &g.opts.name, &g.entries)?)
    } else {
        None
    };
    let report = report::markdown(&g, simulated.as_deref());
    let n: u64 = g.entries.iter().map(|e| e.members.len() as u64).sum();
    let summary = format!(
        "{n} volume{} as {} entr{}, {} policies, {} historical snapshots, {} metric datapoints",
        if n == 1 { "" } else { "s" },
        g.entries.len(),
        if g.entries.len() == 1 { "y" } else { "ies" },
        g.policies.len(),
        g.history.len(),
        g.collected.datapoints
    );
    Ok(Imported {
        scenario,
        report,
        summary,
    })
}

/// Reads every input and forms the entries.
///
/// # Errors
/// As [`import`].
pub fn gather(opts: Options) -> Result<Gathered, ImportError> {
    if opts.volumes.is_empty() {
        return Err(ImportError::Options {
            problem: "no --volumes file".into(),
            fix: "give the saved output of `aws ec2 describe-volumes` with --volumes FILE".into(),
        });
    }
    let vols = volumes::read(&paths(&opts.volumes))?;
    if vols.is_empty() {
        return Err(ImportError::Options {
            problem: "the describe-volumes files list no volume".into(),
            fix: "check the query's filters; a scenario needs at least one volume".into(),
        });
    }
    let ids: HashMap<String, usize> = vols
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.clone(), i))
        .collect();
    let collected = metrics::read(&opts.metrics, &ids, vols.len(), opts.fit)?;
    let names: Vec<String> = vols.iter().map(|v| v.id.clone()).collect();
    metrics::check_pairs(&collected, &names)?;
    let window = metrics::window(&collected, opts.period, opts.fit)?;
    let (start, duration) = match window {
        Some(w) => {
            if opts.duration.is_some() {
                return Err(ImportError::Options {
                    problem: "--duration is for imports without metrics; with metrics the horizon is the metrics' window".into(),
                    fix: "leave out --duration".into(),
                });
            }
            (w.start, w.seconds())
        }
        None => (DEFAULT_START, opts.duration.unwrap_or(86_400)),
    };
    let fitted: Vec<metrics::Fitted> = match &window {
        Some(w) => collected
            .series
            .iter()
            .map(|s| metrics::fit(s, w, opts.fit))
            .collect(),
        None => vec![metrics::Fitted::default(); vols.len()],
    };
    metrics::check_rates(&collected, &fitted, &names)?;
    let pols = policies::read(&paths(&opts.policies))?;
    let mut policy_of = Vec::with_capacity(vols.len());
    let mut contested = Vec::new();
    for (i, v) in vols.iter().enumerate() {
        let hits: Vec<usize> = (0..pols.len())
            .filter(|&k| pols[k].targets(&v.tags))
            .collect();
        policy_of.push(hits.first().copied());
        if hits.len() > 1 {
            contested.push((i, hits[1..].to_vec()));
        }
    }
    let history = snapshots::read(&paths(&opts.snapshots))?;
    let used = used_bytes(&opts, &vols, &history)?;
    let used_only: Vec<u64> = used.iter().map(|u| u.0).collect();
    let policy_ids: Vec<String> = pols.iter().map(|p| p.id.clone()).collect();
    let entries = group::entries(
        &group::PerVolume {
            volumes: &vols,
            used: &used_only,
            policy: &policy_of,
            policy_ids: &policy_ids,
            fitted: &fitted,
        },
        &opts.group_by,
    );
    Ok(Gathered {
        opts,
        volumes: vols,
        collected,
        window,
        fitted,
        policies: pols,
        policy_of,
        contested,
        history,
        used,
        entries,
        start,
        duration,
    })
}

fn used_bytes(
    opts: &Options,
    vols: &[volumes::Volume],
    history: &[snapshots::Snapshot],
) -> Result<Vec<(u64, bool)>, ImportError> {
    let Used {
        fraction,
        from_snapshots,
    } = opts.used;
    if let Some(f) = fraction {
        if !(0.0..=1.0).contains(&f) {
            return Err(ImportError::Options {
                problem: format!(
                    "--used {} is not a fraction from 0 to 1",
                    crate::scenario::units::number_text(f)
                ),
                fix: "give the share of each volume's size that is written, e.g. --used 0.6".into(),
            });
        }
    }
    if fraction.is_none() && !from_snapshots {
        return Err(ImportError::Options {
            problem: "how much of each volume is written (`used`) is not in describe-volumes, and the first snapshot of a volume holds exactly that, so it must be given".into(),
            fix: "give --used FRACTION (e.g. --used 0.5 for half of each volume), or --used-from-snapshots with --snapshots (each volume's newest FullSnapshotSizeInBytes), or both (the fraction for volumes without one)".into(),
        });
    }
    if from_snapshots && opts.snapshots.is_empty() {
        return Err(ImportError::Options {
            problem: "--used-from-snapshots needs the describe-snapshots output".into(),
            fix: "give it with --snapshots FILE".into(),
        });
    }
    let mut out = Vec::with_capacity(vols.len());
    for v in vols {
        let size = v.size_gib << 30;
        let from = from_snapshots
            .then(|| snapshots::used_bytes(history, &v.id))
            .flatten();
        match (from, fraction) {
            (Some(b), _) => out.push((b.min(size), true)),
            (None, Some(f)) => out.push(((size as f64 * f).floor() as u64, false)),
            (None, None) => {
                return Err(ImportError::Input {
                    file: v.source.split(' ').next().unwrap_or("").to_string(),
                    path: v.source.split_once(' ').map_or("", |x| x.1).to_string(),
                    value: v.id.clone(),
                    problem: format!("--used-from-snapshots: volume {} has no completed snapshot with FullSnapshotSizeInBytes in the --snapshots files", v.id),
                    fix: "add --used FRACTION as the fallback for such volumes, or add its snapshots".into(),
                })
            }
        }
    }
    Ok(out)
}
