//! Everything a run writes: result files, charts, and the HTML / Markdown
//! report.
//!
//! Knows the metrics types and files; never the model's internals or the
//! command line. Files are staged and renamed into place, so a failure never
//! leaves a half-written result.
//!
//! The report has one code path, [`build_report`]: it parses result files
//! given as bytes ([`ReportData::parse`]) and renders charts and report from
//! them. `snapsim run` calls it on the bytes it is about to write and
//! `snapsim report DIR` on the bytes it reads back, so both produce the same
//! files, byte for byte.

pub mod atomic;
pub mod charts;
pub mod consistency;
pub mod data;
pub mod document;
pub mod files;
pub mod fleet;
pub mod markup;
pub mod measured;
pub mod plan;
pub mod sensitivity;
pub mod sweep_data;
pub mod sweep_document;
pub mod table;
pub mod verdict;

pub use atomic::{publish, write_files, OutputError, MARKER};
pub use charts::{ChartError, Figure, Format};
pub use data::{LoadError, ReportData};
pub use files::{result_files, result_files_with_warnings, ResultContext};
pub use sweep_document::{report_number, sweep_report_files};

pub use crate::metrics::window::BackupWindow;
use thiserror::Error;

/// Report settings that are not part of the scenario. `snapsim report DIR`
/// reproduces `run`'s files only when given the same options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReportOptions {
    /// Backup window counted in the duration table and, as a length of
    /// time, drawn on the duration CDF; `None`: none.
    pub backup_window: Option<BackupWindow>,
    /// The results folder as the command line named it (`run --out`, or
    /// `report DIR`), for the Reproduce section's `snapsim report` line;
    /// `None` writes `DIR` there.
    pub folder: Option<String>,
}

/// Why the report could not be built.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The result files are missing or malformed (bad input).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A chart failed to render (a bug or a broken build).
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// Charts and report from result files given as (name, bytes).
///
/// # Errors
/// [`ReportError::Load`] if the files cannot be parsed,
/// [`ReportError::Chart`] if a chart cannot be drawn.
pub fn build_report(
    files: &[(String, Vec<u8>)],
    opts: &ReportOptions,
) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let data = ReportData::parse(files)?;
    Ok(report_files(&data, opts)?)
}

/// Charts (`<stem>.svg`, `<stem>.png` for every figure that applies),
/// `report.html` and `report.md` from parsed result data.
///
/// # Errors
/// [`ChartError`] if a chart cannot be drawn.
pub fn report_files(
    data: &ReportData,
    opts: &ReportOptions,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    let mut out = Vec::new();
    let (mut inline, mut fleet_inline) = (Vec::new(), Vec::new());
    let figures = Figure::ALL.into_iter().chain(Figure::FLEET);
    for fig in figures.filter(|f| f.applies(data)) {
        let svg = fig.render(data, opts, Format::Svg)?;
        let png = fig.render(data, opts, Format::Png)?;
        let chart = (
            fig.stem().to_string(),
            fig.caption_for(data).to_string(),
            String::from_utf8_lossy(&svg).into_owned(),
        );
        if fig.is_fleet() {
            fleet_inline.push(chart);
        } else {
            inline.push(chart);
        }
        out.push((format!("{}.svg", fig.stem()), svg));
        out.push((format!("{}.png", fig.stem()), png));
    }
    let blocks = document::blocks(data, opts, inline, fleet_inline);
    let title = format!("Snapshot report: {}", data.summary.scenario);
    out.push((
        "report.html".into(),
        markup::to_html(&title, &blocks).into_bytes(),
    ));
    out.push((
        "report.md".into(),
        markup::to_markdown(&blocks).into_bytes(),
    ));
    Ok(out)
}
