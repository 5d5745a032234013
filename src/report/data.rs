//! A run's saved results read back: `summary.json` and the three CSV files,
//! parsed into [`ReportData`], the only input of the charts and the report.
//!
//! Both `snapsim run` (on the bytes it is about to write) and
//! `snapsim report DIR` (on the bytes it reads) go through
//! [`ReportData::parse`], so the report depends on nothing but the file
//! contents and is reproduced byte for byte from a saved directory.
//!
//! `summary.json` is read into the typed [`RunSummary`] (its types derive
//! `Deserialize` with the same field names they serialise), through
//! `serde_path_to_error` so that a bad field is named by its JSON path. The
//! CSV files are read by header name, so added columns do not break old
//! readers. Every problem becomes a [`LoadError`] naming the file, the line
//! or path and what is wrong.

use crate::metrics::{IoStep, RunSummary, SUMMARY_SCHEMA_VERSION};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The files the report reads, in the order they are checked.
pub const INPUT_FILES: [&str; 4] = [
    "summary.json",
    "snapshots.csv",
    "storage.csv",
    "timeseries.csv",
];

/// Why saved results cannot be read.
#[derive(Debug, Error)]
pub enum LoadError {
    /// The results directory is not there.
    #[error("{dir}: no such results directory; run `snapsim run SCENARIO --out {dir}` first")]
    MissingDir {
        /// The directory asked for.
        dir: PathBuf,
    },
    /// A result file is missing or unreadable.
    #[error("{path}: cannot read ({cause}); every results directory holds {files}", files = INPUT_FILES.join(", "))]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        cause: std::io::Error,
    },
    /// A file was read but its contents are not what `snapsim run` writes.
    #[error("{file}: {message}")]
    Corrupt {
        /// File name (within the results directory).
        file: String,
        /// What is wrong, with the line or JSON path.
        message: String,
    },
}

fn corrupt(file: &str, message: impl Into<String>) -> LoadError {
    LoadError::Corrupt {
        file: file.to_string(),
        message: message.into(),
    }
}

/// One CreateSnapshot request, from `snapshots.csv`. Times are seconds of
/// simulated time since the start [s].
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRow {
    /// Index of the volume in `summary.volumes`.
    pub volume: usize,
    /// `pending`, `completed`, `deleted`, `rejected` or `skipped`.
    pub state: String,
    /// When the call was made [s].
    pub requested_at: f64,
    /// When it completed [s].
    pub completed_at: Option<f64>,
    /// Request to completion [s].
    pub duration_seconds: Option<f64>,
    /// Delta size [B].
    pub delta_bytes: u64,
    /// API error code of a rejected (or skipped) request.
    pub error: Option<String>,
    /// IO pause (freeze, unmount) or instance downtime (stop) around the
    /// request [s]; 0 in crash mode.
    pub pause_seconds: f64,
    /// Data still in the guest's write-back cache at the point in time, so
    /// not in the snapshot (crash mode) [B].
    pub left_out_bytes: u64,
    /// The multi-volume snapshot set the request belongs to, if any.
    pub set_id: Option<String>,
    /// When every snapshot of the set had completed [s].
    pub set_completed_at: Option<f64>,
}

impl SnapshotRow {
    /// Whether the request created a snapshot.
    pub fn is_accepted(&self) -> bool {
        matches!(self.state.as_str(), "pending" | "completed" | "deleted")
    }
}

/// Stored bytes of one volume from `time_seconds` on, from `storage.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageRow {
    /// When the value changed [s].
    pub time_seconds: f64,
    /// Volume index.
    pub volume: usize,
    /// Stored bytes from then on [B].
    pub stored_bytes: u64,
}

/// One volume during one time-series step, from `timeseries.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesRow {
    /// Start of the step [s].
    pub time_seconds: f64,
    /// Volume index.
    pub volume: usize,
    /// Snapshots pending at the start of the step.
    pub pending: u32,
    /// Mean upload rate over the step [B/s].
    pub upload_bytes_per_second: f64,
    /// IO-fidelity columns; `None` when all of them are empty (flow fidelity).
    pub io: Option<IoStep>,
}

