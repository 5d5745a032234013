//! The validated, typed configuration the model runs: the contract between
//! `scenario` (which builds it from a file) and the model (which never sees a
//! file). Every value here has already been checked; constructors in the
//! model may still assert invariants, documented under `# Panics`.

use super::units::{Bandwidth, Bytes, Frequency};
use super::volume_type::{Provisioned, VolumeKind};
use crate::engine::{SimDuration, SimTime};

/// Everything one simulation run needs.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Base seed; every random stream derives from (seed, stream name).
    pub seed: u64,
    /// Simulated horizon; nothing happens after it.
    pub duration: SimDuration,
    /// Change-tracking and upload unit [B]; EBS uses 512 KiB.
    pub block_size: Bytes,
    /// Upload bandwidth limits and how uploads share them.
    pub transfer: TransferConfig,
    /// The volumes, after `count` expansion, in file order.
    pub volumes: Vec<VolumeConfig>,
    /// Multi-volume snapshot sets (CreateSnapshots on an instance).
    pub groups: Vec<GroupConfig>,
    /// Track block versions and check every completed snapshot's contents.
    pub verify: bool,
    /// Step of the per-volume time series.
    pub timeseries_step: SimDuration,
    /// Flow (writes only matter for blocks) or IO (every IO is queued and
    /// timed, and latency is measured).
    pub fidelity: Fidelity,
    /// IOs arriving before this instant are left out of latency statistics.
    pub warmup: SimDuration,
    /// How changed blocks are tracked (resolved by [`super::plan`]).
    pub change_tracking: super::tracking::Choice,
    /// Lift the work limit and raise the memory budget (the user means a
    /// run beyond the default bounds: `--allow-large` or `"allow_large"`).
    pub allow_large: bool,
}

/// How much of the foreground IO is simulated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fidelity {
    /// Writes are applied for their blocks only; no queueing, no latency.
    Flow,
    /// Every read and write passes the volume's limits and storage station.
    Io,
}

/// A base-latency distribution of the storage station.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LatencyDist {
    /// Always this long.
    Constant(SimDuration),
    /// Exponential with this mean.
    Exponential(SimDuration),
    /// Log-normal with this median and log-space standard deviation.
    LogNormal {
        /// Median.
        median: SimDuration,
        /// σ of ln(latency) [dimensionless].
        sigma: f64,
    },
}

/// How snapshot block reads share the storage station with foreground IO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SnapshotReadPriority {
    /// Served only when no foreground IO is waiting.
    Low,
    /// Queued with foreground IO, first come first served.
    Equal,
    /// When both wait, channel time goes to foreground IO and snapshot
    /// reads in the ratio 1 : weight (weight > 0).
    Weight(f64),
}

/// What a write does when it hits a block that a pending snapshot still
/// needs and has not uploaded yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CowPolicy {
    /// Preserve the old block first: one extra block read and block write
    /// on the storage station, in the writing IO's service time, charged
    /// against the volume's IOPS and throughput.
    Copy,
    /// Preserve only the bytes the write overwrites (the rest of the old
    /// block is not touched by the write and stays where it is): one extra
    /// read and write of the write's own length, charged likewise. The
    /// default: it is what keeps the application impact of a pending
    /// snapshot inside the one published measurement (README, "Calibration").
    CopyRange,
    /// Preserve nothing: the old data stays where it is and the write goes
    /// elsewhere (redirect-on-write), at no extra cost. The low end of the
    /// plausible range, for what-if and sensitivity studies.
    Redirect,
    /// Wait until the snapshot has uploaded that block, out of order, at
    /// the snapshot's upload rate; the wait is in the write's latency.
    Wait,
}

