//! The model against closed forms and hand-computed cases (DESIGN.md §1.7,
//! EBS_FACTS.md §1.10/§1.13).

mod common;

use common::*;
use snapsim::engine::{SimDuration, SimTime};
use snapsim::metrics::{ErrorCode, SnapshotState};
use snapsim::model::config::*;
use snapsim::model::units::{Bandwidth, Bytes, Frequency};
use snapsim::model::{simulate, RunMeta, RunResult};

fn run(cfg: SimConfig) -> RunResult {
    simulate(cfg, RunMeta::default()).expect("run accepted")
}

/// (a) Used data, no writes: the first snapshot holds exactly used / 512 KiB
/// blocks and completes after exactly bytes / rate (rounded up to the ns).
#[test]
fn first_snapshot_of_used_data_completes_after_bytes_over_rate() {
    let mut v = volume("db", Bytes::tib(1), Bytes::gib(400));
    v.schedule.times = at_secs(&[0.0]);
    let r = run(config(86_400, 48.0, vec![v]));
    let s = &r.snapshots[0];
    assert_eq!(s.delta_blocks, 400 * 2048);
    assert_eq!(s.delta_bytes, 400 << 30);
    let rate = 48.0 * 1024.0 * 1024.0;
    let expect = SimDuration::from_secs_f64_ceil((400u64 << 30) as f64 / rate);
    assert_eq!(s.completed_at, Some(SimTime::ZERO + expect));
    assert!((s.duration_seconds().unwrap() - 8_533.333_333).abs() < 1e-6);
}

/// A partial final block still counts as one whole block.
#[test]
fn used_data_rounds_up_to_whole_blocks() {
    let mut v = volume("db", Bytes::gib(1), Bytes(524_288 * 3 + 1));
    v.schedule.times = at_secs(&[0.0]);
    let r = run(config(3600, 48.0, vec![v]));
    assert_eq!(r.snapshots[0].delta_blocks, 4);
}

fn k_volumes_on_one_pool(k: usize, sharing: Sharing) -> RunResult {
    let mut vols = Vec::new();
    for i in 0..k {
        let mut v = volume(&format!("v{i}"), Bytes::gib(100), Bytes::gib(10));
        v.schedule.times = at_secs(&[0.0]);
        v.pool = Some(0);
        vols.push(v);
    }
    let mut cfg = config(86_400, 1000.0, vols);
    cfg.transfer.sharing = sharing;
    cfg.transfer.pools.push(PoolConfig {
        name: "link".into(),
        rate: Bandwidth::mib_per_sec(100.0),
    });
    run(cfg)
}

/// (b) k equal uploads sharing a link fairly each finish at k × solo time.
#[test]
fn k_equal_snapshots_sharing_fairly_finish_at_k_times_solo() {
    let solo = (10u64 << 30) as f64 / (100.0 * 1024.0 * 1024.0); // 102.4 s
    for k in 1..=5 {
        let r = k_volumes_on_one_pool(k, Sharing::Fair);
        for s in &r.snapshots {
            let d = s.duration_seconds().unwrap();
            assert!((d - k as f64 * solo).abs() < 1e-6, "k={k}: {d}");
        }
    }
}

/// First come, first served: the i-th upload finishes at i × solo.
#[test]
fn fcfs_uploads_finish_one_after_another() {
    let solo = 102.4;
    let r = k_volumes_on_one_pool(4, Sharing::FirstComeFirstServed);
    let mut ds: Vec<f64> = r
        .snapshots
        .iter()
        .map(|s| s.duration_seconds().unwrap())
        .collect();
    ds.sort_by(f64::total_cmp);
    for (i, d) in ds.iter().enumerate() {
        assert!((d - (i + 1) as f64 * solo).abs() < 1e-6, "{ds:?}");
    }
}

