//! Stage 2 for a schedule's `consistency` and a volume's `cache` (the guest
//! write-back cache), kept as plain JSON in the raw structs so that errors
//! name their exact sub-path.
//!
//! `consistency`: `"crash"` (default) | `{"freeze": {"flush_rate", "request"}}` |
//! `{"unmount": {"flush_rate", "request", "unmount", "remount"}}` |
//! `{"stop": {"stop", "request", "start"}}`; every field optional.
//! `cache`: `{"size": "256MiB", "flush_interval": "30s"}`.
//!
//! Defaults are assumptions (AWS publishes none): the cache flushes at the
//! volume's throughput; a CreateSnapshot call takes 500 ms to `pending`;
//! unmount and remount 2 s each; an instance stops in 60 s and starts in 45 s.

use super::error::Invalid;
use super::stream_shape::object;
use super::units::{parse_bandwidth, parse_bytes, parse_duration};
use crate::engine::SimDuration;
use crate::model::config::{Consistency, WriteCache};
use crate::model::units::Bandwidth;
use schemars::{json_schema, Schema, SchemaGenerator};
use serde_json::{Map, Value};

/// JSON Schema of `consistency`.
pub fn consistency_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "\"crash\" (default), {\"freeze\": {\"flush_rate\", \"request\"}}, {\"unmount\": {\"flush_rate\", \"request\", \"unmount\", \"remount\"}} or {\"stop\": {\"stop\", \"request\", \"start\"}}.",
        "anyOf": [ { "type": "string", "enum": ["crash"] }, { "type": "object" } ],
        "examples": ["crash", {"freeze": {"request": "500ms"}}, {"stop": {"stop": "60s", "start": "45s"}}]
    })
}

/// JSON Schema of `cache`.
pub fn cache_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "The guest's write-back cache: {\"size\": \"256MiB\", \"flush_interval\": \"30s\"}.",
        "type": "object",
        "examples": [{"size": "256MiB", "flush_interval": "30s"}]
    })
}

fn duration(
    m: &Map<String, Value>,
    path: &str,
    key: &str,
    default: SimDuration,
) -> Result<SimDuration, Invalid> {
    let Some(v) = m.get(key) else {
        return Ok(default);
    };
    let q = format!("{path}.{key}");
    let text = v.as_str().ok_or_else(|| {
        Invalid::at(
            &q,
            format!("{key} must be a duration string, got {v}; write e.g. \"2s\""),
        )
    })?;
    parse_duration(text).map_err(|e| Invalid::at(q, e.to_string()))
}

fn bandwidth(m: &Map<String, Value>, path: &str, default: Bandwidth) -> Result<Bandwidth, Invalid> {
    let Some(v) = m.get("flush_rate") else {
        return Ok(default);
    };
    let q = format!("{path}.flush_rate");
    let text = v.as_str().ok_or_else(|| {
        Invalid::at(
            &q,
            format!("flush_rate must be a bandwidth string, got {v}; write e.g. \"200MiB/s\""),
        )
    })?;
    parse_bandwidth(text).map_err(|e| Invalid::at(q, e.to_string()))
}

/// The consistency mode; `flush_default` is the volume's throughput.
pub(crate) fn consistency(
    path: &str,
    raw: Option<&Value>,
    flush_default: Bandwidth,
) -> Result<Consistency, Invalid> {
    let request = SimDuration::from_millis(500);
    let Some(v) = raw else {
        return Ok(Consistency::Crash);
    };
    if v.as_str() == Some("crash") {
        return Ok(Consistency::Crash);
    }
    let m = object(v, path, &["freeze", "unmount", "stop"])
        .map_err(|e| Invalid::at(e.path, format!("{}; or use \"crash\"", e.message)))?;
    if m.len() != 1 {
        return Err(Invalid::at(
            path,
            "give exactly one of \"crash\", freeze, unmount or stop",
        ));
    }
    let (kind, body) = m.iter().next().expect("one entry");
    let p = format!("{path}.{kind}");
    Ok(match kind.as_str() {
        "freeze" => {
            let o = object(body, &p, &["flush_rate", "request"])?;
            Consistency::Freeze {
                flush: bandwidth(o, &p, flush_default)?,
                request: duration(o, &p, "request", request)?,
            }
        }
        "unmount" => {
            let o = object(body, &p, &["flush_rate", "request", "unmount", "remount"])?;
            Consistency::Unmount {
                flush: bandwidth(o, &p, flush_default)?,
                request: duration(o, &p, "request", request)?,
                unmount: duration(o, &p, "unmount", SimDuration::from_secs(2))?,
                remount: duration(o, &p, "remount", SimDuration::from_secs(2))?,
            }
        }
        _ => {
            let o = object(body, &p, &["stop", "request", "start"])?;
            Consistency::Stop {
                stop: duration(o, &p, "stop", SimDuration::from_secs(60))?,
                request: duration(o, &p, "request", request)?,
                start: duration(o, &p, "start", SimDuration::from_secs(45))?,
            }
        }
    })
}

/// The guest write-back cache of a volume.
pub(crate) fn cache(path: &str, raw: Option<&Value>) -> Result<Option<WriteCache>, Invalid> {
    let Some(v) = raw else { return Ok(None) };
    let o = object(v, path, &["size", "flush_interval"])?;
    let size_path = format!("{path}.size");
    let size_text = o
        .get("size")
        .and_then(Value::as_str)
        .ok_or_else(|| Invalid::at(&size_path, "the cache needs a size, e.g. \"256MiB\""))?;
    let size = parse_bytes(size_text).map_err(|e| Invalid::at(&size_path, e.to_string()))?;
    let flush_interval = duration(o, path, "flush_interval", SimDuration::from_secs(30))?;
    if flush_interval.is_zero() || size.0 == 0 {
        return Err(Invalid::at(
            path,
            "the cache size and flush_interval must be greater than zero",
        ));
    }
    Ok(Some(WriteCache {
        size,
        flush_interval,
    }))
}
