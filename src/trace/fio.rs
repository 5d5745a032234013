//! fio iolog, versions 2 and 3. The first line is the header
//! `fio version 2 iolog` or `fio version 3 iolog`. Lines are
//! - v2: `filename action [offset length]`,
//! - v3: `timestamp filename action [offset length]`, timestamp in ms from
//!   the start of the run.
//!
//! Actions: `add`, `open`, `close` (file actions, ignored), `read`, `write`
//! (IOs: offset and length in bytes), `sync`, `datasync`, `trim` (ignored:
//! they change no snapshot block), `wait` (v2: the clock advances by its
//! argument, in µs; v2 IOs carry the clock, which starts at 0; v3: ignored,
//! the timestamps say when). The device is the file name.

use super::error::LineProblem;
use super::field::{scaled, time_ns, uint, unknown_op};
use super::{LineParser, Parsed, Record};

/// Parser of fio iolog lines; keeps the version and the v2 clock.
#[derive(Default)]
pub struct Fio {
    version: Option<u8>,
    clock_ns: u64,
}

const ACTIONS: &str = "add, open, close, read, write, sync, datasync, trim, wait";

impl LineParser for Fio {
    fn parse<'a>(&mut self, line: &'a str) -> Result<Parsed<'a>, LineProblem> {
        if let Some(rest) = line.strip_prefix("fio version ") {
            self.version = match rest.trim() {
                "2 iolog" => Some(2),
                "3 iolog" => Some(3),
                _ => {
                    return Err(LineProblem::new(format!(
                        "unsupported iolog header \"{line}\" (versions 2 and 3 are read)"
                    )))
                }
            };
            return Ok(Parsed::Ignore);
        }
        let Some(version) = self.version else {
            return Err(LineProblem::new(
                "missing header: an iolog starts with `fio version 2 iolog` or `fio version 3 iolog`",
            ));
        };
        let mut it = line.split_ascii_whitespace();
        let time = if version == 3 {
            let ts = it
                .next()
                .ok_or_else(|| LineProblem::new("truncated line: field `timestamp` is missing"))?;
            Some(time_ns("timestamp", ts, 1_000_000)?)
        } else {
            None
        };
        let file = it
            .next()
            .ok_or_else(|| LineProblem::new("truncated line: field `filename` is missing"))?;
        let action = it
            .next()
            .ok_or_else(|| LineProblem::new("truncated line: field `action` is missing"))?;
        let write = match action {
            "read" => false,
            "write" => true,
            "add" | "open" | "close" | "sync" | "datasync" | "trim" => return Ok(Parsed::Ignore),
            "wait" => {
                if version == 2 {
                    let us = it.next().ok_or_else(|| {
                        LineProblem::new("truncated line: the wait time (µs) is missing")
                    })?;
                    let ns = scaled("wait", uint("wait", us)?, 1_000)?;
                    self.clock_ns = self.clock_ns.saturating_add(ns);
                }
                return Ok(Parsed::Ignore);
            }
            _ => return Err(unknown_op("action", action, ACTIONS)),
        };
        let offset = it
            .next()
            .ok_or_else(|| LineProblem::new("truncated line: field `offset` is missing"))?;
        let len = it
            .next()
            .ok_or_else(|| LineProblem::new("truncated line: field `length` is missing"))?;
        Ok(Parsed::Io(
            Record {
                time_ns: time.unwrap_or(self.clock_ns),
                offset: uint("offset", offset)?,
                len: uint("length", len)?,
                write,
            },
            Some(file),
        ))
    }
}
