//! The benchmarks' baseline: the hand-written M/M/1 heap loop of
//! `benches/hand-mm1`, built and run as its own small binary. Compiled
//! inside a bigger binary the same loop runs about 20 % slower (code
//! layout, inlining), which would flatter every ratio against it, so the
//! benchmarks never use an in-binary copy.

use std::path::PathBuf;
use std::process::Command;

/// The standalone baseline binary, built (release) if needed.
pub fn hand_mm1_binary() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = root.join("benches/hand-mm1/Cargo.toml");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building benches/hand-mm1 failed");
    root.join("benches/hand-mm1/target/release/hand-mm1")
}

/// Customers per second of one run of the standalone loop over `n`
/// customers.
pub fn hand_mm1_rate(binary: &PathBuf, n: u64) -> f64 {
    let out = Command::new(binary)
        .args([n.to_string(), "1".to_string()])
        .output()
        .expect("the baseline runs");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("hand_customers_per_s="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no hand_customers_per_s in the baseline's output: {text}"))
}
