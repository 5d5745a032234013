//! The value lists of one swept parameter: a plain JSON list, `{"values":
//! [...]}`, or a range `{"from", "to", "step"}` of numbers or of unit strings
//! that share one unit (`"200/s"` to `"3200/s"` step `"600/s"`).
//!
//! Ranges are expanded textually: the number before the unit is stepped in
//! decimal, printed with as many decimals as the widest of `from`, `to` and
//! `step`, and the unit is appended again. So `"0.5GiB"` to `"2GiB"` step
//! `"0.5GiB"` gives `"0.5GiB"`, `"1.0GiB"`, `"1.5GiB"`, `"2.0GiB"`; the unit
//! parser then checks each value like any other. `to` is included when the
//! steps land on it.

use super::error::Invalid;
use serde_json::Value;

/// Most values one parameter may take.
pub const MAX_VALUES: usize = 10_000;

/// Expands the values of the parameter written at `at` (a JSON path of the
/// sweep section, for errors).
pub(crate) fn expand_values(spec: &Value, at: &str) -> Result<Vec<Value>, Invalid> {
    let values = match spec {
        Value::Array(list) => list.clone(),
        Value::Object(obj) if obj.contains_key("values") => {
            if let Some(k) = obj.keys().find(|k| *k != "values") {
                return Err(Invalid::at(
                    at,
                    format!("unknown key \"{k}\" beside \"values\"; give either {{\"values\": [...]}} or {{\"from\", \"to\", \"step\"}}"),
                ));
            }
            match &obj["values"] {
                Value::Array(list) => list.clone(),
                other => {
                    return Err(Invalid::at(
                        format!("{at}.values"),
                        format!("expected a list of values, found {other}; write e.g. [\"200/s\", \"800/s\"]"),
                    ))
                }
            }
        }
        Value::Object(obj) => expand_range(obj, at)?,
        other => {
            return Err(Invalid::at(
                at,
                format!("expected a list of values or a range {{\"from\", \"to\", \"step\"}}, found {other}"),
            ))
        }
    };
    if values.is_empty() {
        return Err(Invalid::at(
            at,
            "the list of values is empty; give at least one value",
        ));
    }
    if values.len() > MAX_VALUES {
        return Err(Invalid::at(
            at,
            format!(
                "{} values are more than the {MAX_VALUES} allowed per parameter; use a coarser step",
                values.len()
            ),
        ));
    }
    Ok(values)
}

/// A range bound split into its decimal number and its unit.
struct Bound {
    number: f64,
    decimals: usize,
    unit: String,
}

fn bound(v: Option<&Value>, key: &str, at: &str) -> Result<(Bound, bool), Invalid> {
    let here = format!("{at}.{key}");
    let Some(v) = v else {
        return Err(Invalid::at(
            at,
            format!("a range needs \"from\", \"to\" and \"step\"; \"{key}\" is missing"),
        ));
    };
    let (text, is_string) = match v {
        Value::Number(n) => (n.to_string(), false),
        Value::String(s) => (s.trim().to_string(), true),
        other => {
            return Err(Invalid::at(
                here,
                format!("expected a number or a unit string such as \"200/s\", found {other}"),
            ))
        }
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || (c == '-' && !is_string)))
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    if !is_string && !unit.is_empty() {
        return Err(Invalid::at(
            here,
            format!("{text} is not a plain decimal number; write it without an exponent"),
        ));
    }
    let number: f64 = num.parse().map_err(|_| {
        Invalid::at(
            &here,
            format!("\"{text}\" does not start with a decimal number; write e.g. \"200/s\""),
        )
    })?;
    let decimals = num.split_once('.').map_or(0, |(_, f)| f.len());
    Ok((
        Bound {
            number,
            decimals,
            unit: unit.trim().to_string(),
        },
        is_string,
    ))
}

