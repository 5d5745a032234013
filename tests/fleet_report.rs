//! The fleet report, through the real binary on a small synthetic fleet
//! (20 volumes in 3 groups, two of them sharing a slow upload pool, 6 h):
//! the report has a Fleet section whose group rows equal `summary.json`'s
//! `volume_groups`, the three fleet figures and no per-volume timeline; the
//! figures' data equal what the result files say (per-group sums of
//! `timeseries.csv`, Kaplan–Meier over `snapshots.csv` as in the roll-ups,
//! pool load over the pool's rate); a 12-volume run stays a per-volume report.

use snapsim::metrics::survival::PendingTime;
use snapsim::metrics::RunSummary;
use snapsim::report::document::bytes_cell;
use snapsim::report::fleet::{
    groups, observations, pending_by_group, pool_utilisation, time_pending_by_group,
};
use snapsim::report::verdict::quantile_cell;
use snapsim::report::ReportData;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// 8 + 8 + `logs` volumes; db and web upload through a 5 MiB/s pool, so
/// their first full snapshots are still pending at the end (censored) and
/// the hourly ones run into the pending limit.
fn scenario(logs: u32) -> String {
    format!(
        r#"{{
  "name": "fleet-test",
  "description": "A small fleet: two pooled groups and one unpooled",
  "duration": "6h",
  "timeseries_step": "10m",
  "transfer": {{ "per_snapshot": "42MiB/s", "pools": [ {{ "name": "link", "rate": "5MiB/s" }} ] }},
  "volumes": [
    {{ "name": "db", "count": 8, "type": "gp3", "size": "20GiB", "used": "4GiB", "pool": "link",
      "workload": {{ "writes": {{ "rate": "20/s", "size": "16KiB" }} }},
      "snapshots": {{ "every": "1h", "first_at": "1m" }} }},
    {{ "name": "web", "count": 8, "type": "gp2", "size": "10GiB", "used": "1GiB", "pool": "link",
      "workload": {{ "writes": {{ "rate": "5/s", "size": "16KiB" }} }},
      "snapshots": {{ "every": "2h", "first_at": "2m" }} }},
    {{ "name": "logs", "count": {logs}, "type": "gp3", "size": "20GiB", "used": "2GiB",
      "workload": {{ "writes": {{ "rate": "10/s", "size": "64KiB" }} }},
      "snapshots": {{ "every": "3h", "first_at": "3m" }} }}
  ]
}}"#
    )
}

/// Runs the scenario into `dir/out` and returns that directory.
fn run(dir: &Path, text: &str) -> PathBuf {
    let scenario = dir.join("s.json");
    fs::write(&scenario, text).unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .expect("cannot start the snapsim binary");
    assert!(
        o.status.success(),
        "exit {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn load(out: &Path) -> (RunSummary, ReportData) {
    let files = ReportData::read_dir(out).unwrap();
    let data = ReportData::parse(&files).unwrap();
    let summary = serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    (summary, data)
}

/// The cells of the Markdown table row whose first cell is `first`, in the
/// part of `md` after `after`.
fn row(md: &str, after: &str, first: &str) -> Option<Vec<String>> {
    let start = md.find(after)?;
    md[start..]
        .lines()
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first().map(String::as_str) == Some(first))
}

#[test]
fn a_fleet_report_has_the_fleet_section_and_figures_and_rows_equal_to_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &scenario(4));
    let (summary, _) = load(&out);
    assert_eq!(summary.volumes.len(), 20);
    assert_eq!(summary.volume_groups.len(), 3);
    for stem in ["fleet-pending", "fleet-time-pending", "fleet-pools"] {
        for ext in ["svg", "png"] {
            let p = out.join(format!("{stem}.{ext}"));
            assert!(p.is_file(), "no {}", p.display());
        }
    }
    assert!(!out.join("timeline.svg").exists());
    assert!(!out.join("timeline.png").exists());
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(md.contains("\n## Fleet\n"), "{md}");
    assert!(html.contains("fleet-time-pending"));
    assert!(md.contains("censored"));
    assert!(md.contains("in `summary.json` only"));
    // Censoring shows: the pooled db snapshots do not all finish.
    let db = &summary.volume_groups[0];
    assert!(db.snapshots.pending_at_end > 0, "{db:?}");
    let mut lower_bound_seen = false;
    for g in summary.volume_groups.iter().chain([&summary.fleet]) {
        let cells =
            row(&md, "## Fleet", &g.name).unwrap_or_else(|| panic!("no Fleet row for {}", g.name));
        let p = g.pending_seconds.as_ref().unwrap();
        lower_bound_seen |= p.max.is_lower_bound();
        let expected = vec![
            g.name.clone(),
            g.count.to_string(),
            g.kind.clone(),
            (g.snapshots.completed + g.snapshots.deleted).to_string(),
            g.snapshots.pending_at_end.to_string(),
            g.requests.rejected.values().sum::<u64>().to_string(),
            g.requests.failed.to_string(),
            g.requests.skipped.to_string(),
            quantile_cell(p.p50),
            quantile_cell(p.p95),
            quantile_cell(p.p99),
            quantile_cell(p.max),
        ];
        assert_eq!(cells[..12], expected[..], "{}", g.name);
        assert_eq!(cells[13], bytes_cell(g.storage.final_bytes));
        assert_eq!(cells[14], bytes_cell(g.storage.pending_upload_bytes));
        assert_eq!(
            cells[15],
            format!("{:.2}", g.storage.final_monthly_cost_usd)
        );
    }
    assert!(
        lower_bound_seen,
        "no censored maximum: the test lost its point"
    );
    // The headline tables list groups, not volumes.
    assert!(row(&md, "### How long", "db (8)").is_some());
    assert!(row(&md, "### How long", "db-1").is_none());
}

