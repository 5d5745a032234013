//! Stage 2 for a volume's `snapshots` object: request times (`every` /
//! `first_at` or `at`), jitter, limit policy, retention and tags, and the
//! number of requests the schedule plans (for the scenario-size guard).

use super::choice::{RawRetain, RetainPolicy};
use super::error::Invalid;
use super::quantity::DurationText;
use super::raw::{RawJitter, RawOnLimit, RawSnapshots};
use super::units::number_text;
use crate::engine::{SimDuration, SimTime};
use crate::model::config::{LimitPolicy, Retention, RetryJitter, ScheduleConfig, Times};

/// Validates the `snapshots` object at `path` against the scenario
/// `duration`. Returns the schedule and the number of requests it plans.
pub(crate) fn validate_schedule(
    path: &str,
    raw: Option<&RawSnapshots>,
    duration: &DurationText,
    flush_default: crate::model::units::Bandwidth,
) -> Result<(ScheduleConfig, u128), Invalid> {
    let Some(raw) = raw else {
        let none = ScheduleConfig {
            times: Times::Never,
            jitter: SimDuration::ZERO,
            on_limit: LimitPolicy::Fail,
            retention: Retention::KeepAll,
            tags: Vec::new(),
            consistency: crate::model::config::Consistency::Crash,
        };
        return Ok((none, 0));
    };
    let after_end = |at: &str, t: &DurationText| {
        Invalid::at(
            at,
            format!(
                "no snapshot would be taken at \"{}\"; it is after the scenario duration \"{}\"; use a time below the duration",
                t.text, duration.text
            ),
        )
    };
    let (times, requests) = match (&raw.every, &raw.at) {
        (Some(_), Some(_)) => {
            return Err(Invalid::at(
                path,
                "both `every` and `at` are given; use `every` for a regular schedule or `at` for explicit times, and remove the other",
            ))
        }
        (None, None) => {
            return Err(Invalid::at(
                path,
                "neither `every` nor `at` is given; add e.g. \"every\": \"1h\" or \"at\": [\"2h\"], or remove `snapshots` for no snapshots",
            ))
        }
        (Some(every), None) => {
            if every.value < SimDuration::from_secs(1) {
                return Err(Invalid::at(
                    format!("{path}.every"),
                    format!("every \"{}\" is shorter than 1s; use an interval of at least 1s, e.g. \"15m\"", every.text),
                ));
            }
            let first = raw.first_at.as_ref().map_or(SimDuration::ZERO, |f| f.value);
            if first >= duration.value {
                let at = format!("{path}.first_at");
                return Err(raw.first_at.as_ref().map_or_else(|| Invalid::at(&at, "first_at is after the duration"), |f| after_end(&at, f)));
            }
            let (span, step) = (u128::from(duration.value.0 - first.0), u128::from(every.value.0));
            let times = Times::Every { interval: every.value, first_at: SimTime(first.0) };
            (times, span.div_ceil(step))
        }
        (None, Some(at)) => {
            if raw.first_at.is_some() {
                return Err(Invalid::at(
                    format!("{path}.first_at"),
                    "first_at only applies with `every`; with `at`, list the times directly, or remove first_at",
                ));
            }
            if at.is_empty() {
                return Err(Invalid::at(
                    format!("{path}.at"),
                    "`at` is empty; list at least one time, e.g. [\"2h\"], or remove `snapshots` for no snapshots",
                ));
            }
            for (j, t) in at.iter().enumerate() {
                if t.value >= duration.value {
                    return Err(after_end(&format!("{path}.at[{j}]"), t));
                }
                if j > 0 && t.value <= at[j - 1].value {
                    return Err(Invalid::at(
                        format!("{path}.at[{j}]"),
                        format!("\"{}\" is not after the previous time \"{}\"; list times in strictly ascending order", t.text, at[j - 1].text),
                    ));
                }
            }
            (Times::At(at.iter().map(|t| SimTime(t.value.0)).collect()), at.len() as u128)
        }
    };
    let schedule = ScheduleConfig {
        times,
        jitter: raw.jitter.as_ref().map_or(SimDuration::ZERO, |j| j.value),
        on_limit: validate_on_limit(&format!("{path}.on_limit"), raw.on_limit.as_ref())?,
        retention: validate_retain(&format!("{path}.retain"), raw.retain.as_ref())?,
        tags: raw.tags.as_ref().map(|t| t.0.clone()).unwrap_or_default(),
        consistency: super::consistency::consistency(
            &format!("{path}.consistency"),
            raw.consistency.as_ref(),
            flush_default,
        )?,
    };
    Ok((schedule, requests))
}

fn validate_on_limit(path: &str, raw: Option<&RawOnLimit>) -> Result<LimitPolicy, Invalid> {
    Ok(match raw {
        None | Some(RawOnLimit::Fail) => LimitPolicy::Fail,
        Some(RawOnLimit::Skip) => LimitPolicy::Skip,
        Some(RawOnLimit::Retry {
            after,
            max,
            factor,
            cap,
            jitter,
        }) => {
            if after.value.is_zero() {
                return Err(Invalid::at(
                    format!("{path}.retry.after"),
                    format!(
                        "retry after \"{}\" must be greater than zero; use e.g. \"5m\"",
                        after.text
                    ),
                ));
            }
            if *max > 1000 {
                return Err(Invalid::at(
                    format!("{path}.retry.max"),
                    format!("retry max {max} is too large; use 0 to 1000"),
                ));
            }
            let factor = factor.unwrap_or(1.0);
            if !(factor.is_finite() && factor >= 1.0) {
                return Err(Invalid::at(
                    format!("{path}.retry.factor"),
                    format!("retry factor {} must be a finite number of at least 1; use 1 for a constant delay or e.g. 2 to double it", number_text(factor)),
                ));
            }
            if let Some(c) = cap {
                if c.value < after.value {
                    return Err(Invalid::at(
                        format!("{path}.retry.cap"),
                        format!(
                            "retry cap \"{}\" is shorter than the first delay \"{}\"; make it at least `after`, or remove `cap` for no cap",
                            c.text, after.text
                        ),
                    ));
                }
            }
            LimitPolicy::Retry {
                after: after.value,
                max: *max,
                factor,
                cap: cap.as_ref().map(|c| c.value),
                jitter: match jitter {
                    None | Some(RawJitter::None) => RetryJitter::None,
                    Some(RawJitter::Full) => RetryJitter::Full,
                },
            }
        }
    })
}

fn validate_retain(path: &str, raw: Option<&RawRetain>) -> Result<Retention, Invalid> {
    let last = |at: String, n: u32| {
        if n == 0 {
            Err(Invalid::at(at, "retain 0 would delete every snapshot; keep at least 1, or remove `retain` to keep all"))
        } else {
            Ok(Retention::Last(n))
        }
    };
    match raw {
        None => Ok(Retention::KeepAll),
        Some(RawRetain::Count(n)) => last(path.to_string(), *n),
        Some(RawRetain::Policy(RetainPolicy::Last(n))) => last(format!("{path}.last"), *n),
        Some(RawRetain::Policy(RetainPolicy::MaxAge(d))) => {
            if d.value.is_zero() {
                return Err(Invalid::at(
                    format!("{path}.max_age"),
                    format!(
                        "max_age \"{}\" must be greater than zero; use e.g. \"30d\"",
                        d.text
                    ),
                ));
            }
            Ok(Retention::MaxAge(d.value))
        }
    }
}
