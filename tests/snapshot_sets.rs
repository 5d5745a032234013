//! Multi-volume crash-consistent snapshot sets (issue 4 item 4;
//! EBS_FACTS.md §6 C5 and §3.1.6): one point in time, all or nothing, and
//! the set completes with its last member.

use snapsim::metrics::{ErrorCode, SnapshotState};
use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;

fn run(set_schedule: &str) -> snapsim::metrics::RunResult {
    let text = format!(
        r#"{{ "name": "sets", "duration": "10m", "transfer": {{ "per_snapshot": "100MiB/s" }},
            "volumes": [
              {{ "name": "data", "type": "gp3", "size": "100GiB", "used": "10GiB", "pending_limit": 1 }},
              {{ "name": "log", "type": "gp3", "size": "20GiB", "used": "1GiB" }}
            ],
            "groups": [ {{ "name": "db", "volumes": ["data", "log"], "snapshots": {set_schedule} }} ] }}"#
    );
    let sc = scenario::from_str(&text, "sets.json").expect("valid");
    simulate(sc.config, RunMeta::default()).expect("runs")
}

/// One set: both members share the point in time; the set completes when
/// the 10 GiB member does (102.4 s at 100 MiB/s), not the 1 GiB one (10.24 s).
#[test]
fn a_set_completes_with_its_last_member() {
    let r = run(r#"{ "at": ["0s"] }"#);
    let (data, log) = (&r.snapshots[0], &r.snapshots[1]);
    assert_eq!(data.requested_at, log.requested_at);
    assert_eq!(data.set_id, log.set_id);
    assert!((log.duration_seconds().unwrap() - 10.24).abs() < 1e-6);
    assert!((data.duration_seconds().unwrap() - 102.4).abs() < 1e-6);
    for s in [data, log] {
        assert!((s.set_completed_at.unwrap().as_secs_f64() - 102.4).abs() < 1e-6);
    }
    let g = &r.summary.groups[0];
    assert_eq!((g.accepted, g.completed), (1, 1));
    let d = g.set_duration_seconds.as_ref().unwrap();
    assert!((d.max - 102.4).abs() < 1e-6);
}

/// All or nothing: at 60 s `data` still has its one allowed snapshot
/// pending, so the whole set is rejected and `log` gets no snapshot either.
#[test]
fn a_set_is_rejected_whole_when_one_member_is_at_its_limit() {
    let r = run(r#"{ "at": ["0s", "60s", "120s"] }"#);
    let at_60: Vec<_> = r
        .snapshots
        .iter()
        .filter(|s| s.requested_at.as_secs_f64() == 60.0)
        .collect();
    assert_eq!(at_60.len(), 2);
    for s in &at_60 {
        assert_eq!(s.state, SnapshotState::Rejected);
        assert_eq!(s.error, Some(ErrorCode::ConcurrentSnapshotLimitExceeded));
        assert!(s.snapshot_id.is_none());
    }
    // At 120 s data's first snapshot has completed: the set is accepted.
    let at_120 = r
        .snapshots
        .iter()
        .filter(|s| s.requested_at.as_secs_f64() == 120.0 && s.snapshot_id.is_some())
        .count();
    assert_eq!(at_120, 2);
    assert_eq!(r.summary.groups[0].accepted, 2);
}

#[test]
fn bad_sets_are_refused_with_their_path() {
    let bad = |groups: &str, extra_volume_keys: &str| {
        let text = format!(
            r#"{{ "name": "sets", "duration": "10m",
                "volumes": [ {{ "name": "a", "type": "gp3", "size": "10GiB" {extra_volume_keys} }} ],
                "groups": {groups} }}"#
        );
        scenario::from_str(&text, "sets.json")
            .unwrap_err()
            .to_string()
    };
    let e = bad(
        r#"[{ "name": "g", "volumes": ["b"], "snapshots": { "every": "1m" } }]"#,
        "",
    );
    assert!(
        e.contains("groups[0].volumes[0]") && e.contains("\"b\""),
        "{e}"
    );
    let e = bad(
        r#"[{ "name": "g", "volumes": ["a"], "snapshots": { "every": "1m" } }]"#,
        r#", "snapshots": { "every": "1h" }"#,
    );
    assert!(e.contains("has its own `snapshots`"), "{e}");
}
