//! One record per CreateSnapshot request, and stored-bytes samples.

use crate::engine::SimTime;

/// Why a request did not create a snapshot, as the EC2 API names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The volume already had its limit of pending snapshots.
    ConcurrentSnapshotLimitExceeded,
    /// Less than 15 s since the previous CreateSnapshot call on the volume.
    SnapshotCreationPerVolumeRateExceeded,
}

impl ErrorCode {
    /// The API error code.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConcurrentSnapshotLimitExceeded => "ConcurrentSnapshotLimitExceeded",
            ErrorCode::SnapshotCreationPerVolumeRateExceeded => {
                "SnapshotCreationPerVolumeRateExceeded"
            }
        }
    }
}

/// Where a request ended up at the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotState {
    /// Accepted; still uploading or waiting for an older snapshot.
    Pending,
    /// Accepted and complete.
    Completed,
    /// Completed, later deleted by the retention policy.
    Deleted,
    /// Sent and rejected with the error code; see `will_retry`.
    Rejected,
    /// Not sent: the `skip` policy saw it would be rejected.
    Skipped,
}

impl SnapshotState {
    /// The lower-case name used in output files (`pending`, `completed`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotState::Pending => "pending",
            SnapshotState::Completed => "completed",
            SnapshotState::Deleted => "deleted",
            SnapshotState::Rejected => "rejected",
            SnapshotState::Skipped => "skipped",
        }
    }
}

/// One CreateSnapshot request (or a skipped one) and what became of it.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRecord {
    /// Deterministic identifier, `snap-` and 17 hex digits (accepted only).
    pub snapshot_id: Option<String>,
    /// Index of the volume in the run's volume list.
    pub volume: usize,
    /// The schedule slot this request serves (before jitter and retries).
    pub scheduled_at: SimTime,
    /// When this call was made.
    pub requested_at: SimTime,
    /// 0 for the first call of a slot, then 1, 2, … for retries.
    pub attempt: u32,
    /// Final state at the end of the run.
    pub state: SnapshotState,
    /// The rejection (or, for skipped, the rejection that was avoided).
    pub error: Option<ErrorCode>,
    /// For a rejection: whether the policy retries it later.
    pub will_retry: bool,
    /// Blocks in the snapshot's delta (changed since the previous one).
    pub delta_blocks: u64,
    /// Bytes in the delta [B] (`delta_blocks` × block size).
    pub delta_bytes: u64,
    /// When the last delta block was uploaded.
    pub upload_done_at: Option<SimTime>,
    /// When the snapshot became `completed`.
    pub completed_at: Option<SimTime>,
    /// When retention deleted it.
    pub deleted_at: Option<SimTime>,
    /// Uploaded share of the delta at completion or at the end of the run [0, 1].
    pub progress: f64,
    /// Writes that had to preserve a block this snapshot had not uploaded.
    pub cow_copies: u64,
    /// Per-snapshot upload-rate multiplier drawn for it (1 without variability).
    pub rate_multiplier: f64,
    /// IO pause (freeze, unmount) or instance downtime (stop) around this
    /// request, from its start to IO resuming [s]; 0 in crash mode.
    pub pause_seconds: f64,
    /// Data still in the guest's write-back cache at the point in time, so
    /// not in the snapshot (crash mode) [B].
    pub left_out_bytes: u64,
    /// The multi-volume set this request belongs to, if any.
    pub set_id: Option<String>,
    /// When every snapshot of the set had completed.
    pub set_completed_at: Option<SimTime>,
}

impl SnapshotRecord {
    /// Time from the point in time (the accepted call) to completion [s].
    pub fn duration_seconds(&self) -> Option<f64> {
        self.completed_at
            .map(|c| (c - self.requested_at).as_secs_f64())
    }
}

/// Stored snapshot bytes of one volume from `at` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoragePoint {
    /// When the value changed.
    pub at: SimTime,
    /// Volume index.
    pub volume: usize,
    /// Bytes stored for the volume's snapshots from then on [B].
    pub stored_bytes: u64,
}
