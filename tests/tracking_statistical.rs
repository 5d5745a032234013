//! Statistical change tracking against exact tracking and the closed forms:
//! for each write pattern the mean delta per snapshot, the mean time
//! pending and the storage left after retention agree within 1 % (time
//! pending within max(1 %, 1 s)), averaged over enough seeds that sampling
//! noise stays far below that; for uniform and Zipf writes both agree with
//! E[distinct blocks] = Σ_b 1 − e^(−λ·T·p_b).

use snapsim::model::{simulate, RunMeta, RunResult};
use snapsim::scenario;
use std::path::Path;

const BLOCKS: f64 = 32_768.0; // 16 GiB in 512 KiB blocks

fn scenario_text(seed: u64, tracking: &str, writes: &str) -> String {
    format!(
        r#"{{
  "name": "t", "seed": {seed}, "duration": "12h", "change_tracking": {tracking},
  "transfer": {{ "per_snapshot": "48MiB/s" }},
  "volumes": [{{
    "name": "v", "type": "gp3", "size": "16GiB", "used": "4GiB",
    "workload": {{ "writes": {writes} }},
    "snapshots": {{ "every": "1h", "first_at": "0s", "retain": 3 }}
  }}]
}}"#
    )
}

fn run(text: &str) -> RunResult {
    let sc = scenario::from_str(text, "t.json").expect("valid scenario");
    simulate(sc.config, RunMeta::default()).expect("runs")
}

/// Per run: mean delta blocks of the incremental snapshots, mean seconds
/// pending of the completed ones, stored bytes at the end.
#[derive(Default, Debug)]
struct Means {
    delta: f64,
    pending: f64,
    stored: f64,
}

fn means(tracking: &str, writes: &str, seeds: std::ops::Range<u64>) -> Means {
    let n = (seeds.end - seeds.start) as f64;
    let mut m = Means::default();
    for seed in seeds {
        let r = run(&scenario_text(seed, tracking, writes));
        let snaps: Vec<_> = r
            .snapshots
            .iter()
            .filter(|s| s.snapshot_id.is_some())
            .collect();
        let inc = &snaps[1..];
        m.delta += inc.iter().map(|s| s.delta_blocks as f64).sum::<f64>() / inc.len() as f64 / n;
        let done: Vec<f64> = snaps
            .iter()
            .filter_map(|s| s.completed_at.map(|c| (c - s.requested_at).as_secs_f64()))
            .collect();
        m.pending += done.iter().sum::<f64>() / done.len() as f64 / n;
        m.stored += r.storage.last().map_or(0.0, |p| p.stored_bytes as f64) / n;
    }
    m
}

fn assert_close(what: &str, exact: f64, stat: f64, rel: f64, abs: f64) {
    let tol = (exact.abs() * rel).max(abs);
    assert!(
        (exact - stat).abs() <= tol,
        "{what}: exact {exact:.1}, statistical {stat:.1} (tolerance {tol:.1})"
    );
}

const STATISTICAL: &str = r#"{"statistical": {"samples": 4096}}"#;

fn compare(label: &str, writes: &str) -> (Means, Means) {
    let exact = means("\"exact\"", writes, 0..8);
    let stat = means(STATISTICAL, writes, 100..132);
    assert_close(
        &format!("{label} mean delta blocks"),
        exact.delta,
        stat.delta,
        0.01,
        0.0,
    );
    assert_close(
        &format!("{label} mean time pending [s]"),
        exact.pending,
        stat.pending,
        0.01,
        1.0,
    );
    assert_close(
        &format!("{label} stored bytes after retention"),
        exact.stored,
        stat.stored,
        0.01,
        0.0,
    );
    (exact, stat)
}

#[test]
fn uniform_writes_agree_with_exact_and_the_occupancy_formula() {
    let (exact, stat) = compare(
        "uniform",
        r#"{"rate": "6/s", "size": "16KiB", "alignment": "16KiB"}"#,
    );
    // An aligned 16 KiB write lands in one block: E = N(1 − e^(−n/N)),
    // n = 6·3600.
    let want = BLOCKS * (1.0 - (-6.0 * 3600.0 / BLOCKS).exp());
    assert_close("uniform exact vs formula", want, exact.delta, 0.01, 0.0);
    assert_close(
        "uniform statistical vs formula",
        want,
        stat.delta,
        0.01,
        0.0,
    );
}

