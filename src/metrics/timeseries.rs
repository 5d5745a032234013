//! Per-volume time series at a fixed step: what the volume and its uploads
//! were doing, minute by minute (or at the scenario's `timeseries_step`).

use crate::engine::SimTime;

/// One volume during one step `[start, start + step)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeseriesRow {
    /// Start of the step.
    pub start: SimTime,
    /// Volume index.
    pub volume: usize,
    /// Snapshots pending at the start of the step.
    pub pending: u32,
    /// Mean upload rate of all the volume's snapshots over the step [B/s].
    pub upload_bytes_per_second: f64,
    /// Writes that arrived in the step, per second [1/s].
    pub writes_per_second: f64,
    /// Bytes written in the step, per second [B/s].
    pub write_bytes_per_second: f64,
    /// IO-fidelity figures, `None` at flow fidelity.
    pub io: Option<IoStep>,
}

/// Foreground IO during one step (IO fidelity only).
#[derive(Clone, Debug, PartialEq)]
pub struct IoStep {
    /// Reads completed per second [1/s].
    pub reads_per_second: f64,
    /// Read bytes per second [B/s].
    pub read_bytes_per_second: f64,
    /// Median read latency of reads arriving in the step [µs]; NaN if none.
    pub read_p50_us: f64,
    /// 99th percentile read latency [µs]; NaN if none.
    pub read_p99_us: f64,
    /// Median write latency [µs]; NaN if none.
    pub write_p50_us: f64,
    /// 99th percentile write latency [µs]; NaN if none.
    pub write_p99_us: f64,
    /// IOPS tokens in the bucket at the end of the step.
    pub iops_tokens: f64,
    /// Burst credits (gp2 IO credits, st1/sc1 throughput credits in MiB) at
    /// the end of the step; NaN where the type has none.
    pub burst_credits: f64,
}
