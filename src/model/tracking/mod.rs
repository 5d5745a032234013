//! Change tracking: which snapshot blocks changed since the newest
//! snapshot's point in time, and so what each snapshot uploads and stores.
//!
//! Two methods, chosen per run (the scenario's `change_tracking`):
//! - **exact**: one bit per block of the volume, every write applied
//!   (memory grows with the volume's size, time with its write rate);
//! - **statistical**: a stratified sample of the volume's blocks — the block
//!   range is cut into equal strata and one block drawn uniformly in each —
//!   is tracked exactly, and every figure derived from blocks (delta
//!   blocks, bytes to upload, stored bytes, copy-on-write copies) counts a
//!   sampled block as its whole stratum. Each block is in the sample with
//!   probability 1/stratum, so these Horvitz–Thompson estimates are
//!   unbiased for every snapshot, the first (full) one and storage under
//!   retention alike. Synthetic writes are not drawn one by one: for each
//!   sampled block only the first write after each point in time matters,
//!   and for a (time-varying) Poisson stream that write comes at the first
//!   arrival of the block's own Poisson process of rate `q_b · λ(t)`, where
//!   `q_b` is the probability that one write overlaps the block
//!   ([`placement`]). Memory and time are then independent of the volume's
//!   size and write rate (see [`sampled`]).
//!
//! The seam between the volume and its tracking is the slot space: a
//! [`VolumeState`](super::volume::VolumeState) keeps its dirty set, the
//! remaining sets and delta lists of pending snapshots in slots, which are
//! blocks under exact tracking and sampled blocks otherwise, and asks the
//! [`Weights`] of its slots whenever a count of blocks is needed.

pub mod intensity;
pub mod placement;
pub mod sampled;

use super::rng::StreamRng;
use rand::Rng;

/// What the scenario asks for.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Choice {
    /// Exact while the exact block state fits [`AUTO_BUDGET_BYTES`] and the
    /// run needs nothing only exact tracking has; statistical otherwise.
    #[default]
    Auto,
    /// Always exact.
    Exact,
    /// Always statistical, with this sample size.
    Statistical(SampleSize),
}

/// Exact block state up to which `auto` stays exact [B]: 256 MiB.
pub const AUTO_BUDGET_BYTES: u64 = 256 << 20;

/// How blocks are tracked in a run, after `auto` was decided.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Method {
    /// Every block, every write.
    Exact,
    /// A stratified sample of blocks per volume.
    Sampled(SampleSize),
}

impl Method {
    /// In words, for the terminal and reports.
    pub fn describe(&self) -> String {
        match self {
            Method::Exact => "exact change tracking".into(),
            Method::Sampled(SampleSize::Blocks(n)) => {
                format!("statistical change tracking ({n} sampled blocks per volume)")
            }
            Method::Sampled(SampleSize::Rate(r)) => {
                format!("statistical change tracking (sampling rate {r})")
            }
        }
    }
}

/// How many blocks of each volume a statistical run tracks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SampleSize {
    /// This many sampled blocks per volume (all blocks if the volume has
    /// fewer).
    Blocks(u32),
    /// This fraction of each volume's blocks, in (0, 1].
    Rate(f64),
}

/// Default sampled blocks per volume under statistical tracking. With `m`
/// sampled blocks a snapshot that changed a fraction `f` of the volume is
/// estimated with a relative standard error of about `√((1 − f)/(f·m))`:
/// 4.7 % at f = 10 %, 16 % at f = 1 %; fleet totals average this out.
pub const DEFAULT_SAMPLES: u32 = 4096;

impl SampleSize {
    /// Slots for a volume of `blocks` blocks (at least 1, at most `blocks`).
    pub fn slots_for(self, blocks: u64) -> u64 {
        let want = match self {
            SampleSize::Blocks(n) => u64::from(n),
            SampleSize::Rate(r) => (blocks as f64 * r).ceil() as u64,
        };
        want.clamp(1, blocks.max(1))
    }
}

/// The weight (blocks represented) of each slot of a volume: every slot a
/// whole stratum, the last one what is left of the volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    stratum: u64,
    last_slot: u64,
    last_weight: u64,
}

impl Weights {
    /// Exact tracking: every slot is one block.
    pub const EXACT: Weights = Weights {
        stratum: 1,
        last_slot: u64::MAX,
        last_weight: 1,
    };

    /// Blocks slot `s` stands for.
    #[inline]
    pub fn of(&self, slot: u64) -> u64 {
        if slot == self.last_slot {
            self.last_weight
        } else {
            self.stratum
        }
    }