/// Everything the charts and the report are made from.
#[derive(Clone, Debug)]
pub struct ReportData {
    /// `summary.json`.
    pub summary: RunSummary,
    /// `snapshots.csv`, in file order.
    pub snapshots: Vec<SnapshotRow>,
    /// `storage.csv`, in file order.
    pub storage: Vec<StorageRow>,
    /// `timeseries.csv`, in file order.
    pub timeseries: Vec<SeriesRow>,
}

impl ReportData {
    /// Reads the [`INPUT_FILES`] of `dir` into memory (name, bytes).
    ///
    /// # Errors
    /// [`LoadError::MissingDir`] or [`LoadError::Read`] naming the path.
    pub fn read_dir(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, LoadError> {
        if !dir.is_dir() {
            return Err(LoadError::MissingDir {
                dir: dir.to_path_buf(),
            });
        }
        INPUT_FILES
            .iter()
            .map(|name| {
                let path = dir.join(name);
                // Only a regular file: a FIFO put there would block the read.
                let (mut file, size) =
                    crate::trace::input::open_regular(&path).map_err(|p| LoadError::Read {
                        path: path.clone(),
                        cause: match p {
                            crate::trace::input::InputProblem::Io(e) => e,
                            other => std::io::Error::other(other.to_string()),
                        },
                    })?;
                let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                std::io::Read::read_to_end(&mut file, &mut bytes)
                    .map(|_| (name.to_string(), bytes))
                    .map_err(|cause| LoadError::Read { path, cause })
            })
            .collect()
    }

    /// Parses result files given as (name, bytes); other names are ignored.
    ///
    /// # Errors
    /// [`LoadError`] naming the first missing or malformed file.
    pub fn parse(files: &[(String, Vec<u8>)]) -> Result<ReportData, LoadError> {
        let get = |name: &str| -> Result<&[u8], LoadError> {
            files
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, b)| b.as_slice())
                .ok_or_else(|| corrupt(name, "is missing from the results"))
        };
        let summary = parse_summary(get("summary.json")?)?;
        let names: HashMap<&str, usize> = summary
            .volumes
            .iter()
            .enumerate()
            .map(|(i, v)| (v.name.as_str(), i))
            .collect();
        let snapshots = Csv::parse("snapshots.csv", get("snapshots.csv")?)?.rows(|r| {
            Ok(SnapshotRow {
                volume: r.volume("VolumeName", &names)?,
                state: r.text("State")?.to_string(),
                requested_at: r.number("RequestedAt")?,
                completed_at: r.optional_number("CompletedAt")?,
                duration_seconds: r.optional_number("DurationSeconds")?,
                delta_bytes: r.integer("DeltaBytes")?,
                error: Some(r.text("Error")?.to_string()).filter(|e| !e.is_empty()),
                pause_seconds: r.added("PauseSeconds", Row::number)?.unwrap_or(0.0),
                left_out_bytes: r.added("LeftOutBytes", Row::integer)?.unwrap_or(0),
                set_id: r
                    .added("SetId", |r, c| r.text(c).map(str::to_string))?
                    .filter(|id| !id.is_empty()),
                set_completed_at: r.added("SetCompletedAt", Row::optional_number)?.flatten(),
            })
        })?;
        let storage = Csv::parse("storage.csv", get("storage.csv")?)?.rows(|r| {
            Ok(StorageRow {
                time_seconds: r.number("time_seconds")?,
                volume: r.volume("volume", &names)?,
                stored_bytes: r.integer("stored_bytes")?,
            })
        })?;
        let timeseries = Csv::parse("timeseries.csv", get("timeseries.csv")?)?.rows(|r| {
            Ok(SeriesRow {
                time_seconds: r.number("time_seconds")?,
                volume: r.volume("volume", &names)?,
                pending: u32::try_from(r.integer("pending")?)
                    .map_err(|_| r.bad("pending", "is too large"))?,
                upload_bytes_per_second: r.number("upload_bytes_per_second")?,
                io: io_step(r)?,
            })
        })?;
        Ok(ReportData {
            summary,
            snapshots,
            storage,
            timeseries,
        })
    }

    /// Whether any time-series step carries IO-fidelity latency figures.
    pub fn has_io_series(&self) -> bool {
        self.timeseries.iter().any(|r| r.io.is_some())
    }

    /// Whether any volume reports consistency pauses or data left out by a
    /// guest cache (a `consistency` entry in its summary).
    pub fn has_consistency(&self) -> bool {
        self.summary.volumes.iter().any(|v| v.consistency.is_some())
    }

    /// Whether the run has multi-volume snapshot sets.
    pub fn has_sets(&self) -> bool {
        !self.summary.groups.is_empty()
    }

    /// Whether any volume has latency percentiles by pending level.
    pub fn has_latency(&self) -> bool {
        self.summary
            .volumes
            .iter()
            .any(|v| v.latency.as_ref().is_some_and(|l| !l.is_empty()))
    }

    /// The time of day of simulated time zero [s after midnight UTC]: the
    /// scenario's `start` (an RFC 3339 UTC timestamp), or its default.
    pub fn clock_at_zero(&self) -> f64 {
        clock_at_zero(&self.summary.scenario_source)
    }
}

