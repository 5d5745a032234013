//! Whether a CreateSnapshot call is accepted: one small rule each, behind
//! one interface, checked in the order AWS applies them. A rule sees the
//! call and the state the rules need, and answers with the error code AWS
//! names when it refuses. Regional quotas and copy concurrency are further
//! rules of the same shape.

use crate::engine::{SimDuration, SimTime};
use crate::metrics::ErrorCode;

/// Minimum spacing of CreateSnapshot calls on one volume (EBS_FACTS.md §3.1.4).
pub const REQUEST_SPACING: SimDuration = SimDuration(15_000_000_000);

/// What the rules look at for one call on one volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallState {
    /// The call's instant.
    pub now: SimTime,
    /// The previous call on the volume, accepted or not.
    pub last_call: Option<SimTime>,
    /// Snapshots of the volume pending now.
    pub pending: u32,
    /// The volume's limit of pending snapshots.
    pub pending_limit: u32,
}

/// One admission rule.
pub trait Rule {
    /// `Ok` if the rule lets the call through, else the error AWS returns.
    ///
    /// # Errors
    /// The refusal's [`ErrorCode`].
    fn admit(&self, call: &CallState) -> Result<(), ErrorCode>;
}

/// At most one call per volume every [`REQUEST_SPACING`].
pub struct RequestSpacing;

impl Rule for RequestSpacing {
    fn admit(&self, call: &CallState) -> Result<(), ErrorCode> {
        match call.last_call {
            Some(t) if call.now - t < REQUEST_SPACING => {
                Err(ErrorCode::SnapshotCreationPerVolumeRateExceeded)
            }
            _ => Ok(()),
        }
    }
}

/// At most the volume's limit of snapshots pending at once.
pub struct PendingLimit;

impl Rule for PendingLimit {
    fn admit(&self, call: &CallState) -> Result<(), ErrorCode> {
        if call.pending >= call.pending_limit {
            Err(ErrorCode::ConcurrentSnapshotLimitExceeded)
        } else {
            Ok(())
        }
    }
}

/// The rules of a run, in the order they are checked.
pub struct Admission {
    rules: Vec<Box<dyn Rule + Send + Sync>>,
}

impl Default for Admission {
    fn default() -> Self {
        Admission {
            rules: vec![Box::new(RequestSpacing), Box::new(PendingLimit)],
        }
    }
}

impl Admission {
    /// The first refusal among the rules, if any.
    pub fn refusal(&self, call: &CallState) -> Option<ErrorCode> {
        self.rules.iter().find_map(|r| r.admit(call).err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(now: u64, last: Option<u64>, pending: u32) -> CallState {
        CallState {
            now: SimTime::from_secs(now),
            last_call: last.map(SimTime::from_secs),
            pending,
            pending_limit: 5,
        }
    }

    #[test]
    fn each_rule_refuses_with_the_code_aws_names() {
        let a = Admission::default();
        assert_eq!(
            a.refusal(&call(100, Some(90), 0)),
            Some(ErrorCode::SnapshotCreationPerVolumeRateExceeded)
        );
        assert_eq!(
            a.refusal(&call(100, Some(85), 0)),
            None,
            "exactly 15 s apart is allowed"
        );
        assert_eq!(
            a.refusal(&call(100, None, 5)),
            Some(ErrorCode::ConcurrentSnapshotLimitExceeded)
        );
        assert_eq!(a.refusal(&call(100, None, 4)), None);
        // Spacing is checked first, as before.
        assert_eq!(
            a.refusal(&call(100, Some(99), 5)),
            Some(ErrorCode::SnapshotCreationPerVolumeRateExceeded)
        );
    }
}
