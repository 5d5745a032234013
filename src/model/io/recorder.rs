//! Latency recording at IO fidelity: HDR histograms per operation and per
//! number of pending snapshots at arrival, plus per-step statistics for the
//! time series.

use super::hdr_counts::HdrCounts;
use super::station::Job;
use crate::engine::{u64_to_f64, SimTime};
use crate::metrics::latency::{CreditsExhausted, Degradation, LatencyLevel, OpLatency};
use crate::metrics::IoStep;
use hdrhistogram::Histogram;
use std::collections::VecDeque;

/// Operation names, indexed by [`super::station::Job::kind`].
pub const OPS: [&str; 2] = ["read", "write"];

/// Per-step accumulators of one step.
struct StepAcc {
    reads: u64,
    read_bytes: u64,
    hist: [HdrCounts; 2],
}

impl StepAcc {
    fn new() -> StepAcc {
        StepAcc {
            reads: 0,
            read_bytes: 0,
            hist: [HdrCounts::new(2), HdrCounts::new(2)],
        }
    }
}

/// Everything recorded for one volume.
///
/// IOs are recorded when their completion time becomes known, which can be
/// before the step they complete in has begun; steps stay open (a short
/// window from the oldest one) until the caller closes them.
pub struct Recorder {
    warmup: SimTime,
    by_level: [Vec<HdrCounts>; 2],
    /// As `by_level`, for IOs that waited for burst credits; empty until
    /// the first such IO.
    short_by_level: [Vec<HdrCounts>; 2],
    step_ns: u64,
    cur: usize,
    /// End of step `cur` [ns]; `u64::MAX` once every step is closed.
    cur_end: u64,
    open: VecDeque<StepAcc>,
    spare: Vec<StepAcc>,
    /// Finished steps (filled by [`Recorder::close_step`]).
    pub steps: Vec<Option<IoStep>>,
    /// Foreground IOs completed (all, warm-up included).
    pub completed: u64,
    /// Summed latency of all completed foreground IOs [ns].
    pub latency_sum_ns: f64,
}

impl Recorder {
    /// A recorder for levels `0..=max_pending`, `steps` steps of `step_ns`.
    pub fn new(max_pending: u32, warmup: SimTime, step_ns: u64, steps: usize) -> Recorder {
        let levels = || {
            (0..=max_pending)
                .map(|_| HdrCounts::new(3))
                .collect::<Vec<_>>()
        };
        Recorder {
            warmup,
            by_level: [levels(), levels()],
            short_by_level: [Vec::new(), Vec::new()],
            step_ns: step_ns.max(1),
            cur: 0,
            cur_end: if steps > 0 { step_ns.max(1) } else { u64::MAX },
            open: VecDeque::new(),
            spare: Vec::new(),
            steps: vec![None; steps],
            completed: 0,
            latency_sum_ns: 0.0,
        }
    }

    /// The step a completion at `t` belongs to.
    fn step_of(&self, t: SimTime) -> usize {
        ((t.0 / self.step_ns) as usize).min(self.steps.len().saturating_sub(1))
    }

    /// End of the oldest open step, `None` when every step is closed.
    #[inline]
    pub fn open_step_end(&self) -> Option<SimTime> {
        (self.cur_end != u64::MAX).then_some(SimTime(self.cur_end))
    }

    /// Records foreground IO `job` (its kind, arrival, pending snapshots
    /// and credit state), which completes at `end`, in an open step.
    #[inline(always)]
    pub fn record(&mut self, job: &Job, end: SimTime) {
        let (op, pending, arrived, len) = (job.kind, job.pending, job.arrived, job.len);
        let ns = (end - arrived).as_nanos();
        self.completed += 1;
        self.latency_sum_ns += u64_to_f64(ns);
        let o = usize::from(op.min(1));
        // Most IOs complete in the oldest open step: no division then.
        let k = if end.0 < self.cur_end {
            0
        } else {
            self.step_of(end).saturating_sub(self.cur)
        };
        while self.open.len() <= k {
            let acc = self.spare.pop().unwrap_or_else(StepAcc::new);
            self.open.push_back(acc);
        }
        // The oldest open step without the ring buffer's index arithmetic.
        let acc = if k == 0 {
            self.open.front_mut()
        } else {
            self.open.get_mut(k)
        }
        .expect("the steps up to k were opened above");
        // Without a branch: reads and writes come in random order.
        let read = u64::from(op == 0);
        acc.reads += read;
        acc.read_bytes += len * read;
        acc.hist[o].record(ns);
        if arrived >= self.warmup {
            let top = self.by_level[o].len();
            let levels = if job.credit_wait {
                let short = &mut self.short_by_level[o];
                if short.is_empty() {
                    short.extend((0..top).map(|_| HdrCounts::new(3)));
                }
                short
            } else {
                &mut self.by_level[o]
            };
            let l = usize::from(pending).min(top - 1);
            levels[l].record(ns);
        }
    }

