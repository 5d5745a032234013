//! The incremental way against the reference way and against the slow
//! progressive-filling [`allocate`], on random flow sets that come and go.

use super::*;
use rand::{Rng, SeedableRng};

struct Case {
    owner_cap: f64,
    pool_caps: Vec<f64>,
    /// Pool of each owner.
    owner_pool: Vec<Option<usize>>,
    /// (start instant, owner, cap [B/s], bytes).
    starts: Vec<(SimTime, usize, f64, f64)>,
}

fn random_case(rng: &mut impl Rng) -> Case {
    let owners = rng.random_range(1..8);
    let pools = rng.random_range(0..3);
    let pool_caps: Vec<f64> = (0..pools)
        .map(|_| {
            if rng.random_bool(0.2) {
                f64::INFINITY
            } else {
                rng.random_range(50.0..400.0)
            }
        })
        .collect();
    let owner_pool = (0..owners)
        .map(|_| (pools > 0 && rng.random_bool(0.8)).then(|| rng.random_range(0..pools)))
        .collect();
    let owner_cap = if rng.random_bool(0.5) {
        rng.random_range(40.0..200.0)
    } else {
        f64::INFINITY
    };
    let n = rng.random_range(1..40);
    let mut starts: Vec<_> = (0..n)
        .map(|_| {
            let at = SimTime(rng.random_range(0..200_000_000_000u64));
            let cap = [10.0, 25.0, 60.0, 150.0, 1e4][rng.random_range(0..5)];
            (
                at,
                rng.random_range(0..owners),
                cap,
                rng.random_range(100.0..20_000.0),
            )
        })
        .collect();
    starts.sort_by_key(|s| s.0);
    Case {
        owner_cap,
        pool_caps,
        owner_pool,
        starts,
    }
}

/// Runs a case to the end; returns each flow's completion instant and, at
/// every settle, the live flows' rates beside the slow reference's.
fn run(case: &Case, incremental: bool) -> (Vec<SimTime>, f64) {
    let series = Steps {
        step: SimDuration(10_000_000_000),
        count: 1000,
        end: SimTime(10_000_000_000_000),
    };
    let limits = Limits {
        sharing: Sharing::Fair,
        owner_cap: case.owner_cap,
        pool_caps: case.pool_caps.clone(),
        owners: case.owner_pool.len(),
        incremental,
    };
    let mut t = Transfers::new(limits, series);
    assert_eq!(t.is_incremental(), incremental);
    let mut done = vec![SimTime::MAX; case.starts.len()];
    let mut live: Vec<(FlowId, usize)> = Vec::new();
    let mut next_start = 0;
    let (mut changes, mut touched) = (Vec::new(), Vec::new());
    let mut worst: f64 = 0.0;
    loop {
        let start_at = case.starts.get(next_start).map_or(SimTime::MAX, |s| s.0);
        let now = start_at.min(t.next_completion());
        if now == SimTime::MAX {
            break;
        }
        for (_, tag) in t.take_due(now) {
            done[tag] = now;
            live.retain(|l| l.1 != tag);
        }
        while case.starts.get(next_start).is_some_and(|s| s.0 == now) {
            let (_, owner, cap, bytes) = case.starts[next_start];
            let id = t.start(now, owner, case.owner_pool[owner], cap, bytes, next_start);
            live.push((id, next_start));
            next_start += 1;
        }
        t.settle(now, &mut changes, &mut touched);
        // Rates against progressive filling over the live flows.
        let n = case.owner_pool.len();
        let mut caps = vec![case.owner_cap; n];
        caps.extend(&case.pool_caps);
        let specs: Vec<FlowSpec> = live
            .iter()
            .map(|&(_, tag)| {
                let (_, owner, cap, _) = case.starts[tag];
                // Groups without a finite capacity limit nothing (the
                // progressive filling needs finite capacities).
                FlowSpec {
                    cap,
                    group_a: case.owner_cap.is_finite().then_some(owner),
                    group_b: case.owner_pool[owner]
                        .filter(|&p| case.pool_caps[p].is_finite())
                        .map(|p| n + p),
                }
            })
            .collect();
        let want = allocate(Sharing::Fair, &specs, &caps);
        for (&(id, _), w) in live.iter().zip(want) {
            let got = t.rate_of(id).expect("live");
            worst = worst.max((got - w).abs() / w.max(1e-9));
        }
        assert_eq!(t.len(), live.len());
    }
    (done, worst)
}

#[test]
fn incremental_sharing_equals_the_reference_as_flows_come_and_go() {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    for case_no in 0..300 {
        let case = random_case(&mut rng);
        let (fast, fast_err) = run(&case, true);
        let (slow, slow_err) = run(&case, false);
        assert!(fast_err < 1e-9, "case {case_no}: rates off by {fast_err:e}");
        assert!(
            slow_err < 1e-9,
            "case {case_no}: reference off by {slow_err:e}"
        );
        for (k, (a, b)) in fast.iter().zip(&slow).enumerate() {
            assert!(*a < SimTime::MAX, "case {case_no}: flow {k} never ends");
            let diff = a.0.abs_diff(b.0);
            // Rounding: each rate change rounds a completion up to the
            // next ns, and the two ways round at different points.
            assert!(
                diff <= 1_000 + a.0 / 1_000_000_000,
                "case {case_no}: flow {k} ends at {a:?} vs {b:?}"
            );
        }
    }
}

/// A saturated pool's level changes do not touch the flows at the level:
/// their clock carries them; an owner's own flows still change at once.
#[test]
fn flows_at_a_saturated_level_follow_the_pool_clock() {
    let limits = Limits {
        sharing: Sharing::Fair,
        owner_cap: f64::INFINITY,
        pool_caps: vec![100.0],
        owners: 3,
        incremental: true,
    };
    let series = Steps {
        step: SimDuration(1_000_000_000),
        count: 100,
        end: SimTime(100_000_000_000),
    };
    let mut t = Transfers::new(limits, series);
    let (mut changes, mut touched) = (Vec::new(), Vec::new());
    let a = t.start(SimTime::ZERO, 0, Some(0), 1e3, 1000.0, 0);
    let b = t.start(SimTime::ZERO, 1, Some(0), 1e3, 3000.0, 1);
    t.settle(SimTime::ZERO, &mut changes, &mut touched);
    assert_eq!(changes.len(), 2);
    assert_eq!(t.rate_of(a), Some(50.0));
    // A third flow at 10 s: the level drops to 100/3 with no pace change
    // for the two already at it.
    changes.clear();
    let s10 = SimTime(10_000_000_000);
    t.start(s10, 2, Some(0), 1e3, 1e6, 2);
    t.settle(s10, &mut changes, &mut touched);
    assert_eq!(changes.len(), 1, "only the new flow: {changes:?}");
    assert!((t.rate_of(b).unwrap() - 100.0 / 3.0).abs() < 1e-9);
    // a has 1000 − 500 = 500 B left at 100/3 B/s: done at 25 s.
    let at = t.next_completion();
    assert!(at.0.abs_diff(25_000_000_000) <= 1, "{at:?}");
    assert_eq!(t.take_due(at), vec![(0, 0)]);
    // The owner's series holds 50 B/s × 10 s + (100/3) × 15 s = 1000 B.
    let bytes: f64 = t.owner_steps(0).iter().sum::<f64>() / 1e9;
    assert!((bytes - 1000.0).abs() < 1e-6, "{bytes}");
}
