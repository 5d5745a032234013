//! The backup window: whether a snapshot was done in time.
//!
//! Two forms. A length of time (`4h`): a snapshot meets it when it
//! completes within that long of its request. Daily clock times
//! (`01:00-05:00`, in UTC, the time zone of the scenario's `start`; the
//! window may cross midnight, `22:00-04:00`): a snapshot meets it when its
//! request falls inside one day's window (at or after the opening, before
//! the close) and it completes by the close of that same window. A request
//! outside every window never meets it, however fast it completes.
//!
//! A snapshot still pending at the end of the run never meets the window;
//! it is undecided while the run ended before its deadline (it may yet
//! finish in time) and late after that.
//!
//! Knows nothing of files or the command line: times are seconds of
//! simulated time, and the caller says what clock time simulated time zero
//! was.

/// Seconds in a day [s].
pub const DAY_SECONDS: f64 = 86_400.0;

/// Minutes in a day [min].
pub const DAY_MINUTES: u32 = 1_440;

/// A backup window, as `--backup-window` or a sweep's `deadline` give it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum BackupWindow {
    /// Each snapshot must complete within this long of its request [s];
    /// always above 0.
    Within {
        /// The length [s].
        seconds: f64,
    },
    /// Every day, from `open` to `close`, in minutes after midnight UTC
    /// [min]: `open` in 0 … 1439, `close` in 0 … 1440 and not equal to
    /// `open`; `close` below `open` crosses midnight.
    Clock {
        /// Opening [min after midnight].
        open: u32,
        /// Close [min after midnight]; 1440 is midnight at the end of the day.
        close: u32,
    },
}

/// What became of one accepted snapshot against the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowOutcome {
    /// Requested inside the window and completed by its close (or within
    /// the length of time).
    Met,
    /// Completed after the deadline, or still pending when the deadline
    /// had passed before the end of the run.
    Late,
    /// Clock window only: requested outside every window.
    RequestedOutside,
    /// Still pending at the end, which came before its deadline.
    Undecided,
}

/// One accepted snapshot, in seconds of simulated time [s].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Attempt {
    /// The request.
    pub requested: f64,
    /// Completion, if it completed within the run.
    pub completed: Option<f64>,
    /// Request to completion, as recorded (used by the length form so that
    /// it compares exactly the recorded duration).
    pub duration: Option<f64>,
}

impl BackupWindow {
    /// Length of one day's window [s] (clock form), or the length (duration
    /// form).
    pub fn length_seconds(&self) -> f64 {
        match *self {
            BackupWindow::Within { seconds } => seconds,
            BackupWindow::Clock { open, close } => {
                f64::from((close + DAY_MINUTES - open) % DAY_MINUTES) * 60.0
                    + if close == DAY_MINUTES && open == 0 {
                        DAY_SECONDS
                    } else {
                        0.0
                    }
            }
        }
    }

    /// The deadline of a snapshot requested at `requested` [s], or `None`
    /// if it was requested outside every clock window. `clock_at_zero` is
    /// the time of day of simulated time zero [s after midnight UTC].
    pub fn deadline(&self, clock_at_zero: f64, requested: f64) -> Option<f64> {
        match *self {
            BackupWindow::Within { seconds } => Some(requested + seconds),
            BackupWindow::Clock { open, .. } => {
                let time_of_day = (clock_at_zero + requested).rem_euclid(DAY_SECONDS);
                let since_open = (time_of_day - f64::from(open) * 60.0).rem_euclid(DAY_SECONDS);
                let len = self.length_seconds();
                (since_open < len).then_some(requested + (len - since_open))
            }
        }
    }

    /// Whether `a` met the window, in a run that ended at `end` [s].
    pub fn assess(&self, clock_at_zero: f64, a: Attempt, end: f64) -> WindowOutcome {
        if let BackupWindow::Within { seconds } = *self {
            return match a.duration {
                Some(d) if d <= seconds => WindowOutcome::Met,
                Some(_) => WindowOutcome::Late,
                None if end - a.requested < seconds => WindowOutcome::Undecided,
                None => WindowOutcome::Late,
            };
        }
        let Some(deadline) = self.deadline(clock_at_zero, a.requested) else {
            return WindowOutcome::RequestedOutside;
        };
        match a.completed {
            Some(c) if c <= deadline => WindowOutcome::Met,
            Some(_) => WindowOutcome::Late,
            None if end < deadline => WindowOutcome::Undecided,
            None => WindowOutcome::Late,
        }
    }

    /// The window as the command line takes it back: `2h`, `1h30m`, `90.5s`
    /// or `01:00-05:00`.
    pub fn to_arg(&self) -> String {
        match *self {
            BackupWindow::Within { seconds } => duration_text(seconds),
            BackupWindow::Clock { open, close } => {
                format!("{}-{}", clock_text(open), clock_text(close))
            }
        }
    }
}

/// The time of day of `start` [s after midnight UTC].
pub fn clock_at_zero(start: std::time::SystemTime) -> f64 {
    let d = start
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() % 86_400) as f64 + f64::from(d.subsec_nanos()) / 1e9
}

/// Seconds as a duration the scenario format reads: whole seconds in
/// days, hours, minutes and seconds without zero parts (`1h30m`), others as
/// seconds (`90.5s`).
fn duration_text(seconds: f64) -> String {
    if seconds.fract() != 0.0 || !(1.0..1e15).contains(&seconds) {
        return format!("{seconds}s");
    }
    let mut left = seconds as u64;
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if left >= len {
            out.push_str(&format!("{}{unit}", left / len));
            left %= len;
        }
    }
    out
}

