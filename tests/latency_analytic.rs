//! IO fidelity against closed forms and the EBS worked examples
//! (DESIGN.md §1.6–1.7, EBS_FACTS.md §2.2–2.3).

use snapsim::metrics::RunResult;
use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;
use statrs::distribution::{ContinuousCDF, StudentsT};

fn run_json(text: &str, seed: u64) -> RunResult {
    let sc = scenario::from_str(text, "test.json").expect("valid scenario");
    let mut cfg = sc.config;
    cfg.seed = seed;
    simulate(cfg, RunMeta::default()).expect("runs")
}

/// A station alone: one channel, no EBS limits, 4 KiB reads at `rate`.
fn station_only(rate: &str, latency: &str) -> String {
    format!(
        r#"{{
          "name": "station", "duration": "30m", "fidelity": "io", "warmup": "2m",
          "volumes": [{{
            "name": "q", "type": "custom", "size": "100GiB", "iops": 1000000000, "throughput": "1000000GiB/s",
            "workload": {{ "reads": {{ "rate": "{rate}", "size": "4KiB" }} }},
            "performance": {{ "channels": 1, "base_latency": {latency},
                              "channel_bandwidth": "1PiB/s", "limits": false }}
          }}]
        }}"#
    )
}

/// Mean read latency [ms] of each replication.
fn replicate_mean_ms(text: &str, reps: u64) -> Vec<f64> {
    (1..=reps)
        .map(|seed| {
            let r = run_json(text, seed);
            let lat = r.summary.volumes[0].latency.as_ref().unwrap();
            lat[0].levels[0].mean_us / 1000.0
        })
        .collect()
}

/// (mean, 95 % Student-t half-width).
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0)
        .unwrap()
        .inverse_cdf(0.975);
    (mean, t * (var / n).sqrt())
}

fn assert_matches_theory(name: &str, xs: &[f64], theory: f64) {
    let (mean, half) = mean_ci(xs);
    let err = (mean - theory).abs() / theory;
    assert!(
        err < 0.02,
        "{name}: mean {mean:.4} ms vs theory {theory:.4} ms ({:.2} %)",
        err * 100.0
    );
    assert!(
        (mean - half..=mean + half).contains(&theory),
        "{name}: 95 % CI {:.4}..{:.4} ms misses theory {theory:.4} ms",
        mean - half,
        mean + half
    );
}

