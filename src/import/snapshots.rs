//! Snapshot history, `aws ec2 describe-snapshots` output: `{"Snapshots":
//! [{"SnapshotId", "VolumeId", "StartTime", "State", "Progress",
//! "VolumeSize" (GiB), "CompletionTime"?, "FullSnapshotSizeInBytes"?}]}`.
//!
//! Used for two things:
//! - observed time pending (`CompletionTime − StartTime`) of completed
//!   snapshots, reported per volume group in the import report;
//! - `--used-from-snapshots`: the volume's `used` bytes are the
//!   `FullSnapshotSizeInBytes` of its newest completed snapshot (the bytes
//!   of every block written at that point in time). `VolumeSize` is the
//!   volume's size, not its written bytes, and is never used for this.
//!
//! - seeding the chain: a volume with at least one `completed` snapshot
//!   gets `"existing_snapshot": true`, so its first simulated snapshot is
//!   incremental (only blocks written from the scenario's start), as the
//!   account's next one would be. A `pending` or `error` snapshot seeds
//!   nothing. A grouped entry (`count` > 1, identical members) is seeded
//!   when a strict majority of its members have a completed snapshot
//!   ([`seeded`]; the import report gives the counts). Assumption: blocks
//!   changed between that snapshot's `StartTime` and the scenario start
//!   are in no simulated snapshot.

use super::input::{expect_shape, read_json, typed};
use super::time::{parse_iso8601, Millis};
use super::ImportError;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    snapshots: Vec<RawSnapshot>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawSnapshot {
    snapshot_id: String,
    volume_id: String,
    start_time: String,
    state: String,
    progress: Option<String>,
    volume_size: Option<u64>,
    completion_time: Option<String>,
    full_snapshot_size_in_bytes: Option<u64>,
}

/// One snapshot of the history.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// `SnapshotId`.
    pub id: String,
    /// `VolumeId`.
    pub volume: String,
    /// `StartTime` [ms since the epoch].
    pub start: Millis,
    /// `CompletionTime`, where the output has it.
    pub completion: Option<Millis>,
    /// `State` (`pending`, `completed`, `error`, …).
    pub state: String,
    /// `Progress` (`"100%"`).
    pub progress: Option<String>,
    /// `VolumeSize` [GiB].
    pub volume_size_gib: Option<u64>,
    /// `FullSnapshotSizeInBytes` [B].
    pub full_size: Option<u64>,
}

impl Snapshot {
    /// Observed time pending [s]: completion − start, for completed
    /// snapshots that record both.
    pub fn pending_seconds(&self) -> Option<f64> {
        let c = self.completion?;
        (self.state == "completed" && c >= self.start).then(|| (c - self.start) as f64 / 1000.0)
    }
}

/// Reads and merges the `describe-snapshots` pages; a `SnapshotId` given
/// twice is an error.
///
/// # Errors
/// The file, path, value and fix of the first problem.
pub fn read(files: &[&Path]) -> Result<Vec<Snapshot>, ImportError> {
    let mut out: Vec<Snapshot> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in files {
        let file = path.display().to_string();
        let v = read_json(path)?;
        expect_shape(&v, &file, "Snapshots", "--snapshots")?;
        let page: Page = typed(
            v,
            &file,
            "give --snapshots the unmodified output of `aws ec2 describe-snapshots --owner-ids self --output json`",
        )?;
        for (i, r) in page.snapshots.into_iter().enumerate() {
            let at = format!("Snapshots[{i}]");
            let time = |t: &str, key: &str| {
                parse_iso8601(t).map_err(|why| {
                    ImportError::input(
                        &file,
                        &format!("{at}.{key}"),
                        format!("\"{t}\""),
                        why,
                        "give the unmodified output (the CLI prints 2026-11-01T03:00:12.345000+00:00)",
                    )
                })
            };
            let start = time(&r.start_time, "StartTime")?;
            let completion = r
                .completion_time
                .as_deref()
                .map(|t| time(t, "CompletionTime"))
                .transpose()?;
            if !seen.insert(r.snapshot_id.clone()) {
                return Err(ImportError::input(
                    &file,
                    &format!("{at}.SnapshotId"),
                    format!("\"{}\"", r.snapshot_id),
                    "the snapshot is listed twice",
                    "give each describe-snapshots page once",
                ));
            }
            out.push(Snapshot {
                id: r.snapshot_id,
                volume: r.volume_id,
                start,
                completion,
                state: r.state,
                progress: r.progress,
                volume_size_gib: r.volume_size,
                full_size: r.full_snapshot_size_in_bytes,
            });
        }
    }
    Ok(out)
}

/// The `FullSnapshotSizeInBytes` of the newest completed snapshot of
/// `volume` that has one.
pub fn used_bytes(history: &[Snapshot], volume: &str) -> Option<u64> {
    history
        .iter()
        .filter(|s| s.volume == volume && s.state == "completed" && s.full_size.is_some())
        .max_by_key(|s| s.start)
        .and_then(|s| s.full_size)
}

/// The volumes with at least one `completed` snapshot in `history`, found
/// in one pass (an entry looks its members up here, so that a large
/// inventory with a long history costs no volumes × snapshots scan).
pub fn with_completed(history: &[Snapshot]) -> std::collections::HashSet<&str> {
    history
        .iter()
        .filter(|s| s.state == "completed")
        .map(|s| s.volume.as_str())
        .collect()
}

/// Of the volumes `ids` (one scenario entry), how many have a completed
/// snapshot (`completed`, from [`with_completed`]), and whether the entry
/// starts with an existing snapshot: when a strict majority of its members
/// do (all of them, for one volume). An entry's members are identical in
/// the scenario, so it is all or none; the majority is the closer of the
/// two.
pub fn seeded<'a>(
    completed: &std::collections::HashSet<&str>,
    ids: impl IntoIterator<Item = &'a str>,
) -> (usize, usize, bool) {
    let (mut with, mut n) = (0, 0);
    for id in ids {
        n += 1;
        with += usize::from(completed.contains(id));
    }
    (with, n, 2 * with > n)
}
