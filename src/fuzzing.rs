//! Entry points for the fuzz targets (`fuzz/`, cargo-fuzz) and for the
//! corpus replay test (`tests/fuzz_corpus.rs`): one function per target,
//! bytes in, nothing out. The fuzz crate and the test call exactly these
//! functions, so every crash the fuzzer finds is replayed by `cargo test`
//! from its committed input.
//!
//! Each entry runs the library code a command runs on such input and
//! panics only where that code would: a returned error is a correct
//! answer to bad input, a panic, a hang or an exhausted memory is a bug.
//! Besides, the entries assert the documented contracts of what they get
//! back (a trace replay yields IOs in time order, inside the volume).
//!
//! Hermetic: the entries read and write only files they create in a fresh
//! folder under the system temp dir, removed before they return; a
//! scenario that names an absolute file path or leaves its folder with
//! `..` is ignored rather than validated, since validation opens the
//! traces it names.

use crate::engine::{SimDuration, SimTime};
use crate::model::feed::IoFeedFactory;
use crate::trace::{OffsetMap, OnError, TraceFactory, TraceFormat, TraceSpec};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The trace format families, one fuzz target each: the target's name
/// (the parser's file in `src/trace/`) and the formats it parses.
pub const TRACE_TARGETS: [(&str, &[TraceFormat]); 8] = [
    ("blkparse", &[TraceFormat::Blkparse, TraceFormat::BlkparseD]),
    ("cloud", &[TraceFormat::Tencent, TraceFormat::Alibaba]),
    ("disksim", &[TraceFormat::Disksim, TraceFormat::MsrCut]),
    ("fio", &[TraceFormat::Fio]),
    ("msr", &[TraceFormat::Msr]),
    ("spc", &[TraceFormat::Spc]),
    ("systor", &[TraceFormat::Systor]),
    ("vscsi", &[TraceFormat::CloudPhysics]),
];

/// The formats of the trace target `name` (see [`TRACE_TARGETS`]).
pub fn trace_formats(name: &str) -> Option<&'static [TraceFormat]> {
    TRACE_TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
}

/// A folder of its own under the temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("snapsim-fuzz-{}-{n}", std::process::id()));
        // A folder left by a killed process of the same pid: start afresh.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the temp dir is writable");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether validating `text` opens only files inside its own folder: no
/// string in it is an absolute path or climbs out with `..`.
fn is_hermetic(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::String(s) => !(s.starts_with('/') || s.contains("..")),
        serde_json::Value::Array(a) => a.iter().all(is_hermetic),
        serde_json::Value::Object(o) => o.values().all(is_hermetic),
        _ => true,
    }
}

