//! Snapshots still pending at the horizon: a small run where they are known
//! by hand, checked in the summary (Kaplan–Meier time pending, unfinished
//! bytes), the sweep metrics row, the verdict and the report; and the
//! assumptions ledger through the real binary (scenario vs default).

use snapsim::metrics::run_metrics::run_metrics;
use snapsim::metrics::summary::{AssumptionSource, Quantile};
use snapsim::metrics::window::BackupWindow;
use snapsim::metrics::RunResult;
use snapsim::model::{simulate, RunMeta};
use snapsim::report::table::human_seconds;
use snapsim::report::verdict::verdict;
use snapsim::scenario;
use std::process::Command;

/// Two gp3 volumes, no writes, snapshots at 0, 30, 60 and 90 min, horizon
/// 1h50m = 6600 s, 10 MiB/s per snapshot, no volume cap.
///
/// `big` holds 100 GiB: its first snapshot needs 102400 MiB / 10 MiB/s =
/// 10240 s, longer than the run, and the later ones (empty deltas) wait for
/// it. So all four are unfinished, pending at least 6600, 4800, 3000 and
/// 1200 s (horizon − request time), and at the horizon the first has
/// uploaded 10 × 6600 = 66000 MiB, leaving 102400 − 66000 = 36400 MiB.
///
/// `small` holds 1 GiB: its first snapshot takes 1024 / 10 = 102.4 s, the
/// later ones (empty deltas, nothing older pending) complete at once (0 s).
const SCENARIO: &str = r#"{
  "name": "censoring",
  "duration": "1h50m",
  "transfer": { "per_snapshot": "10MiB/s" },
  "volumes": [
    { "name": "big", "type": "gp3", "size": "200GiB", "used": "100GiB",
      "snapshots": { "every": "30m", "first_at": "0s" } },
    { "name": "small", "type": "gp3", "size": "10GiB", "used": "1GiB",
      "snapshots": { "every": "30m", "first_at": "0s" } }
  ]
}"#;

const MIB: u64 = 1 << 20;

fn run(text: &str) -> RunResult {
    let sc = scenario::from_str(text, "censoring.json").expect("valid scenario");
    let meta = RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions: scenario::assumptions::ledger(&sc),
        measurements: Vec::new(),
    };
    simulate(sc.config, meta).expect("runs")
}

#[test]
fn unfinished_snapshots_give_flagged_lower_bounds() {
    let r = run(SCENARIO);
    let s = &r.summary;
    let big = &s.volumes[0];
    let p = big.pending_seconds.as_ref().expect("accepted snapshots");
    assert_eq!((p.count, p.completed, p.unfinished), (4, 0, 4));
    // The hand lower bound of every statistic: the longest an unfinished
    // snapshot has been pending, 6600 s. Every one is flagged.
    for q in [p.p50, p.p95, p.p99, p.max] {
        assert!(q.is_lower_bound(), "{q:?} should be a lower bound");
        assert!(q.seconds() >= 6600.0 - 1e-6, "{q:?} below the hand bound");
    }
    // The completed-only distribution has nothing to say, and says so.
    assert!(big.duration_seconds.is_none());
    assert_eq!(big.snapshots.pending_at_end, 4);
    assert_eq!(big.storage.pending_upload_bytes, 36_400 * MIB);
    assert_eq!(big.storage.pending_delta_bytes, 102_400 * MIB);
    assert_eq!(
        big.storage.final_bytes, 0,
        "nothing completed, nothing stored"
    );

    let small = s.volumes[1].pending_seconds.as_ref().unwrap();
    assert_eq!((small.completed, small.unfinished), (4, 0));
    assert_eq!(small.max, Quantile::Exact(102.4));
    assert_eq!(s.volumes[1].storage.pending_upload_bytes, 0);

    // Pooled, by hand: times 0, 0, 0, 102.4 (completed) and 1200+, 3000+,
    // 4800+, 6600+ (censored), n = 8. At 0: 8 at risk, 3 complete, S = 5/8;
    // at 102.4: 5 at risk, 1 completes, S = 5/8 · 4/5 = 1/2. S stays 1/2
    // beyond: the median is 102.4 s, p95 and p99 are more than 6600 s.
    let pooled = s.pending_seconds.as_ref().unwrap();
    assert_eq!((pooled.count, pooled.unfinished), (8, 4));
    assert_eq!(pooled.p50, Quantile::Exact(102.4));
    assert_eq!(pooled.p95, Quantile::AtLeast(6600.0));
    assert_eq!(pooled.p99, Quantile::AtLeast(6600.0));
    assert_eq!(pooled.max, Quantile::AtLeast(6600.0));

    // The sweep row carries the same values and flags.
    let row: std::collections::BTreeMap<String, f64> =
        run_metrics(&r, Some(&BackupWindow::Within { seconds: 600.0 }), 0.0)
            .into_iter()
            .collect();
    assert_eq!(row["time_pending_p50_seconds"], 102.4);
    assert_eq!(row["time_pending_p50_is_lower_bound"], 0.0);
    assert_eq!(row["time_pending_p95_seconds"], 6600.0);
    assert_eq!(row["time_pending_p95_is_lower_bound"], 1.0);
    assert_eq!(row["fraction_completed"], 0.5);
    assert_eq!(row["fraction_completed_within_deadline"], 0.5);
    assert_eq!(row["pending_upload_bytes_final"], (36_400 * MIB) as f64);
    let no_deadline: Vec<String> = run_metrics(&r, None, 0.0)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(!no_deadline
        .iter()
        .any(|k| k == "fraction_completed_within_deadline"));
    // With a deadline shorter than the 102.4 s first snapshot of `small`,
    // only its three instant snapshots are on time.
    let tight: std::collections::BTreeMap<String, f64> =
        run_metrics(&r, Some(&BackupWindow::Within { seconds: 100.0 }), 0.0)
            .into_iter()
            .collect();
    assert_eq!(tight["fraction_completed_within_deadline"], 3.0 / 8.0);
}

