// DEPTHWISE_CONV_2D (depth multiplier 1) on AVX2 with fused requantization,
// byte-identical to the reference kernel: 8 channels at a time, int32
// lanes of (x + input offset) * (w + filter offset), padding taps skipped
// as in the reference. Internal header.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct DepthwiseAvx2 {
  int taps = 0, c8 = 0;    // filter taps; channels rounded up to 8
  std::vector<int32_t> w;  // [taps][c8]: w + filter offset (0 beyond the channels)
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
