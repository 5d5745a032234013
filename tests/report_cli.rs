//! `snapsim report DIR` and the report files of `snapsim run`, through the
//! real binary: the report rebuilt from saved results equals what `run`
//! wrote, byte for byte (also with consistency pauses and a snapshot set,
//! whose report rows match the summary); `--no-report` writes only the
//! result files; a missing or corrupted results directory exits with code 2,
//! a message naming the problem, and writes nothing.

use snapsim::metrics::RunSummary;
use snapsim::report::document::{bytes_cell, seconds_cell};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn snapsim(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start the snapsim binary")
}

fn describe(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

/// A small run with two volumes, rejections and retention, in milliseconds.
const SCENARIO: &str = r#"{
  "name": "report-cli",
  "description": "Two volumes, one of them near its pending limit",
  "duration": "3h",
  "transfer": { "per_snapshot": "20MiB/s" },
  "volumes": [
    { "name": "busy", "type": "gp3", "size": "20GiB", "used": "8GiB",
      "workload": { "writes": { "rate": "50/s", "size": "64KiB" } },
      "snapshots": { "every": "10m", "retain": 3 } },
    { "name": "quiet", "type": "gp3", "size": "10GiB", "used": "1GiB",
      "workload": { "writes": { "rate": "5/s", "size": "16KiB" } },
      "snapshots": { "every": "1h" } }
  ]
}"#;

/// A small run with consistency pauses, data left out by a guest cache and a
/// two-volume snapshot set.
const CONSISTENCY_SCENARIO: &str = r#"{
  "name": "report-cli-consistency",
  "description": "A frozen volume, a crash-consistent one with a guest cache, and a set",
  "duration": "2h",
  "transfer": { "per_snapshot": "50MiB/s" },
  "volumes": [
    { "name": "frozen", "type": "gp3", "size": "10GiB", "used": "2GiB",
      "cache": { "size": "64MiB" },
      "workload": { "writes": { "rate": "20/s", "size": "64KiB" } },
      "snapshots": { "every": "30m", "first_at": "20s",
                     "consistency": { "freeze": { "request": "500ms" } } } },
    { "name": "cached", "type": "gp3", "size": "10GiB", "used": "2GiB",
      "cache": { "size": "64MiB" },
      "workload": { "writes": { "rate": "20/s", "size": "64KiB" } },
      "snapshots": { "every": "30m", "first_at": "20s" } },
    { "name": "data", "type": "gp3", "size": "20GiB", "used": "6GiB",
      "workload": { "writes": { "rate": "50/s", "size": "16KiB" } } },
    { "name": "log", "type": "gp3", "size": "10GiB", "used": "1GiB",
      "workload": { "writes": { "rate": "20/s", "size": "64KiB" } } }
  ],
  "groups": [ { "name": "pair", "volumes": ["data", "log"], "snapshots": { "every": "1h" } } ]
}"#;

/// Runs [`SCENARIO`] into `dir/out` with `extra` arguments.
fn run_into(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    run_scenario_into(dir, SCENARIO, extra)
}

