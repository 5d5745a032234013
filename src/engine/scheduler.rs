//! The event queue: a binary heap keyed by (time, scheduling sequence).
//!
//! Ties are broken by the order in which events were scheduled, so two events
//! at the same instant always run first-scheduled-first, on every machine and
//! at every thread count. Cancellation is lazy: a cancelled event stays in the
//! heap and is dropped when it reaches the top, which keeps `schedule` and
//! `cancel` at O(log n) / O(1) and the hot pop path free of searches.

use super::time::{SimDuration, SimTime};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};
use thiserror::Error;

/// Handle of a scheduled event, used to cancel it. It carries the event's
/// instant so that [`Scheduler::cancel`] can tell an event that already ran
/// from one still queued without any per-event bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventId {
    time: SimTime,
    seq: u64,
}

/// Errors of the event queue.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ScheduleError {
    /// An event was scheduled before the current simulated time.
    #[error("cannot schedule an event at {at} because the simulation is already at {now}; events may only be scheduled at or after the current time")]
    InThePast {
        /// The requested instant.
        at: SimTime,
        /// The current simulated time.
        now: SimTime,
    },
}

struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.time == other.time && self.seq == other.seq
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so that the max-heap pops the earliest (time, seq) first.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The pending-event set and the simulation clock.
///
/// Generic over the model's event type `E`; it knows nothing of what events
/// mean. The clock only moves forward, when an event is taken out.
pub struct Scheduler<E> {
    now: SimTime,
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
    cancelled: HashSet<u64>,
    processed: u64,
    /// The `until` of the pop in progress: nothing may run after it.
    limit: SimTime,
    /// (time, seq) of the last entry taken out of the heap: every entry
    /// ordered at or before it has left the heap (run or dropped).
    last_popped: Option<(SimTime, u64)>,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        Scheduler {
            now: SimTime::ZERO,
            heap: BinaryHeap::new(),
            next_seq: 0,
            cancelled: HashSet::new(),
            processed: 0,
            limit: SimTime::MAX,
            last_popped: None,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of events taken out and handed to the model so far.
    pub fn events_processed(&self) -> u64 {
        self.processed
    }

    /// Number of scheduled events not yet run nor cancelled.
    pub fn len(&self) -> usize {
        self.heap.len() - self.cancelled.len()
    }

    /// Whether no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Schedules `event` at the absolute instant `at`.
    ///
    /// # Errors
    /// [`ScheduleError::InThePast`] if `at` is before [`Scheduler::now`].
    pub fn schedule_at(&mut self, at: SimTime, event: E) -> Result<EventId, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InThePast { at, now: self.now });
        }
        Ok(self.push(at, event))
    }

    /// Schedules `event` after `delay` from now. Never fails: the instant
    /// saturates at [`SimTime::MAX`].
    #[inline]
    pub fn schedule_after(&mut self, delay: SimDuration, event: E) -> EventId {
        let at = self.now + delay;
        self.push(at, event)
    }

    #[inline]
    fn push(&mut self, time: SimTime, event: E) -> EventId {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
        EventId { time, seq }
    }

    /// Cancels a scheduled event that has not run yet. Returns `false` if it
    /// was already cancelled or has already run (then nothing changes, and
    /// [`Scheduler::len`] stays exact).
    pub fn cancel(&mut self, id: EventId) -> bool {
        // Entries leave the heap in (time, seq) order, so an id at or before
        // the last one taken out is gone already.
        if id.seq >= self.next_seq
            || self
                .last_popped
                .is_some_and(|last| (id.time, id.seq) <= last)
        {
            return false;
        }
        self.cancelled.insert(id.seq)
    }

    /// The instant of the next event that will run, if any.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.drop_cancelled_top();
        self.heap.peek().map(|e| e.time)
    }

    fn drop_cancelled_top(&mut self) {
        if self.cancelled.is_empty() {
            return;
        }
        while let Some(top) = self.heap.peek() {
            if self.cancelled.remove(&top.seq) {
                self.last_popped = Some((top.time, top.seq));
                self.heap.pop();
            } else {
                break;
            }
        }
    }

    /// Runs a follow-up at `at` inline, without queueing it, if it would be
    /// the very next event anyway: `at` is not before now, strictly before
    /// every queued event (so first-scheduled-first still holds at ties), and
    /// not after the `until` of the run in progress. On success the clock
    /// moves to `at`, the follow-up counts as a processed event, and the
    /// caller handles it at once; otherwise the caller schedules it.
    ///
    /// This is how a model with a long chain of its own events (a stream of
    /// arrivals) skips the queue while nothing else is due; the order of
    /// events is exactly the one the queue would give.
    #[inline]
    pub fn advance_if_next(&mut self, at: SimTime) -> bool {
        if at < self.now || at > self.limit {
            return false;
        }
        self.drop_cancelled_top();
        if self.heap.peek().is_some_and(|top| top.time <= at) {
            return false;
        }
        self.now = at;
        self.processed += 1;
        true
    }

    /// Takes out the next event if it is due at or before `until`, advancing
    /// the clock to its time.
    #[inline]
    pub fn pop_until(&mut self, until: SimTime) -> Option<E> {
        self.limit = until;
        loop {
            let top = self.heap.peek()?;
            if top.time > until {
                return None;
            }
            let entry = self.heap.pop()?;
            self.last_popped = Some((entry.time, entry.seq));
            if !self.cancelled.is_empty() && self.cancelled.remove(&entry.seq) {
                continue;
            }
            self.now = entry.time;
            self.processed += 1;
            return Some(entry.event);
        }
    }

    /// Moves the clock forward to `t` without running anything (used when a
    /// run stops at a horizon with later events still queued).
    pub(crate) fn advance_clock_to(&mut self, t: SimTime) {
        if t > self.now {
            self.now = t;
        }
    }
}
