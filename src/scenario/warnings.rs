//! Warnings: scenarios that are valid and run, but whose snapshot schedule
//! cannot mean what its author wanted. They do not stop anything; `snapsim
//! validate` and `snapsim run` print them on stderr, and `run` lists them in
//! `summary.json` (`warnings`).
//!
//! The rules, each named by the JSON path of the value to change:
//! - a volume that is never snapshotted (no `snapshots`, in no group);
//! - an `every` schedule that fires once only (`every` is not shorter than
//!   the time from `first_at` to the end of `duration`);
//! - `jitter` that can push every request past the end of `duration`: the
//!   earliest request plus the largest delay reaches the end. The message
//!   gives the expected number of requests that still fall inside (each
//!   delay is uniform over `[0, jitter]`).

use super::error::Location;
use super::raw::RawScenario;
use crate::engine::SimDuration;
use crate::model::config::{ScheduleConfig, SimConfig, Times};

/// A warning about the value at `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// JSON path of the value to change, such as `volumes[0].snapshots.jitter`.
    pub path: String,
    /// Line and column of that value (or of the nearest enclosing one)
    /// when the scenario was loaded from text.
    pub location: Option<Location>,
    /// What is odd and how to fix it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.location {
            Some(l) => write!(f, "{} ({l}): {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// The warnings of a validated scenario, in file order.
pub(crate) fn warnings(raw: &RawScenario, cfg: &SimConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    let duration = cfg.duration;
    let mut first = 0usize;
    for (i, rv) in raw.volumes.iter().enumerate() {
        let count = usize::try_from(rv.count.unwrap_or(1)).unwrap_or(usize::MAX);
        let Some(v) = cfg.volumes.get(first) else {
            break;
        };
        let grouped = cfg.groups.iter().any(|g| g.members.contains(&first));
        let path = format!("volumes[{i}]");
        if v.schedule.times == Times::Never && !grouped {
            out.push(Warning {
                location: None,
                path: path.clone(),
                message: format!(
                    "volume \"{}\" is never snapshotted: it has no `snapshots` and is in no group; add e.g. \"snapshots\": {{\"every\": \"1h\"}}, or remove the volume",
                    rv.name
                ),
            });
        }
        schedule_warnings(
            &format!("{path}.snapshots"),
            &v.schedule,
            duration,
            &mut out,
        );
        first = first.saturating_add(count);
    }
    for (g, group) in cfg.groups.iter().enumerate() {
        schedule_warnings(
            &format!("groups[{g}].snapshots"),
            &group.schedule,
            duration,
            &mut out,
        );
    }
    out
}

fn schedule_warnings(
    path: &str,
    s: &ScheduleConfig,
    duration: SimDuration,
    out: &mut Vec<Warning>,
) {
    let end = duration.0;
    let (t0, n, sum_t) = match &s.times {
        Times::Never => return,
        Times::Every { interval, first_at } => {
            let span = end.saturating_sub(first_at.0);
            if interval.0 >= span {
                out.push(Warning {
                    location: None,
                    path: format!("{path}.every"),
                    message: format!(
                        "every {} is not shorter than the {} from the first request (at {}) to the end of the duration, so the schedule fires once only; shorten `every`, lengthen `duration`, or list the time with `at`",
                        human(interval.0),
                        human(span),
                        human(first_at.0)
                    ),
                });
            }
            let n = span.div_ceil(interval.0.max(1)) as f64;
            let sum = n * first_at.0 as f64 + interval.0 as f64 * n * (n - 1.0) / 2.0;
            (first_at.0, n, sum)
        }
        Times::At(times) => {
            let Some(t0) = times.first() else { return };
            let sum: f64 = times.iter().map(|t| t.0 as f64).sum();
            (t0.0, times.len() as f64, sum)
        }
    };
    let jitter = s.jitter.0;
    if jitter == 0 || t0.saturating_add(jitter) < end {
        return;
    }
    // Every request t has t + jitter >= end, so it stays inside with
    // probability (end - t) / (jitter + 1 ns); summed over the requests.
    let inside = (n * end as f64 - sum_t) / (jitter as f64 + 1.0);
    out.push(Warning {
        location: None,
        path: format!("{path}.jitter"),
        message: format!(
            "jitter {} can delay every request past the end of the duration: the first request at {} plus up to {} reaches {}, beyond {}; on average only {inside:.2} of the {n} requests fall inside the run; use a jitter below {}",
            human(jitter),
            human(t0),
            human(jitter),
            human(t0.saturating_add(jitter)),
            human(end),
            human(end - t0)
        ),
    });
}

/// A duration as the scenario format writes it (`1d2h`, `1h30m`, `250ms`).
fn human(ns: u64) -> String {
    const UNITS: [(u64, &str); 7] = [
        (86_400_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if ns == 0 {
        return "0s".into();
    }
    let mut rest = ns;
    let mut out = String::new();
    for (size, unit) in UNITS {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::scenario::from_str;

    fn warnings_of(volumes: &str, extra: &str) -> Vec<String> {
        let text = format!(r#"{{"name": "w", "duration": "12h", {extra} "volumes": {volumes}}}"#);
        from_str(&text, "w.json")
            .unwrap()
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.path, w.message))
            .collect()
    }

    #[test]
    fn a_sensible_schedule_has_no_warning() {
        let w = warnings_of(
            r#"[{"name": "v", "type": "gp3", "size": "1GiB", "snapshots": {"every": "1h", "jitter": "5m"}}]"#,
            "",
        );
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn an_unscheduled_volume_is_named() {
        let w = warnings_of(
            r#"[{"name": "a", "type": "gp3", "size": "1GiB", "snapshots": {"every": "1h"}}, {"name": "idle", "type": "gp3", "size": "1GiB", "count": 3}]"#,
            "",
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("volumes[1]: volume \"idle\" is never snapshotted"),
            "{w:?}"
        );
    }

    #[test]
    fn a_schedule_that_fires_once_and_jitter_past_the_end_are_named() {
        let w = warnings_of(
            r#"[{"name": "v", "type": "gp3", "size": "1GiB", "snapshots": {"every": "1d", "first_at": "11h", "jitter": "2h"}}]"#,
            "",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].starts_with("volumes[0].snapshots.every: every 1d is not shorter than the 1h"),
            "{w:?}"
        );
        assert!(
            w[1].starts_with("volumes[0].snapshots.jitter: jitter 2h can delay every request"),
            "{w:?}"
        );
        // One request at 11h, 1h before the end, 2h of jitter: half inside.
        assert!(w[1].contains("only 0.50 of the 1 requests"), "{w:?}");
        assert!(w[1].contains("use a jitter below 1h"), "{w:?}");
    }

    #[test]
    fn explicit_times_with_jitter_past_the_end_are_named() {
        let w = warnings_of(
            r#"[{"name": "v", "type": "gp3", "size": "1GiB", "snapshots": {"at": ["11h", "11h30m"], "jitter": "1d"}}]"#,
            "",
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("of the 2 requests"), "{w:?}");
    }
}
