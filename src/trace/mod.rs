//! Block IO trace files → IO feeds for the model ([`crate::model::feed`]).
//!
//! The model never sees files: this module reads traces and hands the
//! model an [`IoFeedFactory`](crate::model::feed::IoFeedFactory)
//! ([`TraceFactory`]). Layers, bottom up:
//! - `input`: opens only regular files (never a FIFO or a device);
//! - `reader`: lines of a plain or gzip file, streamed, with line numbers,
//!   limits on line length, file size and gzip expansion;
//! - one parser per format family (`vscsi`, `msr`, `cloud`, `systor`, `spc`,
//!   `disksim`, `fio`, `blkparse`): a line → a [`Record`] in the trace's own
//!   time base (ns), bytes, read/write, plus its device id;
//! - `stream`: device selection, the error policy, zero-size and
//!   out-of-order rows, SYSTOR's re-sorting → records in time order;
//! - `feed`: the first (validation) pass and the replay mapping into the
//!   scenario's time and volume.
//!
//! Invariants: a file is never loaded whole; every error names the file,
//! the line and the fix.

mod blkparse;
mod cloud;
mod disksim;
pub mod error;
mod feed;
mod field;
mod fio;
pub mod input;
mod msr;
pub mod reader;
mod spc;
mod stream;
mod systor;
mod vscsi;

pub use error::{LineProblem, TraceError};
pub use feed::{OffsetMap, OnError, TraceFactory, TraceScan, TraceSpec};
pub use stream::{RecordStream, StreamCounts};

/// One IO as the trace states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Time in the trace's own time base (Unix, FILETIME or run start) [ns].
    pub time_ns: u64,
    /// First byte [B].
    pub offset: u64,
    /// Length [B]; 0 is skipped by the stream.
    pub len: u64,
    /// Write (true) or read.
    pub write: bool,
}

/// What one line holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed<'a> {
    /// An IO and its device id, if the format has one.
    Io(Record, Option<&'a str>),
    /// A header, comment or event that is not an IO.
    Ignore,
}

/// Turns lines of one format into records; may keep state (fio's clock).
pub trait LineParser: Send {
    /// Parses one line (without its line ending, not blank).
    ///
    /// # Errors
    /// A [`LineProblem`] naming the field and what is wrong.
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem>;
}

/// The trace formats snapsim reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceFormat {
    /// CloudPhysics vscsi CSV.
    CloudPhysics,
    /// MSR Cambridge CSV.
    Msr,
    /// MSR cut windows: `ts_ms devno offset_bytes size_bytes rw`.
    MsrCut,
    /// Tencent cloud block storage CSV.
    Tencent,
    /// Alibaba Cloud block trace CSV.
    Alibaba,
    /// SYSTOR'17 CSV (completion order; re-sorted).
    Systor,
    /// SNIA SPC / UMass CSV.
    Spc,
    /// DiskSim ASCII: `ts_ms devno lba size flag`.
    Disksim,
    /// fio iolog v2 / v3.
    Fio,
    /// blkparse text, `Q` events.
    Blkparse,
    /// blkparse text, `D` events.
    BlkparseD,
}

impl TraceFormat {
    /// Every format, in documentation order.
    pub const ALL: [TraceFormat; 11] = [
        TraceFormat::CloudPhysics,
        TraceFormat::Msr,
        TraceFormat::MsrCut,
        TraceFormat::Tencent,
        TraceFormat::Alibaba,
        TraceFormat::Systor,
        TraceFormat::Spc,
        TraceFormat::Disksim,
        TraceFormat::Fio,
        TraceFormat::Blkparse,
        TraceFormat::BlkparseD,
    ];

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::CloudPhysics => "cloudphysics",
            TraceFormat::Msr => "msr",
            TraceFormat::MsrCut => "msrcut",
            TraceFormat::Tencent => "tencent",
            TraceFormat::Alibaba => "alibaba",
            TraceFormat::Systor => "systor",
            TraceFormat::Spc => "spc",
            TraceFormat::Disksim => "disksim",
            TraceFormat::Fio => "fio",
            TraceFormat::Blkparse => "blkparse",
            TraceFormat::BlkparseD => "blkparse-d",
        }
    }

    /// Whether the format names a device per line (for `device`).
    pub fn has_device(self) -> bool {
        self != TraceFormat::CloudPhysics
    }

    /// Whether rows must be re-sorted by time (completion-order traces).
    pub fn needs_reorder(self) -> bool {
        self == TraceFormat::Systor
    }

    /// A fresh parser.
    pub fn parser(self) -> Box<dyn LineParser> {
        match self {
            TraceFormat::CloudPhysics => Box::new(vscsi::CloudPhysics),
            TraceFormat::Msr => Box::new(msr::Msr),
            TraceFormat::MsrCut => Box::new(disksim::Disksim::bytes()),
            TraceFormat::Tencent => Box::new(cloud::Tencent),
            TraceFormat::Alibaba => Box::new(cloud::Alibaba),
            TraceFormat::Systor => Box::new(systor::Systor),
            TraceFormat::Spc => Box::new(spc::Spc),
            TraceFormat::Disksim => Box::new(disksim::Disksim::sectors()),
            TraceFormat::Fio => Box::new(fio::Fio::default()),
            TraceFormat::Blkparse => Box::new(blkparse::Blkparse { action: "Q" }),
            TraceFormat::BlkparseD => Box::new(blkparse::Blkparse { action: "D" }),
        }
    }
}

impl std::fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
