#!/usr/bin/env bash
# Times `snapsim import` on 10,000 volumes with 30 days of 5-minute
# VolumeWriteOps and VolumeWriteBytes (172.8 M datapoints, about 6.6 GB of
# get-metric-data JSON in 100 files), written by benches/import_gen.py,
# and reports wall time and peak RSS (GNU time). Not run by CI.
# Usage: benches/import.sh [path/to/snapsim] [WORK_DIR] [VOLUMES] [DAYS]
# Target (README, "Importing from AWS CLI output"): under 30 s, under 1 GiB.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin=${1:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/snapsim
fi
work=${2:-/tmp/snapsim-import-bench}
volumes=${3:-10000}
days=${4:-30}
if [ ! -f "$work/.done-$volumes-$days" ]; then
    rm -rf "$work"
    python3 benches/import_gen.py "$work" "$volumes" "$days"
    touch "$work/.done-$volumes-$days"
fi
du -sh "$work"
# Read the inputs once so the page cache, not the disk, is measured.
cat "$work"/metrics-*.json > /dev/null
/usr/bin/time -v "$bin" import --volumes "$work/volumes.json" --metrics "$work"/metrics-*.json \
    --policies "$work/policy.json" --used 0.5 --out "$work/out/bench.json" 2> "$work/time.txt"
grep -E 'Elapsed \(wall clock\)|Maximum resident set size|User time|System time|Percent of CPU' "$work/time.txt"
"$bin" validate "$work/out/bench.json" 2>/dev/null | head -n 1
