//! Trace replay end to end: the replay options on fixtures, the real
//! samples in `../shared/traces/` against independent counts made here
//! (skipped with a visible message when that folder is absent), hourly
//! snapshot deltas of the CloudPhysics trace against a direct count of the
//! blocks written in each hour, and bad input through the real binary.

use snapsim::model::feed::FeedIo;
use snapsim::model::{simulate, RunMeta};
use snapsim::scenario;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// A sample of `../shared/traces/`, or `None` with a visible message;
/// under `CI=true` an absent sample fails the test.
fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo("../shared/traces").join(rel);
    if p.exists() {
        Some(p)
    } else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "{} is absent, and CI=true: CI must have ../shared/traces beside the repository (the trace tests would otherwise be skipped silently)",
                p.display()
            );
        }
        eprintln!(
            "SKIPPED: {} is absent (no ../shared/traces beside the repository)",
            p.display()
        );
        None
    }
}

/// A one-volume scenario replaying `trace` (a JSON object) for `duration`.
fn scenario_json(size: &str, duration: &str, trace: &serde_json::Value) -> String {
    serde_json::json!({
        "name": "t", "duration": duration,
        "volumes": [{"name": "v", "type": "gp3", "size": size, "workload": {"trace": trace}}]
    })
    .to_string()
}

/// Every IO one run of the scenario's trace feed yields.
fn replay(size: &str, duration: &str, trace: serde_json::Value) -> Result<Vec<FeedIo>, String> {
    let sc = scenario::from_str(&scenario_json(size, duration, &trace), "t.json")
        .map_err(|e| e.to_string())?;
    let factory = sc.config.volumes[0].trace.clone().expect("a trace");
    let mut feed = factory.open().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(io) = feed.next_io().map_err(|e| e.to_string())? {
        out.push(io);
    }
    Ok(out)
}

fn fixture(name: &str) -> String {
    repo("tests/fixtures/traces")
        .join(name)
        .display()
        .to_string()
}

const S: u64 = 1_000_000_000;

fn times(ios: &[FeedIo]) -> Vec<u64> {
    ios.iter().map(|io| io.at.0).collect()
}

