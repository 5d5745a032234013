//! Stage 2 of loading: turns a [`RawScenario`] into the model's
//! [`SimConfig`] plus scenario metadata. Applies defaults, checks every
//! cross-field rule, expands `count`, and refuses scenarios too large to
//! simulate. Every error carries the JSON path of the value to change.
//! Per-volume rules live in `volume.rs`, schedule rules in `schedule.rs`.

use super::error::Invalid;
use super::quantity::DurationText;
use super::raw::{RawFidelity, RawScenario, RawSharing, RawTransfer, RawVariability};
use super::volume::{validate_volume, VolumeContext, VolumeDraft};
use crate::engine::SimDuration;
use crate::model::config::{
    Fidelity, PoolConfig, RateVariability, Sharing, SimConfig, TransferConfig, VolumeConfig,
};
use crate::model::tracking::{Choice as TrackingChoice, SampleSize, DEFAULT_SAMPLES};
use crate::model::units::{Bandwidth, Bytes, KIB, MIB};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Longest accepted scenario `duration`: 100 years of 365.25 days [s].
pub const MAX_DURATION_SECS: u64 = 36_525 * 86_400;
/// Most volumes a scenario may have after `count` expansion.
pub const MAX_VOLUMES: u64 = 100_000;
/// Most snapshot requests (summed over volumes) a scenario's schedules may
/// plan, retries not counted.
pub const MAX_REQUESTS: u128 = 10_000_000;
/// Default `start`: 2026-01-01T00:00:00Z [s since the Unix epoch].
pub const DEFAULT_START_UNIX_SECS: u64 = 1_767_225_600;
/// Last instant RFC 3339 timestamps can write, 9999-12-31T23:59:59Z
/// [s since the Unix epoch]: `start` plus `duration` must not pass it, or
/// the `StartTime` stamps of the results could not be written.
pub const MAX_END_UNIX_SECS: u64 = 253_402_300_799;
/// Default per-snapshot upload cap: 42 MiB/s, the middle of the 33–56 MB/s
/// community range for full gp3 snapshots (EBS_FACTS.md §3.2) [MiB/s].
pub const DEFAULT_PER_SNAPSHOT_MIB_S: f64 = 42.0;
/// Default step of the per-volume time series: one minute.
pub const DEFAULT_TIMESERIES_STEP: SimDuration = SimDuration(60_000_000_000);

/// Most time-series rows the default step leads to (an explicit step may
/// give up to 10,000,000).
pub const DEFAULT_MAX_ROWS: u64 = 1_000_000;

/// Most sampled blocks per volume under statistical tracking.
pub const MAX_SAMPLES: u64 = 1 << 24;
/// Default change-tracking block size (EBS: 512 KiB).
pub const DEFAULT_BLOCK_SIZE: Bytes = Bytes(512 * KIB);

/// A validated scenario, before the file name and source are attached.
#[derive(Debug)]
pub(crate) struct Validated {
    pub name: String,
    pub description: String,
    pub start: SystemTime,
    pub config: SimConfig,
}

/// Checks a scenario or volume name: 1 to 64 characters of
/// `[A-Za-z0-9._-]`, not `.` or `..` (it becomes a directory name).
pub(crate) fn check_name(path: &str, name: &str, what: &str) -> Result<(), Invalid> {
    let fix = "use 1 to 64 letters, digits, '.', '_' or '-', e.g. \"nightly-db\"";
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Invalid::at(
            path,
            format!("{what} name \"{name}\" must have 1 to 64 characters; {fix}"),
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(Invalid::at(
            path,
            format!("{what} name \"{name}\" contains {c:?}; {fix}"),
        ));
    }
    if name == "." || name == ".." {
        return Err(Invalid::at(
            path,
            format!("{what} name \"{name}\" is not a usable directory name; {fix}"),
        ));
    }
    Ok(())
}

