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
        /// The stream with the earliest next IO (the first listed on a
        /// tie), kept up to date so that peeking costs one read.
        best: usize,
    },
    /// A trace with reads and writes mixed.
    Feed(FeedCursor),
}

/// The stream with the earliest next IO, the first listed on a tie.
fn earliest(streams: &[WriteGenerator]) -> usize {
    let mut best = 0;
    for (i, s) in streams.iter().enumerate().skip(1) {
        if s.peek_time() < streams[best].peek_time() {
            best = i;
        }
    }
    best
}

impl IoSource {
    /// Synthetic streams of one kind (`write` true for writes), merged.
    pub fn streams(streams: Vec<WriteGenerator>, write: bool) -> IoSource {
        IoSource::Streams {
            best: earliest(&streams),
            streams,
            write,
        }
    }

    /// Arrival of the next IO ([`SimTime::MAX`] when exhausted).
    #[inline]
    pub fn peek_time(&self) -> SimTime {
        match self {
            IoSource::Streams { streams, best, .. } => streams
                .get(*best)
                .map_or(SimTime::MAX, WriteGenerator::peek_time),
            IoSource::Feed(c) => c.peek_time(),
        }
    }

    /// The next IO and whether it is a write.
    #[inline(always)]
    pub fn next_io(&mut self) -> Option<(Write, bool)> {
        match self {
            IoSource::Streams {
                streams,
                write,
                best,
            } => {
                let w = streams.get_mut(*best)?.next_write();
                if streams.len() > 1 {
                    *best = earliest(streams);
                }
                Some((w, *write))
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
