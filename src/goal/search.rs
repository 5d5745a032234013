//! The search of a [`Goal`]: both ends, then bisection, each candidate by
//! rounds of replications until its confidence interval decides.
//!
//! Decisions (at confidence c, Student-t interval of the mean with n − 1
//! degrees of freedom, n ≥ 2): a point **holds** when the whole interval
//! satisfies the target, **fails** when the whole interval violates it,
//! and is **undecided** when the interval straddles VALUE after the
//! per-point cap of runs. Rounds: [`ROUND`] runs (or the cap if lower),
//! then ROUND more, until decided or at the cap. A decision looks only at
//! whole rounds, so the runs made never depend on threads or timing.
//!
//! Direction: if LO fails and HI holds, the answer is the smallest value
//! that holds; if LO holds and HI fails, the largest. Both holding or both
//! failing is reported as such ([`Status`]) after the two ends.
//!
//! Undecided points steer the bisection as failing points (so the answer,
//! the holding end, is a value that held with confidence: conservative),
//! but the reported interval for the switch point runs from the nearest
//! point that was *decided* failing to the answer: an undecided point lies
//! within noise of the switch, on either side of it.

use super::{Goal, GoalError, ROUND};
use crate::sweep::plan::source_hash;
use crate::sweep::record::{line, read_journal, Appender, Header, RunRecord, RunStatus};
use crate::sweep::SweepError;
use rayon::prelude::*;
use serde_json::{json, Value};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// How to run a search.
#[derive(Clone, Debug)]
pub struct GoalOptions {
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Output directory (the journal lives there).
    pub out: PathBuf,
    /// Continue from the journal in `out`.
    pub resume: bool,
}

/// The verdict on one candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The whole interval satisfies the target.
    Holds,
    /// The whole interval violates the target.
    Fails,
    /// The interval still straddles the threshold at the cap.
    Undecided,
}

impl Decision {
    /// As written in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Holds => "holds",
            Decision::Fails => "fails",
            Decision::Undecided => "undecided",
        }
    }
}

/// Which end of the range holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// HI holds, LO fails: the answer is the smallest value that holds.
    Smallest,
    /// LO holds, HI fails: the answer is the largest value that holds.
    Largest,
}

impl Direction {
    /// As written in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Smallest => {
                "smallest value that holds (the target holds at HI, fails at LO)"
            }
            Direction::Largest => "largest value that holds (the target holds at LO, fails at HI)",
        }
    }
}

/// How the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A switch point was bracketed.
    Found,
    /// The target holds at both ends: nothing to search in the range.
    HoldsAtBothEnds,
    /// The target holds at neither end (failing or undecided).
    FailsAtBothEnds,
}

impl Status {
    /// As written in the outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Found => "found",
            Status::HoldsAtBothEnds => "holds_at_both_ends",
            Status::FailsAtBothEnds => "fails_at_both_ends",
        }
    }
}

/// One evaluated candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluated {
    /// Evaluation order (0 = LO, 1 = HI, then bisection).
    pub order: usize,
    /// The value, in the goal's unit.
    pub x: f64,
    /// The value as written in the scenario.
    pub value: Value,
    /// Runs made.
    pub runs: usize,
    /// Runs that have the metric.
    pub n: usize,
    /// Mean of the metric.
    pub mean: Option<f64>,
    /// Sample standard deviation.
    pub sd: Option<f64>,
    /// Lower end of the confidence interval of the mean.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// The verdict.
    pub decision: Decision,
}

