//! Errors of trace reading. Every message names the file, the line number
//! (1-based) when there is one, the offending text or field, and the fix.
//! Parsers report a [`LineProblem`] (no file or line yet); the stream adds
//! both and turns it into a [`TraceError::Line`].

use std::path::PathBuf;
use thiserror::Error;

/// What is wrong with one line, before the file and line are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    /// What is wrong, naming the field and its text.
    pub problem: String,
}

impl LineProblem {
    /// A problem described by `problem`.
    pub fn new(problem: impl Into<String>) -> LineProblem {
        LineProblem {
            problem: problem.into(),
        }
    }
}

/// Longest excerpt of an offending line quoted in a message [characters].
const EXCERPT_CHARS: usize = 80;

/// The line quoted in a message, shortened to [`EXCERPT_CHARS`].
pub(crate) fn excerpt(line: &str) -> String {
    if line.chars().count() <= EXCERPT_CHARS {
        line.to_string()
    } else {
        let s: String = line.chars().take(EXCERPT_CHARS).collect();
        format!("{s}…")
    }
}

/// Why a trace cannot be read or replayed.
#[derive(Debug, Error)]
pub enum TraceError {
    /// The file cannot be opened.
    #[error("{}: cannot open the trace file ({cause}); check the path (a relative path is resolved from the scenario file's directory) and its permissions", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// The path is a FIFO, directory, device or socket.
    #[error("{}: cannot read the trace: it is {kind}, not a regular file; point \"path\" at a trace file (save a stream or a pipe's output to a file first)", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is (`a FIFO (named pipe)`, `a directory`, …).
        kind: &'static str,
    },
    /// The file, or its decompressed text, is larger than the limit.
    #[error("{}: {what} holds more than {limit} B (read {bytes} B), the limit of a trace; cut the trace to the part you replay (e.g. with head) and point \"path\" at the cut", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Bytes found (or read so far).
        bytes: u64,
        /// The limit [B].
        limit: u64,
        /// `the file` or `the decompressed text`.
        what: &'static str,
    },
    /// A line longer than the limit.
    #[error("{}:{line}: the line is longer than {limit} B (64 KiB) without a line break; trace lines are a few hundred bytes, so check that the file is a text trace (not binary or a single-line export) and \"format\"", path.display())]
    LineTooLong {
        /// The file.
        path: PathBuf,
        /// Line number, starting at 1.
        line: u64,
        /// The limit [B].
        limit: usize,
    },
    /// Gzip expanded the file more than the ratio limit allows.
    #[error("{}:{line}: gzip expanded {compressed} B of compressed data into {decompressed} B, more than {limit} times (a decompression bomb, not a trace?); if the trace is genuine, decompress it by hand (gunzip -k FILE) and point \"path\" at the plain file, which has no ratio limit", path.display())]
    GzipRatio {
        /// The file.
        path: PathBuf,
        /// Lines read so far.
        line: u64,
        /// Decompressed bytes so far [B].
        decompressed: u64,
        /// Compressed bytes read so far [B].
        compressed: u64,
        /// The ratio limit.
        limit: u64,
    },
    /// Reading (or decompressing) failed after `line` lines.
    #[error("{}:{line}: cannot read the trace ({cause}); if the file is gzip-compressed it may be truncated or corrupt: recompress it or decompress it by hand", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The line being read.
        line: u64,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// A malformed line under `on_error: fail`.
    #[error("{}:{line}: {problem} in `{text}`; correct or delete the line, check \"format\", or set \"on_error\": \"skip\" to count and skip such lines", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// Line number, starting at 1.
        line: u64,
        /// The offending line (shortened).
        text: String,
        /// What is wrong.
        problem: String,
    },
    /// An IO lies beyond the volume under `offset_map: reject`.
    #[error("{}:{line}: IO at byte offset {offset} of {len} B ends beyond the {volume} B volume in `{text}`; use \"offset_map\": \"wrap\", a larger volume, or \"on_error\": \"skip\"", path.display())]
    OutOfRange {
        /// The file.
        path: PathBuf,
        /// Line number, starting at 1.
        line: u64,
        /// The offending line (shortened).
        text: String,
        /// First byte of the IO [B].
        offset: u64,
        /// Its length [B].
        len: u64,
        /// The volume size [B].
        volume: u64,
    },
    /// The `device` option selects nothing.
    #[error("{}: no IO of device \"{device}\" in the trace (devices seen: {seen}); set \"device\" to one of them or remove it", path.display())]
    NoSuchDevice {
        /// The file.
        path: PathBuf,
        /// The requested device.
        device: String,
        /// The first few devices found.
        seen: String,
    },
    /// The format has no device field but `device` was given.
    #[error("{}: format \"{format}\" has no device field; remove \"device\"", path.display())]
    NoDeviceField {
        /// The file.
        path: PathBuf,
        /// The format name.
        format: &'static str,
    },
    /// No IO left to replay.
    #[error("{}: the trace holds no IO to replay ({lines} lines read, {skipped} skipped); check \"format\", \"device\" and \"reads\"", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// Lines read.
        lines: u64,
        /// Lines skipped.
        skipped: u64,
    },
    /// `loop` asked for on a trace that spans no time.
    #[error("{}: \"loop\" needs a trace that spans some time, but every IO has the same timestamp; remove \"loop\" or use a longer trace", path.display())]
    ZeroSpan {
        /// The file.
        path: PathBuf,
    },
    /// `loop` with a `time_scale` that shrinks the trace's span below
    /// 1 ns: every lap would replay at the same instant, for ever.
    #[error("{}: \"loop\" with time_scale {time_scale} makes each lap of the trace ({span_ns} ns of trace time) last less than 1 ns of simulated time, so the replay would never reach the end of the run; raise time_scale to at least {min_scale:e} or remove \"loop\"", path.display())]
    LapTooShort {
        /// The file.
        path: PathBuf,
        /// The trace's span, first to last IO [ns of trace time].
        span_ns: u64,
        /// The scenario's time scale.
        time_scale: f64,
        /// The smallest time scale that gives a lap of 1 ns.
        min_scale: f64,
    },
}
