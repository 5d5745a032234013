//! Tests of the whole loading pipeline: the quickstart scenario's typed
//! values, `count` expansion, defaults, and where errors point.

use super::*;
use crate::engine::{SimDuration, SimTime};
use crate::metrics::window::BackupWindow;
use crate::model::config::{Arrival, LimitPolicy, Pattern, Retention, RetryJitter, Sharing, Times};
use crate::model::units::{Bandwidth, Bytes};
use crate::model::volume_type::VolumeKind;
use std::time::{Duration, UNIX_EPOCH};

const QUICKSTART: &str = include_str!("../../scenarios/quickstart.json");

fn err(text: &str) -> String {
    from_str(text, "t.json").unwrap_err().to_string()
}

/// A minimal valid scenario with `volume` as its only volume.
fn with_volume(volume: &str) -> String {
    format!(r#"{{"name": "t", "duration": "1d", "volumes": [{volume}]}}"#)
}

#[test]
fn quickstart_produces_the_expected_config() {
    let s = from_str(QUICKSTART, "quickstart.json").unwrap();
    assert_eq!(s.name, "quickstart");
    assert_eq!(
        s.description,
        "One gp3 volume with a day of writes and hourly snapshots"
    );
    assert_eq!(s.start, UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    let c = &s.config;
    assert_eq!((c.seed, c.verify), (7, false));
    assert_eq!(c.duration, SimDuration::from_secs(86_400));
    assert_eq!(c.block_size, Bytes(524_288));
    assert_eq!(c.transfer.per_snapshot, Bandwidth::mib_per_sec(48.0));
    assert_eq!(c.transfer.per_volume, Some(Bandwidth::mib_per_sec(200.0)));
    assert_eq!(c.transfer.sharing, Sharing::Fair);
    assert!(c.transfer.pools.is_empty() && c.transfer.variability.is_none());
    assert_eq!(c.volumes.len(), 1);
    let v = &c.volumes[0];
    assert_eq!((v.name.as_str(), v.kind), ("db", VolumeKind::Gp3));
    assert_eq!(v.provisioned.size, Bytes::tib(1));
    assert_eq!(v.provisioned.iops, 3000);
    assert_eq!(v.provisioned.throughput, Bandwidth::mib_per_sec(125.0));
    assert_eq!(v.used, Bytes::gib(400));
    assert_eq!((v.encrypted, v.pending_limit, v.pool), (false, 5, None));
    let w = &v.writes[0];
    assert_eq!(
        w.arrival,
        Arrival::Poisson(crate::model::units::Frequency { per_sec: 800.0 })
    );
    assert_eq!(w.size, Bytes::kib(16));
    assert_eq!(w.pattern, Pattern::Zipf { exponent: 1.1 });
    assert_eq!(w.alignment, Bytes::kib(4));
    assert_eq!(
        (w.region_offset, w.region_length),
        (Bytes(0), Bytes::tib(1))
    );
    let sch = &v.schedule;
    assert_eq!(
        sch.times,
        Times::Every {
            interval: SimDuration::from_secs(3600),
            first_at: SimTime::ZERO
        }
    );
    assert_eq!(
        sch.on_limit,
        LimitPolicy::Retry {
            after: SimDuration::from_secs(300),
            max: 3,
            factor: 1.0,
            cap: None,
            jitter: RetryJitter::None,
        }
    );
    assert_eq!(
        (sch.jitter, sch.retention),
        (SimDuration::ZERO, Retention::KeepAll)
    );
    assert!(sch.tags.is_empty());
    assert_eq!(s.source["volumes"][0]["name"], "db");
}

#[test]
fn count_expands_into_numbered_volumes() {
    let text = r#"{"name": "fleet", "duration": "1h", "volumes": [
        {"name": "web", "count": 3, "type": "gp2", "size": "100GiB"},
        {"name": "db", "type": "io2", "size": "1TiB", "iops": 8000}]}"#;
    let s = from_str(text, "t.json").unwrap();
    let names: Vec<&str> = s.config.volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["web-1", "web-2", "web-3", "db"]);
    assert!(s.config.volumes[..3]
        .iter()
        .all(|v| v.kind == VolumeKind::Gp2 && v.provisioned.iops == 300));
    assert_eq!(s.config.volumes[3].schedule.times, Times::Never);
    assert!(s.config.volumes[3].writes.is_empty());
}

