//! A volume's EBS performance limits as token buckets (EBS_FACTS.md §2).
//!
//! - IOPS: an SSD IO counts in 256 KiB units, an HDD IO in 1 MiB units; an
//!   HDD IO that continues the previous one of its stream (sequential) is
//!   merged and counts only its share of 1 MiB (§2.1.1–2.1.2).
//! - Throughput in bytes per second.
//! - gp2 below 1 TiB: a 5.4 M-credit bucket filled at the baseline
//!   (3 IOPS/GiB) and a 3,000 IOPS cap; bursting drains (burst − baseline)
//!   credits per second, exactly as the docs' worked examples (§2.2).
//! - st1/sc1: a throughput-credit bucket of 1 TiB per TiB, filled at the
//!   baseline rate, and a burst cap that drops to the baseline while a
//!   snapshot is pending (§2.3).
//!
//! Rate-cap buckets hold 10 ms of tokens (an assumption: how bursty EBS is
//! at sub-second scales is not published).

use super::bucket::{ns, TokenBucket};
use crate::engine::{u64_to_f64, SimDuration, SimTime};
use crate::model::units::{MIB, TIB};
use crate::model::volume_type::{Provisioned, VolumeKind};

const CAP_WINDOW_S: f64 = 0.01;
const GP2_CREDITS: f64 = 5.4e6;
const GP2_BURST_IOPS: f64 = 3000.0;

/// What one bucket counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// IO operations in 256 KiB (SSD) or 1 MiB (HDD) units.
    Ios,
    /// Bytes.
    Bytes,
}

impl Unit {
    /// What an IO of `ios` IO units and `bytes` bytes costs in this unit.
    #[inline(always)]
    fn cost(self, ios: f64, bytes: f64) -> f64 {
        match self {
            Unit::Ios => ios,
            Unit::Bytes => bytes,
        }
    }
}

/// The limits of one volume.
#[derive(Clone, Debug)]
pub struct Limits {
    buckets: Vec<(TokenBucket, Unit)>,
    /// log2 of the IO unit [B]: 256 KiB (SSD) or 1 MiB (HDD).
    io_shift: u32,
    hdd: bool,
    /// For st1/sc1: (index of the throughput cap, burst rate, baseline rate).
    pending_cap: Option<(usize, f64, f64)>,
    /// Index of the burst-credit bucket, if the type has one.
    credits: Option<usize>,
    /// Index of the IOPS bucket reported in the time series.
    iops_index: usize,
}

fn cap(rate: f64) -> TokenBucket {
    let c = (rate * CAP_WINDOW_S).max(1.0);
    TokenBucket::new(rate, c, c)
}

impl Limits {
    /// The limits of a volume of `kind` provisioned as `p`.
    pub fn new(kind: VolumeKind, p: &Provisioned) -> Limits {
        let hdd = kind.is_hdd();
        let tp = p.throughput.bytes_per_sec;
        let mut buckets = Vec::new();
        let mut credits = None;
        let mut pending_cap = None;
        let iops = f64::from(p.iops);
        match kind {
            VolumeKind::Gp2 if iops < GP2_BURST_IOPS => {
                buckets.push((TokenBucket::new(iops, GP2_CREDITS, GP2_CREDITS), Unit::Ios));
                credits = Some(0);
                buckets.push((cap(GP2_BURST_IOPS), Unit::Ios));
            }
            VolumeKind::St1 | VolumeKind::Sc1 => {
                buckets.push((cap(iops), Unit::Ios));
                let tib = p.size.0 as f64 / TIB as f64;
                let per_tib = if kind == VolumeKind::St1 { 40.0 } else { 12.0 };
                let max = if kind == VolumeKind::St1 {
                    500.0
                } else {
                    192.0
                };
                let baseline = (per_tib * tib).min(max) * MIB as f64;
                let size = p.size.0 as f64;
                buckets.push((TokenBucket::new(baseline, size, size), Unit::Bytes));
                credits = Some(1);
                pending_cap = Some((2, tp, baseline));
            }
            _ => buckets.push((cap(iops), Unit::Ios)),
        }
        // The IOPS cap: pushed last so far, except for st1/sc1, where the
        // throughput credits follow it.
        let iops_index = if pending_cap.is_some() {
            0
        } else {
            buckets.len() - 1
        };
        buckets.push((cap(tp), Unit::Bytes));
        Limits {
            buckets,
            io_shift: if hdd { MIB } else { 256 * 1024 }.trailing_zeros(),
            hdd,
            pending_cap,
            credits,
            iops_index,
        }
    }

    /// Whether a bucket's rate depends on snapshots pending (st1/sc1).
    pub fn has_pending_cap(&self) -> bool {
        self.pending_cap.is_some()
    }

    /// IO units an IO of `len` bytes counts as; `sequential` merges HDD IOs.
    pub fn io_cost(&self, len: u64, sequential: bool) -> f64 {
        if self.hdd && sequential {
            u64_to_f64(len) / u64_to_f64(1 << self.io_shift)
        } else {
            // Whole units, rounded up: a shift, not a division.
            u64_to_f64(((len + (1 << self.io_shift) - 1) >> self.io_shift).max(1))
        }
    }

    /// How long from `now` until an IO of `len` bytes and `ios` IO units may
    /// start.
    #[inline(always)]
    pub fn wait_for(&self, now: SimTime, len: u64, ios: f64) -> SimDuration {
        let (t, bytes) = (ns(now), u64_to_f64(len));
        let mut wait = SimDuration::ZERO;
        for (b, u) in &self.buckets {
            wait = wait.max(b.wait_for(t, u.cost(ios, bytes)));
        }
        wait
    }

    /// Whether an IO of `len` bytes and `ios` IO units, up for admission at
    /// `now`, must wait for burst credits (the credit bucket is short of its
    /// cost): the volume's credits are exhausted. Always false for types
    /// without burst credits.
    #[inline(always)]
    pub fn is_short_of_credits(&self, now: SimTime, len: u64, ios: f64) -> bool {
        self.credits.is_some_and(|i| {
            let (b, u) = &self.buckets[i];
            b.wait_for(ns(now), u.cost(ios, u64_to_f64(len))) > SimDuration::ZERO
        })
    }

    /// Takes the IO's tokens from every bucket.
    #[inline(always)]
    pub fn admit(&mut self, now: SimTime, len: u64, ios: f64) {
        let (t, bytes) = (ns(now), u64_to_f64(len));
        for (b, u) in &mut self.buckets {
            b.take(t, u.cost(ios, bytes));
        }
    }

    /// st1/sc1: the throughput cap drops to the baseline while snapshots
    /// are pending, and returns to the burst rate when none is.
    pub fn set_pending(&mut self, now: SimTime, pending: usize) {
        if let Some((i, burst, baseline)) = self.pending_cap {
            let rate = if pending > 0 { baseline } else { burst };
            self.buckets[i].0.set_rate(ns(now), rate);
        }
    }

    /// IOPS tokens at `now`.
    pub fn iops_tokens(&self, now: SimTime) -> f64 {
        self.buckets[self.iops_index].0.level_at(ns(now))
    }

    /// Burst credits at `now` (gp2: IO credits; st1/sc1: MiB), NaN if none.
    pub fn burst_credits(&self, now: SimTime) -> f64 {
        match self.credits {
            Some(i) => {
                let level = self.buckets[i].0.level_at(ns(now));
                if self.buckets[i].1 == Unit::Bytes {
                    level / MIB as f64
                } else {
                    level
                }
            }
            None => f64::NAN,
        }
    }
}
