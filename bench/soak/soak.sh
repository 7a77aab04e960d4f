#!/usr/bin/env bash
# The kill -9 soak: bench/soak/kill9.yaml against real processes (`raftsim run --real`), on one
# core, with a count of the faults that hit the processes. Results: bench/RESULTS-soak.md.
#   bench/soak/soak.sh BUILD_DIR [SEED] [CPU]     (defaults: seed 1, cpu 0)
# Every node is tied to the raftsim process and killed at the end of the run, also on failure.
set -euo pipefail
BUILD=${1:?usage: bench/soak/soak.sh BUILD_DIR [SEED] [CPU]}
SEED=${2:-1}
CPU=${3:-0}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp /tmp/raftsim-soak-XXXXXX.txt)
echo "== machine: $(nproc) cores, $(uname -r); pinned to cpu $CPU"
echo "== raftsim run --real --seed $SEED $here/kill9.yaml"
start=$(date +%s)
set +e
taskset -c "$CPU" "$BUILD/tools/raftsim" run --real --seed "$SEED" "$here/kill9.yaml" >"$out" 2>&1
code=$?
set -e
end=$(date +%s)
grep -v '^ *[0-9.]*s  ' "$out" || true   # the verdict table, without the narration
echo "== faults that hit the processes"
printf 'SIGKILL of a random node: %s\n' "$(grep -cE 's  crash n[0-9]' "$out" || true)"
printf 'SIGKILL of the leader:    %s\n' "$(grep -cE 's  crash_leader .*: crash n[0-9]+ \(the leader\)' "$out" || true)"
printf 'leader crash, none led:   %s\n' "$(grep -c 'no node leads' "$out" || true)"
printf 'restarts:                 %s\n' "$(grep -cE 's  restart n[0-9]' "$out" || true)"
printf 'SIGSTOP pauses:           %s\n' "$(grep -cE 's  pause n[0-9]' "$out" || true)"
echo "== wall time: $((end - start)) s; exit code $code; narration in $out"
exit "$code"
