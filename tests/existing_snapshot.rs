//! `existing_snapshot`: a volume whose `used` data is already held by a
//! completed snapshot made before the run. Its first simulated snapshot is
//! incremental (closed forms of DESIGN.md §1.7), the existing snapshot is
//! stored from t = 0 and deleted by retention like any other, and
//! `--verify` still finds every completed snapshot exact.

mod common;

use common::*;
use snapsim::engine::{SimDuration, SimTime};
use snapsim::model::config::*;
use snapsim::model::tracking::{Choice, SampleSize};
use snapsim::model::units::{Bytes, Frequency};
use snapsim::model::{simulate, RunMeta, RunResult};

fn run(cfg: SimConfig) -> RunResult {
    simulate(cfg, RunMeta::default()).expect("run accepted")
}

fn seeded(name: &str, size: Bytes, used: Bytes) -> VolumeConfig {
    let mut v = volume(name, size, used);
    v.existing_snapshot = true;
    v
}

/// No writes: the first snapshot holds no block and completes at its
/// request; the used bytes are stored from t = 0; the existing snapshot is
/// no record; summary.json counts the volume.
#[test]
fn without_writes_the_first_snapshot_is_empty_and_storage_starts_at_used() {
    let gib = 1u64 << 30;
    let mut v = seeded("db", Bytes::gib(100), Bytes::gib(40));
    v.schedule.times = at_secs(&[60.0]);
    let r = run(config(3600, 48.0, vec![v]));
    assert_eq!(r.snapshots.len(), 1, "the existing snapshot is no record");
    let s = &r.snapshots[0];
    assert_eq!((s.delta_blocks, s.delta_bytes), (0, 0));
    assert_eq!(s.completed_at, Some(s.requested_at));
    assert_eq!(r.storage[0].at, SimTime::ZERO);
    assert_eq!(r.storage[0].stored_bytes, 40 * gib);
    let vs = &r.summary.volumes[0];
    assert!(vs.existing_snapshot);
    assert_eq!(vs.storage.final_bytes, 40 * gib);
    assert_eq!(vs.storage.max_bytes, 40 * gib);
    assert!((vs.storage.mean_bytes - (40 * gib) as f64).abs() < 1.0);
    assert_eq!(r.summary.volumes_with_existing_snapshot, 1);
    // The same volume without the key: a full first snapshot, and nothing
    // stored before it completes.
    let mut plain = volume("db", Bytes::gib(100), Bytes::gib(40));
    plain.schedule.times = at_secs(&[60.0]);
    let p = run(config(3600, 48.0, vec![plain]));
    assert_eq!(p.snapshots[0].delta_bytes, 40 * gib);
    assert_eq!(p.summary.volumes_with_existing_snapshot, 0);
    assert!(!p.summary.volumes[0].existing_snapshot);
}

/// n uniform random single-block writes over N blocks from t = 0: the first
/// snapshot of a seeded volume holds N (1 − (1 − 1/N)^n) blocks on average
/// (within 1 %), whatever is used; not the used blocks.
#[test]
fn the_first_snapshot_holds_the_distinct_blocks_written_since_t0() {
    let n_blocks: f64 = 16.0 * 2048.0; // 16 GiB of 512 KiB blocks
    let (lambda, t) = (400.0, 100.0);
    let writes = lambda * t;
    let expect = n_blocks * (1.0 - (1.0 - 1.0 / n_blocks).powf(writes));
    let seeds: u64 = 8;
    let mut total = 0.0;
    for seed in 0..seeds {
        let mut v = seeded("db", Bytes::gib(16), Bytes::gib(12));
        v.writes = vec![uniform_writes(&v, lambda, Bytes::kib(4))];
        v.schedule.times = at_secs(&[t]);
        let mut cfg = config(200, 1000.0, vec![v]);
        cfg.seed = seed;
        total += run(cfg).snapshots[0].delta_blocks as f64;
    }
    let mean = total / seeds as f64;
    let err = (mean - expect).abs() / expect;
    assert!(
        err < 0.01,
        "mean delta {mean}, theory {expect}, error {err}"
    );
}

