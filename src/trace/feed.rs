//! The trace as the model's [`IoFeedFactory`]: a first streaming pass at
//! load time ([`TraceFactory::new`]) checks every line, counts IOs and
//! skipped lines and measures the time span; each run's [`open`] streams
//! the file again and maps every record into the scenario:
//!
//! `at = start_offset + (t − t_first) × time_scale + k × span × time_scale`
//! for loop `k` (0 unless `loop`), stopping at the horizon; offsets wrap
//! modulo the volume size (an IO crossing the end is clipped there) or are
//! rejected; reads are dropped if `reads` is false.
//!
//! [`open`]: IoFeedFactory::open

use super::error::{excerpt, TraceError};
use super::stream::{RecordStream, StreamCounts};
use super::{Record, TraceFormat};
use crate::engine::{SimDuration, SimTime};
use crate::model::feed::{FeedError, FeedIo, IoFeed, IoFeedFactory};
use std::path::PathBuf;

/// What to do with offsets beyond the volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffsetMap {
    /// Offset modulo the volume size; an IO crossing the end is clipped.
    Wrap,
    /// An IO ending beyond the volume is an error (or skipped, per policy).
    Reject,
}

/// What to do with a bad line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    /// Stop with `file:line: problem`.
    Fail,
    /// Count the line and go on.
    Skip,
}

/// Everything needed to read and replay one trace onto one volume.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceSpec {
    /// The file (already resolved against the scenario's directory).
    pub path: PathBuf,
    /// Its format.
    pub format: TraceFormat,
    /// The device to keep; `None` keeps all.
    pub device: Option<String>,
    /// Simulated time per trace time (2 = twice as slow), > 0.
    pub time_scale: f64,
    /// Simulated time of the first IO.
    pub start_offset: SimDuration,
    /// Repeat the trace, each loop shifted by its span, until the horizon.
    pub looping: bool,
    /// Offset mapping.
    pub offset_map: OffsetMap,
    /// Whether reads are replayed.
    pub reads: bool,
    /// Bad-line policy.
    pub on_error: OnError,
    /// Volume size [B].
    pub volume_size: u64,
    /// End of the run: no IO at or after it is produced.
    pub horizon: SimTime,
}

/// What the first pass found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceScan {
    /// IOs replayed per pass (after device, reads and offset filters).
    pub ios: u64,
    /// Of which writes.
    pub writes: u64,
    /// Bytes of those IOs, after clipping [B].
    pub bytes: u64,
    /// Reads dropped by `reads: false`.
    pub reads_dropped: u64,
    /// IOs beyond the volume skipped under `offset_map: reject`.
    pub out_of_range: u64,
    /// Time of the first record (trace time base) [ns].
    pub first_ns: u64,
    /// Time of the last record (trace time base) [ns].
    pub last_ns: u64,
    /// The stream's counters.
    pub counts: StreamCounts,
}

impl TraceScan {
    /// Lines skipped as malformed, zero-size or out of range.
    pub fn lines_skipped(&self) -> u64 {
        self.counts.malformed + self.counts.zero_size + self.out_of_range
    }
}

/// Maps a record's bytes into the volume: `Ok(None)` if skipped.
fn map_offset(
    spec: &TraceSpec,
    line: u64,
    r: &Record,
    stream: &RecordStream,
) -> Result<Option<(u64, u64)>, TraceError> {
    let size = spec.volume_size;
    match spec.offset_map {
        OffsetMap::Wrap => {
            let off = r.offset % size;
            Ok(Some((off, r.len.min(size - off))))
        }
        OffsetMap::Reject => {
            if r.offset.checked_add(r.len).is_some_and(|end| end <= size) {
                Ok(Some((r.offset, r.len)))
            } else if spec.on_error == OnError::Skip {
                Ok(None)
            } else {
                Err(TraceError::OutOfRange {
                    path: stream.path().to_path_buf(),
                    line,
                    text: excerpt(&format!(
                        "offset {} B, {} B, {}",
                        r.offset,
                        r.len,
                        if r.write { "write" } else { "read" }
                    )),
                    offset: r.offset,
                    len: r.len,
                    volume: size,
                })
            }
        }
    }
}

fn open_stream(spec: &TraceSpec) -> Result<RecordStream, TraceError> {
    RecordStream::open(
        &spec.path,
        spec.format,
        spec.device.as_deref(),
        spec.on_error == OnError::Skip,
    )
}

/// The first pass over the whole file.
///
/// # Errors
/// The first [`TraceError`] under `on_error: fail`; an unknown device; a
/// trace with nothing to replay; `loop` on a trace without a time span.
pub fn scan(spec: &TraceSpec) -> Result<TraceScan, TraceError> {
    let mut s = open_stream(spec)?;
    let mut out = TraceScan::default();
    let mut any = false;
    while let Some((line, r)) = s.next_record()? {
        if !any {
            out.first_ns = r.time_ns;
            any = true;
        }
        out.last_ns = r.time_ns;
        if !r.write && !spec.reads {
            out.reads_dropped += 1;
            continue;
        }
        match map_offset(spec, line, &r, &s)? {
            None => out.out_of_range += 1,
            Some((_, len)) => {
                out.ios += 1;
                out.writes += u64::from(r.write);
                out.bytes += len;
            }
        }
    }
    out.counts = s.counts;
    let path = spec.path.clone();
    if let Some(d) = &spec.device {
        if !any {
            return Err(TraceError::NoSuchDevice {
                path,
                device: d.clone(),
                seen: out.counts.devices.join(", "),
            });
        }
    }
    if out.ios == 0 {
        return Err(TraceError::Empty {
            path,
            lines: out.counts.lines,
            skipped: out.lines_skipped(),
        });
    }
    if spec.looping && out.last_ns == out.first_ns {
        return Err(TraceError::ZeroSpan { path });
    }
    let span_ns = out.last_ns - out.first_ns;
    if spec.looping && lap_ns(spec, span_ns) == 0 {
        // Such a replay hung at one instant: `snapsim run` never ended.
        return Err(TraceError::LapTooShort {
            path,
            span_ns,
            time_scale: spec.time_scale,
            min_scale: 0.5 / span_ns as f64,
        });
    }
    Ok(out)
}

