//! Synthetic writes as statistical tracking sees them: for each sampled
//! block, the first write after each point in time, and nothing else.
//!
//! Random patterns (uniform, hot spot, Zipf): the writes that overlap block
//! `b` form a Poisson process of rate `q_b · λ(t)` (a thinning of the
//! stream's arrivals). Each sampled block holds the Λ-value of its next
//! write, `Λ(t0) + E/q_b`, in a min-heap; advancing to `t` takes out every
//! block whose value is below Λ(t), and the instant of its write is
//! `Λ⁻¹(value)`. A block written since the last point in time is redrawn
//! only at the next point in time (later writes to it change nothing the
//! snapshots can see); a block not written keeps its draw, which by the
//! memorylessness of the exponential is still a correct draw from then on.
//! Work is therefore proportional to the blocks that snapshots find
//! changed, not to the writes.
//!
//! Sequential streams: the cursor's path is fixed, so the sampled blocks
//! are visited in a known order; only the arrival count between two
//! visits is random (a Gamma draw in Λ-space for Poisson arrivals, exact
//! for a constant rate). IO sizes of a sequential stream with a size
//! distribution are taken at their mean.

use super::super::config::{Arrival, Pattern, WriteStream};
use super::super::rng::StreamRng;
use super::intensity::CumIntensity;
use super::placement::{mean_length, overlap_probabilities};
use super::Sample;
use crate::engine::{SimDuration, SimTime};
use rand_distr::{Distribution, Exp1, Gamma};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A write that matters: sampled slot `slot` is written at `at`.
pub type SlotWrite = (SimTime, u32);

/// Pending draws as sorted runs: one run per point in time (the blocks
/// redrawn then, sorted once) and a small heap over the runs' heads. A run
/// is read front to back, so taking out the due draws is a sequential scan
/// instead of a pop from a heap of every sampled block (a third of a
/// fleet's time before).
#[derive(Default)]
struct Runs {
    /// Runs of (Λ-value of the next write as f64 bits, slot), ascending;
    /// positive f64 bits order like the values.
    runs: Vec<Run>,
    /// (head value, run index) of every run not used up.
    heads: BinaryHeap<Reverse<(u64, u32)>>,
    /// Indices of used-up runs, for reuse.
    free: Vec<u32>,
}

#[derive(Default)]
struct Run {
    entries: Vec<(u64, u32)>,
    pos: usize,
}

impl Runs {
    fn push_run(&mut self, mut entries: Vec<(u64, u32)>) {
        if entries.is_empty() {
            return;
        }
        entries.sort_unstable();
        let head = entries[0].0;
        let run = Run { entries, pos: 0 };
        let index = match self.free.pop() {
            Some(i) => {
                self.runs[i as usize] = run;
                i
            }
            None => {
                self.runs.push(run);
                (self.runs.len() - 1) as u32
            }
        };
        self.heads.push(Reverse((head, index)));
    }

    /// Calls `f` on every draw below `limit` (run by run) and removes them.
    fn take_below(&mut self, limit: f64, mut f: impl FnMut(f64, u32)) {
        while let Some(&Reverse((head, index))) = self.heads.peek() {
            if f64::from_bits(head) >= limit {
                break;
            }
            self.heads.pop();
            let run = &mut self.runs[index as usize];
            while let Some(&(bits, slot)) = run.entries.get(run.pos) {
                let u = f64::from_bits(bits);
                if u >= limit {
                    break;
                }
                f(u, slot);
                run.pos += 1;
            }
            if run.pos == run.entries.len() {
                *run = Run::default();
                self.free.push(index);
            } else {
                if run.pos > 64 && run.pos * 2 > run.entries.len() {
                    run.entries.drain(..run.pos);
                    run.pos = 0;
                }
                self.heads.push(Reverse((run.entries[run.pos].0, index)));
            }
        }
    }

    fn len(&self) -> usize {
        self.runs.iter().map(|r| r.entries.len() - r.pos).sum()
    }
}

enum Kind {
    Random {
        runs: Runs,
        q: Vec<f64>,
        /// Slots taken out since the last point in time.
        written: Vec<u32>,
    },
    Sequential {
        /// Visits of a full pass: (write index within the pass, slot).
        pass: Vec<(u64, u32)>,
        /// Writes in a full pass.
        pass_writes: u64,
        /// Visits and writes of the first (partial) pass.
        first: Vec<(u64, u32)>,
        first_writes: u64,
        /// Position: pass number (0 = first) and index into its visits.
        pass_no: u64,
        index: usize,
        /// Λ-value of the next visit's write, and that write's global index.
        next_u: f64,
        next_write: u64,
        constant: bool,
    },
}

struct Stream {
    lambda: CumIntensity,
    kind: Kind,
    rng: StreamRng,
    mean_len: f64,
}

