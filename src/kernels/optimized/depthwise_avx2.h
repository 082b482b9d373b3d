// DEPTHWISE_CONV_2D (depth multiplier 1) on AVX2 with fused requantization,
// byte-identical to the reference kernel.
//
// As in the AVX2 GEMM (gemm_avx2.h), products are vpmaddwd of int16
// operands with the zero points folded in, (x + input offset) and (w +
// filter offset): the window's taps go in pairs, the two taps' inputs of
// 16 channels interleaved (unpack) against their weights interleaved the
// same way at Prepare, so one vpmaddwd adds two taps of 8 channels. A tap
// outside the input (padding) takes 0, which adds nothing, as the
// reference's skipped taps. Internal header.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/optimized/cache_line_allocator.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct DepthwiseAvx2 {
  int taps = 0, pairs = 0, c16 = 0;  // filter taps, (taps + 1) / 2; channels rounded up to 16
  // Per tap pair and block of 16 channels, two vectors of 8 int16 pairs
  // (w + filter offset of the pair's first and second tap) in unpack order:
  // channels 0-3 and 8-11 of the block, then 4-7 and 12-15. 0 for the
  // missing second tap of an odd window and beyond the channels.
  std::vector<int16_t, CacheLineAllocator<int16_t>> w;
  Avx2Requantization requant;
};

template <typename W>
DepthwiseAvx2 PackDepthwiseAvx2(const W* filter, const reference::ConvGeometry& g,
                                const int32_t* bias, const reference::ConvQuant& q);

// Output rows [row_begin, row_end) of batches x out_h.
template <typename T>
void DepthwiseRowsAvx2(const reference::ConvGeometry& g, int32_t input_offset,
                       const DepthwiseAvx2& p, const T* input, int row_begin, int row_end,
                       T* output);

}  // namespace edgetl::optimized
