//! Parsing of the unit-bearing strings of scenario files (DESIGN.md §1.1):
//! durations (`"1h30m"`), sizes (`"512KiB"`), bandwidths (`"48MiB/s"`) and
//! frequencies (`"800/s"`). Numbers are plain decimals (`12`, `1.5`); no sign,
//! no exponent. Sizes and durations are converted exactly (decimal
//! arithmetic, no floating point), and a result that is not a whole number of
//! bytes or nanoseconds is refused. Binary prefixes (KiB …) are powers of 1024,
//! decimal ones (KB …) powers of 1000; anything ambiguous (`"1G"`, `"1k"`,
//! `"1gb"`) is refused with a suggestion.

use super::error::UnitError;
use crate::engine::SimDuration;
use crate::model::units::{Bandwidth, Bytes, Frequency};

/// Duration units and their length [ns].
const DURATION_UNITS: [(&str, u128); 11] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("min", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
    ("w", 604_800_000_000_000),
];

/// Size units and their size [B].
const SIZE_UNITS: [(&str, u128); 11] = [
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("PiB", 1 << 50),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("PB", 1_000_000_000_000_000),
];

/// Frequency units and the span they count over [s].
const FREQUENCY_UNITS: [(&str, f64); 4] =
    [("/s", 1.0), ("/min", 60.0), ("/h", 3600.0), ("/d", 86400.0)];

/// A non-negative decimal number as written: `int` digits, optional `frac` digits.
#[derive(Clone, Copy, Debug)]
struct Decimal<'a> {
    int: &'a str,
    frac: &'a str,
}

/// Why an exact conversion failed.
enum Inexact {
    /// The result has a fractional part.
    Fraction,
    /// The result does not fit.
    Overflow,
}

impl Decimal<'_> {
    fn as_f64(&self) -> f64 {
        // Digits only, so the parse cannot fail; NaN would be caught by callers.
        format!("{}.{}0", self.int, self.frac)
            .parse()
            .unwrap_or(f64::NAN)
    }

    fn text(&self) -> String {
        if self.frac.is_empty() {
            self.int.to_string()
        } else {
            format!("{}.{}", self.int, self.frac)
        }
    }

    /// `self × mult`, exactly.
    fn times_exact(&self, mult: u128) -> Result<u128, Inexact> {
        if self.int.len() > 30 || self.frac.len() > 30 {
            return Err(Inexact::Overflow);
        }
        let digits = format!("{}{}", self.int, self.frac);
        let num: u128 = digits.parse().map_err(|_| Inexact::Overflow)?;
        let scale = 10u128.pow(self.frac.len() as u32);
        let scaled = num.checked_mul(mult).ok_or(Inexact::Overflow)?;
        if scaled % scale != 0 {
            return Err(Inexact::Fraction);
        }
        Ok(scaled / scale)
    }
}

/// Splits a leading decimal number (`12`, `1.5`) off `s`.
fn split_number(s: &str) -> Option<(Decimal<'_>, &str)> {
    let int_len = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if int_len == 0 {
        return None;
    }
    let int = &s[..int_len];
    let rest = &s[int_len..];
    if let Some(after_dot) = rest.strip_prefix('.') {
        let frac_len = after_dot
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(after_dot.len());
        if frac_len == 0 {
            return None;
        }
        return Some((
            Decimal {
                int,
                frac: &after_dot[..frac_len],
            },
            &after_dot[frac_len..],
        ));
    }
    Some((Decimal { int, frac: "" }, rest))
}

