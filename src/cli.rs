//! The command line: parses arguments, wires the library together, and turns
//! failures into messages and exit codes. The only place that uses `anyhow`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::model::{simulate, RunMeta};
use crate::report::{self, BackupWindow, ReportData, ReportError, ReportOptions, ResultContext};
use crate::scenario;
use crate::sweep::{self, run_sweep, Plan, Shard, SweepError, SweepOptions};
use std::io::IsTerminal;

/// snapsim: simulate incremental block-volume snapshots (EBS style) and
/// answer capacity-planning questions about them.
#[derive(Debug, Parser)]
#[command(name = "snapsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and write its results.
    Run {
        /// The scenario file (JSON).
        scenario: PathBuf,
        /// Output directory [default: results/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Base seed, overriding the scenario's `seed`.
        #[arg(long)]
        seed: Option<u64>,
        /// Track block versions and check that every completed snapshot
        /// holds exactly the volume's contents at its point in time.
        #[arg(long)]
        verify: bool,
        /// Run even beyond the work limit (2e10 simulated operations, about
        /// half an hour) and with a 64 GiB memory budget instead of 8 GiB.
        #[arg(long)]
        allow_large: bool,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
        /// Write only the result files: no charts, no report.
        #[arg(long)]
        no_report: bool,
        /// Backup window to count in the report: daily clock times in UTC
        /// (`01:00-05:00`, may cross midnight: `22:00-04:00`), or a
        /// duration from each request (`4h`, also drawn on the duration
        /// chart).
        #[arg(long, value_name = "WINDOW", value_parser = parse_window)]
        backup_window: Option<BackupWindow>,
        /// Rows of the terminal table: `group` (one per volume group and
        /// the fleet) or `volume`; default: per volume up to 12 volumes,
        /// per group beyond.
        #[arg(long, value_name = "ROWS", value_parser = ["group", "volume"])]
        by: Option<String>,
    },
    /// Rebuild the charts and the report from the saved results in DIR,
    /// without simulating.
    Report {
        /// A results directory written by `snapsim run`.
        dir: PathBuf,
        /// Backup window, as given to `run` (`01:00-05:00` in UTC, or a
        /// duration such as `4h`).
        #[arg(long, value_name = "WINDOW", value_parser = parse_window)]
        backup_window: Option<BackupWindow>,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Accept runs beyond the work limit (2e10 simulated operations, about
        /// half an hour) and with a 64 GiB memory budget instead of 8 GiB.
        #[arg(long)]
        allow_large: bool,
    },
    /// Run a scenario's sweep: every point and replication, in parallel.
    Sweep {
        /// The scenario file (JSON) with a "sweep" section.
        scenario: PathBuf,
        /// Worker threads, 1 to 1024 [default: one per core].
        #[arg(long, value_parser = parse_threads)]
        threads: Option<usize>,
        /// Output directory [default: results/<scenario name>-sweep].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Run only shard I of N (0-based), e.g. 0/4; merge the shard
        /// directories with `snapsim merge`.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Continue the sweep recorded in DIR/runs.jsonl, running only the
        /// runs it lacks.
        #[arg(long)]
        resume: bool,
        /// Stop at the first failed run.
        #[arg(long)]
        fail_fast: bool,
        /// Run every point even beyond the work limit (2e10 simulated operations, about
        /// half an hour, per run; 2e12 for the whole sweep) and with a 64 GiB memory budget instead of 8 GiB.
        #[arg(long)]
        allow_large: bool,

        /// Print nothing on success, and no progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Rank the unknowns of the assumptions ledger by how much they move
    /// the answers: each at the low and the high end of its range, one at a
    /// time, with replications, in parallel and resumable like `sweep`.
    Sensitivity {
        /// The scenario file (JSON); its `sensitivity` section, if any,
        /// narrows or adds ranges.
        scenario: PathBuf,
        /// A metric to rank by (repeatable) [default:
        /// time_pending_p95_seconds, fraction_completed, stored_bytes_final,
        /// storage_cost_usd].
        #[arg(long = "metric", value_name = "M")]
        metrics: Vec<String>,
        /// Replications per setting, 1 to 1000.
        #[arg(long, default_value_t = crate::sensitivity::DEFAULT_REPLICATIONS,
              value_parser = clap::value_parser!(u32).range(1..=1000))]
        replications: u32,
        /// Add R Morris trajectories (a global screening for interactions)
        /// to the one-at-a-time design, 0 to 1000 [default: 0, none].
        #[arg(long, value_name = "R", default_value_t = 0,
              value_parser = clap::value_parser!(u32).range(0..=1000))]
        morris: u32,
        /// Worker threads, 1 to 1024 [default: one per core].
        #[arg(long, value_parser = parse_threads)]
        threads: Option<usize>,
        /// Output directory [default: results/<scenario name>-sensitivity].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue the study recorded in DIR/runs.jsonl.
        #[arg(long)]
        resume: bool,
        /// Run even beyond the work limits (as for `sweep`).
        #[arg(long)]
        allow_large: bool,
        /// Print nothing on success, and no progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Find the value of one scenario parameter at which a target on a
    /// sweep metric switches from failing to holding, at a confidence, by
    /// bisection over replicated runs (resumable like `sweep`).
    Plan {
        /// The scenario file (JSON).
        scenario: PathBuf,
        /// The parameter, a JSON path as a sweep names it, e.g.
        /// transfer.pools[0].rate.
        #[arg(long, value_name = "PATH")]
        find: String,
        /// The range searched: two numbers, or two quantities with one unit
        /// each (100MiB/s 4GiB/s, 1h 24h).
        #[arg(long, num_args = 2, value_names = ["LO", "HI"], allow_hyphen_values = true)]
        between: Vec<String>,
        /// 'METRIC OP VALUE' with a sweep metric and OP one of <, <=, >, >=,
        /// e.g. 'fraction_completed_within_deadline >= 0.99'.
        #[arg(long, value_name = "TARGET", allow_hyphen_values = true)]
        target: String,
        /// Confidence of each decision, strictly between 0 and 1.
        #[arg(long, default_value_t = crate::goal::DEFAULT_CONFIDENCE, allow_hyphen_values = true)]
        confidence: f64,
        /// Stop when the bracket is at most this wide (a number, or a
        /// quantity of the parameter's kind) [default: 1 % of HI − LO].
        #[arg(long)]
        resolution: Option<String>,
        /// Most runs per evaluated value (rounds of 5) [default: 30].
        #[arg(long, default_value_t = crate::goal::DEFAULT_MAX_RUNS)]
        max_runs: u32,
        /// Backup window for fraction_completed_within_deadline (4h, or
        /// 01:00-05:00 in UTC) [default: the scenario's sweep.deadline].
        #[arg(long, value_name = "WINDOW")]
        deadline: Option<String>,
        /// Worker threads, 1 to 1024 [default: one per core].
        #[arg(long, value_parser = parse_threads)]
        threads: Option<usize>,
        /// Output directory [default: results/<scenario name>-plan].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Continue the plan recorded in DIR/runs.jsonl.
        #[arg(long)]
        resume: bool,
        /// Run even beyond the work limits (as for `sweep`).
        #[arg(long)]
        allow_large: bool,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Merge shard directories of one sweep into the files a single-process
    /// sweep writes.
    Merge {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// The shards' output directories.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
    },
    /// Print the JSON Schema of the scenario format.
    Schema,
    /// Build a scenario from saved AWS CLI JSON output (files only; nothing
    /// is fetched): volumes, CloudWatch metrics, DLM policies, snapshot
    /// history. Writes the scenario and `import.md` beside it.
    Import {
        /// `aws ec2 describe-volumes` output; several pages merge.
        #[arg(long, required = true, num_args = 1..)]
        volumes: Vec<PathBuf>,
        /// `aws cloudwatch get-metric-data` output, or `get-metric-statistics`
        /// output as `vol-ID=FILE` (or with the volume id in the file name).
        #[arg(long, num_args = 1..)]
        metrics: Vec<String>,
        /// `aws dlm get-lifecycle-policy` output, one file per policy.
        #[arg(long, num_args = 1..)]
        policies: Vec<PathBuf>,
        /// `aws ec2 describe-snapshots` output; several pages merge.
        #[arg(long, num_args = 1..)]
        snapshots: Vec<PathBuf>,
        /// Written share of each volume, 0 to 1 (with
        /// --used-from-snapshots: for volumes without a snapshot size).
        #[arg(long, value_name = "FRACTION")]
        used: Option<f64>,
        /// Used bytes from each volume's newest completed snapshot's
        /// FullSnapshotSizeInBytes.
        #[arg(long)]
        used_from_snapshots: bool,
        /// Spatial pattern of writes: uniform (default), sequential,
        /// zipf:EXPONENT or hotspot:IO_PERCENT:SPACE_PERCENT.
        #[arg(long, default_value = "uniform")]
        pattern: String,
        /// Group volumes into `count` entries by these keys: type, az,
        /// region, policy, tag:NAME (comma-separated).
        #[arg(long, value_name = "KEYS")]
        group_by: Option<String>,
        /// Write-rate fit: daily (24 hourly means, default) or steps (every
        /// metric period replayed).
        #[arg(long, default_value = "daily", value_parser = ["daily", "steps"])]
        fit: String,
        /// Metric period (e.g. 300s) [default: from the timestamps].
        #[arg(long)]
        period: Option<String>,
        /// Horizon without metrics (e.g. 7d) [default: 1d].
        #[arg(long)]
        duration: Option<String>,
        /// Scenario name [default: the file name of --out].
        #[arg(long)]
        name: Option<String>,
        /// The scenario file to write; `import.md` goes beside it.
        #[arg(long, default_value = "imported.json")]
        out: PathBuf,
        /// Simulate the imported scenario (nothing else is written) and
        /// report its time pending beside the observed one.
        #[arg(long)]
        compare: bool,
        /// Also write each volume's read rate and size (VolumeReadOps,
        /// VolumeReadBytes) as a read stream, and run at IO fidelity, where
        /// reads and writes queue at the volume (latency while snapshots are
        /// pending); every IO is then simulated.
        #[arg(long)]
        reads: bool,
        /// Print nothing on success.
        #[arg(long, short)]
        quiet: bool,
    },
}