fn expand_range(obj: &serde_json::Map<String, Value>, at: &str) -> Result<Vec<Value>, Invalid> {
    if let Some(k) = obj
        .keys()
        .find(|k| !["from", "to", "step"].contains(&k.as_str()))
    {
        return Err(Invalid::at(
            at,
            format!("unknown key \"{k}\" in a range; a range has \"from\", \"to\" and \"step\""),
        ));
    }
    let (from, s1) = bound(obj.get("from"), "from", at)?;
    let (to, s2) = bound(obj.get("to"), "to", at)?;
    let (step, s3) = bound(obj.get("step"), "step", at)?;
    if s1 != s2 || s2 != s3 {
        return Err(Invalid::at(
            at,
            "\"from\", \"to\" and \"step\" must all be numbers or all unit strings",
        ));
    }
    for (key, b) in [("to", &to), ("step", &step)] {
        if b.unit != from.unit {
            return Err(Invalid::at(
                format!("{at}.{key}"),
                format!(
                    "unit \"{}\" differs from the unit \"{}\" of \"from\"; a range uses one unit throughout",
                    b.unit, from.unit
                ),
            ));
        }
    }
    if step.number.is_nan() || step.number <= 0.0 {
        return Err(Invalid::at(
            format!("{at}.step"),
            "the step must be greater than zero",
        ));
    }
    if to.number < from.number {
        return Err(Invalid::at(
            format!("{at}.to"),
            format!(
                "\"to\" ({}) is below \"from\" ({}); swap them",
                to.number, from.number
            ),
        ));
    }
    let steps = ((to.number - from.number) / step.number * (1.0 + 1e-12) + 1e-9).floor();
    if steps + 1.0 > MAX_VALUES as f64 {
        return Err(Invalid::at(
            format!("{at}.step"),
            format!(
                "the range has {} values, more than the {MAX_VALUES} allowed; use a larger step",
                steps + 1.0
            ),
        ));
    }
    let decimals = from.decimals.max(to.decimals).max(step.decimals);
    let mut out = Vec::new();
    for k in 0..=(steps as u64) {
        let v = from.number + k as f64 * step.number;
        let text = format!("{v:.decimals$}");
        out.push(if s1 {
            Value::String(format!("{text}{}", from.unit))
        } else if decimals == 0 {
            // Whole numbers stay JSON integers (`count`, `iops`, …).
            text.parse::<i64>().map(Value::from).unwrap_or(Value::Null)
        } else {
            text.parse::<f64>().map(Value::from).unwrap_or(Value::Null)
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(spec: Value) -> Vec<Value> {
        expand_values(&spec, "x").unwrap()
    }

    #[test]
    fn expands_lists_and_ranges() {
        assert_eq!(ok(json!([1, "a"])), vec![json!(1), json!("a")]);
        assert_eq!(ok(json!({"values": [2]})), vec![json!(2)]);
        assert_eq!(
            ok(json!({"from": "200/s", "to": "3200/s", "step": "600/s"})),
            ["200/s", "800/s", "1400/s", "2000/s", "2600/s", "3200/s"]
                .map(Value::from)
                .to_vec()
        );
        assert_eq!(
            ok(json!({"from": "0.5GiB", "to": "1.5GiB", "step": "0.5GiB"})),
            ["0.5GiB", "1.0GiB", "1.5GiB"].map(Value::from).to_vec()
        );
        assert_eq!(
            ok(json!({"from": 1, "to": 10, "step": 4})),
            vec![json!(1), json!(5), json!(9)]
        );
        assert_eq!(
            ok(json!({"from": 0.1, "to": 0.3, "step": 0.1})),
            vec![json!(0.1), json!(0.2), json!(0.3)]
        );
    }

    #[test]
    fn refuses_bad_ranges() {
        let err = |spec: Value| expand_values(&spec, "x").unwrap_err().message;
        assert!(err(json!([])).contains("empty"));
        assert!(
            err(json!({"from": "1MiB/s", "to": "2GiB/s", "step": "1MiB/s"})).contains("one unit")
        );
        assert!(err(json!({"from": 1, "to": 2, "step": 0})).contains("greater than zero"));
        assert!(err(json!({"from": 3, "to": 2, "step": 1})).contains("below"));
        assert!(err(json!({"from": 1, "to": 2})).contains("\"step\" is missing"));
        assert!(err(json!({"from": 1, "to": "2/s", "step": 1}))
            .contains("be numbers or all unit strings"));
        assert!(err(json!(5)).contains("expected a list"));
    }
}