/// The per-volume cap is shared by the volume's own concurrent snapshots,
/// rates are recomputed when one finishes, and a snapshot whose upload ends
/// first still waits for the older one to complete.
#[test]
fn per_volume_cap_is_shared_and_completion_is_in_order() {
    let mut v = volume("db", Bytes::gib(100), Bytes::gib(4));
    v.schedule.times = at_secs(&[0.0, 20.0]);
    v.writes = vec![WriteStream {
        arrival: Arrival::Constant(Frequency { per_sec: 1.0 }),
        size: Bytes::mib(128),
        size_dist: None,
        pattern: Pattern::Sequential {
            start: Bytes::gib(10),
        },
        alignment: Bytes::kib(4),
        region_offset: Bytes(0),
        region_length: Bytes::gib(100),
    }];
    let mut cfg = config(1000, 1000.0, vec![v]);
    cfg.transfer.per_volume = Some(Bandwidth::mib_per_sec(64.0));
    let r = run(cfg);
    // 19 writes of 128 MiB before t = 20 s: 2432 MiB = 4864 blocks.
    let (a, b) = (&r.snapshots[0], &r.snapshots[1]);
    assert_eq!(b.delta_blocks, 19 * 256);
    // a alone 0–20 s at 64 MiB/s: 1280 MiB; then 2816 MiB left shared at 32
    // MiB/s with b (2432 MiB): b needs 76 s, a needs 88 s, so b ends at 96 s,
    // and a has 2816 − 32·76 = 384 MiB left at 64 MiB/s: 6 s → 102 s.
    let a_end = a.upload_done_at.unwrap().as_secs_f64();
    let b_end = b.upload_done_at.unwrap().as_secs_f64();
    assert!((b_end - 96.0).abs() < 1e-6, "{b_end}");
    assert!((a_end - 102.0).abs() < 1e-6, "{a_end}");
    assert_eq!(a.completed_at, b.completed_at, "b waits for the older a");
}

/// (c) Uniform random 4 KiB writes at rate λ for time T over N blocks: the
/// incremental snapshot's delta matches N(1 − e^(−λT/N)) within 1 %.
#[test]
fn uniform_writes_dirty_the_expected_number_of_blocks() {
    let n_blocks: f64 = 16.0 * 2048.0; // 16 GiB of 512 KiB blocks
    let lambda: f64 = 400.0;
    let t = 100.0;
    let expect = n_blocks * (1.0 - (-lambda * t / n_blocks).exp());
    let mut total = 0.0;
    let seeds = 8;
    for seed in 0..seeds {
        let mut v = volume("db", Bytes::gib(16), Bytes(0));
        v.writes = vec![uniform_writes(&v, lambda, Bytes::kib(4))];
        v.schedule.times = at_secs(&[0.0, t]);
        let mut cfg = config(200, 1000.0, vec![v]);
        cfg.seed = seed;
        let r = run(cfg);
        assert_eq!(r.snapshots[0].delta_blocks, 0, "nothing written before t=0");
        total += r.snapshots[1].delta_blocks as f64;
    }
    let mean = total / seeds as f64;
    let err = (mean - expect).abs() / expect;
    assert!(
        err < 0.01,
        "mean delta {mean}, theory {expect}, error {err}"
    );
}

fn overloaded(policy: LimitPolicy, every_s: u64) -> RunResult {
    let mut v = volume("db", Bytes::gib(100), Bytes::gib(50));
    v.writes = vec![uniform_writes(&v, 200.0, Bytes::mib(1))];
    v.schedule.times = Times::Every {
        interval: SimDuration::from_secs(every_s),
        first_at: SimTime::ZERO,
    };
    v.schedule.on_limit = policy;
    run(config(4 * 3600, 10.0, vec![v]))
}

/// Replays the records and checks that the number of accepted, not yet
/// completed snapshots never exceeds the limit.
fn max_concurrent_pending(r: &RunResult) -> usize {
    let mut edges = Vec::new();
    for s in r.snapshots.iter().filter(|s| s.snapshot_id.is_some()) {
        edges.push((s.requested_at, 1i64));
        if let Some(c) = s.completed_at {
            edges.push((c, -1));
        }
    }
    edges.sort(); // completions (-1) before requests at the same instant
    let mut cur = 0i64;
    let mut max = 0i64;
    for (_, d) in edges {
        cur += d;
        max = max.max(cur);
    }
    max as usize
}

/// (d) Requests far faster than completions: pending never exceeds 5, and
/// each policy does what it says.
#[test]
fn pending_limit_holds_and_policies_behave() {
    // fail: every rejection is a final failure.
    let r = overloaded(LimitPolicy::Fail, 60);
    let v = &r.summary.volumes[0];
    assert!(max_concurrent_pending(&r) <= 5);
    assert_eq!(v.snapshots.max_pending, 5);
    let rejected = v.requests.rejected["ConcurrentSnapshotLimitExceeded"];
    assert!(rejected > 100, "{rejected}");
    assert_eq!(v.requests.failed, rejected);
    assert_eq!(v.requests.calls, v.requests.accepted + rejected);
    assert_eq!(v.requests.scheduled, 4 * 60);

    // skip: nothing is sent while at the limit, so nothing is rejected.
    let r = overloaded(LimitPolicy::Skip, 60);
    let v = &r.summary.volumes[0];
    assert!(max_concurrent_pending(&r) <= 5);
    assert!(v.requests.rejected.is_empty());
    assert!(v.requests.skipped > 100);
    assert_eq!(v.requests.calls, v.requests.accepted);

    // retry: each rejected slot is tried again `after` later, at most `max`
    // more times.
    let after = SimDuration::from_secs(600);
    let r = overloaded(
        LimitPolicy::Retry {
            after,
            max: 2,
            factor: 1.0,
            cap: None,
            jitter: RetryJitter::None,
        },
        60,
    );
    let v = &r.summary.volumes[0];
    assert!(max_concurrent_pending(&r) <= 5);
    assert!(v.requests.retries > 0);
    for s in &r.snapshots {
        assert!(s.attempt <= 2);
        if s.attempt > 0 {
            assert_eq!(
                s.requested_at - s.scheduled_at,
                SimDuration(after.0 * u64::from(s.attempt))
            );
        }
        assert_eq!(
            s.will_retry,
            s.state == SnapshotState::Rejected && s.attempt < 2
        );
    }
    let finals = r
        .snapshots
        .iter()
        .filter(|s| s.state == SnapshotState::Rejected && !s.will_retry)
        .count() as u64;
    assert_eq!(v.requests.failed, finals);
}

