#!/bin/bash
# Instructions one inference of MODEL takes, counted by valgrind's callgrind:
# the same count for the same binary and input whatever else the machine is
# doing, where wall-clock timings on a shared VM swing by up to 2x. Compare
# two builds with it where a change is smaller than that noise. The count is
# the difference between two `edgetl bench` runs (RUNS and 3 * RUNS
# inferences), so loading, interpreter creation and the warm-up cancel out.
#
# Under valgrind the CPU reports no AVX-512, so the AVX2 kernels run (or the
# portable ones on a CPU without AVX2), and valgrind rounds the float
# requantization to nearest whatever MXCSR says: the count is right, the
# outputs are not checked.
#
# Usage: bench/instructions_per_image.sh EDGETL_BINARY MODEL [THREADS] [RUNS]
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 EDGETL_BINARY MODEL [THREADS] [RUNS]" >&2
  exit 2
fi
binary=$1 model=$2 threads=${3:-1} runs=${4:-5}
command -v valgrind >/dev/null || {
  echo "valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
}

# Prints the instructions callgrind collected over `edgetl bench --runs $1`.
collected() {
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" bench --model "$model" \
    --threads "$threads" --runs "$1" 2>"$out" >/dev/null || {
    cat "$out" >&2
    rm -f "$out"
    exit 1
  }
  awk '/Collected :/{print $4}' "$out"
  rm -f "$out"
}

few=$(collected "$runs")
many=$(collected $((3 * runs)))
echo "$model: $(((many - few) / (2 * runs))) instructions per inference ($threads thread(s))"
