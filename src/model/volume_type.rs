//! EBS volume types and their provisioning rules.
//!
//! Limits follow the EC2 User Guide as of mid-2023 (EBS_FACTS.md §2.2–2.3),
//! except io2, which follows the current docs (every io2 volume is Block
//! Express). The late-2025 gp3 increases (64 TiB, 80,000 IOPS, 2,000 MiB/s)
//! are only community-reported and are *not* applied; use `custom` for such
//! what-if studies. Each rule violation names the rule and the fix.

use super::config::{CowPolicy, LatencyDist, Performance, SnapshotReadPriority};
use super::units::{Bandwidth, Bytes, KIB, MIB, TIB};
use crate::engine::SimDuration;
use std::fmt;
use thiserror::Error;

/// An EBS volume type, or `Custom` for what-if studies without EBS rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VolumeKind {
    /// General purpose SSD with burst credits.
    Gp2,
    /// General purpose SSD with provisioned IOPS and throughput.
    Gp3,
    /// Provisioned IOPS SSD.
    Io1,
    /// Provisioned IOPS SSD, Block Express.
    Io2,
    /// Throughput-optimized HDD.
    St1,
    /// Cold HDD.
    Sc1,
    /// Any size, IOPS and throughput; no EBS rule is checked.
    Custom,
}

impl VolumeKind {
    /// All kinds, in the order the scenario format lists them.
    pub const ALL: [VolumeKind; 7] = [
        VolumeKind::Gp2,
        VolumeKind::Gp3,
        VolumeKind::Io1,
        VolumeKind::Io2,
        VolumeKind::St1,
        VolumeKind::Sc1,
        VolumeKind::Custom,
    ];

