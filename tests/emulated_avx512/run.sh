#!/usr/bin/env bash
# Runs the AVX-512 VNNI kernels' exactness tests on a CPU without AVX-512:
# a copy of the committed tree is built with immintrin.h (beside this
# script) in place of the compiler's, so every intrinsic runs as SIMDe's
# portable code, and with the VNNI path forced on (AMX stays off: SIMDe has
# no tile unit). The kernels' logic (layouts, zero-point algebra, float
# requantization with its embedded rounding, tails, threads) is what runs;
# their speed is not. Not in CI: the emulated build takes 15-20 minutes
# on 2 cores. Needs libsimde-dev.
#
# Usage: tests/emulated_avx512/run.sh [BUILD_DIR]   (default: a temp dir)
#   EDGETL_DATA_DIR: the shared data (default: ../shared beside the checkout)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d)}
export EDGETL_DATA_DIR=${EDGETL_DATA_DIR:-$root/../shared}
[[ -f /usr/include/simde/x86/avx512.h ]] || {
  echo "SIMDe is not installed (apt-get install libsimde-dev)" >&2
  exit 1
}

# The committed tree, with the three changes the emulation needs: no
# AVX-512 target attributes (the compiler would emit AVX-512 instructions
# for SIMDe's portable loops inside them) and the VNNI path on, AMX off.
mkdir -p "$work/include"
rm -rf "$work/src"
git -C "$root" archive --prefix=src/ HEAD | tar -x -C "$work"
sed -i 's/^#define EDGETL_VNNI_TARGET .*/#define EDGETL_VNNI_TARGET/' \
  "$work/src/src/kernels/optimized/requantize_avx512.h"
sed -i '/^#define EDGETL_AMX_TARGET/{N;s/.*/#define EDGETL_AMX_TARGET/}' \
  "$work/src/src/kernels/optimized/gemm_amx.cc"
cat >>"$work/src/src/kernels/optimized/cpu.cc" <<'EOF'
namespace edgetl::optimized {
bool EmulatedVnni() { return !std::getenv("EDGETL_NO_VNNI"); }
}  // namespace edgetl::optimized
EOF
sed -i -e 's/^bool HasAvx512Vnni() {/bool EmulatedVnni();\nbool HasAvx512Vnni() {\n  return EmulatedVnni();/' \
  -e 's/^bool HasAmxInt8() {/bool HasAmxInt8() {\n  return false;/' \
  "$work/src/src/kernels/optimized/cpu.cc"

# SIMDe's aliases for the intrinsics the sources use, made variadic.
cp "$here/immintrin.h" "$work/include/"
grep -rhoE '\b_mm(256|512)?_[a-z0-9_]+\b' "$work/src/src" "$work/src/tests" | sort -u |
  while read -r name; do
    grep -qE "(inline [^(]*\b|#define )$name\b" "$here/immintrin.h" && continue
    grep -rqE "^\s*#\s*define $name\(" /usr/include/simde/x86 || continue
    printf '#undef %s\n#define %s(...) simde%s(__VA_ARGS__)\n' "$name" "$name" "$name"
  done >"$work/include/variadic_aliases.h"

# -O1: at -O3, GCC spends over 15 minutes on the depthwise kernel's
# templates once every intrinsic is an inlined loop.
cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DEDGETL_WERROR=OFF \
  -DEDGETL_BUILD_BENCH=OFF -DEDGETL_BUILD_SAMPLES=OFF \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS="-I$work/include -w" >/dev/null
cmake --build "$work/build" -j"$(nproc)" --target edgetl_tests edgetl_cli

"$work/build/edgetl" bench --model "$EDGETL_DATA_DIR/models/mobilenet_v1_0.25_128_quant.tflite" \
  --runs 1 --threads 1 | grep '^kernels: *avx512-vnni$'
# The AVX2 path is left out: it is tested natively, and under SIMDe at -O1
# its conversions do not follow the rounding mode it sets in MXCSR (some
# of FloatRequantization's AVX2 cases came out one lower). Only the
# AVX-512 forms, with their embedded rounding, are checked here.
export EDGETL_NO_AVX2=1
# StatsNameTheKernelPath asks the real CPU, which has no VNNI.
filter='GemmVnni.*:OptimizedKernels.*:AddFloatForm.*:RequantizeAvx512.*:AllModels/*:PerLayer/*'
filter+=':SignFlipShim.*:FloatRequantization.*:-OptimizedKernels.StatsNameTheKernelPath'
"$work/build/tests/edgetl_tests" --gtest_filter="$filter"
EDGETL_NO_FLOAT_REQUANT=1 "$work/build/tests/edgetl_tests" \
  --gtest_filter='GemmVnni.*:OptimizedKernels.*:AllModels/*:PerLayer/*:-OptimizedKernels.StatsNameTheKernelPath'
echo "emulated AVX-512 VNNI path: all exactness tests pass"
