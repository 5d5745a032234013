//! `snapsim import`: each AWS CLI shape from small hand-written fixtures,
//! the metric conversion against hand computation, gaps and zeros, a round
//! trip through the simulator, grouping, and bad input through the real
//! binary (exit 2, file + JSON path + fix, nothing written).

use serde_json::{json, Value};
use snapsim::import::metrics::{Fit, MetricsFile};
use snapsim::import::{self, group, Options, Pattern, Used};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VOL1: &str = "vol-0123456789abcdef0";
const VOL2: &str = "vol-0123456789abcdef1";
const VOL3: &str = "vol-0123456789abcdef2";
/// 2026-11-01T00:00:00Z.
const T0: i64 = 1_793_491_200;

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn stamp(k: i64) -> String {
    snapsim::import::time::format_rfc3339((T0 + k * 300) * 1000).replace('Z', "+00:00")
}

fn volume(id: &str, kind: &str, size: u64, az: &str, tags: &[(&str, &str)]) -> Value {
    let mut v = json!({
        "AvailabilityZone": az, "Encrypted": false, "Size": size, "State": "in-use",
        "VolumeId": id, "VolumeType": kind, "MultiAttachEnabled": false,
        "Tags": tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
    });
    if kind == "gp3" {
        v["Iops"] = json!(3000);
        v["Throughput"] = json!(125);
    }
    v
}

/// A get-metric-data result over periods `ks` (5 minutes from T0).
fn result(id: &str, label: &str, ks: &[i64], values: &[f64]) -> Value {
    json!({
        "Id": id, "Label": label,
        "Timestamps": ks.iter().rev().map(|&k| stamp(k)).collect::<Vec<_>>(),
        "Values": values.iter().rev().collect::<Vec<_>>(),
        "StatusCode": "Complete",
    })
}

fn opts(dir: &Path, volumes: Vec<PathBuf>) -> Options {
    Options {
        volumes,
        metrics: vec![],
        policies: vec![],
        snapshots: vec![],
        used: Used {
            fraction: Some(0.0),
            from_snapshots: false,
        },
        pattern: Pattern::parse("uniform").unwrap(),
        group_by: vec![],
        fit: Fit::Steps,
        period: None,
        duration: None,
        name: "t".into(),
        compare: false,
        reads: false,
        command: format!("snapsim import (test in {})", dir.display()),
    }
}

fn one_volume(dir: &Path) -> PathBuf {
    write(
        dir,
        "vols.json",
        &json!({"Volumes": [volume(VOL1, "gp3", 8, "us-east-1a", &[("Backup", "yes")])]}),
    )
}

// ------------------------------------------------------------ shapes

#[test]
fn describe_volumes_pages_merge_with_exact_fields() {
    let d = tempfile::tempdir().unwrap();
    let p1 = write(
        d.path(),
        "p1.json",
        &json!({"Volumes": [volume(VOL1, "gp3", 100, "us-east-1a", &[("Role", "db")])], "NextToken": "x"}),
    );
    let mut io2 = volume(VOL2, "io2", 50, "eu-west-2b", &[]);
    io2["Iops"] = json!(4000);
    io2["Encrypted"] = json!(true);
    io2["KmsKeyId"] = json!("arn:aws:kms:eu-west-2:111122223333:key/k");
    let p2 = write(d.path(), "p2.json", &json!({"Volumes": [io2]}));
    let v = import::volumes::read(&[p1.as_path(), p2.as_path()]).unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].id, VOL1);
    assert_eq!(
        (
            v[0].size_gib,
            v[0].kind.as_str(),
            v[0].iops,
            v[0].throughput_mib_s
        ),
        (100, "gp3", Some(3000), Some(125))
    );
    assert_eq!(
        (v[0].az.as_str(), v[0].region()),
        ("us-east-1a", "us-east-1")
    );
    assert_eq!(v[0].tag("Role"), Some("db"));
    assert!(!v[0].encrypted);
    assert_eq!(
        (v[1].kind.as_str(), v[1].iops, v[1].encrypted, v[1].region()),
        ("io2", Some(4000), true, "eu-west-2")
    );
    assert_eq!(
        v[1].kms_key_id.as_deref(),
        Some("arn:aws:kms:eu-west-2:111122223333:key/k")
    );
    // io1 without Iops: refused, not defaulted.
    let p3 = write(
        d.path(),
        "p3.json",
        &json!({"Volumes": [volume(VOL3, "io1", 50, "us-east-1a", &[])]}),
    );
    let e = import::volumes::read(&[p3.as_path()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p3.json") && e.contains("Volumes[0].Iops"),
        "{e}"
    );
    // The same page twice: a duplicate VolumeId.
    let e = import::volumes::read(&[p1.as_path(), p1.as_path()])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Volumes[0].VolumeId") && e.contains("listed twice"),
        "{e}"
    );
}

