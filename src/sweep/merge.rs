//! `snapsim merge`: combines the journals of shard directories into exactly
//! the files a single-process sweep writes. Refuses shards of different
//! scenarios or sweeps (by the scenario hash in each journal's header),
//! shards given twice, missing shards, and missing, duplicate or unexpected
//! runs; each refusal names the directories concerned.

use super::error::SweepError;
use super::output::write_final;
use super::plan::{source_hash, Plan};
use super::record::{read_journal, RunRecord};
use super::rounds::Rounds;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeReport {
    /// Scenario name.
    pub scenario: String,
    /// Shards merged.
    pub shards: usize,
    /// Runs in the merged files.
    pub runs: usize,
}

/// Merges `shard_dirs` into `out`.
///
/// # Errors
/// [`SweepError::Merge`] for shards that do not fit together; IO errors.
pub fn merge(out: &Path, shard_dirs: &[PathBuf]) -> Result<MergeReport, SweepError> {
    let fail = |m: String| Err(SweepError::Merge(m));
    let mut first: Option<(PathBuf, super::record::Header)> = None;
    let mut seen_shards: BTreeMap<u32, PathBuf> = BTreeMap::new();
    let mut runs: BTreeMap<(usize, u32), (RunRecord, PathBuf)> = BTreeMap::new();
    for dir in shard_dirs {
        let path = dir.join("runs.jsonl");
        if !path.exists() {
            return fail(format!(
                "{} has no runs.jsonl; give the output directories of `snapsim sweep --shard I/N`",
                dir.display()
            ));
        }
        let journal = read_journal(&path)?;
        let Some(shard) = journal.header.shard else {
            return fail(format!(
                "{} holds a whole sweep, not a shard; it needs no merge",
                dir.display()
            ));
        };
        if source_hash(&journal.header.source) != journal.header.scenario_hash {
            return fail(format!("{}: the scenario in the header does not match its hash; the file was edited or damaged", path.display()));
        }
        if let Some((d0, h0)) = &first {
            if h0.scenario_hash != journal.header.scenario_hash {
                return fail(format!(
                    "{} and {} are shards of different scenarios or sweeps (scenario hash {} vs {})",
                    d0.display(), dir.display(), h0.scenario_hash, journal.header.scenario_hash
                ));
            }
            let n0 = h0.shard.map_or(0, |s| s.count);
            if n0 != shard.count {
                return fail(format!(
                    "{} is shard {}/{} but {} is of a split into {n0}",
                    dir.display(),
                    shard.index,
                    shard.count,
                    d0.display()
                ));
            }
        } else {
            first = Some((dir.clone(), journal.header.clone()));
        }
        if let Some(other) = seen_shards.insert(shard.index, dir.clone()) {
            return fail(format!(
                "shard {}/{} is given twice: {} and {}",
                shard.index,
                shard.count,
                other.display(),
                dir.display()
            ));
        }
        for r in journal.records {
            let key = r.key();
            if let Some((_, other)) = runs.get(&key) {
                return fail(format!(
                    "run {} of point {} appears twice ({} and {})",
                    key.1,
                    key.0,
                    other.display(),
                    dir.display()
                ));
            }
            runs.insert(key, (r, dir.clone()));
        }
    }
    let Some((d0, header)) = first else {
        return fail("no shard directories given".to_string());
    };
    let count = header.shard.map_or(0, |s| s.count);
    let missing: Vec<String> = (0..count)
        .filter(|i| !seen_shards.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return fail(format!(
            "shard(s) {} are missing; give every shard directory",
            missing.join(", ")
        ));
    }
    let plan = Plan::from_source(
        header.source.clone(),
        &format!("{} (runs.jsonl header)", d0.display()),
    )?;
    let mut rounds = Rounds::new(&plan, None);
    let metric = rounds.metric().map(str::to_string);
    let mut records = Vec::with_capacity(runs.len());
    loop {
        let round = rounds.next_round(&|p, r| {
            let rec = runs.get(&(p, r)).map(|(rec, _)| rec);
            metric
                .as_deref()
                .and_then(|m| rec.and_then(|rec| rec.metric(m)))
        });
        if round.is_empty() {
            break;
        }
        for k in &round {
            if !runs.contains_key(k) {
                return fail(format!("run {} of point {} is in no shard; rerun its shard with --resume, then merge again", k.1, k.0));
            }
        }
        records.extend(round);
    }
    if records.len() != runs.len() {
        let extra = runs
            .keys()
            .find(|k| !records.contains(k))
            .copied()
            .unwrap_or_default();
        return fail(format!(
            "run {} of point {} ({}) is not part of the sweep",
            extra.1,
            extra.0,
            runs[&extra].1.display()
        ));
    }
    let records: Vec<RunRecord> = runs.into_values().map(|(r, _)| r).collect();
    let whole = plan.header(None);
    write_final(out, &plan, &whole, &records)?;
    Ok(MergeReport {
        scenario: plan.name,
        shards: seen_shards.len(),
        runs: records.len(),
    })
}
