//! `runs.jsonl`: the durable journal of a sweep. The first line is a
//! [`Header`] (which scenario, which shard); every further line is one
//! finished [`RunRecord`], appended, flushed and fsync'd as the run
//! finishes, so a crash loses at most the runs in flight. A last line
//! without its newline is a write cut short by a crash and is ignored (and
//! cut off before appending again).
//!
//! At the end of a sweep the journal is rewritten sorted by (point,
//! replication), so the final file never shows the order of completion.

use super::error::SweepError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Layout version of `runs.jsonl` (and `sweep.json`).
pub const SWEEP_SCHEMA_VERSION: u32 = 1;

/// Which deterministic subset of the runs a process computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 0-based shard index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` (0 <= I < N).
    ///
    /// # Errors
    /// [`SweepError::BadShard`].
    pub fn parse(text: &str) -> Result<Shard, SweepError> {
        let bad = |problem: &str| SweepError::BadShard {
            text: text.to_string(),
            problem: problem.to_string(),
        };
        let (i, n) = text.split_once('/').ok_or_else(|| bad("no '/'"))?;
        let index: u32 = i
            .trim()
            .parse()
            .map_err(|_| bad("I is not a whole number"))?;
        let count: u32 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if count == 0 || index >= count {
            return Err(bad("I must be below N, and N at least 1"));
        }
        Ok(Shard { index, count })
    }
}

/// First line of `runs.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always [`SWEEP_SCHEMA_VERSION`].
    pub snapsim_sweep_runs: u32,
    /// Scenario name.
    pub scenario: String,
    /// Hash of the scenario JSON (with its sweep section), to refuse mixing
    /// runs of different scenarios; 16 hex digits.
    pub scenario_hash: String,
    /// The shard, or `null` for a whole sweep (and a merge).
    pub shard: Option<Shard>,
    /// The scenario file as parsed, so a merge needs nothing else.
    pub source: Value,
}

/// Outcome of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Finished; `metrics` holds its row.
    Ok,
    /// Refused or crashed; `error` says why.
    Failed,
}

/// One finished run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Point index.
    pub point: usize,
    /// Replication index.
    pub replication: u32,
    /// Seed the run used.
    pub seed: u64,
    /// `ok` or `failed`.
    pub status: RunStatus,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The run's metrics row (`metrics::run_metrics`), in row order;
    /// absent metrics are left out.
    pub metrics: serde_json::Map<String, Value>,
    /// The parameter value of a `snapsim plan` candidate (its runs are
    /// keyed by value and replication; `point` is then 0); absent in a
    /// sweep's records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

impl RunRecord {
    /// The value of `metric`, if the run has it.
    pub fn metric(&self, metric: &str) -> Option<f64> {
        self.metrics.get(metric).and_then(Value::as_f64)
    }

    /// (point, replication): the sort key of every output.
    pub fn key(&self) -> (usize, u32) {
        (self.point, self.replication)
    }
}

/// A journal read back: its header, its complete records in file order, and
/// the length in bytes of the part that holds them.
pub struct Journal {
    /// The header line.
    pub header: Header,
    /// Complete records.
    pub records: Vec<RunRecord>,
    /// Bytes up to and including the last complete line.
    pub valid_len: u64,
}

/// Reads `path`.
///
/// # Errors
/// IO errors, a missing or damaged header, a damaged line before the last.
pub fn read_journal(path: &Path) -> Result<Journal, SweepError> {
    let text = std::fs::read(path).map_err(|e| SweepError::io("read", path, e))?;
    let corrupt = |line: usize, message: String| SweepError::CorruptLine {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut header = None;
    let mut records = Vec::new();
    let mut valid_len = 0u64;
    let mut start = 0usize;
    let mut n = 0usize;
    while start < text.len() {
        n += 1;
        let Some(end) = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|e| start + e)
        else {
            // A last line without its newline: cut short by a crash.
            break;
        };
        let line = &text[start..end];
        if n == 1 {
            header = Some(
                serde_json::from_slice::<Header>(line).map_err(|e| corrupt(n, e.to_string()))?,
            );
        } else {
            records.push(
                serde_json::from_slice::<RunRecord>(line).map_err(|e| corrupt(n, e.to_string()))?,
            );
        }
        start = end + 1;
        valid_len = start as u64;
    }
    let header = header.ok_or_else(|| corrupt(1, "no header line".to_string()))?;
    Ok(Journal {
        header,
        records,
        valid_len,
    })
}

/// One JSON line, with its newline.
pub fn line<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising these plain structs (string keys, finite numbers) cannot fail.
    let mut v = serde_json::to_vec(value).unwrap_or_default();
    v.push(b'\n');
    v
}

/// The appending side of a journal, shared by the worker threads.
pub struct Appender {
    path: PathBuf,
    file: Mutex<File>,
}

impl Appender {
    /// Creates `path` holding only `header`.
    ///
    /// # Errors
    /// IO errors, with the path.
    pub fn create(path: &Path, header: &Header) -> Result<Appender, SweepError> {
        let mut file = File::create(path).map_err(|e| SweepError::io("create", path, e))?;
        file.write_all(&line(header))
            .and_then(|()| file.sync_all())
            .map_err(|e| SweepError::io("write", path, e))?;
        Ok(Appender {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Opens an existing journal for appending after its first `valid_len`
    /// bytes (dropping a line cut short by a crash).
    ///
    /// # Errors
    /// IO errors, with the path.
    pub fn reopen(path: &Path, valid_len: u64) -> Result<Appender, SweepError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| SweepError::io("open", path, e))?;
        file.set_len(valid_len)
            .map_err(|e| SweepError::io("truncate", path, e))?;
        Ok(Appender {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Appends one record durably (written, flushed, fsync'd).
    ///
    /// # Errors
    /// IO errors, with the path.
    pub fn append(&self, record: &RunRecord) -> Result<(), SweepError> {
        let bytes = line(record);
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        file.write_all(&bytes)
            .and_then(|()| file.sync_data())
            .map_err(|e| SweepError::io("append to", &self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_last_line_is_ignored_and_dropped_on_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("runs.jsonl");
        let header = Header {
            snapsim_sweep_runs: 1,
            scenario: "s".into(),
            scenario_hash: "0".into(),
            shard: None,
            source: Value::Null,
        };
        let rec = |point| RunRecord {
            point,
            replication: 0,
            seed: 1,
            status: RunStatus::Ok,
            error: None,
            metrics: serde_json::Map::new(),
            value: None,
        };
        Appender::create(&path, &header)
            .unwrap()
            .append(&rec(0))
            .unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"point\":1,\"repl").unwrap();
        let j = read_journal(&path).unwrap();
        assert_eq!((j.header, j.records), (header, vec![rec(0)]));
        Appender::reopen(&path, j.valid_len)
            .unwrap()
            .append(&rec(2))
            .unwrap();
        assert_eq!(read_journal(&path).unwrap().records, vec![rec(0), rec(2)]);
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        assert!(Shard::parse("3/3").is_err() && Shard::parse("x").is_err());
    }
}