/// A finished search.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Every candidate, in evaluation order.
    pub points: Vec<Evaluated>,
    /// How it ended.
    pub status: Status,
    /// Which end holds (for [`Status::Found`]).
    pub direction: Option<Direction>,
    /// The answer: the holding end of the bracket, in the goal's unit.
    pub answer: Option<f64>,
    /// The bisection's last failing end (undecided points count as
    /// failing here), in the goal's unit.
    pub search_fail: Option<f64>,
    /// The nearest point decided failing on the failing side of the
    /// answer; `None` when no point there was decided failing (an end was
    /// undecided).
    pub decided_fail: Option<f64>,
    /// Runs in the final files.
    pub runs: usize,
    /// Runs computed by this process.
    pub computed: usize,
    /// Runs taken from an earlier journal.
    pub reused: usize,
    /// The journal, header then records in evaluation order and
    /// replication: the final `runs.jsonl`.
    pub journal: Vec<u8>,
}

impl Outcome {
    /// The interval of the switch point, (low, high) by value: from the
    /// nearest decided-failing point (or the range end) to the answer.
    pub fn interval(&self, goal: &Goal) -> Option<(f64, f64)> {
        let a = self.answer?;
        Some(match self.direction? {
            Direction::Smallest => (self.decided_fail.unwrap_or(goal.lo), a),
            Direction::Largest => (a, self.decided_fail.unwrap_or(goal.hi)),
        })
    }
}

/// The two-sided quantile of Student's t for `confidence` and n − 1
/// degrees of freedom.
fn t_quantile(confidence: f64, n: usize) -> Option<f64> {
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).ok()?;
    Some(t.inverse_cdf(0.5 + confidence / 2.0))
}

/// (n, mean, sd, low, high) of `values` at `confidence`.
type Stats = (usize, Option<f64>, Option<f64>, Option<f64>, Option<f64>);

fn stats(values: &[f64], confidence: f64) -> Stats {
    let n = values.len();
    if n == 0 {
        return (0, None, None, None, None);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (n, Some(mean), None, None, None);
    }
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let h = t_quantile(confidence, n).map(|t| t * sd / (n as f64).sqrt());
    (
        n,
        Some(mean),
        Some(sd),
        h.map(|h| mean - h),
        h.map(|h| mean + h),
    )
}

/// The decision on an interval.
fn decide(goal: &Goal, low: Option<f64>, high: Option<f64>) -> Option<Decision> {
    let (l, h) = (low?, high?);
    let (op, v) = (goal.target.op, goal.target.value);
    if op.holds(l, v) && op.holds(h, v) {
        Some(Decision::Holds)
    } else if !op.holds(l, v) && !op.holds(h, v) {
        Some(Decision::Fails)
    } else {
        None
    }
}

/// The key of a record: the candidate value (JSON text) and replication.
fn key(value: &Value, r: u32) -> (String, u32) {
    (value.to_string(), r)
}

struct Runner<'a> {
    goal: &'a Goal,
    out: PathBuf,
    done: BTreeMap<(String, u32), RunRecord>,
    appender: Appender,
    pool: rayon::ThreadPool,
    /// The records of the search, in evaluation order.
    used: Vec<RunRecord>,
    computed: usize,
    reused: usize,
}