    /// The API name, such as `gp3`.
    pub fn name(self) -> &'static str {
        match self {
            VolumeKind::Gp2 => "gp2",
            VolumeKind::Gp3 => "gp3",
            VolumeKind::Io1 => "io1",
            VolumeKind::Io2 => "io2",
            VolumeKind::St1 => "st1",
            VolumeKind::Sc1 => "sc1",
            VolumeKind::Custom => "custom",
        }
    }

    /// Parses an API name.
    pub fn from_name(name: &str) -> Option<VolumeKind> {
        VolumeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the type is a hard-disk type (st1, sc1).
    pub fn is_hdd(self) -> bool {
        matches!(self, VolumeKind::St1 | VolumeKind::Sc1)
    }

    /// Pending-snapshot limit: 5 for SSD types, 1 for st1/sc1
    /// (EBS_FACTS.md §3.1.1; not adjustable on AWS).
    pub fn default_pending_limit(self) -> u32 {
        if self.is_hdd() {
            1
        } else {
            5
        }
    }

    /// The storage station used at IO fidelity unless the scenario says
    /// otherwise. AWS publishes only coarse latency classes (EBS_FACTS.md
    /// §2.1.4: gp2/gp3 "single-digit millisecond", io2 Block Express
    /// "sub-millisecond average"); the exact figures below are assumptions:
    /// log-normal base latency with median 1.5 ms (gp2, gp3), 1 ms (io1),
    /// 0.3 ms (io2), 5 ms (st1, sc1: seek-dominated hard disks) and σ = 0.4,
    /// 32 parallel channels, each transferring at the volume's throughput.
    pub fn default_performance(self, p: &Provisioned) -> Performance {
        let median_us = match self {
            VolumeKind::Gp2 | VolumeKind::Gp3 | VolumeKind::Custom => 1500,
            VolumeKind::Io1 => 1000,
            VolumeKind::Io2 => 300,
            VolumeKind::St1 | VolumeKind::Sc1 => 5000,
        };
        Performance {
            channels: 32,
            base_latency: LatencyDist::LogNormal {
                median: SimDuration(median_us * 1000),
                sigma: 0.4,
            },
            channel_bandwidth: p.throughput,
            snapshot_reads: SnapshotReadPriority::Low,
            copy_on_write: CowPolicy::CopyRange,
            limits: true,
        }
    }

    /// Checks a requested size / IOPS / throughput against the type's rules
    /// and fills in derived or default values.
    ///
    /// # Errors
    /// A [`ProvisionError`] naming the broken rule and the field to change.
    pub fn provision(
        self,
        size: Bytes,
        iops: Option<u32>,
        throughput: Option<Bandwidth>,
    ) -> Result<Provisioned, ProvisionError> {
        let kind = self;
        let gib = size.as_gib_f64();
        let size_range = |min: Bytes, max: Bytes| {
            if size < min || size > max {
                Err(ProvisionError::SizeOutOfRange {
                    kind,
                    size,
                    min,
                    max,
                })
            } else {
                Ok(())
            }
        };
        let not_settable = |field: &'static str, rule: &'static str| ProvisionError::NotSettable {
            kind,
            field,
            rule,
        };
        let mibs = |x: f64| Bandwidth::mib_per_sec(x);
        match self {
            VolumeKind::Gp2 => {
                size_range(Bytes::gib(1), Bytes::tib(16))?;
                if iops.is_some() {
                    return Err(not_settable("iops", "gp2 IOPS follow from the size (3 IOPS per GiB, 100 to 16,000); remove `iops`, or use gp3 to provision IOPS"));
                }
                if throughput.is_some() {
                    return Err(not_settable("throughput", "gp2 throughput follows from the size (128 MiB/s up to 170 GiB, 250 MiB/s above); remove `throughput`, or use gp3"));
                }
                let iops = (3.0 * gib).clamp(100.0, 16_000.0).floor() as u32;
                let tp = if size <= Bytes::gib(170) {
                    128.0
                } else {
                    250.0
                };
                Ok(Provisioned::new(size, iops, mibs(tp)))
            }
            VolumeKind::Gp3 => {
                size_range(Bytes::gib(1), Bytes::tib(16))?;
                let iops = iops.unwrap_or(3000);
                if !(3000..=16_000).contains(&iops) {
                    return Err(ProvisionError::IopsOutOfRange {
                        kind,
                        iops,
                        min: 3000,
                        max: 16_000,
                    });
                }
                if iops > 3000 && f64::from(iops) > 500.0 * gib {
                    return Err(ProvisionError::IopsPerGib {
                        kind,
                        iops,
                        size,
                        per_gib: 500,
                    });
                }
                let tp = throughput.unwrap_or(mibs(125.0));
                check_throughput_range(kind, tp, 125.0, 1000.0)?;
                let per_iops_max = 0.25 * f64::from(iops);
                if tp.as_mib_per_sec() > 125.0 && tp.as_mib_per_sec() > per_iops_max + 1e-9 {
                    return Err(ProvisionError::ThroughputPerIops {
                        kind,
                        throughput: tp,
                        iops,
                        mib_per_iops: 0.25,
                    });
                }
                Ok(Provisioned::new(size, iops, tp))
            }
            VolumeKind::Io1 | VolumeKind::Io2 => {
                let (max_size, max_iops, per_gib) = if self == VolumeKind::Io1 {
                    (Bytes::tib(16), 64_000, 50)
                } else {
                    (Bytes::tib(64), 256_000, 1000)
                };
                size_range(Bytes::gib(4), max_size)?;
                let Some(iops) = iops else {
                    return Err(ProvisionError::Missing {
                        kind,
                        field: "iops",
                        hint:
                            "io1 and io2 volumes need provisioned IOPS, for example \"iops\": 3000",
                    });
                };
                if !(100..=max_iops).contains(&iops) {
                    return Err(ProvisionError::IopsOutOfRange {
                        kind,
                        iops,
                        min: 100,
                        max: max_iops,
                    });
                }
                if f64::from(iops) > f64::from(per_gib) * gib {
                    return Err(ProvisionError::IopsPerGib {
                        kind,
                        iops,
                        size,
                        per_gib,
                    });
                }
                if throughput.is_some() {
                    return Err(not_settable(
                        "throughput",
                        "io1/io2 throughput follows from the provisioned IOPS; remove `throughput`",
                    ));
                }
                let tp = if self == VolumeKind::Io1 {
                    if iops <= 32_000 {
                        (f64::from(iops) * (256 * KIB) as f64 / MIB as f64).min(500.0)
                    } else {
                        (f64::from(iops) * (16 * KIB) as f64 / MIB as f64).min(1000.0)
                    }
                } else {
                    (0.256 * f64::from(iops)).min(4000.0)
                };
                Ok(Provisioned::new(size, iops, mibs(tp)))
            }
            VolumeKind::St1 | VolumeKind::Sc1 => {
                size_range(Bytes::gib(125), Bytes::tib(16))?;
                if iops.is_some() {
                    return Err(not_settable(
                        "iops",
                        "st1/sc1 performance follows from the size; remove `iops`",
                    ));
                }
                if throughput.is_some() {
                    return Err(not_settable("throughput", "st1/sc1 throughput follows from the size (burst per TiB, capped); remove `throughput`"));
                }
                let tib = size.0 as f64 / TIB as f64;
                let (burst, max_iops) = if self == VolumeKind::St1 {
                    ((250.0 * tib).min(500.0), 500)
                } else {
                    ((80.0 * tib).min(250.0), 250)
                };
                Ok(Provisioned::new(size, max_iops, mibs(burst)))
            }
            VolumeKind::Custom => {
                size_range(Bytes::mib(1), Bytes::tib(64))?;
                let Some(iops) = iops.filter(|&i| i > 0) else {
                    return Err(ProvisionError::Missing {
                        kind,
                        field: "iops",
                        hint: "a custom volume needs a positive \"iops\"",
                    });
                };
                let Some(tp) = throughput else {
                    return Err(ProvisionError::Missing {
                        kind,
                        field: "throughput",
                        hint: "a custom volume needs a \"throughput\", for example \"250MiB/s\"",
                    });
                };
                Ok(Provisioned::new(size, iops, tp))
            }
        }
    }
}

