//! Stage 1 of loading: the scenario file exactly as written (format version
//! 1), with only local checks: known keys (`deny_unknown_fields`), JSON
//! types, and unit-bearing strings parsed (see [`super::quantity`]). Defaults
//! and cross-field rules are applied in stage 2 (`validate`). The doc
//! comments here become the descriptions of the JSON Schema.

use super::choice::{RawPattern, RawRetain, RawTags};
use super::quantity::{BandwidthText, DurationText, FrequencyText, SizeText};
use schemars::JsonSchema;
use serde::Deserialize;

/// A snapsim scenario: volumes, their write workloads and snapshot
/// schedules, and the upload bandwidth limits.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "snapsim scenario, format version 1")]
pub struct RawScenario {
    /// Format version; only 1 exists. Optional.
    pub format_version: Option<u64>,
    /// Scenario name, used as a directory name: 1 to 64 characters from
    /// A-Z, a-z, 0-9, '.', '_' and '-'.
    pub name: String,
    /// Free text. Default "".
    pub description: Option<String>,
    /// Base seed of every random stream: a whole number from 0 to
    /// 18446744073709551615 (2^64 - 1). Default 1.
    #[serde(default, deserialize_with = "super::seed::deserialize_seed")]
    pub seed: Option<u64>,
    /// Simulated horizon; more than 0 and at most 100 years (36,525 days).
    pub duration: DurationText,
    /// Wall-clock instant of simulated time 0, RFC 3339 in UTC.
    /// Default "2026-01-01T00:00:00Z".
    #[schemars(example = "2026-01-01T00:00:00Z")]
    pub start: Option<String>,
    /// Change-tracking and upload block size: a power of two from 4KiB to
    /// 64MiB. Default "512KiB" (EBS).
    pub block_size: Option<SizeText>,
    /// "flow" (default): writes matter only for the blocks they change.
    /// "io": every read and write is queued through the volume's limits and
    /// storage station, and latency is measured.
    pub fidelity: Option<RawFidelity>,
    /// IOs arriving before this are left out of latency statistics.
    /// Default "0s". IO fidelity only.
    pub warmup: Option<DurationText>,
    /// Step of the per-volume time series (`timeseries.csv`). Default "1m".
    /// At most 1,000,000 steps per volume and 10,000,000 rows in all.
    pub timeseries_step: Option<DurationText>,
    /// How changed blocks are tracked: "exact" (every block, every write;
    /// needed by --verify), "statistical" (a stratified sample of 4,096
    /// blocks per volume, writes not drawn one by one; flow fidelity) or
    /// "auto" (default: exact while the block state fits 256 MiB). The
    /// object forms {"statistical": {"samples": N}} (1 to 16,777,216) and
    /// {"statistical": {"rate": R}} (0 < R ≤ 1) set the sample size.
    pub change_tracking: Option<serde_json::Value>,
    /// Run even when the estimated work exceeds 2×10¹⁰ simulated operations
    /// (about half an hour), and with a memory budget of 64 GiB instead of
    /// 8 GiB. Default false; `--allow-large` does the same.
    pub allow_large: Option<bool>,
    /// Upload bandwidth limits. Default: 42MiB/s per snapshot, no other cap.
    pub transfer: Option<RawTransfer>,
    /// The volumes; at least one. At most 100,000 after `count` expansion.
    pub volumes: Vec<RawVolume>,
    /// Multi-volume crash-consistent snapshot sets: `[{"name", "volumes":
    /// [names], "snapshots": {…}}]`. Members must have no `snapshots` of
    /// their own.
    pub groups: Option<Vec<RawGroup>>,
    /// Parameter sweep, used by `snapsim sweep` (ignored by `snapsim run`):
    /// `{"grid": {PATH: VALUES, …}, "zip": {PATH: VALUES, …},
    /// "replications": N | {"until": {"metric", "half_width", "relative"},
    /// "min", "max"}}`. VALUES is a non-empty list or a range
    /// `{"from", "to", "step"}` of numbers or of unit strings of one unit.
    /// Checked by `snapsim sweep` and `snapsim validate`; see README "Sweeps".
    pub sweep: Option<serde_json::Value>,
    /// Ranges for `snapsim sensitivity` (ignored by `run` and `sweep`):
    /// `{PATH: [low, high], …}` narrows the default range of an unknown of
    /// the assumptions ledger (`transfer.per_snapshot`, …) or adds any value
    /// the scenario sets as a factor. See README "Sensitivity".
    pub sensitivity: Option<serde_json::Value>,
    /// Published measurements the run is compared against (calibration):
    /// `{"source": "…", "rows": [{"volume", "what": "first_snapshot",
    /// "measured": "20m", "range": ["15m", "25m"]}]}`. The summary, the
    /// terminal and the report set each measured value beside the simulated
    /// one and say whether it falls inside the range.
    pub measurements: Option<RawMeasurements>,
}

