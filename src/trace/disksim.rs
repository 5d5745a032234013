//! Space-separated DiskSim ASCII traces and the MSR "cut" variant:
//! - `disksim`: `ts_ms devno lba size flag`; lba and size in 512-byte
//!   sectors, flag `1` read, `0` write (also the MSN file-server sample).
//! - `msrcut`: `ts_ms devno offset size rw`; offset and size in bytes,
//!   rw `1` read, `0` write (the `msr.cut.per_10k.*.trace` files).
//!
//! Times are milliseconds; the device is devno.

use super::error::LineProblem;
use super::field::{scaled, split, time_ns, uint, unknown_op, Sep, SECTOR};
use super::{LineParser, Parsed, Record};

const DISKSIM: [&str; 5] = ["ts_ms", "devno", "lba", "size", "flag"];
const MSRCUT: [&str; 5] = ["ts_ms", "devno", "offset", "size", "rw"];

/// Parser of DiskSim-style lines; `unit` is the address unit [B].
pub struct Disksim {
    /// 512 for `disksim` (sectors), 1 for `msrcut` (bytes).
    pub unit: u64,
}

impl Disksim {
    /// The `disksim` format (sectors).
    pub fn sectors() -> Disksim {
        Disksim { unit: SECTOR }
    }

    /// The `msrcut` format (bytes).
    pub fn bytes() -> Disksim {
        Disksim { unit: 1 }
    }
}

impl LineParser for Disksim {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let names = if self.unit == 1 { &MSRCUT } else { &DISKSIM };
        let [ts, dev, offset, size, flag] = split(line, Sep::Space, names)?;
        let write = match flag {
            "1" => false,
            "0" => true,
            _ => return Err(unknown_op(names[4], flag, "1 (read), 0 (write)")),
        };
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("ts_ms", ts, 1_000_000)?,
                offset: scaled(names[2], uint(names[2], offset)?, self.unit)?,
                len: scaled("size", uint("size", size)?, self.unit)?,
                write,
            },
            Some(dev),
        ))
    }
}
