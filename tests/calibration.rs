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
