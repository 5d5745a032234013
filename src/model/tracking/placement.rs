//! The probability `q_b` that one write of a stream overlaps sampled block
//! `b`, from the stream's pattern, IO sizes and alignment — the same law
//! the write generator draws from, evaluated instead of sampled.
//!
//! - uniform and hot spot: offsets are uniform over aligned slots (the hot
//!   spot as two uniform segments), so `q_b` counts the slots whose write
//!   would overlap the block, averaged over the IO sizes;
//! - Zipf: a write lands in the block of its rank (the scatter bijection
//!   inverted), and an IO larger than a block also covers the next ones;
//! - sequential writes are not random in space: see `sampled`.
//!
//! Writes the generator clips at the region's very end (a Zipf IO in the
//! last, partial block) are counted where they would start; this touches
//! at most the last block of a region.

use super::super::config::{Pattern, SizeDist, WriteStream};
use super::super::workload::Scatter;
use super::super::zipf::FastZipf;
use super::Sample;
use statrs::distribution::{ContinuousCDF, Normal};

/// Log-spaced bins a log-normal size distribution is represented by.
const LOGNORMAL_BINS: usize = 48;

/// IO lengths of a stream with their probabilities: what `draw_len` of the
/// write generator yields, as a discrete law (log-normal sizes in
/// [`LOGNORMAL_BINS`] log-spaced bins).
pub fn lengths(stream: &WriteStream) -> Vec<(u64, f64)> {
    let size = stream.size.0.max(1);
    let a = stream.alignment.0.max(1) as f64;
    let mut out: Vec<(u64, f64)> = match &stream.size_dist {
        None => vec![(size, 1.0)],
        Some(SizeDist::Discrete(cdf)) => {
            let mut prev = 0.0;
            cdf.iter()
                .map(|(b, c)| {
                    let p = (c - prev).max(0.0);
                    prev = *c;
                    (b.0.clamp(1, size), p)
                })
                .collect()
        }
        Some(SizeDist::LogNormal {
            median,
            sigma,
            min,
            max,
        }) => {
            // The clamped law in log-spaced bins: its two clamp atoms, then
            // LOGNORMAL_BINS bins between the bounds, each at its
            // geometric middle (rounded to the alignment) with its exact
            // probability, so that tails (an IO longer than a block) keep
            // their mass.
            let normal = Normal::new(0.0, 1.0).expect("standard normal");
            let cdf = |x: f64| normal.cdf((x / median.0 as f64).ln() / sigma);
            let (lo, hi) = (min.0.max(1) as f64, max.0.max(min.0).max(1) as f64);
            let mut v = vec![(min.0, cdf(lo)), (max.0, 1.0 - cdf(hi))];
            if hi > lo {
                let ratio = (hi / lo).powf(1.0 / LOGNORMAL_BINS as f64);
                let mut left = lo;
                for _ in 0..LOGNORMAL_BINS {
                    let right = left * ratio;
                    let mid = (left * right).sqrt();
                    let len = (((mid / a).round() * a) as u64).clamp(min.0, max.0);
                    v.push((len, cdf(right.min(hi)) - cdf(left)));
                    left = right;
                }
            }
            v.into_iter().map(|(l, p)| (l.clamp(1, size), p)).collect()
        }
    };
    out.retain(|&(_, p)| p > 0.0);
    out
}

/// Mean IO length [B].
pub fn mean_length(stream: &WriteStream) -> f64 {
    lengths(stream).iter().map(|&(l, p)| l as f64 * p).sum()
}

/// `q` for every slot of `sample` (0 where the stream never writes), for a
/// stream that is not sequential.
///
/// # Panics
/// On a sequential stream.
pub fn overlap_probabilities(stream: &WriteStream, block_size: u64, sample: &Sample) -> Vec<f64> {
    let lens = lengths(stream);
    let size = stream.size.0.max(1);
    let a = stream.alignment.0.max(1);
    let region = stream.region_length.0;
    let r_off = stream.region_offset.0;
    let slots = (region - size) / a + 1;
    let slot_count = sample.slots() as u32;
    let segments: Vec<(u64, u64, f64)> = match stream.pattern {
        Pattern::Uniform => vec![(0, slots, 1.0)],
        Pattern::Hotspot {
            io_fraction,
            space_fraction,
        } => {
            let hot = ((slots as f64 * space_fraction) as u64).clamp(1, slots);
            if hot == slots {
                vec![(0, slots, 1.0)]
            } else {
                vec![(0, hot, io_fraction), (hot, slots, 1.0 - io_fraction)]
            }
        }
        Pattern::Zipf { exponent } => {
            return zipf_probabilities(stream, exponent, &lens, block_size, sample);
        }
        Pattern::Sequential { .. } => panic!("sequential streams are tracked by their cursor"),
    };
    (0..slot_count)
        .map(|k| {
            let b0 = i128::from(sample.block(k) * block_size);
            let b1 = b0 + i128::from(block_size);
            let mut q = 0.0;
            for &(len, pl) in &lens {
                // Offsets o with o < b1 and o + len > b0, o = r_off + a·slot.
                let lo_off = b0 - i128::from(len) + 1 - i128::from(r_off);
                let hi_off = b1 - 1 - i128::from(r_off);
                if hi_off < 0 {
                    continue;
                }
                let lo = div_ceil_i(lo_off.max(0), i128::from(a));
                let hi = hi_off / i128::from(a);
                for &(s_lo, s_hi, mass) in &segments {
                    let from = lo.max(i128::from(s_lo));
                    let to = hi.min(i128::from(s_hi) - 1);
                    if to >= from {
                        q += pl * mass * (to - from + 1) as f64 / (s_hi - s_lo) as f64;
                    }
                }
            }
            q.min(1.0)
        })
        .collect()
}

