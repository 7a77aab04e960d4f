#!/bin/sh
# Runs one scenario twice against external nodes in deterministic mode and checks that both
# runs print the same digest: a deterministic run is a function of scenario, seed and program.
# usage: same_digest.sh RAFTSIM SCENARIO NODE-COMMAND
set -u
digest() {
  "$1" run -q "$2" --clock deterministic --node "$3" | sed -n 's/.* digest=\([0-9a-f]*\) .*/\1/p'
}
a=$(digest "$@")
b=$(digest "$@")
echo "first run: digest=$a; second run: digest=$b"
[ -n "$a" ] && [ "$a" = "$b" ]
