//! A fast exact Zipf sampler over ranks `1..=n`: P(k) ∝ k^(−s).
//!
//! The general-purpose sampler (rejection-inversion) spends two or three
//! `powf` calls per draw, which dominated the cost of a simulated write. Most
//! of a Zipf law's mass sits in its first ranks, so this sampler splits the
//! range: the head `1..=h` (h ≤ 65,536) is drawn from alias tables in O(1)
//! without any transcendental function, and the tail `h+1..=n` by
//! rejection-inversion (Hörmann & Derflinger 1996) restricted to the tail.
//! The head is two bands, ranks 1–1,024 and the rest, each with its own
//! table: an alias draw reads a uniformly random column, and the first
//! band's 16 KiB table stays in cache while the 1 MiB one would not.
//! Choosing a band by its exact mass keeps the mixture exact.

use rand::Rng;

/// Largest head drawn from alias tables.
const HEAD: u64 = 1 << 16;
/// Ranks `1..=HOT` have their own small alias table (16 KiB, stays in
/// cache); a draw lands there with the band's exact probability.
const HOT: u64 = 1 << 10;

/// An alias table over ranks `first..first + columns.len()`.
#[derive(Clone, Debug)]
struct AliasBand {
    first: u64,
    /// Columns: (probability of keeping the column, alias offset), side by
    /// side so that a draw touches one cache line.
    columns: Vec<(f64, u32)>,
}

impl AliasBand {
    fn new(first: u64, weights: &[f64], sum: f64) -> AliasBand {
        let (prob, idx) = alias_table(weights, sum);
        AliasBand {
            first,
            columns: prob.into_iter().zip(idx).collect(),
        }
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let i = rng.random_range(0..self.columns.len());
        let (keep, other) = self.columns[i];
        if rng.random::<f64>() < keep {
            self.first + i as u64
        } else {
            self.first + u64::from(other)
        }
    }
}

/// Zipf sampler over `1..=n` with exponent `s`.
#[derive(Clone, Debug)]
pub struct FastZipf {
    /// Ranks `1..=min(n, HOT)`.
    hot: AliasBand,
    /// Ranks `HOT+1..=min(n, HEAD)`, if any.
    warm: Option<AliasBand>,
    /// Probability of drawing from `hot`, and from `hot` or `warm`.
    hot_mass: f64,
    head_mass: f64,
    tail: Option<TailSampler>,
}

impl FastZipf {
    /// A sampler over ranks `1..=n`.
    ///
    /// # Panics
    /// If `n == 0` or `s` is not finite and positive (validated upstream).
    pub fn new(n: u64, s: f64) -> FastZipf {
        assert!(n > 0 && s.is_finite() && s > 0.0, "invalid Zipf parameters");
        let head = n.min(HEAD);
        let weights: Vec<f64> = (1..=head).map(|k| (k as f64).powf(-s)).collect();
        let hot_len = head.min(HOT) as usize;
        let hot_sum: f64 = weights[..hot_len].iter().sum();
        let warm_sum: f64 = weights[hot_len..].iter().sum();
        let tail = (n > head).then(|| TailSampler::new(head + 1, n, s));
        let tail_sum = tail.as_ref().map_or(0.0, TailSampler::mass);
        let total = hot_sum + warm_sum + tail_sum;
        FastZipf {
            hot: AliasBand::new(1, &weights[..hot_len], hot_sum),
            warm: (head > HOT).then(|| AliasBand::new(HOT + 1, &weights[hot_len..], warm_sum)),
            hot_mass: hot_sum / total,
            head_mass: (hot_sum + warm_sum) / total,
            tail,
        }
    }

    /// One rank in `1..=n`.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        if self.warm.is_none() && self.tail.is_none() {
            return self.hot.sample(rng);
        }
        let u: f64 = rng.random();
        if u < self.hot_mass {
            self.hot.sample(rng)
        } else if u < self.head_mass {
            match &self.warm {
                Some(w) => w.sample(rng),
                None => self.hot.sample(rng),
            }
        } else {
            match &self.tail {
                Some(t) => t.sample(rng),
                None => self.hot.sample(rng),
            }
        }
    }
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

/// Rejection-inversion over ranks `lo..=hi` for P(k) ∝ k^(−s).
#[derive(Clone, Debug)]
struct TailSampler {
    lo: u64,
    hi: u64,
    s: f64,
    h_lo: f64,
    h_hi: f64,
    shortcut: f64,
}

impl TailSampler {
    fn new(lo: u64, hi: u64, s: f64) -> TailSampler {
        let mut t = TailSampler {
            lo,
            hi,
            s,
            h_lo: 0.0,
            h_hi: 0.0,
            shortcut: 0.0,
        };
        let lo_f = lo as f64;
        t.h_lo = t.h_integral(lo_f + 0.5) - t.h(lo_f);
        t.h_hi = t.h_integral(hi as f64 + 0.5);
        t.shortcut = lo_f + 1.0 - t.h_integral_inv(t.h_integral(lo_f + 1.5) - t.h(lo_f + 1.0));
        t
    }

    /// h(x) = x^(−s).
    fn h(&self, x: f64) -> f64 {
        (-self.s * x.ln()).exp()
    }

    /// ∫ h: (x^(1−s) − 1)/(1−s), or ln x when s = 1.
    fn h_integral(&self, x: f64) -> f64 {
        let l = x.ln();
        helper2((1.0 - self.s) * l) * l
    }

    fn h_integral_inv(&self, x: f64) -> f64 {
        let t = (x * (1.0 - self.s)).max(-1.0);
        (helper1(t) * x).exp()
    }

    /// Total weight of the tail, Σ_{k=lo..hi} k^(−s), estimated by the
    /// integral with the midpoint correction (error far below 1e-9 of the
    /// whole for tails starting beyond rank 65,536).
    fn mass(&self) -> f64 {
        self.h_integral(self.hi as f64 + 0.5) - self.h_integral(self.lo as f64 - 0.5)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        loop {
            let u = self.h_hi + rng.random::<f64>() * (self.h_lo - self.h_hi);
            let x = self.h_integral_inv(u);
            let k = (x + 0.5).floor().clamp(self.lo as f64, self.hi as f64);
            if k - x <= self.shortcut || u >= self.h_integral(k + 0.5) - self.h(k) {
                return k as u64;
            }
        }
    }
}

/// ln(1+x)/x, accurate near 0.
fn helper1(x: f64) -> f64 {
    if x.abs() > 1e-8 {
        x.ln_1p() / x
    } else {
        1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x))
    }
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
        if n > HEAD {
            let (g, e) = band(HEAD - 1000, HEAD + 1000);
            assert!(
                (g - e).abs() < 5.0 * e.sqrt() + 1.0,
                "boundary band: {g} vs {e}"
            );
        }
        let e_beyond: f64 = (n / 2 + 1..=n).map(p).sum::<f64>() * draws as f64;
        assert!(
            (beyond as f64 - e_beyond).abs() < 5.0 * e_beyond.sqrt() + 1.0,
            "upper half: {beyond} vs {e_beyond}"
        );
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
