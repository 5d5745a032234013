#!/usr/bin/env bash
# Instructions per simulated IO at IO fidelity, counted by cachegrind: the
# io_throughput scenario run for 3 and for 6 minutes; the difference in
# instructions over the difference in IOs leaves out the fixed set-up cost.
# Needs valgrind. Usage: scripts/io-instructions.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 2; }

bin=$(cargo bench --bench io_throughput --no-run --message-format=json 2> /dev/null |
    sed -n 's/.*"executable":"\([^"]*io_throughput[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$bin" ] || { echo "could not build the io_throughput bench" >&2; exit 1; }

# Prints "<instructions> <IOs>" for a run of $1 minutes.
count() {
    local out
    out=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
        "$bin" --profile "$1" 2>&1)
    local refs ios
    refs=$(echo "$out" | sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,)
    ios=$(echo "$out" | sed -n 's/^[0-9]* min: \([0-9]*\) foreground IOs$/\1/p')
    echo "$refs $ios"
}

read -r i3 n3 < <(count 3)
read -r i6 n6 < <(count 6)
echo "3 min: $i3 instructions, $n3 IOs; 6 min: $i6 instructions, $n6 IOs"
echo "instructions per IO: $(( (i6 - i3) / (n6 - n3) ))"
