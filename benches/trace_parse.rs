//! Trace parsing throughput: the CloudPhysics sample
//! (`../shared/traces/cloudphysics/cloudPhysicsIO.csv`, 3.1 MB) read and
//! parsed into time-ordered records (`RecordStream`) and through the full
//! first validation pass (`TraceFactory::new`), in MB/s and IOs/s, beside
//! `wc -l` on the same file measured in the same run as the baseline. Each
//! measure is the best of several repetitions (the file is in the page
//! cache after the first). Goal: at least 100 MB/s.
//!
//! Run: `cargo bench --bench trace_parse`

use snapsim::engine::{SimDuration, SimTime};
use snapsim::trace::{OffsetMap, OnError, RecordStream, TraceFactory, TraceFormat, TraceSpec};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const REPS: usize = 15;

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..REPS {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (best, out.expect("REPS > 0"))
}

fn parse(path: &Path) -> u64 {
    let mut s = RecordStream::open(path, TraceFormat::CloudPhysics, None, false).expect("opens");
    let mut n = 0;
    while s.next_record().expect("valid sample").is_some() {
        n += 1;
    }
    n
}

fn main() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/traces/cloudphysics/cloudPhysicsIO.csv");
    if !path.exists() {
        eprintln!("SKIPPED: {} is absent", path.display());
        return;
    }
    let bytes = std::fs::metadata(&path).expect("metadata").len() as f64;
    let mb = bytes / 1e6;
    let (t_parse, ios) = best(|| parse(&path));
    let spec = TraceSpec {
        path: path.clone(),
        format: TraceFormat::CloudPhysics,
        device: None,
        time_scale: 1.0,
        start_offset: SimDuration(0),
        looping: false,
        offset_map: OffsetMap::Wrap,
        reads: true,
        on_error: OnError::Fail,
        volume_size: 64 << 30,
        horizon: SimTime::MAX,
    };
    let (t_scan, scanned) = best(|| TraceFactory::new(spec.clone()).expect("valid").scan().ios);
    assert_eq!(scanned, ios);
    let (t_wc, lines) = best(|| {
        let o = Command::new("wc")
            .arg("-l")
            .arg(&path)
            .output()
            .expect("wc runs");
        String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    });
    let rate = |t: Duration| (mb / t.as_secs_f64(), ios as f64 / t.as_secs_f64());
    let (p_mb, p_io) = rate(t_parse);
    let (s_mb, s_io) = rate(t_scan);
    let w_mb = mb / t_wc.as_secs_f64();
    println!(
        "trace_parse: {} ({mb:.2} MB, {ios} IOs, wc -l: {lines} lines), best of {REPS}",
        path.display()
    );
    println!(
        "  parse (RecordStream)      {:>8.2} ms  {p_mb:>7.1} MB/s  {:>6.2} M IOs/s",
        t_parse.as_secs_f64() * 1e3,
        p_io / 1e6
    );
    println!(
        "  first pass (TraceFactory) {:>8.2} ms  {s_mb:>7.1} MB/s  {:>6.2} M IOs/s",
        t_scan.as_secs_f64() * 1e3,
        s_io / 1e6
    );
    println!(
        "  wc -l (process included)  {:>8.2} ms  {w_mb:>7.1} MB/s",
        t_wc.as_secs_f64() * 1e3
    );
    println!(
        "  parse / wc -l throughput: {:.2}; goal >= 100 MB/s: {}",
        p_mb / w_mb,
        if p_mb >= 100.0 { "met" } else { "NOT met" }
    );
}