/// The storage station of a volume at IO fidelity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Performance {
    /// IOs served in parallel.
    pub channels: u32,
    /// Per-IO base latency.
    pub base_latency: LatencyDist,
    /// Transfer rate of one channel [B/s]; an IO of n bytes adds n / rate.
    pub channel_bandwidth: Bandwidth,
    /// Snapshot block reads against foreground IO.
    pub snapshot_reads: SnapshotReadPriority,
    /// Copy-on-write: copy the old block, or wait for its upload.
    pub copy_on_write: CowPolicy,
    /// Whether the volume's EBS limits (IOPS, throughput, burst credits)
    /// apply; off for analytic checks of the station alone.
    pub limits: bool,
}

/// A crash-consistent multi-volume snapshot set (EBS_FACTS.md §6 C5,
/// §3.1.6): one request snapshots every member at the same point in time; if
/// any member would be rejected the whole request is; the set is complete
/// when its last member completes.
#[derive(Clone, Debug)]
pub struct GroupConfig {
    /// Group name.
    pub name: String,
    /// Indices of the member volumes (their own schedules are `Never`).
    pub members: Vec<usize>,
    /// When the set is requested (consistency is crash for sets).
    pub schedule: ScheduleConfig,
}

/// How concurrent uploads share a limited link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// Max-min fair: every upload gets an equal share unless it is limited
    /// elsewhere, and what it cannot use goes to the others.
    Fair,
    /// First come, first served: the oldest upload takes all it can use, then
    /// the next, in request order.
    FirstComeFirstServed,
}

/// Multiplicative per-snapshot variability of the upload rate, drawn once per
/// snapshot (the "slow availability zone" effect).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateVariability {
    /// The per-snapshot cap is multiplied by `exp(N(0, sigma²))`: median 1.
    LogNormal {
        /// Standard deviation of the underlying normal [dimensionless].
        sigma: f64,
    },
}

/// A shared bandwidth pool, such as an account's or a region's link.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolConfig {
    /// Name used by volumes to join the pool.
    pub name: String,
    /// Capacity shared by all uploads of member volumes [B/s].
    pub rate: Bandwidth,
}

/// Upload limits: per snapshot, per volume and per shared pool.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferConfig {
    /// Cap of one snapshot's upload stream [B/s].
    pub per_snapshot: Bandwidth,
    /// Cap of all uploads of one volume together [B/s]; `None` = no cap.
    pub per_volume: Option<Bandwidth>,
    /// How uploads share volume and pool capacity.
    pub sharing: Sharing,
    /// Shared pools; volumes refer to them by index.
    pub pools: Vec<PoolConfig>,
    /// Optional per-snapshot rate variability; off by default.
    pub variability: Option<RateVariability>,
}

/// One volume, after `count` expansion.
#[derive(Clone, Debug)]
pub struct VolumeConfig {
    /// Unique name; also the random-stream name.
    pub name: String,
    /// The scenario entry it comes from (its `name`, before `count`
    /// expansion): fleet outputs roll volumes up by it.
    pub group: String,
    /// EBS volume type.
    pub kind: VolumeKind,
    /// Size, IOPS and throughput after the type's rules.
    pub provisioned: Provisioned,
    /// Bytes already written at the start, from offset 0 [B].
    pub used: Bytes,
    /// Whether a completed snapshot outside the simulation already holds
    /// the `used` data at t = 0: the volume starts with no dirty block (its
    /// first simulated snapshot is incremental) and the storage ledger
    /// starts with that snapshot as the oldest link of the chain, storing
    /// `used` bytes, deletable by retention like any other (its age counts
    /// from t = 0). It is not a record of the run.
    pub existing_snapshot: bool,
    /// Whether the volume (and so its snapshots) is encrypted.
    pub encrypted: bool,
    /// The region the volume is in (`us-east-1`), if the scenario says;
    /// always set when `availability_zone` is. Carried into the summary;
    /// no component uses it yet (regional pools and quotas will).
    pub region: Option<String>,
    /// The availability zone (`us-east-1a`), if the scenario says. Carried
    /// into the summary only, like `region`.
    pub availability_zone: Option<String>,
    /// Maximum pending snapshots (5 for SSD, 1 for HDD by default).
    pub pending_limit: u32,
    /// The guest's write-back cache, if modelled.
    pub cache: Option<WriteCache>,
    /// Index into [`TransferConfig::pools`], if the volume shares a pool.
    pub pool: Option<usize>,
    /// Write streams, mixed in time order; empty: the volume receives no
    /// writes.
    pub writes: Vec<WriteStream>,
    /// Read streams (IO fidelity only).
    pub reads: Vec<WriteStream>,
    /// A replayed trace (reads and writes), instead of or beside the
    /// synthetic streams.
    pub trace: Option<super::feed::SharedFeed>,
    /// The storage station and limits used at IO fidelity.
    pub performance: Performance,
    /// When snapshots are requested and what happens around them.
    pub schedule: ScheduleConfig,
}

