//! The bundled calibration against published measurements: full snapshots
//! of gp3 volumes of 50 to 1,024 GiB (PingCAP's TiDB on EBS figures), run
//! with the default upload model, land inside the measured spread for every
//! published size; and the `measurements` key is checked like any input.

use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;
use std::path::Path;

#[test]
fn calibration_tidb_lands_inside_the_measured_spread_for_every_size() {
    let sc = scenario::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration-tidb.json"),
    )
    .unwrap();
    assert_eq!(sc.measurements.len(), 5);
    let meta = RunMeta {
        scenario: sc.name.clone(),
        measurements: sc.measurements.clone(),
        ..RunMeta::default()
    };
    let r = simulate(sc.config, meta).unwrap();
    let rows = &r.summary.measurements;
    assert_eq!(rows.len(), 5);
    for m in rows {
        let [lo, hi] = m.range_seconds.unwrap();
        let got = m.simulated_seconds.expect("every full snapshot completes");
        // No writes and one snapshot: the upload is exactly the used bytes
        // at the default 42 MiB/s per snapshot (nanosecond rounding aside).
        let used_gib: f64 = m
            .volume
            .trim_start_matches("full-")
            .trim_end_matches("GiB")
            .parse()
            .unwrap();
        let hand = used_gib * 1024.0 / 42.0;
        assert!(
            (got - hand).abs() < 1e-3,
            "{}: {got} s vs {hand} s",
            m.volume
        );
        assert!(
            (lo..=hi).contains(&got),
            "{}: simulated {got} s outside the measured spread [{lo}, {hi}] s",
            m.volume
        );
        assert_eq!(m.inside_range, Some(true));
        // The range is the set's rate spread: 100 GiB in 50 min (slowest)
        // and 500 GiB in 150 min (fastest).
        let slow = 100.0 * 1024.0 / 3000.0;
        let fast = 500.0 * 1024.0 / 9000.0;
        let size = used_gib * 1024.0;
        assert!((lo - size / fast).abs() < 60.0, "{}: lo {lo}", m.volume);
        assert!((hi - size / slow).abs() < 60.0, "{}: hi {hi}", m.volume);
    }
}

#[test]
fn measurements_name_existing_volumes_and_ranges_in_order() {
    let base = |rows: &str| {
        format!(
            r#"{{"name": "m", "duration": "1h", "volumes": [{{"name": "db", "type": "gp3", "size": "10GiB", "snapshots": {{"every": "1h"}}}}],
            "measurements": {{"source": "s", "rows": [{rows}]}}}}"#
        )
    };
    let err = scenario::from_str(
        &base(r#"{"volume": "dbx", "what": "first_snapshot", "measured": "1m"}"#),
        "m.json",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("measurements.rows[0].volume"), "{err}");
    assert!(err.contains("\"dbx\"") && err.contains("db"), "{err}");
    let err = scenario::from_str(
        &base(r#"{"volume": "db", "what": "first_snapshot", "measured": "1m", "range": ["2m", "1m"]}"#),
        "m.json",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("measurements.rows[0].range") && err.contains("reversed"),
        "{err}"
    );
    let err = scenario::from_str(
        &base(r#"{"volume": "db", "what": "last_snapshot", "measured": "1m"}"#),
        "m.json",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("last_snapshot"), "{err}");
    let ok = scenario::from_str(
        &base(r#"{"volume": "db", "what": "first_snapshot", "measured": "1m"}"#),
        "m.json",
    )
    .unwrap();
    assert_eq!(ok.measurements[0].range_seconds, None);
}

/// The change in mean IO latency (reads and writes together, weighted by
/// their counts) from none pending to one pending, with `policy` as the
/// copy-on-write policy of the calibration volume, and the volume's station
/// figures.
fn impact_of(policy: Option<&str>) -> (f64, snapsim::metrics::latency::StationStats, u64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/calibration-tidb-impact.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    if let Some(p) = policy {
        json["volumes"][0]["performance"] = serde_json::json!({ "copy_on_write": p });
    }
    let sc = scenario::from_str(&json.to_string(), "calibration-tidb-impact.json").unwrap();
    let r = simulate(sc.config, RunMeta::default()).unwrap();
    let v = &r.summary.volumes[0];
    let means = snapsim::metrics::latency::all_io_mean(v.latency.as_ref().unwrap());
    let mean = |k: u32| {
        let &(_, n, m) = means.iter().find(|m| m.0 == k).expect("level observed");
        assert!(n > 100_000, "level {k}: {n} IOs");
        m
    };
    (
        mean(1) / mean(0) - 1.0,
        v.station.clone().unwrap(),
        v.cow_copies,
    )
}

/// PingCAP measured under 3 % application impact while snapshotting gp3.
/// The default (`copy_range`: preserve only the overwritten bytes) lands
/// inside that, with hundreds of thousands of copies made; copying whole
/// 512 KiB blocks, the previous default, saturates the volume's throughput
/// and lands orders of magnitude outside, which is why it is not the
/// default.
#[test]
fn copy_on_write_default_keeps_the_impact_inside_the_measured_range() {
    let (impact, station, copies) = impact_of(None);
    assert!(copies > 100_000, "writes hit pending blocks: {copies}");
    assert!(station.copy_on_write_bytes > 0);
    assert!(
        (0.0..0.03).contains(&impact),
        "copy_range: impact {:.2} % outside [0, 3 %)",
        impact * 100.0
    );
    let (impact, _, _) = impact_of(Some("copy"));
    assert!(
        impact > 0.03,
        "whole-block copies: impact {:.2} % should be outside the measured range",
        impact * 100.0
    );
}

/// Copy-on-write traffic is charged against the volume's throughput: a
/// gp3 volume at 125 MiB/s whose writes, with whole-block copies, offer far
/// more than 125 MiB/s while its full snapshot is pending (the case where
/// copies used to exceed the cap) never moves more than its cap through
/// the station, copies included.
#[test]
fn copy_on_write_traffic_never_exceeds_the_throughput_cap() {
    let text = r#"{
      "name": "cap", "duration": "5m", "fidelity": "io",
      "volumes": [{
        "name": "v", "type": "gp3", "size": "200GiB", "used": "200GiB",
        "iops": 3000, "throughput": "125MiB/s",
        "workload": { "writes": { "rate": "300/s", "size": "16KiB" } },
        "performance": { "copy_on_write": "copy" },
        "snapshots": { "at": ["0s"] }
      }]
    }"#;
    let sc = scenario::from_str(text, "cap.json").unwrap();
    let secs = sc.config.duration.as_secs_f64();
    let r = simulate(sc.config, RunMeta::default()).unwrap();
    let v = &r.summary.volumes[0];
    let st = v.station.as_ref().unwrap();
    let cap = 125.0 * 1024.0 * 1024.0;
    // What the copies alone would move if nothing held them back: every
    // hit reads and writes a 512 KiB block.
    let offered = v.cow_copies as f64 * 2.0 * 524_288.0 / secs;
    assert!(
        offered > 1.2 * cap,
        "the case drives copies beyond the cap: {offered}"
    );
    // The cap's bucket holds 10 ms of tokens, once.
    let allowed = cap + cap * 0.01 / secs;
    assert!(
        st.charged_bytes_per_second <= allowed,
        "{} B/s through the station > cap {allowed} B/s",
        st.charged_bytes_per_second
    );
    assert!(
        st.charged_bytes_per_second > 0.9 * cap,
        "the volume runs at its cap: {}",
        st.charged_bytes_per_second
    );
    assert!(st.copy_on_write_bytes as f64 > 0.5 * st.charged_bytes_per_second * secs);
}