#[test]
fn count_collision_names_both_entries() {
    let e = err(&with_volume(
        r#"{"name": "db", "count": 2, "type": "gp3", "size": "10GiB"}, {"name": "db-1", "type": "gp3", "size": "10GiB"}"#,
    ));
    assert!(
        e.contains("volumes[1].name")
            && e.contains("\"db-1\"")
            && e.contains("volumes[0] (count 2)"),
        "{e}"
    );
}

#[test]
fn defaults_apply_to_a_minimal_scenario() {
    let s = from_str(
        &with_volume(r#"{"name": "a", "type": "st1", "size": "1TiB"}"#),
        "t.json",
    )
    .unwrap();
    assert_eq!(s.config.seed, 1);
    assert_eq!(s.config.transfer.per_snapshot, Bandwidth::mib_per_sec(42.0));
    assert_eq!(s.config.transfer.per_volume, None);
    assert_eq!(s.config.volumes[0].pending_limit, 1);
    assert_eq!(s.description, "");
}

#[test]
fn type_errors_report_path_line_and_column() {
    let text = "{\"name\": \"t\", \"duration\": \"1d\", \"volumes\": [\n {\"name\": \"a\", \"type\": \"gp3\", \"size\": \"10GiB\",\n  \"workload\": {\"writes\": {\"rate\": \"800 per second\", \"size\": \"4KiB\"}}}]}";
    let e = err(text);
    assert!(
        e.starts_with("t.json: volumes[0].workload.writes.rate (line 3, column"),
        "{e}"
    );
    assert!(e.ends_with("invalid frequency \"800 per second\": expected a number followed by \"/s\", \"/min\", \"/h\" or \"/d\", e.g. \"800/s\""), "{e}");
}

#[test]
fn schedules_and_patterns_convert() {
    let s = from_str(
        &with_volume(
            r#"{"name": "a", "type": "gp3", "size": "100GiB",
                "workload": {"writes": {"rate": "10/s", "arrival": "constant", "size": "4KiB",
                    "pattern": {"hotspot": {"io_percent": 90, "space_percent": 10}}}},
                "snapshots": {"at": ["1h", "2h30m"], "retain": {"max_age": "7d"}, "on_limit": "skip",
                    "tags": {"team": "db", "env": "prod"}}}"#,
        ),
        "t.json",
    )
    .unwrap();
    let v = &s.config.volumes[0];
    let w = &v.writes[0];
    assert_eq!(
        w.pattern,
        Pattern::Hotspot {
            io_fraction: 0.9,
            space_fraction: 0.1
        }
    );
    assert!(matches!(w.arrival, Arrival::Constant(_)));
    assert_eq!(
        v.schedule.times,
        Times::At(vec![SimTime::from_secs(3600), SimTime::from_secs(9000)])
    );
    assert_eq!(
        v.schedule.retention,
        Retention::MaxAge(SimDuration::from_secs(7 * 86_400))
    );
    assert_eq!(v.schedule.on_limit, LimitPolicy::Skip);
    assert_eq!(
        v.schedule.tags,
        vec![("team".into(), "db".into()), ("env".into(), "prod".into())]
    );
}

#[test]
fn oversized_scenarios_are_refused() {
    let e = err(&with_volume(
        r#"{"name": "a", "count": 2000, "type": "gp3", "size": "10GiB", "snapshots": {"every": "1s"}}"#,
    ));
    assert!(
        e.contains("volumes[0].snapshots") && e.contains("10,000,000"),
        "{e}"
    );
    let e = err(r#"{"name": "t", "duration": "101y", "volumes": []}"#);
    assert!(e.contains("duration"), "{e}");
    let e = err(r#"{"name": "t", "duration": "36526d", "volumes": []}"#);
    assert!(e.contains("100 years"), "{e}");
}

#[test]
fn json_schema_describes_units_and_keys() {
    let schema = json_schema();
    let text = schema.to_string();
    assert!(text.contains("\"additionalProperties\":false"), "{text}");
    assert!(text.contains("KiB") && text.contains("1h30m"), "{text}");
    assert_eq!(schema["type"], "object");
}

/// `sweep.deadline` is a positive duration or clock times; anything else
/// names the key.
#[test]
fn sweep_deadline_is_a_positive_duration_or_clock_times() {
    let base = |deadline: &str| -> serde_json::Value {
        serde_json::from_str(&format!(
            r#"{{"name": "t", "duration": "1h", "volumes": [{{"name": "v", "type": "gp3", "size": "10GiB"}}],
                "sweep": {{"replications": 2, "deadline": {deadline}}}}}"#
        ))
        .unwrap()
    };
    let def = sweep_definition(&base("\"4h\""), "t.json")
        .unwrap()
        .unwrap();
    assert_eq!(
        def.deadline,
        Some(BackupWindow::Within {
            seconds: SimDuration::from_secs(4 * 3600).as_secs_f64()
        })
    );
    let def = sweep_definition(&base("\"22:00-04:00\""), "t.json")
        .unwrap()
        .unwrap();
    assert_eq!(
        def.deadline,
        Some(BackupWindow::Clock {
            open: 22 * 60,
            close: 4 * 60
        })
    );
    for (bad, why) in [
        ("\"0s\"", "0s holds no snapshot"),
        ("4", "expected a backup window as a string"),
        ("\"4 hours\"", "sweep.deadline"),
        ("\"25:00-04:00\"", "hours run from 00 to 23"),
    ] {
        let e = sweep_definition(&base(bad), "t.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("sweep.deadline") && e.contains(why),
            "{bad}: {e}"
        );
    }
}

