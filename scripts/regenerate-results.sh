#!/usr/bin/env bash
# Reruns every scenarios/*.json into results/<name>/ with charts and report,
# and the example sweep into results/sweep-write-rate-sweep/.
# The runs are deterministic, so an unchanged tree means the committed
# results are still what the code produces (CI checks exactly that).
# Usage: scripts/regenerate-results.sh [path/to/snapsim]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${1:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/snapsim
fi

# The import example first: its scenario is generated from the AWS CLI
# fixtures in scenarios/imported/aws/, then run like the others below.
echo "==> scripts/import-example.sh -> scenarios/imported/{fleet.json,import.md}"
scripts/import-example.sh "$bin"

for scenario in scenarios/*.json scenarios/imported/fleet.json; do
    name=$(basename "$scenario" .json)
    # scenarios/imported/fleet.json → results/imported-fleet/
    case "$scenario" in scenarios/imported/*) name="imported-$name" ;; esac
    # A trace scenario needs its trace (../shared/traces beside the clone).
    trace=$(sed -n 's/.*"path": *"\([^"]*\)".*/\1/p' "$scenario" | head -n 1)
    if [ -n "$trace" ] && [ ! -e "scenarios/$trace" ]; then
        echo "==> $scenario SKIPPED: its trace scenarios/$trace is absent"
        continue
    fi
    echo "==> $scenario -> results/$name/"
    # Start from an empty folder so that files a run no longer writes vanish.
    rm -rf "results/$name"
    "$bin" run "$scenario" --out "results/$name" --quiet
done

# The example sweep: its final files, charts and sweep report (deterministic
# for any thread count).
echo "==> scenarios/sweep-write-rate.json (sweep) -> results/sweep-write-rate-sweep/"
rm -rf results/sweep-write-rate-sweep
"$bin" sweep scenarios/sweep-write-rate.json --out results/sweep-write-rate-sweep --quiet

# The example plan (README, Plan): every evaluated point, the answer, chart
# and report (deterministic for any thread count).
echo "==> scenarios/plan-pool.json (plan) -> results/plan-pool-plan/"
rm -rf results/plan-pool-plan
"$bin" plan scenarios/plan-pool.json --find 'transfer.pools[0].rate' --between 100MiB/s 4GiB/s \
    --target 'fraction_completed_within_deadline >= 0.99' --deadline 4h --out results/plan-pool-plan --quiet
