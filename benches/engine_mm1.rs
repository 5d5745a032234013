//! Engine speed on the M/M/1 queue of `../shared/anchors/` (λ = 0.9, μ = 1,
//! one FIFO server), beside the hand-written binary-heap loop of
//! `benches/hand-mm1`, run as its own binary in the same run (interleaved).
//! Prints customers per second and the ratio engine / hand loop.
//!
//! Run: `cargo bench --bench engine_mm1 -- [customers] [repeats]`
//! (defaults 5,000,000 and 3; interleaved, median reported).

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;
use snapsim::engine::{run, Model, Scheduler, SimDuration, SimTime};
use std::collections::VecDeque;
use std::time::Instant;

const LAMBDA: f64 = 0.9;
const MU: f64 = 1.0;
const NS: f64 = 1e9;

#[path = "common/baseline.rs"]
mod baseline;

fn exp_ns(rng: &mut Pcg64Mcg, rate: f64) -> u64 {
    let x: f64 = Exp1.sample(rng);
    (x / rate * NS) as u64
}

/// The M/M/1 model on snapsim's engine.
struct Mm1 {
    rng: Pcg64Mcg,
    remaining: u64,
    queue: VecDeque<SimTime>,
    busy: bool,
    done: u64,
    total_ns: u128,
}

enum Ev {
    Arrival,
    Departure,
}

impl Model for Mm1 {
    type Event = Ev;
    fn handle(&mut self, s: &mut Scheduler<Ev>, ev: Ev) {
        let now = s.now();
        match ev {
            Ev::Arrival => {
                self.queue.push_back(now);
                if !self.busy {
                    self.busy = true;
                    s.schedule_after(SimDuration(exp_ns(&mut self.rng, MU)), Ev::Departure);
                }
                self.remaining -= 1;
                if self.remaining > 0 {
                    s.schedule_after(SimDuration(exp_ns(&mut self.rng, LAMBDA)), Ev::Arrival);
                }
            }
            Ev::Departure => {
                let arrived = self.queue.pop_front().expect("a customer in service");
                self.total_ns += u128::from((now - arrived).as_nanos());
                self.done += 1;
                if self.queue.is_empty() {
                    self.busy = false;
                } else {
                    s.schedule_after(SimDuration(exp_ns(&mut self.rng, MU)), Ev::Departure);
                }
            }
        }
    }
}

fn engine(n: u64) -> (f64, f64) {
    let mut m = Mm1 {
        rng: Pcg64Mcg::seed_from_u64(42),
        remaining: n,
        queue: VecDeque::new(),
        busy: false,
        done: 0,
        total_ns: 0,
    };
    let mut s = Scheduler::new();
    let t = Instant::now();
    s.schedule_at(SimTime(exp_ns(&mut m.rng, LAMBDA)), Ev::Arrival)
        .expect("time zero");
    run(&mut s, &mut m);
    let wall = t.elapsed().as_secs_f64();
    (wall, m.total_ns as f64 / m.done as f64 / NS)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: u64 = args
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let reps: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let (mut e, mut h) = (Vec::new(), Vec::new());
    let mut e_mean = 0.0;
    let hand = baseline::hand_mm1_binary();
    for _ in 0..reps {
        h.push(baseline::hand_mm1_rate(&hand, n));
        let (w, m) = engine(n);
        e.push(n as f64 / w);
        e_mean = m;
    }
    let (e, h) = (median(e), median(h));
    println!("M/M/1, lambda={LAMBDA}, mu={MU}, {n} customers, median of {reps} interleaved runs");
    println!("theory mean response time: {:.3}", 1.0 / (MU - LAMBDA));
    println!(
        "hand-written heap loop : {:>8.3} M customers/s  (benches/hand-mm1, its own binary)",
        h / 1e6
    );
    println!(
        "snapsim engine         : {:>8.3} M customers/s  mean response {e_mean:.3}",
        e / 1e6
    );
    println!("ratio engine/hand      : {:>8.3}", e / h);
    println!("BENCH engine_customers_per_s={e:.0} hand_customers_per_s={h:.0}");
}