    /// Closes the oldest open step, with the token levels `tokens` and
    /// `credits` at its end. No IO completing in it may be recorded later.
    pub fn close_step(&mut self, tokens: f64, credits: f64) {
        if self.cur >= self.steps.len() {
            return;
        }
        let secs = self.step_ns as f64 / 1e9;
        let q = |h: &Histogram<u64>, p: f64| {
            if h.is_empty() {
                f64::NAN
            } else {
                h.value_at_quantile(p) as f64 / 1e3
            }
        };
        let mut a = self.open.pop_front().unwrap_or_else(StepAcc::new);
        let hist = [a.hist[0].histogram(), a.hist[1].histogram()];
        self.steps[self.cur] = Some(IoStep {
            reads_per_second: a.reads as f64 / secs,
            read_bytes_per_second: a.read_bytes as f64 / secs,
            read_p50_us: q(&hist[0], 0.5),
            read_p99_us: q(&hist[0], 0.99),
            write_p50_us: q(&hist[1], 0.5),
            write_p99_us: q(&hist[1], 0.99),
            iops_tokens: tokens,
            burst_credits: credits,
        });
        a.reads = 0;
        a.read_bytes = 0;
        a.hist[0].reset();
        a.hist[1].reset();
        self.spare.push(a);
        self.cur += 1;
        self.cur_end = if self.cur < self.steps.len() {
            self.cur_end.saturating_add(self.step_ns)
        } else {
            u64::MAX
        };
    }

    /// The latency summary: per operation, per pending level with IOs, and
    /// degradation against level 0; the IOs that waited for burst credits
    /// apart. Operations without IOs are left out.
    pub fn summary(&self) -> Vec<OpLatency> {
        let mut out = Vec::new();
        for (o, name) in OPS.iter().enumerate() {
            let levels = level_stats(&self.by_level[o]);
            let short = level_stats(&self.short_by_level[o]);
            if levels.is_empty() && short.is_empty() {
                continue;
            }
            let base = levels.iter().find(|l| l.pending == 0).cloned();
            let against_base = |l: &LatencyLevel| {
                let ratio = |a: f64, b: f64| (b > 0.0).then_some(a / b);
                Degradation {
                    pending: l.pending,
                    mean: base.as_ref().and_then(|b| ratio(l.mean_us, b.mean_us)),
                    p50: base.as_ref().and_then(|b| ratio(l.p50_us, b.p50_us)),
                    p90: base.as_ref().and_then(|b| ratio(l.p90_us, b.p90_us)),
                    p99: base.as_ref().and_then(|b| ratio(l.p99_us, b.p99_us)),
                    p999: base.as_ref().and_then(|b| ratio(l.p999_us, b.p999_us)),
                }
            };
            let degradation = levels
                .iter()
                .filter(|l| l.pending > 0)
                .map(against_base)
                .collect();
            let credits_exhausted = (!short.is_empty()).then(|| CreditsExhausted {
                degradation: short.iter().map(against_base).collect(),
                levels: short,
            });
            out.push(OpLatency {
                op: (*name).to_string(),
                levels,
                degradation,
                credits_exhausted,
            });
        }
        out
    }
}

/// Statistics of every level that saw an IO, ascending.
fn level_stats(counts: &[HdrCounts]) -> Vec<LatencyLevel> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_empty())
        .map(|(k, c)| (k, c.histogram()))
        .map(|(k, h)| LatencyLevel {
            pending: k as u32,
            count: h.len(),
            mean_us: h.mean() / 1e3,
            p50_us: h.value_at_quantile(0.5) as f64 / 1e3,
            p90_us: h.value_at_quantile(0.9) as f64 / 1e3,
            p99_us: h.value_at_quantile(0.99) as f64 / 1e3,
            p999_us: h.value_at_quantile(0.999) as f64 / 1e3,
            max_us: h.max() as f64 / 1e3,
        })
        .collect()
}