/// One lap of a looping replay in simulated time [ns]: the trace's span
/// scaled, rounded as each IO's time is.
fn lap_ns(spec: &TraceSpec, span_ns: u64) -> u64 {
    (span_ns as f64 * spec.time_scale).round() as u64
}

/// A trace checked by a first pass, ready to be replayed by every run.
#[derive(Debug)]
pub struct TraceFactory {
    spec: TraceSpec,
    scan: TraceScan,
}

impl TraceFactory {
    /// Checks the whole trace (see [`scan`]).
    ///
    /// # Errors
    /// As [`scan`].
    pub fn new(spec: TraceSpec) -> Result<TraceFactory, TraceError> {
        let scan = scan(&spec)?;
        Ok(TraceFactory { spec, scan })
    }

    /// What the first pass found.
    pub fn scan(&self) -> &TraceScan {
        &self.scan
    }

    /// The specification.
    pub fn spec(&self) -> &TraceSpec {
        &self.spec
    }
}

impl IoFeedFactory for TraceFactory {
    fn open(&self) -> Result<Box<dyn IoFeed>, FeedError> {
        let stream = open_stream(&self.spec).map_err(|e| FeedError(e.to_string()))?;
        Ok(Box::new(TraceFeed {
            spec: self.spec.clone(),
            stream,
            first_ns: self.scan.first_ns,
            period_ns: lap_ns(&self.spec, self.scan.last_ns - self.scan.first_ns),
            lap: 0,
        }))
    }

    fn lines_per_run(&self) -> u128 {
        let lines = u128::from(self.scan.counts.lines);
        if !self.spec.looping {
            return lines;
        }
        // Laps that start before the horizon; `scan` refused a zero period.
        let period = lap_ns(&self.spec, self.scan.last_ns - self.scan.first_ns).max(1);
        let window = self.spec.horizon.0.saturating_sub(self.spec.start_offset.0);
        lines * u128::from(window / period + 1)
    }

    fn stats(&self) -> crate::metrics::summary::TraceStats {
        let s = &self.scan;
        crate::metrics::summary::TraceStats {
            source: format!(
                "{} {}",
                self.spec.format,
                self.spec.path.file_name().map_or_else(
                    || self.spec.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            ),
            ios_per_pass: s.ios,
            writes_per_pass: s.writes,
            bytes_per_pass: s.bytes,
            span_seconds: (s.last_ns - s.first_ns) as f64 / 1e9,
            lines_skipped: s.lines_skipped(),
            malformed: s.counts.malformed,
            zero_size: s.counts.zero_size,
            out_of_range: s.out_of_range,
            clamped: s.counts.clamped,
            other_device: s.counts.other_device,
            reads_dropped: s.reads_dropped,
        }
    }

    fn describe(&self) -> String {
        let s = &self.scan;
        let name = self.spec.path.file_name().map_or_else(
            || self.spec.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!(
            "{} trace {name}: {} IOs per pass ({:.1} % writes, {} B), span {:.3} s; lines skipped: {} ({} malformed, {} zero-size, {} out of range); {} out-of-order rows clamped; {} IOs of other devices, {} reads dropped",
            self.spec.format,
            s.ios,
            100.0 * s.writes as f64 / s.ios.max(1) as f64,
            s.bytes,
            (s.last_ns - s.first_ns) as f64 / 1e9,
            s.lines_skipped(),
            s.counts.malformed,
            s.counts.zero_size,
            s.out_of_range,
            s.counts.clamped,
            s.counts.other_device,
            s.reads_dropped,
        )
    }
}

/// One run's replay.
struct TraceFeed {
    spec: TraceSpec,
    stream: RecordStream,
    first_ns: u64,
    period_ns: u64,
    lap: u64,
}

impl IoFeed for TraceFeed {
    fn next_io(&mut self) -> Result<Option<FeedIo>, FeedError> {
        loop {
            let next = self
                .stream
                .next_record()
                .map_err(|e| FeedError(e.to_string()))?;
            let Some((line, r)) = next else {
                if !self.spec.looping {
                    return Ok(None);
                }
                self.lap += 1;
                self.stream = open_stream(&self.spec).map_err(|e| FeedError(e.to_string()))?;
                continue;
            };
            let rel = r.time_ns.saturating_sub(self.first_ns);
            let at = (rel as f64 * self.spec.time_scale).round() as u64;
            let at = self
                .spec
                .start_offset
                .0
                .saturating_add(at)
                .saturating_add(self.lap.saturating_mul(self.period_ns));
            if at >= self.spec.horizon.0 {
                return Ok(None);
            }
            if !r.write && !self.spec.reads {
                continue;
            }
            let mapped = map_offset(&self.spec, line, &r, &self.stream)
                .map_err(|e| FeedError(e.to_string()))?;
            if let Some((offset, len)) = mapped {
                return Ok(Some(FeedIo {
                    at: SimTime(at),
                    offset,
                    len,
                    write: r.write,
                }));
            }
        }
    }
}