/// Published measurements to compare the run against.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeasurements {
    /// Where the numbers come from (a citation shown in the report).
    pub source: String,
    /// The measured values; at least one.
    pub rows: Vec<RawMeasurementRow>,
}

/// What a measurement row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawMeasured {
    /// Time pending (request to completed) of the volume's first accepted
    /// snapshot, the full one.
    FirstSnapshot,
}

/// One measured value.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeasurementRow {
    /// The volume (after `count` expansion: `name-0`, `name-1`, … when
    /// `count` is given).
    pub volume: String,
    /// What was measured.
    pub what: RawMeasured,
    /// The measured value.
    pub measured: DurationText,
    /// The range the simulation should land in (the measurements' spread);
    /// default: none, the row is only shown.
    pub range: Option<[DurationText; 2]>,
}

/// Upload bandwidth limits and how concurrent uploads share them.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTransfer {
    /// Cap of one snapshot's upload stream. Default "42MiB/s", the middle of
    /// the 33–56 MB/s community measurements for full gp3 snapshots
    /// (PingCAP docs, backup-restore-snapshot-perf).
    pub per_snapshot: Option<BandwidthText>,
    /// Cap of all uploads of one volume together. Default: no cap.
    pub per_volume: Option<BandwidthText>,
    /// How uploads share a volume's or a pool's capacity. Default "fair".
    pub sharing: Option<RawSharing>,
    /// Shared bandwidth pools (an account's or a region's link); names must
    /// be unique. Volumes join one with `pool`.
    pub pools: Option<Vec<RawPool>>,
    /// Per-snapshot random variability of the upload rate. Default: none.
    pub variability: Option<RawVariability>,
}

/// Sharing discipline of concurrent uploads.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawSharing {
    /// Max-min fair sharing.
    Fair,
    /// First come, first served, in request order.
    Fcfs,
}

/// A shared bandwidth pool.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// Name volumes use to join the pool.
    pub name: String,
    /// Capacity shared by all uploads of member volumes.
    pub rate: BandwidthText,
}

/// Per-snapshot variability of the upload rate.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub enum RawVariability {
    /// The per-snapshot cap is multiplied by exp(N(0, sigma²)), median 1.
    #[serde(rename = "lognormal")]
    LogNormal {
        /// Standard deviation of the underlying normal; 0 < sigma ≤ 3.
        sigma: f64,
    },
}

/// EBS volume type.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RawKind {
    /// General purpose SSD, IOPS from the size.
    Gp2,
    /// General purpose SSD, provisioned IOPS and throughput.
    Gp3,
    /// Provisioned IOPS SSD.
    Io1,
    /// Provisioned IOPS SSD, Block Express.
    Io2,
    /// Throughput-optimized HDD.
    St1,
    /// Cold HDD.
    Sc1,
    /// Any size, IOPS and throughput; no EBS rule checked.
    Custom,
}