/// Exit status for a failure: 2 for bad input, 3 for a failed verification,
/// 1 for anything else.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code.
    pub code: i32,
    /// The error chain.
    pub error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure {
            code: 1,
            error: e.into(),
        }
    }
}

fn sweep_failure(e: SweepError) -> Failure {
    Failure {
        code: if e.is_bad_input() { 2 } else { 1 },
        error: e.into(),
    }
}

fn bad_input(error: anyhow::Error) -> Failure {
    Failure { code: 2, error }
}

/// A publishing failure: exit code 2 when the target is refused (not a
/// results folder), 1 when the file system fails.
fn output_failure(e: report::OutputError, context: String) -> Failure {
    Failure {
        code: if e.is_bad_input() { 2 } else { 1 },
        error: anyhow::Error::new(e).context(context),
    }
}

/// Most worker threads `sweep --threads` accepts. More threads than runs
/// or cores only cost memory; 1024 leaves room for the largest machines.
pub const MAX_THREADS: usize = 1024;

/// A `--threads` value: a whole number from 1 to [`MAX_THREADS`].
fn parse_threads(text: &str) -> Result<usize, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let fix = format!("use 1 to {MAX_THREADS} (this machine has {cores} cores; without --threads, one thread per core)");
    match text.trim().parse::<u128>() {
        Ok(n) if (1..=MAX_THREADS as u128).contains(&n) => Ok(n as usize),
        Ok(n) => Err(format!("{n} threads is out of range; {fix}")),
        Err(_) => Err(format!(
            "\"{text}\" is not a whole number of threads; {fix}"
        )),
    }
}

