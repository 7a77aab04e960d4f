#!/usr/bin/env bash
# Long fuzzing runs, one fuzzer at a time (-jobs=1), each until RUNS executions or SECONDS.
# Usage: bench/fuzz_long.sh BUILD_DIR OUT_DIR [RUNS] [SECONDS] [FUZZER...]
# BUILD_DIR is a -DRAFTSIM_FUZZ=ON build (see fuzz/CMakeLists.txt); each fuzzer grows its corpus in
# OUT_DIR/corpus/NAME from the seeds and writes its log to OUT_DIR/NAME.log. FUZZ_TIMEOUT (10 s) is
# libFuzzer's -timeout, in wall-clock seconds: raise it on a machine busy with other work.
set -euo pipefail
build=$1 out=$2 runs=${3:-1000000} seconds=${4:-3600}
shift $(($# < 4 ? $# : 4))
fuzzers=("$@")
[ ${#fuzzers[@]} -eq 0 ] && fuzzers=(wire wal scenario history)
mkdir -p "$out"
for name in "${fuzzers[@]}"; do
  mkdir -p "$out/corpus/$name"
  start=$(date +%s)
  status=0
  (cd "$out" && "$build/fuzz/${name}_fuzzer" -jobs=1 -workers=1 -runs="$runs" \
     -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -print_final_stats=1 \
     -artifact_prefix="$out/crash-$name-" "$out/corpus/$name" "$build/fuzz/seeds/$name" \
     >"$out/$name.log" 2>&1) || status=$?
  end=$(date +%s)
  log="$out/$name.log"
  [ -f "$out/fuzz-0.log" ] && mv "$out/fuzz-0.log" "$log"
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  # libFuzzer also keeps inputs that were merely slow (slow-unit-*): those are not crashes.
  crashes=$(find "$out" -maxdepth 1 -name "crash-$name-*" ! -name "*slow-unit*" | wc -l)
  echo "$name: exit $status, ${executed:-?} executions in $((end - start)) s, $crashes crash files"
done