#[test]
fn describe_snapshots_timestamps_with_and_without_fractions_and_offsets() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "snaps.json",
        &json!({"Snapshots": [
            {"SnapshotId": "snap-1", "VolumeId": VOL1, "State": "completed", "Progress": "100%",
             "VolumeSize": 8, "StartTime": "2026-11-01T03:00:12.345000+00:00",
             "CompletionTime": "2026-11-01T03:10:12.845Z", "FullSnapshotSizeInBytes": 123},
            {"SnapshotId": "snap-2", "VolumeId": VOL1, "State": "pending", "Progress": "40%",
             "VolumeSize": 8, "StartTime": "2026-11-01T01:00:00-02:00"},
        ]}),
    );
    let s = import::snapshots::read(&[p.as_path()]).unwrap();
    assert_eq!(s[0].start, (T0 + 3 * 3600 + 12) * 1000 + 345);
    assert_eq!(s[0].completion, Some((T0 + 3 * 3600 + 612) * 1000 + 845));
    assert_eq!(s[0].pending_seconds(), Some(600.5));
    assert_eq!((s[0].full_size, s[0].volume_size_gib), (Some(123), Some(8)));
    assert_eq!(s[1].start, (T0 + 3 * 3600) * 1000);
    assert_eq!(s[1].pending_seconds(), None);
    assert_eq!(s[1].progress.as_deref(), Some("40%"));
    assert_eq!(import::snapshots::used_bytes(&s, VOL1), Some(123));
}

#[test]
fn dlm_policy_maps_interval_retention_tags_and_lists_the_rest() {
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "pol.json",
        &json!({"Policy": {"PolicyId": "policy-1", "State": "ENABLED", "PolicyDetails": {
        "PolicyType": "EBS_SNAPSHOT_MANAGEMENT", "ResourceTypes": ["VOLUME"],
        "TargetTags": [{"Key": "Backup", "Value": "yes"}],
        "Schedules": [
            {"Name": "six-hourly", "CreateRule": {"Interval": 6, "IntervalUnit": "HOURS", "Times": ["01:15"]},
             "RetainRule": {"Count": 4}, "TagsToAdd": [{"Key": "by", "Value": "dlm"}],
             "CrossRegionCopyRules": [{"TargetRegion": "us-west-2"}],
             "ArchiveRule": {"RetainRule": {"RetentionArchiveTier": {"Count": 1}}}},
            {"Name": "daily", "CreateRule": {"CronExpression": "cron(0 2 * * ? *)"},
             "RetainRule": {"Interval": 2, "IntervalUnit": "WEEKS"}, "FastRestoreRule": {"Count": 1}}
        ]}}}),
    );
    let pols = import::policies::read(&[p.as_path()]).unwrap();
    let pol = &pols[0];
    assert!(pol.targets(&[import::volumes::Tag {
        key: "Backup".into(),
        value: "yes".into()
    }]));
    assert!(!pol.targets(&[import::volumes::Tag {
        key: "Backup".into(),
        value: "no".into()
    }]));
    let s = pol.schedule.as_ref().unwrap();
    let block = import::policies::snapshots_block(s, T0, 86_400).unwrap();
    assert_eq!(
        block,
        json!({"every": "6h", "first_at": "75m", "retain": {"last": 4}, "tags": {"by": "dlm"}})
    );
    let listed = pol.unexpressed.join("\n");
    for name in [
        "CrossRegionCopyRules",
        "ArchiveRule",
        "\"daily\": a further schedule",
    ] {
        assert!(listed.contains(name), "{name} not listed in:\n{listed}");
    }
    // The second schedule's rules are listed by name too.
    assert!(listed.contains("FastRestoreRule"), "{listed}");
}

// ------------------------------------------------------------ metrics

/// 300 MiB written by 19,200 writes in a 300 s period: 64 writes/s of
/// 16 KiB (19,200 ÷ 300 = 64; 300 MiB ÷ 19,200 = 16,384 B).
#[test]
fn metric_sums_become_rates_and_sizes_by_hand() {
    let d = tempfile::tempdir().unwrap();
    let ks = [0, 1, 2];
    let m = write(
        d.path(),
        "m.json",
        &json!({"MetricDataResults": [
            result("a", &format!("{VOL1} VolumeWriteBytes"), &ks, &[314_572_800.0; 3]),
            result("b", &format!("VolumeWriteOps {VOL1}"), &ks, &[19_200.0; 3]),
        ]}),
    );
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![MetricsFile::parse(m.to_str().unwrap())];
    let g = import::gather(o.clone()).unwrap();
    let f = &g.fitted[0];
    assert_eq!(f.write_rate, 64.0);
    assert_eq!(f.write_size, 16_384.0);
    assert_eq!(f.steps, vec![64.0; 3]);
    assert_eq!((f.gaps, f.zeros), (0, 0));
    let w = g.window.unwrap();
    assert_eq!((w.start, w.period, w.periods), (T0, 300, 3));
    let text = import::import(o).unwrap().scenario;
    let sc: Value = serde_json::from_str(&text).unwrap();
    let writes = &sc["volumes"][0]["workload"]["writes"];
    assert_eq!(writes["rate"], "64/s");
    assert_eq!(writes["size"], "16384B");
    assert_eq!(writes["pattern"], "uniform");
    assert_eq!(sc["duration"], "15m");
    assert_eq!(sc["start"], "2026-11-01T00:00:00Z");
}