#[test]
fn zipf_writes_agree_with_exact_and_the_occupancy_formula() {
    let (exact, stat) = compare(
        "zipf",
        r#"{"rate": "20/s", "size": "16KiB", "pattern": {"zipf": {"exponent": 1.1}}}"#,
    );
    let h: f64 = (1..=BLOCKS as u64).map(|k| (k as f64).powf(-1.1)).sum();
    let n = 20.0 * 3600.0;
    let want: f64 = (1..=BLOCKS as u64)
        .map(|k| 1.0 - (-n * (k as f64).powf(-1.1) / h).exp())
        .sum();
    assert_close("zipf exact vs formula", want, exact.delta, 0.01, 0.0);
    assert_close("zipf statistical vs formula", want, stat.delta, 0.01, 0.0);
}

#[test]
fn hot_spot_writes_agree_with_exact() {
    compare(
        "hotspot",
        r#"{"rate": "8/s", "size": "4KiB", "pattern": {"hotspot": {"io_percent": 90, "space_percent": 10}}}"#,
    );
}

#[test]
fn sequential_writes_agree_with_exact() {
    compare(
        "sequential",
        r#"{"rate": "1/s", "size": "1MiB", "pattern": "sequential", "alignment": "1MiB"}"#,
    );
}

#[test]
fn daily_cycle_writes_agree_with_exact() {
    compare(
        "daily",
        r#"{"rate": "8/s", "size": "16KiB", "arrival": {"daily": {"amplitude": 0.8, "peak_hour": 6}}}"#,
    );
}

#[test]
fn multi_block_writes_and_sizes_agree_with_exact() {
    compare(
        "lognormal sizes",
        r#"{"rate": "3/s", "size": {"lognormal": {"median": "64KiB", "sigma": 1.0, "min": "4KiB", "max": "2MiB"}}, "pattern": {"zipf": {"exponent": 0.9}}}"#,
    );
}

/// A real trace: the statistical estimate of each hourly delta, averaged
/// over samples drawn with 40 seeds, equals the exact count within 1 %.
#[test]
fn a_real_trace_agrees_with_exact() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/trace-cloudphysics.json");
    let text = std::fs::read_to_string(&path).unwrap();
    if snapsim_common_absent(&path) {
        return;
    }
    let exact = {
        let sc = scenario::load(&path).unwrap();
        simulate(sc.config, RunMeta::default()).unwrap()
    };
    let want: Vec<f64> = exact
        .snapshots
        .iter()
        .map(|s| s.delta_blocks as f64)
        .collect();
    let seeds = 40;
    let mut got = vec![0.0; want.len()];
    for seed in 0..seeds {
        let t = text
            .replace("\"seed\": 1,", &format!("\"seed\": {seed}, \"change_tracking\": {{\"statistical\": {{\"samples\": 8192}}}},"));
        let dir = path.parent().unwrap();
        let sc = scenario::from_str_in(&t, "t.json", dir).unwrap();
        let r = simulate(sc.config, RunMeta::default()).unwrap();
        for (g, s) in got.iter_mut().zip(&r.snapshots) {
            *g += s.delta_blocks as f64 / f64::from(seeds);
        }
    }
    for (k, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_close(&format!("trace snapshot {k} delta"), *w, *g, 0.01, 0.0);
    }
}

/// Whether the trace of a scenario is absent (then the test says so).
fn snapsim_common_absent(scenario: &Path) -> bool {
    let text = std::fs::read_to_string(scenario).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rel = v["volumes"][0]["workload"]["trace"]["path"]
        .as_str()
        .unwrap();
    let p = scenario.parent().unwrap().join(rel);
    if p.exists() {
        return false;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is absent; CI always has ../shared/traces",
        p.display()
    );
    eprintln!("SKIPPED: {} is absent", p.display());
    true
}

/// Bad input: each refused with the key and the fix.
#[test]
fn bad_change_tracking_values_are_refused_with_the_key_and_the_fix() {
    for (value, needle) in [
        ("\"approximate\"", "unknown change_tracking"),
        (r#"{"statistical": {"rate": 0}}"#, "outside (0, 1]"),
        (r#"{"statistical": {"rate": 1.5}}"#, "outside (0, 1]"),
        (r#"{"statistical": {"samples": 0}}"#, "out of range"),
        (r#"{"statistical": {"every": 3}}"#, "unknown key"),
    ] {
        let e = scenario::from_str(
            &scenario_text(1, value, r#"{"rate": "1/s", "size": "4KiB"}"#),
            "t.json",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("change_tracking") && e.contains(needle),
            "{value}: {e}"
        );
    }
    // Statistical tracking cannot verify block versions.
    let sc = scenario::from_str(
        &scenario_text(1, "\"statistical\"", r#"{"rate": "1/s", "size": "4KiB"}"#),
        "t.json",
    )
    .unwrap();
    let mut cfg = sc.config;
    cfg.verify = true;
    let e = simulate(cfg, RunMeta::default()).unwrap_err().to_string();
    assert!(e.contains("--verify") && e.contains("\"exact\""), "{e}");
}
