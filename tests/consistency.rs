//! Consistency modes around snapshot requests (issue 4 item 3; EBS_FACTS.md
//! §6), against hand-computed cases.
//!
//! Every case: a 20 GiB gp3 volume, one 1 MiB write per second (constant
//! arrivals at 1 s, 2 s, …; sequential, 1 MiB aligned: 2 blocks each), a
//! guest write-back cache flushed every 30 s.

use snapsim::metrics::RunResult;
use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;

fn run(cache_size: &str, consistency: &str, at: &str, extra: &str) -> RunResult {
    let text = format!(
        r#"{{ "name": "c", "duration": "10m" {extra},
            "volumes": [{{ "name": "v", "type": "gp3", "size": "20GiB",
              "cache": {{ "size": "{cache_size}", "flush_interval": "30s" }},
              "workload": {{ "writes": {{ "rate": "1/s", "arrival": "constant", "size": "1MiB", "alignment": "1MiB", "pattern": "sequential" }} }},
              "snapshots": {{ "at": [{at}], "consistency": {consistency} }} }}] }}"#
    );
    let sc = scenario::from_str(&text, "consistency.json").expect("valid");
    simulate(sc.config, RunMeta::default()).expect("runs")
}

const MIB: u64 = 1 << 20;

/// Crash: the snapshot misses what the cache holds at its point in time:
/// the writes since the last flush (at 30 s; a write at the flush instant
/// comes after the flush), at most the cache size.
#[test]
fn crash_leaves_out_the_cache_contents() {
    let r = run("64MiB", r#""crash""#, r#""45500ms""#, "");
    let s = &r.snapshots[0];
    assert_eq!(s.left_out_bytes, 16 * MIB, "writes at 30 … 45 s");
    assert_eq!(s.pause_seconds, 0.0);
    assert_eq!(s.requested_at.as_secs_f64(), 45.5);
    let small = run("8MiB", r#""crash""#, r#""45500ms""#, "");
    assert_eq!(
        small.snapshots[0].left_out_bytes,
        8 * MIB,
        "capped at the cache size"
    );
    let c = small.summary.volumes[0].consistency.clone().unwrap();
    assert_eq!((c.mode.as_str(), c.left_out_bytes_max), ("crash", 8 * MIB));
}

/// Freeze: writes pause while 16 MiB flush at 10 MiB/s (1.6 s) and the call
/// takes 0.5 s; the point in time is the call at 47.1 s; the writes at 46 s
/// and 47 s wait and land in the next snapshot.
#[test]
fn freeze_pauses_for_flush_and_request() {
    let r = run(
        "64MiB",
        r#"{ "freeze": { "flush_rate": "10MiB/s", "request": "500ms" } }"#,
        r#""45500ms", "300s""#,
        "",
    );
    let (a, b) = (&r.snapshots[0], &r.snapshots[1]);
    assert!((a.pause_seconds - 2.1).abs() < 1e-9, "{}", a.pause_seconds);
    assert!((a.requested_at.as_secs_f64() - 47.1).abs() < 1e-9);
    assert_eq!(a.left_out_bytes, 0, "the cache was flushed");
    assert_eq!(a.delta_blocks, 45 * 2, "writes at 1 … 45 s");
    // Writes at 46 … 299 s: 254 MiB. The second freeze starts at 300 s.
    assert_eq!(b.delta_blocks, 254 * 2);
}

/// Stop: the instance stops (60 s), the call is made, it takes 0.5 s to be
/// pending, the instance starts (45 s): 105.5 s without IO; writes that
/// would have arrived then never happen.
#[test]
fn stop_takes_the_instance_down_and_drops_its_io() {
    let r = run(
        "64MiB",
        r#"{ "stop": { "stop": "60s", "request": "500ms", "start": "45s" } }"#,
        r#""100500ms""#,
        "",
    );
    let s = &r.snapshots[0];
    assert_eq!(s.pause_seconds, 105.5);
    assert_eq!(s.requested_at.as_secs_f64(), 160.5);
    assert_eq!(s.delta_blocks, 100 * 2, "writes at 1 … 100 s");
    // 600 s of writes minus those at 101 … 205 s.
    assert_eq!(r.summary.volumes[0].writes, 599 - 105);
    let c = r.summary.volumes[0].consistency.clone().unwrap();
    assert_eq!((c.mode.as_str(), c.pause_seconds_total), ("stop", 105.5));
}

/// At IO fidelity, writes that arrive during a freeze wait, and their
/// latency shows it.
#[test]
fn held_writes_show_the_pause_in_their_latency() {
    let r = run(
        "64MiB",
        r#"{ "unmount": { "flush_rate": "10MiB/s", "request": "500ms", "unmount": "2s", "remount": "2s" } }"#,
        r#""45500ms""#,
        r#", "fidelity": "io""#,
    );
    let pause = r.snapshots[0].pause_seconds;
    assert!(
        (pause - 6.1).abs() < 1e-9,
        "2 + 1.6 + 0.5 + 2 s, got {pause}"
    );
    let lat = r.summary.volumes[0].latency.clone().unwrap();
    let writes = lat.iter().find(|o| o.op == "write").unwrap();
    let max_ms = writes.levels.iter().map(|l| l.max_us).fold(0.0, f64::max) / 1e3;
    // The write at 46 s waits until 51.6 s.
    assert!(
        max_ms > 5500.0 && max_ms < 5800.0,
        "max write latency {max_ms} ms"
    );
}