/// Runs the parsed command; `command` is the command line it was parsed
/// from, as [`command_line`] quotes it, recorded in the results.
///
/// # Errors
/// A [`Failure`] carrying the exit code and the error chain to print.
pub fn run(cli: Cli, command: &str) -> std::result::Result<(), Failure> {
    match cli.command {
        Command::Run {
            scenario,
            out,
            seed,
            verify,
            allow_large,
            quiet,
            no_report,
            backup_window,
            by,
        } => {
            let report = (!no_report).then_some(ReportOptions {
                backup_window,
                folder: None,
            });
            let rows = match by.as_deref() {
                Some("volume") => Some(true),
                Some(_) => Some(false),
                None => None,
            };
            let flags = RunFlags {
                seed,
                checks: Checks {
                    verify,
                    allow_large,
                },
                quiet,
                by_volume: rows,
            };
            run_scenario(&scenario, out, &flags, report, command)
        }
        Command::Report {
            dir,
            backup_window,
            quiet,
        } => rebuild_report(
            &dir,
            &ReportOptions {
                backup_window,
                folder: Some(dir.display().to_string()),
            },
            quiet,
        ),
        Command::Validate { files, allow_large } => validate(&files, allow_large),
        Command::Sweep {
            scenario,
            threads,
            out,
            shard,
            resume,
            fail_fast,
            allow_large,
            quiet,
        } => {
            let shard = shard
                .as_deref()
                .map(Shard::parse)
                .transpose()
                .map_err(sweep_failure)?;
            let mut plan = Plan::load(&scenario).map_err(sweep_failure)?;
            plan.allow_large = allow_large;
            // Refuse what no run would accept before creating the folder.
            plan.estimate().map_err(sweep_failure)?;
            let out =
                out.unwrap_or_else(|| Path::new("results").join(format!("{}-sweep", plan.name)));
            report::atomic::prepare(&out)
                .map_err(|e| output_failure(e, format!("preparing {}", out.display())))?;
            let opts = SweepOptions {
                threads,
                out: out.clone(),
                shard,
                resume,
                fail_fast,
                progress: !quiet && std::io::stderr().is_terminal(),
            };
            let started = Instant::now();
            let r = run_sweep(&plan, &opts).map_err(sweep_failure)?;
            if !quiet {
                println!(
                    "sweep {}: {} points, {} runs ({} computed now, {} from runs.jsonl, {} failed) in {:.3} s",
                    plan.name,
                    r.points,
                    r.runs,
                    r.computed,
                    r.reused,
                    r.failed,
                    started.elapsed().as_secs_f64()
                );
                println!(
                    "results: {}/{{{}}}",
                    out.display(),
                    sweep::output::FILE_NAMES.join(",")
                );
            }
            if r.failed > 0 {
                eprintln!(
                    "warning: {} of {} runs failed; see the status and error columns of runs.csv",
                    r.failed, r.runs
                );
            }
            Ok(())
        }
        Command::Sensitivity {
            scenario,
            metrics,
            replications,
            morris,
            threads,
            out,
            resume,
            allow_large,
            quiet,
        } => {
            let study = SensitivityArgs {
                scenario,
                metrics,
                replications,
                morris,
                threads,
                out,
                resume,
                allow_large,
                quiet,
            };
            run_sensitivity(&study, command)
        }
        Command::Plan {
            scenario,
            find,
            between,
            target,
            confidence,
            resolution,
            max_runs,
            deadline,
            threads,
            out,
            resume,
            allow_large,
            quiet,
        } => {
            let args = crate::goal::GoalArgs {
                find,
                lo: between.first().cloned().unwrap_or_default(),
                hi: between.get(1).cloned().unwrap_or_default(),
                target,
                confidence,
                resolution,
                max_runs,
                deadline,
                allow_large,
            };
            run_plan(&scenario, &args, threads, out, resume, quiet)
        }
        Command::Merge { out, shards } => {
            report::atomic::check(&out)
                .map_err(|e| output_failure(e, format!("merging into {}", out.display())))?;
            let r = sweep::merge(&out, &shards).map_err(sweep_failure)?;
            println!(
                "merged {} shards of {}: {} runs into {}/{{{}}}",
                r.shards,
                r.scenario,
                r.runs,
                out.display(),
                sweep::output::FILE_NAMES.join(",")
            );
            Ok(())
        }
        Command::Import {
            volumes,
            metrics,
            policies,
            snapshots,
            used,
            used_from_snapshots,
            pattern,
            group_by,
            fit,
            period,
            duration,
            name,
            out,
            compare,
            reads,
            quiet,
        } => {
            let args = ImportArgs {
                volumes,
                metrics,
                policies,
                snapshots,
                used,
                used_from_snapshots,
                pattern,
                group_by,
                fit,
                period,
                duration,
                name,
                out,
                compare,
                reads,
                quiet,
            };
            run_import(args, command)
        }
        Command::Schema => {
            let schema = serde_json::to_string_pretty(&scenario::json_schema())?;
            println!("{schema}");
            Ok(())
        }
    }
}

