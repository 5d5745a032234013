//! Bandwidth sharing among concurrent uploads.
//!
//! Each upload (flow) is limited by its own cap (per snapshot), by its
//! volume's cap shared with the volume's other uploads, and optionally by a
//! shared pool. Rates change only when an upload starts or ends, so the model
//! calls [`allocate`] at those instants and computes each upload's completion
//! in closed form. This module knows nothing of volumes: a flow is a cap and
//! up to two group memberships.

use crate::model::config::Sharing;

/// One upload's constraints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FlowSpec {
    /// The flow's own cap [B/s]; finite and positive.
    pub cap: f64,
    /// Index of its first group (the volume), if that group has a cap.
    pub group_a: Option<usize>,
    /// Index of its second group (a shared pool), if any.
    pub group_b: Option<usize>,
}

/// Rates for `flows` sharing `group_caps` [B/s], in flow order.
///
/// `Fair` is max-min fair (progressive filling); `FirstComeFirstServed`
/// serves flows greedily in the order given (oldest first).
pub fn allocate(sharing: Sharing, flows: &[FlowSpec], group_caps: &[f64]) -> Vec<f64> {
    match sharing {
        Sharing::Fair => max_min_fair(flows, group_caps),
        Sharing::FirstComeFirstServed => first_come_first_served(flows, group_caps),
    }
}

/// [`allocate`], by the tree water levels of [`max_min_fair_tree`] when the
/// groups nest (always, in the model), else by the reference.
pub fn allocate_fast(sharing: Sharing, flows: &[FlowSpec], group_caps: &[f64]) -> Vec<f64> {
    match sharing {
        Sharing::Fair => {
            max_min_fair_tree(flows, group_caps).unwrap_or_else(|| max_min_fair(flows, group_caps))
        }
        Sharing::FirstComeFirstServed => first_come_first_served(flows, group_caps),
    }
}

/// Max-min fair rates when groups nest as a tree: every flow's `group_a`
/// (its volume) lies inside at most one `group_b` (a pool), the shape the
/// model always has. Progressive filling then reduces to water levels: a
/// volume's flows stop rising at the level `s_v` where the volume fills, so
/// flow `i` rises to `b_i = min(cap_i, s_v)`; a pool fills at the level `L`
/// where `Σ min(L, b_i) = C`; and the rate is `min(b_i, L)`. Two sorts
/// instead of one pass per saturation event: `O(F log F)` rather than the
/// `O(F²)` of [`allocate`], which stays as the reference this is tested
/// against.
///
/// Returns `None` if the groups do not nest (a volume group in two pools).
pub fn max_min_fair_tree(flows: &[FlowSpec], group_caps: &[f64]) -> Option<Vec<f64>> {
    let n_groups = group_caps.len();
    // The pool of each volume group, checked to be unique.
    let mut parent: Vec<Option<Option<usize>>> = vec![None; n_groups];
    for f in flows {
        if let Some(a) = f.group_a {
            match parent[a] {
                None => parent[a] = Some(f.group_b),
                Some(p) if p == f.group_b => {}
                Some(_) => return None,
            }
        }
    }
    let level = water_level;
    // Flows in runs of one group each: one sorted index list per kind of
    // group, not a list per group (a fleet has thousands of groups, and
    // this runs at every upload start and end).
    let runs = |group: &dyn Fn(&FlowSpec) -> Option<usize>| -> Vec<usize> {
        let mut order: Vec<usize> = (0..flows.len())
            .filter(|&i| group(&flows[i]).is_some())
            .collect();
        order.sort_by_key(|&i| group(&flows[i]));
        order
    };
    let mut b: Vec<f64> = flows.iter().map(|f| f.cap).collect();
    let mut scratch = Vec::new();
    let by_a = runs(&|f| f.group_a);
    for members in by_a.chunk_by(|&x, &y| flows[x].group_a == flows[y].group_a) {
        let Some(a) = flows[members[0]].group_a else {
            continue;
        };
        if !group_caps[a].is_finite() {
            continue;
        }
        scratch.clear();
        scratch.extend(members.iter().map(|&i| flows[i].cap));
        let s = level(&mut scratch, group_caps[a]);
        for &i in members {
            b[i] = b[i].min(s);
        }
    }
    let mut rate = b.clone();
    let by_pool = runs(&|f| f.group_b);
    for members in by_pool.chunk_by(|&x, &y| flows[x].group_b == flows[y].group_b) {
        let Some(p) = flows[members[0]].group_b else {
            continue;
        };
        if !group_caps[p].is_finite() {
            continue;
        }
        scratch.clear();
        scratch.extend(members.iter().map(|&i| b[i]));
        let l = level(&mut scratch, group_caps[p]);
        for &i in members {
            rate[i] = b[i].min(l);
        }
    }
    Some(rate)
}