/// How IO arrivals are spaced in time.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// Exponential inter-arrival times with this mean rate.
    Poisson(Frequency),
    /// Exactly `1/rate` apart, the first one `1/rate` after the start.
    Constant(Frequency),
    /// Bursts: Poisson at `rate` during on-periods, nothing during
    /// off-periods; periods alternate, starting with on.
    OnOff {
        /// Rate while on [1/s].
        rate: Frequency,
        /// (Mean) length of an on-period.
        on: SimDuration,
        /// (Mean) length of an off-period.
        off: SimDuration,
        /// Periods of exactly these lengths (true) or exponential (false).
        fixed: bool,
    },
    /// Poisson with a rate that follows the hour of the simulated day:
    /// `base × multipliers[hour]` (hour 0 starts at simulated time 0).
    Daily {
        /// Base rate [1/s].
        base: Frequency,
        /// One multiplier per hour, ≥ 0.
        multipliers: [f64; 24],
    },
    /// Poisson with a sinusoidal daily rate:
    /// `mean × (1 + amplitude × cos(2π (hour − peak_hour) / 24))`.
    Sinusoid {
        /// Mean rate over a day [1/s].
        mean: Frequency,
        /// Relative amplitude in [0, 1].
        amplitude: f64,
        /// Hour of the peak, in [0, 24).
        peak_hour: f64,
    },
    /// Poisson with a piecewise-constant rate: `initial` until the first
    /// step, then each step's rate from its instant on.
    Steps {
        /// Rate before the first step [1/s].
        initial: Frequency,
        /// (instant, rate from then on), ascending instants.
        steps: Vec<(SimTime, Frequency)>,
    },
}

impl Arrival {
    /// Long-run mean arrival rate [1/s] (for steps: the largest rate).
    pub fn rate(&self) -> Frequency {
        match self {
            Arrival::Poisson(f) | Arrival::Constant(f) => *f,
            Arrival::OnOff { rate, on, off, .. } => Frequency {
                per_sec: rate.per_sec * on.as_secs_f64() / (on.as_secs_f64() + off.as_secs_f64()),
            },
            Arrival::Daily { base, multipliers } => Frequency {
                per_sec: base.per_sec * multipliers.iter().sum::<f64>() / 24.0,
            },
            Arrival::Sinusoid { mean, .. } => *mean,
            Arrival::Steps { .. } => self.max_rate(),
        }
    }

    /// The largest instantaneous rate [1/s]; the envelope for thinning.
    pub fn max_rate(&self) -> Frequency {
        let per_sec = match self {
            Arrival::Poisson(f) | Arrival::Constant(f) => f.per_sec,
            Arrival::OnOff { rate, .. } => rate.per_sec,
            Arrival::Daily { base, multipliers } => {
                base.per_sec * multipliers.iter().copied().fold(0.0, f64::max)
            }
            Arrival::Sinusoid {
                mean, amplitude, ..
            } => mean.per_sec * (1.0 + amplitude),
            Arrival::Steps { initial, steps } => steps
                .iter()
                .map(|(_, f)| f.per_sec)
                .fold(initial.per_sec, f64::max),
        };
        Frequency { per_sec }
    }
}

