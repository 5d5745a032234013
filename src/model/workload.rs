//! Write-stream generators: when each write arrives and where it lands.
//!
//! A generator yields writes in time order, one at a time, without going
//! through the event queue: at this fidelity a write only matters for the
//! blocks it dirties and for copy-on-write, both of which the volume applies
//! lazily when the simulation reaches a later event. Every write is still
//! individually drawn (exact arrival time in ns, exact offset and length).

use super::config::{Arrival, Pattern, SizeDist, WriteStream};
use super::rng::StreamRng;
use super::zipf::{FastZipf, ZipfTables};
use crate::engine::{trunc_u64, SimTime, NANOS_PER_SEC};
use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use std::sync::Arc;

/// One write: when, where and how much.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Arrival instant.
    pub at: SimTime,
    /// First byte written [B].
    pub offset: u64,
    /// Bytes written [B].
    pub len: u64,
}

enum Placement {
    Uniform {
        slots: u64,
    },
    Zipf {
        dist: Arc<FastZipf>,
        blocks: u64,
        scatter: Scatter,
        slots_in_block: u64,
    },
    Hotspot {
        io_fraction: f64,
        hot_slots: u64,
        cold_slots: u64,
    },
    Sequential {
        cursor: u64,
    },
}

/// A bijection of `0..n` that spreads consecutive ranks over the range:
/// `r ↦ (a·r + c) mod n` with `gcd(a, n) = 1`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scatter {
    n: u64,
    a: u64,
    c: u64,
}

impl Scatter {
    pub(crate) fn new(n: u64) -> Scatter {
        // Start near n/φ so that neighbouring ranks land far apart.
        let mut a = ((n as f64 * 0.618_033_988_75) as u64).max(1) | 1;
        while gcd(a, n) != 1 {
            a += 2;
        }
        Scatter {
            n,
            a: a % n.max(1),
            c: n / 3,
        }
    }

    /// `a·r + c` fits in u64 because `a, r, c < n ≤ 2^32` (the model refuses
    /// volumes of more than 2^32 blocks).
    #[inline]
    pub(crate) fn map(&self, r: u64) -> u64 {
        (self.a * r + self.c) % self.n
    }

