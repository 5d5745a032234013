//! Why a sweep, a resume or a merge failed. Every message names the file or
//! directory concerned and says how to fix it. [`SweepError::is_bad_input`]
//! tells the command line which failures are the user's input (exit 2).

use crate::report::{OutputError, ReportError};
use crate::scenario::ScenarioError;
use std::path::PathBuf;
use thiserror::Error;

/// A failed sweep, resume or merge.
#[derive(Debug, Error)]
pub enum SweepError {
    /// The scenario or its sweep section is invalid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// A point of the sweep would be refused by `run` (work or memory).
    #[error("{origin}: sweep point {point} ({values}) is refused: {cause}")]
    PointRefused {
        /// The file name.
        origin: String,
        /// 0-based point index.
        point: usize,
        /// Its parameter values.
        values: String,
        /// Why (the model's message, with its fix).
        cause: Box<crate::model::ModelError>,
    },
    /// The sweep as a whole is beyond the work limit.
    #[error("{origin}: the sweep needs about {total} simulated operations over {runs} runs, more than the limit of {limit} (about a day of CPU on 2 cores); use fewer points or replications, shard it over a cluster with --shard, or pass --allow-large (or set \"allow_large\": true) if you mean it")]
    SweepTooLarge {
        /// The file name.
        origin: String,
        /// Estimated operations, in scientific notation.
        total: String,
        /// Runs at most (points × maximum replications).
        runs: u64,
        /// The limit, in scientific notation.
        limit: String,
    },
    /// The scenario has no `sweep` section.
    #[error("{origin}: the scenario has no \"sweep\" section; add one (README, Sweeps) or use `snapsim run`")]
    NoSweep {
        /// The file name.
        origin: String,
    },
    /// `--shard` is malformed.
    #[error("--shard {text}: {problem}; write I/N with 0 <= I < N, e.g. --shard 0/4")]
    BadShard {
        /// As given.
        text: String,
        /// What is wrong.
        problem: String,
    },
    /// The output directory already holds runs and `--resume` was not given.
    #[error("{path} already holds the runs of a sweep; pass --resume to continue it, or remove the directory to start again")]
    ExistingRuns {
        /// The runs.jsonl file.
        path: PathBuf,
    },
    /// `--resume` found runs of another scenario, sweep or shard.
    #[error("{path}: cannot resume: {what}; use another --out directory or remove this one")]
    ResumeMismatch {
        /// The runs.jsonl file.
        path: PathBuf,
        /// What differs.
        what: String,
    },
    /// A runs.jsonl line (not the last) does not parse.
    #[error("{path}: line {line} is not a valid run record ({message}); the file is damaged, remove that line or the directory")]
    CorruptLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// Reading or appending a file failed.
    #[error("cannot {action} {path} ({cause})")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error (in the message, so not chained again).
        cause: std::io::Error,
    },
    /// Writing the final files failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The sweep report could not be built from the final files (a bug or
    /// a broken build; the final files are written already).
    #[error("the sweep's files are written, but not its report: {0}")]
    Report(#[from] ReportError),
    /// Shards that cannot be merged.
    #[error("cannot merge: {0}")]
    Merge(String),
    /// `--fail-fast` stopped the sweep at a failed run.
    #[error("run {replication} of point {point} failed: {error}; stopped (--fail-fast). Finished runs are kept in {out}/runs.jsonl: fix the cause and rerun with --resume")]
    FailFast {
        /// Point index.
        point: usize,
        /// Replication index.
        replication: u32,
        /// The run's error.
        error: String,
        /// The output directory.
        out: String,
    },
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads ({message})")]
    ThreadPool {
        /// Threads requested.
        threads: usize,
        /// rayon's message.
        message: String,
    },
}

impl SweepError {
    /// Whether the failure is bad input (exit code 2) rather than an
    /// environment or run failure.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            SweepError::Scenario(_)
                | SweepError::NoSweep { .. }
                | SweepError::BadShard { .. }
                | SweepError::ExistingRuns { .. }
                | SweepError::ResumeMismatch { .. }
                | SweepError::CorruptLine { .. }
                | SweepError::Merge(_)
                | SweepError::PointRefused { .. }
                | SweepError::SweepTooLarge { .. }
        ) || matches!(self, SweepError::Output(o) if o.is_bad_input())
    }

    pub(crate) fn io(
        action: &'static str,
        path: &std::path::Path,
        cause: std::io::Error,
    ) -> SweepError {
        SweepError::Io {
            action,
            path: path.to_path_buf(),
            cause,
        }
    }
}
