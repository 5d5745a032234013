//! Property tests (proptest) of the model's invariants over small random
//! scenarios: a few gp2/gp3 volumes with random write rates, sizes and
//! patterns, snapshot schedules, pending limits, limit policies,
//! retention, upload caps and a shared pool, over 20 to 60 simulated
//! minutes, each case a few milliseconds. The scenarios are written as
//! JSON and loaded through `scenario::from_str`, as a user's would be.
//!
//! Checked from each run's records, storage series and time series:
//! - the pending snapshots of a volume never exceed its `pending_limit`
//!   (from the records at every acceptance, the time series, the summary);
//! - a completed snapshot uploaded exactly its delta (`progress` 1), and
//!   the bytes the time series shows uploaded equal the delta bytes of the
//!   accepted snapshots times their progress;
//! - stored bytes never go below zero, nor above the delta bytes of the
//!   snapshots accepted so far, and, keeping every snapshot, end at the
//!   completed snapshots' delta bytes;
//! - completion order (DESIGN §1.4, "pending until its whole delta has
//!   been uploaded and every older snapshot of the same volume has
//!   completed"): request ≤ upload done ≤ completed, and per volume the
//!   accepted snapshots complete in the order they were accepted;
//! - determinism: a sweep writes the same bytes on 1 and on 2 threads.

use proptest::prelude::*;
use serde_json::{json, Value};
use snapsim::metrics::{RunResult, SnapshotState};
use snapsim::model::{simulate, RunMeta};
use snapsim::sweep::{run_sweep, Plan, SweepOptions};

/// One random volume.
#[derive(Clone, Debug)]
struct Vol {
    gp2: bool,
    size_gib: u64,
    used_mib: u64,
    write_rate: u32,
    write_kib: u64,
    pattern: u8,
    pending_limit: u32,
    every_s: u64,
    first_at_s: u64,
    jitter_s: u64,
    on_limit: u8,
    retain: u8,
    pooled: bool,
}

/// One random scenario.
#[derive(Clone, Debug)]
struct Spec {
    seed: u64,
    minutes: u64,
    per_snapshot_mib: u32,
    per_volume_mib: Option<u32>,
    pool_mib: u32,
    fcfs: bool,
    volumes: Vec<Vol>,
}