/// M/M/1: λ = 0.9/ms, μ = 1/ms: W = 1/(μ − λ) = 10 ms.
#[test]
fn mm1_mean_latency_matches_theory() {
    let text = station_only("900/s", r#"{ "exponential": { "mean": "1ms" } }"#);
    assert_matches_theory("M/M/1", &replicate_mean_ms(&text, 8), 10.0);
}

/// M/D/1: W = 1/μ + ρ / (2μ(1 − ρ)) = 1 + 0.8/(2·0.2) = 3 ms at ρ = 0.8.
#[test]
fn md1_mean_latency_matches_pollaczek_khinchine() {
    let text = station_only("800/s", r#"{ "constant": "1ms" }"#);
    assert_matches_theory("M/D/1", &replicate_mean_ms(&text, 8), 3.0);
}

/// Little's law on the station's own time-average occupancy: L = λ W.
#[test]
fn littles_law_holds_on_the_station() {
    let text = station_only(
        "700/s",
        r#"{ "lognormal": { "median": "1ms", "sigma": 0.5 } }"#,
    );
    let r = run_json(&text, 3);
    let st = r.summary.volumes[0].station.clone().unwrap();
    let l = st.mean_in_station;
    let lw = st.throughput_per_second * st.mean_latency_us / 1e6;
    assert!((l - lw).abs() / lw < 0.01, "L = {l}, λW = {lw}");
    assert!(l > 1.0, "the station is loaded: {l}");
}

fn step_value(r: &RunResult, at_s: f64, f: impl Fn(&snapsim::metrics::IoStep) -> f64) -> f64 {
    let row = r
        .timeseries
        .iter()
        .find(|row| (row.start.as_secs_f64() - at_s).abs() < 1e-9)
        .expect("a step starts there");
    f(row.io.as_ref().expect("IO figures"))
}

/// gp2, 100 GiB: bursting at 3,000 IOPS from a full bucket lasts 2,000 s,
/// then the rate falls to the 300 IOPS baseline (EBS_FACTS.md §2.2).
#[test]
fn gp2_burst_lasts_2000_seconds_then_falls_to_baseline() {
    let text = r#"{
      "name": "gp2-burst", "duration": "2400s", "fidelity": "io", "timeseries_step": "20s",
      "volumes": [{ "name": "g", "type": "gp2", "size": "100GiB",
        "workload": { "reads": { "rate": "3000/s", "arrival": "constant", "size": "16KiB" } } }]
    }"#;
    let r = run_json(text, 1);
    let iops = |t| step_value(&r, t, |s| s.reads_per_second);
    assert!((iops(1000.0) - 3000.0).abs() < 60.0, "{}", iops(1000.0));
    assert!((iops(1960.0) - 3000.0).abs() < 60.0, "{}", iops(1960.0));
    assert!((iops(2040.0) - 300.0).abs() < 10.0, "{}", iops(2040.0));
    assert!((iops(2300.0) - 300.0).abs() < 10.0, "{}", iops(2300.0));
    // The credit balance crosses zero between 1,980 s and 2,020 s.
    let credits = |t| step_value(&r, t, |s| s.burst_credits);
    assert!(credits(1960.0) > 0.0 && credits(1960.0) < 2700.0 * 60.0);
    assert!(credits(2040.0) < 300.0);
}

/// gp2, 100 GiB, bursting at 3,000 IOPS: the credits run out at about
/// 2,000 s, long after the one snapshot (at 60 s) completed. The slowdown
/// that follows is the credits', so it is counted apart
/// (`credits_exhausted`, at 0 pending), and the table by pending level
/// (credits available) keeps the latency of a volume with credits: with
/// the IOs mixed, none pending would look far slower than one pending, and
/// the pending snapshot would look like a speed-up.
#[test]
fn gp2_credit_exhaustion_is_attributed_to_the_credits_not_to_pending_snapshots() {
    let text = r#"{
      "name": "gp2-credits", "duration": "2200s", "fidelity": "io", "warmup": "10s",
      "timeseries_step": "100s",
      "volumes": [{ "name": "g", "type": "gp2", "size": "100GiB", "used": "1GiB",
        "workload": { "reads": { "rate": "3000/s", "arrival": "constant", "size": "16KiB" } },
        "snapshots": { "at": ["60s"] } }]
    }"#;
    let r = run_json(text, 1);
    let snap = &r.snapshots[0];
    let done = snap
        .completed_at
        .expect("the snapshot completes")
        .as_secs_f64();
    assert!(
        done < 200.0,
        "the snapshot is done long before the credits run out: {done}"
    );
    let reads = &r.summary.volumes[0].latency.as_ref().expect("IO fidelity")[0];
    assert_eq!(reads.op, "read");
    let short = reads
        .credits_exhausted
        .as_ref()
        .expect("some reads waited for credits");
    // Every read that waited for credits arrived with nothing pending.
    assert_eq!(
        short.levels.iter().map(|l| l.pending).collect::<Vec<_>>(),
        vec![0],
        "{short:?}"
    );
    let (none, one) = (&reads.levels[0], &reads.levels[1]);
    assert_eq!((none.pending, one.pending), (0, 1), "{:?}", reads.levels);
    // About 1,990 s of none pending at 3,000/s with credits.
    assert!(none.count > 5_000_000, "{none:?}");
    // Reads with credits: service time only, a few milliseconds.
    assert!(none.p99_us < 20_000.0, "{none:?}");
    let empty = &short.levels[0];
    assert!(
        empty.p50_us > 100.0 * none.p50_us,
        "waiting for credits is the slowdown: {empty:?} vs {none:?}"
    );
    // What pending snapshots cost is read from the credits-available rows:
    // a small factor, not the inverse of the credits' slowdown.
    let d = &reads.degradation[0];
    assert_eq!(d.pending, 1);
    let p99 = d.p99.expect("both levels have IOs");
    assert!((0.5..5.0).contains(&p99), "{d:?}");
    let ratio = short.degradation[0].p50.expect("none pending has IOs");
    assert!(ratio > 100.0, "{:?}", short.degradation);
}

