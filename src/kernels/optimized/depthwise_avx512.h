// DEPTHWISE_CONV_2D (depth multiplier 1) on AVX-512 with fused
// requantization, byte-identical to the reference kernel. 3x3 windows run
// 32 channels at a time with two taps per vpmaddwd (padding taps read the
// input zero point, which contributes zero); other windows and leftover
// channels run 16 lanes of int32 (x + input offset) * (w + filter offset)
// products with padding taps skipped as in the reference. Internal header.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/optimized/clamped_below_constants.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct DepthwiseAvx512 {
  int taps = 0, c16 = 0;   // filter taps; channels rounded up to 16
  std::vector<int32_t> w;  // [taps][c16]: w + filter offset (0 beyond the channels)
  std::vector<int32_t> bias, multiplier, left_shift, right_shift;  // [c16]

  // 3x3 filters, interior pixels, per full block of 32 channels: the taps in
  // pairs (0,1) (2,3) (4,5) (6,7) (8,-) as int16 for vpmaddwd, in the lane
  // order that byte unpacking gives: half 0 holds channels 0-7 and 16-23,
  // half 1 channels 8-15 and 24-31, each channel's two taps side by side.
  // [block][pair][half][32] int16, and per [block][half][16] the
  // requantization parameters in the same order, with the bias including
  // input offset * sum of the weights.
  int blocks32 = 0;
  std::vector<int16_t> pairs;
  std::vector<uint8_t> zero_point_row;  // what padding taps read: the input zero point

  // act_min >= output offset (fused ReLU/ReLU6): the one-step
  // requantization's constants, per 16 channels in natural order and per
  // [block][half] in the pair order.
  bool clamped_below = false;
  std::vector<ClampedBelowConstants> clamped_below_constants, pair_clamped_below_constants;
  std::vector<int32_t> pair_bias, pair_multiplier, pair_left_shift, pair_right_shift;
};

template <typename W>
DepthwiseAvx512 PackDepthwiseAvx512(const W* filter, int taps, int channels, const int32_t* bias,
                                    const reference::ConvQuant& q);

// Output rows [row_begin, row_end) of batches x out_h.
template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                         const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                         T* output);

}  // namespace edgetl::optimized
