//! Hostile input through the real binary: FIFOs and devices as scenario or
//! trace, over-long lines, a gzip bomb, dates past year 9999, absurd seeds,
//! threads and sizes, schedules that make no sense, and output folders that
//! are not results folders. Every case runs with a time limit ([`LIMIT`])
//! and a memory limit ([`MEMORY_LIMIT`]) and must end with the expected
//! exit code (2: refused, with a message naming the file and where in it;
//! 0: a bounded run), never with a panic, a signal or a hang. Fixtures: `tests/hostile/` (see its README).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longest a case may run before it counts as a hang and is killed.
const LIMIT: Duration = Duration::from_secs(20);

/// Address space each case may use [B]: 8 GiB, the run guard's memory
/// budget. A case that allocates beyond it aborts (a signal), which fails
/// the test like a hang does; the 1,024-thread case reserves about 2 GiB
/// of stacks within it.
const MEMORY_LIMIT: u64 = 8 << 30;

/// The binary, with [`MEMORY_LIMIT`] set on the child before it starts.
fn limited_command() -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(env!("CARGO_BIN_EXE_snapsim"));
    // SAFETY: between fork and exec the closure only calls setrlimit, which
    // is async-signal-safe, and touches no memory of the parent.
    unsafe {
        c.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: MEMORY_LIMIT as libc::rlim_t,
                rlim_max: MEMORY_LIMIT as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    c
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name)
}

/// Exit code (None: killed by a signal), stdout, stderr; kills the process
/// and fails the test after [`LIMIT`].
fn run_limited(args: &[&str], label: &str) -> (Option<i32>, String, String) {
    let mut child = limited_command()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{label}: still running after {LIMIT:?} (a hang): snapsim {args:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    (status.code(), out_t.join().unwrap(), err_t.join().unwrap())
}

/// Runs `args`; the exit code must be `code` and stderr must hold every
/// needle; nothing may panic.
fn expect(label: &str, args: &[&str], code: i32, needles: &[&str]) -> String {
    let (got, out, err) = run_limited(args, label);
    assert!(
        !err.contains("panicked") && got != Some(101),
        "{label}: panicked:\n{err}"
    );
    assert_eq!(
        got,
        Some(code),
        "{label}: exit code (None = killed by a signal)\nstdout: {out}\nstderr: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{label}: stderr lacks {n:?}:\n{err}");
    }
    err
}

/// A scratch folder for outputs; the tests never write beside the fixtures.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// `snapsim run FILE --out <scratch>/out`: exit 2 with the needles, and no
/// output folder left behind.
fn refused_run(file: &Path, needles: &[&str]) {
    let tmp = scratch();
    let out = tmp.path().join("out");
    let f = file.to_str().unwrap();
    let label = file.file_name().unwrap().to_string_lossy().into_owned();
    expect(
        &format!("run {label}"),
        &["run", f, "--out", out.to_str().unwrap(), "--quiet"],
        2,
        needles,
    );
    assert!(
        !out.exists(),
        "{label}: a refused run wrote {}",
        out.display()
    );
    expect(&format!("validate {label}"), &["validate", f], 2, needles);
}

#[test]
fn scenario_files_that_are_not_regular_files_are_refused_at_once() {
    let tmp = scratch();
    let fifo = tmp.path().join("scenario.fifo");
    mkfifo(&fifo);
    refused_run(
        &fifo,
        &["scenario.fifo", "FIFO (named pipe)", "not a regular file"],
    );
    refused_run(Path::new("/dev/zero"), &["/dev/zero", "character device"]);
    refused_run(tmp.path(), &["a directory"]);
    expect("stdin", &["validate", "-"], 2, &["`-` (standard input)"]);
}

#[test]
fn oversized_empty_binary_and_deeply_nested_scenario_files_are_refused() {
    let tmp = scratch();
    let big = tmp.path().join("big.json");
    // Sparse: 17 MiB of zeros that take no disk space.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(17 << 20)
        .unwrap();
    refused_run(&big, &["big.json", "16 MiB"]);
    let empty = tmp.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    refused_run(&empty, &["empty.json", "invalid JSON at line 1"]);
    let binary = tmp.path().join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96]).unwrap();
    refused_run(&binary, &["binary.json", "not UTF-8"]);
    let nested = tmp.path().join("nested.json");
    // `cache` takes any JSON value, so the parser descends until its limit.
    let deep = format!(
        r#"{{"name": "n", "duration": "1h", "volumes": [{{"name": "v", "type": "gp3", "size": "1GiB", "cache": {}}}]}}"#,
        "[".repeat(200_000)
    );
    std::fs::write(&nested, deep).unwrap();
    refused_run(&nested, &["nested.json", "line 1", "recursion limit"]);
}

