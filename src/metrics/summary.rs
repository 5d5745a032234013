//! The run summary: everything `summary.json` holds.
//!
//! This struct is the contract between the simulator, the output files, the
//! report and the notebooks. Field names are the JSON keys; units are in the
//! names (`_seconds`, `_bytes`, `_usd`). Bump [`SUMMARY_SCHEMA_VERSION`] on
//! any change a reader could notice. The types derive `Deserialize` with
//! the same names, so `report::data` reads `summary.json` back typed.
//!
//! One key of `summary.json` is not here: `warnings`, the scenario's
//! warnings as strings (`scenario::Warning`), which come from the scenario,
//! not the simulation. `report::files::result_files_with_warnings` appends
//! it after `scenario_source`, and leaves it out when there are none.

use super::stats::Distribution;
pub use super::survival::{PendingTime, Quantile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the `summary.json` layout.
///
/// 2: censoring-aware time pending (`pending_seconds` per volume and for
/// the run), bytes of unfinished snapshots in `storage`, and the
/// `assumptions` ledger.
/// 3: `command` (the command line that produced the results), and latency
/// by pending level split by burst-credit state (`levels` and
/// `degradation` count only IOs that did not wait for burst credits;
/// `credits_exhausted` holds those that did).
pub const SUMMARY_SCHEMA_VERSION: u32 = 3;

/// The whole run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    /// Layout version of this document.
    pub schema_version: u32,
    /// Version of snapsim that produced it.
    pub snapsim_version: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Base seed used.
    pub seed: u64,
    /// The command line that produced these results, shell-quoted, the
    /// program named `snapsim` (`snapsim run scenarios/x.json --out
    /// results/x`); `None` (key left out) for results written through the
    /// library. The report quotes it to say how to reproduce them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Simulated horizon [s].
    pub simulated_seconds: f64,
    /// Snapshot block size [B].
    pub block_size_bytes: u64,
    /// Events taken from the event queue.
    pub events_processed: u64,
    /// Individual writes simulated (applied lazily, not queued as events);
    /// under statistical tracking, the writes the run represents (their
    /// expected number), since they are not drawn one by one.
    pub writes_simulated: u64,
    /// How changed blocks were tracked.
    #[serde(default)]
    pub change_tracking: TrackingSummary,
    /// Step of the time series in `timeseries.csv` [s].
    pub timeseries_step_seconds: f64,
    /// Price used for storage cost [USD per GB-month].
    pub usd_per_gb_month: f64,
    /// Result of `--verify`, if it ran.
    pub verification: Option<Verification>,
    /// Every value the model relies on that AWS does not document, with
    /// where it came from and the evidence for it, in a fixed order.
    pub assumptions: Vec<Assumption>,
    /// Time pending of every accepted snapshot of every volume pooled,
    /// unfinished ones as right-censored (Kaplan–Meier); `None` if no
    /// snapshot was accepted.
    pub pending_seconds: Option<PendingTime>,
    /// The whole fleet rolled up: counts, time pending (Kaplan–Meier over
    /// every snapshot), storage and cost.
    #[serde(default)]
    pub fleet: super::rollup::Rollup,
    /// One roll-up per volume group (a scenario entry and its `count`
    /// volumes), in scenario order.
    #[serde(default)]
    pub volume_groups: Vec<super::rollup::Rollup>,
    /// Volumes that started with an existing snapshot (the scenario's
    /// `existing_snapshot`): a completed snapshot made before the run, not
    /// among the run's snapshot records, whose `used` bytes are in the
    /// storage from t = 0. Left out when none did.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub volumes_with_existing_snapshot: u64,
    /// One entry per volume, in scenario order.
    pub volumes: Vec<VolumeSummary>,
    /// One entry per multi-volume snapshot set.
    #[serde(default)]
    pub groups: Vec<GroupSummary>,
    /// Published measurements beside the simulated values (the scenario's
    /// `measurements`); absent when it has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measurements: Vec<Measurement>,
    /// The scenario file as parsed, echoed for provenance.
    pub scenario_source: serde_json::Value,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Outcome of the point-in-time verification mode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// Completed snapshots whose full image was checked block by block.
    pub snapshots_checked: u64,
    /// Checked snapshots whose image differed from the volume at their point
    /// in time; 0 means every one was exact.
    pub mismatched_snapshots: u64,
    /// Blocks that differed, summed over snapshots.
    pub mismatched_blocks: u64,
}