/// The time of day [s after midnight UTC] of the `start` of a scenario as
/// parsed (its default when absent or unreadable: the scenario was
/// validated before it ran).
pub fn clock_at_zero(source: &serde_json::Value) -> f64 {
    let start = source
        .get("start")
        .and_then(serde_json::Value::as_str)
        .and_then(|s| humantime::parse_rfc3339(s).ok())
        .unwrap_or(
            std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(crate::scenario::DEFAULT_START_UNIX_SECS),
        );
    crate::metrics::window::clock_at_zero(start)
}

fn parse_summary(bytes: &[u8]) -> Result<RunSummary, LoadError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let summary: RunSummary = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            corrupt("summary.json", format!("is not a run summary: {inner}"))
        } else {
            corrupt("summary.json", format!("{path}: {inner}"))
        }
    })?;
    if summary.schema_version != SUMMARY_SCHEMA_VERSION {
        return Err(corrupt(
            "summary.json",
            format!(
                "schema_version {} is not supported (this snapsim reads {SUMMARY_SCHEMA_VERSION}); \
                 rerun the scenario with this version",
                summary.schema_version
            ),
        ));
    }
    Ok(summary)
}

const IO_COLUMNS: [&str; 8] = [
    "reads_per_second",
    "read_bytes_per_second",
    "read_p50_us",
    "read_p99_us",
    "write_p50_us",
    "write_p99_us",
    "iops_tokens",
    "burst_credits",
];

/// The IO columns of a row: `None` if they are absent or all empty; an empty
/// cell among filled ones is NaN (no IO of that kind in the step).
fn io_step(r: &Row<'_>) -> Result<Option<IoStep>, LoadError> {
    let mut v = [f64::NAN; 8];
    let mut any = false;
    for (slot, col) in v.iter_mut().zip(IO_COLUMNS) {
        if r.csv.column(col).is_none() {
            return Ok(None);
        }
        if let Some(x) = r.optional_number(col)? {
            *slot = x;
            any = true;
        }
    }
    Ok(any.then_some(IoStep {
        reads_per_second: v[0],
        read_bytes_per_second: v[1],
        read_p50_us: v[2],
        read_p99_us: v[3],
        write_p50_us: v[4],
        write_p99_us: v[5],
        iops_tokens: v[6],
        burst_credits: v[7],
    }))
}

/// A parsed CSV file: header and records (RFC 4180 quoting).
struct Csv {
    file: &'static str,
    header: Vec<String>,
    /// (line number of the record's start, cells).
    records: Vec<(usize, Vec<String>)>,
}