/// How IO sizes vary.
#[derive(Clone, Debug, PartialEq)]
pub enum SizeDist {
    /// Sizes with probabilities: (size, cumulative probability), ascending
    /// cumulative, the last one 1.
    Discrete(Vec<(Bytes, f64)>),
    /// Log-normal around `median`, clamped to `[min, max]` and rounded to
    /// the alignment.
    LogNormal {
        /// Median size [B].
        median: Bytes,
        /// σ of ln(size) [dimensionless].
        sigma: f64,
        /// Smallest size [B].
        min: Bytes,
        /// Largest size [B].
        max: Bytes,
    },
}

/// Where IOs land inside their region.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pattern {
    /// Every aligned offset in the region equally likely.
    Uniform,
    /// Snapshot blocks ranked by a Zipf law with this exponent (> 0); rank 1
    /// is the hottest. Ranks are scattered over the region by a fixed
    /// bijection, so hot blocks are not contiguous.
    Zipf {
        /// Zipf exponent `s` [dimensionless].
        exponent: f64,
    },
    /// A fraction `io_fraction` of IOs goes uniformly to the first
    /// `space_fraction` of the region, the rest uniformly to the remainder.
    Hotspot {
        /// Share of IOs aimed at the hot part, in (0, 1).
        io_fraction: f64,
        /// Share of the region that is hot, in (0, 1).
        space_fraction: f64,
    },
    /// Each IO starts where the previous ended, wrapping at the region's end.
    Sequential {
        /// Offset of the first IO, relative to the region start [B].
        start: Bytes,
    },
}

/// A stream of IOs (writes or reads) on one volume.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteStream {
    /// Arrival process.
    pub arrival: Arrival,
    /// Size of every IO, or the largest size when `size_dist` is set [B].
    pub size: Bytes,
    /// How sizes vary; `None`: every IO is `size`.
    pub size_dist: Option<SizeDist>,
    /// Spatial pattern.
    pub pattern: Pattern,
    /// Offsets are multiples of this [B]; a power of two.
    pub alignment: Bytes,
    /// First byte of the region the stream writes to [B].
    pub region_offset: Bytes,
    /// Length of that region [B]; at least `size`.
    pub region_length: Bytes,
}

/// What to do when CreateSnapshot would be rejected.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LimitPolicy {
    /// Send the request anyway; record the rejection as a failed request.
    Fail,
    /// Do not send it: the scheduler knows the limits and skips this slot.
    Skip,
    /// Send it; if rejected, try again `after` later (multiplied by `factor`
    /// after each failure, at most `cap`, drawn under full jitter), at most
    /// `max` more times, then record a failure.
    Retry {
        /// Delay before the first retry.
        after: SimDuration,
        /// Maximum number of retries after the first attempt.
        max: u32,
        /// Multiplier applied to the delay after each retry (1 = constant).
        factor: f64,
        /// Longest delay: the growing delay stops here (`None`: no cap).
        cap: Option<SimDuration>,
        /// Whether the delay is drawn rather than fixed.
        jitter: RetryJitter,
    },
}

/// How a retry's delay is drawn from its back-off (AWS Architecture Blog,
/// "Exponential Backoff And Jitter", 2015: full jitter spreads clients that
/// were refused together, so they do not retry together).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RetryJitter {
    /// The delay is the back-off itself.
    #[default]
    None,
    /// The delay is uniform on [0, back-off].
    Full,
}

impl LimitPolicy {
    /// The back-off before retry number `attempt + 1` (after the call
    /// numbered `attempt`, 0 being the first), before jitter: `after ×
    /// factor^attempt`, at most `cap`. `None` when the policy does not
    /// retry or the retries are used up.
    pub fn backoff(&self, attempt: u32) -> Option<SimDuration> {
        match *self {
            LimitPolicy::Retry {
                after,
                max,
                factor,
                cap,
                ..
            } if attempt < max => {
                let secs = after.as_secs_f64() * factor.powi(attempt.min(i32::MAX as u32) as i32);
                let d = SimDuration::from_secs_f64_ceil(secs);
                Some(cap.map_or(d, |c| d.min(c)))
            }
            _ => None,
        }
    }
}

