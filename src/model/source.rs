//! Where a volume's IOs come from: one or more synthetic streams merged in
//! time order (a mixture), or a replayed trace feed.

use super::feed::{FeedCursor, FeedError};
use super::workload::{Write, WriteGenerator};
use crate::engine::SimTime;

/// An ordered source of IOs for one volume.
pub enum IoSource {
    /// Synthetic streams of one kind (`write` true for writes), merged by
    /// arrival time; ties go to the stream listed first.
    Streams {
        /// The streams.
        streams: Vec<WriteGenerator>,
        /// Whether they are writes.
        write: bool,
    },
    /// A trace with reads and writes mixed.
    Feed(FeedCursor),
}

impl IoSource {
    /// Arrival of the next IO ([`SimTime::MAX`] when exhausted).
    #[inline]
    pub fn peek_time(&self) -> SimTime {
        match self {
            IoSource::Streams { streams, .. } => streams
                .iter()
                .map(WriteGenerator::peek_time)
                .min()
                .unwrap_or(SimTime::MAX),
            IoSource::Feed(c) => c.peek_time(),
        }
    }

    /// The next IO and whether it is a write.
    #[inline(always)]
    pub fn next_io(&mut self) -> Option<(Write, bool)> {
        match self {
            IoSource::Streams { streams, write } => {
                let mut best = 0;
                for (i, s) in streams.iter().enumerate().skip(1) {
                    if s.peek_time() < streams[best].peek_time() {
                        best = i;
                    }
                }
                let g = streams.get_mut(best)?;
                Some((g.next_write(), *write))
            }
            IoSource::Feed(c) => c.next().map(|io| {
                (
                    Write {
                        at: io.at,
                        offset: io.offset,
                        len: io.len,
                    },
                    io.write,
                )
            }),
        }
    }

    /// The error that ended a trace feed early, if any.
    pub fn error(&self) -> Option<&FeedError> {
        match self {
            IoSource::Feed(c) => c.error.as_ref(),
            IoSource::Streams { .. } => None,
        }
    }
}