/// The sampled writes of one volume's synthetic streams.
pub struct SampledWrites {
    streams: Vec<Stream>,
    /// Everything before this has been taken out.
    advanced_to: SimTime,
    /// No draw of any stream comes before this instant (a lower bound,
    /// recomputed whenever draws are taken out or added): advancing to an
    /// earlier instant needs no look at Λ. Rate changes of a fleet's shared
    /// pool advance every uploading volume at every event, so this check is
    /// most calls.
    next_due: SimTime,
}

impl SampledWrites {
    /// Tracking of `streams` over `sample`, up to `horizon`; `rngs` gives
    /// each stream its own random stream.
    pub fn new(
        streams: &[WriteStream],
        block_size: u64,
        sample: &Sample,
        horizon: SimTime,
        mut rngs: Vec<StreamRng>,
    ) -> SampledWrites {
        let streams = streams
            .iter()
            .zip(rngs.drain(..))
            .map(|(w, mut rng)| {
                let lambda = CumIntensity::new(&w.arrival, horizon.0, &mut rng);
                let mean_len = mean_length(w);
                let kind = match w.pattern {
                    Pattern::Sequential { start } => {
                        sequential(w, start.0, mean_len, block_size, sample, &mut rng)
                    }
                    _ => {
                        let q = overlap_probabilities(w, block_size, sample);
                        let mut first = Vec::with_capacity(q.len());
                        for (k, &qk) in q.iter().enumerate() {
                            if let Some(u) = next_value(0.0, qk, &mut rng) {
                                first.push((u.to_bits(), k as u32));
                            }
                        }
                        let mut runs = Runs::default();
                        runs.push_run(first);
                        Kind::Random {
                            runs,
                            q,
                            written: Vec::new(),
                        }
                    }
                };
                Stream {
                    lambda,
                    kind,
                    rng,
                    mean_len,
                }
            })
            .collect();
        let mut w = SampledWrites {
            streams,
            advanced_to: SimTime::ZERO,
            next_due: SimTime::ZERO,
        };
        w.next_due = w.earliest_due();
        w
    }

    /// Appends every sampled write before `t` to `out` (per stream in time
    /// order; the caller merges streams).
    pub fn advance(&mut self, t: SimTime, out: &mut Vec<SlotWrite>) {
        if t <= self.advanced_to {
            return;
        }
        self.advanced_to = t;
        // A draw at `next_due` is taken out by an advance to any later
        // instant, so up to and including it nothing is due.
        if t <= self.next_due {
            return;
        }
        for s in &mut self.streams {
            let limit = s.lambda.at(t);
            match &mut s.kind {
                Kind::Random { runs, written, .. } => {
                    let lambda = &s.lambda;
                    let last = SimTime(t.0.saturating_sub(1));
                    runs.take_below(limit, |u, slot| {
                        out.push((lambda.time_of(u).min(last), slot));
                        written.push(slot);
                    });
                }
                Kind::Sequential { .. } => {
                    while let Some((u, slot)) = seq_peek(&s.kind) {
                        if u >= limit {
                            break;
                        }
                        let at = s.lambda.time_of(u).min(SimTime(t.0.saturating_sub(1)));
                        out.push((at, slot));
                        seq_step(&mut s.kind, &mut s.rng);
                    }
                }
            }
        }
        self.next_due = self.earliest_due();
    }

    /// A snapshot fixed its point in time at `t` (after [`Self::advance`]
    /// to `t`): blocks written since the last one draw their next write.
    pub fn point_in_time(&mut self, t: SimTime) {
        for s in &mut self.streams {
            if let Kind::Random { runs, q, written } = &mut s.kind {
                let base = s.lambda.at(t);
                let mut fresh = Vec::with_capacity(written.len());
                for slot in written.drain(..) {
                    if let Some(u) = next_value(base, q[slot as usize], &mut s.rng) {
                        fresh.push((u.to_bits(), slot));
                    }
                }
                runs.push_run(fresh);
            }
        }
        self.next_due = self.earliest_due();
    }

    /// The earliest instant of any stream's next draw.
    fn earliest_due(&self) -> SimTime {
        self.streams
            .iter()
            .map(|s| {
                let u = match &s.kind {
                    Kind::Random { runs, .. } => runs.heads.peek().map(|r| f64::from_bits(r.0 .0)),
                    Kind::Sequential { .. } => seq_peek(&s.kind).map(|(u, _)| u),
                };
                // The first instant Λ reaches u, less one: the draw comes
                // strictly after `next_due`.
                u.map_or(SimTime::MAX, |u| {
                    SimTime(s.lambda.time_of(u).0.saturating_sub(1))
                })
            })
            .min()
            .unwrap_or(SimTime::MAX)
    }

