#!/usr/bin/env bash
# A sharded sweep through a real Slurm: writes a small sweep scenario, submits
# deploy/slurm/submit.sh (a 3-task job array plus an afterok merge job) to the
# running cluster, waits for the merge, and compares the merged files byte for
# byte with a single-process sweep of the same scenario.
#
# Usage: tests/slurm/run.sh SNAPSIM_BINARY
# Needs a running Slurm cluster (.ci/run's setup_slurm starts a single-node
# one). The work directory must be visible to the compute node (here: the
# same host). Exits non-zero on any difference or a 10-minute timeout.
set -euo pipefail
bin=$(realpath "${1:?usage: $0 SNAPSIM_BINARY}")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/snapsim-slurm.XXXXXX)
cat > "$work/sweep.json" <<'JSON'
{
  "name": "slurm-sweep",
  "seed": 11,
  "duration": "2h",
  "transfer": { "per_snapshot": "40MiB/s" },
  "volumes": [
    { "name": "db", "type": "gp3", "size": "64GiB", "used": "8GiB",
      "workload": { "writes": { "rate": "200/s", "size": "16KiB", "pattern": "uniform" } },
      "snapshots": { "every": "15m", "on_limit": "fail" } }
  ],
  "sweep": {
    "grid": { "volumes[0].workload.writes.rate": ["100/s", "400/s", "1600/s"],
              "transfer.per_snapshot": ["10MiB/s", "40MiB/s"] },
    "replications": 4
  }
}
JSON
echo "work dir: $work"
merge_job=$(SNAPSIM="$bin" "$repo/deploy/slurm/submit.sh" "$work/sweep.json" "$work/sweep" 3)
echo "waiting for merge job $merge_job"
deadline=$((SECONDS + 600))
while :; do
    state=$(sacct -n -X -P -j "$merge_job" -o State 2>/dev/null | head -1 || true)
    if [ -z "$state" ]; then
        # Without accounting storage, squeue is the only source: gone = done.
        if ! squeue -h -j "$merge_job" 2>/dev/null | grep -q .; then
            state=GONE
        fi
    fi
    case "$state" in
        COMPLETED|GONE) break ;;
        FAILED*|CANCELLED*|TIMEOUT*|OUT_OF_ME*|NODE_FAIL*|DEADLINE*)
            echo "error: merge job $merge_job ended $state" >&2
            cat "$work"/sweep/logs/* >&2 || true
            exit 1 ;;
    esac
    if [ $SECONDS -gt $deadline ]; then
        echo "error: timed out waiting for job $merge_job" >&2
        squeue >&2 || true
        scancel "$merge_job" 2>/dev/null || true
        exit 1
    fi
    sleep 2
done
if [ ! -f "$work/sweep/merged/sweep.json" ]; then
    echo "error: the merge wrote no $work/sweep/merged/sweep.json; logs:" >&2
    cat "$work"/sweep/logs/* >&2 || true
    exit 1
fi
"$bin" sweep "$work/sweep.json" --quiet --out "$work/single"
for f in runs.jsonl runs.csv points.csv sweep.json; do
    cmp "$work/single/$f" "$work/sweep/merged/$f"
done
ls "$work/sweep/merged" | sort > "$work/merged.list"
ls "$work/single" | sort > "$work/single.list"
cmp "$work/merged.list" "$work/single.list"
runs=$(($(wc -l < "$work/single/runs.jsonl") - 1))
echo "ok: 3 Slurm shards merged == single-process sweep, byte for byte ($runs runs)"
rm -rf "$work"
