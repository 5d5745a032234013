//! Data Lifecycle Manager policies, `aws dlm get-lifecycle-policy` output:
//! `{"Policy": {"PolicyId", "State", "PolicyDetails": {"PolicyType",
//! "ResourceTypes", "TargetTags", "Schedules": [{"Name", "CreateRule",
//! "RetainRule", "TagsToAdd", "CrossRegionCopyRules", "FastRestoreRule",
//! "ArchiveRule", …}]}}}`.
//!
//! What maps onto a volume's `snapshots` block:
//! - `CreateRule` `{"Interval", "IntervalUnit": "HOURS", "Times": ["hh:mm"]}`
//!   → `every` and `first_at` (the first run at the time of day, then every
//!   interval). DLM accepts only intervals of 1, 2, 3, 4, 6, 8, 12 and 24
//!   hours; anything else is refused, as DLM would.
//! - `CreateRule` `{"CronExpression": "cron(M H DOM MON DOW YEAR)"}`
//!   (AWS's six-field cron, day of week 1–7 = SUN–SAT): expanded hour by
//!   hour over the window into request times; evenly spaced times become
//!   `every`/`first_at`, others an `at` list. A minutes field other than one
//!   number fires more often than hourly, which DLM refuses, and so does
//!   the importer. `L` (last), `W` (nearest weekday) and `#` (n-th weekday
//!   of the month) are expanded like the other fields.
//! - `RetainRule` `{"Count": N}` → `retain: {"last": N}`;
//!   `{"Interval", "IntervalUnit"}` → `retain: {"max_age": …}` (a month taken
//!   as 30 days, a year as 365).
//! - `TagsToAdd` → the snapshots' `tags`.
//!
//! A volume is targeted when it carries at least one of `TargetTags` (DLM
//! targets resources with any of them). What the model cannot express is
//! returned by name (`unexpressed`) for the import report: every schedule
//! after the first (a volume has one schedule), `CrossRegionCopyRules`,
//! `FastRestoreRule`, `ArchiveRule`, `ShareRules`, `DeprecateRule`, scripts,
//! instance-targeted and disabled policies.

use super::input::{expect_shape, read_json, typed};
use super::time::{civil_from_days, days_in_month, duration_text};
use super::volumes::Tag;
use super::ImportError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;

