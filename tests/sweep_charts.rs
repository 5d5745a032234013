//! Sweep charts from a fixed, hand-written `sweep.json`: every figure
//! renders a non-empty SVG and PNG, unit values are placed on numeric axes
//! with human units, and the report built from the same bytes names its
//! charts and parameters.

use serde_json::{json, Value};
use snapsim::report::charts::sweep::{figures, SweepFigure};
use snapsim::report::sweep_data::{ParamKind, SweepData};
use snapsim::report::{sweep_report_files, Format};

fn stats(mean: f64, half: f64) -> Value {
    json!({ "n": 3, "mean": mean, "std_dev": half / 2.5, "min": mean - half, "max": mean + half,
            "ci95_half_width": half, "ci95_low": mean - half, "ci95_high": mean + half })
}

/// A 3 × 2 grid: write rate × upload rate.
fn fixture() -> Vec<u8> {
    let rates = ["200/s", "800/s", "3200/s"];
    let uploads = ["24MiB/s", "48MiB/s"];
    let mut points = Vec::new();
    for (i, r) in rates.iter().enumerate() {
        for (j, u) in uploads.iter().enumerate() {
            let k = (i * 2 + j) as f64;
            points.push(json!({
                "point": i * 2 + j,
                "values": { "volumes[0].workload.writes.rate": r, "transfer.per_snapshot": u },
                "runs": 3, "failed": 0,
                "metrics": {
                    "snapshot_duration_mean_seconds": stats(1200.0 * (i as f64 + 1.0) / (j as f64 + 1.0), 30.0),
                    "snapshot_duration_p95_seconds": stats(2000.0 + 500.0 * k, 80.0),
                    "rejections": stats(k, 0.5),
                    "stored_bytes_final": stats(1e11 * (1.0 + k), 1e9),
                    "storage_cost_usd": stats(0.5 + k / 10.0, 0.01),
                    "latency_write_p99_us_pending_1": stats(900.0 + 100.0 * k, 20.0)
                }
            }));
        }
    }
    serde_json::to_vec_pretty(&json!({
        "schema_version": 1, "snapsim_version": "0.1.0", "scenario": "fixture",
        "description": "a fixed sweep", "scenario_hash": "0123456789abcdef", "base_seed": 1,
        "seed_rule": "r", "shard": null,
        "parameters": [
            { "path": "volumes[0].workload.writes.rate", "axis": "grid", "values": rates },
            { "path": "transfer.per_snapshot", "axis": "grid", "values": uploads }
        ],
        "points_total": 6, "replications": { "fixed": 3 }, "runs": 18, "failed_runs": 0,
        "metrics": [], "points": points
    }))
    .unwrap()
}

#[test]
fn every_sweep_figure_renders_svg_and_png() {
    let data = SweepData::parse(&fixture()).unwrap();
    assert_eq!(data.params[0].kind, ParamKind::Frequency);
    assert_eq!(data.params[1].kind, ParamKind::Bandwidth);
    assert_eq!(data.params[1].xs, vec![24.0 * 1048576.0, 48.0 * 1048576.0]);
    let figs = figures(&data);
    let stems: Vec<&str> = figs.iter().map(|f| f.stem()).collect();
    assert_eq!(
        stems,
        [
            "sweep-duration-mean",
            "sweep-duration-p95",
            "sweep-rejections",
            "sweep-stored-bytes",
            "sweep-storage-cost",
            "sweep-write-p99",
            "sweep-heatmap"
        ]
    );
    for fig in figs {
        let svg = String::from_utf8(fig.render(&data, Format::Svg).unwrap()).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.len() > 2000,
            "{}",
            fig.stem()
        );
        assert!(svg.contains("fixture"), "the title names the scenario");
        let png = fig.render(&data, Format::Png).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5000,
            "{}",
            fig.stem()
        );
        if let SweepFigure::Metric(m) = fig {
            assert!(svg.contains("transfer.per_snapshot [MiB/s]"), "{}", m.name);
            assert!(svg.contains("writes.rate [per s]"), "{}", m.name);
        }
    }
    let dur = figures(&data)[0].render(&data, Format::Svg).unwrap();
    assert!(
        String::from_utf8_lossy(&dur).contains("[min]"),
        "durations in minutes"
    );
}

#[test]
fn the_report_from_the_fixture_names_charts_and_parameters() {
    let files = sweep_report_files(&[("sweep.json".into(), fixture())]).unwrap();
    let md = &files
        .iter()
        .find(|(n, _)| n == "sweep-report.md")
        .unwrap()
        .1;
    let md = String::from_utf8_lossy(md);
    assert!(md.starts_with("# Sweep report: fixture\n"), "{md}");
    assert!(md.contains("| `volumes[0].workload.writes.rate` | grid | 200/s, 800/s, 3200/s |"));
    assert!(md.contains("![") && md.contains("(sweep-heatmap.png)"));
    assert!(md.contains("A fixed 3 replications per point."));
    // 7 figures × 2 formats + 2 report files.
    assert_eq!(files.len(), 16);
}

#[test]
fn a_one_parameter_sweep_of_categories_has_no_heatmap() {
    let mut doc: Value = serde_json::from_slice(&fixture()).unwrap();
    doc["parameters"] =
        json!([{ "path": "transfer.sharing", "axis": "grid", "values": ["fair", "fifo"] }]);
    let pts = doc["points"].as_array_mut().unwrap();
    pts.truncate(2);
    pts[0]["values"] = json!({ "transfer.sharing": "fair" });
    pts[1]["values"] = json!({ "transfer.sharing": "fifo" });
    let data = SweepData::parse(&serde_json::to_vec(&doc).unwrap()).unwrap();
    assert_eq!(data.params[0].kind, ParamKind::Category);
    let figs = figures(&data);
    assert!(figs.iter().all(|f| matches!(f, SweepFigure::Metric(_))));
    let svg = figs[0].render(&data, Format::Svg).unwrap();
    assert!(String::from_utf8_lossy(&svg).contains("\nfifo\n"));
}