/// The options of `snapsim import`.
struct ImportArgs {
    volumes: Vec<PathBuf>,
    metrics: Vec<String>,
    policies: Vec<PathBuf>,
    snapshots: Vec<PathBuf>,
    used: Option<f64>,
    used_from_snapshots: bool,
    pattern: String,
    group_by: Option<String>,
    fit: String,
    period: Option<String>,
    duration: Option<String>,
    name: Option<String>,
    out: PathBuf,
    compare: bool,
    reads: bool,
    quiet: bool,
}

/// A `--period` or `--duration` value in whole seconds.
fn import_seconds(flag: &str, text: &str) -> Result<i64, Failure> {
    let d = scenario::units::parse_duration(text)
        .map_err(|e| bad_input(anyhow::anyhow!("--{flag}: {e}")))?;
    let ns = d.0;
    if ns == 0 || ns % 1_000_000_000 != 0 {
        return Err(bad_input(anyhow::anyhow!(
            "--{flag} \"{text}\" must be a positive whole number of seconds, e.g. 300s"
        )));
    }
    i64::try_from(ns / 1_000_000_000)
        .map_err(|_| bad_input(anyhow::anyhow!("--{flag} \"{text}\" is too long")))
}

/// `snapsim import`: reads the files, writes the scenario and `import.md`
/// beside it, each through a temporary file renamed into place, and only
/// once everything has been read and checked (on error nothing is
/// written).
fn run_import(a: ImportArgs, command: &str) -> std::result::Result<(), Failure> {
    use crate::import::{self, metrics::Fit, metrics::MetricsFile, Options, Pattern, Used};
    let bad = |e: import::ImportError| bad_input(e.into());
    let name = match a.name {
        Some(n) => n,
        None => a
            .out
            .file_stem()
            .map(|s| import::group::sanitize(&s.to_string_lossy()))
            .unwrap_or_else(|| "imported".into()),
    };
    let opts = Options {
        volumes: a.volumes,
        metrics: a.metrics.iter().map(|m| MetricsFile::parse(m)).collect(),
        policies: a.policies,
        snapshots: a.snapshots,
        used: Used {
            fraction: a.used,
            from_snapshots: a.used_from_snapshots,
        },
        pattern: Pattern::parse(&a.pattern).map_err(bad)?,
        group_by: match &a.group_by {
            Some(k) => import::group::parse_keys(k).map_err(bad)?,
            None => Vec::new(),
        },
        fit: if a.fit == "steps" {
            Fit::Steps
        } else {
            Fit::Daily
        },
        period: a
            .period
            .as_deref()
            .map(|p| import_seconds("period", p))
            .transpose()?,
        duration: a
            .duration
            .as_deref()
            .map(|p| import_seconds("duration", p))
            .transpose()?,
        name,
        compare: a.compare,
        reads: a.reads,
        command: command.to_string(),
    };
    let started = Instant::now();
    let imported = import::import(opts).map_err(bad)?;
    let dir = match a.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let report_path = dir.join("import.md");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    write_atomically(&a.out, imported.scenario.as_bytes())?;
    write_atomically(&report_path, imported.report.as_bytes())?;
    if !a.quiet {
        println!(
            "imported {} in {:.3} s",
            imported.summary,
            started.elapsed().as_secs_f64()
        );
        println!("wrote {} and {}", a.out.display(), report_path.display());
    }
    Ok(())
}

