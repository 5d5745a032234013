//! Flow and IO fidelity give the same snapshots (DESIGN.md §1.6): on every
//! bundled latency scenario, run once as written (IO fidelity) and once at
//! flow fidelity (reads, warm-up and station settings dropped), each
//! snapshot's delta, the time its upload took and its progress at the
//! horizon agree within 2 %.

use snapsim::model::{simulate, RunMeta, RunResult};
use snapsim::scenario;
use std::path::Path;

fn run(text: &str, dir: &Path) -> RunResult {
    let sc = scenario::from_str_in(text, "t.json", dir).expect("valid scenario");
    simulate(sc.config, RunMeta::default()).expect("runs")
}

#[test]
fn flow_and_io_fidelity_agree_on_snapshot_durations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut checked = 0;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("latency-") && n.ends_with(".json"))
        })
        .collect();
    paths.sort();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let mut flow: serde_json::Value = serde_json::from_str(&text).unwrap();
        flow["fidelity"] = "flow".into();
        flow.as_object_mut().unwrap().remove("warmup");
        for v in flow["volumes"].as_array_mut().unwrap() {
            if let Some(w) = v.get_mut("workload").and_then(|w| w.as_object_mut()) {
                w.remove("reads");
            }
            v.as_object_mut().unwrap().remove("performance");
        }
        let io = run(&text, &dir);
        let fl = run(&flow.to_string(), &dir);
        let label = path.file_name().unwrap().to_string_lossy();
        let a: Vec<_> = io
            .snapshots
            .iter()
            .filter(|s| s.snapshot_id.is_some())
            .collect();
        let b: Vec<_> = fl
            .snapshots
            .iter()
            .filter(|s| s.snapshot_id.is_some())
            .collect();
        assert_eq!(a.len(), b.len(), "{label}: accepted snapshots");
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            let close = |p: f64, q: f64| (p - q).abs() <= 0.02 * p.abs().max(q.abs()) + 1e-9;
            assert!(
                close(x.delta_blocks as f64, y.delta_blocks as f64),
                "{label} snapshot {k}: delta {} at IO, {} at flow",
                x.delta_blocks,
                y.delta_blocks
            );
            match (x.upload_done_at, y.upload_done_at) {
                (Some(p), Some(q)) => {
                    let (p, q) = (
                        (p - x.requested_at).as_secs_f64(),
                        (q - y.requested_at).as_secs_f64(),
                    );
                    assert!(
                        close(p, q),
                        "{label} snapshot {k}: upload took {p} s at IO, {q} s at flow"
                    );
                }
                _ => assert!(
                    (x.progress - y.progress).abs() <= 0.02,
                    "{label} snapshot {k}: progress {} at IO, {} at flow",
                    x.progress,
                    y.progress
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} snapshots compared");
}
