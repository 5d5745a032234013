//! Runs a sweep (or one shard of it) on a rayon pool: round by round (see
//! [`super::rounds`]), each finished run reduced at once to its record and
//! appended durably to `runs.jsonl`, then the final files written
//! atomically from the journal. With `resume`, runs already in the journal
//! are not run again.
//!
//! Memory stays flat in the number of runs: a run's `RunResult` is dropped
//! as soon as its metrics row is taken, and only the decision metric of
//! sequential replications is kept in memory until the end, when the
//! journal is read back to write the final files.

use super::error::SweepError;
use super::output::write_final;
use super::plan::Plan;
use super::record::{read_journal, Appender, RunStatus, Shard};
use super::rounds::{Rounds, RunKey};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    /// Output directory.
    pub out: PathBuf,
    /// Run only this shard.
    pub shard: Option<Shard>,
    /// Continue from the journal in `out`.
    pub resume: bool,
    /// Stop at the first failed run.
    pub fail_fast: bool,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What a finished sweep did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepReport {
    /// Points of the sweep (all shards).
    pub points: usize,
    /// Runs in the final files.
    pub runs: usize,
    /// Runs computed by this process.
    pub computed: u64,
    /// Runs taken from an earlier journal (`--resume`).
    pub reused: usize,
    /// Failed runs in the final files.
    pub failed: usize,
}

/// Runs the sweep and writes its final files into `opts.out`.
///
/// # Errors
/// [`SweepError`]: journal mismatches and IO failures; with `fail_fast`,
/// the first failed run.
pub fn run_sweep(plan: &Plan, opts: &SweepOptions) -> Result<SweepReport, SweepError> {
    let header = plan.header(opts.shard);
    let journal_path = opts.out.join("runs.jsonl");
    let mut done: BTreeMap<RunKey, Option<f64>> = BTreeMap::new();
    let mut rounds = Rounds::new(plan, opts.shard);
    let metric = rounds.metric().map(str::to_string);
    let appender = if journal_path.exists() {
        if !opts.resume {
            return Err(SweepError::ExistingRuns { path: journal_path });
        }
        let journal = read_journal(&journal_path)?;
        if journal.header != header {
            let what = if journal.header.scenario_hash != header.scenario_hash {
                format!(
                    "its runs are of another scenario or sweep (hash {} here, {} now)",
                    journal.header.scenario_hash, header.scenario_hash
                )
            } else {
                format!(
                    "its runs are of shard {:?}, not {:?}",
                    journal.header.shard, header.shard
                )
            };
            return Err(SweepError::ResumeMismatch {
                path: journal_path,
                what,
            });
        }
        for r in &journal.records {
            done.entry(r.key())
                .or_insert_with(|| metric.as_deref().and_then(|m| r.metric(m)));
        }
        Appender::reopen(&journal_path, journal.valid_len)?
    } else {
        std::fs::create_dir_all(&opts.out)
            .map_err(|e| SweepError::io("create directory", &opts.out, e))?;
        Appender::create(&journal_path, &header)?
    };
    let reused_before = done.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.unwrap_or(0))
        .build()
        .map_err(|e| SweepError::ThreadPool {
            threads: opts.threads.unwrap_or(0),
            message: e.to_string(),
        })?;
    let bar = progress_bar(opts.progress, rounds.upper_bound());
    let computed = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let first_failure: Mutex<Option<(RunKey, String)>> = Mutex::new(None);
    let io_error: Mutex<Option<SweepError>> = Mutex::new(None);
    let mut needed: Vec<RunKey> = Vec::new();
    loop {
        let round = rounds.next_round(&|p, r| done.get(&(p, r)).copied().flatten());
        if round.is_empty() {
            break;
        }
        needed.extend(&round);
        let todo: Vec<RunKey> = round
            .into_iter()
            .filter(|k| !done.contains_key(k))
            .collect();
        bar.set_length((needed.len() as u64).max(bar.length().unwrap_or(0)));
        bar.set_position(needed.len() as u64 - todo.len() as u64);
        let results: Mutex<Vec<(RunKey, Option<f64>)>> = Mutex::new(Vec::new());
        pool.install(|| {
            todo.par_iter().for_each(|&(p, r)| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let record = plan.run(p, r);
                if let Err(e) = appender.append(&record) {
                    stop.store(true, Ordering::Relaxed);
                    io_error
                        .lock()
                        .unwrap_or_else(|x| x.into_inner())
                        .get_or_insert(e);
                    return;
                }
                computed.fetch_add(1, Ordering::Relaxed);
                if record.status == RunStatus::Failed {
                    let n = failed.fetch_add(1, Ordering::Relaxed) + 1;
                    bar.set_message(format!("{n} failed"));
                    if opts.fail_fast {
                        stop.store(true, Ordering::Relaxed);
                        let mut first = first_failure.lock().unwrap_or_else(|x| x.into_inner());
                        first.get_or_insert(((p, r), record.error.clone().unwrap_or_default()));
                    }
                }
                let v = metric.as_deref().and_then(|m| record.metric(m));
                results
                    .lock()
                    .unwrap_or_else(|x| x.into_inner())
                    .push(((p, r), v));
                bar.inc(1);
            });
        });
        if let Some(e) = io_error.lock().unwrap_or_else(|x| x.into_inner()).take() {
            bar.abandon();
            return Err(e);
        }
        if let Some(((point, replication), error)) = first_failure
            .lock()
            .unwrap_or_else(|x| x.into_inner())
            .take()
        {
            bar.abandon();
            return Err(SweepError::FailFast {
                point,
                replication,
                error,
                out: opts.out.display().to_string(),
            });
        }
        done.extend(results.into_inner().unwrap_or_else(|x| x.into_inner()));
    }
    bar.finish_and_clear();
    drop(appender);
    let report = finish(plan, &header, &journal_path, &opts.out, &needed)?;
    Ok(SweepReport {
        computed: computed.into_inner(),
        reused: reused_before.min(report.runs),
        ..report
    })
}

/// Reads the journal back, keeps the `needed` runs, and writes the final
/// files.
fn finish(
    plan: &Plan,
    header: &super::record::Header,
    journal: &Path,
    out: &Path,
    needed: &[RunKey],
) -> Result<SweepReport, SweepError> {
    let mut by_key = BTreeMap::new();
    for r in read_journal(journal)?.records {
        by_key.entry(r.key()).or_insert(r);
    }
    let mut records = Vec::with_capacity(needed.len());
    for k in needed {
        match by_key.remove(k) {
            Some(r) => records.push(r),
            None => {
                return Err(SweepError::io(
                    "find every run in",
                    journal,
                    std::io::Error::other(format!(
                        "run {} of point {} is missing after the sweep",
                        k.1, k.0
                    )),
                ))
            }
        }
    }
    records.sort_by_key(|r| r.key());
    write_final(out, plan, header, &records)?;
    Ok(SweepReport {
        points: plan.def.points(),
        runs: records.len(),
        computed: 0,
        reused: 0,
        failed: records
            .iter()
            .filter(|r| r.status == RunStatus::Failed)
            .count(),
    })
}

fn progress_bar(visible: bool, len: u64) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {pos}/{len} runs {msg} [{elapsed_precise}, ETA {eta}]",
    ) {
        bar.set_style(style);
    }
    bar
}
