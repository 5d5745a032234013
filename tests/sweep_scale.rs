//! Sweep charts and report at scale (issue 16, "readable at scale"): many
//! lines in a panel collapse into their envelope, heatmap cells drop their
//! text when it cannot fit and are drawn in blocks beyond 60 per side, and
//! the report of a 10,000-point sweep stays under 1 MB with its tables
//! capped and a link to `points.csv`. The big sweeps are hand-written
//! `sweep.json` documents (10,000 simulations would take a minute); one
//! real 1,200-point sweep (`tests/fixtures/sweep-scale/sweep-1200.json`;
//! `sweep-10k.json` beside it is the README's 10,000-point measurement)
//! runs through the binary.

use serde_json::{json, Value};
use snapsim::report::charts::sweep::{figures, panel_modes, SweepFigure};
use snapsim::report::charts::sweep_envelope::LegendMode;
use snapsim::report::charts::sweep_heatmap::{labelled, note, HeatmapGrid};
use snapsim::report::sweep_data::{SweepData, SHOWN};
use snapsim::report::sweep_document::{table_points, EXTREME_ROWS};
use snapsim::report::{sweep_report_files, Format};
use std::process::Command;

/// The stated limit for the HTML report of a 10,000-point sweep.
const HTML_LIMIT: usize = 1_000_000;

fn stat(mean: f64) -> Value {
    // One replication: no interval, as `snapsim sweep` writes it.
    json!({ "n": 1, "mean": mean, "std_dev": null, "min": mean, "max": mean,
            "ci95_half_width": null, "ci95_low": null, "ci95_high": null })
}

/// A grid sweep of write rate (`na` values) × upload rate (`nb` values),
/// every shown metric at every point, as `sweep.json` bytes.
fn grid(na: usize, nb: usize) -> Vec<u8> {
    let rates: Vec<String> = (1..=na).map(|i| format!("{i}/s")).collect();
    let uploads: Vec<String> = (1..=nb).map(|j| format!("{j}MiB/s")).collect();
    let mut points = Vec::new();
    for (i, r) in rates.iter().enumerate() {
        for (j, u) in uploads.iter().enumerate() {
            let d = 600.0 * (1.0 + i as f64 / 10.0) / (j as f64 + 1.0);
            let metrics: serde_json::Map<String, Value> = SHOWN
                .iter()
                .enumerate()
                .map(|(k, m)| (m.name.to_string(), stat(d * (k + 1) as f64)))
                .collect();
            points.push(json!({
                "point": i * nb + j,
                "values": { "volumes[0].workload.writes.rate": r, "transfer.per_snapshot": u },
                "runs": 1, "failed": 0, "metrics": metrics
            }));
        }
    }
    serde_json::to_vec(&json!({
        "schema_version": 1, "snapsim_version": "0.1.0", "scenario": "scale",
        "description": "a large hand-written sweep", "scenario_hash": "0123456789abcdef",
        "base_seed": 1, "seed_rule": "r", "shard": null,
        "parameters": [
            { "path": "volumes[0].workload.writes.rate", "axis": "grid", "values": rates },
            { "path": "transfer.per_snapshot", "axis": "grid", "values": uploads }
        ],
        "points_total": na * nb, "replications": { "fixed": 1 }, "runs": na * nb,
        "failed_runs": 0, "metrics": [], "points": points
    }))
    .unwrap()
}

fn report(bytes: Vec<u8>) -> (String, String) {
    let files = sweep_report_files(&[("sweep.json".into(), bytes)]).unwrap();
    let get = |name: &str| {
        String::from_utf8(files.iter().find(|(n, _)| n == name).unwrap().1.clone()).unwrap()
    };
    (get("sweep-report.html"), get("sweep-report.md"))
}

#[test]
fn a_ten_thousand_point_report_stays_under_a_megabyte_and_links_the_csv() {
    let (html, md) = report(grid(100, 100));
    assert!(
        html.len() < HTML_LIMIT,
        "sweep-report.html is {} bytes",
        html.len()
    );
    assert!(html.contains("<a href=\"points.csv\">points.csv</a>"));
    assert!(md.contains("[points.csv](points.csv)"));
    assert!(md.contains("10000 points, more than the 200 a readable table holds"));
    // Eight metric tables of a header, 40 rows and a "…" row between the
    // largest and the smallest, plus the parameters table.
    let rows = html.matches("<tr>").count();
    assert_eq!(rows, 8 * (2 * EXTREME_ROWS + 2) + 3, "table rows");
    // Value lists are shortened too.
    assert!(md.contains("1/s, 2/s, 3/s, 4/s, 5/s, …, 96/s, 97/s, 98/s, 99/s, 100/s (100 values)"));
}

#[test]
fn capped_tables_list_the_largest_and_smallest_means() {
    let data = SweepData::parse(&grid(100, 100)).unwrap();
    let m = SHOWN[0];
    let shown = table_points(&data, m);
    assert_eq!(shown.len(), 2 * EXTREME_ROWS);
    let means: Vec<f64> = shown.iter().map(|p| p.metrics[m.name].mean).collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "largest first");
    let all_max = data
        .points
        .iter()
        .map(|p| p.metrics[m.name].mean)
        .fold(f64::MIN, f64::max);
    let all_min = data
        .points
        .iter()
        .map(|p| p.metrics[m.name].mean)
        .fold(f64::MAX, f64::min);
    assert_eq!((means[0], *means.last().unwrap()), (all_max, all_min));
    // A small sweep keeps every point.
    let small = SweepData::parse(&grid(4, 2)).unwrap();
    assert_eq!(table_points(&small, m).len(), 8);
}

