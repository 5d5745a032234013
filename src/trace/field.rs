//! Field splitting and number parsing shared by the format parsers. Numbers
//! are parsed by hand from ASCII (no floats for times: a decimal time is
//! converted to integer nanoseconds exactly), which keeps the first pass
//! fast and exact. Every failure is a [`LineProblem`] naming the field and
//! its text.

use super::error::LineProblem;

/// Bytes of one sector in sector-addressed formats [B].
pub const SECTOR: u64 = 512;

/// How the fields of a line are separated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    /// Commas; spaces around a field are trimmed.
    Comma,
    /// Runs of spaces or tabs.
    Space,
}

/// The first `N` fields of `line`, named `names` in messages; extra fields
/// are ignored.
///
/// # Errors
/// A truncated line (fewer than `N` fields).
pub fn split<'a, const N: usize>(
    line: &'a str,
    sep: Sep,
    names: &[&str; N],
) -> Result<[&'a str; N], LineProblem> {
    let mut out = [""; N];
    let mut n = 0;
    let mut fill = |f: &'a str| {
        if n < N {
            out[n] = f;
            n += 1;
            true
        } else {
            false
        }
    };
    match sep {
        Sep::Comma => {
            for f in line.split(',') {
                if !fill(f.trim()) {
                    break;
                }
            }
        }
        Sep::Space => {
            for f in line.split_ascii_whitespace() {
                if !fill(f) {
                    break;
                }
            }
        }
    }
    if n < N || out[N - 1].is_empty() {
        let found = out.iter().take_while(|f| !f.is_empty()).count();
        return Err(LineProblem::new(format!(
            "truncated line: {N} fields expected ({}), {found} found; field `{}` is missing",
            names.join(","),
            names[found.min(N - 1)]
        )));
    }
    Ok(out)
}

/// A whole number of the field `name`.
///
/// # Errors
/// Negative or non-numeric text.
#[inline]
pub fn uint(name: &str, s: &str) -> Result<u64, LineProblem> {
    let b = s.as_bytes();
    if !b.is_empty() && b.len() <= 19 && b.iter().all(u8::is_ascii_digit) {
        return Ok(b
            .iter()
            .fold(0u64, |acc, &c| acc * 10 + u64::from(c - b'0')));
    }
    s.parse::<u64>()
        .map_err(|_| not_a_number(name, s, "a whole number"))
}

/// A hexadecimal number of the field `name` (an optional `0x` is accepted).
///
/// # Errors
/// Non-hexadecimal text.
pub fn hex(name: &str, s: &str) -> Result<u64, LineProblem> {
    let t = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    u64::from_str_radix(t, 16).map_err(|_| not_a_number(name, s, "a hexadecimal number"))
}

/// `value × factor` for the field `name` (sectors to bytes, ticks to ns).
///
/// # Errors
/// Overflow of 64 bits.
#[inline]
pub fn scaled(name: &str, value: u64, factor: u64) -> Result<u64, LineProblem> {
    value.checked_mul(factor).ok_or_else(|| {
        LineProblem::new(format!(
            "field `{name}` value {value} is too large (overflows 64 bits once converted)"
        ))
    })
}

/// A non-negative decimal time of the field `name` in units of `unit_ns`
/// nanoseconds (1e9 for seconds, 1e6 for ms, 1e3 for µs), as integer
/// nanoseconds: digits beyond the nanosecond are truncated. Exponent
/// notation (`1.5e3`) is accepted through a float.
///
/// # Errors
/// Negative, non-numeric or too large text.
pub fn time_ns(name: &str, s: &str, unit_ns: u64) -> Result<u64, LineProblem> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac) {
        let whole = if int.is_empty() { 0 } else { uint(name, int)? };
        let mut ns = scaled(name, whole, unit_ns)?;
        // Fraction: each digit is worth unit_ns / 10^k ns.
        let mut place = unit_ns;
        for c in frac.bytes() {
            place /= 10;
            if place == 0 {
                break;
            }
            ns = ns
                .checked_add(u64::from(c - b'0') * place)
                .ok_or_else(|| too_large(name, s))?;
        }
        return Ok(ns);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => {
            let ns = v * unit_ns as f64;
            if ns < u64::MAX as f64 {
                // In range and non-negative: the cast truncates the fraction only.
                Ok(ns as u64)
            } else {
                Err(too_large(name, s))
            }
        }
        _ => Err(not_a_number(name, s, "a non-negative number")),
    }
}

fn too_large(name: &str, s: &str) -> LineProblem {
    LineProblem::new(format!("field `{name}` value \"{s}\" is too large"))
}

fn not_a_number(name: &str, s: &str, what: &str) -> LineProblem {
    if s.starts_with('-') {
        LineProblem::new(format!("field `{name}` is negative: \"{s}\""))
    } else {
        LineProblem::new(format!("field `{name}` is not {what}: \"{s}\""))
    }
}

/// An unknown operation code.
pub fn unknown_op(name: &str, s: &str, known: &str) -> LineProblem {
    LineProblem::new(format!(
        "unknown {name} \"{s}\" (this format knows {known})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_reports_truncation() {
        let f = split("1, 2 ,3,x", Sep::Comma, &["a", "b", "c"]).unwrap();
        assert_eq!(f, ["1", "2", "3"]);
        let e = split("1,2", Sep::Comma, &["a", "b", "c"]).unwrap_err();
        assert!(e.problem.contains("field `c` is missing"), "{}", e.problem);
        let e = split("1,2,", Sep::Comma, &["a", "b", "c"]).unwrap_err();
        assert!(e.problem.contains("field `c` is missing"), "{}", e.problem);
        let f = split(" 1\t 2  3 ", Sep::Space, &["a", "b", "c"]).unwrap();
        assert_eq!(f, ["1", "2", "3"]);
    }

    #[test]
    fn numbers_and_times_are_exact() {
        assert_eq!(uint("x", "18446744073709551615").unwrap(), u64::MAX);
        assert!(uint("size", "-4").unwrap_err().problem.contains("negative"));
        assert!(uint("size", "4k")
            .unwrap_err()
            .problem
            .contains("not a whole"));
        assert_eq!(hex("op", "2a").unwrap(), 0x2a);
        assert_eq!(
            time_ns("t", "1456095145.133076000", 1_000_000_000).unwrap(),
            1_456_095_145_133_076_000
        );
        assert_eq!(time_ns("t", "0.221", 1_000_000).unwrap(), 221_000);
        assert_eq!(time_ns("t", "12", 1_000).unwrap(), 12_000);
        assert_eq!(time_ns("t", "1.5e3", 1_000_000).unwrap(), 1_500_000_000);
        assert!(time_ns("t", "-1.0", 1)
            .unwrap_err()
            .problem
            .contains("negative"));
        assert!(time_ns("t", ".", 1).is_err());
    }
}