/// Intervals DLM accepts for `IntervalUnit: HOURS`.
pub const DLM_INTERVALS: [u32; 8] = [1, 2, 3, 4, 6, 8, 12, 24];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct File {
    policy: RawPolicy,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawPolicy {
    policy_id: String,
    #[serde(default)]
    state: Option<String>,
    policy_details: Details,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Details {
    policy_type: Option<String>,
    #[serde(default)]
    resource_types: Vec<String>,
    #[serde(default)]
    target_tags: Vec<Tag>,
    #[serde(default)]
    schedules: Vec<RawSchedule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawSchedule {
    name: Option<String>,
    create_rule: Option<CreateRule>,
    retain_rule: Option<RetainRule>,
    #[serde(default)]
    tags_to_add: Vec<Tag>,
    cross_region_copy_rules: Option<Value>,
    fast_restore_rule: Option<Value>,
    archive_rule: Option<Value>,
    share_rules: Option<Value>,
    deprecate_rule: Option<Value>,
    variable_tags: Option<Value>,
    copy_tags: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateRule {
    interval: Option<u32>,
    interval_unit: Option<String>,
    #[serde(default)]
    times: Vec<String>,
    cron_expression: Option<String>,
    location: Option<String>,
    scripts: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetainRule {
    count: Option<u32>,
    interval: Option<u32>,
    interval_unit: Option<String>,
}

/// When a schedule fires.
#[derive(Clone, Debug, PartialEq)]
pub enum Create {
    /// Every `hours`, from `at` seconds after midnight UTC (none: DLM
    /// picks a time; the importer starts at the window's start).
    Every {
        /// Interval [h].
        hours: u32,
        /// Time of day [s after 00:00 UTC].
        at: Option<i64>,
    },
    /// A cron expression.
    Cron(Cron),
}

/// An AWS six-field cron expression, each field the set of values it
/// allows (minute, hour 0–23, day of month 1–31, month 1–12, day of week
/// 1–7 with 1 = Sunday, year or `None` for any).
#[derive(Clone, Debug, PartialEq)]
pub struct Cron {
    /// The minute (one value: DLM runs at most hourly).
    pub minute: u32,
    /// Allowed hours.
    pub hours: Vec<bool>,
    /// Allowed days of the month (index 1–31).
    pub dom: Vec<bool>,
    /// Allowed months (1–12).
    pub months: Vec<bool>,
    /// Allowed days of the week (1–7, Sunday = 1).
    pub dow: Vec<bool>,
    /// Allowed years, if restricted.
    pub years: Option<(i64, i64)>,
    /// A day given with `L`, `W` or `#`, which replaces the day-of-month
    /// or day-of-week set it was written in.
    pub special: Option<SpecialDay>,
    /// The expression as written.
    pub text: String,
}

/// The days AWS cron names with `L`, `W` and `#` (EventBridge cron
/// expressions: `L` last, `W` nearest weekday, `#` the n-th weekday of the
/// month). Weekdays are numbered 1–7 from Sunday.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialDay {
    /// `L` in day-of-month: the month's last day.
    LastDay,
    /// `LW`: the month's last weekday (Monday to Friday).
    LastWeekday,
    /// `nW`: the weekday nearest day n, within the month.
    NearestWeekday(u32),
    /// `dL` in day-of-week: the month's last weekday d (`L` alone: the
    /// last day of the week, Saturday, every week).
    LastOfMonth(u32),
    /// `d#k`: the k-th weekday d of the month.
    Nth(u32, u32),
}

impl SpecialDay {
    /// Whether day `d` of a month of `dim` days, on weekday `wd`, is the
    /// named day.
    fn matches(self, d: u32, dim: u32, wd: u32) -> bool {
        // Weekday of day t of the same month.
        let wd_of = |t: u32| (wd + 7 - 1 + t % 7 + 7 - d % 7) % 7 + 1;
        let weekday_near = |t: u32| match wd_of(t) {
            7 if t == 1 => t + 2,
            7 => t - 1,
            1 if t == dim => t - 2,
            1 => t + 1,
            _ => t,
        };
        match self {
            SpecialDay::LastDay => d == dim,
            SpecialDay::LastWeekday => d == weekday_near(dim),
            SpecialDay::NearestWeekday(n) => d == weekday_near(n.min(dim)),
            SpecialDay::LastOfMonth(w) => wd == w && d + 7 > dim,
            SpecialDay::Nth(w, k) => wd == w && (d - 1) / 7 + 1 == k,
        }
    }
}

/// `L`, `LW`, `nW` in day-of-month or `dL`, `d#k` in day-of-week.
fn special_day(field: &str, dow: bool, days: &[&str]) -> Option<SpecialDay> {
    let weekday = |s: &str| -> Option<u32> {
        days.iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map(|i| i as u32 + 1)
            .or_else(|| s.parse().ok())
            .filter(|v| (1..=7).contains(v))
    };
    if !dow {
        return match field {
            "L" => Some(SpecialDay::LastDay),
            "LW" => Some(SpecialDay::LastWeekday),
            _ => field
                .strip_suffix('W')
                .and_then(|n| n.parse().ok())
                .filter(|n| (1..=31).contains(n))
                .map(SpecialDay::NearestWeekday),
        };
    }
    if field == "L" {
        return Some(SpecialDay::LastOfMonth(0));
    }
    if let Some((w, k)) = field.split_once('#') {
        let k = k.parse().ok().filter(|k| (1..=5).contains(k))?;
        return Some(SpecialDay::Nth(weekday(w)?, k));
    }
    field
        .strip_suffix('L')
        .and_then(weekday)
        .map(SpecialDay::LastOfMonth)
}

/// The schedule a policy contributes.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// `Name`.
    pub name: String,
    /// `CreateRule`.
    pub create: Create,
    /// `retain` in the scenario format, if a `RetainRule` was given.
    pub retain: Option<Value>,
    /// `TagsToAdd`.
    pub tags: Vec<Tag>,
}

/// One policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// `PolicyId`.
    pub id: String,
    /// File and path, for the report.
    pub source: String,
    /// Whether it applies (enabled, targets volumes, EBS snapshots).
    pub applies: bool,
    /// `TargetTags`.
    pub target_tags: Vec<Tag>,
    /// The first expressible schedule.
    pub schedule: Option<Schedule>,
    /// What the model cannot express, by name, with the reason.
    pub unexpressed: Vec<String>,
}

impl Policy {
    /// Whether a volume with `tags` is targeted (any target tag matches).
    pub fn targets(&self, tags: &[Tag]) -> bool {
        self.applies && self.target_tags.iter().any(|t| tags.contains(t))
    }
}

/// Reads the `get-lifecycle-policy` files.
///
/// # Errors
/// The file, path, value and fix of the first problem, including what
/// DLM itself would refuse (an interval it does not offer, a cron more
/// frequent than hourly).
pub fn read(files: &[&Path]) -> Result<Vec<Policy>, ImportError> {
    let mut out = Vec::new();
    for path in files {
        let file = path.display().to_string();
        let v = read_json(path)?;
        if v.get("Policies").is_some() {
            return Err(ImportError::input(
                &file,
                "Policies",
                "(a list of policy summaries)",
                "this is the output of `aws dlm get-lifecycle-policies`, which lists policy ids without their schedules",
                "save `aws dlm get-lifecycle-policy --policy-id ID` for each policy and give those files",
            ));
        }
        expect_shape(&v, &file, "Policy", "--policies")?;
        let raw: File = typed(
            v,
            &file,
            "give --policies the unmodified output of `aws dlm get-lifecycle-policy --policy-id ID`",
        )?;
        out.push(convert(raw.policy, &file)?);
    }
    Ok(out)
}

fn convert(p: RawPolicy, file: &str) -> Result<Policy, ImportError> {
    let d = &p.policy_details;
    let mut unexpressed = Vec::new();
    let mut applies = true;
    let state = p.state.clone().unwrap_or_else(|| "ENABLED".into());
    if state != "ENABLED" {
        applies = false;
        unexpressed.push(format!("policy {} is {state}: not applied", p.policy_id));
    }
    if let Some(t) = &d.policy_type {
        if t != "EBS_SNAPSHOT_MANAGEMENT" {
            applies = false;
            unexpressed.push(format!(
                "policy {}: PolicyType {t} (only EBS_SNAPSHOT_MANAGEMENT is modelled): not applied",
                p.policy_id
            ));
        }
    }
    if !d.resource_types.iter().any(|r| r == "VOLUME") {
        applies = false;
        unexpressed.push(format!(
            "policy {}: ResourceTypes {:?} targets instances, whose tags describe-volumes does not show (multi-volume sets are `groups` in a scenario): not applied",
            p.policy_id, d.resource_types
        ));
    }
    let mut schedule = None;
    for (i, s) in d.schedules.iter().enumerate() {
        let at = format!("Policy.PolicyDetails.Schedules[{i}]");
        let name = s.name.clone().unwrap_or_else(|| format!("schedule {i}"));
        let create = match &s.create_rule {
            None => {
                return Err(ImportError::input(
                    file,
                    &format!("{at}.CreateRule"),
                    "(missing)",
                    "a schedule needs a CreateRule",
                    "give the unmodified get-lifecycle-policy output",
                ))
            }
            Some(c) => create_rule(c, file, &format!("{at}.CreateRule"))?,
        };
        let retain = s
            .retain_rule
            .as_ref()
            .map(|r| retain_rule(r, file, &format!("{at}.RetainRule")))
            .transpose()?;
        let who = format!("policy {} schedule \"{name}\"", p.policy_id);
        for (key, present) in [
            (
                "CrossRegionCopyRules",
                s.cross_region_copy_rules.as_ref().is_some_and(non_empty),
            ),
            (
                "FastRestoreRule",
                s.fast_restore_rule.as_ref().is_some_and(non_empty),
            ),
            (
                "ArchiveRule",
                s.archive_rule.as_ref().is_some_and(non_empty),
            ),
            ("ShareRules", s.share_rules.as_ref().is_some_and(non_empty)),
            (
                "DeprecateRule",
                s.deprecate_rule.as_ref().is_some_and(non_empty),
            ),
            (
                "VariableTags",
                s.variable_tags.as_ref().is_some_and(non_empty),
            ),
            (
                "CreateRule.Scripts",
                s.create_rule
                    .as_ref()
                    .and_then(|c| c.scripts.as_ref())
                    .is_some_and(non_empty),
            ),
        ] {
            if present {
                unexpressed.push(format!("{who}: {key} (no cross-region copies, fast snapshot restore, archive tier, sharing, deprecation, variable tags or scripts in the model): not simulated"));
            }
        }
        if let Some(l) = s.create_rule.as_ref().and_then(|c| c.location.as_ref()) {
            if l != "CLOUD" {
                unexpressed.push(format!("{who}: CreateRule.Location {l} (snapshots on an Outpost): simulated as regional snapshots"));
            }
        }
        if s.copy_tags == Some(true) {
            unexpressed.push(format!("{who}: CopyTags (the volume's tags onto its snapshots): not copied, only TagsToAdd"));
        }
        let sched = Schedule {
            name,
            create,
            retain,
            tags: s.tags_to_add.clone(),
        };
        if schedule.is_none() {
            schedule = Some(sched);
        } else {
            unexpressed.push(format!(
                "{who}: a further schedule (a volume has one schedule in the model; the policy's first schedule, \"{}\", is simulated): not simulated",
                schedule.as_ref().map_or("", |s: &Schedule| s.name.as_str())
            ));
        }
    }
    if schedule.is_none() {
        applies = false;
        unexpressed.push(format!("policy {}: no schedules: not applied", p.policy_id));
    }
    Ok(Policy {
        id: p.policy_id,
        source: file.to_string(),
        applies,
        target_tags: d.target_tags.clone(),
        schedule,
        unexpressed,
    })
}

fn non_empty(v: &Value) -> bool {
    !(v.is_null()
        || v.as_array().is_some_and(Vec::is_empty)
        || v.as_object().is_some_and(serde_json::Map::is_empty))
}

fn create_rule(c: &CreateRule, file: &str, at: &str) -> Result<Create, ImportError> {
    if let Some(expr) = &c.cron_expression {
        return parse_cron(expr)
            .map(Create::Cron)
            .map_err(|(problem, fix)| {
                ImportError::input(
                    file,
                    &format!("{at}.CronExpression"),
                    format!("\"{expr}\""),
                    problem,
                    fix,
                )
            });
    }
    let Some(interval) = c.interval else {
        return Err(ImportError::input(
            file,
            at,
            "(no Interval, no CronExpression)",
            "a CreateRule needs an Interval (with IntervalUnit HOURS) or a CronExpression",
            "give the unmodified get-lifecycle-policy output",
        ));
    };
    let unit = c.interval_unit.as_deref().unwrap_or("HOURS");
    if unit != "HOURS" {
        return Err(ImportError::input(
            file,
            &format!("{at}.IntervalUnit"),
            format!("\"{unit}\""),
            "DLM's only IntervalUnit is HOURS",
            "use \"HOURS\", or a CronExpression for longer cadences",
        ));
    }
    if !DLM_INTERVALS.contains(&interval) {
        return Err(ImportError::input(
            file,
            &format!("{at}.Interval"),
            interval.to_string(),
            "DLM refuses this interval: it offers 1, 2, 3, 4, 6, 8, 12 or 24 hours",
            "use one of those, or a CronExpression (at most hourly)",
        ));
    }
    let time = match c.times.as_slice() {
        [] => None,
        [t] => Some(parse_hhmm(t).ok_or_else(|| {
            ImportError::input(
                file,
                &format!("{at}.Times[0]"),
                format!("\"{t}\""),
                "a start time is hh:mm in UTC",
                "write it as e.g. \"03:00\"",
            )
        })?),
        _ => {
            return Err(ImportError::input(
                file,
                &format!("{at}.Times"),
                format!("{:?}", c.times),
                "DLM accepts one start time per CreateRule",
                "keep one time, or use a CronExpression",
            ))
        }
    };
    Ok(Create::Every {
        hours: interval,
        at: time,
    })
}

fn parse_hhmm(t: &str) -> Option<i64> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m) && t.len() == 5).then_some(h * 3600 + m * 60)
}

