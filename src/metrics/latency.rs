//! Foreground IO latency by number of pending snapshots (IO fidelity only),
//! split by burst-credit state: an IO whose admission waited for burst
//! credits (gp2 IO credits, st1/sc1 throughput credits, exhausted) is slowed
//! by the credits, whatever is pending, so it is counted apart
//! ([`OpLatency::credits_exhausted`]) and the pending levels compare like
//! with like.

use serde::{Deserialize, Serialize};

/// Latency of one operation while exactly `pending` snapshots were pending
/// when the IO arrived [µs].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyLevel {
    /// Pending snapshots at arrival (0 … 5, or up to the volume's limit).
    pub pending: u32,
    /// IOs recorded (after warm-up).
    pub count: u64,
    /// Mean [µs].
    pub mean_us: f64,
    /// Median [µs].
    pub p50_us: f64,
    /// 90th percentile [µs].
    pub p90_us: f64,
    /// 99th percentile [µs].
    pub p99_us: f64,
    /// 99.9th percentile [µs].
    pub p999_us: f64,
    /// Largest [µs].
    pub max_us: f64,
}

/// Ratio of each percentile at `pending` to the same percentile with none
/// pending [dimensionless]; `None` where either side has no IOs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Degradation {
    /// Pending snapshots.
    pub pending: u32,
    /// Mean ratio: the application impact of the pending snapshots on this
    /// operation, as a factor.
    #[serde(default)]
    pub mean: Option<f64>,
    /// p50 ratio.
    pub p50: Option<f64>,
    /// p90 ratio.
    pub p90: Option<f64>,
    /// p99 ratio.
    pub p99: Option<f64>,
    /// p99.9 ratio.
    pub p999: Option<f64>,
}

/// One operation's latency across pending levels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpLatency {
    /// `read` or `write`.
    pub op: String,
    /// Levels that saw at least one IO that did not wait for burst credits
    /// (every IO of a type without them), ascending.
    pub levels: Vec<LatencyLevel>,
    /// Degradation against level 0, for every level above 0 that has IOs
    /// (of [`OpLatency::levels`]).
    pub degradation: Vec<Degradation>,
    /// The IOs whose admission waited for burst credits (the credits were
    /// exhausted), by pending level, with their ratios to level 0 of
    /// [`OpLatency::levels`]; absent when no IO waited for credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_exhausted: Option<CreditsExhausted>,
}

/// Latency of the IOs that waited for burst credits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreditsExhausted {
    /// Levels that saw at least one such IO, ascending.
    pub levels: Vec<LatencyLevel>,
    /// Ratio of each level's percentiles to those with none pending and
    /// credits available, for every level here (0 included).
    pub degradation: Vec<Degradation>,
}

/// Mean latency of all foreground IO, reads and writes together, by
/// pending level (IOs that waited for burst credits left out): (pending,
/// IOs, mean [µs]), ascending. The change of the mean from level 0 is the
/// application impact of pending snapshots on an open-loop workload.
pub fn all_io_mean(ops: &[OpLatency]) -> Vec<(u32, u64, f64)> {
    let mut by: std::collections::BTreeMap<u32, (u64, f64)> = Default::default();
    for l in ops.iter().flat_map(|o| &o.levels) {
        let e = by.entry(l.pending).or_default();
        e.0 += l.count;
        e.1 += l.count as f64 * l.mean_us;
    }
    by.into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(p, (n, sum))| (p, n, sum / n as f64))
        .collect()
}

/// The storage station as a queue, for Little's law: L = λ W.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StationStats {
    /// Foreground IOs completed over the whole run (warm-up included).
    pub completed: u64,
    /// Completion rate over the run [1/s].
    pub throughput_per_second: f64,
    /// Mean time from arrival to completion, limits' waiting included [µs].
    pub mean_latency_us: f64,
    /// Time-average number of foreground IOs in the station [IOs].
    pub mean_in_station: f64,
    /// Foreground IOs that arrived at the volume, shed ones included.
    #[serde(default)]
    pub submitted: u64,
    /// Of them, not queued because the volume was overloaded.
    #[serde(default)]
    pub shed: u64,
    /// Share of the submitted IOs that did not complete within the run
    /// (shed, or still queued or in service at the horizon) [0, 1].
    #[serde(default)]
    pub never_completed_fraction: f64,
    /// When the volume's IO queue reached its bound and the volume became
    /// overloaded [s since start]; absent if it never did. Latency figures
    /// then cover only the IOs queued before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overloaded_at_seconds: Option<f64>,
    /// Bytes the IOs that reached the station took from the volume's
    /// throughput limit, per second of the run, copy-on-write traffic
    /// included [B/s]: never above the provisioned throughput (plus the
    /// 10 ms of tokens a cap holds, once).
    #[serde(default)]
    pub charged_bytes_per_second: f64,
    /// Copy-on-write reads and writes over the run [B].
    #[serde(default)]
    pub copy_on_write_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(pending: u32, count: u64, mean_us: f64) -> LatencyLevel {
        LatencyLevel {
            pending,
            count,
            mean_us,
            p50_us: mean_us,
            p90_us: mean_us,
            p99_us: mean_us,
            p999_us: mean_us,
            max_us: mean_us,
        }
    }

    /// By hand: none pending, 3 reads at 100 µs and 1 write at 200 µs, mean
    /// 125 µs; one pending, 1 read at 100 µs and 1 write at 300 µs, mean
    /// 200 µs; a level with no IOs is left out.
    #[test]
    fn all_io_mean_weights_reads_and_writes_by_their_counts() {
        let op = |name: &str, levels| OpLatency {
            op: name.into(),
            levels,
            degradation: Vec::new(),
            credits_exhausted: None,
        };
        let ops = [
            op(
                "read",
                vec![level(0, 3, 100.0), level(1, 1, 100.0), level(2, 0, 0.0)],
            ),
            op("write", vec![level(0, 1, 200.0), level(1, 1, 300.0)]),
        ];
        assert_eq!(all_io_mean(&ops), vec![(0, 4, 125.0), (1, 2, 200.0)]);
    }
}
