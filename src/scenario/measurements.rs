//! The `measurements` key: published values a run is compared against
//! (calibration). Checked here against the volumes after `count`
//! expansion; the model fills in the simulated values.

use super::error::Invalid;
use super::raw::{RawMeasured, RawMeasurements};
use crate::metrics::summary::Measurement;
use crate::model::config::VolumeConfig;

/// The rows of `raw`, with no simulated value yet.
pub(crate) fn check(
    raw: Option<&RawMeasurements>,
    volumes: &[VolumeConfig],
) -> Result<Vec<Measurement>, Invalid> {
    let Some(m) = raw else {
        return Ok(Vec::new());
    };
    if m.rows.is_empty() {
        return Err(Invalid::at(
            "measurements.rows",
            "measurements need at least one row, e.g. {\"volume\": \"db\", \"what\": \"first_snapshot\", \"measured\": \"20m\"}",
        ));
    }
    m.rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let path = format!("measurements.rows[{i}]");
            if !volumes.iter().any(|v| v.name == r.volume) {
                let names: Vec<&str> = volumes.iter().take(8).map(|v| v.name.as_str()).collect();
                return Err(Invalid::at(
                    format!("{path}.volume"),
                    format!(
                        "no volume is named \"{}\"; use one of the volumes' names ({}{}); with `count`, names are NAME-0, NAME-1, …",
                        r.volume,
                        names.join(", "),
                        if volumes.len() > 8 { ", …" } else { "" }
                    ),
                ));
            }
            let range = match &r.range {
                None => None,
                Some([lo, hi]) if lo.value > hi.value => {
                    return Err(Invalid::at(
                        format!("{path}.range"),
                        format!(
                            "the range [\"{}\", \"{}\"] is reversed; write the lower bound first",
                            lo.text, hi.text
                        ),
                    ))
                }
                Some([lo, hi]) => Some([lo.value.as_secs_f64(), hi.value.as_secs_f64()]),
            };
            Ok(Measurement {
                volume: r.volume.clone(),
                what: match r.what {
                    RawMeasured::FirstSnapshot => "first_snapshot".to_string(),
                },
                source: m.source.clone(),
                measured_seconds: r.measured.value.as_secs_f64(),
                range_seconds: range,
                simulated_seconds: None,
                inside_range: None,
            })
        })
        .collect()
}
