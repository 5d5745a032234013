//! A fast exact Zipf sampler over ranks `1..=n`: P(k) ∝ k^(−s).
//!
//! A general-purpose sampler (rejection-inversion) spends two or three
//! `powf` calls per draw, which dominated the cost of a simulated write; a
//! single alias table over every rank would be exact and fast but far too
//! large (a 16 TiB volume has 2^25 blocks). This sampler splits the range:
//! - ranks `1..=1024` (most of the mass) come from an exact alias table of
//!   16 KiB that stays in cache;
//! - the rest are grouped into buckets of consecutive ranks `a..a+w` whose
//!   widths grow with `a` (`w − 1 ≤ a/256`), so that a 2^32-rank range needs
//!   under 4,000 buckets. A bucket is drawn from an alias table over the
//!   buckets' masses, then a rank uniformly within it, accepted with
//!   probability `(k/a)^(−s)` (rejection sampling against the bucket's
//!   flat envelope). As `(k/a)^(−s) ≥ ((a+w−1)/a)^(−s) ≥ 0.996^s`, the
//!   acceptance test almost never needs `powf`: a uniform below that bound
//!   accepts at once.
//!
//! Exactness: within a bucket the rejection step is exact. A bucket's mass
//! is summed term by term up to 64 ranks, and beyond that (only from rank
//! 16,384 on) taken from the Euler–Maclaurin formula with two correction
//! terms, whose error there is below 1e-14 of the bucket's mass (a test
//! checks the masses against the brute-force sums). The tables of one
//! sampler take about 40 bytes per bucket: 156 KiB at most.

use rand::Rng;

/// Ranks `1..=HOT` have their own alias table (16 KiB, stays in cache).
const HOT: u64 = 1 << 10;
/// A bucket starting at rank `a` spans at most `a·EPS + 1` ranks.
const EPS: f64 = 1.0 / 256.0;
/// Buckets up to this many ranks have their mass summed term by term.
const SUMMED: u64 = 64;

/// An alias table over `0..columns.len()`.
#[derive(Clone, Debug)]
struct AliasTable {
    /// Columns: (keep threshold: the probability of keeping the column
    /// times 2^64, saturated; alias), side by side so that a draw touches
    /// one cache line.
    columns: Vec<(u64, u32)>,
}

impl AliasTable {
    fn new(weights: &[f64], sum: f64) -> AliasTable {
        let (prob, idx) = alias_table(weights, sum);
        AliasTable {
            columns: prob
                .into_iter()
                // `as` saturates: a probability of 1 keeps always.
                .map(|p| {
                    if p >= 1.0 {
                        u64::MAX
                    } else {
                        (p * 2f64.powi(64)) as u64
                    }
                })
                .zip(idx)
                .collect(),
        }
    }

    /// One column, from one 64-bit draw: `u·n` for `u` uniform in [0, 1)
    /// has its whole part uniform over the columns and its fraction uniform
    /// and independent of it, so the high half of the 128-bit product picks
    /// the column and the low half decides between it and its alias (to
    /// within n/2^64, far below anything a simulation can resolve).
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let x = u128::from(rng.next_u64()) * self.columns.len() as u128;
        let (i, fraction) = ((x >> 64) as usize, x as u64);
        let (keep, other) = self.columns[i];
        if fraction < keep {
            i
        } else {
            other as usize
        }
    }
}

/// Ranks `first..first + width`; `squeeze` = `((first + width − 1) /
/// first)^(−s)`, the smallest acceptance probability in the bucket.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    first: u64,
    width: u64,
    squeeze: f64,
}

/// Zipf sampler over `1..=n` with exponent `s`.
#[derive(Clone, Debug)]
pub struct FastZipf {
    s: f64,
    /// Ranks `1..=min(n, HOT)`.
    hot: AliasTable,
    /// Ranks beyond `HOT`, in buckets, and the alias table over them.
    buckets: Vec<Bucket>,
    bucket_table: Option<AliasTable>,
    /// Probability of drawing from `hot`.
    hot_mass: f64,
    /// Σ_{k=1}^{n} k^(−s), the normalisation of [`FastZipf::pmf`].
    total: f64,
}

