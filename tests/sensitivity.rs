//! `snapsim sensitivity` through the binary: on a scenario whose metric is
//! linear in one factor (a first snapshot's time is used bytes ÷ rate),
//! the tornado bar equals the hand computation and a factor with no effect
//! gets a zero-width bar; a scenario narrows a range; bad input is refused.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn snapsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .output()
        .expect("the binary starts")
}

/// One volume with 10 GiB used and no writes, one snapshot at 0 s.
fn scenario(dir: &Path, extra: &str) -> std::path::PathBuf {
    let p = dir.join("linear.json");
    std::fs::write(
        &p,
        format!(
            r#"{{"name": "linear", "duration": "2h", "timeseries_step": "10m",
            "volumes": [{{"name": "v", "type": "gp3", "size": "10GiB", "used": "10GiB",
              "snapshots": {{"at": ["0s"]}}}}]{extra}}}"#
        ),
    )
    .unwrap();
    p
}

fn study(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap()
}

#[test]
fn a_linear_metric_gives_the_hand_computed_bar_and_no_effect_a_zero_bar() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(tmp.path(), "");
    let out = tmp.path().join("out");
    let o = snapsim(&[
        "sensitivity",
        s.to_str().unwrap(),
        "--metric",
        "time_pending_max_seconds",
        "--replications",
        "2",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = study(&out);
    let effects = v["effects"].as_array().unwrap();
    let find = |f: &str| effects.iter().find(|e| e["factor"] == f).unwrap();
    let used = 10.0 * 1024.0 * 1024.0 * 1024.0;
    let mib = 1024.0 * 1024.0;
    let per = find("transfer.per_snapshot");
    let (low, high) = (used / (34.1 * mib), used / (56.9 * mib));
    assert!((per["low"].as_f64().unwrap() - low).abs() < 1e-3, "{per}");
    assert!((per["high"].as_f64().unwrap() - high).abs() < 1e-3, "{per}");
    assert!(
        (per["swing"].as_f64().unwrap() - (high - low)).abs() < 2e-3,
        "{per}"
    );
    // The default 42 MiB/s at the base point.
    assert!((per["base"].as_f64().unwrap() - used / (42.0 * mib)).abs() < 1e-3);
    // One snapshot pending at a time: a per-volume cap at or above one
    // snapshot's rate changes nothing.
    let vol = find("transfer.per_volume");
    assert_eq!(vol["swing"].as_f64(), Some(0.0), "{vol}");
    // Ranked: the factor that matters first.
    assert_eq!(effects[0]["factor"], "transfer.per_snapshot");
    for f in [
        "sensitivity.md",
        "sensitivity.html",
        "sensitivity.csv",
        "tornado-time_pending_max_seconds.png",
        "tornado-time_pending_max_seconds.svg",
        "runs.jsonl",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let md = std::fs::read_to_string(out.join("sensitivity.md")).unwrap();
    assert!(md.contains("is decided by `transfer.per_snapshot`"), "{md}");
    assert!(md.contains("no effect: transfer.per_volume"), "{md}");
    // Resuming a finished study recomputes nothing and writes the same bytes.
    let before = std::fs::read(out.join("sensitivity.csv")).unwrap();
    let o = snapsim(&[
        "sensitivity",
        s.to_str().unwrap(),
        "--metric",
        "time_pending_max_seconds",
        "--replications",
        "2",
        "--threads",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("10 runs"));
    assert_eq!(before, std::fs::read(out.join("sensitivity.csv")).unwrap());
}

#[test]
fn a_scenario_narrows_a_range_and_bad_sections_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(
        tmp.path(),
        r#", "sensitivity": {"transfer.per_snapshot": ["40MiB/s", "44MiB/s"]}"#,
    );
    let out = tmp.path().join("out");
    let o = snapsim(&[
        "sensitivity",
        s.to_str().unwrap(),
        "--metric",
        "time_pending_max_seconds",
        "--replications",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = study(&out);
    let f = &v["factors"][0];
    assert_eq!(
        (f["low"].as_str(), f["high"].as_str()),
        (Some("40MiB/s"), Some("44MiB/s"))
    );
    assert_eq!(f["why"], "range given by the scenario");

    for (extra, needle) in [
        (
            r#", "sensitivity": {"transfer.per_snapshot": ["40MiB/s"]}"#,
            "a list of two values",
        ),
        (
            r#", "sensitivity": {"transfer.per_snapshot": ["0MiB/s", "44MiB/s"]}"#,
            "the low end \"0MiB/s\" is refused",
        ),
        (
            r#", "sensitivity": {"volumes[0].iops_typo": [1, 2]}"#,
            "is not in the scenario",
        ),
    ] {
        let s = scenario(tmp.path(), extra);
        let o = snapsim(&[
            "sensitivity",
            s.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra}: {err}");
        assert!(
            err.contains("sensitivity[") && err.contains(needle),
            "{extra}: {err}"
        );
    }
    let s = scenario(tmp.path(), "");
    let o = snapsim(&[
        "sensitivity",
        s.to_str().unwrap(),
        "--metric",
        "speed",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown metric \"speed\""));
}

#[test]
fn morris_screening_ranks_like_the_hand_model_and_is_reproducible() {
    let tmp = tempfile::tempdir().unwrap();
    let s = scenario(
        tmp.path(),
        r#", "sensitivity": {"volumes[0].used": ["2GiB", "10GiB"]}"#,
    );
    let run = |out: &Path, threads: &str| {
        let o = snapsim(&[
            "sensitivity",
            s.to_str().unwrap(),
            "--metric",
            "time_pending_max_seconds",
            "--replications",
            "1",
            "--morris",
            "5",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(out.join("sensitivity.json")).unwrap()
    };
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let bytes = run(&a, "1");
    assert_eq!(bytes, run(&b, "2"), "same bytes at any thread count");
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["morris"]["trajectories"], 5);
    let sc = v["morris"]["screening"].as_array().unwrap();
    let order: Vec<&str> = sc.iter().map(|x| x["factor"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [
            "volumes[0].used",
            "transfer.per_snapshot",
            "transfer.per_volume"
        ]
    );
    // time = used / rate: growing in used, falling in rate, and the
    // non-binding cap has no effect at all.
    assert!(sc[0]["mu"].as_f64().unwrap() > 0.0);
    assert!(sc[1]["mu"].as_f64().unwrap() < 0.0);
    assert_eq!(sc[2]["mu_star"].as_f64(), Some(0.0));
    assert_eq!(sc[2]["sigma"].as_f64(), Some(0.0));
    for x in sc {
        assert_eq!(x["effects"], 5);
    }
    // Every elementary effect of `used` lies between its effect at the
    // fastest and at the slowest rate: 8 GiB / 56.9 MiB/s … 8 GiB / 34.1 MiB/s.
    let mu = sc[0]["mu_star"].as_f64().unwrap();
    let gib8 = 8.0 * 1024.0;
    assert!(
        mu >= gib8 / 56.9 - 1.0 && mu <= gib8 / 34.1 + 1.0,
        "μ* {mu}"
    );
    let md = std::fs::read_to_string(a.join("sensitivity.md")).unwrap();
    assert!(md.contains("## Interactions (Morris screening)"));
}

/// `snapsim sensitivity SCENARIO` with one replication on 2 threads and
/// `extra` flags, into `out`: its `sensitivity.json`.
fn one_replication(scenario: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["sensitivity", scenario.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.extend(["--replications", "1", "--threads", "2", "--quiet", "--out"]);
    args.push(out.to_str().unwrap());
    let o = snapsim(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    study(out)
}

/// At IO fidelity the station's unknowns are default factors. On a station
/// without limits (constant 1 ms, 1 GiB/s channels), 4 KiB writes that
/// almost all hit blocks the pending full snapshot has not uploaded (it
/// uploads 10 MiB/s of 100 GiB), the application impact moves between
/// `redirect` (nothing preserved: ratio 1) and `copy_range` (each hit reads
/// and writes its 4 KiB: + 8 KiB / 1 GiB/s = 7.63 µs on 1.0038 ms, times the
/// share of writes that hit, 97–100 %). Under --morris the policy factor,
/// a name, is left out.
#[test]
fn io_fidelity_adds_the_station_factors_and_copy_on_write_swings_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("station.json");
    std::fs::write(
        &s,
        r#"{"name": "station", "duration": "6m", "fidelity": "io",
          "transfer": {"per_snapshot": "10MiB/s"},
          "volumes": [{"name": "v", "type": "custom", "size": "100GiB", "used": "100GiB",
            "iops": 1000000000, "throughput": "1000000GiB/s",
            "workload": {"writes": {"rate": "20/s", "size": "4KiB"}},
            "performance": {"channels": 4, "base_latency": {"constant": "1ms"},
                            "channel_bandwidth": "1GiB/s", "limits": false},
            "snapshots": {"at": ["1m"]}}]}"#,
    )
    .unwrap();
    let v = one_replication(&s, &tmp.path().join("out"), &[]);
    let effects = v["effects"].as_array().unwrap();
    let find = |f: &str| {
        effects
            .iter()
            .find(|e| e["factor"] == f && e["metric"] == "latency_all_mean_ratio_pending_1")
            .unwrap_or_else(|| panic!("no effect of {f}"))
    };
    for f in [
        "volumes[0].performance.channels",
        "volumes[0].performance.base_latency.constant",
    ] {
        find(f);
    }
    let cow = find("volumes[0].performance.copy_on_write");
    let low = cow["low"].as_f64().unwrap();
    let high = cow["high"].as_f64().unwrap();
    assert!((low - 1.0).abs() < 1e-3, "redirect costs nothing: {cow}");
    let per_hit = 8192.0 / (1u64 << 30) as f64 * 1e3 / (1.0 + 4096.0 / (1u64 << 30) as f64 * 1e3);
    let swing = high - low;
    assert!(
        (0.97 * per_hit..=1.0 * per_hit + 1e-4).contains(&swing),
        "swing {swing} vs {per_hit} per hit: {cow}"
    );
    // Morris: only factors that can be interpolated.
    let v = one_replication(&s, &tmp.path().join("morris"), &["--morris", "2"]);
    let factors: Vec<&str> = v["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(
        factors.contains(&"volumes[0].performance.channels"),
        "{factors:?}"
    );
    assert!(
        !factors.iter().any(|f| f.ends_with("copy_on_write")),
        "{factors:?}"
    );
}