/// Periods 0–5 and 9–11 recorded, 6–8 missing (a gap of three), 1 and 10
/// recorded as zero: the gaps are counted and filled with the mean rate of
/// the recorded periods (steps), or left out of the hour's mean (daily);
/// the zeros stay zero.
#[test]
fn gaps_and_zero_periods() {
    let d = tempfile::tempdir().unwrap();
    let ks: Vec<i64> = (0..12).filter(|k| !(6..9).contains(k)).collect();
    let ops: Vec<f64> = ks
        .iter()
        .map(|&k| if k == 1 || k == 10 { 0.0 } else { 3000.0 })
        .collect();
    let bytes: Vec<f64> = ops.iter().map(|o| o * 4096.0).collect();
    let m = write(
        d.path(),
        "m.json",
        &json!({"MetricDataResults": [
            result(&format!("wo_{}", VOL1.replace('-', "_")), "VolumeWriteOps", &ks, &ops),
            result(&format!("wb_{}", VOL1.replace('-', "_")), "VolumeWriteBytes", &ks, &bytes),
        ]}),
    );
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![MetricsFile::parse(m.to_str().unwrap())];
    let g = import::gather(o.clone()).unwrap();
    let f = &g.fitted[0];
    assert_eq!((f.present, f.gaps, f.zeros), (9, 3, 2));
    // Mean over the 9 recorded periods: 7 × 3000 ÷ (9 × 300) = 7.777…/s.
    let mean = 7.0 * 3000.0 / (9.0 * 300.0);
    assert!((f.write_rate - mean).abs() < 1e-12);
    assert_eq!(f.steps[0], 10.0);
    assert_eq!(f.steps[1], 0.0);
    assert_eq!(f.steps[6], mean);
    assert_eq!(f.steps[10], 0.0);
    assert_eq!(f.write_size, 4096.0);
    let report = import::import(o.clone()).unwrap().report;
    assert!(report.contains("| 3 / 2 |"), "{report}");
    // Daily: all 12 periods fall in hour 0, whose mean is that of the
    // recorded periods.
    o.fit = Fit::Daily;
    let g = import::gather(o).unwrap();
    assert!((g.fitted[0].hourly[0] - mean).abs() < 1e-12);
}

#[test]
fn get_metric_statistics_with_the_volume_given_or_in_the_file_name() {
    let d = tempfile::tempdir().unwrap();
    let dps = |unit: &str, v: f64| {
        json!({"Label": if unit == "Count" {"VolumeWriteOps"} else {"VolumeWriteBytes"},
               "Datapoints": (0..4).map(|k| json!({"Timestamp": stamp(k).replace("+00:00", "Z"), "Sum": v, "Unit": unit})).collect::<Vec<_>>()})
    };
    let ops = write(d.path(), "ops.json", &dps("Count", 600.0));
    let bytes = write(
        d.path(),
        &format!("{VOL1}.VolumeWriteBytes.json"),
        &dps("Bytes", 600.0 * 65536.0),
    );
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![
        MetricsFile::parse(&format!("{VOL1}={}", ops.display())),
        MetricsFile::parse(bytes.to_str().unwrap()),
    ];
    let g = import::gather(o.clone()).unwrap();
    assert_eq!(
        (g.fitted[0].write_rate, g.fitted[0].write_size),
        (2.0, 65536.0)
    );
    // Without the volume: refused with the fix.
    o.metrics = vec![MetricsFile::parse(ops.to_str().unwrap())];
    let e = import::gather(o).err().unwrap().to_string();
    assert!(
        e.contains("does not say which volume") && e.contains("=FILE"),
        "{e}"
    );
}

// ------------------------------------------------------------ round trip

/// A volume imported with the steps fit from 12 five-minute periods
/// (rates 0 to 40/s, one zero period, 16 KiB writes) is simulated; the
/// write bytes per period of its time series equal the metric sums within
/// Poisson tolerance. The writes in a period are Poisson with mean
/// n = ops sum, so the bytes have mean 16 KiB × n and standard deviation
/// 16 KiB × √n; each period must lie within 5 standard deviations
/// (a false failure has probability below 12 × 6e-7). A zero period must
/// be exactly zero.
#[test]
fn round_trip_write_bytes_per_period() {
    let d = tempfile::tempdir().unwrap();
    let ks: Vec<i64> = (0..12).collect();
    let ops: Vec<f64> = ks
        .iter()
        .map(|&k| {
            if k == 4 {
                0.0
            } else {
                (300 * (k % 5) * 10) as f64
            }
        })
        .collect();
    let bytes: Vec<f64> = ops.iter().map(|o| o * 16384.0).collect();
    let m = write(
        d.path(),
        "m.json",
        &json!({"MetricDataResults": [
            result("x", &format!("{VOL1} VolumeWriteOps"), &ks, &ops),
            result("y", &format!("{VOL1} VolumeWriteBytes"), &ks, &bytes),
        ]}),
    );
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![MetricsFile::parse(m.to_str().unwrap())];
    let text = import::import(o).unwrap().scenario;
    let sc = snapsim::scenario::from_str(&text, "imported").unwrap();
    let meta = snapsim::model::RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions: vec![],
        measurements: vec![],
    };
    let r = snapsim::model::simulate(sc.config, meta).unwrap();
    let rows: Vec<_> = r.timeseries.iter().filter(|t| t.volume == 0).collect();
    assert_eq!(rows.len(), 12);
    for (k, row) in rows.iter().enumerate() {
        let simulated = row.write_bytes_per_second * 300.0;
        let expected = bytes[k];
        let sd = 16384.0 * ops[k].sqrt();
        assert!(
            (simulated - expected).abs() <= 5.0 * sd + 1.0,
            "period {k}: simulated {simulated} B, metric sum {expected} B, tolerance {}",
            5.0 * sd
        );
        if ops[k] == 0.0 {
            assert_eq!(simulated, 0.0);
        }
    }
}

// ------------------------------------------------------------ grouping