/// Samplers already built in a run, by (ranks, exponent): volumes with the
/// same Zipf pattern share one set of tables. A sampler's tables take up to
/// about 80 KiB for a 50 GiB region, and 800 copies of them pushed the hot
/// part of the model out of the last-level cache (the draws are the same:
/// a sampler holds no state, every volume draws with its own generator).
#[derive(Debug, Default)]
pub struct ZipfTables(std::collections::HashMap<(u64, u64), std::sync::Arc<FastZipf>>);

impl ZipfTables {
    /// The sampler over `1..=n` with exponent `s`, built once.
    ///
    /// # Panics
    /// As [`FastZipf::new`].
    pub fn get(&mut self, n: u64, s: f64) -> std::sync::Arc<FastZipf> {
        self.0
            .entry((n, s.to_bits()))
            .or_insert_with(|| std::sync::Arc::new(FastZipf::new(n, s)))
            .clone()
    }
}

impl FastZipf {
    /// A sampler over ranks `1..=n`.
    ///
    /// # Panics
    /// If `n == 0` or `s` is not finite and positive (validated upstream).
    pub fn new(n: u64, s: f64) -> FastZipf {
        assert!(n > 0 && s.is_finite() && s > 0.0, "invalid Zipf parameters");
        let hot_len = n.min(HOT);
        let weights: Vec<f64> = (1..=hot_len).map(|k| (k as f64).powf(-s)).collect();
        let hot_sum: f64 = weights.iter().sum();
        let mut buckets = Vec::new();
        let mut masses = Vec::new();
        let mut a = HOT + 1;
        while a <= n {
            let width = ((a as f64 * EPS) as u64 + 1).min(n - a + 1);
            let last = a + width - 1;
            buckets.push(Bucket {
                first: a,
                width,
                // A hair below the bound, so that rounding never accepts
                // too readily.
                squeeze: (last as f64 / a as f64).powf(-s) * (1.0 - 1e-12),
            });
            masses.push(bucket_mass(a, width, s));
            a += width;
        }
        let bucket_sum: f64 = masses.iter().sum();
        FastZipf {
            s,
            hot: AliasTable::new(&weights, hot_sum),
            bucket_table: (!masses.is_empty()).then(|| AliasTable::new(&masses, bucket_sum)),
            buckets,
            hot_mass: hot_sum / (hot_sum + bucket_sum),
            total: hot_sum + bucket_sum,
        }
    }

    /// P(rank = k) for `k` in `1..=n`: `k^(−s) / Σ_j j^(−s)`, the law the
    /// sampler draws from (statistical change tracking needs each block's
    /// probability without drawing).
    pub fn pmf(&self, k: u64) -> f64 {
        (k as f64).powf(-self.s) / self.total
    }

    /// One rank in `1..=n`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let Some(table) = &self.bucket_table else {
            return 1 + self.hot.sample(rng) as u64;
        };
        if rng.random::<f64>() < self.hot_mass {
            return 1 + self.hot.sample(rng) as u64;
        }
        let b = self.buckets[table.sample(rng)];
        loop {
            let k = b.first + rng.random_range(0..b.width);
            let v: f64 = rng.random();
            if v <= b.squeeze || v < (k as f64 / b.first as f64).powf(-self.s) {
                return k;
            }
        }
    }
}

/// Σ_{k=a}^{a+w−1} k^(−s): summed up to [`SUMMED`] terms, otherwise by
/// Euler–Maclaurin with the B2 and B4 corrections.
fn bucket_mass(a: u64, w: u64, s: f64) -> f64 {
    if w <= SUMMED {
        return (a..a + w).map(|k| (k as f64).powf(-s)).sum();
    }
    let (x, y) = (a as f64, (a + w - 1) as f64);
    let f = |t: f64| t.powf(-s);
    let f1 = |t: f64| -s * t.powf(-s - 1.0);
    let f3 = |t: f64| -s * (s + 1.0) * (s + 2.0) * t.powf(-s - 3.0);
    // ∫_x^y t^(−s) dt = x^(1−s)·L·(e^((1−s)L) − 1)/((1−s)L), L = ln(y/x),
    // without the cancellation of (y^(1−s) − x^(1−s))/(1−s).
    let l = ((y - x) / x).ln_1p();
    let integral = x.powf(1.0 - s) * l * helper2((1.0 - s) * l);
    integral + (f(x) + f(y)) / 2.0 + (f1(y) - f1(x)) / 12.0 - (f3(y) - f3(x)) / 720.0
}