#[test]
fn dates_beyond_rfc_3339_are_refused_and_the_last_hour_runs() {
    refused_run(
        &fixture("year-9999-start-plus-duration.json"),
        &[
            "year-9999-start-plus-duration.json",
            "start (line 1, column",
            "9999-12-31T23:59:59Z",
            "start at 9999-12-29T23:59:59Z or earlier",
        ],
    );
    refused_run(
        &fixture("year-10000-start.json"),
        &["year-10000-start.json", "start (line 1", "RFC 3339"],
    );
    refused_run(
        &fixture("before-1970-start.json"),
        &["before-1970-start.json", "start (line 1", "RFC 3339"],
    );
    refused_run(
        &fixture("duration-beyond-100-years.json"),
        &["duration (line 1", "100 years"],
    );
    // The last hours of year 9999: stamps up to 9999-12-31T23:00:00Z.
    let tmp = scratch();
    let out = tmp.path().join("out");
    let f = fixture("year-9999-last-hour.json");
    expect(
        "year 9999 last hour",
        &[
            "run",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--no-report",
        ],
        0,
        &[],
    );
    let snaps = std::fs::read_to_string(out.join("snapshots.csv")).unwrap();
    assert!(snaps.contains("9999-12-31T22:50:00.000Z"), "{snaps}");
}

#[test]
fn seeds_outside_u64_get_the_seeds_range() {
    for (file, what) in [
        ("seed-beyond-u64.json", "too large"),
        ("seed-negative.json", "negative"),
        ("seed-fraction.json", "not a whole number"),
    ] {
        refused_run(
            &fixture(file),
            &[file, "seed (line 1", what, "0 to 18446744073709551615"],
        );
    }
    // 1e400 is beyond f64: serde_json stops at the number itself.
    refused_run(
        &fixture("seed-1e400.json"),
        &["seed-1e400.json", "line 1", "number out of range"],
    );
    let f = fixture("volume-never-snapshotted.json");
    let tmp = scratch();
    let out = tmp.path().join("o");
    let (code, _, err) = run_limited(
        &[
            "run",
            f.to_str().unwrap(),
            "--seed",
            "18446744073709551616",
            "--out",
            out.to_str().unwrap(),
        ],
        "--seed beyond u64",
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("18446744073709551616") && !out.exists(),
        "{err}"
    );
}

#[test]
fn absurd_thread_counts_are_refused_with_the_range() {
    let f = fixture("sweep-small.json");
    let tmp = scratch();
    let out = tmp.path().join("sweep");
    for threads in ["0", "1025", "100000", "99999999999999999999999", "many"] {
        expect(
            &format!("--threads {threads}"),
            &[
                "sweep",
                f.to_str().unwrap(),
                "--threads",
                threads,
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ],
            2,
            &["--threads", "1 to 1024"],
        );
        assert!(!out.exists());
    }
    // The bound itself is accepted: a two-point sweep on 1024 threads.
    expect(
        "--threads 1024",
        &[
            "sweep",
            f.to_str().unwrap(),
            "--threads",
            "1024",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        0,
        &[],
    );
    assert!(out.join("runs.csv").is_file() && out.join(".snapsim-results").is_file());
}

#[test]
fn scenarios_too_large_or_malformed_are_refused_with_their_path() {
    for (file, needles) in [
        (
            "count-too-large.json",
            &["volumes[0].count (line 1", "100001", "100000"][..],
        ),
        (
            "too-many-requests.json",
            &["volumes[0].snapshots (line 1", "10,000,000"],
        ),
        ("size-1e30.json", &["volumes[0].size (line 1", "1e30GiB"]),
        (
            "write-rate-absurd.json",
            &["volumes[0].workload.writes.rate", "1e30/s"],
        ),
        ("unknown-key.json", &["sead", "line 1", "spelling"]),
        ("wrong-type.json", &["duration", "line 1", "3600"]),
        (
            "name-path-traversal.json",
            &["name (line 1", "\"../../etc\""],
        ),
        (
            "first-at-past-horizon.json",
            &[
                "volumes[0].snapshots.first_at (line 1",
                "after the scenario duration",
            ],
        ),
    ] {
        let mut all = vec![file];
        all.extend_from_slice(needles);
        refused_run(&fixture(file), &all);
    }
}

/// The trace templates with `TRACE` replaced by `trace`, in `dir`.
fn trace_scenario(dir: &Path, template: &str, trace: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture(template))
        .unwrap()
        .replace("TRACE", trace.to_str().unwrap());
    let p = dir.join(template);
    std::fs::write(&p, text).unwrap();
    p
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

fn gzip(path: &Path, chunks: impl Iterator<Item = Vec<u8>>) {
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::best(),
    );
    for c in chunks {
        enc.write_all(&c).unwrap();
    }
    enc.finish().unwrap();
}