/// st1, 5 TiB, a full scan in 1 MiB sequential reads at queue depth well
/// above 4: 2.91 h best case, 3.27 h at the 90 % guarantee (EBS_FACTS §2.3).
#[test]
fn st1_full_scan_time_is_within_the_documented_bounds() {
    let text = r#"{
      "name": "st1-scan", "duration": "20m", "fidelity": "io", "timeseries_step": "1m",
      "volumes": [{ "name": "s", "type": "st1", "size": "5TiB",
        "workload": { "reads": { "rate": "600/s", "size": "1MiB", "alignment": "1MiB", "pattern": "sequential" } } }]
    }"#;
    let r = run_json(text, 1);
    let steps: Vec<f64> = r
        .timeseries
        .iter()
        .skip(1)
        .filter_map(|row| row.io.as_ref().map(|s| s.read_bytes_per_second))
        .collect();
    let rate = steps.iter().sum::<f64>() / steps.len() as f64;
    let hours = (5u64 << 40) as f64 / rate / 3600.0;
    assert!(
        (2.90..=3.27).contains(&hours),
        "scan would take {hours:.3} h at {rate} B/s"
    );
}

/// Above the provisioned IOPS latency grows without bound; below it stays
/// bounded.
#[test]
fn throttling_bounds_latency_only_below_the_limit() {
    let gp3 = |rate: &str| {
        format!(
            r#"{{ "name": "thr", "duration": "10m", "fidelity": "io", "timeseries_step": "1m",
              "volumes": [{{ "name": "v", "type": "gp3", "size": "500GiB", "iops": 3000,
                "workload": {{ "reads": {{ "rate": "{rate}", "size": "16KiB" }} }} }}] }}"#
        )
    };
    let p99 = |r: &RunResult, t: f64| step_value(r, t, |s| s.read_p99_us);
    let over = run_json(&gp3("3300/s"), 1);
    // The backlog grows by 300 IOs/s, so waiting grows by 0.1 s per second:
    // about 12 s at 2 min and 54 s at 9 min.
    assert!(
        p99(&over, 540.0) > 3.0 * p99(&over, 120.0),
        "{} vs {}",
        p99(&over, 540.0),
        p99(&over, 120.0)
    );
    assert!(
        p99(&over, 540.0) > 40e6,
        "over 40 s by the end: {}",
        p99(&over, 540.0)
    );
    let under = run_json(&gp3("2700/s"), 1);
    assert!(p99(&under, 540.0) < 100_000.0, "{}", p99(&under, 540.0));
    assert!(p99(&under, 540.0) < 3.0 * p99(&under, 120.0));
}

/// Mean write latency [µs] at each pending level, one list per
/// replication, for a bundled per-type scenario shortened to `duration`.
fn mean_writes_by_level(file: &str, duration: &str, seeds: u64) -> Vec<Vec<(u32, f64)>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(file);
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    value["duration"] = serde_json::Value::String(duration.into());
    (1..=seeds)
        .map(|seed| {
            let sc = scenario::from_value(value.clone(), file).expect("valid");
            let mut cfg = sc.config;
            cfg.seed = seed;
            let r = simulate(cfg, RunMeta::default()).expect("runs");
            let lat = r.summary.volumes[0].latency.clone().unwrap();
            let writes = lat.iter().find(|o| o.op == "write").unwrap();
            writes
                .levels
                .iter()
                .map(|l| (l.pending, l.mean_us))
                .collect()
        })
        .collect()
}

/// Degradation is real, if small under the default `copy_range`
/// copy-on-write (a few percent, as measured on gp3): with snapshots
/// pending, mean write latency is higher than with none, beyond the 95 %
/// confidence intervals of the replications, and the highest level reached
/// is above the no-snapshot level too.
fn assert_writes_degrade(file: &str) {
    let reps = mean_writes_by_level(file, "40m", 3);
    let level = |k: u32| -> Vec<f64> {
        reps.iter()
            .map(|r| r.iter().find(|(p, _)| *p == k).expect("level reached").1)
            .collect()
    };
    let (m0, h0) = mean_ci(&level(0));
    let top = reps[0].iter().map(|(p, _)| *p).max().unwrap();
    assert!(
        top >= 3,
        "{file}: snapshots should pile up, reached only {top}"
    );
    for k in [1, top] {
        let (mk, hk) = mean_ci(&level(k));
        assert!(
            mk - hk > m0 + h0,
            "{file}: mean with {k} pending {mk:.1}±{hk:.1} µs not above none pending {m0:.1}±{h0:.1} µs"
        );
    }
}

#[test]
fn gp2_writes_degrade_with_pending_snapshots() {
    assert_writes_degrade("latency-gp2.json");
}

#[test]
fn gp3_writes_degrade_with_pending_snapshots() {
    assert_writes_degrade("latency-gp3.json");
}

