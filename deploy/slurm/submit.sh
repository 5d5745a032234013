#!/usr/bin/env bash
# Submits a sharded snapsim sweep to Slurm: a job array of N shards
# (sweep.sbatch), then a merge job that runs only if every shard succeeded
# (--dependency=afterok). The merged files land in $SWEEP_DIR/merged.
#
# Usage: deploy/slurm/submit.sh SCENARIO SWEEP_DIR SHARDS [extra sbatch args...]
# Environment: SNAPSIM (binary path every node can run; default: snapsim on
# PATH), THREADS (threads per shard, default 1). Extra arguments (e.g.
# --partition=batch, --wait) go to both sbatch calls.
# Prints the merge job's id on stdout.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 SCENARIO SWEEP_DIR SHARDS [sbatch args...]" >&2
    exit 2
fi
SCENARIO=$(realpath "$1"); SWEEP_DIR=$(realpath -m "$2"); SHARDS=$3; shift 3
SNAPSIM=${SNAPSIM:-$(command -v snapsim || echo snapsim)}
THREADS=${THREADS:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$SWEEP_DIR/logs"
# Check the scenario and its sweep before queueing anything.
"$SNAPSIM" validate "$SCENARIO" >&2
export SNAPSIM SCENARIO SWEEP_DIR THREADS
array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --cpus-per-task="$THREADS" \
    --output="$SWEEP_DIR/logs/shard-%a.out" --export=ALL "$@" "$here/sweep.sbatch")
array=${array%%;*}
echo "submitted shards: job array $array (0-$((SHARDS - 1)))" >&2
shards=()
for ((i = 0; i < SHARDS; i++)); do shards+=("$SWEEP_DIR/shard-$i"); done
merge=$(sbatch --parsable --dependency=afterok:"$array" --job-name=snapsim-merge \
    --output="$SWEEP_DIR/logs/merge.out" --export=ALL "$@" \
    --wrap="$(printf '%q ' "$SNAPSIM" merge --out "$SWEEP_DIR/merged" "${shards[@]}")")
merge=${merge%%;*}
echo "submitted merge: job $merge (after every shard succeeds) -> $SWEEP_DIR/merged" >&2
echo "$merge"