#[test]
fn group_by_type_and_tag_averages_and_reports_the_spread() {
    let d = tempfile::tempdir().unwrap();
    let v = write(
        d.path(),
        "vols.json",
        &json!({"Volumes": [
            volume(VOL1, "gp3", 100, "us-east-1a", &[("Role", "db")]),
            volume(VOL2, "gp3", 201, "us-east-1b", &[("Role", "db")]),
            volume(VOL3, "gp3", 50, "us-east-1a", &[("Role", "web")]),
        ]}),
    );
    let mut results = Vec::new();
    for (vol, rate) in [(VOL1, 10.0), (VOL2, 30.0), (VOL3, 5.0)] {
        results.push(result(
            "a",
            &format!("{vol} VolumeWriteOps"),
            &[0, 1],
            &[rate * 300.0; 2],
        ));
        results.push(result(
            "b",
            &format!("{vol} VolumeWriteBytes"),
            &[0, 1],
            &[rate * 300.0 * 4096.0; 2],
        ));
    }
    let m = write(d.path(), "m.json", &json!({"MetricDataResults": results}));
    let mut o = opts(d.path(), vec![v]);
    o.metrics = vec![MetricsFile::parse(m.to_str().unwrap())];
    o.group_by = group::parse_keys("type,tag:Role").unwrap();
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    let db = &sc["volumes"][0];
    assert_eq!(db["name"], "gp3.db");
    assert_eq!(db["count"], 2);
    assert_eq!(db["size"], "151GiB"); // (100 + 201) / 2 = 150.5, rounded up
    assert_eq!(db["workload"]["writes"]["rate"], "20/s");
    assert_eq!(sc["volumes"][1]["name"], "gp3.web");
    assert!(sc["volumes"][1].get("count").is_none());
    assert!(
        out.report
            .contains("| gp3.db | 2 | gp3 | 151 GiB | 20/s | 10/s / 20/s / 30/s |"),
        "{}",
        out.report
    );
    assert!(out.report.contains(VOL2));
    assert!(
        out.report.contains("Grouped by type, tag:Role"),
        "{}",
        out.report
    );
    assert!(group::parse_keys("colour").is_err());
}

// ------------------------------------------------------------ the binary

fn snapsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_snapsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot start the snapsim binary")
}

/// Runs an import that must fail: exit 2, each of `needles` in the
/// message, and neither the scenario nor import.md written.
fn refused(dir: &Path, args: &[&str], needles: &[&str]) {
    let out = dir.join("out").join("s.json");
    let mut all: Vec<&str> = vec!["import"];
    all.extend_from_slice(args);
    let o = out.to_str().unwrap().to_string();
    all.extend_from_slice(&["--used", "0.5", "--out", &o]);
    let r = snapsim(&all);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {n:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists() && !dir.join("out").join("import.md").exists());
    assert!(!dir.join("out").exists(), "the output folder was created");
}

#[test]
fn bad_input_exits_2_naming_file_path_and_fix_and_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vols = one_volume(dir);
    let vols_s = vols.to_str().unwrap();

    let not_json = dir.join("notjson.json");
    fs::write(&not_json, "{\"Volumes\": [ oops").unwrap();
    refused(
        dir,
        &["--volumes", not_json.to_str().unwrap()],
        &["notjson.json", "not JSON", "line 1", "--output json"],
    );

    let instances = write(
        dir,
        "instances.json",
        &json!({"Reservations": [{"Instances": []}]}),
    );
    refused(
        dir,
        &["--volumes", instances.to_str().unwrap()],
        &[
            "instances.json",
            "(top level)",
            "describe-instances",
            "give --volumes the saved output of `aws ec2 describe-volumes",
        ],
    );

    let magnetic = write(
        dir,
        "magnetic.json",
        &json!({"Volumes": [volume(VOL1, "gp3", 8, "us-east-1a", &[]), volume(VOL2, "standard", 8, "us-east-1a", &[])]}),
    );
    refused(
        dir,
        &["--volumes", magnetic.to_str().unwrap()],
        &[
            "magnetic.json",
            "Volumes[1].VolumeType",
            "\"standard\"",
            "gp2, gp3, io1, io2, st1, sc1",
            "custom",
        ],
    );

    let stranger = write(
        dir,
        "stranger.json",
        &json!({"MetricDataResults": [result("a", &format!("{VOL3} VolumeWriteOps"), &[0], &[1.0])]}),
    );
    refused(
        dir,
        &["--volumes", vols_s, "--metrics", stranger.to_str().unwrap()],
        &[
            "stranger.json",
            "MetricDataResults[0].Label",
            VOL3,
            "not in the inventory",
            "add the describe-volumes page",
        ],
    );

    let stamps = write(
        dir,
        "stamps.json",
        &json!({"MetricDataResults": [{"Id": "a", "Label": format!("{VOL1} VolumeWriteOps"),
            "Timestamps": ["2026-11-01T00:00:00Z", "2026-11-01 24:00"], "Values": [1.0, 2.0]}]}),
    );
    refused(
        dir,
        &["--volumes", vols_s, "--metrics", stamps.to_str().unwrap()],
        &[
            "stamps.json",
            "MetricDataResults[0].Timestamps[1]",
            "2026-11-01 24:00",
            "unmodified output",
        ],
    );
    let typed = write(
        dir,
        "typed.json",
        &json!({"MetricDataResults": [{"Id": "a", "Label": format!("{VOL1} VolumeWriteOps"),
            "Timestamps": [12], "Values": [1.0]}]}),
    );
    refused(
        dir,
        &["--volumes", vols_s, "--metrics", typed.to_str().unwrap()],
        &["typed.json", "MetricDataResults[0].Timestamps", "ISO-8601"],
    );

    let cron = write(
        dir,
        "cron.json",
        &json!({"Policy": {"PolicyId": "policy-9", "State": "ENABLED", "PolicyDetails": {
            "PolicyType": "EBS_SNAPSHOT_MANAGEMENT", "ResourceTypes": ["VOLUME"],
            "TargetTags": [{"Key": "Backup", "Value": "yes"}],
            "Schedules": [{"Name": "q", "CreateRule": {"CronExpression": "cron(0/15 * * * ? *)"}, "RetainRule": {"Count": 3}}]}}}),
    );
    refused(
        dir,
        &["--volumes", vols_s, "--policies", cron.to_str().unwrap()],
        &[
            "cron.json",
            "Policy.PolicyDetails.Schedules[0].CreateRule.CronExpression",
            "cron(0/15",
            "more frequent than hourly",
            "give the minutes as one number",
        ],
    );

    let interval = write(
        dir,
        "interval.json",
        &json!({"Policy": {"PolicyId": "policy-8", "PolicyDetails": {"ResourceTypes": ["VOLUME"],
            "TargetTags": [], "Schedules": [{"Name": "q", "CreateRule": {"Interval": 5, "IntervalUnit": "HOURS"}}]}}}),
    );
    refused(
        dir,
        &[
            "--volumes",
            vols_s,
            "--policies",
            interval.to_str().unwrap(),
        ],
        &[
            "interval.json",
            "Schedules[0].CreateRule.Interval",
            "1, 2, 3, 4, 6, 8, 12 or 24",
        ],
    );

    // 300 MiB, sparse: refused from its size, before a byte is read.
    let big = dir.join("big.json");
    fs::File::create(&big).unwrap().set_len(300 << 20).unwrap();
    refused(
        dir,
        &["--volumes", vols_s, "--metrics", big.to_str().unwrap()],
        &["big.json", "314572800 B", "256 MiB", "pages"],
    );
    refused(
        dir,
        &["--volumes", big.to_str().unwrap()],
        &["big.json", "256 MiB"],
    );
}

