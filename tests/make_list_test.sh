#!/usr/bin/env bash
# datasets/make_list.sh on a small class-folder tree, then `edgetl embed --data`
# on the list it wrote: the same images and classes as the folder itself.
set -euo pipefail
make_list=$1
cli=$2
data=${EDGETL_DATA_DIR:-$3}
model="$data/models/mobilenet_v1_0.25_128_quant.tflite"
if [[ ! -f "$model" || ! -f "$data/images/cat.bmp" ]]; then
  echo "missing shared data; skipped"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/set/cats" "$tmp/set/birds, wild"
cp "$data/images/cat.bmp" "$tmp/set/cats/a.bmp"
cp "$data/images/cat.bmp" "$tmp/set/cats/b.BMP"
cp "$data/images/parrot.jpg" "$tmp/set/birds, wild/p.jpg"
touch "$tmp/set/cats/notes.txt"
"$make_list" "$tmp/set" > "$tmp/list.csv"
cat "$tmp/list.csv"
test "$(wc -l < "$tmp/list.csv")" -eq 4
"$cli" embed --no-cache --model "$model" --data "$tmp/list.csv" --out "$tmp/from_list.csv"
"$cli" embed --no-cache --model "$model" --data "$tmp/set" --out "$tmp/from_dir.csv"
cmp "$tmp/from_list.csv" "$tmp/from_dir.csv"
