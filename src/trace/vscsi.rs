//! CloudPhysics VMware vscsi traces as CSV (libCacheSim's sample): header
//! `version,time,op,size,lbn`; `time` in seconds, `op` the SCSI opcode in
//! hex (`28`/`88` READ(10)/READ(16), `2a`/`8a` WRITE(10)/WRITE(16)),
//! `size` in bytes, `lbn` in 512-byte sectors. No device field.

use super::error::LineProblem;
use super::field::{hex, scaled, split, time_ns, uint, unknown_op, Sep, SECTOR};
use super::{LineParser, Parsed, Record};

const NAMES: [&str; 5] = ["version", "time", "op", "size", "lbn"];

/// Parser of CloudPhysics CSV lines.
pub struct CloudPhysics;

impl LineParser for CloudPhysics {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        if line.starts_with("version") {
            return Ok(Parsed::Ignore);
        }
        let [_, time, op, size, lbn] = split(line, Sep::Comma, &NAMES)?;
        let write = match hex("op", op)? {
            0x28 | 0x88 => false,
            0x2a | 0x8a => true,
            _ => return Err(unknown_op("op", op, "28, 88 (read), 2a, 8a (write)")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("time", time, 1_000_000_000)?,
                offset: scaled("lbn", uint("lbn", lbn)?, SECTOR)?,
                len: uint("size", size)?,
                write,
            },
            None,
        ))
    }
}