/// Writes `path` through a temporary file beside it, flushed and renamed
/// into place, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::result::Result<(), Failure> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::from(anyhow::Error::new(e).context(format!("writing {}", path.display())))
    })
}

/// The options of `snapsim sensitivity`.
struct SensitivityArgs {
    scenario: PathBuf,
    metrics: Vec<String>,
    replications: u32,
    morris: u32,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    allow_large: bool,
    quiet: bool,
}

fn sensitivity_failure(e: crate::sensitivity::SensitivityError) -> Failure {
    Failure {
        code: if e.is_bad_input() { 2 } else { 1 },
        error: e.into(),
    }
}

fn run_sensitivity(a: &SensitivityArgs, command: &str) -> std::result::Result<(), Failure> {
    use crate::sensitivity::effects::{effects, screenings};
    use crate::sensitivity::Design;
    let sc = scenario::load(&a.scenario).map_err(|e| bad_input(e.into()))?;
    let origin = a.scenario.display().to_string();
    let design = Design::new(
        &sc,
        &origin,
        a.replications,
        &a.metrics,
        a.morris,
        a.allow_large,
    )
    .map_err(sensitivity_failure)?;
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(format!("{}-sensitivity", sc.name)));
    report::atomic::prepare(&out)
        .map_err(|e| output_failure(e, format!("preparing {}", out.display())))?;
    let opts = SweepOptions {
        threads: a.threads,
        out: out.clone(),
        shard: None,
        resume: a.resume,
        fail_fast: false,
        progress: !a.quiet && std::io::stderr().is_terminal(),
    };
    let started = Instant::now();
    let r = run_sweep(&design.plan, &opts).map_err(sweep_failure)?;
    let journal = sweep::record::read_journal(&out.join("runs.jsonl")).map_err(sweep_failure)?;
    let found = effects(&design, &journal.records);
    let screened = screenings(&design, &journal.records);
    let files = report::sensitivity::sensitivity_files(&design, &found, &screened, command)
        .context("drawing the tornado charts")?;
    report::atomic::write_files(&out, &files)
        .map_err(|e| output_failure(e, format!("writing into {}", out.display())))?;
    if !a.quiet {
        println!(
            "sensitivity {}: {} factors, {} settings, {} runs ({} failed) in {:.3} s",
            sc.name,
            design.factors.len(),
            r.points,
            r.runs,
            r.failed,
            started.elapsed().as_secs_f64()
        );
        for m in &design.metrics {
            let top: Vec<String> = found
                .iter()
                .filter(|e| e.metric == *m)
                .take(3)
                .map(|e| {
                    format!(
                        "{} {}",
                        e.factor,
                        e.swing
                            .map_or_else(|| "n/a".into(), |s| format!("{s:+.4e}"))
                    )
                })
                .collect();
            println!("  {m}: swing by factor, largest first: {}", top.join("; "));
        }
        println!(
            "results: {}/{{sensitivity.md,sensitivity.html,sensitivity.csv,sensitivity.json,tornado-*.png}} and the sweep files",
            out.display()
        );
    }
    Ok(())
}

