//! Named random streams derived from the scenario's base seed.
//!
//! Each random source (a volume's writes, its schedule jitter, a snapshot's
//! upload-rate draw) gets its own generator seeded from (base seed, stream
//! name) by a fixed hash. Adding a volume therefore leaves every other
//! volume's random numbers unchanged (common random numbers across sweep
//! points), and no stream ever depends on the clock or the thread count.

use rand_pcg::Pcg64Mcg;

/// The generator used for every stream: small, fast, reproducible.
pub type StreamRng = Pcg64Mcg;

/// The generator for stream `name` under `seed`.
pub fn stream(seed: u64, name: &str) -> StreamRng {
    // FNV-1a over the name, then SplitMix64 finalisers over (seed, hash):
    // stable across platforms and Rust versions, unlike `DefaultHasher`.
    let h = fnv1a(name.as_bytes());
    let hi = splitmix64(seed ^ splitmix64(h));
    let lo = splitmix64(hi ^ h.rotate_left(32));
    StreamRng::new((u128::from(hi) << 64) | u128::from(lo) | 1)
}

/// A seed derived from (seed, name) by the same stable hash as [`stream`]:
/// sweeps give replication r the seed `derive_seed(base, "replication/r")`.
pub fn derive_seed(seed: u64, name: &str) -> u64 {
    let h = fnv1a(name.as_bytes());
    splitmix64(seed ^ splitmix64(h) ^ 0x5eed_5eed_5eed_5eed)
}

/// FNV-1a over `bytes` (64 bit): stable across platforms and Rust versions.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a1: u64 = stream(7, "volume/db/writes").random();
        let a2: u64 = stream(7, "volume/db/writes").random();
        let b: u64 = stream(7, "volume/db2/writes").random();
        let c: u64 = stream(8, "volume/db/writes").random();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert_ne!(a1, c);
    }

    #[test]
    fn derived_seeds_are_pinned_and_distinct() {
        assert_eq!(
            derive_seed(7, "replication/0"),
            derive_seed(7, "replication/0")
        );
        assert_ne!(
            derive_seed(7, "replication/0"),
            derive_seed(7, "replication/1")
        );
        assert_ne!(
            derive_seed(7, "replication/0"),
            derive_seed(8, "replication/0")
        );
        assert_eq!(
            derive_seed(1, "replication/0"),
            15_118_821_429_571_203_279,
            "seed derivation changed: every sweep result changes with it"
        );
    }

    #[test]
    fn stream_values_are_pinned_across_versions() {
        const PINNED: u64 = 14_978_329_456_893_878_745;
        // Pins the derivation: changing it silently would change every result.
        let v: u64 = stream(1, "x").random();
        assert_eq!(
            v, PINNED,
            "stream derivation changed: every result file changes with it"
        );
    }
}
