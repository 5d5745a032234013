#!/usr/bin/env bash
# Regenerates the bundled import example: scenarios/imported/fleet.json and
# scenarios/imported/import.md from the AWS CLI output fixtures in
# scenarios/imported/aws/ (fictional ids). tests/import.rs runs the same
# command (it reads the `import` line below) and checks the committed files
# byte for byte. Usage: scripts/import-example.sh [path/to/snapsim]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bin=${1:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/snapsim
fi

a=scenarios/imported/aws
"$bin" import --volumes $a/describe-volumes-page1.json $a/describe-volumes-page2.json --metrics $a/get-metric-data-page1.json $a/get-metric-data-page2.json $a/vol-0a1b2c3d4e5f60005.VolumeWriteOps.json $a/vol-0a1b2c3d4e5f60005.VolumeWriteBytes.json --policies $a/policy-hourly.json $a/policy-nightly.json --snapshots $a/describe-snapshots.json --used-from-snapshots --used 0.5 --name imported-fleet --compare --out scenarios/imported/fleet.json --quiet
