#!/usr/bin/env bash
# Every real-mode test binary, run again and again while stress-ng keeps every core busy: the
# evidence that these tests wait on conditions, not on times a slow process can miss.
#
#   bench/real_tests_under_load.sh BUILD_DIR [ROUNDS]     e.g. bench/real_tests_under_load.sh build-asan 20
#
# STRESS_NICE=19 runs stress-ng at that niceness: the cores stay busy, but other work on the
# machine (builds, sweeps) still makes progress beside it and becomes part of the load.
#
# BUILD_DIR is a build tree with the tests built (an AddressSanitizer one is the hard case). Each
# round runs every tests/real/real_*_test binary once; a round fails if any test in it fails. The
# last line is "N passed, N failed" (rounds); each failing round's output is kept in BUILD_DIR.
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [ROUNDS]}
rounds=${2:-20}
command -v stress-ng >/dev/null || { echo "needs stress-ng (apt-get install stress-ng)" >&2; exit 2; }
binaries=("$build"/tests/real/real_*_test)
[ -x "${binaries[0]}" ] || { echo "no tests/real/real_*_test binaries in $build" >&2; exit 2; }

nice -n "${STRESS_NICE:-0}" stress-ng --cpu "$(nproc)" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null || true' EXIT

passed=0
failed=0
for round in $(seq 1 "$rounds"); do
  start=$SECONDS
  log="$build/real-under-load-round-$round.log"
  ok=true
  for binary in "${binaries[@]}"; do
    "$binary" --gtest_brief=1 >>"$log" 2>&1 || ok=false
  done
  if $ok; then
    passed=$((passed + 1))
    rm -f "$log"
    echo "round $round: pass ($((SECONDS - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  else
    failed=$((failed + 1))
    echo "round $round: FAIL ($((SECONDS - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg), output in $log)"
  fi
done
echo "load: stress-ng --cpu $(nproc) at nice ${STRESS_NICE:-0} on $(nproc) cores; binaries: ${#binaries[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