fn vol() -> impl Strategy<Value = Vol> {
    (
        (any::<bool>(), 1u64..=32, 0u64..=2048, 1u32..=400),
        (
            prop::sample::select(vec![4u64, 16, 64, 1024]),
            0u8..4,
            1u32..=5,
        ),
        (60u64..=900, 0u64..=300, prop_oneof![Just(0u64), 1u64..=120]),
        (0u8..3, 0u8..3, any::<bool>()),
    )
        .prop_map(
            |(
                (gp2, size_gib, used_mib, write_rate),
                (write_kib, pattern, pending_limit),
                (every_s, first_at_s, jitter_s),
                (on_limit, retain, pooled),
            )| Vol {
                gp2,
                size_gib,
                used_mib: used_mib.min(size_gib * 1024),
                write_rate,
                write_kib,
                pattern,
                pending_limit,
                every_s,
                first_at_s,
                jitter_s,
                on_limit,
                retain,
                pooled,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<u64>(),
        20u64..=60,
        1u32..=64,
        prop::option::of(8u32..=128),
        4u32..=128,
        any::<bool>(),
        prop::collection::vec(vol(), 1..=3),
    )
        .prop_map(
            |(seed, minutes, per_snapshot_mib, per_volume_mib, pool_mib, fcfs, volumes)| Spec {
                seed,
                minutes,
                per_snapshot_mib,
                per_volume_mib,
                pool_mib,
                fcfs,
                volumes,
            },
        )
}

fn scenario_json(s: &Spec) -> Value {
    let volumes: Vec<Value> = s
        .volumes
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let pattern = match v.pattern {
                0 => json!("uniform"),
                1 => json!("sequential"),
                2 => json!({"zipf": {"exponent": 1.1}}),
                _ => json!({"hotspot": {"io_percent": 90, "space_percent": 10}}),
            };
            let mut snapshots = json!({
                "every": format!("{}s", v.every_s),
                "first_at": format!("{}s", v.first_at_s),
                "jitter": format!("{}s", v.jitter_s),
                "on_limit": match v.on_limit {
                    0 => json!("fail"),
                    1 => json!("skip"),
                    _ => json!({"retry": {"after": "20s", "max": 3, "factor": 2}}),
                },
            });
            match v.retain {
                1 => snapshots["retain"] = json!(2),
                2 => snapshots["retain"] = json!({"max_age": "15m"}),
                _ => {}
            }
            let mut vol = json!({
                "name": format!("v{i}"),
                "type": if v.gp2 { "gp2" } else { "gp3" },
                "size": format!("{}GiB", v.size_gib),
                "used": format!("{}MiB", v.used_mib),
                "pending_limit": v.pending_limit,
                "workload": { "writes": {
                    "rate": format!("{}/s", v.write_rate),
                    "size": format!("{}KiB", v.write_kib),
                    "pattern": pattern,
                } },
                "snapshots": snapshots,
            });
            if v.pooled {
                vol["pool"] = json!("link");
            }
            vol
        })
        .collect();
    let mut transfer = json!({
        "per_snapshot": format!("{}MiB/s", s.per_snapshot_mib),
        "sharing": if s.fcfs { "fcfs" } else { "fair" },
        "pools": [{"name": "link", "rate": format!("{}MiB/s", s.pool_mib)}],
    });
    if let Some(pv) = s.per_volume_mib {
        transfer["per_volume"] = json!(format!("{pv}MiB/s"));
    }
    json!({
        "name": "property",
        "seed": s.seed,
        "duration": format!("{}m", s.minutes),
        "timeseries_step": "1m",
        "change_tracking": "exact",
        "transfer": transfer,
        "volumes": volumes,
    })
}

fn run(s: &Spec) -> RunResult {
    let text = scenario_json(s).to_string();
    let sc = snapsim::scenario::from_str(&text, "property.json")
        .unwrap_or_else(|e| panic!("generated scenario refused: {e}\n{text}"));
    simulate(sc.config, RunMeta::default()).expect("run accepted")
}

fn accepted(state: SnapshotState) -> bool {
    matches!(
        state,
        SnapshotState::Pending | SnapshotState::Completed | SnapshotState::Deleted
    )
}