/// Gaps between the attempts of each scheduled slot, in attempt order:
/// `gaps[k]` is the delay before retry k + 1.
fn retry_gaps(r: &RunResult) -> Vec<Vec<SimDuration>> {
    let mut by_slot: std::collections::BTreeMap<SimTime, Vec<(u32, SimTime)>> = Default::default();
    for s in &r.snapshots {
        by_slot
            .entry(s.scheduled_at)
            .or_default()
            .push((s.attempt, s.requested_at));
    }
    by_slot
        .into_values()
        .map(|mut a| {
            a.sort();
            a.windows(2).map(|w| w[1].1 - w[0].1).collect()
        })
        .collect()
}

/// Exponential back-off with a cap: 60 s doubling, at most 300 s, gives
/// gaps of 60, 120, 240, 300, 300 s. Under full jitter each gap is drawn
/// uniformly on [0, that back-off]: within it, with a mean near its half,
/// and the same for the same seed.
#[test]
fn retry_backoff_is_capped_and_full_jitter_draws_below_it() {
    let policy = |jitter| LimitPolicy::Retry {
        after: SimDuration::from_secs(60),
        max: 5,
        factor: 2.0,
        cap: Some(SimDuration::from_secs(300)),
        jitter,
    };
    let backoff = [60u64, 120, 240, 300, 300].map(SimDuration::from_secs);
    let r = overloaded(policy(RetryJitter::None), 60);
    let gaps = retry_gaps(&r);
    let full: Vec<_> = gaps.iter().filter(|g| g.len() == 5).collect();
    assert!(
        full.len() > 5,
        "slots that used every retry: {}",
        full.len()
    );
    for g in &gaps {
        assert_eq!(g[..], backoff[..g.len()], "gaps of one slot");
    }

    let r = overloaded(policy(RetryJitter::Full), 60);
    let again = overloaded(policy(RetryJitter::Full), 60);
    assert_eq!(r.snapshots, again.snapshots, "same seed, same draws");
    let gaps = retry_gaps(&r);
    let mut share = [(0.0f64, 0u32); 5];
    for g in &gaps {
        for (k, d) in g.iter().enumerate() {
            assert!(*d <= backoff[k], "gap {k}: {d:?} beyond {:?}", backoff[k]);
            share[k].0 += d.as_secs_f64() / backoff[k].as_secs_f64();
            share[k].1 += 1;
        }
    }
    let (sum, n) = share
        .iter()
        .fold((0.0, 0), |(s, n), &(a, b)| (s + a, n + b));
    assert!(n > 100, "{n} jittered retries");
    // Uniform on [0, 1] after scaling: mean 1/2, sd of the mean 0.29/sqrt(n).
    let mean = sum / f64::from(n);
    assert!(
        (mean - 0.5).abs() < 4.0 * 0.29 / f64::from(n).sqrt(),
        "mean share {mean} of {n}"
    );
}

/// Requests closer than 15 s are refused with the rate error.
#[test]
fn requests_closer_than_15_seconds_are_rate_limited() {
    let mut v = volume("db", Bytes::gib(10), Bytes(0));
    v.schedule.times = at_secs(&[0.0, 10.0, 25.0, 30.0]);
    let r = run(config(100, 100.0, vec![v]));
    let errs: Vec<_> = r.snapshots.iter().map(|s| s.error).collect();
    let rate = Some(ErrorCode::SnapshotCreationPerVolumeRateExceeded);
    // 10 s is 10 s after 0 (refused); 25 s is 15 s after the refused call at 10 s (accepted);
    // 30 s is 5 s after 25 s (refused).
    assert_eq!(errs, vec![None, rate, None, rate]);
}