/// Statistical tracking seeds the chain too: its first-snapshot estimate
/// agrees with exact tracking's count (and both are far below the used
/// blocks).
#[test]
fn statistical_and_exact_tracking_agree_on_a_seeded_first_snapshot() {
    let delta = |choice: Choice| {
        let mut v = seeded("db", Bytes::gib(64), Bytes::gib(48));
        v.writes = vec![uniform_writes(&v, 200.0, Bytes::kib(16))];
        v.schedule.times = at_secs(&[300.0, 900.0]);
        let mut cfg = config(1200, 1000.0, vec![v]);
        cfg.change_tracking = choice;
        let r = run(cfg);
        assert_eq!(r.summary.volumes_with_existing_snapshot, 1);
        (
            r.snapshots[0].delta_blocks as f64,
            r.summary.volumes[0].storage.max_bytes,
        )
    };
    let (exact, _) = delta(Choice::Exact);
    let (stat, stat_max) = delta(Choice::Statistical(SampleSize::Blocks(16_384)));
    let n: f64 = 64.0 * 2048.0;
    let expect = n * (1.0 - (1.0 - 1.0 / n).powf(200.0 * 300.0));
    assert!(
        (exact - expect).abs() / expect < 0.02,
        "exact {exact}, theory {expect}"
    );
    assert!(
        (stat - exact).abs() / exact < 0.05,
        "statistical {stat}, exact {exact}"
    );
    assert!(
        stat_max >= 48 << 30,
        "statistical storage holds the used bytes"
    );
}

/// 10 GiB used and held by the existing snapshot; 1 MiB sequential writes
/// from 6 GiB rewrite [6, 10) GiB by 4096 s, the snapshot at 4096.5 s holds
/// them. Keep-all: 14 GiB stored. `retain: 1`: the existing snapshot goes
/// when the simulated one completes, freeing the 4 GiB it rewrote: 10 GiB.
fn rewrite_four(retain: Retention) -> RunResult {
    let mut v = seeded("db", Bytes::gib(20), Bytes::gib(10));
    v.writes = vec![WriteStream {
        arrival: Arrival::Constant(Frequency { per_sec: 1.0 }),
        size: Bytes::mib(1),
        size_dist: None,
        pattern: Pattern::Sequential {
            start: Bytes::gib(6),
        },
        alignment: Bytes::mib(1),
        region_offset: Bytes(0),
        region_length: Bytes::gib(20),
    }];
    v.schedule.times = at_secs(&[4096.5]);
    v.schedule.retention = retain;
    run(config(4300, 1024.0, vec![v]))
}

#[test]
fn retention_deletes_the_existing_snapshot_and_frees_what_its_successor_rewrote() {
    let gib = 1u64 << 30;
    let all = rewrite_four(Retention::KeepAll);
    assert_eq!(all.snapshots[0].delta_bytes, 4 * gib);
    assert_eq!(all.summary.volumes[0].storage.final_bytes, 14 * gib);

    let last1 = rewrite_four(Retention::Last(1));
    let done = last1.snapshots[0].completed_at.expect("completes");
    let points: Vec<(SimTime, u64)> = last1
        .storage
        .iter()
        .map(|p| (p.at, p.stored_bytes))
        .collect();
    assert_eq!(
        points,
        vec![
            (SimTime::ZERO, 10 * gib),
            (done, 14 * gib),
            (done, 10 * gib)
        ]
    );
    let vs = &last1.summary.volumes[0];
    assert_eq!(vs.storage.final_bytes, 10 * gib);
    assert_eq!(vs.storage.max_bytes, 14 * gib);
    // Deleting the existing snapshot deletes no record of the run.
    assert_eq!((vs.snapshots.completed, vs.snapshots.deleted), (1, 0));
}

/// Max-age retention: the existing snapshot's age counts from t = 0, so it
/// goes at `max_age` once a newer one has completed (here long before).
#[test]
fn max_age_deletes_the_existing_snapshot_at_its_age() {
    let gib = 1u64 << 30;
    let r = rewrite_four(Retention::MaxAge(SimDuration::from_secs(4200)));
    let last = r.storage.last().unwrap();
    assert_eq!(last.at, SimTime::ZERO + SimDuration::from_secs(4200));
    assert_eq!(last.stored_bytes, 10 * gib);
    assert_eq!(r.summary.volumes[0].storage.max_bytes, 14 * gib);
}

/// `--verify`: the used blocks are in the restorable image from the start,
/// so every incremental snapshot restores the volume exactly.
#[test]
fn verification_finds_seeded_snapshots_exact() {
    let mut v = seeded("db", Bytes::gib(4), Bytes::gib(3));
    v.writes = vec![WriteStream {
        pattern: Pattern::Zipf { exponent: 1.1 },
        ..uniform_writes(&v, 2000.0, Bytes::kib(16))
    }];
    v.schedule.times = Times::Every {
        interval: SimDuration::from_secs(30),
        first_at: SimTime::from_secs(10),
    };
    v.schedule.retention = Retention::Last(2);
    let mut cfg = config(600, 20.0, vec![v]);
    cfg.verify = true;
    let r = run(cfg);
    let ver = r.summary.verification.clone().unwrap();
    assert!(ver.snapshots_checked >= 5, "{ver:?}");
    assert_eq!(ver.mismatched_snapshots, 0, "{ver:?}");
    assert_eq!(ver.mismatched_blocks, 0, "{ver:?}");
    assert!(
        r.snapshots[0].delta_bytes < 3 << 30,
        "first snapshot incremental"
    );
}
