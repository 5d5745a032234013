//! Stage 2 for one volume entry: name and count, provisioning (delegated to
//! [`VolumeKind::provision`]), `used`, pending limit, pool membership and
//! the write stream. The schedule is checked in `schedule.rs`, a trace in
//! `trace.rs`.

use super::choice::{PatternName, PatternObject, RawPattern};
use super::error::Invalid;
use super::location::{is_region, zone_region, REGION_FORM};
use super::performance::{check_fidelity, validate_performance};
use super::quantity::DurationText;
use super::raw::{RawKind, RawStream, RawStreams, RawVolume};
use super::schedule::validate_schedule;
use super::stream_shape;
use super::trace::validate_trace;
use super::units::number_text;
use super::validate::{check_name, MAX_VOLUMES};
use crate::model::config::{Pattern, PoolConfig, VolumeConfig, WriteStream};
use crate::model::units::{Bytes, KIB};
use crate::model::volume_type::{ProvisionError, VolumeKind};

/// What a volume entry needs from the rest of the file.
pub(crate) struct VolumeContext<'a> {
    /// The scenario `duration`, as written and parsed.
    pub duration: &'a DurationText,
    /// The validated `transfer.pools`.
    pub pools: &'a [PoolConfig],
    /// Whether the scenario runs at IO fidelity.
    pub io_fidelity: bool,
    /// Directory that relative trace paths are resolved from.
    pub base_dir: &'a std::path::Path,
}

/// One validated volume entry, before `count` expansion.
#[derive(Debug)]
pub(crate) struct VolumeDraft {
    /// The configuration of each copy; `name` is the entry's base name.
    pub config: VolumeConfig,
    /// Number of copies, 1 to [`MAX_VOLUMES`].
    pub count: u64,
    /// Snapshot requests one copy's schedule plans (retries not counted).
    pub requests: u128,
}

fn kind_of(raw: RawKind) -> VolumeKind {
    match raw {
        RawKind::Gp2 => VolumeKind::Gp2,
        RawKind::Gp3 => VolumeKind::Gp3,
        RawKind::Io1 => VolumeKind::Io1,
        RawKind::Io2 => VolumeKind::Io2,
        RawKind::St1 => VolumeKind::St1,
        RawKind::Sc1 => VolumeKind::Sc1,
        RawKind::Custom => VolumeKind::Custom,
    }
}

/// Validates the volume entry at `path` (such as `volumes[0]`).
pub(crate) fn validate_volume(
    path: &str,
    raw: &RawVolume,
    ctx: &VolumeContext<'_>,
) -> Result<VolumeDraft, Invalid> {
    check_name(&format!("{path}.name"), &raw.name, "volume")?;
    let count = raw.count.unwrap_or(1);
    if !(1..=MAX_VOLUMES).contains(&count) {
        return Err(Invalid::at(
            format!("{path}.count"),
            format!("count {count} is out of range; use 1 to 100000"),
        ));
    }
    let kind = kind_of(raw.kind);
    let provisioned = kind
        .provision(
            raw.size.value,
            raw.iops,
            raw.throughput.as_ref().map(|t| t.value),
        )
        .map_err(|e| provision_error(path, raw, &e))?;
    let size = provisioned.size;
    let used = raw.used.as_ref().map_or(Bytes(0), |u| u.value);
    if used > size {
        return Err(Invalid::at(
            format!("{path}.used"),
            format!(
                "used \"{}\" is larger than the volume size \"{}\"; lower `used` or raise `size`",
                text_of(&raw.used),
                raw.size.text
            ),
        ));
    }
    let pending_limit = raw
        .pending_limit
        .unwrap_or_else(|| kind.default_pending_limit());
    if !(1..=100).contains(&pending_limit) {
        return Err(Invalid::at(
            format!("{path}.pending_limit"),
            format!("pending_limit {pending_limit} is out of range; use 1 to 100 (EBS allows {} for {kind})", kind.default_pending_limit()),
        ));
    }
    let pool =
        match &raw.pool {
            None => None,
            Some(name) => Some(ctx.pools.iter().position(|p| p.name == *name).ok_or_else(
                || {
                    let fix = if ctx.pools.is_empty() {
                        "no pools are defined; add one to transfer.pools or remove `pool`"
                            .to_string()
                    } else {
                        let names: Vec<String> = ctx
                            .pools
                            .iter()
                            .map(|p| format!("\"{}\"", p.name))
                            .collect();
                        format!(
                            "the pools defined in transfer.pools are {}; use one of them",
                            names.join(", ")
                        )
                    };
                    Invalid::at(
                        format!("{path}.pool"),
                        format!("pool \"{name}\" is not defined; {fix}"),
                    )
                },
            )?),
        };
    check_fidelity(path, raw, ctx.io_fidelity)?;
    let writes = validate_streams(
        &format!("{path}.workload.writes"),
        raw.workload.as_ref().and_then(|w| w.writes.as_ref()),
        size,
    )?;
    let reads = validate_streams(
        &format!("{path}.workload.reads"),
        raw.workload.as_ref().and_then(|w| w.reads.as_ref()),
        size,
    )?;
    let trace = match raw.workload.as_ref().and_then(|w| w.trace.as_ref()) {
        None => None,
        Some(t) => {
            let tpath = format!("{path}.workload.trace");
            if !writes.is_empty() || !reads.is_empty() {
                return Err(Invalid::at(
                    tpath,
                    "a volume replaying a trace cannot also have `writes` or `reads`; remove `workload.writes` and `workload.reads`, or the trace",
                ));
            }
            Some(validate_trace(
                &tpath,
                t,
                size,
                ctx.duration.value,
                ctx.base_dir,
            )?)
        }
    };
    let performance = validate_performance(path, raw.performance.as_ref(), kind, &provisioned)?;
    let (schedule, requests) = validate_schedule(
        &format!("{path}.snapshots"),
        raw.snapshots.as_ref(),
        ctx.duration,
        provisioned.throughput,
    )?;
    let cache = super::consistency::cache(&format!("{path}.cache"), raw.cache.as_ref())?;
    let (region, availability_zone) = validate_location(path, raw)?;
    Ok(VolumeDraft {
        config: VolumeConfig {
            group: String::new(),
            name: raw.name.clone(),
            kind,
            provisioned,
            used,
            existing_snapshot: raw.existing_snapshot.unwrap_or(false),
            encrypted: raw.encrypted.unwrap_or(false),
            region,
            availability_zone,
            pending_limit,
            cache,
            pool,
            writes,
            reads,
            trace,
            performance,
            schedule,
        },
        count,
        requests,
    })
}