#[test]
fn time_scale_start_offset_and_reads() {
    let t = |extra: serde_json::Value| {
        let mut v =
            serde_json::json!({"path": fixture("cloudphysics.csv"), "format": "cloudphysics"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        replay("1GiB", "1h", v).unwrap()
    };
    // Trace times 100 s, 101 s, 101 s (clamped): first IO at simulated 0.
    assert_eq!(times(&t(serde_json::json!({}))), vec![0, S, S]);
    let slow = t(serde_json::json!({"time_scale": 2, "start_offset": "10s"}));
    assert_eq!(times(&slow), vec![10 * S, 12 * S, 12 * S]);
    assert_eq!(
        (slow[0].offset, slow[0].len, slow[0].write),
        (63 * 512, 4096, true)
    );
    let writes = t(serde_json::json!({"reads": false}));
    assert_eq!(times(&writes), vec![0, S]);
    assert!(writes.iter().all(|io| io.write));
}

#[test]
fn loop_repeats_shifted_by_the_span_until_the_horizon() {
    let ios = replay(
        "1GiB",
        "3500ms",
        serde_json::json!({"path": fixture("cloudphysics.csv"), "format": "cloudphysics", "loop": true}),
    )
    .unwrap();
    // Span 1 s, so lap k is (0, 1, 1) s + k s; the horizon 3.5 s cuts lap
    // 3 after its first IO.
    assert_eq!(
        times(&ios),
        vec![0, S, S, S, 2 * S, 2 * S, 2 * S, 3 * S, 3 * S, 3 * S]
    );
}

#[test]
fn offsets_wrap_or_are_rejected() {
    let gib = 1u64 << 30;
    let trace = |map: &str, on_error: &str| {
        serde_json::json!({"path": fixture("tencent.csv"), "format": "tencent",
            "offset_map": map, "on_error": on_error})
    };
    let wrapped = replay("1GiB", "1h", trace("wrap", "fail")).unwrap();
    assert_eq!(wrapped[0].offset, 4_247_200 * 512 % gib);
    assert_eq!(wrapped[1].offset, 16 * 512);
    let e = replay("1GiB", "1h", trace("reject", "fail")).unwrap_err();
    assert!(
        e.contains("tencent.csv:1: IO at byte offset 2174566400") && e.contains("offset_map"),
        "{e}"
    );
    let kept = replay("1GiB", "1h", trace("reject", "skip")).unwrap();
    assert_eq!(kept.len(), 1);
}

/// (IOs, writes, bytes) counted by simple code, sizes of 0 left out.
fn count(path: &Path, header: bool, split: fn(&str) -> Option<(bool, u64)>) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(path).unwrap();
    let (mut n, mut w, mut b) = (0, 0, 0);
    for line in text.lines().skip(usize::from(header)) {
        let (write, size) = split(line).unwrap_or_else(|| panic!("bad sample line {line}"));
        if size > 0 {
            n += 1;
            w += u64::from(write);
            b += size;
        }
    }
    (n, w, b)
}

fn csv(l: &str) -> Vec<&str> {
    l.split(',').collect()
}

fn ws(l: &str) -> Vec<&str> {
    l.split_whitespace().collect()
}

#[test]
fn real_samples_replay_the_independently_counted_ios_writes_and_bytes() {
    type Split = fn(&str) -> Option<(bool, u64)>;
    let samples: [(&str, &str, bool, Split); 7] = [
        (
            "cloudphysics/cloudPhysicsIO.csv",
            "cloudphysics",
            true,
            |l| {
                let f = csv(l);
                Some((f[2] == "2a", f[3].parse().ok()?))
            },
        ),
        ("msr/msr-cambridge1-sample.csv", "msr", false, |l| {
            let f = csv(l);
            Some((f[3] == "Write", f[5].parse().ok()?))
        }),
        (
            "msr/msr.cut.per_10k.rw_20_80.105.trace",
            "msrcut",
            false,
            |l| {
                let f = ws(l);
                Some((f[4] == "0", f[3].parse().ok()?))
            },
        ),
        (
            "msr/msr.cut.per_10k.rw_40_60.1370.trace",
            "msrcut",
            false,
            |l| {
                let f = ws(l);
                Some((f[4] == "0", f[3].parse().ok()?))
            },
        ),
        ("tencent/cloud_storage-sample.csv", "tencent", false, |l| {
            let f = csv(l);
            Some((f[3] == "1", f[2].parse::<u64>().ok()? * 512))
        }),
        ("msnfs/MSN-FS-30s-ms.txt", "disksim", false, |l| {
            let f = ws(l);
            Some((f[4] == "0", f[3].parse::<u64>().ok()? * 512))
        }),
        ("systor17/systor17-traces-sample.csv", "systor", true, |l| {
            let f = csv(l);
            Some((f[2] == "W", f[5].parse().ok()?))
        }),
    ];
    for (rel, format, header, split) in samples {
        let Some(path) = shared(rel) else { continue };
        let want = count(&path, header, split);
        let ios = replay(
            "16TiB",
            "30d",
            serde_json::json!({"path": path.display().to_string(), "format": format}),
        )
        .unwrap();
        let writes = ios.iter().filter(|io| io.write).count() as u64;
        let bytes: u64 = ios.iter().map(|io| io.len).sum();
        assert_eq!((ios.len() as u64, writes, bytes), want, "{rel}");
        assert!(
            ios.windows(2).all(|w| w[0].at <= w[1].at),
            "{rel}: time order"
        );
        eprintln!(
            "{rel}: {} IOs, {:.1} % writes, {bytes} B",
            want.0,
            100.0 * writes as f64 / want.0 as f64
        );
    }
}

#[test]
fn hourly_snapshot_deltas_equal_distinct_blocks_written_per_hour() {
    let Some(csv_path) = shared("cloudphysics/cloudPhysicsIO.csv") else {
        return;
    };
    // Direct count: the IOs of trace second s (relative to the first IO)
    // land at simulated s; a snapshot at T holds the writes before T (an
    // IO at exactly T arrives after that snapshot's point in time).
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(csv).collect();
    let first: u64 = rows
        .iter()
        .map(|f| f[1].parse::<u64>().unwrap())
        .min()
        .unwrap();
    let mut hours = vec![BTreeSet::new(); 3];
    for f in &rows {
        if f[2] != "2a" {
            continue;
        }
        let rel = f[1].parse::<u64>().unwrap() - first;
        let (lbn, size): (u64, u64) = (f[4].parse().unwrap(), f[3].parse().unwrap());
        let start = lbn * 512;
        for b in start / 524_288..=(start + size - 1) / 524_288 {
            hours[(rel / 3600) as usize].insert(b);
        }
    }
    // Snapshots at 0 (nothing written yet), 1 h (the first hour), 2 h (the
    // second); the writes of the trace's very last second (at 2 h) follow.
    let want = vec![0, hours[0].len() as u64, hours[1].len() as u64];

    let sc = scenario::load(&repo("scenarios/trace-cloudphysics.json")).unwrap();
    let r = simulate(sc.config, RunMeta::default()).unwrap();
    let got: Vec<u64> = r.snapshots.iter().map(|s| s.delta_blocks).collect();
    assert_eq!(got, want);
}

fn snapsim(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn bad_trace_lines_exit_2_with_file_and_line_or_are_counted_with_skip() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.csv");
    std::fs::copy(repo("tests/fixtures/traces/bad.csv"), &bad).unwrap();
    for (policy, ok) in [("fail", false), ("skip", true)] {
        let sc = tmp.path().join(format!("{policy}.json"));
        let trace =
            serde_json::json!({"path": "bad.csv", "format": "cloudphysics", "on_error": policy});
        std::fs::write(&sc, scenario_json("1GiB", "1h", &trace)).unwrap();
        let out = tmp.path().join(format!("out-{policy}"));
        let o = snapsim(
            &["run", sc.to_str().unwrap(), "--out", out.to_str().unwrap()],
            Path::new("/"),
        );
        let err = String::from_utf8_lossy(&o.stderr);
        if ok {
            assert!(o.status.success(), "{err}");
            assert!(
                err.contains("lines skipped: 5 (4 malformed, 1 zero-size, 0 out of range)"),
                "{err}"
            );
            // The same counts are in the summary, beside the results.
            let summary: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
            let t = &summary["volumes"][0]["trace"];
            assert_eq!(t["lines_skipped"], 5, "{t}");
            assert_eq!(t["malformed"], 4, "{t}");
            assert_eq!(t["zero_size"], 1, "{t}");
            assert_eq!(t["source"], "cloudphysics bad.csv", "{t}");
        } else {
            assert_eq!(o.status.code(), Some(2), "{err}");
            assert!(err.contains("volumes[0].workload.trace"), "{err}");
            assert!(err.contains("bad.csv:3: truncated line"), "{err}");
            assert!(o.stdout.is_empty());
            assert!(!out.exists(), "no output directory on failure");
        }
    }
}

#[test]
fn a_trace_beside_writes_or_a_missing_file_is_refused() {
    let text = serde_json::json!({
        "name": "t", "duration": "1h",
        "volumes": [{"name": "v", "type": "gp3", "size": "1GiB", "workload": {
            "writes": {"rate": "1/s", "size": "4KiB"},
            "trace": {"path": fixture("cloudphysics.csv"), "format": "cloudphysics"}}}]
    })
    .to_string();
    let e = scenario::from_str(&text, "t.json").unwrap_err().to_string();
    assert!(
        e.contains("volumes[0].workload.trace") && e.contains("remove `workload.writes`"),
        "{e}"
    );
    let e = replay(
        "1GiB",
        "1h",
        serde_json::json!({"path": "no/such.csv", "format": "msr"}),
    )
    .unwrap_err();
    assert!(e.contains("no/such.csv: cannot open the trace file"), "{e}");
}
