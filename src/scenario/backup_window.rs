//! Parsing of a backup window as `--backup-window` and a sweep's `deadline`
//! take it: a duration (`"4h"`, each snapshot within that long of its
//! request) or daily clock times in UTC, the time zone of the scenario's
//! `start` (`"01:00-05:00"`; `"22:00-04:00"` crosses midnight; `24:00` may
//! close a window). What meeting a window means is
//! [`crate::metrics::window`]'s.

use crate::metrics::window::{BackupWindow, DAY_MINUTES};
use thiserror::Error;

/// A backup window that cannot be read; the message names the text and
/// says what to write instead.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("backup window \"{text}\": {problem}")]
pub struct WindowError {
    /// The text as given.
    pub text: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

const FORMS: &str = "give clock times in UTC as HH:MM-HH:MM (e.g. 01:00-05:00, or 22:00-04:00 across midnight) or a duration (e.g. 4h)";

/// Parses a backup window: clock times when the text has a `:`, else a
/// duration.
///
/// # Errors
/// [`WindowError`] naming the text, the problem and the accepted forms.
pub fn parse_backup_window(text: &str) -> Result<BackupWindow, WindowError> {
    let err = |problem: String| WindowError {
        text: text.to_string(),
        problem,
    };
    let t = text.trim();
    if !t.contains(':') {
        let d = super::units::parse_duration(t).map_err(|e| err(format!("{e}; or {FORMS}")))?;
        if d.is_zero() {
            return Err(err(format!("a window of 0s holds no snapshot; {FORMS}")));
        }
        return Ok(BackupWindow::Within {
            seconds: d.as_secs_f64(),
        });
    }
    let Some((a, b)) = t.split_once('-') else {
        return Err(err(format!(
            "a clock window needs an opening and a close joined by '-'; {FORMS}"
        )));
    };
    let open = clock(a.trim(), false).map_err(err)?;
    let close = clock(b.trim(), true).map_err(err)?;
    if open == close {
        return Err(err(format!(
            "it opens and closes at the same time, so it holds no snapshot; for the whole day write 00:00-24:00; {FORMS}"
        )));
    }
    Ok(BackupWindow::Clock { open, close })
}

/// `HH:MM` as minutes after midnight; `24:00` only as a close.
fn clock(s: &str, is_close: bool) -> Result<u32, String> {
    let bad = |why: &str| format!("\"{s}\" is not a clock time ({why}); {FORMS}");
    let (h, m) = s.split_once(':').ok_or_else(|| bad("write HH:MM"))?;
    let digits = |x: &str| x.len() == 2 && x.bytes().all(|c| c.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(bad("write two digits for the hour and two for the minute"));
    }
    let (h, m): (u32, u32) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
    if m > 59 {
        return Err(bad("minutes run from 00 to 59"));
    }
    match (h, m) {
        (24, 0) if is_close => Ok(DAY_MINUTES),
        (24, 0) => Err(bad("24:00 may only close a window; open at 00:00")),
        (0..=23, _) => Ok(h * 60 + m),
        _ => Err(bad("hours run from 00 to 23")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_windows_and_durations_parse() {
        assert_eq!(
            parse_backup_window("01:00-05:00"),
            Ok(BackupWindow::Clock {
                open: 60,
                close: 300
            })
        );
        assert_eq!(
            parse_backup_window(" 22:30 - 04:15 "),
            Ok(BackupWindow::Clock {
                open: 22 * 60 + 30,
                close: 4 * 60 + 15
            })
        );
        assert_eq!(
            parse_backup_window("00:00-24:00"),
            Ok(BackupWindow::Clock {
                open: 0,
                close: DAY_MINUTES
            })
        );
        assert_eq!(
            parse_backup_window("4h"),
            Ok(BackupWindow::Within { seconds: 14_400.0 })
        );
        assert_eq!(
            parse_backup_window("90m").unwrap().to_arg(),
            "1h30m",
            "the duration form round-trips as seconds"
        );
    }

    #[test]
    fn bad_windows_name_the_text_and_the_fix() {
        for (text, says) in [
            ("25:00-03:00", "hours run from 00 to 23"),
            ("01:60-03:00", "minutes run from 00 to 59"),
            ("1:00-05:00", "two digits"),
            ("01:00", "joined by '-'"),
            ("01:00-01:00", "same time"),
            ("00:00-00:00", "same time"),
            ("24:00-03:00", "may only close"),
            ("01:00-05", "write HH:MM"),
            ("0s", "0s holds no snapshot"),
            ("4 hours", "duration"),
            ("", "duration"),
        ] {
            let e = parse_backup_window(text).expect_err(text).to_string();
            assert!(e.contains(says), "{text}: {e}");
            assert!(e.contains(&format!("\"{text}\"")), "{text}: {e}");
            assert!(e.contains("HH:MM-HH:MM"), "{text}: {e}");
        }
    }
}