    /// Expected writes in `[from, to)`, over all streams.
    pub fn expected_writes(&self, from: SimTime, to: SimTime) -> f64 {
        self.streams
            .iter()
            .map(|s| s.lambda.at(to) - s.lambda.at(from))
            .sum()
    }

    /// Expected bytes written in `[from, to)` [B].
    pub fn expected_bytes(&self, from: SimTime, to: SimTime) -> f64 {
        self.streams
            .iter()
            .map(|s| (s.lambda.at(to) - s.lambda.at(from)) * s.mean_len)
            .sum()
    }

    /// Heap entries and visit lists held, for memory estimates.
    pub fn entries(&self) -> usize {
        self.streams
            .iter()
            .map(|s| match &s.kind {
                Kind::Random { runs, .. } => runs.len(),
                Kind::Sequential { pass, first, .. } => pass.len() + first.len(),
            })
            .sum()
    }
}

/// `base + E/q`, or `None` if the block is never written (`q = 0`).
fn next_value(base: f64, q: f64, rng: &mut StreamRng) -> Option<f64> {
    if q <= 1e-300 {
        return None;
    }
    let e: f64 = Exp1.sample(rng);
    let u = base + e / q;
    u.is_finite().then_some(u)
}

/// Visits of a pass whose writes start at `origin` (region-relative) and
/// advance by `len`: for each sampled block of the region, the index of
/// the first write of the pass that overlaps it.
fn visits(
    origin: u64,
    len: u64,
    region: u64,
    r_off: u64,
    block_size: u64,
    sample: &Sample,
) -> (Vec<(u64, u32)>, u64) {
    let writes = if origin + len > region {
        0
    } else {
        (region - origin - len) / len + 1
    };
    let first_block = r_off / block_size;
    let last_block = (r_off + region - 1) / block_size;
    let mut out: Vec<(u64, u32)> = sample
        .slots_in(first_block, last_block)
        .filter_map(|slot| {
            let b = sample.block(slot);
            // Region-relative byte range of the block.
            let x0 = (b * block_size).saturating_sub(r_off);
            let x1 = ((b + 1) * block_size - r_off).min(region);
            if x1 <= origin {
                return None;
            }
            let i = if x0 <= origin { 0 } else { (x0 - origin) / len };
            (i < writes).then_some((i, slot))
        })
        .collect();
    out.sort_unstable();
    (out, writes)
}

fn sequential(
    w: &WriteStream,
    start: u64,
    mean_len: f64,
    block_size: u64,
    sample: &Sample,
    rng: &mut StreamRng,
) -> Kind {
    let region = w.region_length.0;
    let len = (mean_len.round() as u64).clamp(1, region);
    let r_off = w.region_offset.0;
    let origin = start % region;
    let (first, first_writes) = visits(origin, len, region, r_off, block_size, sample);
    let (pass, pass_writes) = visits(0, len, region, r_off, block_size, sample);
    let mut kind = Kind::Sequential {
        pass,
        pass_writes: pass_writes.max(1),
        first,
        first_writes,
        pass_no: 0,
        index: 0,
        next_u: 0.0,
        next_write: 0,
        constant: matches!(w.arrival, Arrival::Constant(_)),
    };
    // Position on the first visit; write `n` is arrival `n + 1`.
    if let Kind::Sequential {
        next_u,
        next_write,
        first,
        pass,
        first_writes,
        pass_no,
        index,
        constant,
        ..
    } = &mut kind
    {
        if first.is_empty() {
            *pass_no = 1;
            *index = 0;
        }
        let target = match (first.first(), pass.first()) {
            (Some(&(i, _)), _) if *pass_no == 0 => Some(i),
            (_, Some(&(i, _))) => Some(*first_writes + i),
            _ => None,
        };
        match target {
            Some(n) => {
                *next_write = n;
                *next_u = arrivals_value(0.0, n + 1, *constant, rng);
            }
            None => *next_u = f64::INFINITY,
        }
    }
    kind
}

/// Λ-value after `k` more arrivals from `base`.
fn arrivals_value(base: f64, k: u64, constant: bool, rng: &mut StreamRng) -> f64 {
    if k == 0 {
        return base;
    }
    if constant {
        return base + k as f64;
    }
    let g = Gamma::new(k as f64, 1.0).expect("positive shape");
    base + g.sample(rng)
}

fn seq_peek(kind: &Kind) -> Option<(f64, u32)> {
    let Kind::Sequential {
        pass,
        first,
        pass_no,
        index,
        next_u,
        ..
    } = kind
    else {
        return None;
    };
    if !next_u.is_finite() {
        return None;
    }
    let list = if *pass_no == 0 { first } else { pass };
    list.get(*index).map(|&(_, slot)| (*next_u, slot))
}