/// Parses a duration such as `"90s"`, `"1h30m"`, `"1.5h"` or `"250ms"`: one
/// or more `<number><unit>` groups with units ns, us (µs), ms, s, m (min),
/// h, d, w. The result is a whole number of nanoseconds [ns].
///
/// # Errors
/// Empty, negative, unit-less, unknown units, a fractional number of
/// nanoseconds, or more than `u64::MAX` ns (about 584 years).
pub fn parse_duration(text: &str) -> Result<SimDuration, UnitError> {
    let err = |p: String| UnitError::new("duration", text, p);
    let units = "use ns, us, ms, s, m (or min), h, d or w, e.g. \"90s\" or \"1h30m\"";
    let t = text.trim();
    if t.is_empty() {
        return Err(err(
            "it is empty; write a duration such as \"90s\" or \"1h30m\"".to_string(),
        ));
    }
    if t.starts_with('-') {
        return Err(err(format!(
            "durations cannot be negative; write a positive duration such as \"{}\"",
            t.trim_start_matches('-')
        )));
    }
    let mut rest = t;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let Some((num, after)) = split_number(rest) else {
            return Err(err(format!("expected a number at \"{rest}\"; {units}")));
        };
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(after.len());
        let unit = &after[..unit_len];
        if unit.is_empty() {
            return Err(err(format!(
                "the number {} has no unit; add a unit, e.g. \"{}s\" for seconds",
                num.text(),
                num.text()
            )));
        }
        let Some(&(_, ns)) = DURATION_UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(err(format!("unknown unit \"{unit}\"; {units}")));
        };
        let part = match num.times_exact(ns) {
            Ok(v) => v,
            Err(Inexact::Fraction) => {
                return Err(err(
                    "not a whole number of nanoseconds; 1ns is the smallest step".into(),
                ))
            }
            Err(Inexact::Overflow) => {
                return Err(err(
                    "too long; durations must be below about 584 years".into()
                ))
            }
        };
        total = total.saturating_add(part);
        rest = after[unit_len..].trim_start();
    }
    u64::try_from(total)
        .map(SimDuration)
        .map_err(|_| err("too long; durations must be below about 584 years".into()))
}

/// Splits `text` into a number and a size multiplier [B]; `suffix` (`""` or
/// `"/s"`) is appended to suggestions. Errors are the problem text only.
fn split_size<'a>(text: &'a str, suffix: &str) -> Result<(Decimal<'a>, u128), String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("it is empty; write e.g. \"4KiB{suffix}\""));
    }
    if t.starts_with('-') {
        return Err(format!(
            "cannot be negative; write a positive value such as \"{}\"",
            t.trim_start_matches('-')
        ));
    }
    let Some((num, unit)) = split_number(t) else {
        return Err(format!(
            "expected a number followed by a unit, e.g. \"512KiB{suffix}\" or \"1.5GiB{suffix}\""
        ));
    };
    let unit = unit.trim();
    let n = num.text();
    if unit.is_empty() {
        return Err(format!(
            "the number {n} has no unit; add a unit, e.g. \"{n}B{suffix}\""
        ));
    }
    if let Some(&(_, mult)) = SIZE_UNITS.iter().find(|(u, _)| *u == unit) {
        return Ok((num, mult));
    }
    let lower = unit.to_ascii_lowercase();
    let prefix = lower.chars().next().filter(|c| "kmgtp".contains(*c));
    if let Some(p) = prefix {
        let upper = p.to_ascii_uppercase();
        if lower == format!("{p}ib") {
            return Err(format!(
                "unit \"{unit}\" is spelt \"{upper}iB\"; write \"{n}{upper}iB{suffix}\""
            ));
        }
        if lower == p.to_string() || lower == format!("{p}b") || lower == format!("{p}i") {
            return Err(format!(
                "unit \"{unit}\" is ambiguous; write \"{n}{upper}iB{suffix}\" (powers of 1024) or \"{n}{upper}B{suffix}\" (powers of 1000)"
            ));
        }
    }
    if lower == "b" {
        return Err(format!("write bytes as \"{n}B{suffix}\""));
    }
    Err(format!(
        "unknown unit \"{unit}\"; use B, KiB, MiB, GiB, TiB, PiB (powers of 1024) or KB, MB, GB, TB, PB (powers of 1000), e.g. \"{n}GiB{suffix}\""
    ))
}

/// Parses a size such as `"512KiB"`, `"1.5GiB"` or `"400MB"` [B].
///
/// # Errors
/// Missing, unknown or ambiguous units, negative values, fractions of a byte,
/// values above `u64::MAX` bytes.
pub fn parse_bytes(text: &str) -> Result<Bytes, UnitError> {
    let err = |p: String| UnitError::new("size", text, p);
    let (num, mult) = split_size(text, "").map_err(err)?;
    match num.times_exact(mult) {
        Ok(v) => u64::try_from(v)
            .map(Bytes)
            .map_err(|_| err("too large; sizes must be below 16EiB".into())),
        Err(Inexact::Fraction) => Err(err(
            "not a whole number of bytes; use a smaller unit or a whole number".into(),
        )),
        Err(Inexact::Overflow) => Err(err("too large; sizes must be below 16EiB".into())),
    }
}