fn goal_failure(e: crate::goal::GoalError) -> Failure {
    Failure {
        code: if e.is_bad_input() { 2 } else { 1 },
        error: e.into(),
    }
}

/// The command that reproduces a plan's files: its scenario and every
/// setting that changes them (not --threads, --out, --resume or --quiet,
/// which do not), so the files are the same bytes at any thread count.
fn plan_command(scenario: &Path, a: &crate::goal::GoalArgs) -> String {
    use report::document::shell_word;
    let mut words = vec![
        "snapsim".to_string(),
        "plan".to_string(),
        shell_word(&scenario.display().to_string()),
        "--find".to_string(),
        shell_word(&a.find),
        "--between".to_string(),
        shell_word(&a.lo),
        shell_word(&a.hi),
        "--target".to_string(),
        shell_word(&a.target),
    ];
    if a.confidence != crate::goal::DEFAULT_CONFIDENCE {
        words.extend(["--confidence".to_string(), a.confidence.to_string()]);
    }
    if let Some(r) = &a.resolution {
        words.extend(["--resolution".to_string(), shell_word(r)]);
    }
    if a.max_runs != crate::goal::DEFAULT_MAX_RUNS {
        words.extend(["--max-runs".to_string(), a.max_runs.to_string()]);
    }
    if let Some(d) = &a.deadline {
        words.extend(["--deadline".to_string(), shell_word(d)]);
    }
    if a.allow_large {
        words.push("--allow-large".to_string());
    }
    words.join(" ")
}

fn run_plan(
    scenario: &Path,
    args: &crate::goal::GoalArgs,
    threads: Option<usize>,
    out: Option<PathBuf>,
    resume: bool,
    quiet: bool,
) -> std::result::Result<(), Failure> {
    use crate::goal::{search, Goal, GoalOptions, Status};
    let sc = scenario::load(scenario).map_err(|e| bad_input(e.into()))?;
    let origin = scenario.display().to_string();
    // Every argument and both ends are checked before anything is written.
    let goal = Goal::new(&sc, &origin, args).map_err(goal_failure)?;
    let out = out.unwrap_or_else(|| Path::new("results").join(format!("{}-plan", sc.name)));
    report::atomic::prepare(&out)
        .map_err(|e| output_failure(e, format!("preparing {}", out.display())))?;
    let started = Instant::now();
    let outcome = search(
        &goal,
        &GoalOptions {
            threads,
            out: out.clone(),
            resume,
        },
    )
    .map_err(goal_failure)?;
    let command = plan_command(scenario, args);
    let files =
        report::plan::plan_files(&goal, &outcome, &command).context("drawing the plan chart")?;
    report::atomic::write_files(&out, &files)
        .map_err(|e| output_failure(e, format!("writing into {}", out.display())))?;
    let sentence = report::plan::answer_sentence(&goal, &outcome).replace("**", "");
    if !quiet {
        println!(
            "plan {}: {} points, {} runs ({} computed now, {} from runs.jsonl) in {:.3} s",
            sc.name,
            outcome.points.len(),
            outcome.runs,
            outcome.computed,
            outcome.reused,
            started.elapsed().as_secs_f64()
        );
        println!("{sentence}");
        println!(
            "results: {}/{{plan.md,plan.html,plan.csv,plan.json,plan.png,plan.svg,runs.jsonl}}",
            out.display()
        );
    }
    if outcome.status != Status::Found {
        return Err(Failure {
            code: 1,
            error: anyhow::anyhow!(
                "no switch point in the range ({}); the evaluated points are in {}/plan.csv",
                outcome.status.as_str(),
                out.display()
            ),
        });
    }
    Ok(())
}

