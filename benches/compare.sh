#!/usr/bin/env bash
# Runs snapsim's benchmarks and the SimPy anchor in one go and prints the
# ratios quoted in the README. Usage: benches/compare.sh [customers] [simpy_customers]
# Needs python3 with venv; SimPy is installed into target/bench-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5000000}
n_simpy=${2:-300000}
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet simpy==4.1.2
fi
cargo bench --bench engine_mm1 --bench model_throughput --no-run >/dev/null 2>&1
engine_out=$(cargo bench --quiet --bench engine_mm1 -- "$n" 3)
echo "$engine_out"
simpy_runs=()
for _ in 1 2 3; do
  simpy_runs+=("$("$venv/bin/python" benches/mm1_simpy.py "$n_simpy" | sed -n 's/.*simpy_customers_per_s=\([0-9]*\).*/\1/p')")
done
simpy=$(printf '%s\n' "${simpy_runs[@]}" | sort -n | sed -n 2p)
engine=$(echo "$engine_out" | sed -n 's/.*engine_customers_per_s=\([0-9]*\).*/\1/p')
hand=$(echo "$engine_out" | sed -n 's/.*hand_customers_per_s=\([0-9]*\).*/\1/p')
echo "SimPy 4.1.2 ($n_simpy customers, median of 3): $simpy customers/s"
model_out=$(cargo bench --quiet --bench model_throughput -- 3000 3)
echo "$model_out"
python3 - "$hand" "$engine" "$simpy" <<'PY'
import sys
hand, engine, simpy = map(float, sys.argv[1:])
print()
print("| engine | customers / s | relative to the hand loop |")
print("|---|---:|---:|")
for name, v in [("hand-written heap loop", hand), ("snapsim engine", engine), ("SimPy 4.1.2", simpy)]:
    print(f"| {name} | {v/1e6:.2f} M | {v/hand:.3f} |")
print(f"\nsnapsim engine / SimPy: {engine/simpy:.0f}x")
PY