/// Every invariant of one run (see the file's doc).
fn check_invariants(s: &Spec, r: &RunResult) -> Result<(), TestCaseError> {
    let end = r.summary.simulated_seconds;
    for (vi, v) in s.volumes.iter().enumerate() {
        let mut acc: Vec<_> = r
            .snapshots
            .iter()
            .filter(|x| x.volume == vi && accepted(x.state))
            .collect();
        acc.sort_by_key(|x| x.requested_at);
        let limit = v.pending_limit as usize;

        // Pending never exceeds the limit: at each acceptance instant, the
        // accepted snapshots requested by then and not completed by then.
        for a in &acc {
            let t = a.requested_at;
            let pending = acc
                .iter()
                .filter(|b| b.requested_at <= t && b.completed_at.map_or(true, |c| c > t))
                .count();
            prop_assert!(
                pending <= limit,
                "volume {vi}: {pending} pending at {t:?}, limit {limit}"
            );
        }
        for row in r.timeseries.iter().filter(|row| row.volume == vi) {
            prop_assert!(row.pending as usize <= limit, "time series: {row:?}");
        }
        let summary = &r.summary.volumes[vi];
        prop_assert!(summary.snapshots.max_pending as usize <= limit);

        // Completion order.
        let mut last_completed = None;
        for a in &acc {
            if let Some(u) = a.upload_done_at {
                prop_assert!(a.requested_at <= u, "upload done before request: {a:?}");
            }
            if let Some(c) = a.completed_at {
                let u = a.upload_done_at;
                prop_assert!(u.is_some_and(|u| u <= c), "completed before upload: {a:?}");
                prop_assert!(
                    last_completed.map_or(true, |l| l <= c),
                    "volume {vi}: completed at {c:?} before an older one at {last_completed:?}"
                );
                last_completed = Some(c);
            } else {
                // Once one is unfinished, every younger one is too.
                last_completed = Some(snapsim::engine::SimTime(u64::MAX));
            }
        }

        // Bytes uploaded equal the delta bytes.
        let mut expect_uploaded = 0.0;
        for a in &acc {
            prop_assert_eq!(a.delta_bytes, a.delta_blocks * 524_288);
            if a.completed_at.is_some() {
                prop_assert!(a.progress == 1.0, "completed at progress {}", a.progress);
            } else {
                prop_assert!((0.0..=1.0).contains(&a.progress));
            }
            expect_uploaded += a.delta_bytes as f64 * a.progress;
        }
        let step = r.summary.timeseries_step_seconds;
        let uploaded: f64 = r
            .timeseries
            .iter()
            .filter(|row| row.volume == vi)
            .map(|row| row.upload_bytes_per_second * step)
            .sum();
        prop_assert!(
            (uploaded - expect_uploaded).abs() <= 1e-6 * expect_uploaded.max(1.0) + 1.0,
            "volume {vi}: the time series uploaded {uploaded} B, the deltas hold {expect_uploaded} B"
        );

        // Storage never negative (a wrapped subtraction shows as a huge
        // value), never above what was accepted so far.
        let mut stored_last = 0;
        for p in r.storage.iter().filter(|p| p.volume == vi) {
            let accepted_so_far: u64 = acc
                .iter()
                .filter(|a| a.requested_at <= p.at)
                .map(|a| a.delta_bytes)
                .sum();
            prop_assert!(
                p.stored_bytes <= accepted_so_far,
                "volume {vi}: {} B stored at {:?}, only {accepted_so_far} B accepted",
                p.stored_bytes,
                p.at
            );
            stored_last = p.stored_bytes;
        }
        prop_assert_eq!(summary.storage.final_bytes, stored_last);
        prop_assert!(summary.storage.mean_bytes >= 0.0 && summary.storage.cost_usd >= 0.0);
        if v.retain == 0 {
            let completed: u64 = acc
                .iter()
                .filter(|a| a.completed_at.is_some())
                .map(|a| a.delta_bytes)
                .sum();
            prop_assert_eq!(stored_last, completed, "volume {}: keep-all storage", vi);
        }
        prop_assert!(end > 0.0);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn run_invariants_hold(s in spec()) {
        let r = run(&s);
        check_invariants(&s, &r)?;
    }
}

/// The sweep's output folder as (file name, bytes), sorted.
fn folder(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn sweep_is_byte_identical_on_one_and_two_threads(s in spec()) {
        let mut source = scenario_json(&s);
        source["sweep"] = json!({
            "grid": { "transfer.per_snapshot": ["8MiB/s", "32MiB/s"] },
            "replications": 2,
        });
        let plan = Plan::from_source(source, "property.json").expect("valid sweep");
        let tmp = tempfile::tempdir().unwrap();
        let mut outputs = Vec::new();
        for threads in [1, 2] {
            let out = tmp.path().join(format!("t{threads}"));
            // As `snapsim sweep` does: a marked results folder to fill.
            snapsim::report::atomic::prepare(&out).expect("a fresh folder");
            let opts = SweepOptions {
                threads: Some(threads),
                out: out.clone(),
                shard: None,
                resume: false,
                fail_fast: false,
                progress: false,
            };
            run_sweep(&plan, &opts).expect("sweep runs");
            outputs.push(folder(&out));
        }
        prop_assert!(!outputs[0].is_empty());
        prop_assert_eq!(&outputs[0], &outputs[1]);
    }
}