/// Vose's alias method for the (unnormalised) `weights`.
fn alias_table(weights: &[f64], sum: f64) -> (Vec<f64>, Vec<u32>) {
    let n = weights.len();
    let mut prob: Vec<f64> = weights.iter().map(|w| w * n as f64 / sum).collect();
    let mut alias: Vec<u32> = (0..n as u32).collect();
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| prob[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        alias[s] = l as u32;
        prob[l] -= 1.0 - prob[s];
        if prob[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    for i in small.into_iter().chain(large) {
        prob[i] = 1.0; // rounding leftovers: exactly their own column
    }
    (prob, alias)
}

/// (e^x − 1)/x, accurate near 0.
fn helper2(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        x.exp_m1() / x
    } else {
        1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Empirical frequencies against the exact probabilities: every rank up
    /// to 8, a band around the head/tail boundary, and the tail as a whole.
    fn check(n: u64, s: f64) {
        let z = FastZipf::new(n, s);
        let total: f64 = (1..=n).map(|k| (k as f64).powf(-s)).sum();
        let p = |k: u64| (k as f64).powf(-s) / total;
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(9);
        let draws = 2_000_000u64;
        let mut counts = std::collections::HashMap::new();
        let mut beyond = 0u64;
        for _ in 0..draws {
            let k = z.sample(&mut rng);
            assert!((1..=n).contains(&k));
            *counts.entry(k).or_insert(0u64) += 1;
            beyond += u64::from(k > n / 2);
        }
        for k in 1..=8u64.min(n) {
            let expect = p(k) * draws as f64;
            let got = *counts.get(&k).unwrap_or(&0) as f64;
            let sd = expect.sqrt();
            assert!(
                (got - expect).abs() < 5.0 * sd + 1.0,
                "n={n} s={s} rank {k}: {got} vs {expect}"
            );
        }
        let band = |a: u64, b: u64| -> (f64, f64) {
            let e: f64 = (a..=b).map(p).sum::<f64>() * draws as f64;
            let g: f64 = (a..=b).map(|k| *counts.get(&k).unwrap_or(&0) as f64).sum();
            (g, e)
        };
        if n > HOT {
            let (g, e) = band(HOT - 200, HOT + 200);
            assert!(
                (g - e).abs() < 5.0 * e.sqrt() + 1.0,
                "hot/warm boundary band: {g} vs {e}"
            );
        }
        if n > 70_000 {
            // Across bucket boundaries, where buckets are ~256 ranks wide.
            let (g, e) = band(60_000, 70_000);
            assert!(
                (g - e).abs() < 5.0 * e.sqrt() + 1.0,
                "bucket band: {g} vs {e}"
            );
        }
        let e_beyond: f64 = (n / 2 + 1..=n).map(p).sum::<f64>() * draws as f64;
        assert!(
            (beyond as f64 - e_beyond).abs() < 5.0 * e_beyond.sqrt() + 1.0,
            "upper half: {beyond} vs {e_beyond}"
        );
    }

    /// The bucket masses, summed or from Euler–Maclaurin, against
    /// brute-force sums, for exponents on both sides of 1.
    #[test]
    fn bucket_masses_match_brute_force_sums() {
        for s in [0.6, 1.0, 1.1, 2.0] {
            for (a, w) in [
                (1025, 5),
                (16_000, 63),
                (16_384, 65),
                (100_000, 391),
                (3_000_000, 11_719),
            ] {
                let exact: f64 = (a..a + w).map(|k| (k as f64).powf(-s)).sum();
                let got = bucket_mass(a, w, s);
                assert!(
                    ((got - exact) / exact).abs() < 1e-13,
                    "s={s} a={a} w={w}: {got} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn matches_the_exact_distribution() {
        check(10, 1.1);
        check(1000, 0.9);
        check(2_000_000, 1.1);
        check(2_000_000, 0.6);
        check(300_000, 1.0);
    }
}
