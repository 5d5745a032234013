//! Stage 2 for a stream's `arrival` and `size` when they take one of their
//! richer forms. Both are kept as plain JSON in the raw structs and converted
//! here, so every error names the exact sub-path, the value and the fix.
//!
//! `arrival`: `"poisson"` (default) | `"constant"` |
//! `{"onoff": {"on": "5m", "off": "15m", "periods": "exponential"|"fixed"}}` |
//! `{"daily": {"multipliers": [24 numbers]}}` |
//! `{"daily": {"peak_hour": 14, "amplitude": 0.5}}` |
//! `{"steps": [{"at": "1h", "rate": "500/s"}, ...]}`.
//!
//! `size`: `"16KiB"` | `{"4KiB": 0.6, "64KiB": 0.4}` |
//! `{"lognormal": {"median": "16KiB", "sigma": 1.0, "min": "4KiB", "max": "1MiB"}}`.

use super::error::Invalid;
use super::units::number_text;
use super::units::{parse_bytes, parse_duration, parse_frequency, MAX_FREQUENCY_PER_SEC};
use crate::engine::{SimDuration, SimTime};
use crate::model::config::{Arrival, SizeDist};
use crate::model::units::{Bytes, Frequency};
use schemars::{json_schema, Schema, SchemaGenerator};
use serde_json::Value;

/// JSON Schema of `arrival`.
pub fn arrival_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Arrival process: \"poisson\" (default), \"constant\", {\"onoff\": {\"on\", \"off\", \"periods\"}}, {\"daily\": {\"multipliers\": [24 numbers]}} or {\"daily\": {\"peak_hour\", \"amplitude\"}}, {\"steps\": [{\"at\", \"rate\"}]}.",
        "anyOf": [
            { "type": "string", "enum": ["poisson", "constant"] },
            { "type": "object" }
        ],
        "examples": ["poisson", {"onoff": {"on": "5m", "off": "15m"}}, {"daily": {"peak_hour": 14, "amplitude": 0.5}}]
    })
}

/// JSON Schema of `size`.
pub fn size_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "IO size: a size such as \"16KiB\" (at most 64MiB), a discrete distribution {\"4KiB\": 0.6, \"64KiB\": 0.4}, or {\"lognormal\": {\"median\", \"sigma\", \"min\", \"max\"}}.",
        "anyOf": [ { "type": "string" }, { "type": "object" } ],
        "examples": ["16KiB", {"4KiB": 0.6, "64KiB": 0.4}, {"lognormal": {"median": "16KiB", "sigma": 1.0, "min": "4KiB", "max": "1MiB"}}]
    })
}

fn str_at<'a>(v: &'a Value, path: &str, what: &str, example: &str) -> Result<&'a str, Invalid> {
    v.as_str().ok_or_else(|| {
        Invalid::at(
            path,
            format!("{what} must be a string with a unit, got {v}; write e.g. \"{example}\""),
        )
    })
}

fn unit<T, E: std::fmt::Display>(path: &str, r: Result<T, E>) -> Result<T, Invalid> {
    r.map_err(|e| Invalid::at(path, e.to_string()))
}

/// The object at `path`, refusing keys other than `keys`.
pub(crate) fn object<'a>(
    v: &'a Value,
    path: &str,
    keys: &[&str],
) -> Result<&'a serde_json::Map<String, Value>, Invalid> {
    let m = v.as_object().ok_or_else(|| {
        Invalid::at(
            path,
            format!("expected an object with {}, got {v}", keys.join(", ")),
        )
    })?;
    if let Some(k) = m.keys().find(|k| !keys.contains(&k.as_str())) {
        return Err(Invalid::at(
            format!("{path}.{k}"),
            format!("unknown key `{k}`; the keys here are {}", keys.join(", ")),
        ));
    }
    Ok(m)
}

fn number(v: Option<&Value>, path: &str, range: (f64, f64), example: f64) -> Result<f64, Invalid> {
    let x = v.and_then(Value::as_f64).ok_or_else(|| {
        Invalid::at(
            path,
            format!("a number is required here; write e.g. {example}"),
        )
    })?;
    if !(range.0..=range.1).contains(&x) {
        return Err(Invalid::at(
            path,
            format!(
                "{} is out of range; use {} to {}",
                number_text(x),
                range.0,
                range.1
            ),
        ));
    }
    Ok(x)
}

