//! Stage 2 for the IO-fidelity keys: a volume's `performance` (storage
//! station) and `workload.reads`, checked against the top-level `fidelity`.

use super::error::Invalid;
use super::raw::{RawCowPolicy, RawLatency, RawPerformance, RawPriority, RawVolume};
use super::units::number_text;
use crate::engine::SimDuration;
use crate::model::config::{CowPolicy, LatencyDist, Performance, SnapshotReadPriority};
use crate::model::volume_type::{Provisioned, VolumeKind};

/// The station of volume `path`, from its `performance` entry and the type's
/// defaults ([`VolumeKind::default_performance`]).
pub(crate) fn validate_performance(
    path: &str,
    raw: Option<&RawPerformance>,
    kind: VolumeKind,
    provisioned: &Provisioned,
) -> Result<Performance, Invalid> {
    let mut p = kind.default_performance(provisioned);
    let Some(raw) = raw else {
        return Ok(p);
    };
    if let Some(c) = raw.channels {
        if !(1..=4096).contains(&c) {
            return Err(Invalid::at(
                format!("{path}.performance.channels"),
                format!("channels {c} is out of range; use 1 to 4096 (default 32)"),
            ));
        }
        p.channels = c;
    }
    if let Some(l) = &raw.base_latency {
        p.base_latency = latency(&format!("{path}.performance.base_latency"), l)?;
    }
    if let Some(b) = &raw.channel_bandwidth {
        p.channel_bandwidth = b.value;
    }
    if let Some(r) = &raw.snapshot_reads {
        let at = format!("{path}.performance.snapshot_reads");
        p.snapshot_reads = match (r.priority, r.weight) {
            (Some(RawPriority::Low), None) => SnapshotReadPriority::Low,
            (Some(RawPriority::Equal), None) => SnapshotReadPriority::Equal,
            (None, Some(w)) if w.is_finite() && w > 0.0 && w <= 1e6 => {
                SnapshotReadPriority::Weight(w)
            }
            (None, Some(w)) => {
                return Err(Invalid::at(
                    format!("{at}.weight"),
                    format!("weight {} is out of range; use a number above 0 and at most 1e6 (foreground IO has weight 1), e.g. 0.25", number_text(w)),
                ))
            }
            _ => {
                return Err(Invalid::at(
                    at,
                    "give exactly one of {\"priority\": \"low\"}, {\"priority\": \"equal\"} or {\"weight\": 0.25}",
                ))
            }
        };
    }
    if let Some(c) = raw.copy_on_write {
        p.copy_on_write = match c {
            RawCowPolicy::CopyRange => CowPolicy::CopyRange,
            RawCowPolicy::Copy => CowPolicy::Copy,
            RawCowPolicy::Redirect => CowPolicy::Redirect,
            RawCowPolicy::Wait => CowPolicy::Wait,
        };
    }
    if let Some(l) = raw.limits {
        p.limits = l;
    }
    Ok(p)
}

fn latency(path: &str, raw: &RawLatency) -> Result<LatencyDist, Invalid> {
    let positive =
        |field: &str, d: &super::quantity::DurationText| -> Result<SimDuration, Invalid> {
            if d.value.is_zero() {
                Err(Invalid::at(
                    format!("{path}.{field}"),
                    format!(
                        "latency \"{}\" must be greater than zero; use e.g. \"1ms\"",
                        d.text
                    ),
                ))
            } else {
                Ok(d.value)
            }
        };
    Ok(match raw {
        RawLatency::Constant(d) => LatencyDist::Constant(positive("constant", d)?),
        RawLatency::Exponential { mean } => {
            LatencyDist::Exponential(positive("exponential.mean", mean)?)
        }
        RawLatency::Lognormal { median, sigma } => {
            if !(sigma.is_finite() && *sigma > 0.0 && *sigma <= 3.0) {
                return Err(Invalid::at(
                    format!("{path}.lognormal.sigma"),
                    format!(
                        "sigma {} is out of range; use a number above 0 and at most 3, e.g. 0.4",
                        number_text(*sigma)
                    ),
                ));
            }
            LatencyDist::LogNormal {
                median: positive("lognormal.median", median)?,
                sigma: *sigma,
            }
        }
    })
}

/// Refuses IO-fidelity keys in a flow-fidelity scenario, naming the fix.
pub(crate) fn check_fidelity(path: &str, raw: &RawVolume, io: bool) -> Result<(), Invalid> {
    if io {
        return Ok(());
    }
    if raw.workload.as_ref().is_some_and(|w| w.reads.is_some()) {
        return Err(Invalid::at(
            format!("{path}.workload.reads"),
            "reads are simulated only at IO fidelity; add \"fidelity\": \"io\" at the top level, or remove `reads`",
        ));
    }
    if raw.performance.is_some() {
        return Err(Invalid::at(
            format!("{path}.performance"),
            "`performance` applies only at IO fidelity; add \"fidelity\": \"io\" at the top level, or remove it",
        ));
    }
    Ok(())
}
