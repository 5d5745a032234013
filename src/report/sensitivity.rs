//! The files of a sensitivity study: `sensitivity.csv` and
//! `sensitivity.json` (every effect), one tornado chart per metric (SVG and
//! PNG), and `sensitivity.md` / `sensitivity.html`, whose first section
//! says in words which unknowns decide each answer.

use super::charts::tornado::{metric_kind, Tornado};
use super::charts::{ChartError, Format};
use super::markup::{to_html, to_markdown, Block};
use super::sweep_data::MetricKind;
use super::table::{human_bytes, human_seconds};
use crate::sensitivity::effects::Effect;
use crate::sensitivity::morris::Screening;
use crate::sensitivity::Design;
use serde_json::json;
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

fn opt(metric: &str, x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| show(metric, x))
}

fn value_text(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn csv(effects: &[Effect]) -> Vec<u8> {
    let mut out = String::from(
        "metric,factor,low_value,high_value,base_mean,low_mean,high_mean,swing,abs_swing,runs_base,runs_low,runs_high\n",
    );
    let num = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for e in effects {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            e.metric,
            e.factor,
            value_text(&e.low_value),
            value_text(&e.high_value),
            num(e.base),
            num(e.low),
            num(e.high),
            num(e.swing),
            e.size(),
            e.runs[0],
            e.runs[1],
            e.runs[2]
        );
    }
    out.into_bytes()
}

/// The sentence for one metric: which factor decides it, and by how much.
fn decides(metric: &str, es: &[&Effect]) -> String {
    let Some(top) = es.first() else {
        return format!("{metric}: no factor");
    };
    let base = opt(metric, top.base);
    if top.size() == 0.0 {
        return format!("{metric} (base {base}): no factor moves it within its range.");
    }
    let share = |e: &Effect| {
        top.base
            .filter(|b| *b != 0.0)
            .map(|b| format!(" ({:.0} % of the base)", 100.0 * e.size() / b.abs()))
            .unwrap_or_default()
    };
    let mut s = format!(
        "{metric} (base {base}) is decided by `{}`: from {} at {} to {} at {}, a swing of {}{}",
        top.factor,
        opt(metric, top.low),
        value_text(&top.low_value),
        opt(metric, top.high),
        value_text(&top.high_value),
        show(metric, top.size()),
        share(top)
    );
    if let Some(next) = es.get(1).filter(|e| e.size() > 0.0) {
        let _ = write!(
            s,
            "; next `{}`, a swing of {}{}",
            next.factor,
            show(metric, next.size()),
            share(next)
        );
    }
    let none: Vec<&str> = es
        .iter()
        .filter(|e| e.size() == 0.0)
        .map(|e| e.factor.as_str())
        .collect();
    if !none.is_empty() {
        let _ = write!(s, "; no effect: {}", none.join(", "));
    }
    s.push('.');
    s
}

