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
    let one = timed(&source, 1);
    let two = timed(&source, 2);
    println!("16 runs (2 points x 8 replications, ~20 M writes each), final files and sweep report included");
    println!("  1 thread : {one:.3} s");
    println!("  2 threads: {two:.3} s");
    println!(
        "  speed-up : {:.2}x on {} cores",
        one / two,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
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
