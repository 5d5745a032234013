//! Opening AWS CLI output files: regular files only, refused above
//! [`MAX_INPUT_BYTES`] before a byte is read, and recognised by their
//! top-level keys, so that the output of another command (a
//! `describe-instances` given as volumes) gets a message naming the command
//! it looks like.

use super::ImportError;
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Largest input file [B]: 256 MiB. One page of `get-metric-data` holds at
/// most 100,800 datapoints (a few MiB) and a page of `describe-volumes` at
/// most 500 volumes, so a file near the limit is the wrong file; refusing
/// it before reading keeps memory bounded.
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// The AWS CLI commands whose output the importer knows, by a top-level key
/// only that command's output has.
const SHAPES: &[(&str, &str)] = &[
    ("Volumes", "aws ec2 describe-volumes"),
    ("MetricDataResults", "aws cloudwatch get-metric-data"),
    ("Datapoints", "aws cloudwatch get-metric-statistics"),
    ("Policy", "aws dlm get-lifecycle-policy"),
    ("Policies", "aws dlm get-lifecycle-policies"),
    ("Snapshots", "aws ec2 describe-snapshots"),
    ("Reservations", "aws ec2 describe-instances"),
    ("Images", "aws ec2 describe-images"),
    ("MetricAlarms", "aws cloudwatch describe-alarms"),
    ("Metrics", "aws cloudwatch list-metrics"),
];

/// Opens `path` if it is a regular file of at most [`MAX_INPUT_BYTES`].
///
/// # Errors
/// [`ImportError::Read`], [`ImportError::NotRegular`] or
/// [`ImportError::TooLarge`].
pub fn open(path: &Path) -> Result<File, ImportError> {
    use crate::trace::input::{open_regular, InputProblem};
    let file = path.display().to_string();
    let (f, size) = open_regular(path).map_err(|p| match p {
        InputProblem::Io(cause) => ImportError::Read {
            file: file.clone(),
            cause,
        },
        other => ImportError::NotRegular {
            file: file.clone(),
            problem: other.to_string(),
        },
    })?;
    if size > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size,
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(f)
}

/// Reads a whole (small) input file as JSON.
///
/// # Errors
/// As [`open`], and [`ImportError::NotJson`].
pub fn read_json(path: &Path) -> Result<serde_json::Value, ImportError> {
    let file = path.display().to_string();
    let f = open(path)?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|cause| ImportError::Read {
            file: file.clone(),
            cause,
        })?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            file,
            size: bytes.len() as u64,
            limit: MAX_INPUT_BYTES,
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| not_json(&file, &e))
}

/// The error for text that does not parse as JSON.
pub fn not_json(file: &str, e: &serde_json::Error) -> ImportError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    ImportError::NotJson {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        message: full.strip_suffix(&suffix).unwrap_or(&full).to_string(),
    }
}

/// Checks that `v` is the output of `want` (named by its key `key`), or
/// says which command's output it looks like.
///
/// # Errors
/// [`ImportError::Input`] at the top level.
pub fn expect_shape(
    v: &serde_json::Value,
    file: &str,
    key: &str,
    option: &str,
) -> Result<(), ImportError> {
    let want = SHAPES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, c)| *c);
    let Some(obj) = v.as_object() else {
        return Err(ImportError::input(
            file,
            "(top level)",
            short(v),
            format!("this is not the JSON object `{want}` prints"),
            format!("give {option} the saved output of `{want} --output json`"),
        ));
    };
    if obj.contains_key(key) {
        return Ok(());
    }
    let found = SHAPES
        .iter()
        .find(|(k, _)| obj.contains_key(*k))
        .map(|(k, c)| format!("it has a top-level \"{k}\", so it looks like the output of `{c}`"));
    let keys: Vec<&str> = obj.keys().take(5).map(String::as_str).collect();
    Err(ImportError::input(
        file,
        "(top level)",
        format!("keys {keys:?}"),
        format!(
            "this is not the output of `{want}`: it has no top-level \"{key}\"{}",
            found.map_or(String::new(), |f| format!("; {f}"))
        ),
        format!("give {option} the saved output of `{want} --output json`"),
    ))
}

/// Deserialises `v` into `T`, an error naming its JSON path.
///
/// # Errors
/// [`ImportError::Input`] at the path serde stopped at.
pub fn typed<T: DeserializeOwned>(
    v: serde_json::Value,
    file: &str,
    fix: &str,
) -> Result<T, ImportError> {
    let probe = v.clone();
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let value = lookup(&probe, &path).map_or_else(|| "(missing)".to_string(), short);
        ImportError::input(file, &path, value, e.into_inner().to_string(), fix)
    })
}

/// The value at a `serde_path_to_error` path (`Volumes[3].Size`).
fn lookup<'a>(v: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() && key != "?" {
            cur = cur.get(key)?;
        }
        for idx in rest.split('[') {
            let idx = idx.trim_end_matches(']');
            if !idx.is_empty() {
                cur = cur.get(idx.parse::<usize>().ok()?)?;
            }
        }
    }
    Some(cur)
}

/// A JSON value shortened for a message.
pub fn short(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.len() > 60 {
        let cut = (0..=57).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}