/// How changed blocks were tracked in a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrackingSummary {
    /// `"exact"` or `"statistical"`.
    pub method: String,
    /// What the scenario asked for: `"auto"`, `"exact"` or `"statistical"`.
    pub requested: String,
    /// Statistical: sampled blocks per volume asked for (volumes with fewer
    /// blocks track all of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples_per_volume: Option<u64>,
    /// Statistical: fraction of each volume's blocks sampled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling_rate: Option<f64>,
    /// Statistical: smallest and largest fraction of a volume's blocks in
    /// the sample.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampled_fraction_range: Option<[f64; 2]>,
    /// In words.
    pub description: String,
}

/// Per volume.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct VolumeSummary {
    /// Volume name.
    pub name: String,
    /// Its volume group: the scenario entry it comes from (see
    /// `volume_groups`).
    #[serde(default)]
    pub group: String,
    /// The shared bandwidth pool its uploads use, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<String>,
    /// The volume's region (the scenario's `region`, or the region of its
    /// `availability_zone`); left out when the scenario gives neither.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The volume's availability zone (the scenario's
    /// `availability_zone`); left out when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// Volume type (`gp3`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// Size [B].
    pub size_bytes: u64,
    /// Provisioned (or derived) IOPS [1/s].
    pub iops: u32,
    /// Provisioned (or derived) throughput [B/s].
    pub throughput_bytes_per_second: f64,
    /// Limit of pending snapshots.
    pub pending_limit: u32,
    /// Whether the volume, and so its snapshots, is encrypted.
    pub encrypted: bool,
    /// Whether the volume started with an existing snapshot holding its
    /// `used` data (not a record of the run); left out when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub existing_snapshot: bool,
    /// Tags the schedule puts on every snapshot, in scenario order.
    pub tags: serde_json::Map<String, serde_json::Value>,
    /// Writes simulated on the volume.
    pub writes: u64,
    /// Bytes written [B].
    pub bytes_written: u64,
    /// Requests and their outcomes.
    pub requests: Requests,
    /// Snapshot counts by state at the end of the run.
    pub snapshots: SnapshotCounts,
    /// Time from request (point in time) to `completed`, completed snapshots
    /// only [s]. Biased low when snapshots are unfinished at the horizon;
    /// see `pending_seconds`.
    pub duration_seconds: Option<Distribution>,
    /// Time pending of every accepted snapshot, the unfinished ones as
    /// right-censored at the horizon (Kaplan–Meier quantiles, lower bounds
    /// where censoring hides them) [s]; `None` if none was accepted.
    pub pending_seconds: Option<PendingTime>,
    /// Delta size of accepted snapshots [B].
    pub delta_bytes: Option<Distribution>,
    /// Writes that preserved a not-yet-uploaded block (copy-on-write).
    pub cow_copies: u64,
    /// Snapshot storage.
    pub storage: Storage,
    /// Foreground latency by pending level; `None` at flow fidelity.
    pub latency: Option<Vec<super::latency::OpLatency>>,
    /// Pauses, downtime and data left out around requests; `None` in crash
    /// mode without a modelled cache.
    pub consistency: Option<ConsistencySummary>,
    /// The storage station as a queue; `None` at flow fidelity.
    pub station: Option<super::latency::StationStats>,
    /// What the replayed trace held and what was skipped; `None` without a
    /// trace.
    pub trace: Option<TraceStats>,
}

/// What one pass over a volume's trace found (the first pass, before the
/// run: the same for every run and every loop of the trace).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TraceStats {
    /// Format and file name.
    pub source: String,
    /// IOs replayed per pass (after the device, reads and offset filters).
    pub ios_per_pass: u64,
    /// Of which writes.
    pub writes_per_pass: u64,
    /// Bytes of those IOs, after clipping [B].
    pub bytes_per_pass: u64,
    /// Time from the first to the last record, before scaling [s].
    pub span_seconds: f64,
    /// Lines skipped: malformed + zero-size + out of range.
    pub lines_skipped: u64,
    /// Malformed lines skipped under `on_error: skip`.
    pub malformed: u64,
    /// IOs of size 0.
    pub zero_size: u64,
    /// IOs beyond the volume under `offset_map: reject`.
    pub out_of_range: u64,
    /// Rows earlier than the one before them, moved to its time.
    pub clamped: u64,
    /// IOs of other devices than the selected one.
    pub other_device: u64,
    /// Reads dropped by `reads: false`.
    pub reads_dropped: u64,
}

/// What happened to the volume's snapshot requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Requests {
    /// Schedule slots that came due.
    pub scheduled: u64,
    /// CreateSnapshot calls made (first attempts plus retries).
    pub calls: u64,
    /// Calls accepted (snapshots created).
    pub accepted: u64,
    /// Rejected calls by API error code.
    pub rejected: BTreeMap<String, u64>,
    /// Calls that were retries.
    pub retries: u64,
    /// Slots whose last allowed call was rejected (`fail`, or `retry` exhausted).
    pub failed: u64,
    /// Slots the `skip` policy did not send.
    pub skipped: u64,
}