/// The arrival process of a stream with mean or base `rate`, its peak rate
/// within [`MAX_FREQUENCY_PER_SEC`].
pub(crate) fn arrival(
    path: &str,
    raw: Option<&Value>,
    rate: Frequency,
) -> Result<Arrival, Invalid> {
    let a = arrival_shape(path, raw, rate)?;
    let peak = a.max_rate().per_sec;
    if peak > MAX_FREQUENCY_PER_SEC {
        return Err(Invalid::at(
            path,
            format!("the peak rate is {peak:.3e}/s, more than the limit of 10,000,000/s (the fastest EBS volume serves 256,000 IOPS); lower the base rate or the largest multiplier or step"),
        ));
    }
    Ok(a)
}

fn arrival_shape(path: &str, raw: Option<&Value>, rate: Frequency) -> Result<Arrival, Invalid> {
    let Some(v) = raw else {
        return Ok(Arrival::Poisson(rate));
    };
    if let Some(name) = v.as_str() {
        return match name {
            "poisson" => Ok(Arrival::Poisson(rate)),
            "constant" => Ok(Arrival::Constant(rate)),
            other => Err(Invalid::at(path, format!("unknown arrival \"{other}\"; use \"poisson\", \"constant\", or an object {{\"onoff\": …}}, {{\"daily\": …}}, {{\"steps\": […]}}"))),
        };
    }
    let m = object(v, path, &["onoff", "daily", "steps"])?;
    if m.len() != 1 {
        return Err(Invalid::at(
            path,
            "give exactly one of onoff, daily or steps",
        ));
    }
    let (kind, body) = m.iter().next().expect("one entry");
    let p = format!("{path}.{kind}");
    match kind.as_str() {
        "onoff" => {
            let o = object(body, &p, &["on", "off", "periods"])?;
            let dur = |k: &str| -> Result<SimDuration, Invalid> {
                let q = format!("{p}.{k}");
                let d = unit(
                    &q,
                    parse_duration(str_at(o.get(k).unwrap_or(&Value::Null), &q, k, "5m")?),
                )?;
                if d < SimDuration(1_000) {
                    return Err(Invalid::at(q, format!("{k} must be at least 1us (each period is an event; shorter ones describe no real burst)")));
                }
                Ok(d)
            };
            let fixed = match o.get("periods").and_then(Value::as_str) {
                None | Some("exponential") => false,
                Some("fixed") => true,
                Some(x) => {
                    return Err(Invalid::at(
                        format!("{p}.periods"),
                        format!("periods \"{x}\" is unknown; use \"exponential\" or \"fixed\""),
                    ))
                }
            };
            Ok(Arrival::OnOff {
                rate,
                on: dur("on")?,
                off: dur("off")?,
                fixed,
            })
        }
        "daily" => {
            let o = object(body, &p, &["multipliers", "peak_hour", "amplitude"])?;
            if let Some(ms) = o.get("multipliers") {
                let arr = ms.as_array().filter(|a| a.len() == 24).ok_or_else(|| {
                    Invalid::at(
                        format!("{p}.multipliers"),
                        "multipliers must be a list of 24 numbers, one per hour from 00:00",
                    )
                })?;
                let mut multipliers = [0.0; 24];
                for (i, x) in arr.iter().enumerate() {
                    multipliers[i] =
                        number(Some(x), &format!("{p}.multipliers[{i}]"), (0.0, 1e6), 1.0)?;
                }
                if multipliers.iter().all(|&m| m == 0.0) {
                    return Err(Invalid::at(format!("{p}.multipliers"), "all multipliers are 0, so nothing would arrive; give at least one positive hour"));
                }
                return Ok(Arrival::Daily {
                    base: rate,
                    multipliers,
                });
            }
            Ok(Arrival::Sinusoid {
                mean: rate,
                amplitude: number(
                    o.get("amplitude"),
                    &format!("{p}.amplitude"),
                    (0.0, 1.0),
                    0.5,
                )?,
                peak_hour: number(
                    o.get("peak_hour"),
                    &format!("{p}.peak_hour"),
                    (0.0, 23.999),
                    14.0,
                )?,
            })
        }
        _ => {
            let arr = body.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
                Invalid::at(
                    &p,
                    "steps must be a non-empty list of {\"at\": \"1h\", \"rate\": \"500/s\"}",
                )
            })?;
            let mut steps: Vec<(SimTime, Frequency)> = Vec::new();
            for (i, s) in arr.iter().enumerate() {
                let q = format!("{p}[{i}]");
                let o = object(s, &q, &["at", "rate"])?;
                let at_path = format!("{q}.at");
                let at = unit(
                    &at_path,
                    parse_duration(str_at(
                        o.get("at").unwrap_or(&Value::Null),
                        &at_path,
                        "at",
                        "1h",
                    )?),
                )?;
                let rate_path = format!("{q}.rate");
                let text = str_at(
                    o.get("rate").unwrap_or(&Value::Null),
                    &rate_path,
                    "rate",
                    "500/s",
                )?;
                let r = match text.trim() {
                    "0/s" | "0" => Frequency { per_sec: 0.0 },
                    t => unit(&rate_path, parse_frequency(t))?,
                };
                let at = SimTime::ZERO + at;
                if steps.last().is_some_and(|(prev, _)| *prev >= at) {
                    return Err(Invalid::at(
                        at_path,
                        "step times must be strictly ascending",
                    ));
                }
                steps.push((at, r));
            }
            Ok(Arrival::Steps {
                initial: rate,
                steps,
            })
        }
    }
}