#[test]
fn used_is_never_silently_full() {
    let d = tempfile::tempdir().unwrap();
    let vols = one_volume(d.path());
    let out = d.path().join("s.json");
    let r = snapsim(&[
        "import",
        "--volumes",
        vols.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--used FRACTION") && err.contains("--used-from-snapshots"),
        "{err}"
    );
    assert!(!out.exists());
}

/// The bundled example (`scenarios/imported/`) is what the importer makes
/// of its fixtures today, byte for byte, and it validates.
#[test]
fn bundled_example_is_current() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("fleet.json");
    let script =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/import-example.sh"))
            .unwrap();
    // The arguments after `import`, as the script gives them.
    let line = script
        .lines()
        .find(|l| l.contains("\"$bin\" import"))
        .expect("the import line of scripts/import-example.sh");
    let folder = script
        .lines()
        .find_map(|l| l.strip_prefix("a="))
        .expect("the a= line of scripts/import-example.sh");
    let args: Vec<String> = line
        .split_whitespace()
        .skip_while(|w| *w != "import")
        .map(|w| w.replace("$a", folder))
        .collect();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = args.iter().position(|a| *a == "--out").unwrap();
    let committed_out = args[at + 1].to_string();
    let o = out.to_str().unwrap().to_string();
    args[at + 1] = &o;
    let r = snapsim(&args);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        fs::read_to_string(root.join(&committed_out)).unwrap(),
        "scenarios/imported/fleet.json is stale: run scripts/import-example.sh"
    );
    let report = fs::read_to_string(d.path().join("import.md"))
        .unwrap()
        .replace(&o, &committed_out);
    assert_eq!(
        report,
        fs::read_to_string(root.join("scenarios/imported/import.md")).unwrap(),
        "scenarios/imported/import.md is stale: run scripts/import-example.sh"
    );
    snapsim::scenario::load(&root.join(&committed_out)).unwrap();
}

/// get-metric-data pages of one query: the same Ids, later periods on the
/// next page. They merge; the same page given twice is refused.
#[test]
fn metric_pages_merge_and_a_repeated_page_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let page = |name: &str, ks: &[i64]| {
        let ops: Vec<f64> = ks.iter().map(|&k| (k + 1) as f64 * 300.0).collect();
        let bytes: Vec<f64> = ops.iter().map(|o| o * 8192.0).collect();
        write(
            d.path(),
            name,
            &json!({"MetricDataResults": [
                result("wo", &format!("{VOL1} VolumeWriteOps"), ks, &ops),
                result("wb", &format!("{VOL1} VolumeWriteBytes"), ks, &bytes),
            ], "NextToken": "t"}),
        )
    };
    let p1 = page("p1.json", &[0, 1]);
    let p2 = page("p2.json", &[2, 3]);
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![
        MetricsFile::parse(p1.to_str().unwrap()),
        MetricsFile::parse(p2.to_str().unwrap()),
    ];
    let g = import::gather(o.clone()).unwrap();
    assert_eq!(g.fitted[0].steps, vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(g.window.unwrap().periods, 4);
    o.metrics.push(MetricsFile::parse(p2.to_str().unwrap()));
    let e = import::gather(o).err().unwrap().to_string();
    assert!(
        e.contains("p2.json") && e.contains("overlaps") && e.contains(VOL1),
        "{e}"
    );
}