/// Every number in the verdict is the summary's: the counts, the limit, and
/// each quantile in the same human form (or its "more than" form).
#[test]
fn the_verdict_says_the_summarys_numbers() {
    let r = run(SCENARIO);
    let s = &r.summary;
    let v = verdict(s);
    let p = s.pending_seconds.as_ref().unwrap();
    let scheduled: u64 = s.volumes.iter().map(|v| v.requests.scheduled).sum();
    let accepted: u64 = s.volumes.iter().map(|v| v.requests.accepted).sum();
    assert!(
        v.contains(&format!(
            "{} of {scheduled} scheduled snapshots completed ({accepted} accepted, {} still pending when the run ended)",
            p.completed, p.unfinished
        )),
        "{v}"
    );
    assert_eq!((p.completed, scheduled, p.unfinished), (4, 8, 4));
    assert!(
        v.contains(&format!(
            "50 % finished within {}",
            human_seconds(p.p50.seconds())
        )),
        "{v}"
    );
    let bound = human_seconds(p.p99.seconds());
    assert!(
        v.contains(&format!(
            "the 99 % mark lies beyond {bound} (the run ended first)"
        )),
        "{v}"
    );
    assert!(
        v.contains(&format!("still pending after more than {bound}")),
        "{v}"
    );
    // The median is an estimate fed by the censored snapshots: say so.
    assert!(
        v.contains("assumes the 4 unfinished snapshots will fare like the completed ones"),
        "{v}"
    );
    // With only lower bounds (volume `big` alone) there is no estimate to
    // doubt, and the verdict does not add the caveat.
    let mut bounds_only = s.clone();
    bounds_only.pending_seconds = s.volumes[0].pending_seconds.clone();
    let v = verdict(&bounds_only);
    assert!(v.contains("the 50 % mark lies beyond 1h50m"), "{v}");
    assert!(!v.contains("assumes"), "{v}");

    // A run with rejections names the count, the code and the limit.
    let limited = run(r#"{
      "name": "limited", "duration": "1h",
      "transfer": { "per_snapshot": "1MiB/s" },
      "volumes": [ { "name": "v", "type": "gp3", "size": "100GiB", "used": "10GiB",
                     "pending_limit": 2,
                     "snapshots": { "every": "10m", "first_at": "0s" } } ] }"#);
    let s = &limited.summary;
    let v = verdict(s);
    let rejected = s.volumes[0].requests.rejected["ConcurrentSnapshotLimitExceeded"];
    assert!(rejected > 0);
    assert!(
        v.contains(&format!(
            "{} requests failed after {rejected} rejected calls ({rejected} × `ConcurrentSnapshotLimitExceeded`, limit 2 pending)",
            s.volumes[0].requests.failed
        )),
        "{v}"
    );
}

/// Through the binary: the ledger lands in summary.json, with the source
/// read from the scenario file, and the report shows it at the top.
#[test]
fn the_ledger_says_whether_the_scenario_set_a_value() {
    let dir = std::env::temp_dir().join(format!("snapsim-ledger-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let with = SCENARIO.to_string();
    let without = SCENARIO.replace(r#""transfer": { "per_snapshot": "10MiB/s" },"#, "");
    assert_ne!(with, without);
    for (name, text, expect) in [
        ("with", &with, AssumptionSource::Scenario),
        ("without", &without, AssumptionSource::Default),
    ] {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, text).unwrap();
        let out = dir.join(name);
        let o = Command::new(env!("CARGO_BIN_EXE_snapsim"))
            .arg("run")
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(stdout.contains("verdict: "), "{stdout}");
        assert!(
            stdout.contains("assumptions: this answer rests on"),
            "{stdout}"
        );
        let summary: snapsim::metrics::RunSummary =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        let a = summary
            .assumptions
            .iter()
            .find(|a| a.key == "transfer.per_snapshot")
            .expect("per_snapshot in the ledger");
        assert_eq!(a.source, expect, "{name}");
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let top = md
            .find("## Assumptions this answer rests on")
            .expect("ledger heading");
        assert!(
            top < md.find("## Headline answers").unwrap(),
            "ledger at the top"
        );
        assert!(md.contains(&format!(
            "| `transfer.per_snapshot` | {} | {} |",
            a.value,
            a.source.as_str()
        )));
        // The censored figures in the report are marked and counted (at
        // the default 42 MiB/s, `big` completes in 102400 / 42 ≈ 2438 s).
        let marked = md.contains("> 1h50m (> 6600.0 s), 4 unfinished");
        assert_eq!(marked, expect == AssumptionSource::Scenario, "{md}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