/// Moves to the next visit and draws the arrivals until its write.
fn seq_step(kind: &mut Kind, rng: &mut StreamRng) {
    let Kind::Sequential {
        pass,
        pass_writes,
        first,
        first_writes,
        pass_no,
        index,
        next_u,
        next_write,
        constant,
    } = kind
    else {
        return;
    };
    let write_of = |pass_no: u64, i: u64| -> u64 {
        if pass_no == 0 {
            i
        } else {
            *first_writes + (pass_no - 1) * *pass_writes + i
        }
    };
    *index += 1;
    let len = if *pass_no == 0 {
        first.len()
    } else {
        pass.len()
    };
    if *index >= len {
        *pass_no += 1;
        *index = 0;
    }
    let Some(&(i, _)) = pass
        .get(*index)
        .filter(|_| *pass_no > 0)
        .or(first.get(*index))
    else {
        *next_u = f64::INFINITY;
        return;
    };
    let n = write_of(*pass_no, i);
    // Several sampled blocks may share one write (IOs larger than a block).
    let k = n.saturating_sub(*next_write);
    *next_u = arrivals_value(*next_u, k, *constant, rng);
    *next_write = n;
}

/// Writes in `[from, to)` of a horizon split in `steps` of `step`: the
/// expected counts and bytes per step.
pub fn expected_per_step(
    writes: &SampledWrites,
    step: SimDuration,
    steps: usize,
    horizon: SimTime,
) -> (Vec<u64>, Vec<u64>) {
    let mut counts = Vec::with_capacity(steps);
    let mut bytes = Vec::with_capacity(steps);
    for k in 0..steps as u64 {
        let a = SimTime(k * step.0);
        let b = SimTime(((k + 1) * step.0).min(horizon.0));
        counts.push(writes.expected_writes(a, b).round() as u64);
        bytes.push(writes.expected_bytes(a, b).round() as u64);
    }
    (counts, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::stream;
    use crate::model::units::{Bytes, Frequency};

    fn ws(pattern: Pattern, rate: f64, size: u64, region: u64) -> WriteStream {
        WriteStream {
            arrival: Arrival::Poisson(Frequency { per_sec: rate }),
            size: Bytes(size),
            size_dist: None,
            pattern,
            alignment: Bytes(4096),
            region_offset: Bytes(0),
            region_length: Bytes(region),
        }
    }

    /// Uniform single-block writes: the blocks written in [0, t) number
    /// N(1 − e^(−n/N)) in expectation, n = rate·t.
    #[test]
    fn distinct_blocks_follow_the_occupancy_formula() {
        let bs = 1 << 19;
        let blocks = 4096u64;
        let s = ws(Pattern::Uniform, 10.0, 4096, blocks * bs);
        let mut total = 0.0;
        let seeds = 20;
        for seed in 0..seeds {
            let sample = Sample::new(blocks, 1024, &mut stream(seed, "s"));
            let mut w = SampledWrites::new(
                std::slice::from_ref(&s),
                bs,
                &sample,
                SimTime::from_secs(10_000),
                vec![stream(seed, "w")],
            );
            let mut out = Vec::new();
            w.advance(SimTime::from_secs(400), &mut out);
            let mut slots: Vec<u32> = out.iter().map(|&(_, s)| s).collect();
            slots.sort_unstable();
            slots.dedup();
            total += sample.weights().sum(&slots) as f64;
        }
        let mean = total / seeds as f64;
        let n = 4000.0;
        let expect = blocks as f64 * (1.0 - (1.0 - 1.0 / blocks as f64).powf(n));
        assert!((mean / expect - 1.0).abs() < 0.02, "{mean} vs {expect}");
    }

    /// A sequential stream of 512 KiB writes at a constant 2/s visits
    /// sampled block b at t = (b + 1)/2 s, pass after pass.
    #[test]
    fn sequential_visits_follow_the_cursor() {
        let bs = 1 << 19;
        let mut s = ws(Pattern::Sequential { start: Bytes(0) }, 2.0, bs, 8 * bs);
        s.arrival = Arrival::Constant(Frequency { per_sec: 2.0 });
        let sample = Sample::new(8, 8, &mut stream(1, "s"));
        let mut w = SampledWrites::new(
            std::slice::from_ref(&s),
            bs,
            &sample,
            SimTime::from_secs(100),
            vec![stream(1, "w")],
        );
        let mut out = Vec::new();
        w.advance(SimTime::from_secs(8), &mut out);
        let want: Vec<SlotWrite> = (0..16u64)
            .map(|n| (SimTime((n + 1) * 500_000_000), (n % 8) as u32))
            .filter(|&(t, _)| t < SimTime::from_secs(8))
            .collect();
        assert_eq!(out, want);
    }
}