/// One volume, or `count` identical volumes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawVolume {
    /// Volume name: 1 to 64 characters from A-Z, a-z, 0-9, '.', '_', '-'.
    pub name: String,
    /// Number of identical volumes, 1 to 100,000. Default 1. When above 1
    /// they are named `<name>-1` … `<name>-<count>`.
    pub count: Option<u64>,
    /// EBS volume type.
    #[serde(rename = "type")]
    pub kind: RawKind,
    /// Volume size, within the type's range.
    pub size: SizeText,
    /// Provisioned IOPS (gp3: default 3000; io1/io2 and custom: required;
    /// gp2, st1, sc1: not allowed).
    pub iops: Option<u32>,
    /// Provisioned throughput (gp3: default "125MiB/s"; custom: required;
    /// others: not allowed).
    pub throughput: Option<BandwidthText>,
    /// Bytes already written at the start, from offset 0; at most `size`.
    /// Default "0B".
    pub used: Option<SizeText>,
    /// Whether a completed snapshot made before the scenario starts already
    /// holds the `used` data: the first simulated snapshot is then
    /// incremental (only blocks written from t = 0), and that snapshot is
    /// stored, and deleted by retention, as the chain's oldest link.
    /// Default false.
    pub existing_snapshot: Option<bool>,
    /// Whether the volume and its snapshots are encrypted. Default false.
    pub encrypted: Option<bool>,
    /// The volume's availability zone as AWS names it (`"us-east-1a"`; a
    /// Local Zone `"us-west-2-lax-1a"` or a Wavelength Zone
    /// `"us-east-1-wl1-bos-wlz-1"` too). Its region is derived from it: the
    /// name up to the region number (`"us-east-1"`). Kept in the results;
    /// the model does not use it yet. Default: none.
    #[schemars(regex(
        pattern = r"^[a-z]{2}(-[a-z]+)+-[0-9]+([a-z]|-[a-z]+-[0-9]+[a-z]|-wl[0-9]+-[a-z]+-wlz-[0-9]+)$"
    ))]
    pub availability_zone: Option<String>,
    /// The volume's region (`"us-east-1"`). Derived from
    /// `availability_zone` when that is given, and must then agree with it.
    /// Kept in the results; the model does not use it yet (regional quotas
    /// will). Default: none, or the zone's region.
    #[schemars(regex(pattern = r"^[a-z]{2}(-[a-z]+)+-[0-9]+$"))]
    pub region: Option<String>,
    /// Maximum pending snapshots, 1 to 100. Default 5 for SSD types, 1 for
    /// st1/sc1.
    pub pending_limit: Option<u32>,
    /// Name of a pool in `transfer.pools` this volume's uploads share.
    pub pool: Option<String>,
    /// Foreground IO. Default: none.
    pub workload: Option<RawWorkload>,
    /// Snapshot schedule. Default: no snapshots.
    pub snapshots: Option<RawSnapshots>,
    /// Storage station at IO fidelity. Default: per volume type.
    pub performance: Option<RawPerformance>,
    /// The guest's write-back cache. Default: none.
    // `default` makes the schema list the key as optional, as it is.
    #[serde(default)]
    #[schemars(schema_with = "super::consistency::cache_schema")]
    pub cache: Option<serde_json::Value>,
}

/// Foreground IO of a volume.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    /// The write stream, or a list of streams mixed together. Default: no
    /// writes.
    pub writes: Option<RawStreams>,
    /// The read stream(s) (needs "fidelity": "io"). Default: no reads.
    pub reads: Option<RawStreams>,
    /// Replay of a block IO trace file instead of `writes` and `reads`.
    pub trace: Option<super::trace::RawTrace>,
}

/// A multi-volume snapshot set.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// Group name.
    pub name: String,
    /// Names of the member volumes (after `count` expansion), at most 40.
    pub volumes: Vec<String>,
    /// The set's schedule (as a volume's; consistency must be "crash").
    pub snapshots: RawSnapshots,
}

/// One stream, or several whose IOs are merged in time order. Deserialised
/// by hand (an object or a list) so that errors inside keep their exact path.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
pub enum RawStreams {
    /// One stream.
    One(Box<RawStream>),
    /// A mixture of streams.
    Many(Vec<RawStream>),
}

/// How much foreground IO is simulated.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawFidelity {
    /// Writes only change blocks; no latency.
    Flow,
    /// Every IO is queued and timed.
    Io,
}

/// The storage station of a volume at IO fidelity; every key optional,
/// defaults per volume type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPerformance {
    /// IOs served in parallel, 1 to 4096. Default 32.
    pub channels: Option<u32>,
    /// Base latency of each IO: {"constant": "1ms"}, {"exponential":
    /// {"mean": "1ms"}} or {"lognormal": {"median": "1.5ms", "sigma": 0.4}}.
    pub base_latency: Option<RawLatency>,
    /// Transfer rate of one channel. Default: the volume's throughput.
    pub channel_bandwidth: Option<BandwidthText>,
    /// {"priority": "low"} (default: served when no foreground IO waits),
    /// {"priority": "equal"} (queued with foreground IO), or {"weight": w}
    /// (when both wait, channel time is shared 1 : w, w > 0).
    pub snapshot_reads: Option<RawSnapshotReads>,
    /// What a write to a block a pending snapshot has not uploaded yet
    /// does: "copy" (default: preserve the old block with an extra block
    /// read and write) or "wait" (wait until the block is uploaded).
    pub copy_on_write: Option<RawCowPolicy>,
    /// Whether the EBS limits (IOPS, throughput, burst credits) apply.
    /// Default true; false isolates the station for analytic checks.
    pub limits: Option<bool>,
}

