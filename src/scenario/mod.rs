//! The scenario file format (version 1): JSON text → validated [`Scenario`]
//! holding the model's [`SimConfig`].
//!
//! Loading has two stages, as in ripgrep's low/high arguments:
//! 1. `raw`: serde structs mirroring the file, unknown keys refused, unit
//!    strings parsed (`quantity`, `units`). Read through
//!    `serde_path_to_error`, so an error names its JSON path, line and column.
//! 2. `validate` (with `volume` and `schedule`): defaults, EBS provisioning
//!    rules (via [`crate::model::volume_type::VolumeKind::provision`]),
//!    cross-field rules, `count` expansion and size guards.
//!
//! This module knows files and JSON; the model never does. It does not run
//! anything. Every error message names the file, the JSON path, the
//! offending value and the fix.

pub mod assumptions;
pub mod backup_window;
mod choice;
mod consistency;
pub mod error;
pub mod json_path;
mod locate;
pub mod location;
mod measurements;
mod performance;
mod quantity;
pub mod raw;
mod schedule;
mod seed;
mod stream_shape;
pub mod sweep_def;
mod sweep_range;
mod sweep_replications;
mod trace;
pub mod units;
mod validate;
mod volume;
mod warnings;

pub use error::{Location, ScenarioError, UnitError};
pub use json_path::JsonPath;
pub use quantity::{BandwidthText, DurationText, FrequencyText, Quantity, SizeText, UnitKind};
pub use sweep_def::{sweep_definition, Axis, Parameter, Replications, SweepDef};
pub use validate::{
    DEFAULT_BLOCK_SIZE, DEFAULT_PER_SNAPSHOT_MIB_S, DEFAULT_START_UNIX_SECS, MAX_DURATION_SECS,
    MAX_REQUESTS, MAX_VOLUMES,
};
pub use warnings::Warning;

use crate::model::config::SimConfig;
use raw::RawScenario;
use serde_json::error::Category;
use std::path::Path;
use std::time::SystemTime;

/// A loaded, validated scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Scenario name, `[A-Za-z0-9._-]`, 1 to 64 characters; safe as a
    /// directory name.
    pub name: String,
    /// Free text; `""` if absent.
    pub description: String,
    /// Wall-clock instant of simulated time 0 (default 2026-01-01T00:00:00Z).
    pub start: SystemTime,
    /// The model configuration, `verify` false (the CLI sets it).
    pub config: SimConfig,
    /// The file as parsed, key order preserved, for echoing into results.
    pub source: serde_json::Value,
    /// What runs but makes no sense (see `warnings.rs`), in file order;
    /// with line and column when loaded from text.
    pub warnings: Vec<Warning>,
    /// Published values to compare the run against (`measurements`), with
    /// no simulated value yet.
    pub measurements: Vec<crate::metrics::summary::Measurement>,
}

/// Largest accepted scenario file [B]: 16 MiB. Bundled scenarios are a few
/// KiB, and `count` stamps out many volumes, so anything near the limit is
/// the wrong file; the limit keeps such a file from being read into memory.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Reads and validates the scenario file at `path`; messages name the file
/// as `path` displays. Only a regular file is read (never a FIFO, device
/// or `-` for standard input: relative trace paths are resolved from the
/// scenario's folder, which standard input does not have).
///
/// # Errors
/// [`ScenarioError::Read`] if the file cannot be read,
/// [`ScenarioError::NotRegular`] if it is not a regular file,
/// [`ScenarioError::TooLarge`] above [`MAX_SCENARIO_BYTES`], otherwise as
/// [`from_str`].
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let origin = path.display().to_string();
    let text = read_scenario_text(path, &origin)?;
    from_str_in(&text, &origin, path.parent().unwrap_or(Path::new("")))
}

