//! `--compare`: simulates the imported scenario (nothing is written) and
//! sets each entry's simulated time pending beside the time pending
//! observed in `describe-snapshots`, the first calibration check a user
//! can run on their own account.
//!
//! Simulated time pending is request → completed of the snapshots that
//! completed inside the window. The first snapshot of each volume is
//! counted apart from the later, incremental ones: where the entry starts
//! with an existing snapshot (`existing_snapshot`, set from a completed
//! snapshot in the history) it is incremental too, so it compares with the
//! observed incremental snapshots; elsewhere it is full ([`Simulated::seeded`]
//! says which, and the report labels it).

use super::group::Entry;
use super::ImportError;

/// Simulated times pending [s] of one entry's volumes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simulated {
    /// The volumes' first snapshots: incremental when `seeded`, else full.
    pub first: Vec<f64>,
    /// Whether the entry's volumes start with an existing snapshot.
    pub seeded: bool,
    /// Their later (incremental) snapshots.
    pub later: Vec<f64>,
}

/// Runs the scenario `text` and collects, per entry, the simulated times
/// pending.
///
/// # Errors
/// [`ImportError::Options`] when the run is refused (beyond the work or
/// memory limits).
pub fn simulate(text: &str, name: &str, entries: &[Entry]) -> Result<Vec<Simulated>, ImportError> {
    let refused = |e: String| {
        ImportError::Options {
        problem: format!("--compare: the imported scenario cannot be simulated here: {e}"),
        fix: "leave out --compare and run the scenario with `snapsim run` (with --allow-large if you mean it)".into(),
    }
    };
    let sc = crate::scenario::from_str(text, name).map_err(|e| refused(e.to_string()))?;
    let meta = crate::model::RunMeta {
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        source: sc.source.clone(),
        assumptions: vec![],
        measurements: vec![],
    };
    let seeded: Vec<bool> = sc
        .config
        .volumes
        .iter()
        .map(|v| v.existing_snapshot)
        .collect();
    let result = crate::model::simulate(sc.config, meta).map_err(|e| refused(e.to_string()))?;
    // Volume index (after `count` expansion) → entry.
    let mut entry_of = Vec::new();
    for (k, e) in entries.iter().enumerate() {
        entry_of.extend(std::iter::repeat(k).take(e.members.len()));
    }
    let mut out = vec![Simulated::default(); entries.len()];
    for (i, &yes) in seeded.iter().enumerate() {
        if let Some(&k) = entry_of.get(i) {
            out[k].seeded |= yes;
        }
    }
    let mut seen = vec![false; entry_of.len()];
    let mut records: Vec<_> = result
        .snapshots
        .iter()
        .filter(|r| r.completed_at.is_some())
        .collect();
    records.sort_by_key(|r| (r.volume, r.requested_at));
    for r in records {
        let (Some(&k), Some(done)) = (entry_of.get(r.volume), r.completed_at) else {
            continue;
        };
        let secs = done.saturating_since(r.requested_at).as_secs_f64();
        if seen[r.volume] {
            out[k].later.push(secs);
        } else {
            seen[r.volume] = true;
            out[k].first.push(secs);
        }
    }
    Ok(out)
}
