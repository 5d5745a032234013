//! Morris elementary effects: a global screening for interactions and
//! non-linearity, beside the one-at-a-time tornado. Each of `r`
//! trajectories starts at a random point of a 4-level grid over the
//! factors' ranges (every coordinate at 0 or 1/3 of its range) and moves
//! each factor, in a random order, by Δ = 2/3 of its range; the change of
//! the metric at each move is one elementary effect of that factor, in
//! different company each time. μ* (mean |effect|, per full range) ranks
//! the factors like the tornado; σ (their spread) large against μ* says the
//! factor's effect depends on the others (interaction) or is not linear.
//! The design is drawn from the scenario's seed, so it is reproducible.

use super::Factor;
use crate::model::rng::stream;
use crate::scenario::units;
use rand::seq::SliceRandom;
use rand::Rng;
use serde::Serialize;
use serde_json::Value;

/// The step of every move, as a share of the factor's range.
pub const DELTA: f64 = 2.0 / 3.0;

/// One trajectory: its first point's index in the design and the order in
/// which the factors move (point `first + 1 + j` has factor `order[j]`
/// moved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trajectory {
    /// Index of the starting point.
    pub first: usize,
    /// Factor moved at each step.
    pub order: Vec<usize>,
}

/// The value a share `frac` of the way from `low` to `high`: two numbers,
/// or two values of one kind of quantity (sizes, bandwidths, frequencies,
/// durations, in any units), interpolated in the quantity's base unit and
/// written in it (whole bytes and nanoseconds, MiB/s and 1/s with six
/// decimals, which print the same on every machine).
pub fn interpolate(low: &Value, high: &Value, frac: f64) -> Option<Value> {
    let mix = |a: f64, b: f64| a + (b - a) * frac;
    if let (Some(a), Some(b)) = (low.as_f64(), high.as_f64()) {
        if low.is_u64() && high.is_u64() {
            return Some(Value::from(mix(a, b).round() as u64));
        }
        return Some(Value::from(mix(a, b)));
    }
    let (a, b) = (low.as_str()?, high.as_str()?);
    let fixed = |x: f64, unit: &str| {
        let t = format!("{x:.6}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        Value::String(format!("{t}{unit}"))
    };
    if let (Ok(a), Ok(b)) = (units::parse_bytes(a), units::parse_bytes(b)) {
        return Some(Value::String(format!(
            "{}B",
            mix(a.0 as f64, b.0 as f64).round() as u64
        )));
    }
    if let (Ok(a), Ok(b)) = (units::parse_bandwidth(a), units::parse_bandwidth(b)) {
        let mib = f64::from(1u32 << 20);
        return Some(fixed(mix(a.bytes_per_sec, b.bytes_per_sec) / mib, "MiB/s"));
    }
    if let (Ok(a), Ok(b)) = (units::parse_frequency(a), units::parse_frequency(b)) {
        return Some(fixed(mix(a.per_sec, b.per_sec), "/s"));
    }
    if let (Ok(a), Ok(b)) = (units::parse_duration(a), units::parse_duration(b)) {
        return Some(Value::String(format!(
            "{}ns",
            mix(a.0 as f64, b.0 as f64).round() as u64
        )));
    }
    None
}

/// Whether every factor can be placed inside its range.
pub fn check(factors: &[Factor]) -> Result<(), String> {
    match factors
        .iter()
        .find(|f| interpolate(&f.low, &f.high, 0.5).is_none())
    {
        Some(f) => Err(format!(
            "factor `{}` goes from {} to {}, which cannot be interpolated (two numbers, or two numbers with the same unit, are needed); give it such a range in the `sensitivity` section, or run without --morris",
            f.path, f.low, f.high
        )),
        None => Ok(()),
    }
}

/// `r` trajectories over `factors`, starting at point index `offset`: the
/// points' values for every factor (one list per factor) and the
/// trajectories.
pub fn design(
    factors: &[Factor],
    r: u32,
    seed: u64,
    offset: usize,
) -> (Vec<Vec<Value>>, Vec<Trajectory>) {
    let k = factors.len();
    let mut rng = stream(seed, "sensitivity/morris");
    let mut values: Vec<Vec<Value>> = vec![Vec::new(); k];
    let mut trajectories = Vec::new();
    for t in 0..r as usize {
        let mut x: Vec<f64> = (0..k)
            .map(|_| if rng.random_bool(0.5) { 1.0 / 3.0 } else { 0.0 })
            .collect();
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(&mut rng);
        let mut push = |x: &[f64]| {
            for (i, f) in factors.iter().enumerate() {
                values[i].push(interpolate(&f.low, &f.high, x[i]).unwrap_or(Value::Null));
            }
        };
        push(&x);
        for &i in &order {
            x[i] += DELTA;
            push(&x);
        }
        trajectories.push(Trajectory {
            first: offset + t * (k + 1),
            order,
        });
    }
    (values, trajectories)
}

/// The screening result of one factor on one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Screening {
    /// The factor's path.
    pub factor: String,
    /// The metric.
    pub metric: String,
    /// Mean |elementary effect|, scaled to the factor's full range.
    pub mu_star: f64,
    /// Mean signed elementary effect, same scale.
    pub mu: f64,
    /// Standard deviation of the signed effects (0 with one trajectory).
    pub sigma: f64,
    /// Trajectories whose two points both ran.
    pub effects: usize,
}

