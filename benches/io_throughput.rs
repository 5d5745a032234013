//! IO-fidelity speed and memory.
//!
//! 1. Simulated foreground IOs per second of wall time on a 1-hour gp3
//!    scenario at 14,000 IOs/s (7,000 reads + 7,000 writes per second) on a
//!    volume provisioned at 16,000 IOPS (the headroom pays for the
//!    copy-on-write copies, which take IOPS too; IOs still wait for tokens
//!    in bursts) with
//!    3 snapshots pending throughout, on one thread, beside the hand-written
//!    M/M/1 heap loop of `benches/hand-mm1`, run as its own binary in the
//!    same run (customers per second).
//! 2. Peak resident memory (VmHWM) of a run on a 16 TiB volume (32 M blocks)
//!    with 5 snapshots pending, measured in a child process.
//!
//! Run: `cargo bench --bench io_throughput`. For a profiler, one shortened
//! run of the IO scenario alone: `cargo bench --bench io_throughput --
//! --profile MINUTES`. `-- --copy-on-write POLICY` runs the IO scenario with
//! that copy-on-write policy (`redirect`, `copy`, `copy_range`, `wait`)
//! instead of the default.

use snapsim::model::{simulate, RunMeta};
use std::time::Instant;

#[path = "common/baseline.rs"]
mod baseline;

const IO_SCENARIO: &str = r#"{
  "name": "io-bench", "seed": 1, "duration": "1h", "fidelity": "io",
  "volumes": [{
    "name": "db", "type": "gp3", "size": "2TiB", "iops": 16000, "throughput": "1000MiB/s", "used": "1TiB",
    "workload": {
      "reads":  { "rate": "7000/s", "size": "16KiB" },
      "writes": { "rate": "7000/s", "size": "16KiB", "pattern": { "zipf": { "exponent": 1.0 } } }
    },
    "snapshots": { "at": ["0s", "1m", "2m"] }
  }]
}"#;

const MEMORY_SCENARIO: &str = r#"{
  "name": "memory-bench", "seed": 1, "duration": "20m",
  "volumes": [{
    "name": "big", "type": "gp3", "size": "16TiB", "used": "4TiB",
    "workload": { "writes": { "rate": "2000/s", "size": "16KiB" } },
    "snapshots": { "every": "2m", "on_limit": "skip" }
  }]
}"#;

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The IO scenario, with `--copy-on-write POLICY` written into its volume.
fn io_scenario() -> String {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--copy-on-write") {
        Some(i) => {
            let policy = args.get(i + 1).map_or("copy_range", String::as_str);
            IO_SCENARIO.replace(
                r#""used": "1TiB","#,
                &format!(r#""used": "1TiB", "performance": {{ "copy_on_write": "{policy}" }},"#),
            )
        }
        None => IO_SCENARIO.to_string(),
    }
}

/// `--profile MINUTES`: run the IO scenario once for that long.
fn profile_minutes() -> Option<u32> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == "--profile")?;
    args.get(i + 1).and_then(|m| m.parse().ok())
}

fn main() {
    if std::env::args().any(|a| a == "--memory-child") {
        let sc = snapsim::scenario::from_str(MEMORY_SCENARIO, "memory-bench").expect("valid");
        let r = simulate(sc.config, RunMeta::default()).expect("runs");
        let pending = r.summary.volumes[0].snapshots.max_pending;
        println!("{} {}", vm_hwm_kib(), pending);
        return;
    }
    if let Some(minutes) = profile_minutes() {
        if minutes < 3 {
            eprintln!("--profile needs at least 3 minutes: the snapshots are at 0, 1 and 2 min");
            std::process::exit(2);
        }
        // One run of the IO scenario, shortened, and nothing else: for
        // `perf record` or `valgrind --tool=cachegrind` on this binary.
        let text = io_scenario().replace(
            r#""duration": "1h""#,
            &format!(r#""duration": "{minutes}m""#),
        );
        let sc = snapsim::scenario::from_str(&text, "io-bench").expect("valid");
        let r = simulate(sc.config, RunMeta::default()).expect("runs");
        let ios = r.summary.volumes[0]
            .station
            .as_ref()
            .map_or(0, |s| s.completed);
        println!("{minutes} min: {ios} foreground IOs");
        return;
    }
    let sc = snapsim::scenario::from_str(&io_scenario(), "io-bench").expect("valid");
    let (mut io, mut hand) = (Vec::new(), Vec::new());
    let mut ios = 0;
    let baseline = baseline::hand_mm1_binary();
    for _ in 0..3 {
        let start = Instant::now();
        let r = simulate(sc.config.clone(), RunMeta::default()).expect("runs");
        let wall = start.elapsed().as_secs_f64();
        ios = r.summary.volumes[0]
            .station
            .as_ref()
            .map_or(0, |s| s.completed);
        io.push(ios as f64 / wall);
        hand.push(baseline::hand_mm1_rate(&baseline, 5_000_000));
    }
    io.sort_by(f64::total_cmp);
    hand.sort_by(f64::total_cmp);
    let (m, h) = (io[1], hand[1]);
    println!(
        "gp3 at 16,000 IOPS for 1 h with 3 snapshots pending: {ios} foreground IOs, median of 3"
    );
    println!(
        "hand-written M/M/1 heap loop : {:>7.2} M customers/s",
        h / 1e6
    );
    println!("snapsim at IO fidelity       : {:>7.2} M IOs/s", m / 1e6);
    println!("ratio IOs/s to customers/s   : {:>7.3}", m / h);
    let exe = std::env::current_exe().expect("own path");
    let out = std::process::Command::new(exe)
        .arg("--memory-child")
        .output()
        .expect("child runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let kib: u64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(0);
    let pending = parts.next().unwrap_or("?");
    println!(
        "16 TiB volume (32 M blocks), {pending} snapshots pending at most: peak RSS {:.1} MiB",
        kib as f64 / 1024.0
    );
    println!("BENCH io_per_s={m:.0} hand_customers_per_s={h:.0} peak_rss_kib={kib}");
}
