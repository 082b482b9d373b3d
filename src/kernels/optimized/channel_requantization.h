// The per-channel requantization parameters the AVX-512 conv kernels load:
// one builder for the GEMM and the depthwise packing. Plain C++. Internal.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/optimized/float_requantization.h"
#include "kernels/optimized/one_step_constants.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct ChannelRequantization {
  // TFLite's multiplier and exponent, the exponent split into a left and a
  // right shift; zeros past the channels.
  std::vector<int32_t> multiplier, left_shift, right_shift;
  bool any_left_shift = false;  // else the requantization may skip that step
  // The one-step requantization where it fits (one_step), its constants per
  // 16 channels, and whether it may skip the correction for negative
  // products (clamped_below: act_min >= output offset, fused ReLU/ReLU6).
  bool one_step = false, clamped_below = false;
  std::vector<OneStepConstants> one_step_constants;
  // The float form (float_requantization.h) where every channel has a
  // proven-exact one.
  std::optional<FloatRequantization> as_float;
  // Otherwise, where few channels have none (at most 1 in 32, as the int8
  // MobileNet V2's 14x14x576 layer with one), the others' form for the AMX
  // kernel, which requantizes those channels again in integer arithmetic
  // (FloatRequantization::unproven).
  std::optional<FloatRequantization> partly_float;
};

// Proves r's float form (as_float, or partly_float) for the layer's
// channels (see MakeChannelRequantization).
inline void AddFloatForm(const reference::ConvQuant& q, int channels, int padded,
                         const AccumulatorRange* ranges, const ParallelFor& parallel,
                         ChannelRequantization* r) {
  r->as_float = ProveFloatRequantization(q, ranges, channels, padded, parallel, channels / 32);
  if (r->as_float && !r->as_float->unproven.empty()) r->partly_float.swap(r->as_float);
}

// `padded` (a multiple of 16, at least `channels`) entries per vector;
// `ranges`: the channels' accumulator ranges, for the float form.
// `parallel` runs the float form's proofs; float_form false leaves them to
// the caller (AddFloatForm).
inline ChannelRequantization MakeChannelRequantization(const reference::ConvQuant& q, int channels,
                                                       int padded, const AccumulatorRange* ranges,
                                                       const ParallelFor& parallel,
                                                       bool float_form = true) {
  ChannelRequantization r;
  r.multiplier.assign(padded, 0);
  r.left_shift.assign(padded, 0);
  r.right_shift.assign(padded, 0);
  for (int c = 0; c < channels; ++c) {
    r.multiplier[c] = q.multiplier[c];
    r.left_shift[c] = q.shift[c] > 0 ? q.shift[c] : 0;
    r.right_shift[c] = q.shift[c] > 0 ? 0 : -q.shift[c];
    r.any_left_shift |= r.left_shift[c] != 0;
  }
  r.one_step = OneStepRequantizationFits(q.shift, channels);
  r.clamped_below = q.act_min >= q.output_offset;
  if (r.one_step) {
    for (int c = 0; c < padded; c += 16) {
      r.one_step_constants.push_back(
          MakeOneStepConstants(r.multiplier.data() + c, r.right_shift.data() + c, q.output_offset));
    }
  }
  if (float_form) AddFloatForm(q, channels, padded, ranges, parallel, &r);
  return r;
}

}  // namespace edgetl::optimized