/// `existing_snapshot` comes from a `completed` snapshot only: VOL1 has
/// one, VOL2 only a `pending` one, VOL3 only an `error` one. Grouped, an
/// entry is seeded when a strict majority of its members are (1 of 3 here:
/// no; the majority case is the next test), and import.md gives the
/// counts.
#[test]
fn existing_snapshot_is_set_from_a_completed_snapshot_only() {
    let d = tempfile::tempdir().unwrap();
    let v = write(
        d.path(),
        "vols.json",
        &json!({"Volumes": [
            volume(VOL1, "gp3", 8, "us-east-1a", &[]),
            volume(VOL2, "gp3", 8, "us-east-1a", &[]),
            volume(VOL3, "gp3", 8, "us-east-1a", &[]),
        ]}),
    );
    let snap = |id: &str, vol: &str, state: &str| {
        json!({"SnapshotId": id, "VolumeId": vol, "State": state, "Progress": "100%",
               "VolumeSize": 8, "StartTime": "2026-10-31T03:00:00Z",
               "CompletionTime": "2026-10-31T03:10:00Z", "FullSnapshotSizeInBytes": 1_073_741_824u64})
    };
    let s = write(
        d.path(),
        "snaps.json",
        &json!({"Snapshots": [
            snap("snap-1", VOL1, "completed"),
            snap("snap-2", VOL2, "pending"),
            snap("snap-3", VOL3, "error"),
        ]}),
    );
    let mut o = opts(d.path(), vec![v.clone()]);
    o.snapshots = vec![s.clone()];
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    let flags: Vec<bool> = (0..3)
        .map(|i| sc["volumes"][i]["existing_snapshot"] == json!(true))
        .collect();
    assert_eq!(flags, vec![true, false, false], "{}", out.scenario);
    assert!(sc["volumes"][1].get("existing_snapshot").is_none());
    assert!(
        out.report
            .contains("1 of 3 entries start with an existing snapshot"),
        "{}",
        out.report
    );
    assert!(
        out.report.contains("StartTime and the scenario start"),
        "{}",
        out.report
    );
    // The scenario runs: the seeded volume stores its used bytes from t = 0.
    snapsim::scenario::from_str(&out.scenario, "t").expect("valid scenario");

    // One group of all three: 1 of 3 completed, not a majority.
    let mut o = opts(d.path(), vec![v]);
    o.snapshots = vec![s];
    o.group_by = group::parse_keys("type").unwrap();
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    assert_eq!(sc["volumes"][0]["count"], 3);
    assert!(sc["volumes"][0].get("existing_snapshot").is_none());
    assert!(
        out.report
            .contains("1 of 3 volume(s) with a completed snapshot"),
        "{}",
        out.report
    );
}

/// The majority case: 2 of 3 members of one `--group-by` entry have a
/// completed snapshot (the third only a pending one), so the entry starts
/// with an existing snapshot, and import.md gives the exact counts.
#[test]
fn a_group_with_a_majority_of_completed_snapshots_is_seeded() {
    let d = tempfile::tempdir().unwrap();
    let v = write(
        d.path(),
        "vols.json",
        &json!({"Volumes": [
            volume(VOL1, "gp3", 8, "us-east-1a", &[]),
            volume(VOL2, "gp3", 8, "us-east-1a", &[]),
            volume(VOL3, "gp3", 8, "us-east-1a", &[]),
        ]}),
    );
    let snap = |id: &str, vol: &str, state: &str| {
        json!({"SnapshotId": id, "VolumeId": vol, "State": state, "Progress": "100%",
               "VolumeSize": 8, "StartTime": "2026-10-31T03:00:00Z",
               "CompletionTime": "2026-10-31T03:10:00Z"})
    };
    let s = write(
        d.path(),
        "snaps.json",
        &json!({"Snapshots": [
            snap("snap-1", VOL1, "completed"),
            snap("snap-2", VOL2, "completed"),
            snap("snap-3", VOL3, "pending"),
            // A second completed snapshot of VOL1 counts the volume once.
            snap("snap-4", VOL1, "completed"),
        ]}),
    );
    let mut o = opts(d.path(), vec![v]);
    o.snapshots = vec![s];
    o.group_by = group::parse_keys("type").unwrap();
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    assert_eq!(sc["volumes"].as_array().unwrap().len(), 1);
    assert_eq!(sc["volumes"][0]["name"], "gp3");
    assert_eq!(sc["volumes"][0]["count"], 3);
    assert_eq!(sc["volumes"][0]["existing_snapshot"], json!(true));
    assert!(
        out.report
            .contains("1 of 1 entries start with an existing snapshot"),
        "{}",
        out.report
    );
    assert!(
        out.report.contains(
            "  - gp3: 2 of 3 volume(s) with a completed snapshot: existing snapshot, first simulated snapshot incremental.\n"
        ),
        "{}",
        out.report
    );
    // It runs, and every one of the three copies starts seeded.
    let loaded = snapsim::scenario::from_str(&out.scenario, "t").unwrap();
    let r = snapsim::model::simulate(loaded.config, Default::default()).unwrap();
    assert_eq!(r.summary.volumes_with_existing_snapshot, 3);
}

