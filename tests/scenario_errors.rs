//! Every malformed file in `tests/bad_scenarios/` must be refused with a
//! message containing each line of its `.expect` file (the JSON path, the
//! offending value, a word of the fix); every file in `scenarios/` must load.

use std::fs;
use std::path::{Path, PathBuf};

mod common;

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn bad_scenarios_are_refused_with_helpful_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_scenarios");
    let files = json_files(&dir);
    assert!(
        files.len() >= 14,
        "expected at least 14 bad scenarios, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for file in &files {
        let expect_path = file.with_extension("expect");
        let expect = fs::read_to_string(&expect_path)
            .unwrap_or_else(|e| panic!("{} has no .expect file: {e}", file.display()));
        let message = match snapsim::scenario::load(file) {
            Ok(_) => {
                failures.push(format!("{}: loaded, but should be refused", file.display()));
                continue;
            }
            Err(e) => e.to_string(),
        };
        println!("{message}");
        for needle in expect.lines().filter(|l| !l.trim().is_empty()) {
            if !message.contains(needle) {
                failures.push(format!(
                    "{}: message lacks {needle:?}:\n    {message}",
                    file.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn example_scenarios_all_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = json_files(&dir);
    assert!(!files.is_empty(), "no scenarios in {}", dir.display());
    for file in files {
        if let Some(t) = common::absent_trace(&file) {
            eprintln!(
                "SKIPPED {}: its trace {} is absent",
                file.display(),
                t.display()
            );
            continue;
        }
        if let Err(e) = snapsim::scenario::load(&file) {
            panic!("{e}");
        }
    }
}

/// Semantic errors (found after parsing) name the line and column of the
/// offending value too, or of the nearest enclosing value the file has.
#[test]
fn semantic_errors_give_the_line_and_column_of_the_value() {
    let text = r#"{
  "name": "located",
  "seed": 1,
  "duration": "1h",
  "volumes": [{
    "name": "db",
    "type": "gp3",
    "size": "10GiB",
    "iops": 16000,
    "workload": { "writes": { "rate": "10/s", "size": "16KiB" } }
  }]
}"#;
    let e = snapsim::scenario::from_str(text, "located.json").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("volumes[0].iops (line 9, column 13):"),
        "{msg}"
    );
    // The same error from a parsed value (a sweep point) has no text to
    // point into, and says nothing rather than guess.
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let msg = snapsim::scenario::from_value(value, "point")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("volumes[0].iops: "), "{msg}");
}
