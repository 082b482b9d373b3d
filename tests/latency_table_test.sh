#!/usr/bin/env bash
# bench/latency_table.sh on one short round: a row with a latency for every
# model and thread count, and the kernels that ran named (no timing is judged).
set -euo pipefail
script=$1
cli=$2
export EDGETL_DATA_DIR=${EDGETL_DATA_DIR:-$3}
if [[ ! -f "$EDGETL_DATA_DIR/models/mobilenet_v1_0.25_128_quant.tflite" ]]; then
  echo "missing shared data; skipped"
  exit 0
fi
table=$("$script" "$cli" 1 2)
echo "$table"
grep -Eq '^CPU: .*kernels: (avx512-vnni\+amx|avx512-vnni|avx2|portable);' <<<"$table"
test "$(grep -Ec '^\| `[a-z0-9_.]+` \| [12] \| [0-9.]+ ms \| [0-9.]+ ms \| [0-9.]+ ms \| [0-9.]+ ms \| (yes|no) \|$' <<<"$table")" -eq 8