/// The run options that change what the model checks.
#[derive(Clone, Copy, Debug)]
struct Checks {
    /// `--verify`.
    verify: bool,
    /// `--allow-large`.
    allow_large: bool,
}

/// The flags of `snapsim run` besides the paths and the report options.
#[derive(Clone, Copy, Debug)]
struct RunFlags {
    seed: Option<u64>,
    checks: Checks,
    quiet: bool,
    /// Terminal table rows: per volume (`Some(true)`), per group, or by size.
    by_volume: Option<bool>,
}

fn run_scenario(
    path: &Path,
    out: Option<PathBuf>,
    flags: &RunFlags,
    report: Option<ReportOptions>,
    command: &str,
) -> std::result::Result<(), Failure> {
    let RunFlags {
        seed,
        checks,
        quiet,
        by_volume,
    } = *flags;
    let sc = scenario::load(path).map_err(|e| bad_input(e.into()))?;
    if sc.source.get("sweep").is_some() {
        eprintln!(
            "note: {} has a sweep section; `snapsim run` simulates the base scenario only (use `snapsim sweep` for the sweep)",
            path.display()
        );
    }
    if !quiet {
        report_traces(&sc.config);
        print_warnings(path, &sc.warnings);
    }
    let assumptions = scenario::assumptions::ledger(&sc);
    let warnings: Vec<String> = sc.warnings.iter().map(ToString::to_string).collect();
    let mut cfg = sc.config;
    if let Some(s) = seed {
        cfg.seed = s;
    }
    cfg.verify = checks.verify;
    cfg.allow_large |= checks.allow_large;
    let out = out.unwrap_or_else(|| Path::new("results").join(&sc.name));
    // Refuse a foreign folder before simulating, not after.
    report::atomic::check(&out)
        .map_err(|e| output_failure(e, format!("{} cannot be run", path.display())))?;
    let meta = RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions,
        measurements: sc.measurements.clone(),
    };
    let started = Instant::now();
    let mut result = simulate(cfg, meta).map_err(|e| {
        bad_input(anyhow::Error::new(e).context(format!("{} is refused", path.display())))
    })?;
    let wall = started.elapsed();
    result.summary.command = Some(command.to_string());
    let mut files =
        report::result_files_with_warnings(&result, ResultContext { start: sc.start }, &warnings);
    if let Some(mut opts) = report {
        opts.folder = Some(out.display().to_string());
        // From the bytes about to be written, as `snapsim report` reads them.
        let extra = report::build_report(&files, &opts)
            .context("building the charts and report from the results")?;
        files.extend(extra);
    }
    report::publish(&out, &files)
        .map_err(|e| output_failure(e, format!("writing the results to {}", out.display())))?;
    if !quiet {
        let by_volume =
            by_volume.unwrap_or(result.summary.volumes.len() <= report::table::GROUP_ROWS_ABOVE);
        print!(
            "{}",
            report::table::summary_table(&result.summary, wall, by_volume)
        );
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        println!("results: {}/{{{}}}", out.display(), names.join(","));
    }
    if let Some(v) = &result.summary.verification {
        if v.mismatched_snapshots > 0 {
            return Err(Failure {
                code: 3,
                error: anyhow::anyhow!(
                    "verification failed: {} of {} completed snapshots differ from the volume at their point in time ({} blocks); results were written to {}",
                    v.mismatched_snapshots,
                    v.snapshots_checked,
                    v.mismatched_blocks,
                    out.display()
                ),
            });
        }
    }
    Ok(())
}

