#!/usr/bin/env bash
# Installs edgetl into a temporary prefix and builds the samples against it
# with find_package(edgetl), as an app would.
set -euo pipefail
build_dir=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build_dir" --prefix "$tmp/prefix" > /dev/null
cmake -S "$source_dir/samples" -B "$tmp/samples" -DCMAKE_PREFIX_PATH="$tmp/prefix" > /dev/null
cmake --build "$tmp/samples" -j2 > /dev/null
test -x "$tmp/samples/classify_image"
usage=$("$tmp/samples/classify_image" 2>&1 || true)  # no arguments: prints usage, exits 2
grep -q usage <<< "$usage"
echo "installed package builds and links"