/// Converts the raw file into the model configuration (with `verify` off);
/// relative trace paths are resolved from `base_dir`.
pub(crate) fn validate(raw: &RawScenario, base_dir: &Path) -> Result<Validated, Invalid> {
    if let Some(v) = raw.format_version.filter(|&v| v != 1) {
        return Err(Invalid::at(
            "format_version",
            format!("format_version {v} is not supported; this snapsim reads version 1: write \"format_version\": 1 or remove it"),
        ));
    }
    check_name("name", &raw.name, "scenario")?;
    let duration = check_duration(&raw.duration)?;
    let start = match &raw.start {
        None => UNIX_EPOCH + Duration::from_secs(DEFAULT_START_UNIX_SECS),
        Some(s) => humantime::parse_rfc3339(s).map_err(|e| {
            Invalid::at("start", format!("start \"{s}\" is not an RFC 3339 UTC timestamp ({e}); write e.g. \"2026-01-01T00:00:00Z\""))
        })?,
    };
    check_end(raw, start, duration)?;
    let block_size = match &raw.block_size {
        None => DEFAULT_BLOCK_SIZE,
        Some(b) => {
            let v = b.value.0;
            if !v.is_power_of_two() || !(4 * KIB..=64 * MIB).contains(&v) {
                return Err(Invalid::at(
                    "block_size",
                    format!("block_size \"{}\" must be a power of two from 4KiB to 64MiB; use e.g. \"512KiB\" (the EBS block size)", b.text),
                ));
            }
            Bytes(v)
        }
    };
    let transfer = validate_transfer(raw.transfer.as_ref())?;
    if raw.volumes.is_empty() {
        return Err(Invalid::at(
            "volumes",
            "the scenario has no volumes; add at least one, e.g. {\"name\": \"db\", \"type\": \"gp3\", \"size\": \"100GiB\"}",
        ));
    }
    let fidelity = match raw.fidelity {
        None | Some(RawFidelity::Flow) => Fidelity::Flow,
        Some(RawFidelity::Io) => Fidelity::Io,
    };
    let warmup = match &raw.warmup {
        None => SimDuration::ZERO,
        Some(w) if fidelity == Fidelity::Flow => {
            return Err(Invalid::at(
                "warmup",
                format!("warmup \"{}\" applies only to latency at IO fidelity; add \"fidelity\": \"io\" or remove `warmup`", w.text),
            ))
        }
        Some(w) if w.value >= duration => {
            return Err(Invalid::at(
                "warmup",
                format!("warmup \"{}\" is not shorter than the duration \"{}\", so nothing would be measured; shorten it", w.text, raw.duration.text),
            ))
        }
        Some(w) => w.value,
    };
    let ctx = VolumeContext {
        duration: &raw.duration,
        pools: &transfer.pools,
        io_fidelity: fidelity == Fidelity::Io,
        base_dir,
    };
    let mut drafts = Vec::with_capacity(raw.volumes.len());
    let (mut total_volumes, mut total_requests) = (0u64, 0u128);
    for (i, rv) in raw.volumes.iter().enumerate() {
        let draft = validate_volume(&format!("volumes[{i}]"), rv, &ctx)?;
        total_volumes = total_volumes.saturating_add(draft.count);
        if total_volumes > MAX_VOLUMES {
            return Err(Invalid::at(
                format!("volumes[{i}].count"),
                format!("with count {} the scenario reaches {total_volumes} volumes after expansion, more than the limit of 100,000; lower `count` or split the scenario", draft.count),
            ));
        }
        total_requests = total_requests.saturating_add(u128::from(draft.count) * draft.requests);
        if total_requests > MAX_REQUESTS {
            return Err(Invalid::at(
                format!("volumes[{i}].snapshots"),
                format!("the schedules up to here already plan {total_requests} snapshot requests over the duration \"{}\", more than the limit of 10,000,000; lengthen `every`, shorten `duration` or lower `count`", raw.duration.text),
            ));
        }
        drafts.push(draft);
    }
    let mut volumes = expand(drafts)?;
    let groups = validate_groups(raw, &mut volumes)?;
    let timeseries_step = check_timeseries_step(raw, duration, volumes.len() as u64)?;
    let change_tracking = check_change_tracking(raw.change_tracking.as_ref(), fidelity)?;
    Ok(Validated {
        name: raw.name.clone(),
        description: raw.description.clone().unwrap_or_default(),
        start,
        config: SimConfig {
            seed: raw.seed.unwrap_or(1),
            duration,
            block_size,
            transfer,
            volumes,
            groups,
            verify: false,
            timeseries_step,
            fidelity,
            warmup,
            change_tracking,
            allow_large: raw.allow_large.unwrap_or(false),
        },
    })
}

