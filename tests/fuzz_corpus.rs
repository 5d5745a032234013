//! Replays the fuzz targets' committed inputs under plain `cargo test`:
//! every file in `fuzz/corpus/TARGET/` (the seeds and what the fuzzer kept)
//! and `fuzz/regressions/TARGET/` (inputs that once crashed) goes through
//! the same `snapsim::fuzzing` entry the fuzz target calls, and none may
//! panic. The regression tests below also assert the typed error each
//! crash now gets.

use snapsim::fuzzing;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files of `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .map(|e| e.expect("readable corpus folder").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Feeds every input of `target`; none may panic, and at least one must
/// be accepted all the way (the seeds reach past the first error).
fn replay(target: &str) {
    let (mut n, mut accepted) = (0, 0);
    for dir in fuzzing::corpus_dirs(&fuzz_dir(), target) {
        for f in files(&dir) {
            let data = std::fs::read(&f).expect("readable corpus file");
            let caught = std::panic::catch_unwind(|| fuzzing::run_target(target, &data));
            match caught {
                Ok(ok) => accepted += usize::from(ok),
                Err(_) => panic!("{} panicked in target {target}", f.display()),
            }
            n += 1;
        }
    }
    assert!(n > 0, "fuzz/corpus/{target}/ holds no input");
    assert!(
        accepted > 0,
        "no input of fuzz/corpus/{target}/ is accepted"
    );
}

#[test]
fn every_target_has_a_corpus_folder_and_a_fuzz_binary() {
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for t in fuzzing::target_names() {
        assert!(
            fuzz_dir().join("corpus").join(t).is_dir(),
            "fuzz/corpus/{t}/ is missing"
        );
        assert!(
            manifest.contains(&format!("name = \"{t}\"")),
            "fuzz/Cargo.toml has no [[bin]] {t}"
        );
    }
}

#[test]
fn scenario_corpus_replays() {
    replay("scenario");
}

#[test]
fn merge_corpus_replays() {
    replay("merge");
}

#[test]
fn trace_corpora_replay() {
    for (t, _) in fuzzing::TRACE_TARGETS {
        replay(t);
    }
}

/// Regression (fuzz/regressions/msr/loop-lap-shorter-than-1ns.csv): a
/// looping replay whose `time_scale` shrinks the trace's 100 ns span below
/// 1 ns replayed every lap at one instant for ever, so `snapsim run` never
/// ended. The first pass now refuses it with `LapTooShort`, naming the
/// smallest time scale that works.
#[test]
fn regression_loop_with_a_lap_shorter_than_1ns_is_refused() {
    use snapsim::engine::{SimDuration, SimTime};
    use snapsim::trace::{OffsetMap, OnError, TraceError, TraceFactory, TraceFormat, TraceSpec};
    let path = fuzz_dir().join("regressions/msr/loop-lap-shorter-than-1ns.csv");
    let spec = |time_scale: f64| TraceSpec {
        path: path.clone(),
        format: TraceFormat::Msr,
        device: None,
        time_scale,
        start_offset: SimDuration::ZERO,
        looping: true,
        offset_map: OffsetMap::Wrap,
        reads: true,
        on_error: OnError::Fail,
        volume_size: 1 << 30,
        horizon: SimTime::ZERO + SimDuration::from_secs(60),
    };
    match TraceFactory::new(spec(1e-3)) {
        Err(e @ TraceError::LapTooShort { span_ns: 100, .. }) => {
            let m = e.to_string();
            assert!(m.contains("time_scale 0.001"), "{m}");
            assert!(m.contains("at least 5e-3"), "{m}");
        }
        other => panic!("expected LapTooShort, got {other:?}"),
    }
    // The smallest accepted scale gives 1 ns laps.
    assert!(TraceFactory::new(spec(5e-3)).is_ok());
    // And the fuzz entry (which asserts that a replay never sticks) passes.
    fuzzing::run_target("msr", &std::fs::read(&path).unwrap());
}