/// The volume's `region` and `availability_zone`: the zone's region
/// derived by [`zone_region`], a given region checked against it.
fn validate_location(
    path: &str,
    raw: &RawVolume,
) -> Result<(Option<String>, Option<String>), Invalid> {
    let zone = match &raw.availability_zone {
        None => None,
        Some(z) => Some((
            z,
            zone_region(z)
                .map_err(|e| Invalid::at(format!("{path}.availability_zone"), e))?
                .0,
        )),
    };
    if let Some(r) = &raw.region {
        if !is_region(r) {
            let hint = if zone_region(r).is_ok() {
                "; it is an availability zone name: give it as `availability_zone`"
            } else {
                ""
            };
            return Err(Invalid::at(
                format!("{path}.region"),
                format!("region \"{r}\" is not a region name{hint}; {REGION_FORM}"),
            ));
        }
        if let Some((z, derived)) = zone {
            if derived != r {
                return Err(Invalid::at(
                    format!("{path}.region"),
                    format!(
                        "region \"{r}\" disagrees with availability_zone \"{z}\", which is in region \"{derived}\"; give region \"{derived}\", or leave `region` out (it is derived from the zone), or correct the zone"
                    ),
                ));
            }
        }
    }
    Ok(match zone {
        Some((z, derived)) => (Some(derived.to_string()), Some(z.clone())),
        None => (raw.region.clone(), None),
    })
}

fn text_of(q: &Option<super::quantity::SizeText>) -> &str {
    q.as_ref().map_or("0B", |q| q.text.as_str())
}

/// Places a provisioning error at the field it names, prefixed by the value
/// as written when there is one.
fn provision_error(path: &str, raw: &RawVolume, e: &ProvisionError) -> Invalid {
    let field = e.field();
    let value = match field {
        "size" => Some(format!("size \"{}\"", raw.size.text)),
        "iops" => raw.iops.map(|i| format!("iops {i}")),
        "throughput" => raw
            .throughput
            .as_ref()
            .map(|t| format!("throughput \"{}\"", t.text)),
        _ => None,
    };
    let message = match value {
        Some(v) => format!("{v} is refused: {e}"),
        None => e.to_string(),
    };
    Invalid::at(format!("{path}.{field}"), message)
}

/// Validates one stream or a mixture of streams (a list).
fn validate_streams(
    path: &str,
    raw: Option<&RawStreams>,
    volume: Bytes,
) -> Result<Vec<WriteStream>, Invalid> {
    match raw {
        None => Ok(Vec::new()),
        Some(RawStreams::One(s)) => Ok(vec![validate_stream(path, s, volume)?]),
        Some(RawStreams::Many(list)) => {
            if list.is_empty() {
                return Err(Invalid::at(
                    path,
                    "the list of streams is empty; give at least one stream or remove the key",
                ));
            }
            list.iter()
                .enumerate()
                .map(|(i, s)| validate_stream(&format!("{path}[{i}]"), s, volume))
                .collect()
        }
    }
}

