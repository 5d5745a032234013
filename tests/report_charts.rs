//! Charts and report from a small fixed result set built in code (two
//! volumes, a rejection, storage steps, IO latency over time and by pending
//! level, so every figure is exercised; a variant adds consistency pauses,
//! data left out and a snapshot set), and the committed reference results
//! checked against their own summaries.
//!
//! Snapshot tests compare with files in `tests/snapshots/`; run with
//! `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change, and review
//! the diff.

use snapsim::metrics::latency::{CreditsExhausted, Degradation, LatencyLevel, OpLatency};
use snapsim::metrics::stats::Distribution;
use snapsim::metrics::summary::{
    ConsistencySummary, GroupSummary, Requests, SnapshotCounts, Storage, VolumeSummary,
};
use snapsim::metrics::survival::{Observation, PendingTime};
use snapsim::metrics::{IoStep, RunSummary};
use snapsim::report::data::{SeriesRow, SnapshotRow, StorageRow};
use snapsim::report::document::{bytes_cell, latency_cell, seconds_cell};
use snapsim::report::verdict::quantile_cell;
use snapsim::report::{report_files, BackupWindow, Figure, Format, ReportData, ReportOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn volume(name: &str, latency: bool) -> VolumeSummary {
    let level = |pending: u32, f: f64| LatencyLevel {
        pending,
        count: 1000,
        mean_us: 300.0 * f,
        p50_us: 250.0 * f,
        p90_us: 500.0 * f,
        p99_us: 900.0 * f,
        p999_us: 2500.0 * f,
        max_us: 4000.0 * f,
    };
    let op = |op: &str| OpLatency {
        op: op.into(),
        levels: (0..=3)
            .map(|k| level(k, 1.0 + 0.5 * f64::from(k)))
            .collect(),
        degradation: (1..=3)
            .map(|k| Degradation {
                pending: k,
                mean: Some(1.0 + 0.5 * f64::from(k)),
                p50: Some(1.0 + 0.5 * f64::from(k)),
                p90: Some(1.0 + 0.5 * f64::from(k)),
                p99: Some(1.0 + 0.5 * f64::from(k)),
                p999: Some(1.0 + 0.5 * f64::from(k)),
            })
            .collect(),
        // Writes also ran out of burst credits for a while, none pending.
        credits_exhausted: (op == "write").then(|| CreditsExhausted {
            levels: vec![level(0, 40.0)],
            degradation: vec![Degradation {
                pending: 0,
                mean: Some(40.0),
                p50: Some(40.0),
                p90: Some(40.0),
                p99: Some(40.0),
                p999: Some(40.0),
            }],
        }),
    };
    VolumeSummary {
        name: name.into(),
        group: name.into(),
        pool: None,
        region: None,
        availability_zone: None,
        kind: "gp3".into(),
        size_bytes: 100 << 30,
        iops: 3000,
        throughput_bytes_per_second: 131_072_000.0,
        pending_limit: 5,
        encrypted: false,
        existing_snapshot: false,
        tags: serde_json::Map::new(),
        writes: 1_000_000,
        bytes_written: 16 << 30,
        requests: Requests {
            scheduled: 4,
            calls: 4,
            accepted: 3,
            rejected: BTreeMap::from([("ConcurrentSnapshotLimitExceeded".to_string(), 1)]),
            retries: 0,
            failed: 1,
            skipped: 0,
        },
        snapshots: SnapshotCounts {
            completed: 2,
            deleted: 0,
            pending_at_end: 1,
            max_pending: 3,
        },
        duration_seconds: Distribution::of(&[1800.0, 5400.0]),
        pending_seconds: PendingTime::of(&OBSERVATIONS),
        delta_bytes: Distribution::of(&[10.0 * 1073741824.0, 2.0 * 1073741824.0, 1073741824.0]),
        cow_copies: 1234,
        storage: Storage {
            final_bytes: 12 << 30,
            max_bytes: 12 << 30,
            mean_bytes: 6.0 * 1073741824.0,
            gb_months: 0.048,
            cost_usd: 0.0024,
            final_monthly_cost_usd: 0.644245,
            pending_upload_bytes: 1 << 29,
            pending_delta_bytes: 1 << 30,
        },
        latency: latency.then(|| vec![op("read"), op("write")]),
        station: None,
        trace: None,
        consistency: None,
    }
}

/// Each fixture volume's time pending, as its snapshot rows below say:
/// completed after 5400 s and 1800 s, one pending since 7200 s at the
/// 14400 s horizon.
const OBSERVATIONS: [Observation; 3] = [
    Observation {
        seconds: 5400.0,
        completed: true,
    },
    Observation {
        seconds: 1800.0,
        completed: true,
    },
    Observation {
        seconds: 7200.0,
        completed: false,
    },
];

/// Two volumes over 4 h, hourly steps of 15 minutes.
fn fixture() -> ReportData {
    let summary = RunSummary {
        schema_version: snapsim::metrics::SUMMARY_SCHEMA_VERSION,
        snapsim_version: "0.1.0".into(),
        scenario: "fixture".into(),
        description: "Two gp3 volumes, a rejection, IO latency".into(),
        seed: 3,
        command: Some("snapsim run scenarios/fixture.json --seed 3 --backup-window 2h".into()),
        simulated_seconds: 14_400.0,
        block_size_bytes: 524_288,
        events_processed: 40,
        writes_simulated: 2_000_000,
        timeseries_step_seconds: 900.0,
        usd_per_gb_month: 0.05,
        verification: None,
        assumptions: Vec::new(),
        measurements: Vec::new(),
        pending_seconds: PendingTime::of(&[OBSERVATIONS, OBSERVATIONS].concat()),
        volumes_with_existing_snapshot: 0,
        volumes: vec![volume("db", true), volume("logs", false)],
        groups: Vec::new(),
        change_tracking: Default::default(),
        fleet: Default::default(),
        volume_groups: Vec::new(),
        scenario_source: serde_json::json!({
            "name": "fixture", "duration": "4h",
            "transfer": { "per_snapshot": "48MiB/s", "pools": [{ "name": "link", "rate": "100MiB/s" }] },
            "volumes": [
                { "name": "db", "type": "gp3", "size": "100GiB", "pool": "link",
                  "workload": { "writes": { "rate": "100/s", "size": "16KiB" } },
                  "snapshots": { "every": "1h" } },
                { "name": "logs", "type": "gp3", "size": "100GiB", "pool": "link",
                  "snapshots": { "every": "1h", "retain": 2 } }
            ]
        }),
    };
    let snap = |volume, state: &str, at: f64, done: Option<f64>, error: Option<&str>| SnapshotRow {
        volume,
        state: state.into(),
        requested_at: at,
        completed_at: done,
        duration_seconds: done.map(|d| d - at),
        delta_bytes: 1 << 30,
        error: error.map(String::from),
        pause_seconds: 0.0,
        left_out_bytes: 0,
        set_id: None,
        set_completed_at: None,
    };
    let mut snapshots = Vec::new();
    for v in 0..2 {
        snapshots.push(snap(v, "completed", 0.0, Some(5400.0), None));
        snapshots.push(snap(v, "completed", 3600.0, Some(5400.0), None));
        snapshots.push(snap(v, "pending", 7200.0, None, None));
        snapshots.push(snap(
            v,
            "rejected",
            10_800.0,
            None,
            Some("ConcurrentSnapshotLimitExceeded"),
        ));
    }
    let storage = (0..2)
        .flat_map(|v| {
            [
                StorageRow {
                    time_seconds: 5400.0,
                    volume: v,
                    stored_bytes: 10 << 30,
                },
                StorageRow {
                    time_seconds: 5400.0,
                    volume: v,
                    stored_bytes: 12 << 30,
                },
            ]
        })
        .collect();
    let mut timeseries = Vec::new();
    for step in 0..16 {
        let t = f64::from(step) * 900.0;
        for v in 0..2 {
            let pending = u32::from(t < 5400.0) * 2 + u32::from(t >= 7200.0);
            timeseries.push(SeriesRow {
                time_seconds: t,
                volume: v,
                pending,
                upload_bytes_per_second: f64::from(pending) * 20.0 * 1048576.0,
                io: (v == 0).then(|| IoStep {
                    reads_per_second: 500.0,
                    read_bytes_per_second: 8e6,
                    read_p50_us: 250.0 + 100.0 * f64::from(pending),
                    read_p99_us: 900.0 + 400.0 * f64::from(pending),
                    write_p50_us: if step == 5 { f64::NAN } else { 300.0 },
                    write_p99_us: 1200.0 + 300.0 * f64::from(pending),
                    iops_tokens: 3000.0,
                    burst_credits: f64::NAN,
                }),
            });
        }
    }
    ReportData {
        summary,
        snapshots,
        storage,
        timeseries,
    }
}

/// The fixture with consistency and a set (whose schedule replaces the
/// volumes' own in the scenario): `db` is frozen for 1.0 s and
/// 1.5 s by its first two requests, `logs` is crash-consistent and leaves
/// 1 MiB and 2 MiB out of them; both form the set `pair`, whose first set
/// completes with `db` (at 5400 s; `logs` at 4000 s) and whose second with
/// both at once (5400 s).
fn fixture_with_pauses_and_sets() -> ReportData {
    let mut data = fixture();
    data.summary.volumes[0].consistency = Some(ConsistencySummary {
        mode: "freeze".into(),
        pause_seconds_total: 2.5,
        pause_seconds_max: 1.5,
        left_out_bytes_total: 0,
        left_out_bytes_max: 0,
    });
    data.summary.volumes[1].consistency = Some(ConsistencySummary {
        mode: "crash".into(),
        pause_seconds_total: 0.0,
        pause_seconds_max: 0.0,
        left_out_bytes_total: 3 << 20,
        left_out_bytes_max: 2 << 20,
    });
    data.summary.groups = vec![GroupSummary {
        name: "pair".into(),
        volumes: vec!["db".into(), "logs".into()],
        scheduled: 4,
        accepted: 3,
        completed: 2,
        set_duration_seconds: Distribution::of(&[5400.0, 1800.0]),
        // Two complete sets after 5400 s and 1800 s, the third incomplete
        // since 7200 s.
        set_pending_seconds: PendingTime::of(&OBSERVATIONS),
    }];
    let src = &mut data.summary.scenario_source;
    for v in src["volumes"].as_array_mut().unwrap() {
        v.as_object_mut().unwrap().remove("snapshots");
    }
    src["groups"] = serde_json::json!([{ "name": "pair", "volumes": ["db", "logs"],
        "snapshots": { "every": "1h", "retain": 2 } }]);
    for (i, r) in data.snapshots.iter_mut().enumerate() {
        let slot = i % 4;
        r.set_id = Some(format!("set-pair-{slot}"));
        r.set_completed_at = [Some(5400.0), Some(5400.0), None, None][slot];
        if r.volume == 0 {
            r.pause_seconds = [1.0, 1.5, 0.0, 0.0][slot];
        } else {
            r.left_out_bytes = [1 << 20, 2 << 20, 0, 0][slot];
            if slot == 0 {
                r.completed_at = Some(4000.0);
                r.duration_seconds = Some(4000.0);
            }
        }
    }
    data
}

fn window() -> ReportOptions {
    ReportOptions {
        backup_window: Some(BackupWindow::Within { seconds: 7200.0 }),
        folder: Some("results/fixture".into()),
    }
}

#[test]
fn every_chart_renders_a_non_empty_svg_and_png_from_the_fixture() {
    let data = fixture();
    for fig in Figure::ALL {
        assert!(
            fig.applies(&data),
            "{} does not apply to the fixture",
            fig.stem()
        );
        let svg = fig.render(&data, &window(), Format::Svg).unwrap();
        let text = String::from_utf8(svg).unwrap();
        assert!(
            text.starts_with("<svg"),
            "{}: {}",
            fig.stem(),
            &text[..60.min(text.len())]
        );
        let drawn = text.matches("<path").count()
            + text.matches("<polyline").count()
            + text.matches("<rect").count()
            + text.matches("<circle").count();
        assert!(drawn > 10, "{}: only {drawn} shapes", fig.stem());
        assert!(
            text.contains("fixture"),
            "{}: the title does not name the scenario",
            fig.stem()
        );
        let png = fig.render(&data, &window(), Format::Png).unwrap();
        // CHART_DIR=/some/dir keeps the fixture's PNGs for a person to look at.
        if let Some(dir) = std::env::var_os("CHART_DIR") {
            std::fs::write(Path::new(&dir).join(format!("{}.png", fig.stem())), &png).unwrap();
        }
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{}: not a PNG",
            fig.stem()
        );
        assert!(
            png.len() > 5_000,
            "{}: PNG of {} bytes",
            fig.stem(),
            png.len()
        );
    }
}

