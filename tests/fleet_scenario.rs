//! The bundled fleet: `scenarios/fleet-1000.json` validates, runs with
//! statistical tracking, and reproduces its committed summary and report
//! byte for byte; a statistical fleet's sweep gives the same bytes at any
//! thread count.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn snapsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .output()
        .expect("snapsim runs")
}

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn the_fleet_scenario_reproduces_its_committed_results() {
    let scenario = repo("scenarios/fleet-1000.json");
    let v = snapsim(&["validate", scenario.to_str().unwrap()]);
    ok(&v);
    assert!(String::from_utf8_lossy(&v.stdout).contains("statistical change tracking"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let o = snapsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("fleet (1000)"),
        "the table rolls up by group:\n{table}"
    );
    assert!(table.contains("change tracking: statistical"), "{table}");
    // The results record the command line: this run's (absolute paths, a
    // temp folder, with the table) stands where the committed results have
    // the one scripts/regenerate-results.sh runs.
    let ours = [
        (
            format!("snapsim run {} --out {}", scenario.display(), out.display()),
            "snapsim run scenarios/fleet-1000.json --out results/fleet-1000 --quiet",
        ),
        (
            format!("snapsim report {}", out.display()),
            "snapsim report results/fleet-1000",
        ),
    ];
    for file in [
        "summary.json",
        "report.md",
        "report.html",
        "fleet-pending.svg",
    ] {
        let mut got = String::from_utf8(std::fs::read(out.join(file)).unwrap()).unwrap();
        for (this_run, committed) in &ours {
            got = got.replace(this_run.as_str(), committed);
        }
        let got = got.into_bytes();
        let want = std::fs::read(repo("results/fleet-1000").join(file)).unwrap();
        assert!(
            got == want,
            "{file} differs from results/fleet-1000/{file}; run scripts/regenerate-results.sh"
        );
    }
    assert!(
        !out.join("snapshots.json").exists(),
        "over 20,000 snapshots: no snapshots.json"
    );
    // The roll-ups add up to the per-volume figures and the CSV.
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let volumes = s["volumes"].as_array().unwrap();
    let sum = |key: &str| -> u64 {
        volumes
            .iter()
            .map(|v| v["snapshots"][key].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        s["fleet"]["snapshots"]["completed"].as_u64().unwrap(),
        sum("completed")
    );
    assert_eq!(s["fleet"]["count"], 1000);
    let groups: u64 = s["volume_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .sum();
    assert_eq!(groups, 1000);
    let csv = std::fs::read_to_string(out.join("snapshots.csv")).unwrap();
    let done = csv
        .lines()
        .filter(|l| l.contains(",completed,") || l.contains(",deleted,"))
        .count() as u64;
    assert_eq!(done, sum("completed") + sum("deleted"));
}

#[test]
fn a_statistical_fleet_sweep_gives_the_same_bytes_at_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("fleet.json");
    std::fs::write(
        &scenario,
        r#"{
  "name": "small-fleet", "seed": 3, "duration": "2d", "timeseries_step": "1h",
  "change_tracking": {"statistical": {"samples": 512}},
  "transfer": {"per_snapshot": "42MiB/s", "sharing": "fair", "pools": [{"name": "p", "rate": "300MiB/s"}]},
  "volumes": [
    {"name": "db", "count": 12, "type": "gp3", "size": "500GiB", "used": "100GiB", "pool": "p",
     "workload": {"writes": {"rate": "200/s", "size": "16KiB", "pattern": {"zipf": {"exponent": 1.1}}}},
     "snapshots": {"every": "1h", "retain": 12}},
    {"name": "web", "count": 10, "type": "gp2", "size": "100GiB", "used": "20GiB", "pool": "p",
     "workload": {"writes": {"rate": "30/s", "size": "4KiB", "pattern": {"hotspot": {"io_percent": 90, "space_percent": 10}}}},
     "snapshots": {"every": "24h", "first_at": "1h", "retain": 7}}
  ],
  "sweep": {"grid": {"transfer.pools[0].rate": ["200MiB/s", "400MiB/s"]}, "replications": 2}
}"#,
    )
    .unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("t{threads}"));
        let o = snapsim(&[
            "sweep",
            scenario.to_str().unwrap(),
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        ok(&o);
        outputs.push(out);
    }
    let mut names: Vec<_> = std::fs::read_dir(&outputs[0])
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".csv") || n.to_string_lossy().ends_with(".json"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for n in names {
        let a = std::fs::read(outputs[0].join(&n)).unwrap();
        let b = std::fs::read(outputs[1].join(&n)).unwrap();
        assert!(
            a == b,
            "{} differs between 1 and 2 threads",
            n.to_string_lossy()
        );
    }
}
