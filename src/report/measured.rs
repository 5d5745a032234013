//! "Measured against simulated": the scenario's published measurements
//! (calibration) beside what the run gave, in the report and the terminal.

use super::markup::Block;
use super::table::human_seconds;
use crate::metrics::summary::{Measurement, RunSummary};

/// What a row measures, in words.
fn what(m: &Measurement) -> &'static str {
    match m.what.as_str() {
        "first_snapshot" => "first (full) snapshot, time pending",
        _ => "value",
    }
}

fn simulated(m: &Measurement) -> String {
    m.simulated_seconds
        .map_or_else(|| "not completed".to_string(), human_seconds)
}

fn range(m: &Measurement) -> String {
    m.range_seconds.map_or_else(
        || "—".to_string(),
        |[lo, hi]| format!("{} – {}", human_seconds(lo), human_seconds(hi)),
    )
}

fn verdict(m: &Measurement) -> &'static str {
    match m.inside_range {
        Some(true) => "inside",
        Some(false) => "OUTSIDE",
        None => "—",
    }
}

/// One sentence: how many rows land inside their range.
pub fn sentence(s: &RunSummary) -> Option<String> {
    let ranged: Vec<&Measurement> = s
        .measurements
        .iter()
        .filter(|m| m.inside_range.is_some())
        .collect();
    if s.measurements.is_empty() {
        return None;
    }
    let inside = ranged
        .iter()
        .filter(|m| m.inside_range == Some(true))
        .count();
    Some(format!(
        "{inside} of {} measured values with a range land inside it ({} rows in all; source: {})",
        ranged.len(),
        s.measurements.len(),
        s.measurements[0].source
    ))
}

/// Terminal lines: one per row.
pub fn lines(s: &RunSummary) -> Vec<String> {
    let mut out: Vec<String> = sentence(s)
        .into_iter()
        .map(|l| format!("measured: {l}"))
        .collect();
    for m in &s.measurements {
        out.push(format!(
            "  {}: {} measured {}, simulated {} (range {}: {})",
            m.volume,
            what(m),
            human_seconds(m.measured_seconds),
            simulated(m),
            range(m),
            verdict(m)
        ));
    }
    out
}

/// The report section, if the scenario has measurements.
pub fn section(b: &mut Vec<Block>, s: &RunSummary) {
    let Some(head) = sentence(s) else {
        return;
    };
    b.push(Block::Heading(2, "Measured against simulated".into()));
    b.push(Block::Para(format!(
        "{head}. The range is the spread the published measurements allow; a simulated \
         value outside it means a default or an input is off for this setup."
    )));
    b.push(Block::Table(
        vec![
            "volume".into(),
            "what".into(),
            "measured".into(),
            "simulated".into(),
            "simulated ÷ measured".into(),
            "range".into(),
            "inside".into(),
        ],
        s.measurements
            .iter()
            .map(|m| {
                vec![
                    m.volume.clone(),
                    what(m).into(),
                    human_seconds(m.measured_seconds),
                    simulated(m),
                    m.simulated_seconds
                        .map_or_else(|| "—".into(), |x| format!("{:.2}", x / m.measured_seconds)),
                    range(m),
                    verdict(m).into(),
                ]
            })
            .collect(),
    ));
}