#[test]
fn latency_charts_are_left_out_when_the_run_has_no_latency() {
    let mut data = fixture();
    for r in &mut data.timeseries {
        r.io = None;
    }
    for v in &mut data.summary.volumes {
        v.latency = None;
    }
    assert!(!Figure::LatencyOverTime.applies(&data));
    assert!(!Figure::Degradation.applies(&data));
    let files = report_files(&data, &ReportOptions::default()).unwrap();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        !names.contains(&"latency.svg") && names.contains(&"timeline.png"),
        "{names:?}"
    );
    let md = String::from_utf8(files.last().unwrap().1.clone()).unwrap();
    assert!(md.contains("Not available for this run"), "{md}");
}

fn check_snapshot(name: &str, actual: &[u8]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let got = path.with_extension(format!(
            "actual.{}",
            path.extension().unwrap().to_string_lossy()
        ));
        std::fs::write(&got, actual).unwrap();
        panic!(
            "{} changed; the new output is in {}. If the change is intended, rerun with UPDATE_SNAPSHOTS=1",
            path.display(),
            got.display()
        );
    }
}

#[test]
fn snapshot_of_the_timeline_svg() {
    let svg = Figure::Timeline
        .render(&fixture(), &window(), Format::Svg)
        .unwrap();
    check_snapshot("fixture-timeline.svg", &svg);
}