/// Runs the scenario text into `dir/out` with `extra` arguments.
fn run_scenario_into(dir: &Path, text: &str, extra: &[&str]) -> std::path::PathBuf {
    let scenario = dir.join("s.json");
    fs::write(&scenario, text).unwrap();
    let out = dir.join("out");
    let mut args: Vec<&OsStr> = vec![
        "run".as_ref(),
        scenario.as_ref(),
        "--out".as_ref(),
        out.as_ref(),
        "--quiet".as_ref(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    let o = snapsim(&args);
    assert!(o.status.success(), "{}", describe(&o));
    out
}

#[test]
fn report_on_saved_results_reproduces_runs_files_byte_for_byte() {
    for (scenario, extra) in [
        (SCENARIO, &[][..]),
        (SCENARIO, &["--backup-window", "45m"][..]),
        (CONSISTENCY_SCENARIO, &[][..]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_scenario_into(tmp.path(), scenario, extra);
        let written = files(&out);
        for name in [
            "report.html",
            "report.md",
            "timeline.svg",
            "timeline.png",
            "durations.png",
        ] {
            assert!(
                written.contains_key(name),
                "run wrote no {name}: {:?}",
                written.keys()
            );
        }
        // Remove the report files, then rebuild them from the saved results
        // (the results folder's marker stays: `report` refuses a folder
        // without it).
        for name in written.keys().filter(|n| {
            !n.ends_with(".csv") && !n.ends_with(".json") && n.as_str() != ".snapsim-results"
        }) {
            fs::remove_file(out.join(name)).unwrap();
        }
        let mut args: Vec<&OsStr> = vec!["report".as_ref(), out.as_ref(), "--quiet".as_ref()];
        args.extend(extra.iter().map(OsStr::new));
        let o = snapsim(&args);
        assert!(o.status.success(), "{}", describe(&o));
        let rebuilt = files(&out);
        assert_eq!(
            written.keys().collect::<Vec<_>>(),
            rebuilt.keys().collect::<Vec<_>>(),
            "report wrote a different set of files ({extra:?})"
        );
        for (name, bytes) in &written {
            assert!(
                *bytes == rebuilt[name],
                "{name} differs after `snapsim report` ({extra:?})"
            );
        }
    }
}

/// The report's pause and set rows of a real run: the figures of
/// `summary.json` and the counts of `snapshots.csv`; and a run with neither
/// has no such section.
#[test]
fn report_shows_pauses_left_out_data_and_sets_only_for_runs_that_have_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_scenario_into(tmp.path(), CONSISTENCY_SCENARIO, &[]);
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    let summary: RunSummary =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    let row = |start: &str| -> String {
        md.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("report.md has no row {start}:\n{md}"))
            .to_string()
    };
    let frozen = summary.volumes[0].consistency.clone().unwrap();
    let cached = summary.volumes[1].consistency.clone().unwrap();
    assert!(frozen.pause_seconds_total > 0.0 && cached.left_out_bytes_total > 0);
    let line = row("| frozen | `freeze` | 4 |");
    for cell in [
        seconds_cell(frozen.pause_seconds_total),
        seconds_cell(frozen.pause_seconds_max),
    ] {
        assert!(line.contains(&format!("| {cell} |")), "{cell}: {line}");
    }
    let line = row("| cached | `crash` | 0 | none | none | none |");
    for cell in [
        bytes_cell(cached.left_out_bytes_total),
        bytes_cell(cached.left_out_bytes_max),
    ] {
        assert!(line.contains(&format!("| {cell} |")), "{cell}: {line}");
    }
    assert!(
        summary.volumes[2].consistency.is_none(),
        "no cache, crash: no row"
    );
    assert!(!md.contains("| data | `"), "{md}");
    let g = &summary.groups[0];
    let p = g.set_pending_seconds.as_ref().unwrap();
    assert!(!p.p50.is_lower_bound(), "{p:?}");
    let line = row(&format!(
        "| pair | data, log | {} | {} | {} | {} |",
        g.scheduled,
        g.accepted,
        g.completed,
        snapsim::report::verdict::quantile_cell(p.p50)
    ));
    assert!(
        line.ends_with(&format!("| data ({0} of {0}) |", g.completed)),
        "the larger member completes every set last: {line}"
    );
    assert!(
        md.contains(
            "| data | 1 | gp3 | 20GiB | 6GiB | per type | 50/s × 16KiB | every 1h (set `pair`) |"
        ),
        "{md}"
    );

    let plain_dir = tmp.path().join("plain");
    fs::create_dir(&plain_dir).unwrap();
    let plain = run_into(&plain_dir, &[]);
    let md = fs::read_to_string(plain.join("report.md")).unwrap();
    for absent in [
        "How long is IO paused",
        "snapshot set is complete",
        "instance stopped (all three",
        "at most 40 volumes, and accepted",
    ] {
        assert!(!md.contains(absent), "{absent:?} in\n{md}");
    }
}

#[test]
fn no_report_writes_only_the_result_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_into(tmp.path(), &["--no-report"]);
    let names: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(
        names,
        [
            ".snapsim-results",
            "latency.csv",
            "snapshots.csv",
            "snapshots.json",
            "storage.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
}

#[test]
fn report_on_a_missing_directory_exits_2_naming_it_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-results");
    let o = snapsim(&["report".as_ref(), missing.as_ref()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(err.contains("no such results directory"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!missing.exists());
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// Corrupts one file of a results directory written with `--no-report` and
/// checks that `snapsim report` refuses it and leaves the directory as it was.
fn assert_refused_after(file: &str, contents: &[u8], expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_into(tmp.path(), &["--no-report"]);
    fs::write(out.join(file), contents).unwrap();
    let before = files(&out);
    let o = snapsim(&["report".as_ref(), out.as_ref()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{file}: {}", describe(&o));
    assert!(!err.contains("panicked"), "{err}");
    for e in expected {
        assert!(err.contains(e), "{file}: stderr lacks {e:?}: {err}");
    }
    assert!(
        before == files(&out),
        "{file}: report changed the directory"
    );
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "a staging directory was left behind"
    );
}

#[test]
fn report_on_a_corrupted_summary_exits_2_naming_the_file_and_writes_nothing() {
    assert_refused_after(
        "summary.json",
        b"{\"schema_version\": 1, \"scenario\": ",
        &["summary.json"],
    );
    assert_refused_after(
        "summary.json",
        br#"{"schema_version": 1, "volumes": "many"}"#,
        &["summary.json", "volumes: invalid type"],
    );
}

#[test]
fn report_on_a_corrupted_csv_exits_2_naming_the_file_line_and_column() {
    assert_refused_after(
        "storage.csv",
        b"time_seconds,volume,stored_bytes\n12.5,busy,lots\n",
        &["storage.csv", "line 2", "stored_bytes", "lots"],
    );
    assert_refused_after("timeseries.csv", b"", &["timeseries.csv", "empty"]);
}

/// A daily snapshot at 23:50 with up to 30 minutes of jitter, so requests
/// fall on both sides of midnight; the first one (a full copy) runs past
/// 03:00, the incrementals finish in about an hour.
const MIDNIGHT_SCENARIO: &str = r#"{
  "name": "report-cli-midnight",
  "seed": 5,
  "duration": "6d12h",
  "transfer": { "per_snapshot": "10MiB/s" },
  "volumes": [
    { "name": "nightly", "type": "gp3", "size": "500GiB", "used": "120GiB",
      "workload": { "writes": { "rate": "1/s", "size": "16KiB" } },
      "snapshots": { "every": "24h", "first_at": "23h50m", "jitter": "30m" } }
  ]
}"#;

/// The window cell of `volume`'s row in the time-pending table.
fn window_cell(md: &str, volume: &str) -> String {
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {volume} | ")) && l.contains(" of "))
        .unwrap_or_else(|| panic!("report.md has no time-pending row for {volume}:\n{md}"));
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
    cells.last().unwrap().trim().to_string()
}

/// The window check by clock time on a schedule with jitter across
/// midnight: the report's count equals a hand computation from
/// `snapshots.csv`, for a window that opens before every request and one
/// that opens at midnight, which the requests made before midnight miss.
#[test]
fn the_clock_window_counts_snapshots_by_clock_time_across_midnight() {
    const DAY: f64 = 86_400.0;
    const H: f64 = 3_600.0;
    for (window, open, close) in [
        ("23:30-03:00", 23.5 * H, 3.0 * H),
        ("00:00-03:00", 0.0, 3.0 * H),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_scenario_into(tmp.path(), MIDNIGHT_SCENARIO, &["--backup-window", window]);
        let csv = fs::read_to_string(out.join("snapshots.csv")).unwrap();
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (state, requested, completed) = (col("State"), col("RequestedAt"), col("CompletedAt"));
        // By hand: time zero is midnight (the default `start`), so the time
        // of day is the request time modulo a day. A window crossing
        // midnight closes on the next day.
        let (mut accepted, mut met, mut outside, mut before_midnight) = (0, 0, 0, 0);
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            if !["pending", "completed", "deleted"].contains(&cells[state]) {
                continue;
            }
            accepted += 1;
            let t: f64 = cells[requested].parse().unwrap();
            let day = (t / DAY).floor() * DAY;
            let time_of_day = t - day;
            if time_of_day > 12.0 * H {
                before_midnight += 1;
            }
            let close_at = if open > close && time_of_day >= open {
                day + DAY + close
            } else if time_of_day < close && (open > close || time_of_day >= open) {
                // Across midnight: after midnight, before the close; else
                // between the opening and the close.
                day + close
            } else {
                outside += 1;
                continue;
            };
            if cells[completed].parse::<f64>().is_ok_and(|c| c <= close_at) {
                met += 1;
            }
        }
        assert_eq!(accepted, 6, "{csv}");
        assert!(
            before_midnight > 0 && before_midnight < accepted,
            "the jitter puts requests on both sides of midnight:\n{csv}"
        );
        let mut expected = format!("{met} of {accepted}");
        if outside > 0 {
            expected.push_str(&format!(" ({outside} requested outside the window)"));
        }
        let md = fs::read_to_string(out.join("report.md")).unwrap();
        assert_eq!(window_cell(&md, "nightly"), expected, "{window}");
        let header = format!("| in {}–{} UTC |", &window[..5], &window[6..]);
        assert!(md.contains(&header), "{window}: no column {header}:\n{md}");
        if window == "23:30-03:00" {
            assert_eq!(outside, 0, "every request is inside 23:30-03:00");
            assert_eq!(met, accepted - 1, "only the full first snapshot is late");
        } else {
            assert_eq!(outside, before_midnight);
        }
    }
}

/// Volumes that start with an existing snapshot (`existing_snapshot`) are
/// named in the report's scenario section and under the terminal table,
/// with their count from `summary.json`; a run without any says nothing of
/// it (so every other report is unchanged).
#[test]
fn existing_snapshots_are_reported_in_the_report_and_the_terminal_table() {
    let seeded = SCENARIO.replace(
        r#""used": "8GiB","#,
        r#""used": "8GiB", "existing_snapshot": true,"#,
    );
    assert_ne!(seeded, SCENARIO);
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.json");
    fs::write(&scenario, &seeded).unwrap();
    let out = tmp.path().join("out");
    let o = snapsim(&[
        "run".as_ref(),
        scenario.as_ref(),
        "--out".as_ref(),
        out.as_ref(),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
    let summary: RunSummary =
        serde_json::from_slice(&fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary.volumes_with_existing_snapshot, 1);
    let sentence = "1 of 2 volumes starts with an existing completed snapshot (`existing_snapshot`): their first simulated snapshot is incremental (only the blocks written from the start), and the existing snapshot's `used` bytes are stored from t = 0";
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains(&format!("\n{sentence}.\n")), "{md}");
    let scenario_section = md
        .split("## Scenario and key parameters")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    assert!(scenario_section.contains(sentence), "{scenario_section}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("1 of 2 volumes starts with an existing completed snapshot"),
        "report.html lacks the sentence"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(&format!("  ({sentence})\n")), "{stdout}");

    let plain_dir = tmp.path().join("plain");
    fs::create_dir(&plain_dir).unwrap();
    let scenario = plain_dir.join("s.json");
    fs::write(&scenario, SCENARIO).unwrap();
    let out = plain_dir.join("out");
    let o = snapsim(&[
        "run".as_ref(),
        scenario.as_ref(),
        "--out".as_ref(),
        out.as_ref(),
    ]);
    assert!(o.status.success(), "{}", describe(&o));
    let md = fs::read_to_string(out.join("report.md")).unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    for text in [&md, &stdout.to_string()] {
        assert!(!text.contains("existing completed snapshot"), "{text}");
    }
}