fn retain_rule(r: &RetainRule, file: &str, at: &str) -> Result<Value, ImportError> {
    if let Some(n) = r.count {
        if !(1..=1000).contains(&n) {
            return Err(ImportError::input(
                file,
                &format!("{at}.Count"),
                n.to_string(),
                "DLM keeps 1 to 1,000 snapshots by count",
                "use a Count from 1 to 1000",
            ));
        }
        return Ok(json!({ "last": n }));
    }
    let (Some(n), Some(unit)) = (r.interval, r.interval_unit.as_deref()) else {
        return Err(ImportError::input(
            file,
            at,
            "(neither Count nor Interval with IntervalUnit)",
            "a RetainRule keeps by Count or by age (Interval and IntervalUnit)",
            "give the unmodified get-lifecycle-policy output",
        ));
    };
    let days = match unit {
        "DAYS" => 1,
        "WEEKS" => 7,
        "MONTHS" => 30,
        "YEARS" => 365,
        other => {
            return Err(ImportError::input(
                file,
                &format!("{at}.IntervalUnit"),
                format!("\"{other}\""),
                "a retention age is in DAYS, WEEKS, MONTHS or YEARS",
                "use one of those",
            ))
        }
    };
    if n == 0 {
        return Err(ImportError::input(
            file,
            &format!("{at}.Interval"),
            "0",
            "DLM keeps snapshots for at least 1 day (0 only with archiving)",
            "use an Interval of at least 1",
        ));
    }
    Ok(json!({ "max_age": format!("{}d", u64::from(n) * days) }))
}

