#!/bin/bash
# The latency table of the extraction-speed issue: the four MobileNets of the
# shared data on 1 and 2 threads, each timed ROUNDS times by `edgetl bench`
# (RUNS inferences a round, six times as many for the small 0.25 model),
# beside TensorFlow Lite + XNNPACK's medians and the target of at most 0.7x
# them. Rounds go over all models and thread counts in turn, so that a busy
# stretch of a shared machine spreads over every row instead of spoiling one;
# "best" is the lowest of a row's round medians, "middle" their median, and
# the verdict is taken on the middle.
#
# TensorFlow Lite's figures were measured on a 2-core AMD Zen 5 (AVX-512
# VNNI): the verdicts mean something only on that machine type. The table
# names the CPU and the kernels that ran, so that a table from another
# machine is not mistaken for one.
#
# Usage: bench/latency_table.sh EDGETL_BINARY [ROUNDS] [RUNS]
#   EDGETL_DATA_DIR: the shared data (default: ../shared beside the checkout)
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 EDGETL_BINARY [ROUNDS] [RUNS]" >&2
  exit 2
fi
binary=$1 rounds=${2:-5} runs=${3:-500}
data=${EDGETL_DATA_DIR:-$(dirname "$0")/../../shared}

# The 0.25 model takes this many times RUNS: a round of it is over too
# quickly otherwise for a stable median.
small_model_runs=6
# model, TFLite + XNNPACK median on 1 and 2 threads (ms), runs multiplier
models=(
  "mobilenet_v1_1.0_224_quant_embedding_extractor 6.1 3.15 1"
  "mobilenet_v2_1.0_224_quant 4.2 2.16 1"
  "tf2_mobilenet_v2_1.0_224_ptq 2.16 1.40 1"
  "mobilenet_v1_0.25_128_quant 0.27 0.15 $small_model_runs"
)
for row in "${models[@]}"; do
  read -r name _ <<<"$row"
  [[ -f "$data/models/$name.tflite" ]] || {
    echo "missing $data/models/$name.tflite (set EDGETL_DATA_DIR)" >&2
    exit 1
  }
done

# One `edgetl bench --json` field.
field() { grep -o "\"$1\":[^,}]*" | cut -d: -f2 | tr -d '"'; }

results=$(mktemp)
trap 'rm -f "$results"' EXIT
kernels=""
for ((round = 1; round <= rounds; ++round)); do
  for row in "${models[@]}"; do
    read -r name _ _ multiplier <<<"$row"
    for threads in 1 2; do
      json=$("$binary" bench --json --model "$data/models/$name.tflite" --threads "$threads" \
        --runs $((runs * multiplier)))
      kernels=$(field kernels <<<"$json")
      median=$(field median_ms <<<"$json")
      [[ -n $median && -n $kernels ]] || {
        echo "no median_ms or kernels in: $json" >&2
        exit 1
      }
      echo "$name $threads $median" >>"$results"
    done
  done
  echo "round $round of $rounds done" >&2
done

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //' || true)
echo "CPU: ${cpu:-unknown}, $(nproc) hardware threads; kernels: $kernels;" \
  "medians of $rounds rounds of $runs runs (0.25 model: $((runs * small_model_runs)))"
echo
echo "| model | threads | edgetl best | edgetl middle | TFLite+XNNPACK | target (0.7x) | met |"
echo "|---|---|---|---|---|---|---|"
for row in "${models[@]}"; do
  read -r name tflite1 tflite2 _ <<<"$row"
  for threads in 1 2; do
    tflite=$tflite1
    [[ $threads == 2 ]] && tflite=$tflite2
    awk -v name="$name" -v threads="$threads" '$1 == name && $2 == threads { print $3 }' \
      "$results" | sort -g | awk -v name="$name" -v threads="$threads" -v tflite="$tflite" '
        { v[NR] = $1 }
        END {
          middle = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          target = 0.7 * tflite
          printf "| `%s` | %d | %.3f ms | %.3f ms | %s ms | %.3f ms | %s |\n", name, threads,
            v[1], middle, tflite, target, middle <= target ? "yes" : "no"
        }'
  done
done
echo
echo "MobileNet V1 1.0 224 on 2 threads also has to stay within the Edge TPU's 2.4 ms" \
  "(0.7x of 3.15 ms is the stricter bar)."
