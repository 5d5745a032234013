//! SNIA SPC / UMass trace repository CSV: `ASU,LBA,Size,Opcode,Timestamp`;
//! LBA in 512-byte sectors, Size in bytes, Opcode `r`/`w` (either case),
//! Timestamp in seconds. The device is the ASU; extra fields are ignored.

use super::error::LineProblem;
use super::field::{scaled, split, time_ns, uint, unknown_op, Sep, SECTOR};
use super::{LineParser, Parsed, Record};

const NAMES: [&str; 5] = ["ASU", "LBA", "Size", "Opcode", "Timestamp"];

/// Parser of SPC lines.
pub struct Spc;

impl LineParser for Spc {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let [asu, lba, size, op, ts] = split(line, Sep::Comma, &NAMES)?;
        let write = match op {
            "r" | "R" => false,
            "w" | "W" => true,
            _ => return Err(unknown_op("Opcode", op, "r, w")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("Timestamp", ts, 1_000_000_000)?,
                offset: scaled("LBA", uint("LBA", lba)?, SECTOR)?,
                len: uint("Size", size)?,
                write,
            },
            Some(asu),
        ))
    }
}