/// The `change_tracking` key: a name, or `{"statistical": {"samples" | "rate"}}`.
fn check_change_tracking(
    raw: Option<&serde_json::Value>,
    fidelity: Fidelity,
) -> Result<TrackingChoice, Invalid> {
    use serde_json::Value;
    const FORMS: &str = "use \"auto\", \"exact\", \"statistical\", {\"statistical\": {\"samples\": 8192}} or {\"statistical\": {\"rate\": 0.001}}";
    let choice = match raw {
        None => return Ok(TrackingChoice::Auto),
        Some(Value::String(s)) => match s.as_str() {
            "auto" => TrackingChoice::Auto,
            "exact" => TrackingChoice::Exact,
            "statistical" => TrackingChoice::Statistical(SampleSize::Blocks(DEFAULT_SAMPLES)),
            other => {
                return Err(Invalid::at(
                    "change_tracking",
                    format!("unknown change_tracking \"{other}\"; {FORMS}"),
                ))
            }
        },
        Some(Value::Object(o)) if o.len() == 1 && o.contains_key("statistical") => {
            let params = &o["statistical"];
            let Some(p) = params.as_object().filter(|p| p.len() == 1) else {
                return Err(Invalid::at(
                    "change_tracking.statistical",
                    format!(
                        "expected one of {{\"samples\": N}} or {{\"rate\": R}}, found {params}"
                    ),
                ));
            };
            if let Some(v) = p.get("samples") {
                match v.as_u64().filter(|&n| (1..=MAX_SAMPLES).contains(&n)) {
                    Some(n) => TrackingChoice::Statistical(SampleSize::Blocks(n as u32)),
                    None => {
                        return Err(Invalid::at(
                            "change_tracking.statistical.samples",
                            format!("samples {v} is out of range; use a whole number from 1 to {MAX_SAMPLES} (default {DEFAULT_SAMPLES})"),
                        ))
                    }
                }
            } else if let Some(v) = p.get("rate") {
                match v.as_f64().filter(|r| *r > 0.0 && *r <= 1.0) {
                    Some(r) => TrackingChoice::Statistical(SampleSize::Rate(r)),
                    None => {
                        return Err(Invalid::at(
                            "change_tracking.statistical.rate",
                            format!("sampling rate {v} is outside (0, 1]; use a fraction of the blocks such as 0.001 (0.1 %)"),
                        ))
                    }
                }
            } else {
                return Err(Invalid::at(
                    "change_tracking.statistical",
                    format!("unknown key in {params}; use \"samples\" or \"rate\""),
                ));
            }
        }
        Some(other) => {
            return Err(Invalid::at(
                "change_tracking",
                format!("unexpected change_tracking {other}; {FORMS}"),
            ))
        }
    };
    if fidelity == Fidelity::Io && matches!(choice, TrackingChoice::Statistical(_)) {
        return Err(Invalid::at(
            "change_tracking",
            "statistical change tracking works at flow fidelity only (IO fidelity times every IO against the exact block state); use \"exact\" or \"auto\", or \"fidelity\": \"flow\"",
        ));
    }
    Ok(choice)
}

/// The time-series step: positive, and not so fine that the series would
/// dwarf the run (at most 1,000,000 steps per volume, 10,000,000 rows).
fn check_timeseries_step(
    raw: &RawScenario,
    duration: SimDuration,
    volumes: u64,
) -> Result<SimDuration, Invalid> {
    let Some(step) = &raw.timeseries_step else {
        // The default: 1 minute, or the first coarser round step that keeps
        // the series within 1,000,000 rows (a fleet's month at 1 minute
        // would be tens of millions of rows nobody reads).
        const LADDER_S: [u64; 12] = [
            60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 604_800,
        ];
        let fits = |s: SimDuration| {
            let steps = duration.0.div_ceil(s.0.max(1));
            steps <= 1_000_000 && steps.saturating_mul(volumes.max(1)) <= DEFAULT_MAX_ROWS
        };
        let step = LADDER_S
            .iter()
            .map(|&s| SimDuration::from_secs(s))
            .filter(|&s| s >= DEFAULT_TIMESERIES_STEP)
            .find(|&s| fits(s))
            .unwrap_or(SimDuration(
                duration
                    .0
                    .div_ceil(DEFAULT_MAX_ROWS / volumes.max(1))
                    .max(1),
            ));
        return Ok(step.max(SimDuration(duration.0.div_ceil(1_000_000))));
    };
    if step.value.is_zero() {
        return Err(Invalid::at(
            "timeseries_step",
            format!(
                "timeseries_step \"{}\" must be greater than zero; use e.g. \"1m\"",
                step.text
            ),
        ));
    }
    let steps = duration.0.div_ceil(step.value.0);
    if steps > 1_000_000 || steps.saturating_mul(volumes) > 10_000_000 {
        return Err(Invalid::at(
            "timeseries_step",
            format!("timeseries_step \"{}\" gives {steps} steps per volume over the duration \"{}\" ({volumes} volumes), more than 1,000,000 steps or 10,000,000 rows; use a longer step", step.text, raw.duration.text),
        ));
    }
    Ok(step.value)
}