#[test]
fn hostile_traces_end_promptly_with_a_located_error() {
    let tmp = scratch();
    let d = tmp.path();
    let msr_line = "128166372003061629,src1,0,Write,4096,4096,100\n";

    let fifo = d.join("trace.fifo");
    mkfifo(&fifo);
    let s = trace_scenario(d, "trace-fifo.json", &fifo);
    refused_run(
        &s,
        &[
            "trace-fifo.json",
            "volumes[0].workload.trace",
            "trace.fifo",
            "FIFO",
        ],
    );

    let s = trace_scenario(d, "trace-dev-zero.json", Path::new("/dev/zero"));
    refused_run(&s, &["/dev/zero", "character device"]);

    let s = trace_scenario(d, "trace-directory.json", d);
    refused_run(&s, &["a directory", "not a regular file"]);

    let long = d.join("long.csv");
    std::fs::write(&long, "x".repeat(70 * 1024)).unwrap();
    let s = trace_scenario(d, "trace-huge-line.json", &long);
    refused_run(&s, &["long.csv:1:", "65536 B (64 KiB)"]);

    let later = d.join("later.csv");
    std::fs::write(
        &later,
        format!("{msr_line}{msr_line}{}\n", "9".repeat(1 << 20)),
    )
    .unwrap();
    let s = trace_scenario(d, "trace-huge-line-later.json", &later);
    refused_run(&s, &["later.csv:3:", "64 KiB"]);

    let bomb = d.join("bomb.csv.gz");
    gzip(&bomb, (0..40).map(|_| msr_line.repeat(20_000).into_bytes()));
    let s = trace_scenario(d, "trace-gzip-bomb.json", &bomb);
    refused_run(&s, &["bomb.csv.gz:", "more than 100 times", "gunzip -k"]);

    let binary = d.join("binary.bin");
    let bytes: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 1)
        .filter(|b| *b != b'\n')
        .collect();
    std::fs::write(&binary, bytes).unwrap();
    let s = trace_scenario(d, "trace-binary.json", &binary);
    refused_run(&s, &["binary.bin:", "line"]);

    // Two IOs 1 ms apart, looped with a time scale that shrinks the span
    // to nothing: every lap would land at the same instant, forever.
    let short = d.join("short.csv");
    std::fs::write(
        &short,
        format!("{msr_line}128166372003071629,src1,0,Write,8192,4096,100\n"),
    )
    .unwrap();
    let s = trace_scenario(d, "trace-loop-scaled-to-zero.json", &short);
    refused_run(
        &s,
        &["volumes[0].workload.trace", "time_scale", "less than 1 ns"],
    );

    // The same short trace looped for a century at real time: 3e12 laps.
    let s = trace_scenario(d, "trace-loop-a-century.json", &short);
    refused_run(&s, &["trace lines", "drop \"loop\"", "--allow-large"]);

    let truncated = d.join("cut.csv.gz");
    gzip(
        &truncated,
        (0..20_000u64).map(|i| {
            format!("128166372003061629,src1,0,Write,{},4096,100\n", i * 4096).into_bytes()
        }),
    );
    let full = std::fs::read(&truncated).unwrap();
    std::fs::write(&truncated, &full[..full.len() / 2]).unwrap();
    let s = trace_scenario(d, "trace-truncated-gzip.json", &truncated);
    refused_run(&s, &["cut.csv.gz:", "truncated or corrupt"]);
}

#[test]
fn schedules_that_make_no_sense_run_with_warnings_on_stderr_and_in_the_summary() {
    for (file, needle) in [
        (
            "jitter-past-horizon.json",
            "volumes[0].snapshots.jitter (line 1",
        ),
        (
            "every-longer-than-horizon.json",
            "volumes[0].snapshots.every (line 1",
        ),
        ("volume-never-snapshotted.json", "volumes[1] (line 1"),
    ] {
        let f = fixture(file);
        let tmp = scratch();
        let out = tmp.path().join("out");
        let err = expect(
            file,
            &[
                "run",
                f.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--no-report",
            ],
            0,
            &["warning: ", file, needle],
        );
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        let w = summary["warnings"].as_array().expect("a warnings array");
        assert!(
            w.iter().any(|s| s.as_str().unwrap().starts_with(needle)),
            "{file}: {w:?} / {err}"
        );
        expect(
            &format!("validate {file}"),
            &["validate", f.to_str().unwrap()],
            0,
            &[needle],
        );
    }
}

