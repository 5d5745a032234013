//! M/M/1 (λ = 0.9, μ = 1, one FIFO server) as a bare loop over a binary heap
//! of (time ns, sequence, kind): the practical limit of a heap-based engine,
//! and the baseline the project's benchmarks report their ratios against.
//!
//! Usage: `hand-mm1 [customers] [repeats]` (defaults 20,000,000 and 3);
//! prints `hand_customers_per_s=N` (median of the repeats) and the mean
//! response time (theory: 10).

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

fn exp_ns(rng: &mut Pcg64Mcg, rate: f64) -> u64 {
    let x: f64 = Exp1.sample(rng);
    (x / rate * 1e9) as u64
}

fn once(n: u64) -> (f64, f64) {
    let mut rng = Pcg64Mcg::seed_from_u64(42);
    let mut heap: BinaryHeap<Reverse<(u64, u64, u8)>> = BinaryHeap::new();
    let (mut seq, mut remaining, mut busy) = (0u64, n, false);
    let mut queue: VecDeque<u64> = VecDeque::new();
    let (mut done, mut total) = (0u64, 0u128);
    let start = Instant::now();
    heap.push(Reverse((exp_ns(&mut rng, 0.9), seq, 0)));
    while let Some(Reverse((now, _, kind))) = heap.pop() {
        if kind == 0 {
            queue.push_back(now);
            if !busy {
                busy = true;
                seq += 1;
                heap.push(Reverse((now + exp_ns(&mut rng, 1.0), seq, 1)));
            }
            remaining -= 1;
            if remaining > 0 {
                seq += 1;
                heap.push(Reverse((now + exp_ns(&mut rng, 0.9), seq, 0)));
            }
        } else {
            let arrived = queue.pop_front().expect("a customer in service");
            total += u128::from(now - arrived);
            done += 1;
            if queue.is_empty() {
                busy = false;
            } else {
                seq += 1;
                heap.push(Reverse((now + exp_ns(&mut rng, 1.0), seq, 1)));
            }
        }
    }
    (start.elapsed().as_secs_f64(), total as f64 / done as f64 / 1e9)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000_000);
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let mut rates = Vec::new();
    let mut mean = 0.0;
    for _ in 0..repeats.max(1) {
        let (wall, m) = once(n);
        rates.push(n as f64 / wall);
        mean = m;
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!("hand_customers_per_s={median:.0} mean_response={mean:.3}");
}
