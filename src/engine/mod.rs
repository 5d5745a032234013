//! The generic discrete-event core: simulated time, the event queue and the
//! run loop.
//!
//! This module knows nothing about volumes, snapshots or files. A model is any
//! type implementing [`Model`] with a closed `enum` of events; the engine hands
//! each event to [`Model::handle`] in (time, scheduling order) order.
//!
//! Invariants: the clock never goes backwards; events at equal times run in
//! the order they were scheduled; nothing can be scheduled in the past.

mod scheduler;
mod time;

pub use scheduler::{EventId, ScheduleError, Scheduler};
pub use time::{ceil_u64, trunc_u64, u64_to_f64, SimDuration, SimTime, NANOS_PER_SEC};

/// A simulation model driven by the engine.
pub trait Model {
    /// The model's event type: a closed enum, matched exhaustively.
    type Event;

    /// Reacts to one event at `sched.now()`, possibly scheduling more.
    fn handle(&mut self, sched: &mut Scheduler<Self::Event>, event: Self::Event);
}

/// Runs exactly one event, if one is due at or before `until`. Returns whether
/// an event ran.
pub fn step<M: Model>(sched: &mut Scheduler<M::Event>, model: &mut M, until: SimTime) -> bool {
    match sched.pop_until(until) {
        Some(event) => {
            model.handle(sched, event);
            true
        }
        None => false,
    }
}

/// Runs every event due at or before `until` (inclusive), then leaves the
/// clock at `until`. Events scheduled later stay queued, so a run can be
/// resumed. Returns the number of events run.
pub fn run_until<M: Model>(sched: &mut Scheduler<M::Event>, model: &mut M, until: SimTime) -> u64 {
    let start = sched.events_processed();
    while let Some(event) = sched.pop_until(until) {
        model.handle(sched, event);
    }
    sched.advance_clock_to(until);
    sched.events_processed() - start
}