#[test]
fn output_folders_that_are_not_results_folders_are_refused_untouched() {
    let f = fixture("volume-never-snapshotted.json");
    let f = f.to_str().unwrap();
    let tmp = scratch();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    std::fs::write(home.join("notes.txt"), "precious").unwrap();
    let needles = [
        "refusing to publish results into",
        "notes.txt",
        ".snapsim-results",
    ];
    expect(
        "--out unmarked",
        &["run", f, "--out", home.to_str().unwrap()],
        2,
        &needles,
    );
    assert_eq!(
        std::fs::read_to_string(home.join("notes.txt")).unwrap(),
        "precious"
    );
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        1,
        "no staging left"
    );
    expect(
        "report unmarked",
        &["report", home.to_str().unwrap()],
        2,
        &[],
    );
    let file = home.join("notes.txt");
    expect(
        "--out a file",
        &["run", f, "--out", file.to_str().unwrap()],
        2,
        &["not a folder"],
    );
    expect(
        "--out /",
        &["run", f, "--out", "/"],
        2,
        &["refusing to publish results into /"],
    );
    let sweep = fixture("sweep-small.json");
    expect(
        "sweep --out unmarked",
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            home.to_str().unwrap(),
        ],
        2,
        &needles,
    );
    expect(
        "merge --out unmarked",
        &[
            "merge",
            "--out",
            home.to_str().unwrap(),
            home.to_str().unwrap(),
        ],
        2,
        &needles,
    );
    assert_eq!(std::fs::read_dir(&home).unwrap().count(), 1);
}

#[test]
fn report_refuses_a_fifo_among_the_results() {
    let f = fixture("volume-never-snapshotted.json");
    let tmp = scratch();
    let out = tmp.path().join("out");
    let o = out.to_str().unwrap();
    expect(
        "run",
        &[
            "run",
            f.to_str().unwrap(),
            "--out",
            o,
            "--quiet",
            "--no-report",
        ],
        0,
        &[],
    );
    std::fs::remove_file(out.join("summary.json")).unwrap();
    mkfifo(&out.join("summary.json"));
    expect(
        "report with a FIFO",
        &["report", o],
        2,
        &["summary.json", "FIFO"],
    );
}

/// Scenarios whose work (simulated operations) or peak rates are beyond
/// reason: refused by `validate` and `run` alike with the numbers and the
/// fix, before anything is allocated or written.
#[test]
fn work_beyond_the_limit_is_refused_with_the_numbers_and_the_fix() {
    for (file, needles) in [
        (
            "work-writes-beyond-limit.json",
            &[
                "3.2e10 writes",
                "2.0e10",
                "\"change_tracking\": \"statistical\"",
                "--allow-large",
            ][..],
        ),
        (
            "work-fleet-exact-month.json",
            &["20 volume(s) over 30 days", "writes", "statistical"],
        ),
        (
            "work-io-fidelity-beyond-limit.json",
            &["IOs", "flow fidelity", "--allow-large"],
        ),
        (
            "work-onoff-microsecond-phases.json",
            &["phase changes", "lengthen the on and off periods"],
        ),
        (
            "onoff-nanosecond-phase.json",
            &[
                "volumes[0].workload.writes.arrival.onoff.on (line 1",
                "at least 1us",
            ],
        ),
        (
            "write-rate-1e9.json",
            &["volumes[0].workload.writes.rate (line 1", "10,000,000/s"],
        ),
        (
            "read-rate-beyond-limit.json",
            &["volumes[0].workload.reads.rate (line 1", "10,000,000/s"],
        ),
        (
            "daily-peak-beyond-limit.json",
            &[
                "volumes[0].workload.writes.arrival (line 1",
                "peak rate",
                "1.000e8/s",
            ],
        ),
        (
            "steps-rate-beyond-limit.json",
            &[
                "volumes[0].workload.writes.arrival.steps[0].rate (line 1",
                "10,000,000/s",
            ],
        ),
        (
            "sinusoid-peak-beyond-limit.json",
            &["volumes[0].workload.writes.arrival (line 1", "1.350e7/s"],
        ),
        (
            "pool-bandwidth-beyond-limit.json",
            &["transfer.pools[0].rate (line 1", "1PiB/s"],
        ),
        (
            "timeseries-step-1ns.json",
            &["timeseries_step (line 1", "1,000,000 steps"],
        ),
        (
            "bandwidth-beyond-limit.json",
            &["transfer.per_snapshot (line 1", "1PiB/s"],
        ),
        (
            "retries-every-nanosecond.json",
            &[
                "snapshot requests",
                "lower the retry `max`",
                "--allow-large",
            ],
        ),
    ] {
        let mut all = vec![file];
        all.extend_from_slice(needles);
        refused_run(&fixture(file), &all);
    }
}

