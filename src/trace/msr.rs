//! MSR Cambridge CSV (no header): `Timestamp,Hostname,DiskNumber,Type,
//! Offset,Size,ResponseTime`; Timestamp in Windows FILETIME 100 ns ticks,
//! Type `Read`/`Write`, Offset and Size in bytes. The device is DiskNumber.
//! ResponseTime is not needed and may be absent.

use super::error::LineProblem;
use super::field::{scaled, split, uint, unknown_op, Sep};
use super::{LineParser, Parsed, Record};

const NAMES: [&str; 6] = [
    "Timestamp",
    "Hostname",
    "DiskNumber",
    "Type",
    "Offset",
    "Size",
];

/// Parser of MSR Cambridge CSV lines.
pub struct Msr;

impl LineParser for Msr {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let [ts, _, disk, kind, offset, size] = split(line, Sep::Comma, &NAMES)?;
        let write = if kind.eq_ignore_ascii_case("write") {
            true
        } else if kind.eq_ignore_ascii_case("read") {
            false
        } else {
            return Err(unknown_op("Type", kind, "Read, Write"));
        };
        Ok(Parsed::Io(
            Record {
                time_ns: scaled("Timestamp", uint("Timestamp", ts)?, 100)?,
                offset: uint("Offset", offset)?,
                len: uint("Size", size)?,
                write,
            },
            Some(disk),
        ))
    }
}
