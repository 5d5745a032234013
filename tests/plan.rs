//! `snapsim plan` through the real binary: the closed form of a fair pool,
//! the same bytes at 1 and 2 threads, resume from a partial journal without
//! rerunning recorded runs, bad input refused before anything is written,
//! and the coverage of the switch-point interval on a noisy metric.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

/// Every file of a directory (dot files included): name -> contents.
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

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p
}

fn plan_json(dir: &Path) -> Value {
    serde_json::from_slice(&fs::read(dir.join("plan.json")).unwrap()).unwrap()
}

/// A number of MiB/s from `"12.34MiB/s"`.
fn mib(v: &Value) -> f64 {
    v.as_str()
        .and_then(|s| s.strip_suffix("MiB/s"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not MiB/s: {v}"))
}

/// N volumes of `used` bytes, each with one full snapshot at t = 0, in a
/// fair pool; the per-snapshot cap far above any pool share.
fn fair_pool(n: u32, used: &str) -> Value {
    json!({
        "name": "closed-form-pool",
        "seed": 1,
        "duration": "1d",
        "transfer": { "per_snapshot": "1PiB/s", "sharing": "fair",
                      "pools": [{ "name": "link", "rate": "50MiB/s" }] },
        "volumes": [{
            "name": "v", "count": n, "type": "gp3", "size": "100GiB", "used": used,
            "pool": "link", "snapshots": { "at": ["0s"] }
        }]
    })
}

/// The smallest fair-shared pool rate for N full snapshots of B bytes to
/// finish within W is N·B/W: 4 × 10 GiB in 1 h is 11.3778 MiB/s.
#[test]
fn the_bracket_contains_the_fair_pool_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.json", &fair_pool(4, "10GiB"));
    let root = 4.0 * 10.0 * 1024.0 / 3600.0;
    for (target, deadline) in [
        ("fraction_completed_within_deadline >= 1", Some("1h")),
        ("time_pending_max_seconds <= 1h", None),
    ] {
        let mut args = vec![
            "plan",
            "s.json",
            "--find",
            "transfer.pools[0].rate",
            "--between",
            "1MiB/s",
            "100MiB/s",
            "--target",
            target,
            "--resolution",
            "0.1MiB/s",
            "--max-runs",
            "2",
            "--out",
            "out",
        ];
        if let Some(d) = deadline {
            args.extend(["--deadline", d]);
        }
        let _ = fs::remove_dir_all(tmp.path().join("out"));
        ok(&args, tmp.path());
        let p = plan_json(&tmp.path().join("out"));
        assert_eq!(p["status"], "found", "{p}");
        assert!(p["direction"].as_str().unwrap().starts_with("smallest"));
        let (lo, hi) = (mib(&p["interval"][0]), mib(&p["interval"][1]));
        assert!(
            lo < root && root <= hi,
            "{target}: [{lo}, {hi}] misses {root}"
        );
        assert!(
            hi - lo <= 0.1 + 1e-9,
            "{target}: [{lo}, {hi}] wider than 0.1"
        );
        assert_eq!(mib(&p["answer"]), hi);
        // Far fewer runs than a grid at the same resolution.
        let runs = p["runs"].as_u64().unwrap();
        let grid = p["grid_comparison"]["runs"].as_u64().unwrap();
        assert!(runs * 5 <= grid, "{runs} runs against a grid of {grid}");
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README's latest-start example: noisy near the switch (rounds of
/// 10 and 30 runs, an undecided point).
const BUNDLED: [&str; 11] = [
    "plan",
    "scenarios/plan-pool.json",
    "--find",
    "volumes[0].snapshots.first_at",
    "--between",
    "20h",
    "26h",
    "--deadline",
    "20:00-04:00",
    "--target",
    "fraction_completed_within_deadline >= 0.99",
];

fn bundled(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = BUNDLED.iter().map(|s| s.to_string()).collect();
    a.extend(["--out".into(), out.display().to_string()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn run_strings(args: &[String], dir: &Path) -> String {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&refs, dir)
}

#[test]
fn one_and_two_threads_write_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("t1"), tmp.path().join("t2"));
    run_strings(&bundled(&a, &["--threads", "1"]), &repo());
    run_strings(&bundled(&b, &["--threads", "2"]), &repo());
    assert_same(&a, &b);
    let p = plan_json(&a);
    assert_eq!(p["status"], "found");
    assert!(p["direction"].as_str().unwrap().starts_with("largest"));
    // Some point needed more than one round, one reached the cap: the
    // noise is real.
    let points = p["points"].as_array().unwrap();
    assert!(points.iter().any(|q| q["runs"].as_u64() > Some(5)));
    assert!(points.iter().any(|q| q["decision"] == "undecided"));
}

#[test]
fn a_resumed_plan_reruns_nothing_recorded_and_writes_the_same_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (full, part) = (tmp.path().join("full"), tmp.path().join("part"));
    let out = run_strings(&bundled(&full, &["--threads", "2"]), &repo());
    let journal = fs::read_to_string(full.join("runs.jsonl")).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    let total = lines.len() - 1;
    assert!(
        out.contains(&format!(
            "{total} runs ({total} computed now, 0 from runs.jsonl)"
        )),
        "{out}"
    );
    // A journal cut after 12 runs, with a 13th cut short by the kill.
    let kept = 12;
    fs::create_dir_all(&part).unwrap();
    fs::copy(full.join(".snapsim-results"), part.join(".snapsim-results")).unwrap();
    let mut text = lines[..=kept].join("\n");
    text.push('\n');
    text.push_str(&lines[kept + 1][..20]);
    fs::write(part.join("runs.jsonl"), text).unwrap();
    // Without --resume the journal is refused.
    let refused = snapsim(
        &bundled(&part, &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        &repo(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));
    let out = run_strings(&bundled(&part, &["--resume", "--threads", "1"]), &repo());
    assert!(
        out.contains(&format!(
            "{total} runs ({} computed now, {kept} from runs.jsonl)",
            total - kept
        )),
        "{out}"
    );
    assert_same(&full, &part);
    // Resuming a finished plan computes nothing.
    let out = run_strings(&bundled(&part, &["--resume"]), &repo());
    assert!(
        out.contains(&format!("(0 computed now, {total} from runs.jsonl)")),
        "{out}"
    );
    assert_same(&full, &part);
}

#[test]
fn bad_input_exits_2_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let mut with_interval = fair_pool(2, "1GiB");
    with_interval["volumes"][0]["snapshots"] = json!({ "every": "6h" });
    write(tmp.path(), "s.json", &with_interval);
    let base = |find: &str, lo: &str, hi: &str, target: &str| -> Vec<String> {
        [
            "plan",
            "s.json",
            "--find",
            find,
            "--between",
            lo,
            hi,
            "--target",
            target,
            "--out",
            "out",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let rate = "transfer.pools[0].rate";
    let t = "time_pending_max_seconds <= 1h";
    let mut cases: Vec<(Vec<String>, &str)> = vec![
        (
            base("transfer.pools[3].rate", "1MiB/s", "2MiB/s", t),
            "is not in the scenario (the longest part of it that is: transfer.pools)",
        ),
        (
            base("volumes[0].name", "1", "2", t),
            "not a number or a quantity with a unit",
        ),
        (
            base("transfer.sharing", "1", "2", t),
            "not a number or a quantity with a unit",
        ),
        (base(rate, "4GiB/s", "100MiB/s", t), "LO must be below HI"),
        (base(rate, "2MiB/s", "2MiB/s", t), "LO must be below HI"),
        (
            base(rate, "1MiB/s", "1h", t),
            "HI \"1h\" is not a bandwidth",
        ),
        (base(rate, "1", "2", t), "has no unit"),
        (
            base("volumes[0].snapshots.every", "1h30m", "2h", t),
            "more than one unit",
        ),
        (
            base(rate, "fast", "2MiB/s", t),
            "does not start with a decimal number",
        ),
        (
            base(rate, "1MiB/s", "2MiB/s", "no_such_metric <= 1"),
            "unknown metric \"no_such_metric\"",
        ),
        (
            base(rate, "1MiB/s", "2MiB/s", "fraction_completed == 1"),
            "unknown comparison \"==\"",
        ),
        (
            base(rate, "1MiB/s", "2MiB/s", "fraction_completed => 1"),
            "unknown comparison \"=>\"",
        ),
        (
            base(rate, "1MiB/s", "2MiB/s", "fraction_completed >= most"),
            "\"most\" is not a number",
        ),
        (
            base(rate, "1MiB/s", "2MiB/s", "fraction_completed"),
            "no comparison found",
        ),
        (
            base(
                rate,
                "1MiB/s",
                "2MiB/s",
                "fraction_completed_within_deadline >= 1",
            ),
            "needs a backup window",
        ),
        (
            base(rate, "0MiB/s", "2MiB/s", t),
            "LO \"0MiB/s\" is not a bandwidth",
        ),
        (
            base("volumes[0].size", "2GiB", "100TiB", t),
            "volumes[0].size = 102400GiB is refused",
        ),
    ];
    let mut conf = base(rate, "1MiB/s", "2MiB/s", t);
    conf.extend(["--confidence".into(), "1.5".into()]);
    cases.push((conf, "--confidence 1.5: must lie strictly between 0 and 1"));
    let mut conf0 = base(rate, "1MiB/s", "2MiB/s", t);
    conf0.extend(["--confidence".into(), "0".into()]);
    cases.push((conf0, "strictly between 0 and 1"));
    let mut dl = base(
        rate,
        "1MiB/s",
        "2MiB/s",
        "fraction_completed_within_deadline >= 1",
    );
    dl.extend(["--deadline".into(), "25:00-26:00".into()]);
    cases.push((dl, "--deadline 25:00-26:00"));
    let mut res = base(rate, "1MiB/s", "2MiB/s", t);
    res.extend(["--resolution".into(), "5MiB/s".into()]);
    cases.push((res, "--resolution 5MiB/s"));
    let mut runs = base(rate, "1MiB/s", "2MiB/s", t);
    runs.extend(["--max-runs".into(), "1".into()]);
    cases.push((runs, "at least 2 runs"));
    for (args, expected) in &cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = snapsim(&refs, tmp.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err}"
        );
        assert!(!tmp.path().join("out").exists(), "{args:?} wrote out/");
    }
}

/// `k` volumes of 1 GiB, each one full snapshot at t = 0 whose upload cap
/// is the searched per-snapshot rate times a log-normal factor
/// exp(N(0, σ²)): the mean duration is 1 GiB · e^{σ²/2} / rate, so
/// `snapshot_duration_mean_seconds <= T` switches at 1 GiB · e^{σ²/2} / T.
fn noisy(seed: u64) -> Value {
    json!({
        "name": "noisy",
        "seed": seed,
        "duration": "1h",
        "transfer": { "per_snapshot": "10MiB/s", "variability": { "lognormal": { "sigma": 0.3 } } },
        "volumes": [{
            "name": "v", "count": 8, "type": "gp3", "size": "2GiB", "used": "1GiB",
            "snapshots": { "at": ["0s"] }
        }]
    })
}

/// Over 20 seeds the 90 % interval covers the true switch point about 90 %
/// of the time (it is wider than the last decisions' intervals, so a bit
/// more); a test that the decisions use the confidence they claim.
#[test]
fn the_interval_covers_a_noisy_root_at_about_the_nominal_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let root = 1024.0 * (0.3f64 * 0.3 / 2.0).exp() / 100.0;
    let seeds = 20;
    let mut covered = 0;
    let mut widths = Vec::new();
    for seed in 0..seeds {
        let name = format!("s{seed}.json");
        write(tmp.path(), &name, &noisy(seed));
        let out = format!("out{seed}");
        ok(
            &[
                "plan",
                &name,
                "--find",
                "transfer.per_snapshot",
                "--between",
                "5MiB/s",
                "20MiB/s",
                "--target",
                "snapshot_duration_mean_seconds <= 100",
                "--confidence",
                "0.9",
                "--resolution",
                "0.05MiB/s",
                "--out",
                &out,
                "-q",
            ],
            tmp.path(),
        );
        let p = plan_json(&tmp.path().join(&out));
        assert_eq!(p["status"], "found", "{p}");
        let (lo, hi) = (mib(&p["interval"][0]), mib(&p["interval"][1]));
        widths.push(hi - lo);
        if lo < root && root <= hi {
            covered += 1;
        }
    }
    let rate = f64::from(covered) / seeds as f64;
    // Nominal 0.9; three binomial standard errors below it is 0.70.
    assert!(
        rate >= 0.7,
        "covered {covered} of {seeds}; widths {widths:?}, root {root}"
    );
    // And the interval is informative, not the whole range.
    let mean_width = widths.iter().sum::<f64>() / widths.len() as f64;
    assert!(mean_width < 3.0, "mean width {mean_width} MiB/s");
}

/// A range where the target holds at both ends: exit 1, and the two ends
/// are written with the status.
#[test]
fn a_range_without_a_switch_says_so_and_keeps_its_two_points() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s.json", &fair_pool(4, "10GiB"));
    for (lo, hi, status) in [
        ("20MiB/s", "100MiB/s", "holds_at_both_ends"),
        ("1MiB/s", "5MiB/s", "fails_at_both_ends"),
    ] {
        let _ = fs::remove_dir_all(tmp.path().join("out"));
        let o = snapsim(
            &[
                "plan",
                "s.json",
                "--find",
                "transfer.pools[0].rate",
                "--between",
                lo,
                hi,
                "--target",
                "time_pending_max_seconds <= 1h",
                "--max-runs",
                "2",
                "--out",
                "out",
            ],
            tmp.path(),
        );
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stderr).contains(status));
        let p = plan_json(&tmp.path().join("out"));
        assert_eq!(p["status"], status);
        assert_eq!(p["answer"], Value::Null);
        let csv = fs::read_to_string(tmp.path().join("out/plan.csv")).unwrap();
        assert_eq!(csv.lines().count(), 3, "{csv}");
    }
}