/// `--allow-large` is the explicit way past the work limit: `validate`
/// accepts what it refused without it (nothing is run here).
#[test]
fn allow_large_lifts_the_work_limit() {
    for file in [
        "work-writes-beyond-limit.json",
        "work-onoff-microsecond-phases.json",
        "sweep-point-beyond-limit.json",
        "sweep-total-beyond-limit.json",
    ] {
        let f = fixture(file);
        expect(
            file,
            &["validate", f.to_str().unwrap()],
            2,
            &["--allow-large"],
        );
        let out = expect(
            file,
            &["validate", "--allow-large", f.to_str().unwrap()],
            0,
            &[],
        );
        assert!(!out.contains("error"), "{file}: {out}");
    }
}

/// A sweep whose runs are each fine but whose total is beyond the sweep
/// limit is refused before its folder is made.
#[test]
fn a_sweep_beyond_the_total_work_limit_is_refused_before_it_starts() {
    let f = fixture("sweep-total-beyond-limit.json");
    let tmp = scratch();
    let out = tmp.path().join("out");
    expect(
        "sweep-total-beyond-limit.json",
        &[
            "sweep",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
        2,
        &["160 runs", "2.0e12", "--shard", "--allow-large"],
    );
    assert!(!out.exists());
    // One point beyond the single-run limit refuses the whole sweep, and
    // names the point (`run` of the file simulates the base point only).
    let p = fixture("sweep-point-beyond-limit.json");
    for cmd in ["sweep", "validate"] {
        let mut args = vec![cmd, p.to_str().unwrap()];
        if cmd == "sweep" {
            args.extend(["--out", out.to_str().unwrap(), "--quiet"]);
        }
        expect(
            &format!("{cmd} sweep-point-beyond-limit.json"),
            &args,
            2,
            &["sweep point 1", "9000000/s", "3.2e10 writes"],
        );
    }
    assert!(!out.exists());
    expect(
        "validate sweep-total-beyond-limit.json",
        &["validate", f.to_str().unwrap()],
        2,
        &["the sweep needs about 2.1e12"],
    );
}

/// Writes beyond what the volume can serve at IO fidelity: the queue
/// reaches its bound within the first minute, the volume is reported as
/// overloaded (with the share of IOs that never completed), and the run
/// ends normally in bounded time and memory instead of queueing without
/// limit.
#[test]
fn an_overloaded_volume_at_io_fidelity_ends_with_an_overloaded_result() {
    let f = fixture("io-overloaded.json");
    let tmp = scratch();
    let out = tmp.path().join("out");
    let (code, stdout, err) = run_limited(
        &[
            "run",
            f.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--no-report",
        ],
        "io-overloaded.json",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(stdout.contains("Volume v is overloaded"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let st = &summary["volumes"][0]["station"];
    let at = st["overloaded_at_seconds"].as_f64().expect("overloaded");
    // 20,000 writes/s against 3,000 IOPS: the queue grows by 17,000 IOs/s
    // and reaches its bound of 1,000,000 IOs after about 59 s.
    assert!((50.0..70.0).contains(&at), "overloaded at {at} s");
    let submitted = st["submitted"].as_u64().unwrap();
    let completed = st["completed"].as_u64().unwrap();
    let shed = st["shed"].as_u64().unwrap();
    let never = st["never_completed_fraction"].as_f64().unwrap();
    assert!(shed > 0 && shed < submitted);
    assert!((never - (submitted - completed) as f64 / submitted as f64).abs() < 1e-12);
    // Roughly 3.6 M arrivals over 3 min, of which at most the bound plus
    // what the volume served were queued.
    assert!((3_400_000..3_800_000).contains(&submitted), "{submitted}");
    assert!(submitted - shed <= 1_000_000 + completed);
}