/// μ*, μ and σ of every factor for `metric`, from the points' means
/// (`mean(p)`), factors by decreasing μ*.
pub fn screen(
    factors: &[Factor],
    trajectories: &[Trajectory],
    metric: &str,
    mean: &dyn Fn(usize) -> Option<f64>,
) -> Vec<Screening> {
    let mut ee: Vec<Vec<f64>> = vec![Vec::new(); factors.len()];
    for t in trajectories {
        for (j, &i) in t.order.iter().enumerate() {
            if let (Some(a), Some(b)) = (mean(t.first + j), mean(t.first + j + 1)) {
                ee[i].push((b - a) / DELTA);
            }
        }
    }
    let mut out: Vec<Screening> = factors
        .iter()
        .zip(ee)
        .map(|(f, e)| {
            let n = e.len() as f64;
            let mu = if n > 0.0 {
                e.iter().sum::<f64>() / n
            } else {
                0.0
            };
            let mu_star = if n > 0.0 {
                e.iter().map(|x| x.abs()).sum::<f64>() / n
            } else {
                0.0
            };
            let sigma = if n > 1.0 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            Screening {
                factor: f.path.clone(),
                metric: metric.to_string(),
                mu_star,
                mu,
                sigma,
                effects: e.len(),
            }
        })
        .collect();
    out.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_interpolate_within_one_kind_of_quantity() {
        let v = |a: &str, b: &str, f: f64| interpolate(&json!(a), &json!(b), f);
        assert_eq!(v("10MiB/s", "40MiB/s", 1.0 / 3.0), Some(json!("20MiB/s")));
        assert_eq!(v("1GiB/s", "512MiB/s", 0.5), Some(json!("768MiB/s")));
        assert_eq!(interpolate(&json!(2), &json!(8), 0.5), Some(json!(5)));
        assert_eq!(interpolate(&json!(0.5), &json!(1.5), 0.5), Some(json!(1.0)));
        assert_eq!(v("1000/s", "3000/s", 0.5), Some(json!("2000/s")));
        let third = ((2u64 << 30) as f64 + (8u64 << 30) as f64 / 3.0).round() as u64;
        assert_eq!(
            v("2GiB", "10GiB", 1.0 / 3.0),
            Some(json!(format!("{third}B")))
        );
        assert_eq!(v("1m", "3m", 0.5), Some(json!("120000000000ns")));
        assert_eq!(v("fair", "fcfs", 0.5), None);
        assert_eq!(v("1GiB", "1m", 0.5), None);
    }

    #[test]
    fn each_trajectory_moves_every_factor_once_by_delta() {
        let f = |p: &str| Factor {
            path: p.into(),
            base: json!(0),
            low: json!(0.0),
            high: json!(3.0),
            why: String::new(),
        };
        let factors = [f("a"), f("b"), f("c")];
        let (values, ts) = design(&factors, 4, 7, 10);
        assert_eq!(ts.len(), 4);
        for (t, tr) in ts.iter().enumerate() {
            assert_eq!(tr.first, 10 + t * 4);
            let mut o = tr.order.clone();
            o.sort_unstable();
            assert_eq!(o, vec![0, 1, 2]);
            for (j, &i) in tr.order.iter().enumerate() {
                let p = t * 4 + j;
                for (q, v) in values.iter().enumerate() {
                    let (a, b) = (v[p].as_f64().unwrap(), v[p + 1].as_f64().unwrap());
                    if q == i {
                        assert!((b - a - 2.0).abs() < 1e-9, "moves by 2/3 of 3");
                    } else {
                        assert_eq!(a, b);
                    }
                }
            }
        }
        // A linear metric y = 5 a + 0 b + 2 c: μ* = 5 × range and 2 × range,
        // σ = 0; b has none.
        let y = |p: usize| {
            let (t, j) = ((p - 10) / 4, (p - 10) % 4);
            let at = t * 4 + j;
            Some(5.0 * values[0][at].as_f64().unwrap() + 2.0 * values[2][at].as_f64().unwrap())
        };
        let s = screen(&factors, &ts, "y", &y);
        assert_eq!(s[0].factor, "a");
        assert!((s[0].mu_star - 15.0).abs() < 1e-9, "{}", s[0].mu_star);
        assert_eq!(s[1].factor, "c");
        assert!((s[1].mu_star - 6.0).abs() < 1e-9);
        assert!(s[0].sigma.abs() < 1e-9);
        assert_eq!(s[2].factor, "b");
        assert_eq!(s[2].mu_star, 0.0);
    }
}