#[test]
fn a_one_parameter_sweep_of_ten_thousand_values_stays_small() {
    let mut doc: Value = serde_json::from_slice(&grid(10_000, 1)).unwrap();
    doc["parameters"].as_array_mut().unwrap().truncate(1);
    for p in doc["points"].as_array_mut().unwrap() {
        p["values"]
            .as_object_mut()
            .unwrap()
            .remove("transfer.per_snapshot");
    }
    let (html, _) = report(serde_json::to_vec(&doc).unwrap());
    assert!(html.len() < HTML_LIMIT, "{} bytes", html.len());
}

#[test]
fn panels_of_many_lines_collapse_into_their_envelope() {
    let data = SweepData::parse(&grid(40, 30)).unwrap();
    let m = SHOWN[1];
    // Against the write rate: a line per upload rate (30); against the
    // upload rate: a line per write rate (40).
    assert_eq!(
        panel_modes(&data, m),
        [
            LegendMode::Envelope { series: 30 },
            LegendMode::Envelope { series: 40 }
        ]
    );
    let svg =
        String::from_utf8(SweepFigure::Metric(m).render(&data, Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("30 series: envelope (min–max of their means)"));
    assert!(svg.contains("40 series: median of their means"));
    assert!(
        !svg.contains("per_snapshot = 2MiB/s"),
        "no legend row per line"
    );
    assert!(SweepFigure::Metric(m)
        .caption(&data)
        .contains("Panels of more than 8 lines"));
    // Eight lines or fewer keep their legend.
    let small = SweepData::parse(&grid(3, 8)).unwrap();
    assert_eq!(
        panel_modes(&small, m),
        [LegendMode::PerSeries, LegendMode::PerSeries]
    );
    let svg =
        String::from_utf8(SweepFigure::Metric(m).render(&small, Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("transfer.per_snapshot = 8MiB/s"));
    assert!(!SweepFigure::Metric(m).caption(&small).contains("envelope"));
}

fn heatmap_metric(data: &SweepData) -> snapsim::report::sweep_data::MetricSpec {
    match figures(data).last() {
        Some(SweepFigure::Heatmap(m)) => *m,
        other => panic!("no heatmap: {other:?}"),
    }
}

#[test]
fn heatmap_cells_drop_their_text_when_it_cannot_fit() {
    let small = SweepData::parse(&grid(3, 2)).unwrap();
    let m = heatmap_metric(&small);
    let g = HeatmapGrid::of(&small, m).unwrap();
    assert!(labelled(m, &g));
    assert_eq!(note(&g, &small, true), None);
    let big = SweepData::parse(&grid(40, 30)).unwrap();
    let g = HeatmapGrid::of(&big, m).unwrap();
    assert_eq!((g.block, g.size, g.cells.len()), ((1, 1), (40, 30), 1200));
    assert!(!labelled(m, &g));
    assert!(note(&g, &big, false).unwrap().contains("points.csv"));
    let svg =
        String::from_utf8(SweepFigure::Heatmap(m).render(&big, Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("cells too small for their values"));
    assert!(!svg.contains(" min</text>"), "no value text in the cells");
}

#[test]
fn heatmaps_beyond_sixty_per_side_are_drawn_in_blocks_of_means() {
    let data = SweepData::parse(&grid(100, 100)).unwrap();
    let m = heatmap_metric(&data);
    let g = HeatmapGrid::of(&data, m).unwrap();
    assert_eq!((g.block, g.size, g.cells.len()), ((2, 2), (50, 50), 2500));
    // Cell (0, 0) holds write rates 1–2/s × upload rates 1–2 MiB/s.
    let mean = |i: usize, j: usize| data.points[i * 100 + j].metrics[m.name].mean;
    let want = (mean(0, 0) + mean(0, 1) + mean(1, 0) + mean(1, 1)) / 4.0;
    let got = g.cells.iter().find(|c| (c.0, c.1) == (0, 0)).unwrap().2;
    assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
    assert!(!labelled(m, &g));
    let text = note(&g, &data, false).unwrap();
    assert!(
        text.starts_with("100 × 100 points drawn as 50 × 50 cells"),
        "{text}"
    );
    // 101 values: blocks of 2 leave a last cell of one value.
    let odd = SweepData::parse(&grid(101, 3)).unwrap();
    let g = HeatmapGrid::of(&odd, m).unwrap();
    assert_eq!((g.block, g.size), ((2, 1), (51, 3)));
}

#[test]
fn a_real_twelve_hundred_point_sweep_writes_a_small_report() {
    let dir = tempfile::tempdir().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sweep-scale/sweep-1200.json");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(["sweep", "-q", "--out"])
        .arg(&out)
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(out.join("sweep-report.html")).unwrap();
    assert!(html.len() < 600_000, "{} bytes", html.len());
    assert!(html.contains("<a href=\"points.csv\">points.csv</a>"));
    let csv = std::fs::read_to_string(out.join("points.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1201, "the linked CSV has every point");
    let svg = std::fs::read_to_string(out.join("sweep-duration-p95.svg")).unwrap();
    assert!(svg.contains("series: envelope"));
}
