// CONV_2D (and FULLY_CONNECTED, as a 1x1 convolution) as a GEMM on AVX2,
// for x86 CPUs without AVX-512 VNNI (Intel before Ice Lake, AMD before Zen
// 4), byte-identical to the reference kernels.
//
// AVX2's only exact 8-bit multiply-add is vpmaddwd: two int16 x int16
// products summed into each int32 lane (vpmaddubsw, the u8 x s8 one,
// saturates its int16 sums). So both operands are widened to int16 with
// their zero points folded in, activations x + io and weights w + fo, each
// within [-255, 255]: every dot product is then sum_k (x + io)(w + fo), the
// reference's sum, with no correction terms, for uint8 and int8 models
// alike. Padding taps are 0, as the reference's skipped taps. The bias
// joins in the requantization (requantize_avx2.h).
//
// Weights are packed at Prepare into panels of 16 channels (the last may be
// 8 wide), each [k2 / 2][width][2] int16: one 32-bit load per row and k
// pair, broadcast, meets one vector of 8 channels' pairs. Requantization is
// fused into the tile's epilogue. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/cache_line_allocator.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

inline constexpr int kAvx2Panel = 16;  // output channels per packed panel
inline constexpr int kAvx2Rows = 4;    // output pixels per micro-tile

struct Avx2Conv {
  int n = 0;   // output channels
  int k2 = 0;  // depth (filter_h * filter_w * in_c) rounded up to 2: int16 values per row
  // Panel p at offset p * kAvx2Panel * k2.
  std::vector<int16_t, CacheLineAllocator<int16_t>> b;
  Avx2Requantization requant;

  int panels() const { return (n + kAvx2Panel - 1) / kAvx2Panel; }
};

// Packs an OHWI (or [out][in]) filter of `n` x `k` values, W uint8_t or
// int8_t, with the op's quantization and optional bias; the float
// requantization's proofs run as tasks of `parallel`.
template <typename W>
Avx2Conv PackAvx2Conv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q, const ParallelFor& parallel);

// RowsAvx2 and GemmAvx2 run only where optimized::HasAvx2() (a build
// without AVX2 code compiles them empty).

// Values `a` needs past its last row for RowsAvx2.
inline constexpr int kAvx2RowSlack = 16;

// Writes the int16 rows (k2 values each) of output pixels [m0, m0 + rows)
// (pixel index over batch, y, x) to `a`, which holds rows * k2 +
// kAvx2RowSlack values.
template <typename T>
void RowsAvx2(const reference::ConvGeometry& g, int32_t input_offset, const T* input, int m0,
              int rows, int k2, int16_t* a);

// out[r * ldc + c] for r < rows and the channels of panels [p_begin,
// p_end): the requantized outputs for rows a + r * k2.
template <typename T>
void GemmAvx2(const Avx2Conv& w, const int16_t* a, int rows, int p_begin, int p_end, T* out,
              size_t ldc);

}  // namespace edgetl::optimized
