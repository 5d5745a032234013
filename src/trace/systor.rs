//! SYSTOR'17 VDI traces: header `Timestamp,Response,IOType,LUN,Offset,Size`;
//! Timestamp in seconds with a fraction, IOType `R`/`W`, Offset and Size in
//! bytes; the device is the LUN.
//!
//! Rows are in completion order, so arrival times go backwards by up to a
//! response time. [`Reorder`] restores arrival order with a bounded
//! reorder buffer: a min-heap of the last [`REORDER_WINDOW`] records, the
//! oldest released once the window is full. A record that arrives later
//! than [`REORDER_WINDOW`] rows after its turn cannot be placed and is
//! clamped like any out-of-order row (and counted). The SYSTOR sample (999
//! rows) fits in the window, so its order is exact.

use super::error::LineProblem;
use super::field::{split, time_ns, uint, unknown_op, Sep};
use super::{LineParser, Parsed, Record};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const NAMES: [&str; 6] = ["Timestamp", "Response", "IOType", "LUN", "Offset", "Size"];

/// Records held back to restore arrival order.
pub const REORDER_WINDOW: usize = 1 << 16;

/// Parser of SYSTOR'17 lines.
pub struct Systor;

impl LineParser for Systor {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        if line.starts_with("Timestamp") {
            return Ok(Parsed::Ignore);
        }
        let [ts, _, kind, lun, offset, size] = split(line, Sep::Comma, &NAMES)?;
        let write = match kind {
            "R" | "r" => false,
            "W" | "w" => true,
            _ => return Err(unknown_op("IOType", kind, "R, W")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("Timestamp", ts, 1_000_000_000)?,
                offset: uint("Offset", offset)?,
                len: uint("Size", size)?,
                write,
            },
            Some(lun),
        ))
    }
}

/// A held record: (time [ns], line, offset [B], length [B], write), ordered
/// by time, then line.
type Held = (u64, u64, u64, u64, bool);

/// A bounded reorder buffer: records go in in file order and come out in
/// (time, file line) order as long as no record is more than `window` rows
/// late.
pub struct Reorder {
    heap: BinaryHeap<Reverse<Held>>,
    window: usize,
}

impl Reorder {
    /// An empty buffer holding up to `window` records.
    pub fn new(window: usize) -> Reorder {
        Reorder {
            heap: BinaryHeap::new(),
            window: window.max(1),
        }
    }

    /// Adds the record of `line`; returns the earliest one if the buffer
    /// is over its window.
    pub fn push(&mut self, line: u64, r: Record) -> Option<(u64, Record)> {
        self.heap
            .push(Reverse((r.time_ns, line, r.offset, r.len, r.write)));
        if self.heap.len() > self.window {
            self.pop()
        } else {
            None
        }
    }

    /// Removes the earliest record (at the end of the file).
    pub fn pop(&mut self) -> Option<(u64, Record)> {
        self.heap
            .pop()
            .map(|Reverse((time_ns, line, offset, len, write))| {
                (
                    line,
                    Record {
                        time_ns,
                        offset,
                        len,
                        write,
                    },
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(t: u64) -> Record {
        Record {
            time_ns: t,
            offset: 0,
            len: 1,
            write: true,
        }
    }

    #[test]
    fn reorders_within_the_window() {
        let mut r = Reorder::new(2);
        let mut out = Vec::new();
        for (i, t) in [5, 3, 4, 9, 8].into_iter().enumerate() {
            out.extend(r.push(i as u64 + 1, rec(t)).map(|(_, x)| x.time_ns));
        }
        while let Some((_, x)) = r.pop() {
            out.push(x.time_ns);
        }
        assert_eq!(out, vec![3, 4, 5, 8, 9]);
    }
}
