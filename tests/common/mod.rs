//! Builders for hand-made model configurations used by the integration tests.
#![allow(dead_code)]

use snapsim::engine::{SimDuration, SimTime};
use snapsim::model::config::*;
use snapsim::model::units::{Bandwidth, Bytes, Frequency};
use snapsim::model::volume_type::VolumeKind;

/// A gp3 volume of `size` with `used` bytes, no writes, no snapshots.
pub fn volume(name: &str, size: Bytes, used: Bytes) -> VolumeConfig {
    let provisioned = VolumeKind::Gp3.provision(size, None, None).unwrap();
    VolumeConfig {
        name: name.to_string(),
        group: name.to_string(),
        kind: VolumeKind::Gp3,
        provisioned,
        reads: Vec::new(),
        trace: None,
        performance: VolumeKind::Gp3.default_performance(&provisioned),
        used,
        existing_snapshot: false,
        encrypted: false,
        region: None,
        availability_zone: None,
        pending_limit: 5,
        cache: None,
        pool: None,
        writes: Vec::new(),
        schedule: ScheduleConfig {
            times: Times::Never,
            jitter: SimDuration::ZERO,
            on_limit: LimitPolicy::Fail,
            retention: Retention::KeepAll,
            tags: Vec::new(),
            consistency: Consistency::Crash,
        },
    }
}

/// Uniform, Poisson writes of `size` bytes at `rate` per second over the
/// whole volume.
pub fn uniform_writes(vol: &VolumeConfig, rate: f64, size: Bytes) -> WriteStream {
    WriteStream {
        arrival: Arrival::Poisson(Frequency { per_sec: rate }),
        size,
        size_dist: None,
        pattern: Pattern::Uniform,
        alignment: size,
        region_offset: Bytes(0),
        region_length: vol.provisioned.size,
    }
}

/// Snapshots at these instants [s].
pub fn at_secs(times: &[f64]) -> Times {
    Times::At(
        times
            .iter()
            .map(|&s| SimTime::ZERO + SimDuration::from_secs_f64_ceil(s))
            .collect(),
    )
}

/// A run of `duration_s` seconds, per-snapshot cap `per_snapshot_mib` MiB/s,
/// no other limit, fair sharing.
pub fn config(duration_s: u64, per_snapshot_mib: f64, volumes: Vec<VolumeConfig>) -> SimConfig {
    SimConfig {
        seed: 1,
        duration: SimDuration::from_secs(duration_s),
        block_size: Bytes::kib(512),
        transfer: TransferConfig {
            per_snapshot: Bandwidth::mib_per_sec(per_snapshot_mib),
            per_volume: None,
            sharing: Sharing::Fair,
            pools: Vec::new(),
            variability: None,
        },
        volumes,
        groups: Vec::new(),
        verify: false,
        timeseries_step: SimDuration::from_secs(60),
        fidelity: Fidelity::Flow,
        warmup: SimDuration::ZERO,
        change_tracking: Default::default(),
        allow_large: false,
    }
}

/// The first trace file a scenario file replays that does not exist, if
/// any (paths resolved from the scenario's directory). Tests that run every
/// file in `scenarios/` skip such a scenario with a visible message, so the
/// suite passes without `../shared/traces` beside the repository.
/// Under CI (`CI=true`) an absent trace fails the test instead: CI has the
/// traces, and a skip there would hide every trace test.
pub fn absent_trace(scenario: &std::path::Path) -> Option<std::path::PathBuf> {
    let text = std::fs::read_to_string(scenario).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let dir = scenario.parent()?;
    let absent = value["volumes"]
        .as_array()?
        .iter()
        .filter_map(|v| v["workload"]["trace"]["path"].as_str())
        .map(|p| dir.join(p))
        .find(|p| !p.exists())?;
    fail_in_ci(&absent);
    Some(absent)
}

/// Panics when `CI=true`: `missing` (under `../shared/traces`) must exist
/// there. Outside CI the caller skips with a visible message.
pub fn fail_in_ci(missing: &std::path::Path) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is absent, and CI=true: CI must have ../shared/traces beside the repository (the trace tests would otherwise be skipped silently)",
            missing.display()
        );
    }
}
