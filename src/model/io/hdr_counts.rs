//! Latency counts in an HDR histogram's bucket layout, kept in a plain
//! array: recording one value is a shift, a leading-zero count and an
//! increment. The statistics come from a real `hdrhistogram::Histogram`
//! built from the counts when they are read ([`HdrCounts::histogram`]).
//!
//! Why: `Histogram::record` also checks for resizing and keeps the minimum
//! and maximum on every call, which at IO fidelity (two records per IO) was
//! a tenth of a simulated IO's cost. Each count is handed over as the lowest
//! value of its bucket, which gives the histogram the same counts, the same
//! minimum and maximum (both are reported as bucket bounds) and so the same
//! quantiles and mean as recording every value itself.

use hdrhistogram::Histogram;

/// Counts of values [ns] with `sigfig` significant digits and a
/// resolution of 1.
#[derive(Clone, Debug)]
pub struct HdrCounts {
    counts: Vec<u64>,
    sigfig: u8,
    /// log2 of the sub-buckets per bucket.
    sub_magnitude: u32,
    /// Sub-buckets per bucket, less one.
    mask: u64,
}

impl HdrCounts {
    /// Empty counts for `sigfig` (1 to 5) significant digits.
    ///
    /// # Panics
    /// If `sigfig` is not 1 to 5 (a programming error: the callers use 2
    /// and 3).
    pub fn new(sigfig: u8) -> HdrCounts {
        assert!((1..=5).contains(&sigfig), "1 to 5 significant digits");
        // The histogram's sub-bucket count: 2·10^sigfig rounded up to a
        // power of two.
        let largest = 2 * 10u64.pow(u32::from(sigfig));
        HdrCounts {
            counts: Vec::new(),
            sigfig,
            sub_magnitude: 64 - (largest - 1).leading_zeros(),
            mask: (1 << (64 - (largest - 1).leading_zeros())) - 1,
        }
    }

    /// The index of `value` in the histogram's counts array (the formula of
    /// `hdrhistogram`'s `index_for` with unit magnitude 0).
    #[inline]
    fn index(&self, value: u64) -> usize {
        let half = self.sub_magnitude - 1;
        let bucket = 64 - self.sub_magnitude - (value | self.mask).leading_zeros();
        let sub = value >> bucket;
        (((u64::from(bucket) + 1) << half) + sub - (1 << half)) as usize
    }

    /// The lowest value counted at `index` (`hdrhistogram`'s `value_for`).
    fn value_at(&self, index: usize) -> u64 {
        let half = self.sub_magnitude - 1;
        let index = index as u64;
        let bucket = (index >> half) as i64 - 1;
        let sub = (index & ((1 << half) - 1)) + (1 << half);
        if bucket < 0 {
            sub - (1 << half)
        } else {
            sub << bucket
        }
    }

    /// Counts one value.
    #[inline]
    pub fn record(&mut self, value: u64) {
        let i = self.index(value);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
    }

    /// Values counted.
    pub fn len(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&n| n == 0)
    }

    /// Forgets every value.
    pub fn reset(&mut self) {
        self.counts.fill(0);
    }

    /// The HDR histogram of the values counted.
    pub fn histogram(&self) -> Histogram<u64> {
        let mut h = Histogram::new(self.sigfig).expect("1 to 5 significant digits is valid");
        for (i, &n) in self.counts.iter().enumerate() {
            if n > 0 {
                let v = self.value_at(i);
                // Only fails beyond the largest value a histogram can ever
                // track (about 2^62 ns), where saturating is the right answer.
                if h.record_n(v, n).is_err() {
                    h.saturating_record_n(v, n);
                }
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The histogram built from the counts equals the one that recorded
    /// every value: counts, total, minimum, maximum, quantiles and mean.
    #[test]
    fn counting_then_building_equals_recording_each_value() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(3);
        for sigfig in [2, 3] {
            let mut direct = Histogram::<u64>::new(sigfig).unwrap();
            let mut counts = HdrCounts::new(sigfig);
            let mut values: Vec<u64> = (0..200_000)
                .map(|_| {
                    // Log-uniform over 1 ns .. 2^50 ns, plus exact edges.
                    let bits = rng.random_range(0..50);
                    rng.random_range(0..=(1u64 << bits))
                })
                .collect();
            values.extend([0, 1, 2047, 2048, 4095, 4096, 1 << 40, (1 << 60) + 12345]);
            for &v in &values {
                direct.record(v).unwrap();
                counts.record(v);
            }
            let built = counts.histogram();
            assert_eq!(counts.len(), direct.len());
            assert!(built == direct, "sigfig {sigfig}: histograms differ");
            assert_eq!(built.min(), direct.min());
            assert_eq!(built.max(), direct.max());
            assert_eq!(built.mean(), direct.mean());
            for q in [0.0, 0.5, 0.9, 0.99, 0.999, 1.0] {
                assert_eq!(
                    built.value_at_quantile(q),
                    direct.value_at_quantile(q),
                    "{q}"
                );
            }
            counts.reset();
            assert!(counts.is_empty() && counts.histogram().is_empty());
        }
    }
}
