//! `snapsim report DIR` and the report files of `snapsim run`, through the
//! real binary: the report rebuilt from saved results equals what `run`
//! wrote, byte for byte; `--no-report` writes only the result files; a
//! missing or corrupted results directory exits with code 2, a message
//! naming the problem, and writes nothing.

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

/// Runs the scenario into `dir/out` with `extra` arguments.
fn run_into(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let scenario = dir.join("s.json");
    fs::write(&scenario, SCENARIO).unwrap();
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
    for extra in [&[][..], &["--backup-window", "45m"][..]] {
        let tmp = tempfile::tempdir().unwrap();
        let out = run_into(tmp.path(), extra);
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
        // Remove the report files, then rebuild them from the saved results.
        for name in written
            .keys()
            .filter(|n| !n.ends_with(".csv") && !n.ends_with(".json"))
        {
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

#[test]
fn no_report_writes_only_the_result_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_into(tmp.path(), &["--no-report"]);
    let names: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(
        names,
        [
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