/// Validates a write stream on a volume of `volume` bytes.
fn validate_stream(path: &str, raw: &RawStream, volume: Bytes) -> Result<WriteStream, Invalid> {
    let (size, size_dist, size_text) = stream_shape::size(&format!("{path}.size"), &raw.size)?;
    let alignment = raw.alignment.as_ref().map_or(Bytes(4 * KIB), |a| a.value);
    if !alignment.0.is_power_of_two() || alignment.0 < 512 {
        let text = raw.alignment.as_ref().map_or("", |a| a.text.as_str());
        return Err(Invalid::at(
            format!("{path}.alignment"),
            format!(
                "alignment \"{text}\" must be a power of two of at least 512B; use e.g. \"4KiB\""
            ),
        ));
    }
    let region = raw.region.as_ref();
    let offset = region
        .and_then(|r| r.offset.as_ref())
        .map_or(Bytes(0), |o| o.value);
    if offset >= volume {
        return Err(Invalid::at(
            format!("{path}.region.offset"),
            format!("region offset {offset} is not inside the {volume} volume; use an offset below the volume size"),
        ));
    }
    if offset.0 % alignment.0 != 0 {
        return Err(Invalid::at(
            format!("{path}.region.offset"),
            format!("region offset {offset} ({} B) is not a multiple of the alignment {alignment}; round it to a multiple of the alignment", offset.0),
        ));
    }
    let length = region
        .and_then(|r| r.length.as_ref())
        .map_or(Bytes(volume.0 - offset.0), |l| l.value);
    if length.0 > volume.0 - offset.0 {
        return Err(Invalid::at(
            format!("{path}.region.length"),
            format!("region length {length} from offset {offset} goes past the end of the {volume} volume; shorten `length` or lower `offset`"),
        ));
    }
    if length < size {
        return Err(Invalid::at(
            format!("{path}.region.length"),
            format!("region length {length} is smaller than the IO size \"{size_text}\"; make the region at least one IO long"),
        ));
    }
    let pattern = validate_pattern(&format!("{path}.pattern"), raw.pattern.as_ref(), length)?;
    let rate = raw.rate.value;
    Ok(WriteStream {
        arrival: stream_shape::arrival(&format!("{path}.arrival"), raw.arrival.as_ref(), rate)?,
        size,
        size_dist,
        pattern,
        alignment,
        region_offset: offset,
        region_length: length,
    })
}

fn validate_pattern(
    path: &str,
    raw: Option<&RawPattern>,
    region_length: Bytes,
) -> Result<Pattern, Invalid> {
    let pattern = match raw {
        None | Some(RawPattern::Name(PatternName::Uniform)) => Pattern::Uniform,
        Some(RawPattern::Name(PatternName::Sequential)) => Pattern::Sequential { start: Bytes(0) },
        Some(RawPattern::Object(PatternObject::Sequential { start })) => {
            let s = start.as_ref().map_or(Bytes(0), |s| s.value);
            if s >= region_length {
                return Err(Invalid::at(
                    format!("{path}.sequential.start"),
                    format!("sequential start {s} is not inside the region of {region_length}; use a start below the region length"),
                ));
            }
            Pattern::Sequential { start: s }
        }
        Some(RawPattern::Object(PatternObject::Zipf { exponent })) => {
            if !(exponent.is_finite() && *exponent > 0.0) {
                return Err(Invalid::at(
                    format!("{path}.zipf.exponent"),
                    format!(
                        "Zipf exponent {} must be a finite number above 0; use e.g. 1.1",
                        number_text(*exponent)
                    ),
                ));
            }
            Pattern::Zipf {
                exponent: *exponent,
            }
        }
        Some(RawPattern::Object(PatternObject::Hotspot {
            io_percent,
            space_percent,
        })) => {
            for (name, v) in [("io_percent", io_percent), ("space_percent", space_percent)] {
                if !(*v > 0.0 && *v < 100.0) {
                    return Err(Invalid::at(
                        format!("{path}.hotspot.{name}"),
                        format!("{name} {} must be strictly between 0 and 100; use e.g. 90 for io_percent and 10 for space_percent", number_text(*v)),
                    ));
                }
            }
            Pattern::Hotspot {
                io_fraction: io_percent / 100.0,
                space_fraction: space_percent / 100.0,
            }
        }
    };
    Ok(pattern)
}