impl Runner<'_> {
    fn evaluate(&mut self, order: usize, x: f64) -> Result<Evaluated, GoalError> {
        let goal = self.goal;
        let value = goal.value(x);
        let plan = goal.plan_at(x)?;
        let cap = goal.max_runs;
        let round = ROUND.min(cap);
        let mut records: Vec<RunRecord> = Vec::new();
        let mut k = 0u32;
        loop {
            let next = (k + round).min(cap);
            let todo: Vec<u32> = (k..next)
                .filter(|&r| !self.done.contains_key(&key(&value, r)))
                .collect();
            let fresh: Mutex<Vec<RunRecord>> = Mutex::new(Vec::new());
            let io_error: Mutex<Option<SweepError>> = Mutex::new(None);
            let appender = &self.appender;
            self.pool.install(|| {
                todo.par_iter().for_each(|&r| {
                    let mut record = plan.run(0, r);
                    record.value = Some(value.clone());
                    // Decide on the record as the journal holds it (JSON
                    // numbers read back), so a resumed search sees exactly
                    // the values an uninterrupted one saw.
                    let record: RunRecord =
                        serde_json::from_slice(&line(&record)).unwrap_or(record);
                    if let Err(e) = appender.append(&record) {
                        io_error
                            .lock()
                            .unwrap_or_else(|x| x.into_inner())
                            .get_or_insert(e);
                        return;
                    }
                    fresh.lock().unwrap_or_else(|x| x.into_inner()).push(record);
                });
            });
            if let Some(e) = io_error.into_inner().unwrap_or_else(|x| x.into_inner()) {
                return Err(e.into());
            }
            let fresh = fresh.into_inner().unwrap_or_else(|x| x.into_inner());
            self.computed += fresh.len();
            self.reused += (next - k) as usize - fresh.len();
            for r in fresh {
                self.done.insert(key(&value, r.replication), r);
            }
            for r in k..next {
                let rec = self.done.get(&key(&value, r)).cloned().ok_or_else(|| {
                    SweepError::io(
                        "find every run in",
                        &self.out.join("runs.jsonl"),
                        std::io::Error::other(format!("run {r} at {value} is missing")),
                    )
                })?;
                if rec.status == RunStatus::Failed {
                    return Err(GoalError::RunFailed {
                        path: goal.path.to_string(),
                        value: goal.value_text(x),
                        replication: r,
                        error: rec.error.clone().unwrap_or_default(),
                        out: self.out.display().to_string(),
                    });
                }
                records.push(rec);
            }
            k = next;
            let values: Vec<f64> = records
                .iter()
                .filter_map(|r| r.metric(&goal.target.metric))
                .collect();
            let (n, mean, sd, low, high) = stats(&values, goal.confidence);
            let decision = decide(goal, low, high);
            if decision.is_some() || k >= cap {
                self.used.extend(records.iter().cloned());
                return Ok(Evaluated {
                    order,
                    x,
                    value,
                    runs: records.len(),
                    n,
                    mean,
                    sd,
                    low,
                    high,
                    decision: decision.unwrap_or(Decision::Undecided),
                });
            }
        }
    }
}

/// The journal header of `goal`.
fn header(goal: &Goal) -> Header {
    let source = json!({ "plan": goal.definition(), "scenario": goal.base });
    Header {
        snapsim_sweep_runs: crate::sweep::record::SWEEP_SCHEMA_VERSION,
        scenario: goal.name.clone(),
        scenario_hash: source_hash(&source),
        shard: None,
        source,
    }
}

