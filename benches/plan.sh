#!/usr/bin/env bash
# `snapsim plan` benchmark: the README's first plan example (the smallest
# regional pool rate for 99 % of snapshots within a 4 h window) on 2
# threads, its wall time, and its runs against a plain grid at the same
# resolution, read from plan.json.
#
# Usage: [SNAPSIM_BIN=...] benches/plan.sh [SCENARIO] [PATH LO HI]
#   default: scenarios/plan-pool.json transfer.pools[0].rate 100MiB/s 4GiB/s
# The issue's benchmark is `plan` on scenarios/nightly-window.json (under
# 2 minutes on 2 threads, at least 5x fewer runs than the grid); pass it as
# SCENARIO once that scenario exists.
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/plan-pool.json}
path=${2:-transfer.pools[0].rate}
lo=${3:-100MiB/s}
hi=${4:-4GiB/s}
# SNAPSIM_BIN=path/to/snapsim skips the release build.
bin=${SNAPSIM_BIN:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/snapsim
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s.%N)
"$bin" plan "$scenario" --find "$path" --between "$lo" "$hi" \
    --target 'fraction_completed_within_deadline >= 0.99' --deadline 4h \
    --threads 2 --out "$tmp/plan" --quiet || true
end=$(date +%s.%N)
python3 - "$tmp/plan/plan.json" "$start" "$end" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
g = p["grid_comparison"]
print(f'{p["scenario"]}: {p["status"]}, answer {p["answer"]}, interval {p["interval"]}')
print(f'wall {wall:.1f} s on 2 threads; {p["points_evaluated"]} points, {p["runs"]} runs; '
      f'grid {g["points"]} points x {g["runs_per_point"]} = {g["runs"]} runs '
      f'({g["runs"] / max(p["runs"], 1):.1f}x fewer)')
PY
