//! Records of one trace file in time order: reads lines, parses them,
//! keeps the selected device, applies the error policy, skips zero-size
//! IOs, re-sorts completion-order formats (SYSTOR, see `systor.rs`) and
//! clamps any remaining out-of-order row to the previous time. Everything
//! left out is counted in [`StreamCounts`].

use super::error::{excerpt, TraceError};
use super::reader::LineReader;
use super::systor::{Reorder, REORDER_WINDOW};
use super::{LineParser, Parsed, Record, TraceFormat};
use std::path::Path;

/// What the stream has seen so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamCounts {
    /// Lines read.
    pub lines: u64,
    /// Malformed lines skipped under `on_error: skip`.
    pub malformed: u64,
    /// IOs of size 0, skipped.
    pub zero_size: u64,
    /// IOs of other devices than the selected one.
    pub other_device: u64,
    /// IOs earlier than the one before them, moved to its time.
    pub clamped: u64,
    /// The first few device ids seen (for messages), at most 8.
    pub devices: Vec<String>,
}

/// Time-ordered records of a trace file.
pub struct RecordStream {
    reader: LineReader,
    path: std::path::PathBuf,
    parser: Box<dyn LineParser>,
    device: Option<String>,
    skip_malformed: bool,
    reorder: Option<Reorder>,
    last_ns: u64,
    /// What was seen so far.
    pub counts: StreamCounts,
}

impl RecordStream {
    /// Opens `path` in `format`, keeping device `device` (if given) and
    /// skipping malformed lines if `skip_malformed`.
    ///
    /// # Errors
    /// [`TraceError::Open`], or [`TraceError::NoDeviceField`] if a device
    /// is asked of a format without one.
    pub fn open(
        path: &Path,
        format: TraceFormat,
        device: Option<&str>,
        skip_malformed: bool,
    ) -> Result<RecordStream, TraceError> {
        if device.is_some() && !format.has_device() {
            return Err(TraceError::NoDeviceField {
                path: path.to_path_buf(),
                format: format.name(),
            });
        }
        Ok(RecordStream {
            reader: LineReader::open(path)?,
            path: path.to_path_buf(),
            parser: format.parser(),
            device: device.map(str::to_string),
            skip_malformed,
            reorder: format.needs_reorder().then(|| Reorder::new(REORDER_WINDOW)),
            last_ns: 0,
            counts: StreamCounts::default(),
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next record and its line number, in non-decreasing time.
    ///
    /// # Errors
    /// [`TraceError::Line`] for a malformed line (unless skipped),
    /// [`TraceError::Read`] if reading fails.
    pub fn next_record(&mut self) -> Result<Option<(u64, Record)>, TraceError> {
        loop {
            let Some((line, mut rec)) = self.next_in_file_order()? else {
                let Some(r) = self.reorder.as_mut() else {
                    return Ok(None);
                };
                let Some(held) = r.pop() else {
                    return Ok(None);
                };
                return Ok(Some(self.clamp(held)));
            };
            if let Some(r) = self.reorder.as_mut() {
                match r.push(line, rec) {
                    Some(held) => return Ok(Some(self.clamp(held))),
                    None => continue,
                }
            }
            rec = self.clamp((line, rec)).1;
            return Ok(Some((line, rec)));
        }
    }

    fn clamp(&mut self, (line, mut rec): (u64, Record)) -> (u64, Record) {
        if rec.time_ns < self.last_ns {
            rec.time_ns = self.last_ns;
            self.counts.clamped += 1;
        }
        self.last_ns = rec.time_ns;
        (line, rec)
    }

    /// The next kept record in file order.
    fn next_in_file_order(&mut self) -> Result<Option<(u64, Record)>, TraceError> {
        loop {
            let Some((line, text)) = self.reader.next_line()? else {
                return Ok(None);
            };
            self.counts.lines += 1;
            let t = text.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let (rec, dev) = match self.parser.parse(t) {
                Ok(Parsed::Io(rec, dev)) => (rec, dev),
                Ok(Parsed::Ignore) => continue,
                Err(_) if self.skip_malformed => {
                    self.counts.malformed += 1;
                    continue;
                }
                Err(p) => {
                    return Err(TraceError::Line {
                        path: self.path.clone(),
                        line,
                        text: excerpt(text),
                        problem: p.problem,
                    })
                }
            };
            if let Some(d) = dev {
                if self.counts.devices.len() < 8 && !self.counts.devices.iter().any(|x| x == d) {
                    self.counts.devices.push(d.to_string());
                }
                if self.device.as_deref().is_some_and(|want| want != d) {
                    self.counts.other_device += 1;
                    continue;
                }
            }
            if rec.len == 0 {
                self.counts.zero_size += 1;
                continue;
            }
            return Ok(Some((line, rec)));
        }
    }
}