/// Zones and regions: an entry of one volume keeps its zone; a group in
/// several zones of one region keeps the region; a group across regions
/// keeps neither, and import.md says how it splits. A Local Zone is in
/// its parent region. summary.json carries them per volume, and leaves
/// them out for a volume without. A zone ID is refused.
#[test]
fn availability_zone_and_region_are_kept() {
    let d = tempfile::tempdir().unwrap();
    const VOL4: &str = "vol-0123456789abcdef3";
    const VOL5: &str = "vol-0123456789abcdef4";
    let v = write(
        d.path(),
        "vols.json",
        &json!({"Volumes": [
            volume(VOL1, "gp3", 8, "us-east-1a", &[("Role", "db")]),
            volume(VOL2, "gp3", 8, "us-east-1b", &[("Role", "db")]),
            volume(VOL3, "gp3", 8, "us-west-2-lax-1a", &[("Role", "web")]),
            volume(VOL4, "gp3", 8, "us-west-2a", &[("Role", "web")]),
            volume(VOL5, "gp3", 8, "eu-west-2c", &[("Role", "web")]),
        ]}),
    );
    // One entry per volume: each keeps its zone only (the format derives
    // the region).
    let out = import::import(opts(d.path(), vec![v.clone()])).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    let zones: Vec<&str> = (0..5)
        .map(|i| sc["volumes"][i]["availability_zone"].as_str().unwrap())
        .collect();
    assert_eq!(
        zones,
        [
            "us-east-1a",
            "us-east-1b",
            "us-west-2-lax-1a",
            "us-west-2a",
            "eu-west-2c"
        ]
    );
    assert!(sc["volumes"][0].get("region").is_none());
    assert!(
        out.report.contains("5 of 5 entries keep their volumes' availability zone (the scenario format derives the region from it), 0 only their region (the members are in several zones of one region), 0 neither"),
        "{}",
        out.report
    );
    let loaded = snapsim::scenario::from_str(&out.scenario, "t").unwrap();
    let regions: Vec<Option<&str>> = loaded
        .config
        .volumes
        .iter()
        .map(|v| v.region.as_deref())
        .collect();
    assert_eq!(
        regions,
        [
            Some("us-east-1"),
            Some("us-east-1"),
            Some("us-west-2"),
            Some("us-west-2"),
            Some("eu-west-2")
        ]
    );
    let r = snapsim::model::simulate(loaded.config, Default::default()).unwrap();
    let json = serde_json::to_value(&r.summary).unwrap();
    assert_eq!(json["volumes"][2]["region"], "us-west-2");
    assert_eq!(json["volumes"][2]["availability_zone"], "us-west-2-lax-1a");

    // Grouped by Role: db in two zones of us-east-1 keeps the region; web
    // in us-west-2 (two zones) and eu-west-2 keeps neither.
    let mut o = opts(d.path(), vec![v.clone()]);
    o.group_by = group::parse_keys("tag:Role").unwrap();
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    let (db, web) = (&sc["volumes"][0], &sc["volumes"][1]);
    assert_eq!(
        (db["name"].as_str(), db["count"].as_u64()),
        (Some("gp3.db"), Some(2))
    );
    assert_eq!(db["region"], "us-east-1");
    assert!(db.get("availability_zone").is_none());
    assert_eq!(
        (web["name"].as_str(), web["count"].as_u64()),
        (Some("gp3.web"), Some(3))
    );
    assert!(web.get("region").is_none() && web.get("availability_zone").is_none());
    for line in [
        "0 of 2 entries keep their volumes' availability zone (the scenario format derives the region from it), 1 only their region (the members are in several zones of one region), 1 neither (the members are in several regions).",
        "  - gp3.db: 2 volumes in 2 zones of region us-east-1: us-east-1a (1), us-east-1b (1); kept: `region` us-east-1.\n",
        "  - gp3.web: 3 volumes in 2 regions: us-west-2 (2: us-west-2-lax-1a (1), us-west-2a (1)), eu-west-2 (1: eu-west-2c (1)); no zone or region kept.\n",
    ] {
        assert!(out.report.contains(line), "{line:?} not in\n{}", out.report);
    }
    let loaded = snapsim::scenario::from_str(&out.scenario, "t").unwrap();
    let r = snapsim::model::simulate(loaded.config, Default::default()).unwrap();
    let json = serde_json::to_value(&r.summary).unwrap();
    let db1 = &json["volumes"][0];
    assert_eq!(db1["name"], "gp3.db-1");
    assert_eq!(db1["region"], "us-east-1");
    assert!(db1.get("availability_zone").is_none(), "{db1}");
    let web1 = &json["volumes"][2];
    assert_eq!(web1["name"], "gp3.web-1");
    assert!(web1.get("region").is_none() && web1.get("availability_zone").is_none());

    // Grouped by region: the Local Zone volume joins its parent region.
    let mut o = opts(d.path(), vec![v]);
    o.group_by = group::parse_keys("region").unwrap();
    let out = import::import(o).unwrap();
    let sc: Value = serde_json::from_str(&out.scenario).unwrap();
    let names: Vec<&str> = (0..3)
        .map(|i| sc["volumes"][i]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gp3.us-east-1", "gp3.us-west-2", "gp3.eu-west-2"]);
    assert_eq!(sc["volumes"][1]["count"], 2);
    assert_eq!(sc["volumes"][1]["region"], "us-west-2");
    assert_eq!(sc["volumes"][2]["availability_zone"], "eu-west-2c");

    // An AvailabilityZone that is no zone name (a zone ID) is refused at
    // its path, through the binary.
    let zone_id = write(
        d.path(),
        "zoneid.json",
        &json!({"Volumes": [volume(VOL1, "gp3", 8, "use1-az1", &[])]}),
    );
    refused(
        d.path(),
        &["--volumes", zone_id.to_str().unwrap()],
        &[
            "zoneid.json",
            "Volumes[0].AvailabilityZone",
            "\"use1-az1\"",
            "zone ID",
            "us-east-1a",
        ],
    );
}

/// A write rate beyond the scenario format's limit (sums of 1e300 per
/// period) is refused at its result with the rate in exponent form, in a
/// message of normal length, not a 300-digit decimal; so are a negative
/// 1e300 and `--used 1e300`.
#[test]
fn absurd_numbers_are_refused_in_short_messages() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let vols = one_volume(dir);
    let huge = write(
        dir,
        "huge.json",
        &json!({"MetricDataResults": [
            result("wo", &format!("{VOL1} VolumeWriteOps"), &[0, 1], &[1e300, 1e300]),
            result("wb", &format!("{VOL1} VolumeWriteBytes"), &[0, 1], &[1e303, 1e303]),
        ]}),
    );
    let args = [
        "--volumes",
        vols.to_str().unwrap(),
        "--metrics",
        huge.to_str().unwrap(),
    ];
    refused(
        dir,
        &args,
        &[
            "huge.json",
            "MetricDataResults[0]",
            "3.333e297/s",
            "10,000,000/s",
            "Sum",
        ],
    );
    let o = dir.join("out").join("s.json");
    let mut all = vec!["import"];
    all.extend_from_slice(&args);
    all.extend_from_slice(&["--used", "0.5", "--out", o.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&snapsim(&all).stderr).into_owned();
    assert!(err.len() < 600, "{} characters: {err}", err.len());
    assert!(!err.contains("0000000000"), "{err}");

    // A negative sum of that size, and --used of that size: short too.
    let negative = write(
        dir,
        "negative.json",
        &json!({"MetricDataResults": [
            result("wo", &format!("{VOL1} VolumeWriteOps"), &[0], &[-1e300]),
        ]}),
    );
    refused(
        dir,
        &[
            "--volumes",
            vols.to_str().unwrap(),
            "--metrics",
            negative.to_str().unwrap(),
        ],
        &["MetricDataResults[0].Values[0]", "(value: -1.000e300)"],
    );
    let r = snapsim(&[
        "import",
        "--volumes",
        vols.to_str().unwrap(),
        "--used",
        "1e300",
        "--out",
        o.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("--used 1.000e300 is not a fraction"), "{err}");
}

/// `--reads`: a read stream at VolumeReadOps ÷ period of VolumeReadBytes ÷
/// VolumeReadOps each, uniform, and IO fidelity; the run then serves that
/// many reads within Poisson tolerance. Without VolumeReadBytes the size is
/// the stated 16 KiB; without `--reads` nothing changes.
#[test]
fn reads_become_a_read_stream_at_io_fidelity() {
    let d = tempfile::tempdir().unwrap();
    let ks: Vec<i64> = (0..12).collect();
    let per = |x: f64| vec![x; ks.len()];
    let m = write(
        d.path(),
        "m.json",
        &json!({"MetricDataResults": [
            result("a", &format!("{VOL1} VolumeWriteOps"), &ks, &per(30_000.0)),
            result("b", &format!("{VOL1} VolumeWriteBytes"), &ks, &per(30_000.0 * 16384.0)),
            result("c", &format!("{VOL1} VolumeReadOps"), &ks, &per(60_000.0)),
            result("e", &format!("{VOL1} VolumeReadBytes"), &ks, &per(60_000.0 * 8192.0)),
        ]}),
    );
    let mut o = opts(d.path(), vec![one_volume(d.path())]);
    o.metrics = vec![MetricsFile::parse(m.to_str().unwrap())];
    let plain = import::import(o.clone()).unwrap();
    let p: Value = serde_json::from_str(&plain.scenario).unwrap();
    assert!(p.get("fidelity").is_none());
    assert!(p["volumes"][0]["workload"].get("reads").is_none());
    assert!(plain.report.contains("not simulated"));

    o.reads = true;
    let imported = import::import(o.clone()).unwrap();
    let s: Value = serde_json::from_str(&imported.scenario).unwrap();
    assert_eq!(s["fidelity"], "io");
    assert_eq!(
        s["volumes"][0]["workload"]["reads"],
        json!({"rate": "200/s", "size": "8192B", "pattern": "uniform"})
    );
    assert_eq!(s["volumes"][0]["workload"]["writes"]["rate"], "100/s");
    assert!(imported.report.contains("(`--reads`)"));
    let sc = snapsim::scenario::from_str(&imported.scenario, "imported").unwrap();
    let meta = snapsim::model::RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions: vec![],
        measurements: vec![],
    };
    let r = snapsim::model::simulate(sc.config, meta).unwrap();
    let summary = serde_json::to_value(&r.summary).unwrap();
    let reads: f64 = summary["volumes"][0]["latency"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["op"] == "read")
        .flat_map(|l| l["levels"].as_array().unwrap().iter())
        .map(|l| l["count"].as_f64().unwrap())
        .sum();
    let expected = 60_000.0 * 12.0;
    assert!(
        (reads - expected).abs() <= 5.0 * expected.sqrt(),
        "{reads} reads served, {expected} in the metrics"
    );

    // Read ops without read bytes: the assumed 16 KiB.
    let m2 = write(
        d.path(),
        "m2.json",
        &json!({"MetricDataResults": [
            result("c", &format!("{VOL1} VolumeReadOps"), &ks, &per(60_000.0)),
        ]}),
    );
    o.metrics = vec![MetricsFile::parse(m2.to_str().unwrap())];
    let s: Value = serde_json::from_str(&import::import(o).unwrap().scenario).unwrap();
    assert_eq!(s["volumes"][0]["workload"]["reads"]["size"], "16384B");
    assert!(s["volumes"][0]["workload"].get("writes").is_none());
}
