#!/usr/bin/env bash
# Runs the camera sample on an image sequence made from the shared cat photo
# (VideoCapture reads "img_%03d.bmp" like a camera), and checks that every
# frame is classified as the reference models classify the photo (id 286).
set -euo pipefail
sample=$1
data=${EDGETL_DATA_DIR:-$2}
model="$data/models/mobilenet_v1_0.5_160_quant.tflite"
if [[ ! -f "$model" || ! -f "$data/images/cat.bmp" ]]; then
  echo "missing shared data; skipped"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 000 001 002; do cp "$data/images/cat.bmp" "$tmp/img_$i.bmp"; done
out=$("$sample" "$model" "$tmp/img_%03d.bmp")
echo "$out"
test "$(grep -c '^frame .*  286  ' <<< "$out")" -eq 3
grep -q '^3 frames' <<< "$out"
if "$sample" "$model" "$tmp/none_%03d.bmp" 2> "$tmp/err"; then exit 1; fi
grep -q "cannot open video source\|no frames read" "$tmp/err"