/// A base-latency distribution.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum RawLatency {
    /// Always this long.
    Constant(DurationText),
    /// Exponential with a mean.
    Exponential {
        /// Mean latency.
        mean: DurationText,
    },
    /// Log-normal with a median and σ of ln(latency).
    Lognormal {
        /// Median latency.
        median: DurationText,
        /// σ of ln(latency), 0 to 3.
        sigma: f64,
    },
}

/// Snapshot read priority.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSnapshotReads {
    /// "low" or "equal".
    pub priority: Option<RawPriority>,
    /// Share of channel time against foreground IO's 1, above 0.
    pub weight: Option<f64>,
}

/// Copy-on-write policy names.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RawCowPolicy {
    /// Preserve only the overwritten bytes first (the default).
    CopyRange,
    /// Preserve the whole old block first.
    Copy,
    /// Preserve nothing (redirect-on-write): no extra cost.
    Redirect,
    /// Wait until the block is uploaded.
    Wait,
}

/// Snapshot read priority names.
#[derive(Clone, Copy, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RawPriority {
    /// Served when no foreground IO waits.
    Low,
    /// Queued with foreground IO.
    Equal,
}

/// A stream of IOs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStream {
    /// Mean arrival rate.
    pub rate: FrequencyText,
    /// Arrival process. Default "poisson".
    // `default` makes the schema list the key as optional, as it is.
    #[serde(default)]
    #[schemars(schema_with = "super::stream_shape::arrival_schema")]
    pub arrival: Option<serde_json::Value>,
    /// Size of every IO (more than 0, at most 64MiB), or a distribution.
    #[schemars(schema_with = "super::stream_shape::size_schema")]
    pub size: serde_json::Value,
    /// Spatial pattern. Default "uniform".
    pub pattern: Option<RawPattern>,
    /// IO offsets are multiples of this; a power of two, at least 512B.
    /// Default "4KiB".
    pub alignment: Option<SizeText>,
    /// Part of the volume the stream writes to. Default: the whole volume.
    pub region: Option<RawRegion>,
}

/// A byte range of a volume.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    /// First byte; a multiple of the alignment. Default "0B".
    pub offset: Option<SizeText>,
    /// Length; at least the IO size. Default: to the end of the volume.
    pub length: Option<SizeText>,
}

/// Snapshot schedule: exactly one of `every` and `at`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSnapshots {
    /// Interval between requests; at least 1s.
    pub every: Option<DurationText>,
    /// With `every`: instant of the first request. Default "0s".
    pub first_at: Option<DurationText>,
    /// Explicit request instants, strictly ascending, before `duration`.
    pub at: Option<Vec<DurationText>>,
    /// Each request is delayed by a uniform draw in [0, jitter]. Default "0s".
    pub jitter: Option<DurationText>,
    /// What to do when CreateSnapshot is rejected by a limit. Default "fail".
    pub on_limit: Option<RawOnLimit>,
    /// Which completed snapshots are kept: N (the last N), {"last": N} or
    /// {"max_age": duration}. Default: keep all.
    pub retain: Option<RawRetain>,
    /// Tags copied onto every snapshot, in file order.
    pub tags: Option<RawTags>,
    /// "crash" (default), {"freeze": …}, {"unmount": …} or {"stop": …}.
    // `default` makes the schema list the key as optional, as it is.
    #[serde(default)]
    #[schemars(schema_with = "super::consistency::consistency_schema")]
    pub consistency: Option<serde_json::Value>,
}

/// Policy when a snapshot request hits a limit.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum RawOnLimit {
    /// Send the request anyway and record the failure.
    Fail,
    /// Skip the slot without sending.
    Skip,
    /// Retry after a back-off.
    Retry {
        /// Delay before the first retry; more than 0.
        after: DurationText,
        /// Maximum retries, 0 to 1000.
        max: u32,
        /// Multiplier of the delay after each retry; at least 1. Default 1.
        factor: Option<f64>,
        /// Longest delay, at least `after`. Default: no cap.
        cap: Option<DurationText>,
        /// "none" (default): the delay is the back-off; "full": uniform on
        /// [0, back-off].
        jitter: Option<RawJitter>,
    },
}

/// How a retry delay is drawn.
#[derive(Debug, Deserialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum RawJitter {
    /// The back-off itself.
    None,
    /// Uniform on [0, back-off].
    Full,
}

impl<'de> Deserialize<'de> for RawStreams {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawStreams;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a stream object {\"rate\": …, \"size\": …} or a list of them")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawStreams, A::Error> {
                RawStream::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|s| RawStreams::One(Box::new(s)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<RawStreams, A::Error> {
                Vec::<RawStream>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(RawStreams::Many)
            }
        }
        d.deserialize_any(V)
    }
}