/// Every file of the study, built from its design and effects; `command`
/// is the command line quoted in the Reproduce section.
///
/// # Errors
/// [`ChartError`] if a chart cannot be drawn.
pub fn sensitivity_files(
    design: &Design,
    effects: &[Effect],
    screenings: &[Screening],
    command: &str,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let scenario = design.plan.name.as_str();
    let mut files = vec![
        ("sensitivity.csv".to_string(), csv(effects)),
        ("sensitivity.json".to_string(), {
            let mut v = serde_json::to_vec_pretty(&json!({
                    "scenario": scenario,
                    "method": "one factor at a time: each factor at the low and the high end of its range, the others as in the scenario",
                    "replications": design.plan.def.replications.max_runs(),
                    "factors": design.factors.iter().map(|f| json!({
                        "path": f.path, "base": f.base, "low": f.low, "high": f.high, "why": f.why,
                    })).collect::<Vec<_>>(),
                    "effects": effects,
                    "morris": {
                        "trajectories": design.trajectories.len(),
                        "delta": crate::sensitivity::morris::DELTA,
                        "screening": screenings,
                    },
                }))
                .unwrap_or_default();
            v.push(b'\n');
            v
        }),
    ];
    let mut b = vec![Block::Heading(1, format!("Sensitivity: {scenario}"))];
    b.push(Block::Para(format!(
        "Each unknown of the assumptions ledger is set to the low and then the high end of \
         its plausible range, one at a time, the others as in the scenario; {} replications \
         per setting, sharing random numbers across settings. The tornado bars run from the \
         metric's mean at the low end to its mean at the high end; the longest bar is the \
         unknown that decides the answer.",
        design.plan.def.replications.max_runs()
    )));
    b.push(Block::Heading(2, "Which unknowns decide the answer".into()));
    let mut sentences = Vec::new();
    let mut charts = Vec::new();
    for m in &design.metrics {
        let es: Vec<&Effect> = effects.iter().filter(|e| e.metric == *m).collect();
        sentences.push(decides(m, &es));
        let t = Tornado {
            metric: m,
            effects: es,
            scenario,
        };
        let svg = t.render(Format::Svg)?;
        let png = t.render(Format::Png)?;
        files.push((format!("{}.png", t.stem()), png));
        charts.push((
            t.stem(),
            m.clone(),
            String::from_utf8_lossy(&svg).into_owned(),
        ));
        files.push((format!("{}.svg", t.stem()), svg));
    }
    b.push(Block::List(sentences));
    b.push(Block::Heading(2, "Factors and ranges".into()));
    b.push(Block::Table(
        vec![
            "factor".into(),
            "scenario".into(),
            "low".into(),
            "high".into(),
            "range from".into(),
        ],
        design
            .factors
            .iter()
            .map(|f| {
                vec![
                    format!("`{}`", f.path),
                    value_text(&f.base),
                    value_text(&f.low),
                    value_text(&f.high),
                    f.why.clone(),
                ]
            })
            .collect(),
    ));
    b.push(Block::Heading(2, "Effects".into()));
    b.push(Block::Table(
        vec![
            "metric".into(),
            "factor".into(),
            "base".into(),
            "at low".into(),
            "at high".into(),
            "swing".into(),
        ],
        effects
            .iter()
            .map(|e| {
                vec![
                    e.metric.clone(),
                    format!("`{}`", e.factor),
                    opt(&e.metric, e.base),
                    opt(&e.metric, e.low),
                    opt(&e.metric, e.high),
                    e.swing.map_or_else(
                        || "—".into(),
                        |s| {
                            format!(
                                "{}{}",
                                if s < 0.0 { "−" } else { "" },
                                show(&e.metric, s.abs())
                            )
                        },
                    ),
                ]
            })
            .collect(),
    ));
    if !screenings.is_empty() {
        b.push(Block::Heading(2, "Interactions (Morris screening)".into()));
        b.push(Block::Para(format!(
            "{} trajectories over a 4-level grid of the factors' ranges, each factor moved by 2/3 of its range in different company each time. μ*: the mean size of the factor's effect, scaled to its whole range (it ranks like the tornado); σ: the spread of those effects. A σ large against μ* means the factor's effect depends on the other factors or is not linear, so the one-at-a-time bars understate it.",
            design.trajectories.len()
        )));
        b.push(Block::Table(
            vec![
                "metric".into(),
                "factor".into(),
                "μ*".into(),
                "μ".into(),
                "σ".into(),
                "σ ÷ μ*".into(),
                "effects".into(),
            ],
            screenings
                .iter()
                .map(|x| {
                    let sign = if x.mu < 0.0 { "−" } else { "" };
                    vec![
                        x.metric.clone(),
                        format!("`{}`", x.factor),
                        show(&x.metric, x.mu_star),
                        format!("{sign}{}", show(&x.metric, x.mu.abs())),
                        show(&x.metric, x.sigma),
                        if x.mu_star > 0.0 {
                            format!("{:.2}", x.sigma / x.mu_star)
                        } else {
                            "—".into()
                        },
                        x.effects.to_string(),
                    ]
                })
                .collect(),
        ));
    }
    b.push(Block::Heading(2, "Charts".into()));
    for (stem, m, svg) in charts {
        b.push(Block::Chart {
            stem,
            caption: format!("Tornado of {m}: one bar per factor, from its low to its high end"),
            svg,
        });
    }
    b.push(Block::Heading(2, "Reproduce".into()));
    b.push(Block::Code(command.to_string()));
    files.push(("sensitivity.md".into(), to_markdown(&b).into_bytes()));
    files.push((
        "sensitivity.html".into(),
        to_html(&format!("Sensitivity: {scenario}"), &b).into_bytes(),
    ));
    Ok(files)
}