/// The water level at which flows with caps `caps` [B/s] fill `capacity`
/// [B/s]: each gets `min(cap, level)`; infinite if the caps do not fill it.
/// Sorts `caps`.
pub fn water_level(caps: &mut [f64], capacity: f64) -> f64 {
    caps.sort_by(f64::total_cmp);
    let n = caps.len();
    let mut below = 0.0;
    for (k, &c) in caps.iter().enumerate() {
        let above = (n - k) as f64;
        if below + above * c >= capacity {
            return (capacity - below) / above;
        }
        below += c;
    }
    f64::INFINITY
}

fn groups(f: &FlowSpec) -> impl Iterator<Item = usize> {
    f.group_a.into_iter().chain(f.group_b)
}

/// Progressive filling: all unfrozen flows rise together; when a flow hits
/// its cap, or a group runs out, the flows it limits freeze at that level.
fn max_min_fair(flows: &[FlowSpec], group_caps: &[f64]) -> Vec<f64> {
    let n = flows.len();
    let mut rate = vec![0.0; n];
    let mut frozen = vec![false; n];
    let mut left = group_caps.to_vec();
    let mut active_in = vec![0usize; group_caps.len()];
    for f in flows {
        for g in groups(f) {
            active_in[g] += 1;
        }
    }
    let mut level = 0.0f64;
    let mut remaining = n;
    while remaining > 0 {
        // The next level at which something saturates.
        let mut next = f64::INFINITY;
        for (i, f) in flows.iter().enumerate() {
            if !frozen[i] {
                next = next.min(f.cap);
            }
        }
        for (g, &k) in active_in.iter().enumerate() {
            if k > 0 {
                next = next.min(level + left[g] / k as f64);
            }
        }
        let delta = next - level;
        for (g, &k) in active_in.iter().enumerate() {
            if k > 0 {
                left[g] -= delta * k as f64;
            }
        }
        level = next;
        let saturated: Vec<bool> = active_in
            .iter()
            .enumerate()
            .map(|(g, &k)| k > 0 && left[g] <= group_caps[g] * 1e-12)
            .collect();
        for (i, f) in flows.iter().enumerate() {
            if frozen[i] {
                continue;
            }
            if f.cap <= level || groups(f).any(|g| saturated[g]) {
                frozen[i] = true;
                rate[i] = level.min(f.cap);
                remaining -= 1;
                for g in groups(f) {
                    active_in[g] -= 1;
                }
            }
        }
    }
    rate
}