/// Minutes after midnight as `HH:MM`.
pub fn clock_text(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Counts of a group of snapshots against the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowCounts {
    /// Accepted snapshots considered.
    pub accepted: usize,
    /// [`WindowOutcome::Met`].
    pub met: usize,
    /// [`WindowOutcome::Late`].
    pub late: usize,
    /// [`WindowOutcome::RequestedOutside`].
    pub requested_outside: usize,
    /// [`WindowOutcome::Undecided`].
    pub undecided: usize,
}

impl WindowCounts {
    /// Counts `outcomes`.
    pub fn of(outcomes: impl IntoIterator<Item = WindowOutcome>) -> WindowCounts {
        let mut c = WindowCounts::default();
        for o in outcomes {
            c.accepted += 1;
            match o {
                WindowOutcome::Met => c.met += 1,
                WindowOutcome::Late => c.late += 1,
                WindowOutcome::RequestedOutside => c.requested_outside += 1,
                WindowOutcome::Undecided => c.undecided += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: f64 = 3600.0;

    fn done(requested: f64, completed: f64) -> Attempt {
        Attempt {
            requested,
            completed: Some(completed),
            duration: Some(completed - requested),
        }
    }

    fn pending(requested: f64) -> Attempt {
        Attempt {
            requested,
            completed: None,
            duration: None,
        }
    }

    #[test]
    fn a_window_across_midnight_takes_a_request_before_midnight_and_closes_the_next_morning() {
        let w = BackupWindow::Clock {
            open: 22 * 60,
            close: 4 * 60,
        };
        assert_eq!(w.length_seconds(), 6.0 * H);
        // Time zero is midnight; 23:58 on day 0, done at 03:59 on day 1.
        let at = 23.0 * H + 58.0 * 60.0;
        assert_eq!(w.deadline(0.0, at), Some(28.0 * H));
        assert_eq!(w.assess(0.0, done(at, 27.98 * H), 1e9), WindowOutcome::Met);
        assert_eq!(w.assess(0.0, done(at, 28.5 * H), 1e9), WindowOutcome::Late);
        // 00:10 on day 1 is inside the window that opened on day 0.
        assert_eq!(w.deadline(0.0, 24.0 * H + 600.0), Some(28.0 * H));
        // 04:00 is the close: outside.
        assert_eq!(
            w.assess(0.0, done(28.0 * H, 28.1 * H), 1e9),
            WindowOutcome::RequestedOutside
        );
    }

    #[test]
    fn a_request_before_the_opening_starts_outside_even_if_it_finishes_inside() {
        let w = BackupWindow::Clock {
            open: 60,
            close: 5 * 60,
        };
        let at = 600.0; // 00:10
        assert_eq!(w.deadline(0.0, at), None);
        assert_eq!(
            w.assess(0.0, done(at, 2.0 * H), 1e9),
            WindowOutcome::RequestedOutside
        );
        // The opening itself is inside.
        assert_eq!(w.assess(0.0, done(H, 5.0 * H), 1e9), WindowOutcome::Met);
    }

    #[test]
    fn the_clock_at_time_zero_shifts_the_window() {
        // Time zero at 22:00: sim time 3 h is 01:00.
        let w = BackupWindow::Clock {
            open: 60,
            close: 5 * 60,
        };
        assert_eq!(w.deadline(22.0 * H, 3.0 * H), Some(7.0 * H));
        assert_eq!(w.deadline(22.0 * H, 2.9 * H), None);
    }

    #[test]
    fn unfinished_snapshots_never_meet_the_window() {
        let w = BackupWindow::Clock {
            open: 60,
            close: 5 * 60,
        };
        assert_eq!(
            w.assess(0.0, pending(2.0 * H), 4.0 * H),
            WindowOutcome::Undecided
        );
        assert_eq!(
            w.assess(0.0, pending(2.0 * H), 6.0 * H),
            WindowOutcome::Late
        );
        let d = BackupWindow::Within { seconds: H };
        assert_eq!(
            d.assess(0.0, pending(0.0), 0.5 * H),
            WindowOutcome::Undecided
        );
        assert_eq!(d.assess(0.0, pending(0.0), 2.0 * H), WindowOutcome::Late);
        assert_eq!(d.assess(0.0, done(0.0, H), 2.0 * H), WindowOutcome::Met);
    }

    #[test]
    fn a_window_to_midnight_and_the_whole_day() {
        let w = BackupWindow::Clock {
            open: 22 * 60,
            close: DAY_MINUTES,
        };
        assert_eq!(w.length_seconds(), 2.0 * H);
        assert_eq!(w.to_arg(), "22:00-24:00");
        let all = BackupWindow::Clock {
            open: 0,
            close: DAY_MINUTES,
        };
        assert_eq!(all.length_seconds(), DAY_SECONDS);
        assert_eq!(all.deadline(0.0, 30.0 * H), Some(48.0 * H));
    }

    #[test]
    fn a_length_of_time_is_written_back_as_the_scenario_format_reads_it() {
        let arg = |seconds| BackupWindow::Within { seconds }.to_arg();
        assert_eq!(arg(7200.0), "2h");
        assert_eq!(arg(5400.0), "1h30m");
        assert_eq!(arg(90_061.0), "1d1h1m1s");
        assert_eq!(arg(90.5), "90.5s");
    }
}
