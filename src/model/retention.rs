//! Retention: which completed snapshots a policy deletes, and when.
//!
//! The storage ledger ([`super::storage`]) knows which snapshot is the
//! oldest deletable one and what deleting it frees; this module only
//! decides whether the policy deletes it now.

use super::config::Retention;
use crate::engine::SimDuration;

impl Retention {
    /// Whether the oldest deletable snapshot goes, with `retained`
    /// completed snapshots kept and the oldest's point in time `age` ago.
    /// The caller never offers the newest completed snapshot.
    pub fn deletes_oldest(self, retained: usize, age: SimDuration) -> bool {
        match self {
            Retention::KeepAll => false,
            Retention::Last(n) => retained > n as usize,
            Retention::MaxAge(max) => age >= max,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keep-last deletes beyond the count; max-age at the age; keep-all
    /// never.
    #[test]
    fn retention_deletes_the_oldest_by_count_or_age() {
        let h = SimDuration(3_600_000_000_000);
        assert!(Retention::Last(3).deletes_oldest(4, SimDuration::ZERO));
        assert!(!Retention::Last(3).deletes_oldest(3, h));
        assert!(Retention::MaxAge(h).deletes_oldest(1, h));
        assert!(!Retention::MaxAge(h).deletes_oldest(9, SimDuration(h.0 - 1)));
        assert!(!Retention::KeepAll.deletes_oldest(1000, h));
    }
}