fn check_throughput_range(
    kind: VolumeKind,
    tp: Bandwidth,
    min: f64,
    max: f64,
) -> Result<(), ProvisionError> {
    let v = tp.as_mib_per_sec();
    if v < min - 1e-9 || v > max + 1e-9 {
        return Err(ProvisionError::ThroughputOutOfRange {
            kind,
            throughput: tp,
            min,
            max,
        });
    }
    Ok(())
}

impl fmt::Display for VolumeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A volume's size and performance after its type's rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Provisioned {
    /// Volume size [B].
    pub size: Bytes,
    /// Maximum IOPS (for gp2 the baseline, for st1/sc1 at 1 MiB IOs) [1/s].
    pub iops: u32,
    /// Maximum throughput (for st1/sc1 the burst rate) [B/s].
    pub throughput: Bandwidth,
}

impl Provisioned {
    fn new(size: Bytes, iops: u32, throughput: Bandwidth) -> Provisioned {
        Provisioned {
            size,
            iops,
            throughput,
        }
    }
}

/// A size / IOPS / throughput combination EBS would refuse.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ProvisionError {
    /// Size outside the type's range.
    #[error("{kind} volumes must be between {min} and {max}, got {size}; change `size` or the volume type")]
    SizeOutOfRange {
        /// Volume type.
        kind: VolumeKind,
        /// Requested size.
        size: Bytes,
        /// Smallest allowed.
        min: Bytes,
        /// Largest allowed.
        max: Bytes,
    },
    /// IOPS outside the type's range.
    #[error("{kind} IOPS must be between {min} and {max}, got {iops}; change `iops`")]
    IopsOutOfRange {
        /// Volume type.
        kind: VolumeKind,
        /// Requested IOPS.
        iops: u32,
        /// Smallest allowed.
        min: u32,
        /// Largest allowed.
        max: u32,
    },
    /// IOPS above the per-GiB ratio.
    #[error("{kind} allows at most {per_gib} IOPS per GiB, so {iops} IOPS need at least {} GiB but the volume has {size}; lower `iops` or raise `size`", (f64::from(*iops) / f64::from(*per_gib)).ceil())]
    IopsPerGib {
        /// Volume type.
        kind: VolumeKind,
        /// Requested IOPS.
        iops: u32,
        /// Volume size.
        size: Bytes,
        /// Allowed IOPS per GiB.
        per_gib: u32,
    },
    /// Throughput outside the type's range.
    #[error("{kind} throughput must be between {min} MiB/s and {max} MiB/s, got {throughput}; change `throughput`")]
    ThroughputOutOfRange {
        /// Volume type.
        kind: VolumeKind,
        /// Requested throughput.
        throughput: Bandwidth,
        /// Smallest allowed [MiB/s].
        min: f64,
        /// Largest allowed [MiB/s].
        max: f64,
    },
    /// Throughput above the per-IOPS ratio.
    #[error("{kind} allows at most {mib_per_iops} MiB/s per provisioned IOPS, so {throughput} needs at least {} IOPS but the volume has {iops}; lower `throughput` or raise `iops`", (throughput.as_mib_per_sec() / mib_per_iops).ceil())]
    ThroughputPerIops {
        /// Volume type.
        kind: VolumeKind,
        /// Requested throughput.
        throughput: Bandwidth,
        /// Provisioned IOPS.
        iops: u32,
        /// Allowed MiB/s per IOPS.
        mib_per_iops: f64,
    },
    /// A field the type derives was given.
    #[error("`{field}` cannot be set on {kind}: {rule}")]
    NotSettable {
        /// Volume type.
        kind: VolumeKind,
        /// The offending field.
        field: &'static str,
        /// The rule and the fix.
        rule: &'static str,
    },
    /// A field the type requires is missing.
    #[error("`{field}` is required for {kind}: {hint}")]
    Missing {
        /// Volume type.
        kind: VolumeKind,
        /// The missing field.
        field: &'static str,
        /// How to fix it.
        hint: &'static str,
    },
}

