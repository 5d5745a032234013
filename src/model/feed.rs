//! Externally supplied IO streams (trace replay), as the model sees them.
//!
//! The model never opens files: a workload that comes from a trace is an
//! [`IoFeedFactory`] supplied with the configuration, implemented outside the
//! model (`crate::trace`). Each run opens its own [`IoFeed`], so sweeps and
//! replications replay the trace from the start.

use crate::engine::SimTime;
use std::fmt;
use std::sync::Arc;

/// One IO of a feed, already mapped into the volume and the scenario's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedIo {
    /// Arrival instant; a feed yields IOs in non-decreasing `at`.
    pub at: SimTime,
    /// First byte [B], inside the volume.
    pub offset: u64,
    /// Bytes [B], at least 1; `offset + len` inside the volume.
    pub len: u64,
    /// Write (true) or read (false).
    pub write: bool,
}

/// Why a feed stopped early; the message names the source, line and fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedError(pub String);

impl fmt::Display for FeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FeedError {}

/// A stream of IOs in time order.
pub trait IoFeed: Send {
    /// The next IO, `Ok(None)` at the end, or the error that stopped the
    /// feed.
    fn next_io(&mut self) -> Result<Option<FeedIo>, FeedError>;
}

/// Opens a fresh feed for one run.
pub trait IoFeedFactory: Send + Sync + fmt::Debug {
    /// A feed positioned at the first IO.
    ///
    /// # Errors
    /// A [`FeedError`] naming the source and the problem.
    fn open(&self) -> Result<Box<dyn IoFeed>, FeedError>;

    /// A short description for reports (format and file name).
    fn describe(&self) -> String;

    /// Lines (records) one run reads, every lap of a looping replay
    /// included: the work estimate of a run counts them.
    fn lines_per_run(&self) -> u128;

    /// What the source holds and what it skipped, for the run summary.
    fn stats(&self) -> crate::metrics::summary::TraceStats;
}

/// A shareable factory, as stored in the configuration.
pub type SharedFeed = Arc<dyn IoFeedFactory>;

/// A feed with one IO of look-ahead, so the model can ask when the next IO
/// arrives. An error is kept and reported once the run stops.
pub struct FeedCursor {
    feed: Box<dyn IoFeed>,
    head: Option<FeedIo>,
    /// The error that ended the feed, if any.
    pub error: Option<FeedError>,
}

impl FeedCursor {
    /// A cursor over `feed`, reading its first IO.
    pub fn new(feed: Box<dyn IoFeed>) -> FeedCursor {
        let mut c = FeedCursor {
            feed,
            head: None,
            error: None,
        };
        c.advance();
        c
    }

    fn advance(&mut self) {
        self.head = match self.feed.next_io() {
            Ok(io) => io,
            Err(e) => {
                self.error = Some(e);
                None
            }
        };
    }

    /// Arrival of the next IO, or [`SimTime::MAX`] when the feed is done.
    #[inline]
    pub fn peek_time(&self) -> SimTime {
        self.head.map_or(SimTime::MAX, |io| io.at)
    }

    /// Takes the next IO.
    // Not an Iterator: the cursor also peeks and keeps the feed's error.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<FeedIo> {
        let io = self.head.take();
        if io.is_some() {
            self.advance();
        }
        io
    }
}