/// Snapshot counts at the end of the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SnapshotCounts {
    /// Completed and still retained.
    pub completed: u64,
    /// Completed, then deleted by retention.
    pub deleted: u64,
    /// Still pending when the run ended.
    pub pending_at_end: u64,
    /// Most snapshots pending at once.
    pub max_pending: u32,
}

/// Snapshot storage of the volume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    /// Stored at the end of the run [B].
    pub final_bytes: u64,
    /// Most stored at any time [B].
    pub max_bytes: u64,
    /// Time-average over the run [B].
    pub mean_bytes: f64,
    /// Storage integrated over the run [GB-month; GB = 10^9 B, month = 730 h].
    pub gb_months: f64,
    /// Cost of `gb_months` at `usd_per_gb_month` [USD].
    pub cost_usd: f64,
    /// Monthly cost if the final storage were kept [USD/month].
    pub final_monthly_cost_usd: f64,
    /// Delta bytes the snapshots still pending at the horizon have not yet
    /// uploaded [B].
    pub pending_upload_bytes: u64,
    /// Whole deltas of the snapshots still pending at the horizon [B].
    /// Storage counts a delta when its snapshot completes, so these are not
    /// in `final_bytes` (nor in the costs) yet.
    pub pending_delta_bytes: u64,
}

/// Consistency around the volume's snapshot requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ConsistencySummary {
    /// `crash`, `freeze`, `unmount` or `stop`.
    pub mode: String,
    /// IO pause (freeze, unmount) or downtime (stop) summed over requests [s].
    pub pause_seconds_total: f64,
    /// Longest single pause or downtime [s].
    pub pause_seconds_max: f64,
    /// Data left out of snapshots because it was still in the guest's cache,
    /// summed over accepted snapshots [B].
    pub left_out_bytes_total: u64,
    /// Most data left out of one snapshot [B].
    pub left_out_bytes_max: u64,
}

/// A multi-volume snapshot set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// Set name.
    pub name: String,
    /// Member volumes.
    pub volumes: Vec<String>,
    /// Schedule slots that came due.
    pub scheduled: u64,
    /// CreateSnapshots calls accepted (every member got a snapshot).
    pub accepted: u64,
    /// Sets whose every member completed.
    pub completed: u64,
    /// From the set's point in time to its last member's completion, over
    /// the complete sets only [s].
    pub set_duration_seconds: Option<super::stats::Distribution>,
    /// The same over every accepted set, incomplete ones right-censored at
    /// the horizon (Kaplan–Meier, as `VolumeSummary::pending_seconds`) [s];
    /// `None` if no set was accepted.
    pub set_pending_seconds: Option<PendingTime>,
}

/// Where an assumed value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssumptionSource {
    /// The scenario file sets it.
    Scenario,
    /// The scenario leaves it out, so snapsim's default applies.
    Default,
}

impl AssumptionSource {
    /// `scenario` or `default`, as in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            AssumptionSource::Scenario => "scenario",
            AssumptionSource::Default => "default",
        }
    }
}

/// A published measurement set beside the simulated value (calibration).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The volume measured.
    pub volume: String,
    /// What was measured: `first_snapshot` (time pending of the volume's
    /// first accepted snapshot).
    pub what: String,
    /// Where the number comes from.
    pub source: String,
    /// The measured value [s].
    pub measured_seconds: f64,
    /// The range the simulation should land in [s], if given.
    pub range_seconds: Option<[f64; 2]>,
    /// The simulated value [s]; `None` if the snapshot did not complete
    /// within the run (or was never accepted).
    pub simulated_seconds: Option<f64>,
    /// Whether the simulated value lies inside `range_seconds` (false when
    /// it did not complete); `None` without a range.
    pub inside_range: Option<bool>,
}

/// One entry of the assumptions ledger: a value the model uses that AWS does
/// not document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assumption {
    /// Scenario path of the value (`transfer.per_snapshot`,
    /// `volumes[*].performance.channels` when every volume entry agrees).
    pub key: String,
    /// The value the run used, in scenario units, and how the model uses it.
    pub value: String,
    /// Whether the scenario set it or a default did.
    pub source: AssumptionSource,
    /// What is known, naming its public sources (README, "Sources").
    pub evidence: String,
    /// The plausible range, or why none is known.
    pub range: String,
}