/// `start` + `duration` within RFC 3339's years (up to 9999).
fn check_end(raw: &RawScenario, start: SystemTime, duration: SimDuration) -> Result<(), Invalid> {
    let start_secs = start.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let end_secs = start_secs.saturating_add(duration.0.div_ceil(1_000_000_000));
    if end_secs <= MAX_END_UNIX_SECS {
        return Ok(());
    }
    let latest = MAX_END_UNIX_SECS.saturating_sub(duration.0.div_ceil(1_000_000_000));
    let latest = humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(latest));
    let start_text = raw.start.as_deref().unwrap_or("2026-01-01T00:00:00Z");
    Err(Invalid::at(
        if raw.start.is_some() { "start" } else { "duration" },
        format!("start \"{start_text}\" plus duration \"{}\" ends after 9999-12-31T23:59:59Z, the last instant an RFC 3339 timestamp can write; start at {latest} or earlier, or shorten the duration", raw.duration.text),
    ))
}

fn check_duration(d: &DurationText) -> Result<SimDuration, Invalid> {
    if d.value.is_zero() {
        return Err(Invalid::at(
            "duration",
            format!(
                "duration \"{}\" must be greater than zero; write e.g. \"24h\"",
                d.text
            ),
        ));
    }
    if d.value > SimDuration::from_secs(MAX_DURATION_SECS) {
        return Err(Invalid::at(
            "duration",
            format!(
                "duration \"{}\" is longer than 100 years (36525d); shorten it, e.g. \"365d\"",
                d.text
            ),
        ));
    }
    Ok(d.value)
}

fn validate_transfer(raw: Option<&RawTransfer>) -> Result<TransferConfig, Invalid> {
    let default_rate = Bandwidth::mib_per_sec(DEFAULT_PER_SNAPSHOT_MIB_S);
    let Some(raw) = raw else {
        return Ok(TransferConfig {
            per_snapshot: default_rate,
            per_volume: None,
            sharing: Sharing::Fair,
            pools: Vec::new(),
            variability: None,
        });
    };
    let mut pools: Vec<PoolConfig> = Vec::new();
    for (j, p) in raw.pools.iter().flatten().enumerate() {
        if p.name.is_empty() {
            return Err(Invalid::at(
                format!("transfer.pools[{j}].name"),
                "pool name is empty; give the pool a name, e.g. \"region-link\"",
            ));
        }
        if let Some(k) = pools.iter().position(|q| q.name == p.name) {
            return Err(Invalid::at(
                format!("transfer.pools[{j}].name"),
                format!("pool name \"{}\" is already used by transfer.pools[{k}]; give each pool a unique name", p.name),
            ));
        }
        pools.push(PoolConfig {
            name: p.name.clone(),
            rate: p.rate.value,
        });
    }
    let variability = match raw.variability {
        None => None,
        Some(RawVariability::LogNormal { sigma }) => {
            if !(sigma > 0.0 && sigma <= 3.0) {
                return Err(Invalid::at(
                    "transfer.variability.lognormal.sigma",
                    format!("sigma {sigma} is out of range; use a value above 0 and at most 3, e.g. 0.3, or remove `variability`"),
                ));
            }
            Some(RateVariability::LogNormal { sigma })
        }
    };
    Ok(TransferConfig {
        per_snapshot: raw.per_snapshot.as_ref().map_or(default_rate, |b| b.value),
        per_volume: raw.per_volume.as_ref().map(|b| b.value),
        sharing: match raw.sharing {
            None | Some(RawSharing::Fair) => Sharing::Fair,
            Some(RawSharing::Fcfs) => Sharing::FirstComeFirstServed,
        },
        pools,
        variability,
    })
}