/// Runs until no event is left. Returns the number of events run. The clock
/// stays at the last event's time.
pub fn run<M: Model>(sched: &mut Scheduler<M::Event>, model: &mut M) -> u64 {
    let start = sched.events_processed();
    while let Some(event) = sched.pop_until(SimTime::MAX) {
        model.handle(sched, event);
    }
    sched.events_processed() - start
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every event it sees; `Spawn` schedules a follow-up.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(u64, &'static str)>,
    }

    enum Ev {
        Mark(&'static str),
        Spawn(SimDuration, &'static str),
    }

    impl Model for Recorder {
        type Event = Ev;
        fn handle(&mut self, sched: &mut Scheduler<Ev>, event: Ev) {
            match event {
                Ev::Mark(name) => self.seen.push((sched.now().0, name)),
                Ev::Spawn(d, name) => {
                    self.seen.push((sched.now().0, "spawn"));
                    sched.schedule_after(d, Ev::Mark(name));
                }
            }
        }
    }

    #[test]
    fn equal_times_run_in_scheduling_order() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        s.schedule_at(SimTime(10), Ev::Mark("b")).unwrap();
        s.schedule_at(SimTime(5), Ev::Mark("a")).unwrap();
        s.schedule_at(SimTime(10), Ev::Mark("c")).unwrap();
        s.schedule_at(SimTime(10), Ev::Mark("d")).unwrap();
        assert_eq!(run(&mut s, &mut m), 4);
        assert_eq!(m.seen, vec![(5, "a"), (10, "b"), (10, "c"), (10, "d")]);
    }

    #[test]
    fn zero_delay_follow_up_runs_after_already_queued_same_time_events() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        s.schedule_at(SimTime(1), Ev::Spawn(SimDuration::ZERO, "child"))
            .unwrap();
        s.schedule_at(SimTime(1), Ev::Mark("sibling")).unwrap();
        run(&mut s, &mut m);
        assert_eq!(m.seen, vec![(1, "spawn"), (1, "sibling"), (1, "child")]);
    }

    #[test]
    fn cancelled_events_never_run() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        let a = s.schedule_at(SimTime(1), Ev::Mark("a")).unwrap();
        s.schedule_at(SimTime(2), Ev::Mark("b")).unwrap();
        let c = s.schedule_at(SimTime(3), Ev::Mark("c")).unwrap();
        assert!(s.cancel(a));
        assert!(!s.cancel(a), "second cancel reports nothing to cancel");
        assert!(s.cancel(c));
        assert_eq!(s.len(), 1);
        assert_eq!(s.peek_time(), Some(SimTime(2)));
        assert_eq!(run(&mut s, &mut m), 1);
        assert_eq!(m.seen, vec![(2, "b")]);
        assert!(s.is_empty());
    }

    /// Regression: cancelling an event that already ran used to be
    /// recorded as a pending cancellation, so `len()` underflowed.
    #[test]
    fn cancelling_an_event_that_already_ran_changes_nothing() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        let a = s.schedule_at(SimTime(1), Ev::Mark("a")).unwrap();
        let b = s.schedule_at(SimTime(1), Ev::Mark("b")).unwrap();
        s.schedule_at(SimTime(5), Ev::Mark("c")).unwrap();
        assert_eq!(run_until(&mut s, &mut m, SimTime(1)), 2);
        assert!(!s.cancel(a), "a ran already");
        assert!(!s.cancel(b), "b ran already");
        assert_eq!(s.len(), 1);
        assert!(!s.is_empty());
        assert_eq!(run(&mut s, &mut m), 1);
        assert_eq!(s.len(), 0);
        assert!(s.is_empty());
        assert_eq!(m.seen, vec![(1, "a"), (1, "b"), (5, "c")]);
    }

    #[test]
    fn run_until_includes_the_boundary_and_stops_after_it() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        for t in [5, 10, 11] {
            s.schedule_at(SimTime(t), Ev::Mark("x")).unwrap();
        }
        assert_eq!(run_until(&mut s, &mut m, SimTime(10)), 2);
        assert_eq!(s.now(), SimTime(10));
        assert_eq!(s.len(), 1);
        // Resuming runs the rest.
        assert_eq!(run_until(&mut s, &mut m, SimTime(100)), 1);
        assert_eq!(s.now(), SimTime(100));
    }

    #[test]
    fn run_until_moves_the_clock_even_without_events() {
        let mut s: Scheduler<Ev> = Scheduler::new();
        let mut m = Recorder::default();
        assert_eq!(run_until(&mut s, &mut m, SimTime(42)), 0);
        assert_eq!(s.now(), SimTime(42));
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        s.schedule_at(SimTime(10), Ev::Mark("x")).unwrap();
        run(&mut s, &mut m);
        let err = s.schedule_at(SimTime(9), Ev::Mark("late")).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::InThePast {
                at: SimTime(9),
                now: SimTime(10)
            }
        );
        assert!(err.to_string().contains("already at"));
        // The present itself is allowed.
        assert!(s.schedule_at(SimTime(10), Ev::Mark("now")).is_ok());
    }

    #[test]
    fn step_runs_one_event_at_a_time() {
        let mut s = Scheduler::new();
        let mut m = Recorder::default();
        s.schedule_at(SimTime(1), Ev::Mark("a")).unwrap();
        s.schedule_at(SimTime(2), Ev::Mark("b")).unwrap();
        assert!(step(&mut s, &mut m, SimTime::MAX));
        assert_eq!(m.seen.len(), 1);
        assert!(!step(&mut s, &mut m, SimTime(1)), "b is after the limit");
        assert!(step(&mut s, &mut m, SimTime(2)));
        assert!(!step(&mut s, &mut m, SimTime::MAX));
        assert_eq!(s.events_processed(), 2);
    }

    /// A chain that runs inline when nothing else is due gives exactly the
    /// order of scheduling every link: ties and later events still go first,
    /// and nothing runs past the `until` of the run.
    #[test]
    fn advance_if_next_keeps_queue_order_and_the_limit() {
        struct Chain {
            seen: Vec<(u64, char)>,
            inline: bool,
        }
        impl Model for Chain {
            type Event = (char, u64);
            fn handle(&mut self, s: &mut Scheduler<(char, u64)>, (c, gap): (char, u64)) {
                self.seen.push((s.now().0, c));
                if c != 'c' {
                    return;
                }
                let mut at = s.now() + SimDuration(gap);
                while self.inline && s.advance_if_next(at) {
                    self.seen.push((s.now().0, c));
                    at = s.now() + SimDuration(gap);
                }
                s.schedule_at(at, ('c', gap)).unwrap();
            }
        }
        let order = |inline: bool| {
            let mut s = Scheduler::new();
            let mut m = Chain {
                seen: Vec::new(),
                inline,
            };
            s.schedule_at(SimTime(0), ('c', 3)).unwrap();
            s.schedule_at(SimTime(9), ('x', 0)).unwrap(); // tie with the chain at 9
            s.schedule_at(SimTime(10), ('y', 0)).unwrap();
            let n = run_until(&mut s, &mut m, SimTime(20));
            (m.seen, n, s.now())
        };
        let (queued, n_queued, end_queued) = order(false);
        let (inline, n_inline, end_inline) = order(true);
        assert_eq!(inline, queued);
        assert_eq!((n_inline, end_inline), (n_queued, end_queued));
        assert_eq!(
            &inline[3..5],
            &[(9, 'x'), (9, 'c')],
            "the queued event goes first at a tie"
        );
        assert_eq!(inline.last(), Some(&(18, 'c')), "nothing after until");
    }
}