    /// The rank that [`Scatter::map`] sends to `j`: `a⁻¹·(j − c) mod n`.
    pub(crate) fn inverse(&self, j: u64) -> u64 {
        let n = i128::from(self.n);
        if n <= 1 {
            return 0;
        }
        // Extended Euclid for a⁻¹ mod n (gcd(a, n) = 1 by construction).
        let (mut r0, mut r1) = (n, i128::from(self.a));
        let (mut t0, mut t1) = (0i128, 1i128);
        while r1 != 0 {
            let q = r0 / r1;
            (r0, r1) = (r1, r0 - q * r1);
            (t0, t1) = (t1, t0 - q * t1);
        }
        let inv = t0.rem_euclid(n);
        let d = (i128::from(j) - i128::from(self.c)).rem_euclid(n);
        ((inv * d) % n) as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// On/off state of a bursty stream.
struct Burst {
    /// End of the current on-period [ns].
    period_end: u64,
}

/// Generates the writes of one [`WriteStream`].
pub struct WriteGenerator {
    rng: StreamRng,
    arrival: Arrival,
    /// Mean gap at the arrival envelope (the largest rate) [ns].
    mean_gap_ns: f64,
    burst: Burst,
    size_dist: Option<SizeDist>,
    /// Arrivals drawn so far (for the constant process).
    drawn: u64,
    next_at: SimTime,
    /// The next write's offset and length, drawn one write ahead: the same
    /// draws in the same order, but a cache miss in the placement tables is
    /// then overlapped with the rest of the current IO's work instead of
    /// stalling it.
    next_offset: u64,
    next_len: u64,
    size: u64,
    alignment: u64,
    region_offset: u64,
    region_length: u64,
    block_size: u64,
    placement: Placement,
}

impl WriteGenerator {
    /// A generator for `stream` on a volume tracked in `block_size` blocks.
    ///
    /// # Panics
    /// If the stream violates the invariants the scenario validator checks
    /// (positive rate, region at least one IO long, Zipf exponent > 0).
    pub fn new(stream: &WriteStream, block_size: u64, rng: StreamRng) -> WriteGenerator {
        WriteGenerator::with_tables(stream, block_size, rng, &mut ZipfTables::default())
    }

    /// As [`WriteGenerator::new`], taking its Zipf sampler from `tables`, so
    /// that streams with the same pattern share one.
    ///
    /// # Panics
    /// As [`WriteGenerator::new`].
    pub fn with_tables(
        stream: &WriteStream,
        block_size: u64,
        rng: StreamRng,
        tables: &mut ZipfTables,
    ) -> WriteGenerator {
        let size = stream.size.0;
        let alignment = stream.alignment.0.max(1);
        let region_length = stream.region_length.0;
        assert!(
            region_length >= size && size > 0,
            "region shorter than one IO"
        );
        let rate = stream.arrival.max_rate().per_sec;
        assert!(rate > 0.0 && rate.is_finite(), "rate must be positive");
        let slots = (region_length - size) / alignment + 1;
        let placement = match stream.pattern {
            Pattern::Uniform => Placement::Uniform { slots },
            Pattern::Zipf { exponent } => {
                let blocks = region_length.div_ceil(block_size).max(1);
                Placement::Zipf {
                    dist: tables.get(blocks, exponent),
                    blocks,
                    scatter: Scatter::new(blocks),
                    slots_in_block: block_size.saturating_sub(size) / alignment + 1,
                }
            }
            Pattern::Hotspot {
                io_fraction,
                space_fraction,
            } => {
                let hot_slots = ((slots as f64 * space_fraction) as u64).clamp(1, slots);
                Placement::Hotspot {
                    io_fraction,
                    hot_slots,
                    cold_slots: slots - hot_slots,
                }
            }
            Pattern::Sequential { start } => Placement::Sequential {
                cursor: start.0 % region_length,
            },
        };
        let mut g = WriteGenerator {
            rng,
            arrival: stream.arrival.clone(),
            mean_gap_ns: NANOS_PER_SEC as f64 / rate,
            burst: Burst { period_end: 0 },
            size_dist: stream.size_dist.clone(),
            drawn: 0,
            next_at: SimTime::ZERO,
            next_offset: 0,
            next_len: 0,
            size,
            alignment,
            region_offset: stream.region_offset.0,
            region_length,
            block_size,
            placement,
        };
        if let Arrival::OnOff { on, .. } = g.arrival {
            g.burst.period_end = g.period(on);
        }
        g.next_at = g.draw_arrival();
        g.draw_placement();
        g
    }

    /// Length of an on/off period of mean `mean` [ns].
    fn period(&mut self, mean: crate::engine::SimDuration) -> u64 {
        match self.arrival {
            Arrival::OnOff { fixed: false, .. } => {
                let x: f64 = Exp1.sample(&mut self.rng);
                ((x * mean.0 as f64) as u64).max(1)
            }
            _ => mean.0.max(1),
        }
    }

    /// Rate at instant `t_ns` of a time-varying Poisson stream [1/s].
    fn rate_at(&self, t_ns: u64) -> f64 {
        let hour_of_day = (t_ns as f64 / 3.6e12) % 24.0;
        match &self.arrival {
            Arrival::Daily { base, multipliers } => {
                base.per_sec * multipliers[(hour_of_day as usize).min(23)]
            }
            Arrival::Sinusoid {
                mean,
                amplitude,
                peak_hour,
            } => {
                let phase = std::f64::consts::TAU * (hour_of_day - peak_hour) / 24.0;
                mean.per_sec * (1.0 + amplitude * phase.cos())
            }
            Arrival::Steps { initial, steps } => {
                let i = steps.partition_point(|(at, _)| at.0 <= t_ns);
                if i == 0 {
                    initial.per_sec
                } else {
                    steps[i - 1].1.per_sec
                }
            }
            other => other.max_rate().per_sec,
        }
    }

    #[inline(always)]
    fn exp_gap(&mut self) -> u64 {
        let x: f64 = Exp1.sample(&mut self.rng);
        trunc_u64(x * self.mean_gap_ns)
    }

    /// Arrival time of the next write.
    #[inline]
    pub fn peek_time(&self) -> SimTime {
        self.next_at
    }

    #[inline(always)]
    fn draw_arrival(&mut self) -> SimTime {
        self.drawn += 1;
        match self.arrival {
            Arrival::Poisson(_) => SimTime(self.next_at.0.saturating_add(self.exp_gap())),
            Arrival::Constant(_) => SimTime((self.drawn as f64 * self.mean_gap_ns).round() as u64),
            Arrival::OnOff { on, off, .. } => {
                // Memoryless: a gap that crosses the end of an on-period is
                // redrawn from the start of the next on-period.
                let mut t = self.next_at.0;
                loop {
                    let candidate = t.saturating_add(self.exp_gap());
                    if candidate < self.burst.period_end || candidate == u64::MAX {
                        return SimTime(candidate);
                    }
                    let off_len = self.period(off);
                    let on_start = self.burst.period_end.saturating_add(off_len);
                    let on_len = self.period(on);
                    t = on_start;
                    self.burst.period_end = on_start.saturating_add(on_len);
                }
            }
            Arrival::Daily { .. } | Arrival::Sinusoid { .. } | Arrival::Steps { .. } => {
                // Thinning (Lewis & Shedler): candidates at the envelope
                // rate, each kept with probability rate(t) / envelope.
                let envelope = NANOS_PER_SEC as f64 / self.mean_gap_ns;
                // Once the last step's rate is 0, nothing arrives again.
                let silent_from = match &self.arrival {
                    Arrival::Steps { steps, .. } => steps
                        .last()
                        .filter(|(_, f)| f.per_sec == 0.0)
                        .map_or(u64::MAX, |(at, _)| at.0),
                    _ => u64::MAX,
                };
                let mut t = self.next_at.0;
                loop {
                    t = t.saturating_add(self.exp_gap());
                    if t >= silent_from {
                        return SimTime::MAX;
                    }
                    if t == u64::MAX || self.rng.random::<f64>() * envelope < self.rate_at(t) {
                        return SimTime(t);
                    }
                }
            }
        }
    }

    /// Bytes of the next IO: fixed, or drawn from the size distribution,
    /// at least one alignment unit and at most the stream's largest size.
    #[inline(always)]
    fn draw_len(&mut self) -> u64 {
        let Some(dist) = &self.size_dist else {
            return self.size;
        };
        let raw = match dist {
            SizeDist::Discrete(cdf) => {
                let u: f64 = self.rng.random();
                let i = cdf.partition_point(|(_, c)| *c <= u).min(cdf.len() - 1);
                cdf[i].0 .0
            }
            SizeDist::LogNormal {
                median,
                sigma,
                min,
                max,
            } => {
                let z: f64 = StandardNormal.sample(&mut self.rng);
                let x = median.0 as f64 * (sigma * z).exp();
                let a = self.alignment as f64;
                ((x / a).round() * a).clamp(min.0 as f64, max.0 as f64) as u64
            }
        };
        raw.clamp(1, self.size)
    }

    /// Takes the next write and draws the one after it.
    #[inline(always)]
    pub fn next_write(&mut self) -> Write {
        let w = Write {
            at: self.next_at,
            offset: self.next_offset,
            len: self.next_len,
        };
        self.next_at = self.draw_arrival();
        self.draw_placement();
        w
    }

    /// Draws the next write's length and offset.
    #[inline(always)]
    fn draw_placement(&mut self) {
        let len = self.draw_len();
        self.next_len = len;
        self.next_offset = self.region_offset + self.draw_offset(len);
    }

    #[inline]
    fn draw_offset(&mut self, len: u64) -> u64 {
        match &mut self.placement {
            Placement::Uniform { slots } => self.rng.random_range(0..*slots) * self.alignment,
            Placement::Zipf {
                dist,
                blocks,
                scatter,
                slots_in_block,
            } => {
                let rank = dist.sample(&mut self.rng).clamp(1, *blocks) - 1;
                let block = scatter.map(rank);
                let within = self.rng.random_range(0..*slots_in_block) * self.alignment;
                (block * self.block_size + within).min(self.region_length - self.size)
            }
            Placement::Hotspot {
                io_fraction,
                hot_slots,
                cold_slots,
            } => {
                let hot = *cold_slots == 0 || self.rng.random::<f64>() < *io_fraction;
                let slot = if hot {
                    self.rng.random_range(0..*hot_slots)
                } else {
                    *hot_slots + self.rng.random_range(0..*cold_slots)
                };
                slot * self.alignment
            }
            Placement::Sequential { cursor } => {
                if *cursor + len > self.region_length {
                    *cursor = 0;
                }
                let at = *cursor;
                *cursor += len;
                at
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::stream;
    use crate::model::units::{Bytes, Frequency};

    fn ws(pattern: Pattern, arrival: Arrival, size: u64, region: u64) -> WriteStream {
        WriteStream {
            arrival,
            size: Bytes(size),
            size_dist: None,
            pattern,
            alignment: Bytes(4096),
            region_offset: Bytes(1 << 20),
            region_length: Bytes(region),
        }
    }

    #[test]
    fn constant_arrivals_are_exactly_spaced() {
        let s = ws(
            Pattern::Sequential { start: Bytes(0) },
            Arrival::Constant(Frequency { per_sec: 4.0 }),
            4096,
            8192,
        );
        let mut g = WriteGenerator::new(&s, 524_288, stream(1, "t"));
        let w: Vec<Write> = (0..3).map(|_| g.next_write()).collect();
        assert_eq!(w[0].at, SimTime(250_000_000));
        assert_eq!(w[1].at, SimTime(500_000_000));
        // Sequential wraps within the region, which starts at 1 MiB.
        assert_eq!(
            w.iter().map(|w| w.offset).collect::<Vec<_>>(),
            vec![1 << 20, (1 << 20) + 4096, 1 << 20]
        );
    }

    #[test]
    fn poisson_mean_gap_matches_rate() {
        let s = ws(
            Pattern::Uniform,
            Arrival::Poisson(Frequency { per_sec: 1000.0 }),
            4096,
            1 << 30,
        );
        let mut g = WriteGenerator::new(&s, 524_288, stream(2, "t"));
        let n = 200_000;
        let mut last = SimTime::ZERO;
        for _ in 0..n {
            last = g.next_write().at;
        }
        let mean_gap_ms = last.as_secs_f64() * 1000.0 / n as f64;
        assert!((mean_gap_ms - 1.0).abs() < 0.01, "{mean_gap_ms}");
    }

    #[test]
    fn offsets_stay_aligned_and_inside_the_region() {
        for pattern in [
            Pattern::Uniform,
            Pattern::Zipf { exponent: 1.1 },
            Pattern::Hotspot {
                io_fraction: 0.8,
                space_fraction: 0.2,
            },
        ] {
            let s = ws(
                pattern,
                Arrival::Poisson(Frequency { per_sec: 10.0 }),
                16384,
                64 << 20,
            );
            let mut g = WriteGenerator::new(&s, 524_288, stream(3, "t"));
            for _ in 0..10_000 {
                let w = g.next_write();
                assert_eq!(w.offset % 4096, 0);
                assert!(w.offset >= 1 << 20);
                assert!(w.offset + w.len <= (1 << 20) + (64 << 20), "{pattern:?}");
            }
        }
    }

    #[test]
    fn hotspot_sends_the_stated_share_to_the_hot_space() {
        let s = ws(
            Pattern::Hotspot {
                io_fraction: 0.8,
                space_fraction: 0.2,
            },
            Arrival::Poisson(Frequency { per_sec: 10.0 }),
            4096,
            100 << 20,
        );
        let mut g = WriteGenerator::new(&s, 524_288, stream(4, "t"));
        let n = 100_000;
        let hot = (0..n)
            .filter(|_| g.next_write().offset - (1 << 20) < 20 << 20)
            .count();
        let share = hot as f64 / n as f64;
        assert!((share - 0.8).abs() < 0.01, "{share}");
    }

    #[test]
    fn zipf_hot_blocks_are_scattered_not_contiguous() {
        let sc = Scatter::new(1000);
        let firsts: Vec<u64> = (0..5).map(|r| sc.map(r)).collect();
        let mut sorted = firsts.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 5);
        assert!(
            firsts.windows(2).all(|w| w[0].abs_diff(w[1]) > 100),
            "{firsts:?}"
        );
        // A bijection: every block is hit exactly once, and inverted.
        let mut seen = vec![false; 1000];
        for r in 0..1000 {
            seen[sc.map(r) as usize] = true;
            assert_eq!(sc.inverse(sc.map(r)), r);
        }
        assert!(seen.iter().all(|&s| s));
    }
}
