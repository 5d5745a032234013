//! How much work a run is, estimated from its configuration alone, before
//! anything is allocated or drawn: the simulated operations that dominate
//! its time (writes drawn, IOs queued, trace lines read, snapshot requests
//! with their retries, on/off phase changes, time-series rows). A run whose
//! estimate exceeds [`MAX_WORK`] is refused unless the configuration says
//! `allow_large`, so that every scenario that validates ends in bounded
//! time (at the model's speed of roughly 10⁷ operations per second and
//! core, [`MAX_WORK`] is about half an hour).

use super::config::{Arrival, Fidelity, SimConfig, VolumeConfig, WriteStream};
use super::tracking::Method;

/// Simulated operations a run may need before it is refused without
/// `allow_large` [operations].
pub const MAX_WORK: u128 = 20_000_000_000;

/// Weight of one IO at IO fidelity relative to one flow-level write: it is
/// queued, served and timed (arrival, start and completion events).
pub const IO_WEIGHT: u128 = 3;

/// The operations of one run, by kind (expected values; a Poisson count
/// exceeds its mean by a few standard deviations at most, which the
/// limit's margin absorbs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkEstimate {
    /// Writes drawn at flow fidelity (thinned to the sampled blocks under
    /// statistical tracking).
    pub writes: u128,
    /// Reads and writes queued at IO fidelity.
    pub ios: u128,
    /// Trace lines read, every lap included.
    pub trace_lines: u128,
    /// Snapshot requests, every retry counted.
    pub requests: u128,
    /// On/off phase changes.
    pub phases: u128,
    /// Time-series rows.
    pub rows: u128,
}

impl WorkEstimate {
    /// Everything, IOs weighted by [`IO_WEIGHT`] [operations].
    pub fn total(&self) -> u128 {
        self.writes
            .saturating_add(self.ios.saturating_mul(IO_WEIGHT))
            .saturating_add(self.trace_lines)
            .saturating_add(self.requests)
            .saturating_add(self.phases)
            .saturating_add(self.rows)
    }

    /// The largest part, named, for messages.
    pub fn dominant(&self) -> (&'static str, u128) {
        [
            ("writes drawn", self.writes),
            ("IOs queued", self.ios.saturating_mul(IO_WEIGHT)),
            ("trace lines read", self.trace_lines),
            ("snapshot requests", self.requests),
            ("on/off phase changes", self.phases),
            ("time-series rows", self.rows),
        ]
        .into_iter()
        .max_by_key(|&(_, n)| n)
        .unwrap_or(("nothing", 0))
    }
}

/// Converts an expected count to an integer, saturating (rates are
/// bounded by validation, so only absurd products saturate).
fn count(x: f64) -> u128 {
    if x.is_finite() && x > 0.0 {
        x.ceil().min(u128::MAX as f64) as u128
    } else if x > 0.0 {
        u128::MAX
    } else {
        0
    }
}

/// Expected arrivals of one stream over `secs` [1].
fn arrivals(w: &WriteStream, secs: f64) -> f64 {
    w.arrival.rate().per_sec * secs
}

/// Expected phase changes of an on/off stream over `secs` [1].
fn phase_changes(w: &WriteStream, secs: f64) -> f64 {
    match &w.arrival {
        Arrival::OnOff { on, off, .. } => {
            let cycle = on.as_secs_f64() + off.as_secs_f64();
            if cycle > 0.0 {
                2.0 * secs / cycle
            } else {
                f64::INFINITY
            }
        }
        _ => 0.0,
    }
}

/// The share of a stream's writes a sampled tracker draws: a write is
/// drawn when it overlaps a sampled block, and it spans at most
/// `size / block + 2` blocks (an upper bound, for the estimate only).
fn sampled_share(v: &VolumeConfig, w: &WriteStream, slots: u64, block: u64) -> f64 {
    let blocks = v.provisioned.size.0.div_ceil(block.max(1)).max(1);
    let span = (w.size.0 / block.max(1) + 2) as f64;
    (slots as f64 * span / blocks as f64).min(1.0)
}

/// The work of a run under tracking `method`.
pub fn estimate(cfg: &SimConfig, method: Method, requests: u128, rows: u128) -> WorkEstimate {
    let secs = cfg.duration.as_secs_f64();
    let block = cfg.block_size.0.max(1);
    let mut e = WorkEstimate {
        requests,
        rows,
        ..WorkEstimate::default()
    };
    for v in &cfg.volumes {
        for w in v.writes.iter().chain(&v.reads) {
            e.phases = e.phases.saturating_add(count(phase_changes(w, secs)));
        }
        match cfg.fidelity {
            Fidelity::Io => {
                let n: f64 = v
                    .writes
                    .iter()
                    .chain(&v.reads)
                    .map(|w| arrivals(w, secs))
                    .sum();
                e.ios = e.ios.saturating_add(count(n));
            }
            Fidelity::Flow => {
                let share = |w: &WriteStream| match method {
                    Method::Exact => 1.0,
                    Method::Sampled(size) => {
                        let blocks = v.provisioned.size.0.div_ceil(block);
                        sampled_share(v, w, size.slots_for(blocks), block)
                    }
                };
                let n: f64 = v.writes.iter().map(|w| arrivals(w, secs) * share(w)).sum();
                e.writes = e.writes.saturating_add(count(n));
            }
        }
        if let Some(t) = &v.trace {
            e.trace_lines = e.trace_lines.saturating_add(t.lines_per_run());
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_weights_ios_and_saturates() {
        let e = WorkEstimate {
            writes: 10,
            ios: 5,
            trace_lines: 1,
            requests: 2,
            phases: 3,
            rows: 4,
        };
        assert_eq!(e.total(), 10 + 15 + 1 + 2 + 3 + 4);
        assert_eq!(e.dominant(), ("IOs queued", 15));
        let big = WorkEstimate {
            writes: u128::MAX,
            rows: 1,
            ..WorkEstimate::default()
        };
        assert_eq!(big.total(), u128::MAX);
    }

    #[test]
    fn counts_are_ceilings_and_never_negative() {
        assert_eq!(count(0.2), 1);
        assert_eq!(count(0.0), 0);
        assert_eq!(count(-3.0), 0);
        assert_eq!(count(f64::INFINITY), u128::MAX);
        assert_eq!(count(f64::NAN), 0);
    }
}