/// `snapsim report DIR`: charts and report from saved results, written
/// atomically into DIR; bad or missing results exit with code 2 and write
/// nothing.
fn rebuild_report(
    dir: &Path,
    opts: &ReportOptions,
    quiet: bool,
) -> std::result::Result<(), Failure> {
    let inputs = ReportData::read_dir(dir).map_err(|e| bad_input(e.into()))?;
    let files = report::build_report(&inputs, opts).map_err(|e| match e {
        ReportError::Load(e) => bad_input(
            anyhow::Error::new(e).context(format!("{} holds no valid results", dir.display())),
        ),
        other => Failure::from(other),
    })?;
    report::write_files(dir, &files)
        .map_err(|e| output_failure(e, format!("writing the report into {}", dir.display())))?;
    if !quiet {
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        println!("report: {}/{{{}}}", dir.display(), names.join(","));
    }
    Ok(())
}

/// A `--backup-window` value: clock times (`01:00-05:00`, UTC) or a
/// duration in the scenario format.
fn parse_window(text: &str) -> Result<BackupWindow, String> {
    scenario::backup_window::parse_backup_window(text).map_err(|e| e.problem)
}

/// The command line `args` (program first) as one shell-quoted line, the
/// program named `snapsim` whatever path started it, so the results of the
/// same command are the same bytes on every machine.
pub fn command_line(args: &[std::ffi::OsString]) -> String {
    std::iter::once("snapsim".to_string())
        .chain(
            args.iter()
                .skip(1)
                .map(|a| report::document::shell_word(&a.to_string_lossy())),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Prints what the first pass over each trace found (IOs, skipped lines)
/// on stderr, once per trace shared by `count` copies.
fn report_traces(cfg: &crate::model::config::SimConfig) {
    let mut seen: Vec<*const ()> = Vec::new();
    for v in &cfg.volumes {
        if let Some(t) = &v.trace {
            let p = std::sync::Arc::as_ptr(t).cast::<()>();
            if !seen.contains(&p) {
                seen.push(p);
                eprintln!("trace: volume '{}': {}", v.name, t.describe());
            }
        }
    }
}

/// Prints the scenario's warnings on stderr, one line each.
fn print_warnings(path: &Path, warnings: &[scenario::Warning]) {
    for w in warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
}

fn validate(files: &[PathBuf], allow_large: bool) -> std::result::Result<(), Failure> {
    let mut bad = 0;
    for f in files {
        let loaded = scenario::load(f).and_then(|sc| {
            let origin = f.display().to_string();
            scenario::sweep_definition(&sc.source, &origin).map(|def| (sc, def))
        });
        match loaded {
            Ok((mut sc, def)) => {
                sc.config.allow_large |= allow_large;
                // The same resource guard as `run`: validate refuses exactly
                // what run would refuse.
                let plan = match crate::model::plan(&sc.config) {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("error: {}: {e}", f.display());
                        bad += 1;
                        continue;
                    }
                };
                let sweep = match def {
                    None => String::new(),
                    Some(d) => {
                        // Every point as `sweep` plans it.
                        let estimate =
                            Plan::from_source(sc.source.clone(), &f.display().to_string())
                                .and_then(|mut p| {
                                    p.allow_large = allow_large;
                                    p.estimate()
                                });
                        match estimate {
                            Ok(e) => format!(
                                ", sweep of {} points and up to {} runs, about {:.1e} simulated operations in all",
                                d.points(),
                                e.runs,
                                e.work as f64
                            ),
                            Err(e) => {
                                eprintln!("error: {e}");
                                bad += 1;
                                continue;
                            }
                        }
                    }
                };
                report_traces(&sc.config);
                print_warnings(f, &sc.warnings);
                let n = sc.config.volumes.len();
                println!(
                    "ok: {} ({}, {} volume{}, {}, about {} MiB and {:.1e} simulated operations{sweep})",
                    f.display(),
                    sc.name,
                    n,
                    if n == 1 { "" } else { "s" },
                    plan.method.describe(),
                    plan.memory.total().div_ceil(1 << 20),
                    plan.work.total() as f64,
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        return Err(bad_input(anyhow::anyhow!(
            "{bad} of {} scenario file(s) are invalid",
            files.len()
        )));
    }
    Ok(())
}

/// Parses arguments and runs; returns the process exit code.
pub fn main_with_args() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = Cli::parse_from(&args);
    match run(cli, &command_line(&args)) {
        Ok(()) => 0,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            f.code
        }
    }
}