/// Killed with SIGKILL part-way (after at least 20 journaled runs) and
/// resumed: only the runs missing from the journal are computed, and the
/// files equal an uninterrupted plan's.
#[test]
fn a_plan_killed_part_way_resumes_without_rerunning_journaled_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (full, killed) = (tmp.path().join("full"), tmp.path().join("killed"));
    run_strings(&bundled(&full, &["--threads", "2"]), &repo());
    let total = fs::read_to_string(full.join("runs.jsonl"))
        .unwrap()
        .lines()
        .count()
        - 1;
    let args = bundled(&killed, &["--threads", "1"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(&args)
        .current_dir(repo())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = killed.join("runs.jsonl");
    let started = std::time::Instant::now();
    loop {
        let lines = fs::read_to_string(&journal)
            .map(|t| t.matches('\n').count())
            .unwrap_or(0);
        if lines > 20 {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the plan journaled only {lines} lines in 120 s"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the plan ended ({status}) before it could be killed");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = fs::read_to_string(&journal).unwrap();
    let recorded = text.matches('\n').count() - 1;
    assert!(recorded >= 20 && recorded < total, "{recorded} of {total}");
    assert!(!killed.join("plan.json").exists());
    let out = run_strings(&bundled(&killed, &["--resume", "--threads", "2"]), &repo());
    assert!(
        out.contains(&format!(
            "{total} runs ({} computed now, {recorded} from runs.jsonl)",
            total - recorded
        )),
        "{out}"
    );
    assert_same(&full, &killed);
}