    /// Blocks the slots of a sorted list stand for.
    pub fn sum(&self, slots: &[u32]) -> u64 {
        let n = slots.len() as u64;
        if self.stratum == 1 && self.last_weight == 1 {
            return n;
        }
        let has_last = slots
            .last()
            .is_some_and(|&s| u64::from(s) == self.last_slot);
        if has_last {
            (n - 1) * self.stratum + self.last_weight
        } else {
            n * self.stratum
        }
    }

    /// Whether every slot is one block.
    pub fn is_exact(&self) -> bool {
        self.stratum == 1
    }
}

/// The sampled blocks of one volume: block range cut into strata of
/// `stratum` blocks, one block drawn uniformly in each.
#[derive(Clone, Debug)]
pub struct Sample {
    blocks: u64,
    stratum: u64,
    /// The sampled block of each stratum, ascending.
    chosen: Vec<u32>,
}

impl Sample {
    /// A sample of about `slots` blocks of a volume of `blocks` blocks
    /// (`blocks ≤ 2^32`, checked by the model before).
    pub fn new(blocks: u64, slots: u64, rng: &mut StreamRng) -> Sample {
        let blocks = blocks.max(1);
        let stratum = blocks.div_ceil(slots.clamp(1, blocks));
        let n = blocks.div_ceil(stratum);
        let chosen = (0..n)
            .map(|s| {
                let lo = s * stratum;
                let width = stratum.min(blocks - lo);
                let pick = if width == 1 {
                    0
                } else {
                    rng.random_range(0..width)
                };
                (lo + pick) as u32
            })
            .collect();
        Sample {
            blocks,
            stratum,
            chosen,
        }
    }

    /// Number of slots (sampled blocks).
    pub fn slots(&self) -> u64 {
        self.chosen.len() as u64
    }

    /// Blocks of the volume.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Blocks per stratum.
    pub fn stratum(&self) -> u64 {
        self.stratum
    }

    /// The block tracked by slot `s`.
    #[inline]
    pub fn block(&self, slot: u32) -> u64 {
        u64::from(self.chosen[slot as usize])
    }

    /// What each slot stands for.
    pub fn weights(&self) -> Weights {
        let last = self.slots() - 1;
        Weights {
            stratum: self.stratum,
            last_slot: last,
            last_weight: self.blocks - last * self.stratum,
        }
    }

    /// Slots whose blocks lie in `first..=last`, ascending.
    #[inline]
    pub fn slots_in(&self, first: u64, last: u64) -> impl Iterator<Item = u32> + '_ {
        let from = first / self.stratum;
        let to = (last / self.stratum).min(self.slots().saturating_sub(1));
        (from..=to)
            .filter(move |&s| {
                let b = u64::from(self.chosen[s as usize]);
                b >= first && b <= last
            })
            .map(|s| s as u32)
    }

    /// Slots whose blocks are below `block` (a prefix of the slots).
    pub fn slots_below(&self, block: u64) -> u64 {
        self.chosen.partition_point(|&b| u64::from(b) < block) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::stream;

    #[test]
    fn strata_cover_the_volume_and_weights_add_up() {
        for (blocks, slots) in [
            (10, 3),
            (1000, 1000),
            (1000, 5000),
            (2_097_152, 8192),
            (7, 1),
        ] {
            let s = Sample::new(blocks, slots, &mut stream(1, "t"));
            let w = s.weights();
            let total: u64 = (0..s.slots()).map(|k| w.of(k)).sum();
            assert_eq!(total, blocks, "{blocks} {slots}");
            let all: Vec<u32> = (0..s.slots() as u32).collect();
            assert_eq!(w.sum(&all), blocks);
            for k in 0..s.slots() as u32 {
                let b = s.block(k);
                assert!(b / s.stratum() == u64::from(k), "block in its stratum");
                assert_eq!(s.slots_in(b, b).collect::<Vec<_>>(), vec![k]);
            }
        }
    }

    #[test]
    fn each_block_is_sampled_with_probability_one_over_the_stratum() {
        // 40 blocks in strata of 8: over many seeds every block is chosen
        // about 1/8 of the time.
        let mut hits = [0u32; 40];
        let n = 16_000;
        for seed in 0..n {
            let s = Sample::new(40, 5, &mut stream(seed, "t"));
            for k in 0..5 {
                hits[s.block(k) as usize] += 1;
            }
        }
        for h in hits {
            let p = f64::from(h) / n as f64;
            assert!((p - 0.125).abs() < 0.012, "{p}");
        }
    }
}