/// The size of a stream: the largest size, and the distribution if any.
pub(crate) fn size(path: &str, v: &Value) -> Result<(Bytes, Option<SizeDist>, String), Invalid> {
    let max = 64 << 20;
    let check = |q: &str, text: &str| -> Result<Bytes, Invalid> {
        let b = unit(q, parse_bytes(text))?;
        if b.0 == 0 || b.0 > max {
            return Err(Invalid::at(q, format!("IO size \"{text}\" is out of range; use more than 0B and at most 64MiB, e.g. \"16KiB\"")));
        }
        Ok(b)
    };
    if let Some(text) = v.as_str() {
        return Ok((check(path, text)?, None, text.to_string()));
    }
    let m = v.as_object().ok_or_else(|| {
        Invalid::at(path, format!("size must be a string such as \"16KiB\", a distribution {{\"4KiB\": 0.6, \"64KiB\": 0.4}} or {{\"lognormal\": …}}; got {v}"))
    })?;
    if let Some(ln) = m.get("lognormal") {
        let p = format!("{path}.lognormal");
        let o = object(ln, &p, &["median", "sigma", "min", "max"])?;
        let get = |k: &str, ex: &str| -> Result<Bytes, Invalid> {
            let q = format!("{p}.{k}");
            check(&q, str_at(o.get(k).unwrap_or(&Value::Null), &q, k, ex)?)
        };
        let (median, min, hi) = (
            get("median", "16KiB")?,
            get("min", "4KiB")?,
            get("max", "1MiB")?,
        );
        if !(min <= median && median <= hi) {
            return Err(Invalid::at(&p, "need min ≤ median ≤ max"));
        }
        let sigma = number(o.get("sigma"), &format!("{p}.sigma"), (0.0, 3.0), 1.0)?;
        return Ok((
            hi,
            Some(SizeDist::LogNormal {
                median,
                sigma,
                min,
                max: hi,
            }),
            format!("lognormal up to {hi}"),
        ));
    }
    if m.is_empty() {
        return Err(Invalid::at(path, "the size distribution is empty; give sizes with probabilities, e.g. {\"4KiB\": 0.6, \"64KiB\": 0.4}"));
    }
    let mut pairs = Vec::new();
    for (k, p) in m {
        let q = format!("{path}[\"{k}\"]");
        let b = check(&q, k)?;
        let w = number(Some(p), &q, (0.0, 1.0), 0.5)?;
        pairs.push((b, w));
    }
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    if (total - 1.0).abs() > 1e-6 {
        return Err(Invalid::at(
            path,
            format!("the probabilities add up to {total}, not 1; adjust them"),
        ));
    }
    let mut acc = 0.0;
    let cdf: Vec<(Bytes, f64)> = pairs
        .iter()
        .map(|(b, w)| {
            acc += w;
            (*b, acc / total)
        })
        .collect();
    let hi = pairs.iter().map(|(b, _)| *b).max().expect("non-empty");
    Ok((hi, Some(SizeDist::Discrete(cdf)), format!("up to {hi}")))
}