/// Parses `cron(M H DOM MON DOW YEAR)`.
///
/// # Errors
/// (problem, fix) for a message.
pub fn parse_cron(expr: &str) -> Result<Cron, (String, String)> {
    let syntax = || {
        (
            "not an AWS cron expression of six fields, cron(Minutes Hours Day-of-month Month Day-of-week Year)".to_string(),
            "write e.g. cron(0 3 * * ? *) for 03:00 UTC every day".to_string(),
        )
    };
    let inner = expr
        .trim()
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(syntax)?;
    let f: Vec<&str> = inner.split_whitespace().collect();
    if f.len() != 6 {
        return Err(syntax());
    }
    let minute: u32 = match f[0].parse() {
        Ok(m) if m < 60 => m,
        _ => {
            return Err((
                format!("the minutes field \"{}\" fires more than once an hour, and DLM refuses schedules more frequent than hourly (its cron interval is 1 hour to 1 year)", f[0]),
                "give the minutes as one number, e.g. cron(0 * * * ? *) for hourly".into(),
            ))
        }
    };
    let mut special = None;
    let mut fields = [f[2].to_string(), f[4].to_string()];
    for (i, name) in [(0, "day-of-month"), (1, "day-of-week")] {
        let field = &fields[i];
        // No weekday name holds an L or a #; only WED holds a W.
        if field.contains(['L', '#']) || (i == 0 && field.contains('W')) {
            let day = special_day(field, i == 1, &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])
                .ok_or_else(|| {
                    (
                        format!("the {name} field \"{field}\" uses L, W or # in a form AWS cron does not have"),
                        "use L, LW or nW (e.g. 15W) in day-of-month, or dL (e.g. 6L, the last Friday) or d#k (e.g. 2#1, the first Monday) in day-of-week".to_string(),
                    )
                })?;
            // `L` alone in day-of-week is Saturday, every week.
            special = match day {
                SpecialDay::LastOfMonth(0) => {
                    fields[i] = "7".into();
                    None
                }
                d => {
                    fields[i] = "*".into();
                    Some(d)
                }
            };
        }
    }
    let (dom_field, dow_field) = (fields[0].as_str(), fields[1].as_str());
    let months = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let bad = |name: &str, field: &str| {
        (
            format!("the {name} field \"{field}\" is not understood"),
            "use numbers, names, ranges a-b, lists a,b and steps a/b or */b".to_string(),
        )
    };
    let hours = field_set(f[1], 0, 23, &[]).ok_or_else(|| bad("hours", f[1]))?;
    let dom = field_set(dom_field, 1, 31, &[]).ok_or_else(|| bad("day-of-month", f[2]))?;
    let mon = field_set(f[3], 1, 12, &months).ok_or_else(|| bad("month", f[3]))?;
    let dow = field_set(dow_field, 1, 7, &days).ok_or_else(|| bad("day-of-week", f[4]))?;
    if f[2] != "?" && f[4] != "?" {
        return Err((
            "AWS cron needs `?` in either the day-of-month or the day-of-week field".into(),
            "write e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON *)".into(),
        ));
    }
    let years = if f[5] == "*" {
        None
    } else {
        let (a, b) = f[5].split_once('-').unwrap_or((f[5], f[5]));
        match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(a), Ok(b)) if a <= b => Some((a, b)),
            _ => return Err(bad("year", f[5])),
        }
    };
    Ok(Cron {
        minute,
        hours,
        dom,
        months: mon,
        dow,
        years,
        special,
        text: expr.to_string(),
    })
}

