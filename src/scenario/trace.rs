//! The `workload.trace` key: raw form (stage 1) and validation (stage 2).
//! Validation resolves the path against the scenario file's directory and
//! runs the trace's first streaming pass ([`TraceFactory::new`]), so a bad
//! line is reported at load time, before anything is simulated.

use super::error::Invalid;
use super::quantity::DurationText;
use crate::engine::{SimDuration, SimTime};
use crate::model::feed::SharedFeed;
use crate::model::units::Bytes;
use crate::trace::{OffsetMap, OnError, TraceFactory, TraceFormat, TraceSpec};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// Replay of a block IO trace file instead of synthetic streams.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTrace {
    /// The trace file, plain or gzip-compressed; a relative path is
    /// resolved from the scenario file's directory.
    pub path: String,
    /// The file's format.
    pub format: RawTraceFormat,
    /// Keep only this device / volume id (Tencent VolumeID, MSR DiskNumber,
    /// Alibaba device_id, disksim devno, SYSTOR LUN, SPC ASU, fio file name,
    /// blkparse "maj,min"). Default: every IO.
    pub device: Option<RawDevice>,
    /// Simulated time per trace time, > 0; 2 replays twice as slow.
    /// Default 1.
    pub time_scale: Option<f64>,
    /// Simulated time of the trace's first IO. Default "0s".
    pub start_offset: Option<DurationText>,
    /// Repeat the trace, each repetition shifted by its time span, until
    /// the scenario's duration. Default false.
    #[serde(rename = "loop")]
    pub looping: Option<bool>,
    /// "wrap" (default): offsets modulo the volume size; "reject": an IO
    /// ending beyond the volume is an error (or skipped with on_error skip).
    pub offset_map: Option<RawOffsetMap>,
    /// Whether reads are replayed (they matter at IO fidelity). Default true.
    pub reads: Option<bool>,
    /// "fail" (default): a malformed line stops loading with file:line;
    /// "skip": such lines are counted and skipped.
    pub on_error: Option<RawOnError>,
}

/// A device id, as a string or a number.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RawDevice {
    /// Written as a number.
    Number(u64),
    /// Written as a string.
    Text(String),
}

/// Trace format names.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawTraceFormat {
    /// CloudPhysics vscsi CSV.
    Cloudphysics,
    /// MSR Cambridge CSV.
    Msr,
    /// MSR cut windows, `ts_ms devno offset_bytes size_bytes rw`.
    Msrcut,
    /// Tencent cloud block storage CSV.
    Tencent,
    /// Alibaba Cloud block trace CSV.
    Alibaba,
    /// SYSTOR'17 CSV.
    Systor,
    /// SNIA SPC / UMass CSV.
    Spc,
    /// DiskSim ASCII.
    Disksim,
    /// fio iolog v2 / v3.
    Fio,
    /// blkparse text, Q events.
    Blkparse,
    /// blkparse text, D events.
    #[serde(rename = "blkparse-d")]
    BlkparseD,
}

/// Offset mapping names.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawOffsetMap {
    /// Modulo the volume size.
    Wrap,
    /// Out-of-range IOs are errors (or skipped).
    Reject,
}

/// Bad-line policy names.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawOnError {
    /// Stop with file:line.
    Fail,
    /// Count and skip.
    Skip,
}

fn format_of(raw: RawTraceFormat) -> TraceFormat {
    match raw {
        RawTraceFormat::Cloudphysics => TraceFormat::CloudPhysics,
        RawTraceFormat::Msr => TraceFormat::Msr,
        RawTraceFormat::Msrcut => TraceFormat::MsrCut,
        RawTraceFormat::Tencent => TraceFormat::Tencent,
        RawTraceFormat::Alibaba => TraceFormat::Alibaba,
        RawTraceFormat::Systor => TraceFormat::Systor,
        RawTraceFormat::Spc => TraceFormat::Spc,
        RawTraceFormat::Disksim => TraceFormat::Disksim,
        RawTraceFormat::Fio => TraceFormat::Fio,
        RawTraceFormat::Blkparse => TraceFormat::Blkparse,
        RawTraceFormat::BlkparseD => TraceFormat::BlkparseD,
    }
}

/// Validates the trace at `path` (such as `volumes[0].workload.trace`) for
/// a volume of `volume` bytes and a run of `duration`, reading the file
/// relative to `base_dir`.
pub(crate) fn validate_trace(
    path: &str,
    raw: &RawTrace,
    volume: Bytes,
    duration: SimDuration,
    base_dir: &Path,
) -> Result<SharedFeed, Invalid> {
    let time_scale = raw.time_scale.unwrap_or(1.0);
    if !(time_scale.is_finite() && time_scale > 0.0) {
        return Err(Invalid::at(
            format!("{path}.time_scale"),
            format!("time_scale {time_scale} must be a finite number above 0; use e.g. 1 (real time) or 2 (twice as slow)"),
        ));
    }
    if raw.path.is_empty() {
        return Err(Invalid::at(
            format!("{path}.path"),
            "the trace path is empty; give the trace file, relative to the scenario file's directory",
        ));
    }
    let spec = TraceSpec {
        path: base_dir.join(&raw.path),
        format: format_of(raw.format),
        device: raw.device.as_ref().map(|d| match d {
            RawDevice::Number(n) => n.to_string(),
            RawDevice::Text(s) => s.clone(),
        }),
        time_scale,
        start_offset: raw
            .start_offset
            .as_ref()
            .map_or(SimDuration(0), |d| d.value),
        looping: raw.looping.unwrap_or(false),
        offset_map: match raw.offset_map {
            None | Some(RawOffsetMap::Wrap) => OffsetMap::Wrap,
            Some(RawOffsetMap::Reject) => OffsetMap::Reject,
        },
        reads: raw.reads.unwrap_or(true),
        on_error: match raw.on_error {
            None | Some(RawOnError::Fail) => OnError::Fail,
            Some(RawOnError::Skip) => OnError::Skip,
        },
        volume_size: volume.0,
        horizon: SimTime::ZERO + duration,
    };
    let factory = TraceFactory::new(spec).map_err(|e| Invalid::at(path, e.to_string()))?;
    Ok(Arc::new(factory))
}