/// Which completed snapshots are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    /// Never delete.
    KeepAll,
    /// Keep the newest `n` completed snapshots (n ≥ 1).
    Last(u32),
    /// Delete a completed snapshot once its point in time is older than this;
    /// the newest completed snapshot is always kept.
    MaxAge(SimDuration),
}

/// When snapshots are requested.
#[derive(Clone, Debug, PartialEq)]
pub enum Times {
    /// No snapshots at all.
    Never,
    /// Every `interval`, the first at `first_at`.
    Every {
        /// Spacing of requests.
        interval: SimDuration,
        /// Instant of the first request.
        first_at: SimTime,
    },
    /// At these instants, ascending.
    At(Vec<SimTime>),
}

/// The snapshot schedule of one volume.
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduleConfig {
    /// When requests are due.
    pub times: Times,
    /// Each request is delayed by a uniform draw in `[0, jitter]`.
    pub jitter: SimDuration,
    /// What to do on `ConcurrentSnapshotLimitExceeded` or
    /// `SnapshotCreationPerVolumeRateExceeded`.
    pub on_limit: LimitPolicy,
    /// Which completed snapshots are kept.
    pub retention: Retention,
    /// Tags copied onto every snapshot, in file order.
    pub tags: Vec<(String, String)>,
    /// What happens around each request (EBS_FACTS.md §6).
    pub consistency: Consistency,
}

/// The guest's write-back cache: written data reaches the volume only at the
/// next periodic flush (or at once when the cache is full), so a
/// crash-consistent snapshot misses what is still in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WriteCache {
    /// Most dirty data the cache holds [B].
    pub size: Bytes,
    /// The cache is flushed at every multiple of this interval.
    pub flush_interval: SimDuration,
}

/// Consistency mode around a snapshot request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Consistency {
    /// Nothing pauses; data still in the guest's cache is left out.
    Crash,
    /// Writes pause while the cache flushes at `flush` and the request is
    /// made (`request`); they resume once the snapshot is pending.
    Freeze {
        /// Flush rate of the cache to the volume [B/s].
        flush: Bandwidth,
        /// Time from the call to `pending`.
        request: SimDuration,
    },
    /// As freeze, plus unmounting before and remounting after.
    Unmount {
        /// Flush rate [B/s].
        flush: Bandwidth,
        /// Time from the call to `pending`.
        request: SimDuration,
        /// Unmount time.
        unmount: SimDuration,
        /// Remount time.
        remount: SimDuration,
    },
    /// Root volumes: the instance stops (flushing everything), the snapshot
    /// is requested, and the instance starts once it is pending; no IO at all
    /// while it is down.
    Stop {
        /// Instance stop time.
        stop: SimDuration,
        /// Time from the call to `pending`.
        request: SimDuration,
        /// Instance start time.
        start: SimDuration,
    },
}

impl Consistency {
    /// (time before the call, time after the call until IO resumes, whether
    /// IO arriving meanwhile is dropped) for `cached` bytes in the cache.
    pub fn pause(&self, cached: u64) -> (SimDuration, SimDuration, bool) {
        let flush =
            |bw: Bandwidth| SimDuration::from_secs_f64_ceil(cached as f64 / bw.bytes_per_sec);
        match *self {
            Consistency::Crash => (SimDuration::ZERO, SimDuration::ZERO, false),
            Consistency::Freeze { flush: bw, request } => (flush(bw), request, false),
            Consistency::Unmount {
                flush: bw,
                request,
                unmount,
                remount,
            } => (unmount + flush(bw), request + remount, false),
            Consistency::Stop {
                stop,
                request,
                start,
            } => (stop, request + start, true),
        }
    }
}