impl ProvisionError {
    /// The scenario field the error is about: `size`, `iops` or `throughput`.
    pub fn field(&self) -> &'static str {
        match self {
            ProvisionError::SizeOutOfRange { .. } => "size",
            ProvisionError::IopsOutOfRange { .. } | ProvisionError::IopsPerGib { .. } => "iops",
            ProvisionError::ThroughputOutOfRange { .. }
            | ProvisionError::ThroughputPerIops { .. } => "throughput",
            ProvisionError::NotSettable { field, .. } | ProvisionError::Missing { field, .. } => {
                field
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gp2_derives_iops_and_throughput_from_size() {
        let p = VolumeKind::Gp2
            .provision(Bytes::gib(100), None, None)
            .unwrap();
        assert_eq!(p.iops, 300);
        assert_eq!(p.throughput, Bandwidth::mib_per_sec(128.0));
        let small = VolumeKind::Gp2
            .provision(Bytes::gib(10), None, None)
            .unwrap();
        assert_eq!(small.iops, 100);
        let big = VolumeKind::Gp2
            .provision(Bytes::tib(16), None, None)
            .unwrap();
        assert_eq!(big.iops, 16_000);
        let err = VolumeKind::Gp2
            .provision(Bytes::gib(100), Some(3000), None)
            .unwrap_err();
        assert_eq!(err.field(), "iops");
    }

    #[test]
    fn gp3_enforces_per_gib_and_per_iops_ratios() {
        let ok = VolumeKind::Gp3.provision(
            Bytes::gib(32),
            Some(16_000),
            Some(Bandwidth::mib_per_sec(1000.0)),
        );
        assert!(
            ok.is_ok(),
            "16,000 IOPS need 32 GiB and 1,000 MiB/s need 4,000 IOPS: allowed"
        );
        let err = VolumeKind::Gp3
            .provision(Bytes::gib(10), Some(6000), None)
            .unwrap_err();
        assert!(err.to_string().contains("500 IOPS per GiB"), "{err}");
        let err = VolumeKind::Gp3
            .provision(
                Bytes::gib(100),
                Some(3000),
                Some(Bandwidth::mib_per_sec(1000.0)),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("0.25 MiB/s per provisioned IOPS"),
            "{err}"
        );
        assert_eq!(err.field(), "throughput");
        let p = VolumeKind::Gp3
            .provision(Bytes::gib(10), None, None)
            .unwrap();
        assert_eq!((p.iops, p.throughput.as_mib_per_sec()), (3000, 125.0));
    }

    #[test]
    fn io_types_need_iops_within_ratio() {
        assert_eq!(
            VolumeKind::Io1
                .provision(Bytes::gib(100), None, None)
                .unwrap_err()
                .field(),
            "iops"
        );
        let err = VolumeKind::Io1
            .provision(Bytes::gib(100), Some(6000), None)
            .unwrap_err();
        assert!(err.to_string().contains("50 IOPS per GiB"), "{err}");
        let p = VolumeKind::Io2
            .provision(Bytes::gib(256), Some(256_000), None)
            .unwrap();
        assert_eq!(p.throughput.as_mib_per_sec(), 4000.0);
    }

    #[test]
    fn hdd_types_have_a_minimum_size_and_limit_one() {
        let err = VolumeKind::St1
            .provision(Bytes::gib(100), None, None)
            .unwrap_err();
        assert!(err.to_string().contains("125GiB"), "{err}");
        assert_eq!(VolumeKind::St1.default_pending_limit(), 1);
        assert_eq!(VolumeKind::Gp3.default_pending_limit(), 5);
        let p = VolumeKind::St1
            .provision(Bytes::tib(2), None, None)
            .unwrap();
        assert_eq!(p.throughput.as_mib_per_sec(), 500.0);
    }
}
