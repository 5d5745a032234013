//! Sweep scaling: the same 16-run sweep (2 points × 8 replications of a
//! 500 s, ~20 M-write uniform-write scenario, about half a second a run, so
//! the serial part — final files and sweep report — is small) with 1 thread
//! and with 2 threads in one process, and the speed-up; then peak memory (VmHWM) of a sweep of
//! 100 and of 1000 small runs, each measured in a fresh child process (this
//! benchmark re-executing itself), to show memory stays flat as runs grow.
//!
//! Run: `cargo bench --bench sweep_scaling`

use serde_json::{json, Value};
use snapsim::sweep::{run_sweep, Plan, SweepOptions};
use std::process::Command;
use std::time::Instant;

fn scenario(rate: &str, duration: &str, sweep: Value) -> Value {
    json!({
        "name": "bench-sweep",
        "seed": 5,
        "duration": duration,
        "transfer": { "per_snapshot": "1000MiB/s" },
        "volumes": [{
            "name": "v", "type": "gp3", "size": "16GiB",
            "workload": { "writes": { "rate": rate, "size": "4KiB", "pattern": "uniform" } },
            "snapshots": { "at": ["0s", "100s"] }
        }],
        "sweep": sweep
    })
}

/// CPU seconds (user + system) this process has used so far, from
/// /proc/self/stat (clock ticks, assumed 100 per second as on Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `source`'s sweep with `threads`; (wall seconds, CPU seconds).
fn timed_cpu(source: &Value, threads: usize) -> (f64, f64) {
    let cpu = cpu_seconds();
    let wall = timed(source, threads);
    (wall, cpu_seconds() - cpu)
}

/// Runs `source`'s sweep with `threads` into a fresh temp dir; wall seconds.
fn timed(source: &Value, threads: usize) -> f64 {
    let plan = Plan::from_source(source.clone(), "bench").expect("valid sweep");
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SweepOptions {
        threads: Some(threads),
        out: dir.path().join("out"),
        shard: None,
        resume: false,
        fail_fast: true,
        progress: false,
    };
    let start = Instant::now();
    run_sweep(&plan, &opts).expect("sweep runs");
    start.elapsed().as_secs_f64()
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    if let Ok(n) = std::env::var("SWEEP_SCALING_CHILD_RUNS") {
        let n: u64 = n.parse().expect("run count");
        let source = scenario("2000/s", "101s", json!({ "replications": n }));
        timed(&source, 2);
        println!("{}", vm_hwm_kib());
        return;
    }
    let grid = json!({ "volumes[0].workload.writes.rate": ["36000/s", "40000/s"] });
    // Warm-up (page cache, allocator, font): a short sweep of the same shape.
    timed(
        &scenario(
            "40000/s",
            "101s",
            json!({ "grid": grid, "replications": 2 }),
        ),
        2,
    );
    let source = scenario(
        "40000/s",
        "501s",
        json!({ "grid": grid, "replications": 8 }),
    );
    println!("load average before: {}", load_average());
    let (one, one_cpu) = timed_cpu(&source, 1);
    let (two, two_cpu) = timed_cpu(&source, 2);
    println!("16 runs (2 points x 8 replications, ~20 M writes each), final files and sweep report included");
    // CPU seconds per wall second: the cores the sweep actually got; below
    // 2 with 2 threads means other processes held a core.
    println!(
        "  1 thread : {one:.3} s wall, {one_cpu:.2} s CPU ({:.2} cores)",
        one_cpu / one
    );
    println!(
        "  2 threads: {two:.3} s wall, {two_cpu:.2} s CPU ({:.2} cores)",
        two_cpu / two
    );
    println!(
        "  speed-up : {:.2}x on {} cores",
        one / two,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!("load average after: {}", load_average());
    let exe = std::env::current_exe().expect("own path");
    for n in [100, 1000] {
        let out = Command::new(&exe)
            .env("SWEEP_SCALING_CHILD_RUNS", n.to_string())
            .output()
            .expect("child runs");
        let kib: u64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0);
        println!(
            "peak RSS (VmHWM), sweep of {n:>4} runs of 200 k writes: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
}