#[test]
fn io1_writes_degrade_with_pending_snapshots() {
    assert_writes_degrade("latency-io1.json");
}

#[test]
fn io2_writes_degrade_with_pending_snapshots() {
    assert_writes_degrade("latency-io2.json");
}

/// st1: while its snapshot is pending the volume runs at the 80 MiB/s
/// baseline instead of streaming 300 MiB/s (EBS_FACTS.md §2.3).
#[test]
fn st1_drops_to_baseline_while_a_snapshot_is_pending() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/latency-st1.json");
    let sc = scenario::load(&path).unwrap();
    let r = simulate(sc.config, RunMeta::default()).unwrap();
    let mib = |row: &snapsim::metrics::TimeseriesRow| {
        row.io.as_ref().unwrap().read_bytes_per_second / (1 << 20) as f64
    };
    let before: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|t| t.pending == 0)
        .take(15)
        .map(mib)
        .collect();
    let during: Vec<f64> = r
        .timeseries
        .iter()
        .filter(|t| t.pending == 1)
        .skip(1)
        .map(mib)
        .collect();
    assert!(!during.is_empty());
    for x in before.iter().skip(3) {
        assert!((x - 300.0).abs() < 10.0, "before: {x} MiB/s");
    }
    // Reads share the 80 MiB/s baseline with the volume's 20 MiB/s of writes.
    for x in &during[..during.len() - 1] {
        assert!(*x < 80.0 && *x > 50.0, "during: {x} MiB/s");
    }
    // The time series' IOPS tokens are the IOPS cap's (500 IOPS: at most
    // 5 tokens in its 10 ms window), not the throughput credits' bytes.
    for row in &r.timeseries {
        let tokens = row.io.as_ref().unwrap().iops_tokens;
        assert!(tokens <= 5.0 + 1e-9, "IOPS tokens {tokens}");
    }
}

/// IO fidelity stays deterministic: the same scenario and seed give the same
/// summary and time series, byte for byte once serialised.
#[test]
fn io_fidelity_runs_are_reproducible() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/latency-io2.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    value["duration"] = serde_json::Value::String("15m".into());
    let once = || {
        let sc = scenario::from_value(value.clone(), "latency-io2.json").unwrap();
        let r = simulate(sc.config, RunMeta::default()).unwrap();
        (
            serde_json::to_string(&r.summary).unwrap(),
            format!("{:?}", r.timeseries),
        )
    };
    let (a, b) = (once(), once());
    assert_eq!(a.0, b.0);
    assert_eq!(a.1, b.1);
    assert!(a.0.contains("\"p999_us\""), "latency was measured");
}

/// One channel, no limits, 4 KiB reads at 2,000/s (1.0076 ms each: twice
/// what the channel can serve) and a snapshot uploading at 1 GiB/s, whose
/// 512 KiB block reads (1.9766 ms each) also ask for four times the
/// channel: both lanes stay backlogged, so the share of channel time each
/// gets is the discipline's alone.
fn two_backlogged_lanes(snapshot_reads: &str) -> String {
    format!(
        r#"{{
          "name": "lanes", "duration": "100s", "fidelity": "io",
          "transfer": {{ "per_snapshot": "1GiB/s" }},
          "volumes": [{{
            "name": "q", "type": "custom", "size": "2TiB", "used": "1TiB",
            "iops": 1000000000, "throughput": "1000000GiB/s",
            "workload": {{ "reads": {{ "rate": "2000/s", "size": "4KiB" }} }},
            "performance": {{ "channels": 1, "base_latency": {{ "constant": "1ms" }},
                              "channel_bandwidth": "512MiB/s", "limits": false,
                              "snapshot_reads": {snapshot_reads} }},
            "snapshots": {{ "at": ["0s"] }}
          }}]
        }}"#
    )
}

/// Foreground IOs per second served under a snapshot-read discipline.
fn foreground_throughput(snapshot_reads: &str) -> f64 {
    let r = run_json(&two_backlogged_lanes(snapshot_reads), 1);
    assert_eq!(r.summary.volumes[0].snapshots.max_pending, 1);
    r.summary.volumes[0]
        .station
        .as_ref()
        .unwrap()
        .throughput_per_second
}