/// The values a cron field allows, as flags indexed by value.
fn field_set(field: &str, lo: u32, hi: u32, names: &[&str]) -> Option<Vec<bool>> {
    let mut set = vec![false; hi as usize + 1];
    let value = |s: &str| -> Option<u32> {
        names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map(|i| i as u32 + lo)
            .or_else(|| s.parse().ok())
            .filter(|v| (lo..=hi).contains(v))
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|&s| s > 0)?),
            None => (part, 1),
        };
        let (a, b) = if range == "*" || range == "?" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let a = value(range)?;
            (a, if part.contains('/') { hi } else { a })
        };
        if a > b {
            return None;
        }
        let mut v = a;
        while v <= b {
            set[v as usize] = true;
            v += step;
        }
    }
    Some(set)
}

impl Cron {
    /// Whether the cron fires at the whole hour starting `secs` after the
    /// epoch (plus its minute).
    fn fires(&self, hour_start: i64) -> bool {
        let days = hour_start.div_euclid(86_400);
        let hour = (hour_start.rem_euclid(86_400) / 3600) as usize;
        let (y, m, d) = civil_from_days(days);
        let weekday = ((days + 4).rem_euclid(7) + 1) as usize; // 1970-01-01 was a Thursday (5)
        self.hours[hour]
            && self.months[m as usize]
            && self.dom[d as usize]
            && self.dow[weekday]
            && self
                .special
                .map_or(true, |s| s.matches(d, days_in_month(y, m), weekday as u32))
            && self.years.map_or(true, |(a, b)| (a..=b).contains(&y))
    }
}

