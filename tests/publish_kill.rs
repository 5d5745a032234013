//! Results publishing under SIGKILL: `snapsim run` is killed after every
//! step of publishing (paused there by the test hook
//! `SNAPSIM_PUBLISH_PAUSE_MS`, see `report::atomic`) and at timed moments
//! without the hook, on both the rename-exchange path and the fallback
//! (`SNAPSIM_PUBLISH_NO_EXCHANGE`). After each kill the folder must hold
//! exactly the complete old set or the complete new set (on the fallback,
//! between "renamed old away" and "renamed new in", it may be briefly absent
//! with the complete old set beside it); after the next run it must hold the
//! new set and nothing else may be left beside it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SCENARIO: &str = r#"{"name": "k", "duration": "2h",
  "volumes": [{"name": "v", "type": "gp3", "size": "8GiB", "used": "1GiB",
    "workload": {"writes": {"rate": "20/s", "size": "16KiB"}},
    "snapshots": {"every": "30m"}}]}"#;

type Files = BTreeMap<String, Vec<u8>>;

fn files(dir: &Path) -> Option<Files> {
    let entries = std::fs::read_dir(dir).ok()?;
    Some(
        entries
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect(),
    )
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// `snapsim run` of the old set (seed 1, with report) or the new set (seed
/// 2, `--no-report`: fewer files, so leftovers of the old set show).
fn command(scenario: &Path, out: &Path, new: bool) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_snapsim"));
    // From the folder's parent, as `--out out`: the command line recorded
    // in summary.json is then the same for every folder of the test.
    c.current_dir(out.parent().unwrap())
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out.file_name().unwrap())
        .arg("--quiet")
        .env_remove("SNAPSIM_PUBLISH_PAUSE_MS")
        .env_remove("SNAPSIM_PUBLISH_NO_EXCHANGE")
        .stdin(Stdio::null());
    if new {
        c.args(["--seed", "2", "--no-report"]);
    }
    c
}

fn run_ok(mut c: Command) {
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

struct Sets {
    old: Files,
    new: Files,
}

/// The state right after a kill: the folder is one complete set; on the
/// fallback it may be absent with the complete old set beside it.
fn check_after_kill(parent: &Path, out: &Path, sets: &Sets, label: &str) {
    match files(out) {
        Some(f) if f == sets.old || f == sets.new => {}
        Some(f) => panic!(
            "{label}: the folder holds a mixture: {:?}",
            f.keys().collect::<Vec<_>>()
        ),
        None => {
            let aside: Vec<String> = names(parent)
                .into_iter()
                .filter(|n| n.starts_with(".out.old-"))
                .collect();
            assert_eq!(aside.len(), 1, "{label}: folder absent, nothing aside");
            assert_eq!(
                files(&parent.join(&aside[0])).as_ref(),
                Some(&sets.old),
                "{label}: folder absent and the old set aside is incomplete"
            );
        }
    }
}

/// The next, uninterrupted run publishes the new set and leaves no litter.
fn check_next_run(scenario: &Path, parent: &Path, out: &Path, sets: &Sets, label: &str) {
    run_ok(command(scenario, out, true));
    assert_eq!(files(out).as_ref(), Some(&sets.new), "{label}: next run");
    assert_eq!(
        names(parent),
        ["out"],
        "{label}: litter left beside the folder"
    );
}

fn kill(mut child: Child) {
    let _ = child.kill(); // SIGKILL on Unix; a no-op once it has exited
    child.wait().unwrap();
}

fn setup(tmp: &Path) -> (std::path::PathBuf, Sets) {
    let scenario = tmp.join("k.json");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let (a, b) = (tmp.join("ref-old/out"), tmp.join("ref-new/out"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d.parent().unwrap()).unwrap();
    }
    run_ok(command(&scenario, &a, false));
    run_ok(command(&scenario, &b, true));
    let sets = Sets {
        old: files(&a).unwrap(),
        new: files(&b).unwrap(),
    };
    assert_ne!(sets.old, sets.new);
    assert!(
        sets.old.len() > sets.new.len(),
        "the new set has fewer files"
    );
    assert!(sets.new.contains_key(".snapsim-results"));
    (scenario, sets)
}

#[test]
fn a_kill_after_any_publishing_step_leaves_one_complete_set() {
    let tmp = tempfile::tempdir().unwrap();
    let (scenario, sets) = setup(tmp.path());
    for exchange in [true, false] {
        let mut step = 0;
        loop {
            let parent = tmp.path().join(format!("trial-{exchange}-{step}"));
            std::fs::create_dir(&parent).unwrap();
            let out = parent.join("out");
            run_ok(command(&scenario, &out, false));
            let mut c = command(&scenario, &out, true);
            c.env("SNAPSIM_PUBLISH_PAUSE_MS", "150")
                .stderr(Stdio::piped());
            if !exchange {
                c.env("SNAPSIM_PUBLISH_NO_EXCHANGE", "1");
            }
            let mut child = c.spawn().unwrap();
            let stderr = BufReader::new(child.stderr.take().unwrap());
            // Read up to the step-th "publish:" line (0: kill at once).
            let mut seen = Vec::new();
            let mut lines = stderr.lines();
            while seen.len() < step {
                match lines.next() {
                    Some(Ok(l)) if l.starts_with("publish: ") => seen.push(l),
                    Some(Ok(_)) => {}
                    _ => break,
                }
            }
            let finished = seen.len() < step;
            kill(child);
            let label = format!(
                "exchange={exchange}, killed after {:?}",
                seen.last().map_or("start", String::as_str)
            );
            check_after_kill(&parent, &out, &sets, &label);
            check_next_run(&scenario, &parent, &out, &sets, &label);
            if finished {
                break;
            }
            step += 1;
        }
        // Staged files, the marker, the swap (one or two renames), the removal.
        let least = sets.new.len() + 2;
        assert!(
            step > least,
            "exchange={exchange}: only {step} steps were seen"
        );
    }
}

#[test]
fn a_kill_at_timed_moments_leaves_one_complete_set() {
    let tmp = tempfile::tempdir().unwrap();
    let (scenario, sets) = setup(tmp.path());
    // How long an uninterrupted run takes, to spread the kills over it.
    let probe = tmp.path().join("probe/out");
    std::fs::create_dir_all(probe.parent().unwrap()).unwrap();
    let started = Instant::now();
    run_ok(command(&scenario, &probe, true));
    let full = started.elapsed();
    for i in 0..12u32 {
        let parent = tmp.path().join(format!("timed-{i}"));
        std::fs::create_dir(&parent).unwrap();
        let out = parent.join("out");
        run_ok(command(&scenario, &out, false));
        let mut c = command(&scenario, &out, true);
        if i % 2 == 1 {
            c.env("SNAPSIM_PUBLISH_NO_EXCHANGE", "1");
        }
        let child = c.spawn().unwrap();
        // From 40 % to 150 % of the run time: publishing comes last.
        std::thread::sleep(full.mul_f64(0.4 + 0.1 * f64::from(i)));
        kill(child);
        let label = format!("timed kill {i}");
        check_after_kill(&parent, &out, &sets, &label);
        check_next_run(&scenario, &parent, &out, &sets, &label);
    }
    assert!(full < Duration::from_secs(60));
}
