//! The files of `snapsim plan`: `plan.csv` (every evaluated point),
//! `plan.json` (the answer, its interval, the direction, the definition and
//! the runs against a plain grid), the chart `plan.svg` / `plan.png`, the
//! report `plan.md` / `plan.html`, and the journal `runs.jsonl` in its
//! final order. Built from the goal and its outcome alone, so a resumed
//! search writes the same bytes.

use super::charts::plan::PlanChart;
use super::charts::tornado::metric_kind;
use super::charts::{ChartError, Format};
use super::markup::{to_html, to_markdown, Block};
use super::sweep_data::MetricKind;
use super::table::{human_bytes, human_seconds};
use crate::goal::search::summary;
use crate::goal::{Goal, Outcome, Status};
use std::fmt::Write as _;

/// A metric value in its unit, for text.
fn show(metric: &str, x: f64) -> String {
    match metric_kind(metric) {
        MetricKind::Seconds => human_seconds(x),
        MetricKind::Bytes => human_bytes(x),
        MetricKind::Usd => format!("{x:.2} USD"),
        MetricKind::Micros => format!("{:.3} ms", x / 1e3),
        MetricKind::Count => format!("{x:.4}"),
    }
}

fn num(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

fn csv(goal: &Goal, o: &Outcome) -> Vec<u8> {
    let mut out = String::from("order,value,runs,n,mean,sd,ci_low,ci_high,decision\n");
    for p in &o.points {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            p.order,
            goal.value_text(p.x),
            p.runs,
            p.n,
            num(p.mean),
            num(p.sd),
            num(p.low),
            num(p.high),
            p.decision.as_str()
        );
    }
    out.into_bytes()
}

/// The sentence that answers the question.
pub fn answer_sentence(goal: &Goal, o: &Outcome) -> String {
    let t = goal.target.text();
    let conf = super::charts::tidy(goal.confidence * 100.0);
    match o.status {
        Status::HoldsAtBothEnds => format!(
            "`{t}` holds at both ends ({} and {}) at {conf} % confidence: nothing switches in this range; widen --between towards the values where it fails.",
            goal.value_text(goal.lo),
            goal.value_text(goal.hi)
        ),
        Status::FailsAtBothEnds => format!(
            "`{t}` holds at neither end ({} and {}) at {conf} % confidence (failing or undecided at the cap): no value in this range meets it; widen --between, or raise --max-runs if an end is undecided.",
            goal.value_text(goal.lo),
            goal.value_text(goal.hi)
        ),
        Status::Found => {
            let (Some(a), Some((l, h)), Some(dir)) = (o.answer, o.interval(goal), o.direction)
            else {
                return String::new();
            };
            let which = match dir {
                crate::goal::Direction::Smallest => "smallest",
                crate::goal::Direction::Largest => "largest",
            };
            let open = if o.decided_fail.is_none() {
                " (its failing end is the range end, which was undecided, not decided failing)"
            } else {
                ""
            };
            format!(
                "The {which} `{}` for which `{t}` holds at {conf} % confidence is **{}**; the switch lies in [{}, {}]{open}.",
                goal.path,
                goal.value_text(a),
                goal.value_text(l),
                goal.value_text(h)
            )
        }
    }
}

/// Every file of the plan; `command` is quoted in the Reproduce section.
///
/// # Errors
/// [`ChartError`] if the chart cannot be drawn.
pub fn plan_files(
    goal: &Goal,
    o: &Outcome,
    command: &str,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let doc = summary(goal, o);
    let mut json = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    json.push(b'\n');
    let chart = PlanChart { goal, outcome: o };
    let svg = chart.render(Format::Svg)?;
    let png = chart.render(Format::Png)?;
    let metric = goal.target.metric.as_str();
    let conf = super::charts::tidy(goal.confidence * 100.0);
    let mut b = vec![Block::Heading(1, format!("Plan: {}", goal.name))];
    b.push(Block::Para(format!(
        "Question: which value of `{}` between {} and {} makes `{}` hold, at {conf} % confidence{}?",
        goal.path,
        goal.value_text(goal.lo),
        goal.value_text(goal.hi),
        goal.target.text(),
        goal.deadline
            .as_ref()
            .map(|d| format!(", with the deadline {d}"))
            .unwrap_or_default()
    )));
    b.push(Block::Heading(2, "Answer".into()));
    b.push(Block::Para(answer_sentence(goal, o)));
    let grid = &doc["grid_comparison"];
    b.push(Block::Para(format!(
        "{} points evaluated with {} runs in all; a plain grid from {} to {} at the resolution {} would have {} points, {} runs at the same {} runs per point.",
        o.points.len(),
        o.runs,
        goal.value_text(goal.lo),
        goal.value_text(goal.hi),
        super::charts::tidy(goal.resolution) + &goal.unit,
        grid["points"],
        grid["runs"],
        grid["runs_per_point"]
    )));
    b.push(Block::Heading(2, "Evaluated points".into()));
    b.push(Block::Table(
        vec![
            "order".into(),
            format!("`{}`", goal.path),
            "runs".into(),
            format!("mean {metric}"),
            format!("{conf} % CI"),
            "decision".into(),
        ],
        o.points
            .iter()
            .map(|p| {
                vec![
                    p.order.to_string(),
                    goal.value_text(p.x),
                    p.runs.to_string(),
                    p.mean.map_or_else(|| "—".into(), |m| show(metric, m)),
                    match (p.low, p.high) {
                        (Some(l), Some(h)) => format!("{} … {}", show(metric, l), show(metric, h)),
                        _ => "—".into(),
                    },
                    p.decision.as_str().to_string(),
                ]
            })
            .collect(),
    ));
    b.push(Block::Chart {
        stem: "plan".into(),
        caption: format!(
            "Mean of {metric} with its {conf} % confidence interval at every evaluated value, coloured by decision; dashed: the target; shaded: the switch point's interval; line: the answer"
        ),
        svg: String::from_utf8_lossy(&svg).into_owned(),
    });
    b.push(Block::Heading(2, "Method".into()));
    b.push(Block::List(vec![
        format!("Both ends first, then bisection until the bracket is at most {}{} wide (the resolution).", super::charts::tidy(goal.resolution), goal.unit),
        format!("At each value, replications in rounds of {} up to {} runs, until the Student-t {conf} % interval of the mean lies wholly on one side of {} (holds or fails); at the cap the point is undecided and steers the search as failing, so the answer is a value that held.", crate::goal::ROUND.min(goal.max_runs), goal.max_runs, goal.target.value),
        "Replication r uses the same seed at every value (common random numbers), so differences between values are not noise between seeds.".into(),
        "The interval of the switch point runs from the nearest value decided failing to the answer; it assumes the metric's mean is monotone in the parameter. Runs with zero spread give a zero-width interval.".into(),
    ]));
    b.push(Block::Para(
        "Files: [plan.csv](plan.csv) (every point), [plan.json](plan.json) (answer, interval, definition), [runs.jsonl](runs.jsonl) (every run's metrics row).".into(),
    ));
    b.push(Block::Heading(2, "Reproduce".into()));
    b.push(Block::Code(command.to_string()));
    Ok(vec![
        ("runs.jsonl".to_string(), o.journal.clone()),
        ("plan.csv".to_string(), csv(goal, o)),
        ("plan.json".to_string(), json),
        ("plan.svg".to_string(), svg),
        ("plan.png".to_string(), png),
        ("plan.md".to_string(), to_markdown(&b).into_bytes()),
        (
            "plan.html".to_string(),
            to_html(&format!("Plan: {}", goal.name), &b).into_bytes(),
        ),
    ])
}
