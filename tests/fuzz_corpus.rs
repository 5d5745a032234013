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
