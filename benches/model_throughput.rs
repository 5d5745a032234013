//! Model throughput: simulated writes per second of wall time on the
//! quickstart scenario with its write rate raised to 3000/s for 24 h (about
//! 259 M writes), one thread. The baselines measured in the same run are
//! bare loops that draw the same Poisson/Zipf writes and mark their blocks in
//! a bit set, with no snapshot model around them: one with snapsim's Zipf
//! sampler (the floor the model can reach), one with `rand_distr::Zipf`.
//!
//! Run: `cargo bench --bench model_throughput -- [rate_per_s] [repeats]`

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1, Zipf};
use snapsim::model::config::Arrival;
use snapsim::model::units::Frequency;
use snapsim::model::zipf::FastZipf;
use snapsim::model::{simulate, RunMeta};
use std::path::Path;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Draw-and-mark only: the floor any write-level model pays.
fn bare_loop(n: u64, blocks: u64, general_zipf: bool) -> f64 {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
    let general = Zipf::new(blocks as f64, 1.1).expect("valid");
    let fast = FastZipf::new(blocks, 1.1);
    let mut bits = vec![0u64; blocks.div_ceil(64) as usize];
    let mut t = 0.0f64;
    let start = Instant::now();
    for _ in 0..n {
        let x: f64 = Exp1.sample(&mut rng);
        t += x;
        let rank = if general_zipf {
            general.sample(&mut rng) as u64
        } else {
            fast.sample(&mut rng)
        };
        let b = (rank - 1) % blocks;
        bits[(b >> 6) as usize] |= 1 << (b & 63);
    }
    let wall = start.elapsed().as_secs_f64();
    std::hint::black_box((&bits, t));
    n as f64 / wall
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let rate: f64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(3000.0);
    let reps: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/quickstart.json");
    let sc = snapsim::scenario::load(&path).expect("the bundled quickstart loads");
    let mut cfg = sc.config.clone();
    for v in &mut cfg.volumes {
        for w in &mut v.writes {
            w.arrival = Arrival::Poisson(Frequency { per_sec: rate });
        }
    }
    let blocks = cfg.volumes[0].provisioned.size.0 / cfg.block_size.0;
    let (mut model, mut bare, mut general) = (Vec::new(), Vec::new(), Vec::new());
    let mut writes = 0;
    let mut events = 0;
    for _ in 0..reps {
        let start = Instant::now();
        let r = simulate(cfg.clone(), RunMeta::default()).expect("runs");
        let wall = start.elapsed().as_secs_f64();
        writes = r.summary.writes_simulated;
        events = r.summary.events_processed;
        model.push(writes as f64 / wall);
        bare.push(bare_loop(writes, blocks, false));
        general.push(bare_loop(writes, blocks, true));
    }
    let (m, b, g) = (median(model), median(bare), median(general));
    println!("quickstart at {rate}/s for 24 h: {writes} writes, {events} events, median of {reps}");
    println!("bare loop, rand_distr Zipf : {:>8.2} M writes/s", g / 1e6);
    println!("bare loop, snapsim Zipf    : {:>8.2} M writes/s", b / 1e6);
    println!("snapsim model              : {:>8.2} M writes/s", m / 1e6);
    println!("ratio model/bare (same Zipf sampler): {:>6.3}", m / b);
    println!("BENCH model_writes_per_s={m:.0} bare_writes_per_s={b:.0} bare_rand_distr_writes_per_s={g:.0}");
}