#[test]
fn snapshot_of_the_degradation_svg() {
    let svg = Figure::Degradation
        .render(&fixture(), &window(), Format::Svg)
        .unwrap();
    check_snapshot("fixture-degradation.svg", &svg);
}

const PAUSES_HEADING: &str =
    "How long is IO paused for a snapshot, and what does a snapshot leave out?";
const SETS_HEADING: &str = "How long until a multi-volume snapshot set is complete?";

/// (report.md, report.html) of `data`.
fn reports(data: &ReportData) -> (String, String) {
    let files = report_files(data, &window()).unwrap();
    let text = |name: &str| {
        String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    (text("report.md"), text("report.html"))
}

#[test]
fn pauses_left_out_data_and_sets_are_reported_when_the_run_has_them() {
    let data = fixture_with_pauses_and_sets();
    let (md, html) = reports(&data);
    for heading in [PAUSES_HEADING, SETS_HEADING] {
        assert!(md.contains(&format!("### {heading}\n")), "{heading}:\n{md}");
        assert!(html.contains(&format!("<h3>{heading}</h3>")), "{heading}");
    }
    let problems = consistency_problems(&data.summary, &md);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Counted from the records: two paused requests of db; db completed
    // both sets last, logs (at the same instant) the second one.
    assert!(
        md.contains("| db | `freeze` | 2 | 2.5s (2.5 s) | 1.5s (1.5 s) | 0.017 % | none | none |"),
        "{md}"
    );
    assert!(
        md.contains("| logs | `crash` | 0 | none | none | none | 3.0 MiB (3145728 B) | 2.0 MiB (2097152 B) |"),
        "{md}"
    );
    assert!(md.contains("| db (2 of 2), logs (1 of 2) |"), "{md}");
    // Members show the set's schedule, not `none`.
    assert!(md.contains("| every 1h (set `pair`) | fail | 2 |"), "{md}");
    // The consistency and set items of "Assumptions and defaults", with their sources.
    assert!(
        md.contains("instance stopped (all three: AWS docs, ebs-creating-snapshot)")
            && md.contains("accepted or rejected as a whole (AWS docs, ebs-creating-snapshot)"),
        "{md}"
    );
}

#[test]
fn a_run_without_pauses_or_sets_has_no_such_section() {
    let (md, html) = reports(&fixture());
    for absent in [
        PAUSES_HEADING,
        SETS_HEADING,
        "paused share",
        "completed last",
        "instance stopped (all three",
        "at most 40 volumes, and accepted",
    ] {
        assert!(!md.contains(absent), "report.md has {absent:?}");
        assert!(!html.contains(absent), "report.html has {absent:?}");
    }
    // One kind without the other: only its own section.
    let mut only_sets = fixture_with_pauses_and_sets();
    for v in &mut only_sets.summary.volumes {
        v.consistency = None;
    }
    let (md, _) = reports(&only_sets);
    assert!(
        md.contains(SETS_HEADING) && !md.contains(PAUSES_HEADING),
        "{md}"
    );
    let mut only_pauses = fixture_with_pauses_and_sets();
    only_pauses.summary.groups.clear();
    let (md, _) = reports(&only_pauses);
    assert!(
        !md.contains(SETS_HEADING) && md.contains(PAUSES_HEADING),
        "{md}"
    );
}

#[test]
fn snapshot_of_the_markdown_report_with_pauses_and_sets() {
    let files = report_files(&fixture_with_pauses_and_sets(), &window()).unwrap();
    let md = &files.iter().find(|(n, _)| n == "report.md").unwrap().1;
    check_snapshot("fixture-consistency-report.md", md);
}

#[test]
fn snapshot_of_the_markdown_report() {
    let files = report_files(&fixture(), &window()).unwrap();
    let md = &files.iter().find(|(n, _)| n == "report.md").unwrap().1;
    check_snapshot("fixture-report.md", md);
}

/// Headline numbers of `report.md` that must equal `summary.json`'s.
fn headline_problems(summary: &RunSummary, md: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for v in &summary.volumes {
        let mut expect: Vec<String> = Vec::new();
        // Time pending: the Kaplan–Meier cells, a lower bound marked `>`
        // with the unfinished count beside it.
        if let Some(p) = &v.pending_seconds {
            for q in [p.p50, p.p95, p.p99, p.max] {
                expect.push(if q.is_lower_bound() {
                    format!("{}, {} unfinished", quantile_cell(q), p.unfinished)
                } else {
                    quantile_cell(q)
                });
            }
        }
        let s = &v.storage;
        expect.push(bytes_cell(s.pending_upload_bytes));
        expect.push(bytes_cell(s.pending_delta_bytes));
        expect.push(format!("({} B)", s.final_bytes));
        expect.push(format!("{:.2}", s.final_monthly_cost_usd));
        expect.push(format!("{:.2}", s.cost_usd));
        let r = &v.requests;
        let rejected: Vec<String> = r.rejected.values().map(u64::to_string).collect();
        let row_start = format!("| {} | {} | {} |", v.name, r.calls, r.accepted);
        expect.push(row_start.clone());
        // The volume's rejection row holds its counts in order.
        match md.lines().find(|l| l.starts_with(&row_start)) {
            Some(line) => {
                for n in rejected {
                    if !line.contains(&format!("| {n} |")) {
                        problems.push(format!("{}: rejection row lacks {n}: {line}", v.name));
                    }
                }
            }
            None => problems.push(format!("{}: no rejection row {row_start}", v.name)),
        }
        for e in expect {
            if !md.contains(&e) {
                problems.push(format!("{}: report.md lacks {e:?}", v.name));
            }
        }
    }
    problems
}

/// Pauses, data left out and set figures of `report.md` that must equal
/// `summary.json`'s: each in the row of its volume or set.
fn consistency_problems(summary: &RunSummary, md: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |row_start: String, expect: Vec<String>| match md
        .lines()
        .find(|l| l.starts_with(&row_start))
    {
        Some(line) => {
            for e in expect {
                if !line.contains(&format!("| {e} |")) {
                    problems.push(format!("row {row_start} lacks {e:?}: {line}"));
                }
            }
        }
        None => problems.push(format!("report.md has no row {row_start}")),
    };
    let or_none = |zero: bool, cell: String| if zero { "none".into() } else { cell };
    for v in &summary.volumes {
        let Some(c) = &v.consistency else { continue };
        let no_pause = c.pause_seconds_total == 0.0;
        check(
            format!("| {} | `{}` |", v.name, c.mode),
            vec![
                or_none(no_pause, seconds_cell(c.pause_seconds_total)),
                or_none(no_pause, seconds_cell(c.pause_seconds_max)),
                or_none(
                    c.left_out_bytes_total == 0,
                    bytes_cell(c.left_out_bytes_total),
                ),
                or_none(c.left_out_bytes_max == 0, bytes_cell(c.left_out_bytes_max)),
            ],
        );
    }
    for g in &summary.groups {
        let p = g.set_pending_seconds.as_ref();
        check(
            format!(
                "| {} | {} | {} | {} | {} |",
                g.name,
                g.volumes.join(", "),
                g.scheduled,
                g.accepted,
                g.completed
            ),
            p.map_or_else(Vec::new, |p| {
                [p.p50, p.p95, p.p99, p.max]
                    .into_iter()
                    .map(|q| {
                        if q.is_lower_bound() {
                            format!("{}, {} incomplete", quantile_cell(q), p.unfinished)
                        } else {
                            quantile_cell(q)
                        }
                    })
                    .collect()
            }),
        );
    }
    problems
}

#[test]
fn the_reports_headline_numbers_equal_the_summary_for_the_fixture() {
    let data = fixture();
    let files = report_files(&data, &window()).unwrap();
    let md = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "report.md")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let problems = headline_problems(&data.summary, &md);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        md.contains("×2.50"),
        "degradation ratio of level 3 missing:\n{md}"
    );
}