/// Runs the search, journaling every run into `opts.out/runs.jsonl`.
///
/// # Errors
/// [`GoalError`]: a refused candidate, a failed run, journal mismatches
/// and IO failures.
pub fn search(goal: &Goal, opts: &GoalOptions) -> Result<Outcome, GoalError> {
    let header = header(goal);
    let journal_path = opts.out.join("runs.jsonl");
    let mut done = BTreeMap::new();
    let appender = if journal_path.exists() {
        if !opts.resume {
            return Err(SweepError::ExistingRuns { path: journal_path }.into());
        }
        let journal = read_journal(&journal_path)?;
        if journal.header != header {
            return Err(SweepError::ResumeMismatch {
                path: journal_path,
                what: format!(
                    "its runs are of another scenario or plan (hash {} there, {} now)",
                    journal.header.scenario_hash, header.scenario_hash
                ),
            }
            .into());
        }
        for r in journal.records {
            if let Some(v) = &r.value {
                done.entry(key(v, r.replication)).or_insert(r);
            }
        }
        Appender::reopen(&journal_path, journal.valid_len)?
    } else {
        std::fs::create_dir_all(&opts.out)
            .map_err(|e| SweepError::io("create directory", &opts.out, e))?;
        Appender::create(&journal_path, &header)?
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| SweepError::ThreadPool {
            threads: opts.threads.unwrap_or(0),
            message: e.to_string(),
        })?;
    let mut run = Runner {
        goal,
        out: opts.out.clone(),
        done,
        appender,
        pool,
        used: Vec::new(),
        computed: 0,
        reused: 0,
    };
    let lo = run.evaluate(0, goal.lo)?;
    let hi = run.evaluate(1, goal.hi)?;
    let mut points = vec![lo.clone(), hi.clone()];
    let holds = |e: &Evaluated| e.decision == Decision::Holds;
    let (status, direction) = match (holds(&lo), holds(&hi)) {
        (false, true) => (Status::Found, Some(Direction::Smallest)),
        (true, false) => (Status::Found, Some(Direction::Largest)),
        (true, true) => (Status::HoldsAtBothEnds, None),
        (false, false) => (Status::FailsAtBothEnds, None),
    };
    let (mut answer, mut search_fail) = (None, None);
    if let Some(dir) = direction {
        let (mut hold, mut fail) = match dir {
            Direction::Smallest => (goal.hi, goal.lo),
            Direction::Largest => (goal.lo, goal.hi),
        };
        while (hold - fail).abs() > goal.resolution * (1.0 + 1e-9) {
            let m = goal.round((hold + fail) / 2.0);
            if m == hold || m == fail {
                break;
            }
            let e = run.evaluate(points.len(), m)?;
            if holds(&e) {
                hold = m;
            } else {
                fail = m;
            }
            points.push(e);
        }
        answer = Some(hold);
        search_fail = Some(fail);
    }
    let decided_fail = answer.and_then(|a| {
        let fails = points
            .iter()
            .filter(|p| p.decision == Decision::Fails)
            .map(|p| p.x);
        match direction? {
            Direction::Smallest => fails.filter(|&x| x < a).reduce(f64::max),
            Direction::Largest => fails.filter(|&x| x > a).reduce(f64::min),
        }
    });
    let mut journal = line(&header);
    for r in &run.used {
        journal.extend(line(r));
    }
    Ok(Outcome {
        points,
        status,
        direction,
        answer,
        search_fail,
        decided_fail,
        runs: run.used.len(),
        computed: run.computed,
        reused: run.reused,
        journal,
    })
}

/// `plan.json`'s view of an outcome (without the report's prose).
pub fn summary(goal: &Goal, o: &Outcome) -> Value {
    let v = |x: Option<f64>| x.map(|x| goal.value(x));
    let interval = o.interval(goal);
    let evaluated = o.points.len().max(1);
    let per_point = o.runs.div_ceil(evaluated);
    json!({
        "scenario": goal.name,
        "description": goal.description,
        "base_seed": goal.base_seed,
        "seed_rule": "replication r of every candidate uses seed derive_seed(base_seed, \"replication/r\") (common random numbers), as in a sweep",
        "plan": goal.definition(),
        "status": o.status.as_str(),
        "direction": o.direction.map(Direction::as_str),
        "answer": v(o.answer),
        "answer_base_units": o.answer.map(|a| a * goal.unit_factor),
        "interval": interval.map(|(a, b)| [goal.value(a), goal.value(b)]),
        "interval_failing_end_decided": o.decided_fail.is_some(),
        "search_bracket": o.answer.zip(o.search_fail).map(|(a, f)| [goal.value(a.min(f)), goal.value(a.max(f))]),
        "points_evaluated": o.points.len(),
        "runs": o.runs,
        "grid_comparison": {
            "points": goal.grid_points(),
            "runs_per_point": per_point,
            "runs": goal.grid_points() * per_point as u64,
            "rule": "a grid from LO to HI at the resolution, each point with the plan's mean runs per evaluated point (rounded up)",
        },
        "points": o.points.iter().map(|p| json!({
            "order": p.order,
            "value": p.value,
            "runs": p.runs,
            "n": p.n,
            "mean": p.mean,
            "sd": p.sd,
            "ci_low": p.low,
            "ci_high": p.high,
            "decision": p.decision.as_str(),
        })).collect::<Vec<_>>(),
    })
}