/// The scenario `snapshots` block of `s` for a window starting at `start`
/// [s since the epoch] and lasting `duration` [s]; `None` with the reason
/// when no request falls inside.
pub fn snapshots_block(s: &Schedule, start: i64, duration: i64) -> Result<Value, String> {
    let mut block = serde_json::Map::new();
    match &s.create {
        Create::Every { hours, at } => {
            let every = i64::from(*hours) * 3600;
            let first = match at {
                Some(t) => (t - start.rem_euclid(86_400)).rem_euclid(every),
                None => 0,
            };
            if first >= duration {
                return Err(format!(
                    "the first run, {} after the start, falls after the window ({})",
                    duration_text(first),
                    duration_text(duration)
                ));
            }
            block.insert("every".into(), json!(duration_text(every)));
            block.insert("first_at".into(), json!(duration_text(first)));
        }
        Create::Cron(c) => {
            let first_hour = start.div_euclid(3600) * 3600;
            let mut times = Vec::new();
            let mut h = first_hour;
            while h < start + duration {
                let t = h + i64::from(c.minute) * 60;
                if t >= start && t < start + duration && c.fires(h) {
                    times.push(t - start);
                }
                h += 3600;
            }
            if times.is_empty() {
                return Err(format!("{} does not fire inside the window", c.text));
            }
            let even = times.len() >= 2
                && times.windows(2).all(|w| w[1] - w[0] == times[1] - times[0])
                // The cadence must repeat beyond the window, as `every` does:
                // the day's hours, evenly spaced, fill the day exactly.
                && c.hours.iter().filter(|&&h| h).count() as i64 * (times[1] - times[0]) == 86_400
                && c.months.iter().skip(1).all(|&m| m)
                && c.dom.iter().skip(1).all(|&d| d)
                && c.dow.iter().skip(1).all(|&d| d)
                && c.years.is_none();
            if even {
                block.insert("every".into(), json!(duration_text(times[1] - times[0])));
                block.insert("first_at".into(), json!(duration_text(times[0])));
            } else {
                block.insert(
                    "at".into(),
                    Value::Array(times.iter().map(|&t| json!(duration_text(t))).collect()),
                );
            }
        }
    }
    if let Some(r) = &s.retain {
        block.insert("retain".into(), r.clone());
    }
    if !s.tags.is_empty() {
        let mut tags = serde_json::Map::new();
        for t in &s.tags {
            tags.insert(t.key.clone(), json!(t.value));
        }
        block.insert("tags".into(), Value::Object(tags));
    }
    Ok(Value::Object(block))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(create: Create) -> Schedule {
        Schedule {
            name: "s".into(),
            create,
            retain: None,
            tags: vec![],
        }
    }

    #[test]
    fn interval_with_time_of_day() {
        // Start 2026-11-01T00:00:00Z; 8-hourly from 03:00 → 03:00, 11:00, 19:00.
        let start = 1_793_491_200;
        let b = snapshots_block(
            &sched(Create::Every {
                hours: 8,
                at: Some(3 * 3600),
            }),
            start,
            86_400,
        )
        .unwrap();
        assert_eq!(b, json!({"every": "8h", "first_at": "3h"}));
        // A start at 05:00: the next run is 11:00, 6 h later.
        let b = snapshots_block(
            &sched(Create::Every {
                hours: 8,
                at: Some(3 * 3600),
            }),
            start + 5 * 3600,
            86_400,
        )
        .unwrap();
        assert_eq!(b, json!({"every": "8h", "first_at": "6h"}));
    }

    #[test]
    fn crons() {
        let start = 1_793_491_200; // a Sunday
        let daily = parse_cron("cron(30 2 * * ? *)").unwrap();
        let b = snapshots_block(&sched(Create::Cron(daily)), start, 3 * 86_400).unwrap();
        assert_eq!(b, json!({"every": "1d", "first_at": "150m"}));
        let six = parse_cron("cron(0 0/6 * * ? *)").unwrap();
        let b = snapshots_block(&sched(Create::Cron(six)), start, 86_400).unwrap();
        assert_eq!(b, json!({"every": "6h", "first_at": "0s"}));
        let uneven = parse_cron("cron(0 1,5 * * ? *)").unwrap();
        let b = snapshots_block(&sched(Create::Cron(uneven)), start, 86_400).unwrap();
        assert_eq!(b, json!({"at": ["1h", "5h"]}));
        let weekdays = parse_cron("cron(0 3 ? * MON-FRI *)").unwrap();
        let b = snapshots_block(&sched(Create::Cron(weekdays)), start, 7 * 86_400).unwrap();
        assert_eq!(b["at"].as_array().unwrap().len(), 5);
        assert_eq!(b["at"][0], "27h"); // Monday 03:00
        assert!(parse_cron("cron(0/15 * * * ? *)")
            .unwrap_err()
            .0
            .contains("more frequent than hourly"));
        assert!(parse_cron("cron(0 3 L- * ? *)").is_err());
        assert!(parse_cron("cron(0 3 ? * 6#9 *)").is_err());
        assert!(parse_cron("0 3 * * ? *").is_err());
    }

    /// November 2026: 30 days, the 1st a Sunday.
    #[test]
    fn last_nearest_weekday_and_nth_days_by_hand() {
        let days = |expr: &str| -> Vec<u32> {
            let c = parse_cron(expr).unwrap();
            let s = c.special.unwrap();
            (1..=30)
                .filter(|&d| s.matches(d, 30, (d - 1) % 7 + 1))
                .collect()
        };
        assert_eq!(days("cron(0 3 L * ? *)"), [30]);
        assert_eq!(days("cron(0 3 LW * ? *)"), [30]); // a Monday
        assert_eq!(days("cron(0 3 1W * ? *)"), [2]); // Sunday 1st -> Monday 2nd
        assert_eq!(days("cron(0 3 28W * ? *)"), [27]); // Saturday -> Friday
        assert_eq!(days("cron(0 3 ? * 6L *)"), [27]); // last Friday
        assert_eq!(days("cron(0 3 ? * FRIL *)"), [27]);
        assert_eq!(days("cron(0 3 ? * 2#1 *)"), [2]); // first Monday
        assert_eq!(days("cron(0 3 ? * MON#5 *)"), [30]);
        // A list with WED is a plain list; L alone in day-of-week is Saturday.
        assert!(parse_cron("cron(0 3 ? * MON,WED *)")
            .unwrap()
            .special
            .is_none());
        let sat = parse_cron("cron(0 3 ? * L *)").unwrap();
        assert!(sat.special.is_none() && sat.dow[7] && !sat.dow[6]);
        // Through `fires`: 2026-11-30 03:00 UTC fires for L, the 29th not.
        let l = parse_cron("cron(0 3 L * ? *)").unwrap();
        let nov30 = 1_795_996_800 + 3 * 3600; // 2026-11-30T03:00:00Z
        assert!(l.fires(nov30) && !l.fires(nov30 - 86_400));
    }
}