/// (f) Retention on the worked example of EBS_FACTS.md §1.10/§1.13 through a
/// whole run: 10 GiB used, then 4 GiB of it rewritten, then 2 GiB added.
fn ten_four_two(retain: Retention) -> RunResult {
    let mut v = volume("db", Bytes::gib(20), Bytes::gib(10));
    // 1 MiB writes, one per second, sequential from 6 GiB: 4096 writes
    // rewrite [6, 10) GiB by t = 4096 s, the next 2048 add [10, 12) GiB.
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
    v.schedule.times = at_secs(&[0.0, 4096.5, 6144.5]);
    v.schedule.retention = retain;
    run(config(6200, 1024.0, vec![v]))
}

#[test]
fn retention_frees_only_unreferenced_blocks() {
    let gib = 1u64 << 30;
    let all = ten_four_two(Retention::KeepAll);
    let deltas: Vec<u64> = all.snapshots.iter().map(|s| s.delta_bytes).collect();
    assert_eq!(deltas, vec![10 * gib, 4 * gib, 2 * gib]);
    assert_eq!(all.summary.volumes[0].storage.final_bytes, 16 * gib);

    let last2 = ten_four_two(Retention::Last(2));
    assert_eq!(last2.summary.volumes[0].storage.final_bytes, 12 * gib);
    assert_eq!(last2.snapshots[0].state, SnapshotState::Deleted);
    assert_eq!(last2.summary.volumes[0].storage.max_bytes, 16 * gib);

    let last1 = ten_four_two(Retention::Last(1));
    // Only C is kept: its full image is 12 GiB.
    assert_eq!(last1.summary.volumes[0].storage.final_bytes, 12 * gib);
    assert_eq!(last1.summary.volumes[0].snapshots.deleted, 2);
}

/// Writes during a pending upload preserve old content; `--verify` finds
/// every completed snapshot exact.
#[test]
fn verification_passes_under_heavy_overwrites() {
    let mut v = volume("db", Bytes::gib(4), Bytes::gib(2));
    v.writes = vec![WriteStream {
        pattern: Pattern::Zipf { exponent: 1.1 },
        ..uniform_writes(&v, 2000.0, Bytes::kib(16))
    }];
    v.schedule.times = Times::Every {
        interval: SimDuration::from_secs(30),
        first_at: SimTime::ZERO,
    };
    let mut cfg = config(600, 20.0, vec![v]);
    cfg.verify = true;
    let r = run(cfg);
    let ver = r.summary.verification.clone().unwrap();
    assert!(ver.snapshots_checked >= 5, "{ver:?}");
    assert_eq!(ver.mismatched_snapshots, 0, "{ver:?}");
    assert!(
        r.summary.volumes[0].cow_copies > 0,
        "the run must exercise copy-on-write"
    );
}

/// Same configuration and seed: identical records and summary.
#[test]
fn same_seed_same_results() {
    let mk = || {
        let mut v = volume("db", Bytes::gib(64), Bytes::gib(8));
        v.writes = vec![uniform_writes(&v, 500.0, Bytes::kib(16))];
        v.schedule.times = Times::Every {
            interval: SimDuration::from_secs(300),
            first_at: SimTime::ZERO,
        };
        let mut cfg = config(3600, 30.0, vec![v]);
        cfg.transfer.variability = Some(RateVariability::LogNormal { sigma: 0.5 });
        cfg
    };
    let a = run(mk());
    let b = run(mk());
    assert_eq!(a.snapshots, b.snapshots);
    assert_eq!(
        serde_json::to_string(&a.summary).unwrap(),
        serde_json::to_string(&b.summary).unwrap()
    );
    assert!(a.snapshots.iter().any(|s| s.rate_multiplier != 1.0));
}

/// Adding a volume leaves another volume's random numbers unchanged.
#[test]
fn adding_a_volume_keeps_the_others_streams() {
    let mk = |n: usize| {
        let vols = (0..n)
            .map(|i| {
                let mut v = volume(&format!("v{i}"), Bytes::gib(8), Bytes(0));
                v.writes = vec![uniform_writes(&v, 100.0, Bytes::kib(4))];
                v.schedule.times = at_secs(&[0.0, 60.0]);
                v
            })
            .collect();
        run(config(120, 100.0, vols))
    };
    let one = mk(1);
    let two = mk(2);
    assert_eq!(
        one.snapshots[1].delta_blocks,
        two.snapshots
            .iter()
            .filter(|s| s.volume == 0)
            .nth(1)
            .unwrap()
            .delta_blocks
    );
}
