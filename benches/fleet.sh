#!/usr/bin/env bash
# Fleet-scale benchmark: the figures of the README's "Fleet performance"
# section, measured in one run beside the baseline (the hand-written M/M/1
# heap loop of benches/hand-mm1, built as its own binary).
#
# Usage: benches/fleet.sh [--big]
#   --big   also runs 10,000 volumes x 30 days (about 10 minutes)
# Every run is pinned to one core (taskset -c 0) and writes its results
# without the report (--no-report) into a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
big=${1:-}
cargo build --release --quiet
cargo build --release --quiet --manifest-path benches/hand-mm1/Cargo.toml
bin=target/release/snapsim
hand=benches/hand-mm1/target/release/hand-mm1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

# A scenario with every volume count and pool rate multiplied by $2 (and
# its name changed): the same fleet, k times over.
scaled() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
src, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(src))
s["name"] = f'{s["name"]}-x{k}'
for v in s["volumes"]:
    v["count"] = v.get("count", 1) * k
import re
for p in s.get("transfer", {}).get("pools", []):
    num, unit = re.match(r"([0-9.]+)(.*)", p["rate"]).groups()
    p["rate"] = f"{float(num) * k:g}{unit}"
json.dump(s, open(out, "w"))
PY
}

# An exact-tracking fleet of $1 small gp3 volumes sharing one fair pool of
# $3 (default 1GiB/s).
exact_pool() {
    python3 - "$1" "$2" "${3:-1GiB/s}" <<'PY'
import json, sys
n, out, pool = int(sys.argv[1]), sys.argv[2], sys.argv[3]
json.dump({
    "name": f"exact-pool-{n}", "seed": 5, "duration": "12h", "timeseries_step": "1h",
    "change_tracking": "exact",
    "transfer": {"per_snapshot": "42MiB/s", "sharing": "fair",
                 "pools": [{"name": "link", "rate": pool}]},
    "volumes": [{"name": "v", "count": n, "type": "gp3", "size": "50GiB", "used": "10GiB",
                 "pool": "link",
                 "workload": {"writes": {"rate": "10/s", "size": "16KiB",
                                         "pattern": {"zipf": {"exponent": 1.1}}}},
                 "snapshots": {"every": "1h", "first_at": "5m", "jitter": "10m", "retain": 24}}],
}, open(out, "w"))
PY
}

# Runs a scenario; prints "wall_s rss_mib events writes".
measure() {
    local scenario=$1 out=$tmp/out-$RANDOM
    local cmd=("$bin" run "$scenario" --out "$out" --quiet --no-report)
    if command -v taskset >/dev/null; then cmd=(taskset -c 0 "${cmd[@]}"); fi
    /usr/bin/time -f "%e %M" -o "$tmp/time" "${cmd[@]}" >/dev/null
    python3 - "$tmp/time" "$out/summary.json" <<'PY'
import json, sys
wall, rss_kb = open(sys.argv[1]).read().split()[-2:]
s = json.load(open(sys.argv[2]))
print(wall, int(rss_kb) // 1024, s["events_processed"], s["writes_simulated"])
PY
    rm -rf "$out"
}

hand_rate=$(pin "$hand" 20000000 3 | sed -n 's/.*hand_customers_per_s=\([0-9]*\).*/\1/p')
echo "baseline: hand-written M/M/1 loop, $hand_rate customers/s"

scaled scenarios/fleet-1000.json 2 "$tmp/fleet-2000.json"
read -r w1 r1 e1 x1 < <(measure scenarios/fleet-1000.json)
read -r w2 r2 e2 x2 < <(measure "$tmp/fleet-2000.json")
exact_pool 400 "$tmp/pool-400.json"
exact_pool 800 "$tmp/pool-800.json"
exact_pool 800 "$tmp/pool-800-2g.json" 2GiB/s
read -r p4 _ _ _ < <(measure "$tmp/pool-400.json")
read -r p8 _ _ _ < <(measure "$tmp/pool-800.json")
read -r p82 _ _ _ < <(measure "$tmp/pool-800-2g.json")
python3 - scenarios/quickstart.json "$tmp/qs30.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["name"] = "quickstart-30d"; s["duration"] = "30d"; s["timeseries_step"] = "1h"
json.dump(s, open(sys.argv[2], "w"))
PY
read -r wq rq _ _ < <(measure "$tmp/qs30.json")
if [ "$big" = "--big" ]; then
    scaled scenarios/fleet-1000.json 10 "$tmp/fleet-10000.json"
    read -r w10 r10 e10 x10 < <(measure "$tmp/fleet-10000.json")
else
    w10=-; r10=-; e10=0; x10=0
fi

python3 - "$hand_rate" "$w1" "$r1" "$e1" "$x1" "$w2" "$r2" "$e2" "$p4" "$p8" "$wq" "$rq" "$w10" "$r10" "$e10" "$p82" <<'PY'
import sys
a = sys.argv[1:]
hand = float(a[0])
w1, r1, e1, x1, w2, r2, e2, p4, p8, wq, rq, w10, r10, e10, p82 = a[1:]
w1, e1, x1, w2, e2, p4, p8, p82 = map(float, (w1, e1, x1, w2, e2, p4, p8, p82))
print()
print("| run | wall [s] | peak RSS [MiB] | events/s | events/s ÷ hand customers/s | writes represented/s |")
print("|---|---:|---:|---:|---:|---:|")
print(f"| fleet-1000, 30 d | {w1:.1f} | {r1} | {e1/w1:,.0f} | {e1/w1/hand:.4f} | {x1/w1:.3g} |")
print(f"| fleet-2000, 30 d | {w2:.1f} | {r2} | {e2/w2:,.0f} | {e2/w2/hand:.4f} | |")
if w10 != "-":
    print(f"| fleet-10000, 30 d | {float(w10):.1f} | {r10} | {float(e10)/float(w10):,.0f} | {float(e10)/float(w10)/hand:.4f} | |")
print()
print(f"2,000 / 1,000 volumes time: {w2/w1:.2f}x (goal at most 2.2x)")
print(f"exact tracking, fair pool, 800 / 400 volumes time: {p8/p4:.2f}x (goal at most 2.3x; {p4:.1f} s and {p8:.1f} s)")
print(f"the same, pool doubled with the volumes (2 GiB/s): {p82/p4:.2f}x ({p82:.1f} s)")
print(f"quickstart for 30 days, every snapshot kept: {float(wq):.1f} s, peak RSS {rq} MiB (goal under 128 MiB)")
PY
