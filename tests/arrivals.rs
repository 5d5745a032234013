//! Richer arrival processes and IO sizes (issue 4 item 2), checked against
//! what they promise, through the scenario format.

use snapsim::metrics::RunResult;
use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;

fn run(workload: &str, duration: &str, step: &str) -> RunResult {
    let text = format!(
        r#"{{ "name": "arr", "seed": 5, "duration": "{duration}", "timeseries_step": "{step}",
            "volumes": [{{ "name": "v", "type": "gp3", "size": "100GiB", "workload": {workload} }}] }}"#
    );
    let sc = scenario::from_str(&text, "arrivals.json").expect("valid");
    simulate(sc.config, RunMeta::default()).expect("runs")
}

fn per_step_counts(r: &RunResult, step_s: f64) -> Vec<f64> {
    r.timeseries
        .iter()
        .map(|t| t.writes_per_second * step_s)
        .collect()
}

/// Daily profile: the writes in each hour follow base × multiplier, within
/// 4 standard deviations of the Poisson count.
#[test]
fn daily_profile_follows_its_hourly_multipliers() {
    let m: Vec<f64> = (0..24).map(|h| [0.2, 1.0, 2.5, 0.0][h % 4]).collect();
    let list = m
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let r = run(
        &format!(
            r#"{{ "writes": {{ "rate": "20/s", "size": "4KiB", "arrival": {{ "daily": {{ "multipliers": [{list}] }} }} }} }}"#
        ),
        "48h",
        "1h",
    );
    let counts = per_step_counts(&r, 3600.0);
    assert_eq!(counts.len(), 48);
    for (h, c) in counts.iter().enumerate() {
        let expect = 20.0 * 3600.0 * m[h % 24];
        assert!(
            (c - expect).abs() <= 4.0 * expect.sqrt() + 0.5,
            "hour {h}: {c} vs {expect}"
        );
    }
}

/// Sinusoid: the peak hour sees (1 + a) / (1 − a) times the trough's writes.
#[test]
fn sinusoid_peaks_at_its_peak_hour() {
    let r = run(
        r#"{ "writes": { "rate": "10/s", "size": "4KiB", "arrival": { "daily": { "peak_hour": 14, "amplitude": 0.5 } } } }"#,
        "24h",
        "1h",
    );
    let c = per_step_counts(&r, 3600.0);
    let peak = (0..24).max_by(|&a, &b| c[a].total_cmp(&c[b])).unwrap();
    assert!((13..=14).contains(&peak), "peak at hour {peak}");
    let ratio = c[14] / c[2];
    assert!((ratio - 3.0).abs() < 0.3, "peak/trough {ratio}");
}

/// On/off: the long-run rate is the on-rate times the duty cycle.
#[test]
fn on_off_long_run_rate_is_the_duty_cycle_average() {
    // Exponential periods: the total on-time itself varies (about 1.4 % over
    // 5,400 cycles), so allow 5 %.
    for (periods, days, rate, tol) in [
        ("exponential", 30.0, 10.0, 0.05),
        ("fixed", 2.0, 100.0, 0.01),
    ] {
        let r = run(
            &format!(
                r#"{{ "writes": {{ "rate": "{rate}/s", "size": "4KiB", "arrival": {{ "onoff": {{ "on": "2m", "off": "6m", "periods": "{periods}" }} }} }} }}"#
            ),
            &format!("{days}d"),
            "1d",
        );
        let writes = r.summary.volumes[0].writes as f64;
        let expect = rate * 0.25 * days * 86_400.0;
        assert!(
            (writes - expect).abs() / expect < tol,
            "{periods}: {writes} vs {expect}"
        );
    }
    // Fixed periods: exactly nothing during the off-periods.
    let r = run(
        r#"{ "writes": { "rate": "100/s", "size": "4KiB", "arrival": { "onoff": { "on": "2m", "off": "6m", "periods": "fixed" } } } }"#,
        "32m",
        "1m",
    );
    let c = per_step_counts(&r, 60.0);
    for (minute, n) in c.iter().enumerate() {
        let on = minute % 8 < 2;
        assert_eq!(*n > 0.0, on, "minute {minute}: {n}");
    }
}

/// Steps: the rate changes exactly at each step.
#[test]
fn steps_change_the_rate_at_their_instants() {
    let r = run(
        r#"{ "writes": { "rate": "10/s", "size": "4KiB", "arrival": { "steps": [ { "at": "1h", "rate": "50/s" }, { "at": "2h", "rate": "0/s" } ] } } }"#,
        "3h",
        "1h",
    );
    let c = per_step_counts(&r, 3600.0);
    assert!((c[0] - 36_000.0).abs() < 4.0 * 190.0, "{c:?}");
    assert!((c[1] - 180_000.0).abs() < 4.0 * 425.0, "{c:?}");
    assert_eq!(c[2], 0.0);
}

/// A mixture: two streams add up, and a discrete size distribution gives
/// the stated mean size.
#[test]
fn mixtures_add_up_and_discrete_sizes_average_out() {
    let r = run(
        r#"{ "writes": [
              { "rate": "30/s", "size": { "4KiB": 0.75, "64KiB": 0.25 } },
              { "rate": "10/s", "size": "1MiB", "alignment": "1MiB", "pattern": "sequential" } ] }"#,
        "2h",
        "1h",
    );
    let v = &r.summary.volumes[0];
    let secs = 7200.0;
    let writes = v.writes as f64;
    assert!(
        (writes - 40.0 * secs).abs() < 4.0 * (40.0 * secs).sqrt(),
        "{writes}"
    );
    let mean_small = 0.75 * 4096.0 + 0.25 * 65536.0;
    let expect_bytes = 30.0 * secs * mean_small + 10.0 * secs * 1048576.0;
    let bytes = v.bytes_written as f64;
    assert!(
        (bytes - expect_bytes).abs() / expect_bytes < 0.02,
        "{bytes} vs {expect_bytes}"
    );
}

/// Log-normal sizes stay within their bounds and on the alignment.
#[test]
fn lognormal_sizes_respect_bounds() {
    let r = run(
        r#"{ "writes": { "rate": "50/s", "size": { "lognormal": { "median": "16KiB", "sigma": 1.5, "min": "4KiB", "max": "256KiB" } } } }"#,
        "1h",
        "1h",
    );
    let v = &r.summary.volumes[0];
    let mean = v.bytes_written as f64 / v.writes as f64;
    assert!(mean > 16384.0 && mean < 262144.0, "mean size {mean}");
    assert_eq!(
        v.bytes_written % 4096,
        0,
        "sizes are multiples of the 4 KiB alignment"
    );
}