/// `availability_zone` and `region`: the region derived from the zone
/// (Local and Wavelength Zones too), a region alone kept, both given and
/// agreeing accepted, and every bad form refused at its path with the fix.
#[test]
fn availability_zone_and_region() {
    let located = |keys: &str| {
        let text = with_volume(&format!(
            r#"{{"name": "a", "type": "gp3", "size": "10GiB", "count": 2{keys}}}"#
        ));
        let s = from_str(&text, "t.json").unwrap();
        let v = &s.config.volumes;
        assert_eq!(v.len(), 2);
        assert_eq!(
            (&v[0].region, &v[0].availability_zone),
            (&v[1].region, &v[1].availability_zone),
            "every copy of an entry is in the same place"
        );
        (v[0].region.clone(), v[0].availability_zone.clone())
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(located(""), (None, None));
    assert_eq!(
        located(r#", "availability_zone": "us-east-1a""#),
        (some("us-east-1"), some("us-east-1a"))
    );
    assert_eq!(
        located(r#", "availability_zone": "us-west-2-lax-1a""#),
        (some("us-west-2"), some("us-west-2-lax-1a"))
    );
    assert_eq!(
        located(r#", "availability_zone": "us-east-1-wl1-bos-wlz-1""#),
        (some("us-east-1"), some("us-east-1-wl1-bos-wlz-1"))
    );
    assert_eq!(
        located(r#", "region": "eu-west-2""#),
        (some("eu-west-2"), None)
    );
    assert_eq!(
        located(r#", "availability_zone": "eu-west-2b", "region": "eu-west-2""#),
        (some("eu-west-2"), some("eu-west-2b"))
    );
    let refused = |keys: &str| {
        err(&with_volume(&format!(
            r#"{{"name": "a", "type": "gp3", "size": "10GiB"{keys}}}"#
        )))
    };
    let e = refused(r#", "availability_zone": "us-east-1a", "region": "us-west-2""#);
    assert!(
        e.contains("volumes[0].region")
            && e.contains("\"us-west-2\" disagrees with availability_zone \"us-east-1a\"")
            && e.contains("give region \"us-east-1\""),
        "{e}"
    );
    let e = refused(r#", "availability_zone": "use1-az1""#);
    assert!(
        e.contains("volumes[0].availability_zone") && e.contains("zone ID"),
        "{e}"
    );
    let e = refused(r#", "availability_zone": "us-east-1""#);
    assert!(e.contains("give it as `region`"), "{e}");
    let e = refused(r#", "region": "us-east-1a""#);
    assert!(
        e.contains("volumes[0].region") && e.contains("give it as `availability_zone`"),
        "{e}"
    );
    let e = refused(r#", "region": "Virginia""#);
    assert!(e.contains("\"Virginia\" is not a region name"), "{e}");
}

/// A number read from the scenario is shown short in its error message at
/// any magnitude (`number_text`): `1e300` as `1.000e300`, not 301 digits.
#[test]
fn absurd_numbers_in_messages_are_short() {
    let e = err(&with_volume(
        r#"{"name": "a", "type": "gp3", "size": "10GiB", "workload": {"writes": {"rate": "1/s", "size": "4KiB", "pattern": {"hotspot": {"io_percent": 1e300, "space_percent": 10}}}}}"#,
    ));
    assert!(
        e.contains("io_percent 1.000e300 must be strictly between 0 and 100"),
        "{e}"
    );
    assert!(e.len() < 400 && !e.contains("00000000"), "{e}");
}