fn first_come_first_served(flows: &[FlowSpec], group_caps: &[f64]) -> Vec<f64> {
    let mut left = group_caps.to_vec();
    flows
        .iter()
        .map(|f| {
            let r = groups(f).fold(f.cap, |r, g| r.min(left[g])).max(0.0);
            for g in groups(f) {
                left[g] -= r;
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn flow(cap: f64, a: Option<usize>, b: Option<usize>) -> FlowSpec {
        FlowSpec {
            cap,
            group_a: a,
            group_b: b,
        }
    }

    #[test]
    fn k_equal_flows_on_one_link_get_a_kth_each() {
        for k in 1..=6 {
            let flows = vec![flow(1e12, Some(0), None); k];
            let r = allocate(Sharing::Fair, &flows, &[120.0]);
            for x in r {
                assert!((x - 120.0 / k as f64).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn unused_share_goes_to_the_others() {
        let flows = [
            flow(10.0, Some(0), None),
            flow(1e9, Some(0), None),
            flow(1e9, Some(0), None),
        ];
        let r = allocate(Sharing::Fair, &flows, &[100.0]);
        assert_eq!(r[0], 10.0);
        assert!((r[1] - 45.0).abs() < 1e-9 && (r[2] - 45.0).abs() < 1e-9);
    }

    #[test]
    fn fcfs_serves_the_oldest_first() {
        let flows = [
            flow(60.0, Some(0), None),
            flow(60.0, Some(0), None),
            flow(60.0, Some(0), None),
        ];
        let r = allocate(Sharing::FirstComeFirstServed, &flows, &[100.0]);
        assert_eq!(r, vec![60.0, 40.0, 0.0]);
    }

    /// The slow, obviously correct reference: raise every unfrozen flow by a
    /// tiny step until it would break a limit, then freeze it.
    fn tiny_step_reference(flows: &[FlowSpec], caps: &[f64], step: f64) -> Vec<f64> {
        let mut rate = vec![0.0; flows.len()];
        let mut frozen = vec![false; flows.len()];
        while frozen.iter().any(|f| !f) {
            let mut used = vec![0.0; caps.len()];
            for (i, f) in flows.iter().enumerate() {
                for g in groups(f) {
                    used[g] += rate[i];
                }
            }
            let mut any = false;
            for (i, f) in flows.iter().enumerate() {
                if frozen[i] {
                    continue;
                }
                // Would one more step break this flow's cap, or a group's?
                let blocked = rate[i] + step > f.cap
                    || groups(f).any(|g| {
                        let k = flows
                            .iter()
                            .enumerate()
                            .filter(|(j, h)| !frozen[*j] && groups(h).any(|x| x == g))
                            .count() as f64;
                        used[g] + step * k > caps[g]
                    });
                if blocked {
                    frozen[i] = true;
                    any = true;
                }
            }
            if !any {
                for i in 0..flows.len() {
                    if !frozen[i] {
                        rate[i] += step;
                    }
                }
            }
        }
        rate
    }

    /// Max-min fairness characterised: feasible, and every flow has a
    /// bottleneck (its own cap, or a saturated group where no other flow gets
    /// more).
    fn assert_max_min_fair(flows: &[FlowSpec], caps: &[f64], r: &[f64]) {
        let tol = 1e-6;
        let mut used = vec![0.0; caps.len()];
        for (i, f) in flows.iter().enumerate() {
            assert!(r[i] <= f.cap + tol);
            for g in groups(f) {
                used[g] += r[i];
            }
        }
        for g in 0..caps.len() {
            assert!(used[g] <= caps[g] + tol, "group {g} over capacity");
        }
        for (i, f) in flows.iter().enumerate() {
            let own = r[i] >= f.cap - tol;
            let via_group = groups(f).any(|g| {
                used[g] >= caps[g] - tol
                    && flows
                        .iter()
                        .enumerate()
                        .all(|(j, h)| !groups(h).any(|x| x == g) || r[j] <= r[i] + tol)
            });
            assert!(own || via_group, "flow {i} has no bottleneck: {r:?}");
        }
    }

    #[test]
    fn fast_fair_sharing_agrees_with_the_slow_reference_on_random_cases() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
        for case in 0..300 {
            let n_groups = rng.random_range(1..5);
            let caps: Vec<f64> = (0..n_groups)
                .map(|_| rng.random_range(1..100) as f64)
                .collect();
            let n = rng.random_range(1..8);
            let flows: Vec<FlowSpec> = (0..n)
                .map(|_| {
                    let a = rng.random_bool(0.8).then(|| rng.random_range(0..n_groups));
                    let b = rng
                        .random_bool(0.5)
                        .then(|| rng.random_range(0..n_groups))
                        .filter(|b| Some(*b) != a);
                    flow(rng.random_range(1..80) as f64, a, b)
                })
                .collect();
            let fast = allocate(Sharing::Fair, &flows, &caps);
            assert_max_min_fair(&flows, &caps, &fast);
            if case < 60 {
                let slow = tiny_step_reference(&flows, &caps, 0.001);
                for (x, y) in fast.iter().zip(&slow) {
                    assert!(
                        (x - y).abs() < 0.01 * n as f64,
                        "case {case}: fast {fast:?} slow {slow:?}"
                    );
                }
            }
        }
    }

    /// The tree water levels equal progressive filling on random nested
    /// flow sets (volumes inside pools), as flows start and stop.
    #[test]
    fn tree_water_levels_equal_the_reference_as_flows_come_and_go() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(5);
        for case in 0..400 {
            let n_vol = rng.random_range(1..12);
            let n_pool = rng.random_range(0..3);
            let pool_of: Vec<Option<usize>> = (0..n_vol)
                .map(|_| {
                    (n_pool > 0 && rng.random_bool(0.8))
                        .then(|| n_vol + rng.random_range(0..n_pool))
                })
                .collect();
            let mut caps: Vec<f64> = (0..n_vol)
                .map(|_| {
                    if rng.random_bool(0.3) {
                        f64::INFINITY
                    } else {
                        rng.random_range(5..200) as f64
                    }
                })
                .collect();
            caps.extend((0..n_pool).map(|_| rng.random_range(20..500) as f64));
            let mut flows: Vec<FlowSpec> = Vec::new();
            for _step in 0..12 {
                if flows.is_empty() || rng.random_bool(0.6) {
                    let v = rng.random_range(0..n_vol);
                    // As in the model: a volume without a cap is no group.
                    let a = caps[v].is_finite().then_some(v);
                    flows.push(flow(rng.random_range(1..120) as f64, a, pool_of[v]));
                } else {
                    let k = rng.random_range(0..flows.len());
                    flows.remove(k);
                }
                let fast = max_min_fair_tree(&flows, &caps).expect("nested groups");
                let slow = allocate(Sharing::Fair, &flows, &caps);
                for (x, y) in fast.iter().zip(&slow) {
                    assert!(
                        (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                        "case {case}: tree {fast:?} reference {slow:?} flows {flows:?} caps {caps:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn groups_that_do_not_nest_fall_back_to_the_reference() {
        let flows = [flow(10.0, Some(0), Some(1)), flow(10.0, Some(0), Some(2))];
        assert!(max_min_fair_tree(&flows, &[15.0, 8.0, 8.0]).is_none());
        let r = allocate_fast(Sharing::Fair, &flows, &[15.0, 8.0, 8.0]);
        assert_eq!(r, allocate(Sharing::Fair, &flows, &[15.0, 8.0, 8.0]));
    }
}
