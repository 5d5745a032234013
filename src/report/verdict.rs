//! The answer in plain words, and how a censoring-aware quantile is written.
//!
//! The verdict is one paragraph built only from `summary.json` numbers (the
//! run-wide `pending_seconds`, the volumes' request counts and limits), so
//! the terminal, `report.html` and `report.md` say the same thing and a test
//! can check every number in it against the summary.
//!
//! A quantile the Kaplan–Meier estimate cannot place (the run ended first) is
//! written `> 6h12m`: a planner must not read a lower bound as a value.

use super::table::human_seconds;
use crate::metrics::summary::{PendingTime, Quantile};
use crate::metrics::RunSummary;

/// A quantile as `1h18m`, or `> 6h12m` for a lower bound.
pub fn quantile_human(q: Quantile) -> String {
    match q {
        Quantile::Exact(s) => human_seconds(s),
        Quantile::AtLeast(s) => format!("> {}", human_seconds(s)),
    }
}

/// A quantile as `1h18m (4680.0 s)`, or `> 6h12m (> 22320.0 s)`.
pub fn quantile_cell(q: Quantile) -> String {
    match q {
        Quantile::Exact(s) => format!("{} ({s:.1} s)", human_seconds(s)),
        Quantile::AtLeast(s) => format!("> {} (> {s:.1} s)", human_seconds(s)),
    }
}

/// `99 % finished within 1h18m`, or, for a lower bound, `the 99 % mark
/// lies beyond 6h12m (the run ended first)`.
fn level(what: &str, q: Quantile) -> String {
    match q {
        Quantile::Exact(s) => format!("{what} finished within {}", human_seconds(s)),
        Quantile::AtLeast(s) => format!(
            "the {what} mark lies beyond {} (the run ended first)",
            human_seconds(s)
        ),
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The verdict paragraph, e.g. "22 of 24 scheduled snapshots completed (22
/// accepted); 2 requests failed after 7 rejected calls (7 ×
/// `ConcurrentSnapshotLimitExceeded`, limit 5 pending). Time pending, …:
/// 99 % finished within 1h18m, 95 % finished within 1h18m, 50 % finished
/// within 58m26s; the longest took 2h22m."
pub fn verdict(s: &RunSummary) -> String {
    let vols = &s.volumes;
    let scheduled: u64 = vols.iter().map(|v| v.requests.scheduled).sum();
    let accepted: u64 = vols.iter().map(|v| v.requests.accepted).sum();
    let failed: u64 = vols.iter().map(|v| v.requests.failed).sum();
    let skipped: u64 = vols.iter().map(|v| v.requests.skipped).sum();
    let mut codes: std::collections::BTreeMap<&str, u64> = Default::default();
    for v in vols {
        for (c, n) in &v.requests.rejected {
            *codes.entry(c.as_str()).or_insert(0) += n;
        }
    }
    let rejected: u64 = codes.values().sum();
    let Some(p) = &s.pending_seconds else {
        let mut out = format!(
            "No snapshot was accepted: {} scheduled, {}.",
            plural(scheduled, "request", "requests"),
            plural(rejected, "call rejected", "calls rejected")
        );
        for line in overload_sentences(s) {
            out.push(' ');
            out.push_str(&line);
        }
        return out;
    };
    let mut out = format!(
        "{} of {} scheduled snapshots completed ({} accepted",
        p.completed, scheduled, accepted
    );
    // The caveat concerns estimates the censored snapshots feed into; a
    // lower bound needs none.
    let estimated = [p.p50, p.p95, p.p99].iter().any(|q| !q.is_lower_bound());
    if p.unfinished > 0 && estimated {
        out.push_str(&format!(
            ", {} still pending when the run ended",
            p.unfinished
        ));
    }
    out.push(')');
    if rejected > 0 || failed > 0 {
        let limits: std::collections::BTreeSet<u32> =
            vols.iter().map(|v| v.pending_limit).collect();
        let limit = match limits.iter().collect::<Vec<_>>().as_slice() {
            [one] => format!("limit {one} pending"),
            _ => "limits by volume".to_string(),
        };
        let by_code: Vec<String> = codes
            .iter()
            .map(|(c, n)| {
                if *c == "ConcurrentSnapshotLimitExceeded" {
                    format!("{n} × `{c}`, {limit}")
                } else {
                    format!("{n} × `{c}`")
                }
            })
            .collect();
        out.push_str(&format!(
            "; {} failed after {} ({})",
            plural(failed, "request", "requests"),
            plural(rejected, "rejected call", "rejected calls"),
            by_code.join("; ")
        ));
    }
    if skipped > 0 {
        out.push_str(&format!(
            "; {} skipped by the policy",
            plural(skipped, "request was", "requests were")
        ));
    }
    out.push_str(". ");
    out.push_str(&pending_sentence(p));
    for line in overload_sentences(s) {
        out.push(' ');
        out.push_str(&line);
    }
    out
}

/// One sentence per volume whose IO queue outgrew its bound: the run's
/// latency answer for that volume is "overloaded", not a number.
pub fn overload_sentences(s: &RunSummary) -> Vec<String> {
    s.volumes
        .iter()
        .filter_map(|v| {
            let st = v.station.as_ref()?;
            let at = st.overloaded_at_seconds?;
            Some(format!(
                "Volume {} is overloaded: its IO queue reached its bound after {}, so {:.1} % of its {} IOs never completed ({} shed); its latency figures cover only the IOs queued before. Lower its IO rate or raise its IOPS and throughput.",
                v.name,
                crate::report::table::human_seconds(at),
                100.0 * st.never_completed_fraction,
                st.submitted,
                st.shed
            ))
        })
        .collect()
}

/// "Time pending (Kaplan–Meier, unfinished snapshots censored at the end):
/// 99 % finished within …, 95 % within …, half within …; the longest …".
fn pending_sentence(p: &PendingTime) -> String {
    let longest = match p.max {
        Quantile::Exact(s) => format!("the longest took {}", human_seconds(s)),
        Quantile::AtLeast(s) => format!(
            "the longest is still pending after more than {}",
            human_seconds(s)
        ),
    };
    let mut out = format!(
        "Time pending, request to completed (Kaplan–Meier, snapshots unfinished at the end counted as censored): {}, {}, {}; {longest}.",
        level("99 %", p.p99),
        level("95 %", p.p95),
        level("50 %", p.p50),
    );
    // The caveat concerns estimates the censored snapshots feed into; a
    // lower bound needs none.
    let estimated = [p.p50, p.p95, p.p99].iter().any(|q| !q.is_lower_bound());
    if p.unfinished > 0 && estimated {
        out.push_str(&format!(
            " The estimate assumes the {} unfinished {} will fare like the completed ones; in a backlog that grows through the run they fare worse, so read the figures as optimistic, or simulate longer.",
            p.unfinished,
            if p.unfinished == 1 { "snapshot" } else { "snapshots" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_bounds_are_marked() {
        assert_eq!(quantile_human(Quantile::Exact(4680.0)), "1h18m");
        assert_eq!(quantile_human(Quantile::AtLeast(22_320.0)), "> 6h12m");
        assert_eq!(
            quantile_cell(Quantile::AtLeast(22_320.0)),
            "> 6h12m (> 22320.0 s)"
        );
    }
}
