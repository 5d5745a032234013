//! Builds the per-volume time series from what the run recorded: write
//! counts per step (counted as writes are applied), the upload-rate log
//! (appended whenever rates change) and the snapshot records.

use super::simulation::Simulation;
use crate::engine::{SimDuration, SimTime};
use crate::metrics::TimeseriesRow;

pub(super) fn build(sim: &Simulation, end: SimTime) -> Vec<TimeseriesRow> {
    let step = sim.cfg.timeseries_step.max(SimDuration(1));
    let steps = end.0.div_ceil(step.0) as usize;
    let mut rows = Vec::with_capacity(steps * sim.volumes.len());
    // Each volume's rate changes and snapshots, gathered in one pass (a
    // scan per volume would make a fleet's series quadratic).
    let n = sim.volumes.len();
    let mut spans: Vec<Vec<(SimTime, Option<SimTime>)>> = vec![Vec::new(); n];
    for r in sim.records.iter().filter(|r| r.snapshot_id.is_some()) {
        spans[r.volume].push((r.requested_at, r.completed_at));
    }
    for (v, vs) in sim.volumes.iter().map(|v| &v.state).enumerate() {
        let upload = mean_rates(sim, v, step, steps, end);
        let pending = pending_at_starts(&spans[v], step, steps);
        for k in 0..steps {
            let start = SimTime(k as u64 * step.0);
            let len = (end.min(start + step) - start).as_secs_f64();
            let per_sec = |x: u64| if len > 0.0 { x as f64 / len } else { 0.0 };
            rows.push(TimeseriesRow {
                start,
                volume: v,
                pending: pending[k],
                upload_bytes_per_second: upload[k],
                writes_per_second: per_sec(vs.step_writes.get(k).copied().unwrap_or(0)),
                write_bytes_per_second: per_sec(vs.step_bytes.get(k).copied().unwrap_or(0)),
                io: sim.volumes[v]
                    .io
                    .as_ref()
                    .and_then(|io| io.recorder.steps.get(k).cloned().flatten()),
            });
        }
    }
    rows
}

/// Mean of the piecewise-constant upload rate of volume `v` over each step.
fn mean_rates(
    sim: &Simulation,
    v: usize,
    step: SimDuration,
    steps: usize,
    end: SimTime,
) -> Vec<f64> {
    // With the rates in force at the end carried to it.
    let mut byte_ns = sim.transfers.owner_steps(v);
    byte_ns.resize(steps, 0.0);
    byte_ns
        .iter()
        .enumerate()
        .map(|(k, b)| {
            let start = k as u64 * step.0;
            let len = end.0.min(start + step.0) - start;
            if len > 0 {
                b / len as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// Adds `rate` × overlap [B/s × ns] of `[from, to)` to each step it covers.
pub(super) fn spread(acc: &mut [f64], step: SimDuration, from: SimTime, to: SimTime, rate: f64) {
    if rate == 0.0 || to <= from {
        return;
    }
    let mut t = from.0;
    while t < to.0 {
        let k = (t / step.0) as usize;
        let step_end = (k as u64 + 1) * step.0;
        let upto = step_end.min(to.0);
        if let Some(a) = acc.get_mut(k) {
            *a += rate * (upto - t) as f64;
        }
        t = upto;
    }
}

/// Snapshots of a volume pending at the start of each step: accepted at or
/// before it and not yet completed (`spans`: accepted, completed).
fn pending_at_starts(
    spans: &[(SimTime, Option<SimTime>)],
    step: SimDuration,
    steps: usize,
) -> Vec<u32> {
    let mut delta = vec![0i64; steps + 1];
    let index = |t: SimTime| (t.0.div_ceil(step.0) as usize).min(steps);
    for &(requested, completed) in spans {
        delta[index(requested)] += 1;
        if let Some(c) = completed {
            delta[index(c)] -= 1;
        }
    }
    let mut cur = 0i64;
    delta[..steps]
        .iter()
        .map(|d| {
            cur += d;
            cur.max(0) as u32
        })
        .collect()
}