/// Parses a bandwidth such as `"48MiB/s"` or `"400MB/s"`: a size unit
/// followed by `/s` [B/s]. Bits are refused.
///
/// # Errors
/// Bits (`"Mbps"`, `"Mbit/s"`), a missing or other time unit than `/s`, size
/// unit errors as in [`parse_bytes`], zero.
pub fn parse_bandwidth(text: &str) -> Result<Bandwidth, UnitError> {
    let err = |p: String| UnitError::new("bandwidth", text, p);
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    if lower.ends_with("bps") || lower.contains("bit") {
        let hint = split_number(t)
            .and_then(|(num, unit)| {
                let p = unit.trim_start().chars().next()?.to_ascii_uppercase();
                "KMGTP"
                    .contains(p)
                    .then(|| format!(", e.g. \"{}{p}B/s\"", num.as_f64() / 8.0))
            })
            .unwrap_or_else(|| ", e.g. \"48MiB/s\"".to_string());
        return Err(err(format!(
            "bandwidths are in bytes per second, not bits; divide by 8 and write bytes{hint}"
        )));
    }
    let Some(size_part) = t.strip_suffix("/s") else {
        if t.contains('/') {
            return Err(err("write bandwidths per second, e.g. \"48MiB/s\"".into()));
        }
        return Err(err(format!("missing \"/s\"; write e.g. \"{t}/s\"")));
    };
    let (num, mult) = split_size(size_part, "/s").map_err(err)?;
    let bytes_per_sec = num.as_f64() * mult as f64;
    if !(bytes_per_sec.is_finite() && bytes_per_sec > 0.0) {
        return Err(err(
            "must be greater than zero; give a positive rate such as \"48MiB/s\"".into(),
        ));
    }
    if bytes_per_sec > MAX_BANDWIDTH_BYTES_PER_SEC {
        return Err(err(
            "is more than the limit of 1PiB/s; give a real link or pool rate such as \"4GiB/s\""
                .into(),
        ));
    }
    Ok(Bandwidth { bytes_per_sec })
}

/// The largest IO rate a scenario may give [1/s]: 40 times the fastest
/// EBS volume (io2 Block Express, 256,000 IOPS), so that no real workload is
/// refused while a typo such as `1e9/s` is.
pub const MAX_FREQUENCY_PER_SEC: f64 = 1e7;

/// The largest bandwidth a scenario may give [B/s]: 1 PiB/s, far above any
/// account's upload capacity, so that rates stay in a range where upload
/// times are exact in nanoseconds.
pub const MAX_BANDWIDTH_BYTES_PER_SEC: f64 = (1u64 << 50) as f64;

/// Parses a frequency such as `"800/s"`, `"2.5/s"`, `"30/min"`, `"4/h"` or
/// `"1/d"` [1/s].
///
/// # Errors
/// A missing or unknown time unit, a negative value, zero.
pub fn parse_frequency(text: &str) -> Result<Frequency, UnitError> {
    let err = |p: String| UnitError::new("frequency", text, p);
    let expected =
        "expected a number followed by \"/s\", \"/min\", \"/h\" or \"/d\", e.g. \"800/s\"";
    let t = text.trim();
    if t.starts_with('-') {
        return Err(err(format!("cannot be negative; {expected}")));
    }
    let Some(slash) = t.find('/') else {
        return Err(err(expected.into()));
    };
    let (num_part, unit) = (t[..slash].trim(), &t[slash..]);
    let number = match split_number(num_part) {
        Some((num, "")) => num.as_f64(),
        _ => return Err(err(expected.into())),
    };
    let Some(&(_, secs)) = FREQUENCY_UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(err(format!("unknown unit \"{unit}\"; {expected}")));
    };
    let per_sec = number / secs;
    if !(per_sec.is_finite() && per_sec > 0.0) {
        return Err(err(format!("must be greater than zero; {expected}")));
    }
    if per_sec > MAX_FREQUENCY_PER_SEC {
        return Err(err(format!(
            "{per_sec:.3e}/s is more than the limit of 10,000,000/s (the fastest EBS volume serves 256,000 IOPS); use a rate of at most \"10000000/s\""
        )));
    }
    Ok(Frequency { per_sec })
}

/// A number for a message: Rust's shortest decimal form in the usual
/// range, and three significant decimals with an exponent (`3.333e297`,
/// `1.000e-7`) for magnitudes of at least 10⁹ or below 10⁻⁴, where the
/// decimal form would run to hundreds of digits (`1e300` prints as 301
/// characters with `{}`). Every error message that shows a number read
/// from input (the scenario's, or `snapsim import`'s AWS CLI files) goes
/// through here, so an absurd value stays a short, readable message.
pub fn number_text(x: f64) -> String {
    let a = x.abs();
    if x.is_finite() && x != 0.0 && !(1e-4..1e9).contains(&a) {
        format!("{x:.3e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
#[path = "units_tests.rs"]
mod tests;
