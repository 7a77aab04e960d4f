#!/bin/sh
# External nodes' speed: one scenario against the Python example in deterministic mode, in
# wall-clock mode, and in the simulator with raftsim's own core, RUNS times each.
# usage: bench/external_bench.sh BUILD_DIR [RUNS]   (from the repository root)
set -eu
build=$1
runs=${2:-3}
scenario=tests/external/scenarios/crash_restart.yaml
node="python3 examples/raft_node.py --reports"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
for i in $(seq "$runs"); do
  echo "deterministic: $("$build/tools/raftsim" run -q "$scenario" --clock deterministic --node "$node" | tail -1)"
  echo "wall-clock:    $("$build/tools/raftsim" run -q "$scenario" --clock wall --node "$node" | tail -1)"
  echo "own core:      $("$build/tools/raftsim" run -q "$scenario" | tail -1)"
done
