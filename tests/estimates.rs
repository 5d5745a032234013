//! The work estimate behind the run guard, against hand counts: writes are
//! rate × duration, requests are schedule slots × attempts, rows are steps
//! × volumes; statistical tracking thins writes to the sampled blocks; a
//! looping trace is read once per lap. And the guard's two sides: just
//! under the limit runs, just over it is refused unless large runs are
//! allowed.

use snapsim::model::{plan, work, ModelError};
use snapsim::scenario;
use std::path::Path;

fn config(text: &str) -> snapsim::model::config::SimConfig {
    scenario::from_str(text, "estimate.json")
        .expect("the scenario validates")
        .config
}

#[test]
fn the_quickstart_estimate_matches_the_hand_count() {
    let sc =
        scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.json"))
            .unwrap();
    let w = plan(&sc.config).unwrap().work;
    // 800 writes/s over 24 h.
    assert_eq!(w.writes, 800 * 86_400);
    // Hourly from 0 s over 24 h: 25 slots (0 h … 24 h), each at most 1 + 3
    // attempts (retry max 3).
    assert_eq!(w.requests, 25 * 4);
    // One volume, 1-minute steps over 24 h.
    assert_eq!(w.rows, 1_440);
    assert_eq!((w.ios, w.trace_lines, w.phases), (0, 0, 0));
    assert_eq!(w.total(), 800 * 86_400 + 100 + 1_440);
}

#[test]
fn statistical_tracking_draws_only_the_writes_of_sampled_blocks() {
    let text = |tracking: &str| {
        format!(
            r#"{{"name": "s", "duration": "1h", "change_tracking": {tracking},
            "volumes": [{{"name": "v", "type": "gp3", "size": "1TiB",
              "workload": {{"writes": {{"rate": "1000/s", "size": "16KiB"}}}},
              "snapshots": {{"every": "1h"}}}}]}}"#
        )
    };
    let exact = plan(&config(&text("\"exact\""))).unwrap().work.writes;
    let sampled = plan(&config(&text("{\"statistical\": {\"samples\": 4096}}")))
        .unwrap()
        .work
        .writes;
    assert_eq!(exact, 3_600_000);
    // 4,096 sampled of 2,097,152 blocks, a 16 KiB write spans at most
    // 0 + 2 blocks: 3.6 M × 4096 × 2 / 2,097,152 = 14,062.5 → 14,063.
    assert_eq!(sampled, 14_063);
}

#[test]
fn on_off_phases_and_io_fidelity_are_counted() {
    let c = config(
        r#"{"name": "o", "duration": "1h", "fidelity": "io",
        "volumes": [{"name": "v", "type": "gp3", "size": "100GiB",
          "workload": {"writes": {"rate": "100/s", "size": "4KiB",
            "arrival": {"onoff": {"on": "1s", "off": "1s"}}},
            "reads": {"rate": "50/s", "size": "4KiB"}},
          "snapshots": {"every": "1h"}}]}"#,
    );
    let w = plan(&c).unwrap().work;
    // On half the time: 100/s × 1800 s writes, plus 50/s × 3600 s reads.
    assert_eq!(w.ios, 180_000 + 180_000);
    // A 2-s cycle, two changes per cycle, over 3600 s.
    assert_eq!(w.phases, 3_600);
    assert_eq!(w.writes, 0);
    assert_eq!(w.total(), 360_000 * work::IO_WEIGHT + 3_600 + 2 + 60);
}

#[test]
fn a_looping_trace_is_read_once_per_lap() {
    let dir = tempfile::tempdir().unwrap();
    // Three lines (one malformed, skipped), spanning 1 s of trace time.
    std::fs::write(
        dir.path().join("t.csv"),
        "128166372000000000,src1,0,Write,0,4096,100\nnot a line\n128166372010000000,src1,0,Write,8192,4096,100\n",
    )
    .unwrap();
    let text = r#"{"name": "t", "duration": "1h",
        "volumes": [{"name": "v", "type": "gp3", "size": "1GiB",
          "workload": {"trace": {"path": "t.csv", "format": "msr", "loop": true,
            "time_scale": 2, "on_error": "skip"}},
          "snapshots": {"every": "1h"}}]}"#;
    let c = scenario::from_str_in(text, "t.json", dir.path())
        .unwrap()
        .config;
    // A lap lasts 2 s of simulated time: laps start at 0, 2, … 3600 s.
    assert_eq!(plan(&c).unwrap().work.trace_lines, 3 * 1_801);
}

#[test]
fn the_limit_refuses_just_above_it_and_allow_large_lifts_it() {
    let text = |rate: u64, secs: u64| {
        format!(
            r#"{{"name": "l", "duration": "{secs}s", "timeseries_step": "{secs}s",
            "volumes": [{{"name": "v", "type": "gp3", "size": "1GiB",
              "workload": {{"writes": {{"rate": "{rate}/s", "size": "4KiB"}}}}}}]}}"#
        )
    };
    // rate × duration writes + 1 row, against 2e10.
    let under = config(&text(9_999_999, 2_000));
    assert_eq!(plan(&under).unwrap().work.total(), 19_999_998_000 + 1);
    let mut over = config(&text(10_000_000, 2_001));
    match plan(&over) {
        Err(ModelError::TooMuchWork { what, fix, .. }) => {
            assert!(what.contains("2.0e10 writes"), "{what}");
            assert!(fix.contains("statistical"), "{fix}");
        }
        other => panic!("not refused: {other:?}"),
    }
    over.allow_large = true;
    assert!(plan(&over).is_ok());
}