#[test]
fn the_fleet_figures_data_equal_the_result_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &scenario(4));
    let (summary, data) = load(&out);
    let group_of: BTreeMap<&str, &str> = summary
        .volumes
        .iter()
        .map(|v| (v.name.as_str(), v.group.as_str()))
        .collect();
    // Per-group sums of the `pending` and upload columns, read here
    // independently of report::data.
    let text = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (t, v, p, u) = (
        col("time_seconds"),
        col("volume"),
        col("pending"),
        col("upload_bytes_per_second"),
    );
    let mut pending: BTreeMap<(&str, u64), f64> = BTreeMap::new();
    let mut pooled: BTreeMap<u64, f64> = BTreeMap::new();
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let step = c[t].parse::<f64>().unwrap() as u64;
        let g = group_of[c[v]];
        *pending.entry((g, step)).or_default() += c[p].parse::<f64>().unwrap();
        if g != "logs" {
            *pooled.entry(step).or_default() += c[u].parse::<f64>().unwrap();
        }
    }
    let stacked = pending_by_group(&data);
    assert_eq!(stacked.times.len(), 36, "6 h in 10 min steps");
    let names: Vec<&str> = stacked.parts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["db", "web", "logs"]);
    let mut any = false;
    for (name, values) in &stacked.parts {
        for (time, value) in stacked.times.iter().zip(values) {
            let expected = pending[&(name.as_str(), *time as u64)];
            assert_eq!(*value, expected, "{name} at {time} s");
            any |= expected > 0.0;
        }
    }
    assert!(any, "nothing was ever pending");
    // Pool utilisation: the pooled groups' upload over 5 MiB/s, in percent.
    let util = pool_utilisation(&data);
    assert_eq!(util.parts.len(), 1);
    let (pool, values) = &util.parts[0];
    assert_eq!(pool, "link");
    for (time, value) in util.times.iter().zip(values) {
        let expected = pooled[&(*time as u64)] / (5.0 * 1024.0 * 1024.0) * 100.0;
        assert!(
            (value - expected).abs() < 1e-9 * expected.max(1.0),
            "{time}"
        );
    }
    assert!(values.iter().any(|&x| x > 90.0), "the pool is never busy");
    // Time pending: the observations give the roll-ups' estimate, and
    // each curve climbs to the estimate's last level at the longest
    // observation, below 100 % where snapshots are unfinished.
    let g = groups(&data);
    let curves = time_pending_by_group(&data);
    assert_eq!(curves.len(), 3);
    for (k, rollup) in summary.volume_groups.iter().enumerate() {
        let obs = observations(&data, |v| g.of_volume[v] == k);
        let ours = PendingTime::of(&obs).unwrap();
        let theirs = rollup.pending_seconds.as_ref().unwrap();
        assert_eq!(
            (ours.count, ours.completed, ours.unfinished),
            (theirs.count, theirs.completed, theirs.unfinished)
        );
        for (a, b) in [
            (ours.p50, theirs.p50),
            (ours.p95, theirs.p95),
            (ours.max, theirs.max),
        ] {
            assert_eq!(a.is_lower_bound(), b.is_lower_bound(), "{}", rollup.name);
            assert!((a.seconds() - b.seconds()).abs() < 1e-3, "{}", rollup.name);
        }
        let c = &curves[k];
        assert_eq!(c.group, rollup.name);
        assert_eq!(c.unfinished as u64, theirs.unfinished);
        let (end, level) = *c.points.last().unwrap();
        let longest = obs.iter().map(|o| o.seconds).fold(0.0, f64::max);
        assert_eq!(end, longest);
        if theirs.unfinished > 0 {
            assert!(level < 1.0, "{}: {level}", rollup.name);
        } else {
            assert_eq!(level, 1.0, "{}", rollup.name);
        }
    }
}

#[test]
fn twelve_volumes_are_still_a_per_volume_report() {
    let tmp = tempfile::tempdir().unwrap();
    // 8 + 8 + 0 would drop an entry; 12 volumes need a smaller scenario.
    let text = scenario(1)
        .replace(
            r#""count": 8, "type": "gp3""#,
            r#""count": 6, "type": "gp3""#,
        )
        .replace(
            r#""count": 8, "type": "gp2""#,
            r#""count": 5, "type": "gp2""#,
        );
    let out = run(tmp.path(), &text);
    let (summary, _) = load(&out);
    assert_eq!(summary.volumes.len(), 12);
    assert!(out.join("timeline.svg").is_file());
    assert!(!out.join("fleet-pending.svg").exists());
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("## Fleet"));
    assert!(row(&md, "### How long", "db-1").is_some());
}