/// Fuzz target `scenario`: bytes as a scenario file, through what
/// `snapsim validate` does: parse and validate, the warnings, the sweep
/// section with every point, and the resource plan (tracking method and
/// memory estimate). Nothing is simulated.
pub fn scenario(data: &[u8]) -> bool {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        if !is_hermetic(&v) {
            return false;
        }
    }
    let dir = Scratch::new();
    let path = dir.0.join("fuzz.json");
    std::fs::write(&path, data).expect("the temp dir is writable");
    let origin = path.display().to_string();
    let sc = match crate::scenario::load(&path) {
        Ok(sc) => sc,
        Err(e) => {
            let _ = e.to_string();
            return false;
        }
    };
    for w in &sc.warnings {
        let _ = w.to_string();
    }
    let _ = crate::scenario::assumptions::ledger(&sc);
    let sweep_ok = match crate::scenario::sweep_definition(&sc.source, &origin) {
        Ok(def) => {
            let _ = def.map(|d| d.points());
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    };
    match crate::model::plan(&sc.config) {
        Ok(p) => {
            let _ = p.method.describe();
            let _ = p.memory.total();
            sweep_ok
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

/// Most IOs one replay of a fuzzed trace is drained for.
const REPLAY_CAP: u64 = 1_000;

/// Volume size the fuzzed traces are replayed onto [B]: 1 GiB.
const VOLUME_BYTES: u64 = 1 << 30;

/// Fuzz target for one trace format family (`formats`, from
/// [`TRACE_TARGETS`]): bytes as a trace file, read by each format's
/// parser through the real stream (line reader, gzip, device and
/// ordering rules), first pass and replay, under two specifications: the
/// defaults (`on_error: fail`, offsets wrapped, real time), and a looping
/// replay with `on_error: skip`, `offset_map: reject`, no reads and a time
/// scale picked by the input's length. The replay must yield IOs in
/// non-decreasing time, of at least one byte, inside the volume and
/// before the horizon.
pub fn trace(formats: &[TraceFormat], data: &[u8]) -> bool {
    let dir = Scratch::new();
    let path = dir.0.join("trace");
    std::fs::write(&path, data).expect("the temp dir is writable");
    const SCALES: [f64; 3] = [1.0, 1e-3, 1e3];
    let mut accepted = false;
    for &format in formats {
        let base = TraceSpec {
            path: path.clone(),
            format,
            device: None,
            time_scale: 1.0,
            start_offset: SimDuration::ZERO,
            looping: false,
            offset_map: OffsetMap::Wrap,
            reads: true,
            on_error: OnError::Fail,
            volume_size: VOLUME_BYTES,
            horizon: SimTime::ZERO + SimDuration::from_secs(3600),
        };
        let looping = TraceSpec {
            looping: true,
            offset_map: OffsetMap::Reject,
            reads: false,
            on_error: OnError::Skip,
            time_scale: SCALES[data.len() % SCALES.len()],
            start_offset: SimDuration::from_secs(1),
            horizon: SimTime::ZERO + SimDuration::from_secs(60),
            ..base.clone()
        };
        for spec in [base, looping] {
            accepted |= replay(spec);
        }
    }
    accepted
}

/// Scans and replays `spec` (see [`trace`]); whether its first pass
/// accepted it.
fn replay(spec: TraceSpec) -> bool {
    let factory = match TraceFactory::new(spec.clone()) {
        Ok(f) => f,
        Err(e) => {
            let _ = e.to_string();
            return false;
        }
    };
    let _ = factory.describe();
    let _ = factory.stats();
    let mut feed = match factory.open() {
        Ok(f) => f,
        Err(e) => panic!("the trace passed its first pass but cannot be replayed: {e}"),
    };
    let mut last = SimTime::ZERO;
    // IOs in a row at one instant: more than two whole passes means the
    // replay is stuck there (each lap must take time).
    let mut same_instant = 0u64;
    let stuck = 2 * factory.scan().counts.lines + 2;
    for _ in 0..REPLAY_CAP {
        let io = match feed.next_io() {
            Ok(Some(io)) => io,
            Ok(None) => return true,
            // A replay error is reported by the run; it is not a panic.
            Err(e) => {
                let _ = e.to_string();
                return true;
            }
        };
        assert!(io.at >= last, "IO at {:?} before {last:?}", io.at);
        assert!(io.at < spec.horizon, "IO at {:?} past the horizon", io.at);
        assert!(io.len >= 1, "IO of 0 bytes");
        assert!(
            io.offset
                .checked_add(io.len)
                .is_some_and(|e| e <= spec.volume_size),
            "IO {} + {} beyond the volume of {} B",
            io.offset,
            io.len,
            spec.volume_size
        );
        same_instant = if io.at == last { same_instant + 1 } else { 0 };
        assert!(
            same_instant <= stuck,
            "the replay is stuck at {:?}: {same_instant} IOs in a row",
            io.at
        );
        last = io.at;
    }
    true
}

/// The byte that separates shard journals in a `merge` input.
pub const MERGE_SEPARATOR: u8 = 0;

/// Fuzz target `merge`: bytes as the `runs.jsonl` journals of shard
/// folders (separated by [`MERGE_SEPARATOR`], at most 8), merged as
/// `snapsim merge --out OUT SHARD...` does. A header line that parses gets
/// its `scenario_hash` recomputed, so mutated scenarios reach the merge
/// itself instead of stopping at the hash check; a header that names a
/// file outside the shard folder is left alone.
pub fn merge(data: &[u8]) -> bool {
    let dir = Scratch::new();
    let mut shards = Vec::new();
    for (i, journal) in data.split(|&b| b == MERGE_SEPARATOR).take(8).enumerate() {
        let shard = dir.0.join(format!("shard{i}"));
        std::fs::create_dir(&shard).expect("the temp dir is writable");
        std::fs::write(shard.join("runs.jsonl"), rehash(journal))
            .expect("the temp dir is writable");
        shards.push(shard);
    }
    match crate::sweep::merge(&dir.0.join("out"), &shards) {
        Ok(r) => r.runs > 0,
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

/// The journal with its header's hash made to match its scenario, if the
/// header parses; otherwise unchanged.
fn rehash(journal: &[u8]) -> Vec<u8> {
    let end = journal
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(journal.len());
    let Ok(mut header) = serde_json::from_slice::<serde_json::Value>(&journal[..end]) else {
        return journal.to_vec();
    };
    let Some(source) = header.get("source") else {
        return journal.to_vec();
    };
    // Merge validates the header's scenario with trace paths resolved
    // from the current directory: leave traces out.
    if !is_hermetic(source) || source.to_string().contains("trace") {
        return Vec::new();
    }
    let hash = crate::sweep::plan::source_hash(source);
    if let Some(obj) = header.as_object_mut() {
        obj.insert("scenario_hash".into(), hash.into());
    }
    let mut out = serde_json::to_vec(&header).unwrap_or_default();
    out.extend_from_slice(&journal[end..]);
    out
}

/// Runs the entry of target `name` on `data`; whether it was accepted.
///
/// # Panics
/// If `name` is no target (and wherever the entry itself panics).
pub fn run_target(name: &str, data: &[u8]) -> bool {
    match name {
        "scenario" => scenario(data),
        "merge" => merge(data),
        _ => trace(
            trace_formats(name).unwrap_or_else(|| panic!("no fuzz target named {name}")),
            data,
        ),
    }
}

/// Every target's name: `scenario`, the trace families, `merge`.
pub fn target_names() -> Vec<&'static str> {
    let mut names = vec!["scenario"];
    names.extend(TRACE_TARGETS.iter().map(|(n, _)| *n));
    names.push("merge");
    names
}

/// Where the replay test finds the target's inputs below the fuzz crate.
pub fn corpus_dirs(fuzz_dir: &Path, name: &str) -> [PathBuf; 2] {
    [
        fuzz_dir.join("corpus").join(name),
        fuzz_dir.join("regressions").join(name),
    ]
}
