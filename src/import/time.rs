//! ISO-8601 timestamps as the AWS CLI prints them, parsed by hand (the crate
//! has no date library): `2026-11-01T00:05:00Z`, `2026-11-01T00:05:00+00:00`,
//! `2026-11-01T00:05:00.123Z`, `2026-11-01T02:05:00+02:00`. The CLI always
//! prints an offset; a timestamp without one is read as UTC, which is what
//! CloudWatch and EC2 store.
//!
//! Instants are whole milliseconds since 1970-01-01T00:00:00Z (`i64`):
//! CloudWatch periods are whole seconds and snapshot times carry at most
//! milliseconds; finer fractions are truncated.

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Days from 1970-01-01 to the civil date (proleptic Gregorian), after
/// Howard Hinnant's `days_from_civil`.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1–12, day 1–31) of a day count from
/// 1970-01-01, the inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days in month `m` (1–12) of year `y`, Gregorian.
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses an ISO-8601 timestamp (see the module doc) into milliseconds
/// since the epoch.
///
/// # Errors
/// What is wrong, as a phrase for a message (`the month is 13`).
pub fn parse_iso8601(text: &str) -> Result<Millis, String> {
    let b = text.as_bytes();
    let expected =
        "expected an ISO-8601 time such as 2026-11-01T00:05:00Z or 2026-11-01T00:05:00.000+00:00";
    let num = |from: usize, len: usize| -> Result<u32, String> {
        let s = b
            .get(from..from + len)
            .ok_or_else(|| expected.to_string())?;
        if !s.iter().all(u8::is_ascii_digit) {
            return Err(expected.to_string());
        }
        Ok(s.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')))
    };
    let sep = |at: usize, allowed: &[u8]| -> Result<(), String> {
        match b.get(at) {
            Some(c) if allowed.contains(c) => Ok(()),
            _ => Err(expected.to_string()),
        }
    };
    let year = i64::from(num(0, 4)?);
    sep(4, b"-")?;
    let month = num(5, 2)?;
    sep(7, b"-")?;
    let day = num(8, 2)?;
    sep(10, b"Tt ")?;
    let hour = num(11, 2)?;
    sep(13, b":")?;
    let minute = num(14, 2)?;
    sep(16, b":")?;
    let second = num(17, 2)?;
    if !(1..=12).contains(&month) {
        return Err(format!("the month is {month}; {expected}"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!("day {day} does not exist in {year}-{month:02}"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(format!(
            "the time {hour:02}:{minute:02}:{second:02} is out of range"
        ));
    }
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        i += 1;
        let start = i;
        let mut scale = 100;
        while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            millis += i64::from(c - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return Err(format!("no digits after the decimal point; {expected}"));
        }
    }
    let offset_secs: i64 = match b.get(i) {
        None => 0,
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&c @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let (om, end) = if b.get(i + 3) == Some(&b':') {
                (num(i + 4, 2)?, i + 6)
            } else {
                (num(i + 3, 2)?, i + 5)
            };
            if end != b.len() || oh > 23 || om > 59 {
                return Err(format!("the offset is malformed; {expected}"));
            }
            let s = i64::from(oh * 3600 + om * 60);
            if c == b'+' {
                s
            } else {
                -s
            }
        }
        _ => return Err(expected.to_string()),
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second) - offset_secs;
    Ok(secs * 1000 + millis)
}

/// RFC 3339 in UTC with whole seconds (`2026-11-01T00:00:00Z`), the form
/// of the scenario's `start`.
pub fn format_rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let s = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// A duration in seconds in the scenario format's units: the largest of
/// `d`, `h`, `m`, `s` that divides it, e.g. `"90m"` (5400 s), `"300s"`.
pub fn duration_text(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    for (unit, n) in [("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs % n == 0 {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// Milliseconds as a duration text: whole seconds as [`duration_text`],
/// otherwise `"1500ms"`.
pub fn millis_text(ms: i64) -> String {
    if ms % 1000 == 0 {
        duration_text(ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// A duration for people: `2h05m`, `12m30s`, `45s`.
pub fn human(secs: f64) -> String {
    let s = secs.round() as i64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_the_cli_prints() {
        let base = parse_iso8601("2026-11-01T00:05:00Z").unwrap();
        assert_eq!(base, 1_793_491_500_000);
        assert_eq!(parse_iso8601("2026-11-01T00:05:00+00:00").unwrap(), base);
        assert_eq!(parse_iso8601("2026-11-01T00:05:00.000Z").unwrap(), base);
        assert_eq!(
            parse_iso8601("2026-11-01T00:05:00.250Z").unwrap(),
            base + 250
        );
        assert_eq!(
            parse_iso8601("2026-11-01T00:05:00.123456+00:00").unwrap(),
            base + 123
        );
        assert_eq!(parse_iso8601("2026-11-01T02:05:00+02:00").unwrap(), base);
        assert_eq!(parse_iso8601("2026-10-31T19:05:00-0500").unwrap(), base);
        assert_eq!(parse_iso8601("2026-11-01T00:05:00").unwrap(), base);
        assert_eq!(format_rfc3339(base), "2026-11-01T00:05:00Z");
    }

    #[test]
    fn epoch_and_leap_days() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z").unwrap(), 0);
        assert!(parse_iso8601("2024-02-29T00:00:00Z").is_ok());
        assert!(parse_iso8601("2026-02-29T00:00:00Z").is_err());
        for d in [-1000, 0, 19_000, 20_000, 2_932_896] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "2026-13-01T00:00:00Z",
            "2026-11-01 25:00:00Z",
            "2026-11-01T00:00:00.Z",
            "2026-11-01T00:00:00+1:00",
            "2026-11-01T00:00:00Zjunk",
            "yesterday",
        ] {
            assert!(parse_iso8601(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration_text(86_400), "1d");
        assert_eq!(duration_text(5400), "90m");
        assert_eq!(duration_text(301), "301s");
        assert_eq!(millis_text(1500), "1500ms");
    }
}
