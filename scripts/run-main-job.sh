#!/usr/bin/env bash
# The main job: installs the dependencies, builds edgetl, then teaches the
# MobileNet V1 embedding extractor three new classes (cat, dog, hot dog) from
# Coral's imprinting photos in the shared folder, saves the retrained model
# and classifies the held-out photos with it.
# Usage: scripts/run-main-job.sh [build-dir]     (data: $EDGETL_DATA_DIR or ../shared)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${EDGETL_DATA_DIR:-../shared}
scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DEDGETL_BUILD_TESTS=OFF -DEDGETL_BUILD_BENCH=OFF > /dev/null
cmake --build "$build" -j"$(nproc)" --target edgetl_cli
edgetl="$build/edgetl"

# One folder per class, as `edgetl imprint` expects (links, no copies).
work="$build/main-job"
rm -rf "$work" && mkdir -p "$work/data"
for class in cat dog hotdog; do
  mkdir -p "$work/data/$class"
  ln -s "$(realpath "$data")/images/imprinting/${class}"_*.bmp "$work/data/$class/"
done

echo "== imprinting new classes into the MobileNet V1 extractor"
"$edgetl" imprint --model "$data/models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite" \
  --data "$work/data" --out "$work/pets_imprinted.tflite"
echo "== the retrained model on the held-out photos"
"$edgetl" classify --model "$work/pets_imprinted.tflite" --labels "$work/pets_imprinted.txt" --top-k 2 \
  "$work"/data/*/*_test_*.bmp
