//! Linux `blkparse` default text output:
//! `maj,min cpu seq time pid action rwbs sector + count [process]`; time in
//! seconds, sector and count in 512-byte units. Only lines of the chosen
//! action are IOs: `Q` (queued: what the application asked, the default
//! format `blkparse`) or `D` (issued to the device: format `blkparse-d`).
//! rwbs containing `W` is a write, `R` a read; other rwbs (flush only,
//! discard) and events without a sector range are ignored, as are lines
//! that do not start with `maj,min` (blkparse's closing summary). The
//! device is `maj,min`.

use super::error::LineProblem;
use super::field::{scaled, split, time_ns, uint, Sep, SECTOR};
use super::{LineParser, Parsed, Record};

const NAMES: [&str; 7] = ["maj,min", "cpu", "seq", "time", "pid", "action", "rwbs"];

/// Parser of blkparse lines taking events of one action.
pub struct Blkparse {
    /// `"Q"` or `"D"`.
    pub action: &'static str,
}

fn is_device(s: &str) -> bool {
    s.split_once(',').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

impl LineParser for Blkparse {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        let first = line.split_ascii_whitespace().next().unwrap_or("");
        if !is_device(first) {
            return Ok(Parsed::Ignore);
        }
        let [dev, _, _, time, _, action, rwbs] = split(line, Sep::Space, &NAMES)?;
        if action != self.action {
            return Ok(Parsed::Ignore);
        }
        let write = if rwbs.contains('W') {
            true
        } else if rwbs.contains('R') {
            false
        } else {
            return Ok(Parsed::Ignore);
        };
        let mut rest = line.split_ascii_whitespace().skip(7);
        let (Some(sector), Some(plus), Some(count)) = (rest.next(), rest.next(), rest.next())
        else {
            return Ok(Parsed::Ignore);
        };
        if sector.starts_with('[') {
            return Ok(Parsed::Ignore);
        }
        if plus != "+" {
            return Err(LineProblem::new(format!(
                "expected `sector + count` after rwbs, found \"{sector} {plus} {count}\""
            )));
        }
        Ok(Parsed::Io(
            Record {
                time_ns: time_ns("time", time, 1_000_000_000)?,
                offset: scaled("sector", uint("sector", sector)?, SECTOR)?,
                len: scaled("count", uint("count", count)?, SECTOR)?,
                write,
            },
            Some(dev),
        ))
    }
}
