//! Bandwidth sharing among concurrent uploads.
//!
//! Each upload (flow) is limited by its own cap (per snapshot), by its
//! volume's cap shared with the volume's other uploads, and optionally by a
//! shared pool. Rates change only when an upload starts or ends, so the model
//! calls [`allocate`] at those instants and computes each upload's completion
//! in closed form. This module knows nothing of volumes: a flow is a cap and
//! up to two group memberships.

use super::config::Sharing;

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
}
