//! Sweeps through the real binary: determinism across thread counts,
//! shards merged byte for byte, resume after `kill -9`, confidence intervals
//! against the block-occupancy closed form, sequential replications, and
//! bad sweep definitions refused before any run.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn snapsim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cannot start the snapsim binary")
}

fn ok(args: &[&str], dir: &Path) -> String {
    let o = snapsim(args, dir);
    assert!(
        o.status.success(),
        "`snapsim {}` failed: {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every file of a directory: name -> contents.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect()
}

fn assert_same(a: &Path, b: &Path) {
    let (fa, fb) = (files(a), files(b));
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(
            bytes == &fb[name],
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// N = 16 GiB / 512 KiB blocks; writes of 4 KiB, uniform; snapshots at 0 and
/// T = 100 s, so the second snapshot's delta is the blocks written in [0, T).
const N_BLOCKS: f64 = 32768.0;
const T: f64 = 100.0;

fn occupancy(sweep: Value, rate: &str, duration: &str) -> Value {
    json!({
        "name": "occupancy",
        "seed": 3,
        "duration": duration,
        "transfer": { "per_snapshot": "1000MiB/s" },
        "volumes": [{
            "name": "v", "type": "gp3", "size": "16GiB",
            "workload": { "writes": { "rate": rate, "size": "4KiB", "pattern": "uniform" } },
            "snapshots": { "at": ["0s", "100s"] }
        }],
        "sweep": sweep
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn grid4(reps: Value) -> Value {
    json!({ "grid": { "volumes[0].workload.writes.rate": {"from": "100/s", "to": "400/s", "step": "100/s"} }, "replications": reps })
}

fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            head.iter()
                .map(|h| h.to_string())
                .zip(l.split(',').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn one_and_two_threads_and_three_merged_shards_give_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let sweep = json!({
        "grid": { "volumes[0].workload.writes.rate": ["100/s", "300/s"] },
        "zip": { "transfer.per_snapshot": ["10MiB/s", "20MiB/s", "40MiB/s"], "volumes[0].size": ["16GiB", "20GiB", "24GiB"] },
        "replications": 3
    });
    write(d, "s.json", &occupancy(sweep, "1/s", "200s"));
    ok(
        &["sweep", "s.json", "--threads", "1", "--out", "one", "-q"],
        d,
    );
    ok(
        &["sweep", "s.json", "--threads", "2", "--out", "two", "-q"],
        d,
    );
    assert_same(&d.join("one"), &d.join("two"));
    for i in 0..3 {
        ok(
            &[
                "sweep",
                "s.json",
                "--shard",
                &format!("{i}/3"),
                "--out",
                &format!("shard{i}"),
                "-q",
            ],
            d,
        );
    }
    let out = ok(
        &["merge", "--out", "merged", "shard0", "shard1", "shard2"],
        d,
    );
    assert!(out.contains("18 runs"), "{out}");
    assert_same(&d.join("one"), &d.join("merged"));
    let runs = csv_rows(&d.join("one/runs.csv"));
    assert_eq!(runs.len(), 6 * 3);
    assert_eq!(
        runs[3]["transfer.per_snapshot"], "20MiB/s",
        "zip moves fastest"
    );
    assert_eq!(runs[3]["volumes[0].size"], "20GiB");
    assert_eq!(
        runs[0]["seed"], runs[3]["seed"],
        "replication 0 shares its seed across points"
    );
    // Merge refusals.
    let o = snapsim(&["merge", "--out", "m2", "shard0", "shard1"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2/3 are missing"));
    write(
        d,
        "t.json",
        &occupancy(json!({"replications": 3}), "1/s", "200s"),
    );
    ok(
        &["sweep", "t.json", "--shard", "2/3", "--out", "other2", "-q"],
        d,
    );
    let o = snapsim(&["merge", "--out", "m3", "shard0", "shard1", "other2"], d);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("different scenarios"),
        "{o:?}"
    );
    assert!(!d.join("m2").exists() && !d.join("m3").exists());
}

#[test]
fn confidence_intervals_contain_the_block_occupancy_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "occ.json", &occupancy(grid4(json!(20)), "1/s", "101s"));
    ok(&["sweep", "occ.json", "--out", "occ", "-q"], d);
    let m = "second_snapshot_delta_blocks";
    let mut covered = 0;
    for row in csv_rows(&d.join("occ/points.csv")) {
        let rate: f64 = row["volumes[0].workload.writes.rate"]
            .trim_end_matches("/s")
            .parse()
            .unwrap();
        let theory = N_BLOCKS * (1.0 - (-rate * T / N_BLOCKS).exp());
        let f = |k: &str| row[&format!("{m}_{k}")].parse::<f64>().unwrap();
        assert_eq!(f("n"), 20.0);
        assert!(
            f("ci95_half_width") < 0.01 * theory,
            "interval too wide: {row:?}"
        );
        if f("ci95_low") <= theory && theory <= f("ci95_high") {
            covered += 1;
        }
    }
    assert!(
        covered >= 3,
        "only {covered} of 4 intervals contain N(1 - e^(-λT/N))"
    );
}

#[test]
fn sequential_replications_stop_by_rounds_and_are_deterministic() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let reps = json!({"until": {"metric": "second_snapshot_delta_blocks", "half_width": 0.002, "relative": true}, "min": 3, "max": 12});
    write(d, "seq.json", &occupancy(grid4(reps), "1/s", "101s"));
    ok(
        &["sweep", "seq.json", "--threads", "1", "--out", "a", "-q"],
        d,
    );
    ok(
        &["sweep", "seq.json", "--threads", "2", "--out", "b", "-q"],
        d,
    );
    assert_same(&d.join("a"), &d.join("b"));
    for i in 0..2 {
        ok(
            &[
                "sweep",
                "seq.json",
                "--shard",
                &format!("{i}/2"),
                "--out",
                &format!("s{i}"),
                "-q",
            ],
            d,
        );
    }
    ok(&["merge", "--out", "m", "s0", "s1"], d);
    assert_same(&d.join("a"), &d.join("m"));
    let runs: Vec<f64> = csv_rows(&d.join("a/points.csv"))
        .iter()
        .map(|r| r["runs"].parse().unwrap())
        .collect();
    for n in &runs {
        assert!(
            [3.0, 6.0, 9.0, 12.0].contains(n),
            "runs per point come in rounds of 3: {runs:?}"
        );
    }
    assert!(
        runs.iter().any(|&n| n > 3.0),
        "the target needs more than one round somewhere: {runs:?}"
    );
}

#[test]
fn a_sweep_killed_part_way_resumes_without_rerunning_finished_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // About 4 M writes per run: a few seconds for 40 runs on one thread.
    let sweep = json!({"grid": {"volumes[0].workload.writes.rate": ["36000/s", "40000/s"]}, "replications": 20});
    write(d, "big.json", &occupancy(sweep, "1/s", "101s"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args([
            "sweep",
            "big.json",
            "--threads",
            "1",
            "--out",
            "killed",
            "-q",
        ])
        .current_dir(d)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = d.join("killed/runs.jsonl");
    let started = Instant::now();
    loop {
        let lines = fs::read(&journal)
            .map(|b| b.iter().filter(|&&c| c == b'\n').count())
            .unwrap_or(0);
        if lines >= 4 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no runs appeared in {}",
            journal.display()
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep finished before it could be killed; make it bigger"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let text = fs::read(&journal).unwrap();
    let finished = text.iter().filter(|&&c| c == b'\n').count() - 1;
    assert!(finished < 40, "killed too late: {finished} runs finished");
    let o = snapsim(&["sweep", "big.json", "--out", "killed"], d);
    assert_eq!(o.status.code(), Some(2), "refused without --resume");
    let out = ok(
        &[
            "sweep",
            "big.json",
            "--threads",
            "2",
            "--out",
            "killed",
            "--resume",
        ],
        d,
    );
    let expect = format!(
        "({} computed now, {finished} from runs.jsonl, 0 failed)",
        40 - finished
    );
    assert!(out.contains(&expect), "expected {expect:?} in {out}");
    ok(
        &[
            "sweep",
            "big.json",
            "--threads",
            "2",
            "--out",
            "whole",
            "-q",
        ],
        d,
    );
    assert_same(&d.join("whole"), &d.join("killed"));
    // Resuming with another sweep definition is refused.
    let other = json!({"grid": {"volumes[0].workload.writes.rate": ["1/s"]}});
    write(d, "big.json", &occupancy(other, "1/s", "101s"));
    let o = snapsim(&["sweep", "big.json", "--out", "killed", "--resume"], d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another scenario or sweep"));
}

#[test]
fn bad_sweep_definitions_are_refused_before_any_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let rate = "volumes[0].workload.writes.rate";
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"grid": {rate: ["100/s", "200/s", "3200/ss"]}}),
            &[r#"sweep.grid["volumes[0].workload.writes.rate"][2]: invalid frequency "3200/ss""#],
        ),
        (
            json!({"grid": {"volumes[0].workload.reads.rate": ["1/s"]}}),
            &[
                r#"sweep.grid["volumes[0].workload.reads.rate"]"#,
                "not in the base scenario",
                "volumes[0].workload",
            ],
        ),
        (
            json!({"grid": {"volumes[3].size": ["1GiB"]}}),
            &["not in the base scenario", "volumes"],
        ),
        (json!({"grid": {rate: []}}), &["values is empty"]),
        (
            json!({"zip": {rate: ["1/s", "2/s"], "transfer.per_snapshot": ["1MiB/s"]}}),
            &[
                r#"sweep.zip["transfer.per_snapshot"]"#,
                "has 1 values",
                "equal lengths",
            ],
        ),
        (
            json!({"grid": {"transfer.per_snapshot": ["10MiB/s", "800/s"]}}),
            &[
                r#"sweep.grid["transfer.per_snapshot"][1]"#,
                "invalid bandwidth \"800/s\"",
            ],
        ),
        (
            json!({"grid": {rate: {"from": "1/s", "to": "2/min", "step": "1/s"}}}),
            &[".to", "one unit"],
        ),
        (
            json!({"grid": {"seed": [1, 2]}}),
            &["cannot be swept", "replications"],
        ),
        (
            json!({"grid": {"volumes[0].size": ["16GiB", "1TiB", "100TiB"]}}),
            &[r#"sweep.grid["volumes[0].size"][2]"#, "100TiB"],
        ),
        (
            json!({"replications": 0}),
            &["sweep.replications", "from 1 to 100000"],
        ),
        (
            json!({"replications": {"until": {"metric": "nope", "half_width": 1}, "max": 5}}),
            &[
                "sweep.replications.until.metric",
                "\"nope\" is not a run metric",
            ],
        ),
        (json!({"grdi": {}}), &["unknown key \"grdi\""]),
    ];
    for (i, (sweep, needles)) in cases.iter().enumerate() {
        let name = format!("bad{i}.json");
        write(d, &name, &occupancy(sweep.clone(), "1/s", "101s"));
        let o = snapsim(&["sweep", &name, "--out", "out"], d);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "case {i}: {err}");
        for n in *needles {
            assert!(err.contains(n), "case {i}: {n:?} not in {err}");
        }
        assert!(
            !d.join("out").exists(),
            "case {i} wrote an output directory"
        );
        let v = snapsim(&["validate", &name], d);
        assert_eq!(
            v.status.code(),
            Some(2),
            "validate checks the sweep too (case {i})"
        );
    }
    write(d, "plain.json", &occupancy(grid4(json!(2)), "1/s", "101s"));
    let o = snapsim(&["run", "plain.json", "--out", "run", "-q"], d);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("simulates the base scenario only"));
}

/// The Markdown table rows under the heading that names `metric`.
fn report_rows(md: &str, metric: &str) -> Vec<Vec<String>> {
    let heading = format!("(`{metric}`)\n");
    let start = md
        .find(&heading)
        .unwrap_or_else(|| panic!("no table for {metric}"));
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn sweep_report_is_the_same_after_a_two_shard_merge_and_prints_sweep_json() {
    use snapsim::report::report_number;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let sweep = json!({
        "grid": { "volumes[0].workload.writes.rate": ["100/s", "200/s", "300/s"],
                  "transfer.per_snapshot": ["10MiB/s", "20MiB/s"] },
        "replications": 3
    });
    write(d, "s.json", &occupancy(sweep, "1/s", "200s"));
    ok(&["sweep", "s.json", "--out", "whole", "-q"], d);
    for i in 0..2 {
        let shard = format!("{i}/2");
        let out = format!("shard{i}");
        ok(
            &["sweep", "s.json", "--shard", &shard, "--out", &out, "-q"],
            d,
        );
        assert!(
            !d.join(&out).join("sweep-report.html").exists(),
            "a shard writes no report"
        );
    }
    ok(&["merge", "--out", "merged", "shard0", "shard1"], d);
    let whole = files(&d.join("whole"));
    for name in [
        "sweep-report.html",
        "sweep-report.md",
        "sweep-heatmap.svg",
        "sweep-heatmap.png",
        "sweep-duration-p95.svg",
        "sweep-duration-mean.png",
        "sweep-rejections.svg",
        "sweep-stored-bytes.png",
    ] {
        assert!(whole.contains_key(name), "the sweep wrote no {name}");
    }
    assert_same(&d.join("whole"), &d.join("merged"));
    let html = String::from_utf8_lossy(&whole["sweep-report.html"]).into_owned();
    assert!(html.contains("<svg") && !html.contains("<script") && !html.contains("src=\"http"));

    // Every number of every table is sweep.json's.
    let md = String::from_utf8_lossy(&whole["sweep-report.md"]).into_owned();
    let doc: Value = serde_json::from_slice(&whole["sweep.json"]).unwrap();
    let points = doc["points"].as_array().unwrap();
    let mut checked = 0;
    for metric in [
        "snapshot_duration_mean_seconds",
        "snapshot_duration_p95_seconds",
        "rejections",
        "stored_bytes_final",
        "storage_cost_usd",
    ] {
        let rows = report_rows(&md, metric);
        assert_eq!(rows.len(), points.len(), "{metric}");
        for (row, p) in rows.iter().zip(points) {
            let s = &p["metrics"][metric];
            assert_eq!(row[0], p["point"].to_string());
            // point, 2 parameters, then n, mean ± half-width, human, min, max.
            assert_eq!(row[3], s["n"].to_string(), "{metric}");
            let mean = s["mean"].as_f64().unwrap();
            let half = s["ci95_half_width"].as_f64().unwrap();
            assert_eq!(
                row[4],
                format!("{} ± {}", report_number(mean), report_number(half)),
                "{metric} point {}",
                p["point"]
            );
            assert_eq!(row[6], report_number(s["min"].as_f64().unwrap()));
            assert_eq!(row[7], report_number(s["max"].as_f64().unwrap()));
            checked += 1;
        }
    }
    assert_eq!(checked, 5 * 6);
    assert!(md.contains("snapsim sweep SCENARIO.json --out DIR"));
    assert!(md.contains("`scenarios/occupancy.json`"));
    assert!(md.contains("deploy/slurm/submit.sh"));
}