fn div_ceil_i(x: i128, d: i128) -> i128 {
    (x + d - 1).div_euclid(d)
}

fn zipf_probabilities(
    stream: &WriteStream,
    exponent: f64,
    lens: &[(u64, f64)],
    block_size: u64,
    sample: &Sample,
) -> Vec<f64> {
    let region = stream.region_length.0;
    let size = stream.size.0.max(1);
    let blocks = region.div_ceil(block_size).max(1);
    let zipf = FastZipf::new(blocks, exponent);
    let scatter = Scatter::new(blocks);
    // A write starting in relative block j covers blocks j .. j + span − 1:
    // one block when IOs fit in a block (they start inside it so as to end
    // in it), otherwise ceil(len / block) blocks from the block's start.
    let span_at_least: Vec<f64> = if size <= block_size {
        vec![1.0]
    } else {
        let max_span = size.div_ceil(block_size) as usize;
        (0..max_span)
            .map(|d| {
                lens.iter()
                    .filter(|&&(l, _)| l.div_ceil(block_size) as usize > d)
                    .map(|&(_, p)| p)
                    .sum()
            })
            .collect()
    };
    let first_block = stream.region_offset.0 / block_size;
    // The generator clips a write that would run past the region's end to
    // start at `region − size`: ranks whose block starts beyond that point
    // all write there.
    let clip_at = region - size;
    let clipped = |j: u64| j * block_size > clip_at;
    let clip_mass: f64 = (clip_at / block_size..blocks)
        .filter(|&j| clipped(j))
        .map(|j| zipf.pmf(scatter.inverse(j) + 1))
        .sum();
    (0..sample.slots() as u32)
        .map(|k| {
            let b = sample.block(k);
            if b < first_block {
                return 0.0;
            }
            let jb = b - first_block;
            let mut q = 0.0;
            for (d, &p_span) in span_at_least.iter().enumerate() {
                let Some(j) = jb.checked_sub(d as u64) else {
                    break;
                };
                if j < blocks && !clipped(j) {
                    q += p_span * zipf.pmf(scatter.inverse(j) + 1);
                }
            }
            if clip_mass > 0.0 {
                // Writes [clip_at, clip_at + len) overlapping the block.
                let (x0, x1) = (jb * block_size, (jb + 1) * block_size);
                let covers: f64 = lens
                    .iter()
                    .filter(|&&(l, _)| clip_at < x1 && clip_at + l > x0)
                    .map(|&(_, p)| p)
                    .sum();
                q += clip_mass * covers;
            }
            q.min(1.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::Arrival;
    use crate::model::rng::stream;
    use crate::model::units::{Bytes, Frequency};
    use crate::model::workload::WriteGenerator;

    fn ws(pattern: Pattern, size: u64, region: u64, offset: u64) -> WriteStream {
        WriteStream {
            arrival: Arrival::Poisson(Frequency { per_sec: 100.0 }),
            size: Bytes(size),
            size_dist: None,
            pattern,
            alignment: Bytes(4096),
            region_offset: Bytes(offset),
            region_length: Bytes(region),
        }
    }

    /// The evaluated q of each block equals the frequency with which the
    /// generator's writes overlap it.
    #[test]
    fn probabilities_match_the_generator() {
        let bs = 65_536u64;
        for (pattern, size, offset) in [
            (Pattern::Uniform, 16_384, 0),
            (Pattern::Uniform, 200_000 / 4096 * 4096, 8192),
            (
                Pattern::Hotspot {
                    io_fraction: 0.9,
                    space_fraction: 0.1,
                },
                4096,
                0,
            ),
            (Pattern::Zipf { exponent: 1.1 }, 16_384, 0),
            (Pattern::Zipf { exponent: 0.8 }, 3 * 65_536, 0),
        ] {
            let region = 64 * bs;
            let s = ws(pattern, size, region, offset);
            let blocks = (region + offset).div_ceil(bs);
            let sample = Sample::new(blocks, blocks, &mut stream(1, "s"));
            let q = overlap_probabilities(&s, bs, &sample);
            let mut g = WriteGenerator::new(&s, bs, stream(2, "g"));
            let n = 400_000;
            let mut hits = vec![0u64; blocks as usize];
            for _ in 0..n {
                let w = g.next_write();
                for b in w.offset / bs..=(w.offset + w.len - 1) / bs {
                    hits[b as usize] += 1;
                }
            }
            for b in 0..blocks as usize {
                let freq = hits[b] as f64 / n as f64;
                let sd = (q[b] * (1.0 - q[b]) / n as f64).sqrt();
                assert!(
                    (freq - q[b]).abs() <= 5.0 * sd + 1e-4,
                    "{pattern:?} block {b}: generator {freq}, evaluated {}",
                    q[b]
                );
            }
        }
    }
}
