//! Report generation time beside simulation time, for the quickstart, in
//! the same process: simulate `scenarios/quickstart.json` once, serialise
//! its result files, then build the charts (SVG and PNG) and the report from
//! those bytes, as `snapsim run` does, and print both times and their ratio.
//! The report step is repeated (median of 5) because it is short.
//!
//! Run: `cargo bench --bench report_time`

use snapsim::model::{simulate, RunMeta};
use snapsim::report::{build_report, result_files, ReportOptions, ResultContext};
use std::path::Path;
use std::time::Instant;

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.json");
    let sc = snapsim::scenario::load(&path).expect("the bundled quickstart loads");
    let meta = RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions: snapsim::scenario::assumptions::ledger(&sc),
        measurements: Vec::new(),
    };

    let started = Instant::now();
    let result = simulate(sc.config.clone(), meta).expect("the quickstart runs");
    let simulate_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let files = result_files(&result, ResultContext { start: sc.start });
    let serialise_s = started.elapsed().as_secs_f64();

    let opts = ReportOptions::default();
    let mut times = Vec::new();
    let mut report = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        report = build_report(&files, &opts).expect("the report builds");
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let report_s = times[times.len() / 2];
    let bytes: usize = report.iter().map(|(_, b)| b.len()).sum();

    println!(
        "quickstart: {} writes simulated, {} report files ({:.1} KiB)",
        result.summary.writes_simulated,
        report.len(),
        bytes as f64 / 1024.0
    );
    println!("simulation          : {simulate_s:>8.3} s");
    println!("result files        : {serialise_s:>8.3} s");
    println!(
        "charts + report     : {report_s:>8.3} s (median of {})",
        times.len()
    );
    println!(
        "report / simulation : {:>8.3} ({:.1} % of the simulation time)",
        report_s / simulate_s,
        100.0 * report_s / simulate_s
    );
}