/// Stamps out `count` copies (`name-1` … `name-N`) and checks that all names
/// are unique.
fn expand(drafts: Vec<VolumeDraft>) -> Result<Vec<VolumeConfig>, Invalid> {
    let counts: Vec<u64> = drafts.iter().map(|d| d.count).collect();
    let total: u64 = counts.iter().sum();
    let mut volumes = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, draft) in drafts.into_iter().enumerate() {
        let names: Vec<String> = if draft.count == 1 {
            vec![draft.config.name.clone()]
        } else {
            (1..=draft.count)
                .map(|k| format!("{}-{k}", draft.config.name))
                .collect()
        };
        for name in names {
            if let Some(&other) = seen.get(&name) {
                let how = |idx: usize| match counts[idx] {
                    1 => format!("volumes[{idx}]"),
                    c => format!("volumes[{idx}] (count {c})"),
                };
                return Err(Invalid::at(
                    format!("volumes[{i}].name"),
                    format!("volume name \"{name}\" is produced twice, by {} and by {} (a volume with count N is named <name>-1 … <name>-N); rename one of them", how(other), how(i)),
                ));
            }
            seen.insert(name.clone(), i);
            let mut v = draft.config.clone();
            v.group = draft.config.name.clone();
            v.name = name;
            volumes.push(v);
        }
    }
    Ok(volumes)
}

/// Multi-volume sets: members named once, existing, without schedules of
/// their own, at most 40 (EBS_FACTS.md §6 C5); crash consistency only.
fn validate_groups(
    raw: &RawScenario,
    volumes: &mut [VolumeConfig],
) -> Result<Vec<crate::model::config::GroupConfig>, Invalid> {
    let mut out = Vec::new();
    let mut taken: HashMap<usize, String> = HashMap::new();
    for (g, rg) in raw.groups.iter().flatten().enumerate() {
        let path = format!("groups[{g}]");
        if rg.volumes.is_empty() || rg.volumes.len() > 40 {
            return Err(Invalid::at(
                format!("{path}.volumes"),
                format!(
                    "a snapshot set has 1 to 40 volumes, got {}; split it",
                    rg.volumes.len()
                ),
            ));
        }
        let mut members = Vec::new();
        for (k, name) in rg.volumes.iter().enumerate() {
            let mpath = format!("{path}.volumes[{k}]");
            let Some(i) = volumes.iter().position(|v| &v.name == name) else {
                return Err(Invalid::at(mpath, format!("no volume is named \"{name}\"; use a volume name (with its -N suffix when `count` is above 1)")));
            };
            if let Some(other) = taken.insert(i, rg.name.clone()) {
                return Err(Invalid::at(mpath, format!("volume \"{name}\" is already in set \"{other}\"; a volume belongs to one set at most")));
            }
            if volumes[i].schedule.times != crate::model::config::Times::Never {
                return Err(Invalid::at(mpath, format!("volume \"{name}\" has its own `snapshots`; remove them, the set's schedule applies")));
            }
            members.push(i);
        }
        let flush = volumes[members[0]].provisioned.throughput;
        let (schedule, _) = super::schedule::validate_schedule(
            &format!("{path}.snapshots"),
            Some(&rg.snapshots),
            &raw.duration,
            flush,
        )?;
        if schedule.consistency != crate::model::config::Consistency::Crash {
            return Err(Invalid::at(
                format!("{path}.snapshots.consistency"),
                "snapshot sets are crash-consistent (CreateSnapshots); remove `consistency`",
            ));
        }
        // Members keep their snapshots by the set's retention and carry its
        // tags; the set's schedule makes the requests.
        for &i in &members {
            volumes[i].schedule.retention = schedule.retention;
            volumes[i].schedule.tags = schedule.tags.clone();
        }
        out.push(crate::model::config::GroupConfig {
            name: rg.name.clone(),
            members,
            schedule,
        });
    }
    Ok(out)
}