/// The text of the scenario file at `path`, under the rules of [`load`].
fn read_scenario_text(path: &Path, origin: &str) -> Result<String, ScenarioError> {
    use crate::trace::input::{open_regular, InputProblem};
    use std::io::Read;
    if path.as_os_str() == "-" && !path.exists() {
        return Err(ScenarioError::NotRegular {
            origin: origin.to_string(),
            problem: "`-` (standard input) is not accepted, because relative trace paths are resolved from the scenario file's folder, which standard input lacks; save the scenario to a file first".into(),
        });
    }
    let read_err = |cause| ScenarioError::Read {
        origin: origin.to_string(),
        cause,
    };
    let (file, size) = open_regular(path).map_err(|p| match p {
        InputProblem::Io(cause) => read_err(cause),
        other => ScenarioError::NotRegular {
            origin: origin.to_string(),
            problem: other.to_string(),
        },
    })?;
    let too_large = || ScenarioError::TooLarge {
        origin: origin.to_string(),
        limit: MAX_SCENARIO_BYTES,
    };
    if size > MAX_SCENARIO_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow after the check: never read past the limit.
    file.take(MAX_SCENARIO_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        read_err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

/// Parses and validates scenario JSON; `origin` (a file name) starts every
/// error message. Relative trace paths are resolved from the current
/// directory (use [`from_str_in`] to give the scenario's directory).
///
/// # Errors
/// [`ScenarioError::Syntax`] for invalid JSON, [`ScenarioError::Invalid`]
/// for anything the format refuses.
pub fn from_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    from_str_in(text, origin, Path::new(""))
}

/// As [`from_str`], resolving relative trace paths from `base_dir`.
///
/// # Errors
/// As [`from_str`].
pub fn from_str_in(text: &str, origin: &str, base_dir: &Path) -> Result<Scenario, ScenarioError> {
    let raw = parse_raw(text, origin)?;
    let source: serde_json::Value =
        serde_json::from_str(text).map_err(|e| serde_error(".", e, origin))?;
    let mut sc = build(&raw, source, origin, base_dir).map_err(|e| match e {
        // Semantic errors know their path; the text knows where it is.
        ScenarioError::Invalid {
            origin,
            path,
            location: None,
            message,
        } => ScenarioError::Invalid {
            location: locate::locate(text, &path),
            origin,
            path,
            message,
        },
        other => other,
    })?;
    for w in &mut sc.warnings {
        w.location = locate::locate(text, &w.path);
    }
    Ok(sc)
}

/// Validates a scenario already parsed into JSON (a sweep point, built by
/// patching a file's JSON); errors are those of [`from_str`], without line
/// and column. If `origin` names an existing file, relative trace paths
/// are resolved from its directory, otherwise from the current directory.
///
/// # Errors
/// [`ScenarioError::Invalid`] for anything the format refuses.
pub fn from_value(source: serde_json::Value, origin: &str) -> Result<Scenario, ScenarioError> {
    let raw: RawScenario = serde_path_to_error::deserialize(&source).map_err(|e| {
        let path = e.path().to_string();
        serde_error(&path, e.into_inner(), origin)
    })?;
    let origin_path = Path::new(origin);
    let base_dir = if origin_path.is_file() {
        origin_path.parent().unwrap_or(Path::new(""))
    } else {
        Path::new("")
    };
    build(&raw, source, origin, base_dir)
}

/// Stage 2 for a parsed file: validates `raw` and keeps `source` for echoing.
fn build(
    raw: &RawScenario,
    source: serde_json::Value,
    origin: &str,
    base_dir: &Path,
) -> Result<Scenario, ScenarioError> {
    let v = validate::validate(raw, base_dir).map_err(|e| e.in_file(origin))?;
    let warnings = warnings::warnings(raw, &v.config);
    let measurements = measurements::check(raw.measurements.as_ref(), &v.config.volumes)
        .map_err(|e| e.in_file(origin))?;
    Ok(Scenario {
        warnings,
        measurements,
        name: v.name,
        description: v.description,
        start: v.start,
        config: v.config,
        source,
    })
}

/// The JSON Schema (draft 2020-12) of the scenario format, generated from
/// the raw structs.
pub fn json_schema() -> serde_json::Value {
    schemars::schema_for!(RawScenario).to_value()
}

fn parse_raw(text: &str, origin: &str) -> Result<RawScenario, ScenarioError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let raw: RawScenario = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        serde_error(&path, e.into_inner(), origin)
    })?;
    de.end().map_err(|e| serde_error(".", e, origin))?;
    Ok(raw)
}

/// Converts a serde_json error found at `path` into a [`ScenarioError`].
fn serde_error(path: &str, e: serde_json::Error, origin: &str) -> ScenarioError {
    let location = Location {
        line: e.line(),
        column: e.column(),
    };
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ScenarioError::Syntax {
            origin: origin.to_string(),
            location,
            message,
        },
        Category::Data => ScenarioError::Invalid {
            origin: origin.to_string(),
            path: if path == "." {
                "(top level)".to_string()
            } else {
                path.to_string()
            },
            location: (e.line() > 0).then_some(location),
            message: with_fix(message),
        },
    }
}

/// Appends a fix to serde's own messages; ours already carry one.
fn with_fix(message: String) -> String {
    if message.starts_with("unknown field") {
        return format!("{message}; remove it or correct its spelling");
    }
    if message.starts_with("missing field") {
        return format!("{message}; add it");
    }
    if message.starts_with("unknown variant") {
        return format!("{message}; use one of these");
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid length")
    {
        let expected = message.rsplit("expected ").next().unwrap_or("");
        let fix = if expected.starts_with('u') || expected.starts_with('i') {
            "write a whole number without quotes, e.g. 3"
        } else if expected.starts_with('f') {
            "write a number without quotes, e.g. 1.5"
        } else if expected.starts_with("a boolean") {
            "write true or false"
        } else if expected.starts_with("a string") {
            "write text in double quotes"
        } else if expected.starts_with("a sequence") {
            "write a JSON array, e.g. [\"1h\", \"2h\"]"
        } else if expected.starts_with("struct") || expected.starts_with("a map") {
            "write a JSON object { … }"
        } else {
            return message;
        };
        return format!("{message}; {fix}");
    }
    message
}

#[cfg(test)]
mod tests;