#[test]
fn the_committed_reports_headline_numbers_equal_their_summaries() {
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("results");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("summary.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut problems = Vec::new();
    for dir in dirs {
        let summary: RunSummary =
            serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
        let md = std::fs::read_to_string(dir.join("report.md"))
            .unwrap_or_else(|e| panic!("{}: no report.md ({e})", dir.display()));
        if summary.volumes.len() > snapsim::report::table::GROUP_ROWS_ABOVE {
            // A fleet's report has group rows, not volume rows: checked
            // against the summary's roll-ups by tests/fleet_report.rs.
            for g in &summary.volume_groups {
                if !md.contains(&format!("| {} |", g.name)) {
                    problems.push(format!("{}: no row for group {}", dir.display(), g.name));
                }
            }
            continue;
        }
        problems.extend(
            headline_problems(&summary, &md)
                .into_iter()
                .chain(consistency_problems(&summary, &md))
                .map(|p| format!("{}: {p}", dir.display())),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Latency cells stay in µs below a second and switch to the report's
/// duration cells above, where µs stop being readable.
#[test]
fn latency_cells_are_readable_from_microseconds_to_minutes() {
    assert_eq!(latency_cell(1562.64), "1562.6 µs");
    assert_eq!(latency_cell(999_999.0), "999999.0 µs");
    assert_eq!(latency_cell(876_173_328.4), seconds_cell(876.173_328_4));
    assert!(latency_cell(876_173_328.4).ends_with("(876.2 s)"));
}