/// Snapshot reads share the channel as configured: with weight w the
/// foreground gets 1 / (1 + w) of the channel time, at low priority all of
/// it, and first come first served in proportion to the work that arrives.
#[test]
fn snapshot_read_weights_share_channel_time() {
    let mib = 1024.0 * 1024.0;
    let s_fg = 1e-3 + 4096.0 / (512.0 * mib);
    let s_bg = 1e-3 + 512.0 * 1024.0 / (512.0 * mib);
    let reads_per_s = 1024.0 * mib / (512.0 * 1024.0);
    let cases = [
        (r#"{ "weight": 0.25 }"#.to_string(), 0.8 / s_fg),
        (r#"{ "weight": 1 }"#.to_string(), 0.5 / s_fg),
        (r#"{ "weight": 4 }"#.to_string(), 0.2 / s_fg),
        (r#"{ "priority": "low" }"#.to_string(), 1.0 / s_fg),
        (
            r#"{ "priority": "equal" }"#.to_string(),
            2000.0 / (2000.0 * s_fg + reads_per_s * s_bg),
        ),
    ];
    for (reads, theory) in cases {
        let x = foreground_throughput(&reads);
        let err = (x - theory).abs() / theory;
        assert!(
            err < 0.02,
            "{reads}: {x:.1} IO/s vs {theory:.1} ({:.2} %)",
            err * 100.0
        );
    }
}

/// A volume whose 100 GiB are all in the first snapshot's delta, uploading
/// at 10 MiB/s; 4 KiB writes once a second hit blocks it has not uploaded
/// yet (all but the ~3 % that land behind the upload cursor); a 1 ms
/// station with no limits.
fn cow_scenario(policy: &str) -> String {
    format!(
        r#"{{
          "name": "cow", "duration": "10m", "fidelity": "io",
          "transfer": {{ "per_snapshot": "10MiB/s" }},
          "volumes": [{{
            "name": "v", "type": "custom", "size": "100GiB", "used": "100GiB",
            "iops": 1000000000, "throughput": "1000000GiB/s",
            "workload": {{ "writes": {{ "rate": "1/s", "arrival": "constant", "size": "4KiB" }} }},
            "performance": {{ "channels": 4, "base_latency": {{ "constant": "1ms" }},
                              "channel_bandwidth": "1GiB/s", "limits": false,
                              "copy_on_write": "{policy}" }},
            "snapshots": {{ "at": ["0s"] }}
          }}]
        }}"#
    )
}

/// Under the `wait` policy a write that hits a block the pending snapshot
/// has not uploaded waits for that block's upload, 512 KiB at 10 MiB/s =
/// 50 ms, then its own 1 ms; under `copy` it costs the station one block
/// read and one block write instead (2 × 512 KiB at 1 GiB/s = 0.98 ms), and
/// under `copy_range` one read and one write of its own 4 KiB.
#[test]
fn copy_on_write_wait_and_copy_cost_what_they_should() {
    let p50_ms = |policy: &str| {
        let r = run_json(&cow_scenario(policy), 1);
        let v = &r.summary.volumes[0];
        assert_eq!(v.snapshots.max_pending, 1);
        assert!(
            v.cow_copies > 550,
            "writes hit pending blocks: {}",
            v.cow_copies
        );
        let w = v
            .latency
            .as_ref()
            .unwrap()
            .iter()
            .find(|o| o.op == "write")
            .unwrap();
        let level1 = w.levels.iter().find(|l| l.pending == 1).unwrap();
        level1.p50_us / 1000.0
    };
    let transfer_ms = |bytes: f64| bytes / (1024.0 * 1024.0 * 1024.0) * 1000.0;
    let wait = p50_ms("wait");
    let theory = 50.0 + 1.0 + transfer_ms(4096.0);
    assert!(
        (wait - theory).abs() / theory < 0.002,
        "wait: {wait} ms vs {theory}"
    );
    let copy = p50_ms("copy");
    let theory = 1.0 + transfer_ms(4096.0 + 2.0 * 524288.0);
    assert!(
        (copy - theory).abs() / theory < 0.002,
        "copy: {copy} ms vs {theory}"
    );
    // `redirect` preserves nothing: the write costs what it would with
    // nothing pending.
    let redirect = p50_ms("redirect");
    let theory = 1.0 + transfer_ms(4096.0);
    assert!(
        (redirect - theory).abs() / theory < 0.002,
        "redirect: {redirect} ms vs {theory}"
    );
    // `copy_range` preserves only the 4 KiB the write overwrites.
    let range = p50_ms("copy_range");
    let theory = 1.0 + transfer_ms(3.0 * 4096.0);
    assert!(
        (range - theory).abs() / theory < 0.002,
        "copy_range: {range} ms vs {theory}"
    );
}
