//! `snapsim schema` against the files it describes: every bundled scenario
//! and every well-formed test fixture must validate, and the bad-scenario
//! fixtures whose error is one of *shape* (a wrong type, an unknown key or
//! variant, a missing key) must be rejected by the schema too, so an editor
//! using the schema flags what `snapsim validate` would.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

fn load(p: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The schema as the binary prints it (and as the library builds it).
fn validator() -> jsonschema::Validator {
    let out = Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, snapsim::scenario::json_schema());
    jsonschema::validator_for(&printed).expect("the schema is a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn every_bundled_scenario_and_fixture_validates_against_the_schema() {
    let v = validator();
    let mut files = json_files(&repo("scenarios"));
    assert!(files.len() >= 10, "too few scenarios: {files:?}");
    // Hostile fixtures of valid shape (their trouble is a value or a date),
    // trace templates included: TRACE is a string like any path.
    // Their unit strings break the schema's patterns: checked below.
    let shape_errors = [
        "unknown-key.json",
        "wrong-type.json",
        "size-1e30.json",
        "write-rate-absurd.json",
    ];
    for f in json_files(&repo("tests/hostile")) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        // seed-1e400.json is not parseable JSON at all (beyond f64);
        // seed-negative / -beyond-u64 break the schema's uint64 bounds.
        let skip = shape_errors.contains(&name.as_str()) || name.starts_with("seed-");
        if !skip {
            files.push(f);
        }
    }
    let mut failures = Vec::new();
    for f in &files {
        let e = errors(&v, &load(f));
        if !e.is_empty() {
            failures.push(format!("{}:\n  {}", f.display(), e.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "schema rejects valid files:\n{}",
        failures.join("\n")
    );
}

#[test]
fn bad_scenarios_of_shape_are_rejected_by_the_schema() {
    let v = validator();
    // Wrong types, unknown keys and variants, a missing key.
    let shape = [
        "02-bare-number-duration.json",
        "04-unknown-top-level-key.json",
        "05-unknown-key-in-volume.json",
        "09-type-error-deep.json",
        "11-unknown-volume-type.json",
        "20-number-instead-of-string.json",
        "22-missing-duration.json",
        "30-fidelity-typo.json",
    ];
    for name in shape {
        let f = repo("tests/bad_scenarios").join(name);
        let doc = load(&f);
        assert!(
            !v.is_valid(&doc),
            "{name}: the schema accepts a file of the wrong shape"
        );
        // ... and snapsim refuses it too.
        assert!(snapsim::scenario::load(&f).is_err(), "{name}");
    }
    for name in [
        "unknown-key.json",
        "wrong-type.json",
        "seed-fraction.json",
        "seed-negative.json",
        "size-1e30.json",
        "write-rate-absurd.json",
    ] {
        let doc = load(&repo("tests/hostile").join(name));
        assert!(!v.is_valid(&doc), "{name}: the schema accepts it");
    }
}

/// The schema knows the forms of `availability_zone` and `region`, so an
/// editor flags a zone ID or a zone given as the region, as snapsim does.
#[test]
fn zone_and_region_forms_are_in_the_schema() {
    let v = validator();
    let doc = |keys: &str| -> serde_json::Value {
        serde_json::from_str(&format!(
            r#"{{"name": "t", "duration": "1h", "volumes": [{{"name": "a", "type": "gp3", "size": "10GiB"{keys}}}]}}"#
        ))
        .unwrap()
    };
    for ok in [
        r#", "availability_zone": "us-east-1a""#,
        r#", "availability_zone": "us-west-2-lax-1a", "region": "us-west-2""#,
        r#", "availability_zone": "us-east-1-wl1-bos-wlz-1""#,
        r#", "region": "us-gov-west-1""#,
    ] {
        let d = doc(ok);
        assert!(errors(&v, &d).is_empty(), "{ok}: {:?}", errors(&v, &d));
        snapsim::scenario::from_value(d, "t").unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        r#", "availability_zone": "use1-az1""#,
        r#", "availability_zone": "us-east-1""#,
        r#", "region": "us-east-1a""#,
    ] {
        let d = doc(bad);
        assert!(!v.is_valid(&d), "{bad}: the schema accepts it");
        assert!(snapsim::scenario::from_value(d, "t").is_err(), "{bad}");
    }
}
