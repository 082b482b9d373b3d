// Per-lane constants of the one-step requantization used for outputs
// clamped at or above their zero point (see requantize_avx512.h). Plain C++,
// so that packing code can include it without the SIMD header. Internal.
#pragma once

#include <cstdint>

namespace edgetl::optimized {

// The one-step form folds the output offset into a 64-bit constant
// offset * 2^(31 + e); with |x * m| < 2^62 and |offset| < 2^8 the sum stays
// inside int64 for right shifts e <= 22 (real layers use about 0..12).
constexpr int kMaxOneStepRightShift = 22;

// Whether the one-step requantization serves a layer: its activation clamp
// starts at or above the output zero point (fused ReLU/ReLU6) and no
// channel shifts right further than kMaxOneStepRightShift. `shift` is
// TFLite's per-channel exponent (negative: right shift).
inline bool OneStepRequantizationApplies(int32_t act_min, int32_t output_offset, const int* shift,
                                         int channels) {
  if (act_min < output_offset) return false;
  for (int c = 0; c < channels; ++c) {
    if (-shift[c] > kMaxOneStepRightShift) return false;
  }
  return true;
}

// The 64-bit per-lane constants of RequantizeOneStep16 for 16 lanes with
// multipliers `multiplier[0..15]` and right shifts `right_shift[0..15]`:
// for the even lanes (0, 2, ...) and the odd ones, 8 each, the rounding
// addend with the output offset folded in, the shift, and (odd lanes) the
// multiplier moved to where vpmuldq reads it.
struct ClampedBelowConstants {
  int64_t add_even[8], add_odd[8], shift_even[8], shift_odd[8], multiplier_odd[8];
};
inline ClampedBelowConstants MakeClampedBelowConstants(const int32_t* multiplier,
                                                       const int32_t* right_shift,
                                                       int32_t output_offset) {
  ClampedBelowConstants k{};
  for (int lane = 0; lane < 16; ++lane) {
    const int e = right_shift[lane];
    const int64_t add = (int64_t{1} << 30) + (e > 0 ? int64_t{1} << (30 + e) : 0) +
                        output_offset * (int64_t{1} << (31 + e));
    if (lane % 2) {
      k.add_odd[lane / 2] = add;
      k.shift_odd[lane / 2] = 31 + e;
      k.multiplier_odd[lane / 2] = multiplier[lane];
    } else {
      k.add_even[lane / 2] = add;
      k.shift_even[lane / 2] = 31 + e;
    }
  }
  return k;
}

}  // namespace edgetl::optimized