impl Csv {
    fn parse(file: &'static str, bytes: &[u8]) -> Result<Csv, LoadError> {
        let text =
            std::str::from_utf8(bytes).map_err(|e| corrupt(file, format!("is not UTF-8: {e}")))?;
        let mut records = Vec::new();
        let (mut cells, mut cell) = (Vec::new(), String::new());
        let (mut line, mut start_line) = (1usize, 1usize);
        let (mut quoted, mut at_cell_start) = (false, true);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        cell.push(c);
                    }
                    _ => cell.push(c),
                }
                continue;
            }
            match c {
                '"' if at_cell_start => {
                    quoted = true;
                    at_cell_start = false;
                }
                ',' => {
                    cells.push(std::mem::take(&mut cell));
                    at_cell_start = true;
                }
                '\r' => {}
                '\n' => {
                    cells.push(std::mem::take(&mut cell));
                    records.push((start_line, std::mem::take(&mut cells)));
                    line += 1;
                    start_line = line;
                    at_cell_start = true;
                }
                _ => {
                    cell.push(c);
                    at_cell_start = false;
                }
            }
        }
        if quoted {
            return Err(corrupt(
                file,
                format!("line {start_line}: a quoted cell is never closed"),
            ));
        }
        if !cell.is_empty() || !cells.is_empty() {
            cells.push(cell);
            records.push((start_line, cells));
        }
        if records.is_empty() {
            return Err(corrupt(file, "is empty; expected a header line"));
        }
        let (_, header) = records.remove(0);
        for (n, cells) in &records {
            if cells.len() != header.len() {
                return Err(corrupt(
                    file,
                    format!(
                        "line {n}: {} cells, but the header has {} columns",
                        cells.len(),
                        header.len()
                    ),
                ));
            }
        }
        Ok(Csv {
            file,
            header,
            records,
        })
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn rows<T>(
        &self,
        mut f: impl FnMut(&Row<'_>) -> Result<T, LoadError>,
    ) -> Result<Vec<T>, LoadError> {
        self.records
            .iter()
            .map(|(line, cells)| {
                f(&Row {
                    csv: self,
                    line: *line,
                    cells,
                })
            })
            .collect()
    }
}

/// One record, with typed accessors that name the file, line and column.
struct Row<'a> {
    csv: &'a Csv,
    line: usize,
    cells: &'a [String],
}

impl Row<'_> {
    fn bad(&self, col: &str, what: impl std::fmt::Display) -> LoadError {
        corrupt(
            self.csv.file,
            format!("line {}, column `{col}`: {what}", self.line),
        )
    }

    fn text(&self, col: &str) -> Result<&str, LoadError> {
        let i = self
            .csv
            .column(col)
            .ok_or_else(|| corrupt(self.csv.file, format!("the header has no column `{col}`")))?;
        Ok(self.cells[i].as_str())
    }

    /// `read` of a column added after the first files were written: `None`
    /// when the file has no such column (an older run), so old results still
    /// load.
    fn added<T>(
        &self,
        col: &str,
        read: impl FnOnce(&Self, &str) -> Result<T, LoadError>,
    ) -> Result<Option<T>, LoadError> {
        match self.csv.column(col) {
            Some(_) => read(self, col).map(Some),
            None => Ok(None),
        }
    }

    fn optional_number(&self, col: &str) -> Result<Option<f64>, LoadError> {
        let t = self.text(col)?;
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Some(x)),
            _ => Err(self.bad(col, format!("`{t}` is not a finite number"))),
        }
    }

    fn number(&self, col: &str) -> Result<f64, LoadError> {
        self.optional_number(col)?
            .ok_or_else(|| self.bad(col, "is empty; expected a number"))
    }

    fn integer(&self, col: &str) -> Result<u64, LoadError> {
        let t = self.text(col)?;
        t.parse::<u64>()
            .map_err(|_| self.bad(col, format!("`{t}` is not a whole number")))
    }

    fn volume(&self, col: &str, names: &HashMap<&str, usize>) -> Result<usize, LoadError> {
        let t = self.text(col)?;
        names
            .get(t)
            .copied()
            .ok_or_else(|| self.bad(col, format!("volume `{t}` is not in summary.json")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_quoted_cells_and_names_the_line_of_a_bad_cell() {
        let csv = Csv::parse("x.csv", b"a,b\n\"1,5\",\"say \"\"hi\"\"\"\n2,z\n").unwrap();
        assert_eq!(csv.records[0].1, vec!["1,5", "say \"hi\""]);
        let err = csv.rows(|r| r.number("b")).unwrap_err().to_string();
        assert!(err.contains("x.csv: line 2, column `b`"), "{err}");
        let err = Csv::parse("y.csv", b"a,b\n1\n").err().unwrap().to_string();
        assert!(err.contains("line 2: 1 cells"), "{err}");
    }

    #[test]
    fn columns_added_later_read_as_absent_in_older_files_but_are_checked_when_present() {
        let old = Csv::parse("s.csv", b"a\n1\n").unwrap();
        assert_eq!(
            old.rows(|r| r.added("PauseSeconds", Row::number)).unwrap(),
            [None]
        );
        let new = Csv::parse("s.csv", b"a,PauseSeconds\n1,2.5\n2,x\n").unwrap();
        let err = new
            .rows(|r| r.added("PauseSeconds", Row::number))
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3, column `PauseSeconds`"), "{err}");
    }
}
