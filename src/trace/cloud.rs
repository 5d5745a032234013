//! Cloud block-storage CSV traces (no header):
//! - Tencent CBS: `Timestamp,Offset,Size,IOType,VolumeID`; Timestamp in
//!   seconds, Offset and Size in 512-byte sectors, IOType `0` read, `1`
//!   write; the device is VolumeID.
//! - Alibaba Cloud (2020): `device_id,opcode,offset,length,timestamp`;
//!   opcode `R`/`W`, offset and length in bytes, timestamp in µs; the
//!   device is device_id.

use super::error::LineProblem;
use super::field::{scaled, split, time_ns, uint, unknown_op, Sep, SECTOR};
use super::{LineParser, Parsed, Record};

const TENCENT: [&str; 5] = ["Timestamp", "Offset", "Size", "IOType", "VolumeID"];
const ALIBABA: [&str; 5] = ["device_id", "opcode", "offset", "length", "timestamp"];

/// Parser of Tencent CBS lines.
pub struct Tencent;

impl LineParser for Tencent {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let [ts, offset, size, kind, volume] = split(line, Sep::Comma, &TENCENT)?;
        let write = match kind {
            "0" => false,
            "1" => true,
            _ => return Err(unknown_op("IOType", kind, "0 (read), 1 (write)")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("Timestamp", ts, 1_000_000_000)?,
                offset: scaled("Offset", uint("Offset", offset)?, SECTOR)?,
                len: scaled("Size", uint("Size", size)?, SECTOR)?,
                write,
            },
            Some(volume),
        ))
    }
}

/// Parser of Alibaba Cloud block trace lines.
pub struct Alibaba;

impl LineParser for Alibaba {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let [device, op, offset, len, ts] = split(line, Sep::Comma, &ALIBABA)?;
        let write = match op {
            "R" | "r" => false,
            "W" | "w" => true,
            _ => return Err(unknown_op("opcode", op, "R, W")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("timestamp", ts, 1_000)?,
                offset: uint("offset", offset)?,
                len: uint("length", len)?,
                write,
            },
            Some(device),
        ))
    }
}
