// Per-lane constants of the one-step requantization (see
// requantize_avx512.h). Plain C++, so that packing code can include it
// without the SIMD header. Internal.
#pragma once

#include <cstdint>

namespace edgetl::optimized {

// The one-step form folds the output offset into a 64-bit constant
// offset * 2^(31 + e); with |x * m| < 2^62 and |offset| < 2^8 the sum stays
// inside int64 for right shifts e <= 22 (real layers use about 0..12).
constexpr int kMaxOneStepRightShift = 22;

// Whether the one-step requantization serves a layer: no channel shifts
// right further than kMaxOneStepRightShift. `shift` is TFLite's
// per-channel exponent (negative: right shift).
inline bool OneStepRequantizationFits(const int* shift, int channels) {
  for (int c = 0; c < channels; ++c) {
    if (-shift[c] > kMaxOneStepRightShift) return false;
  }
  return true;
}

// The 64-bit per-lane constants of RequantizeOneStep16 for 16 lanes with
// multipliers `multiplier[0..15]` and right shifts `right_shift[0..15]`:
// for the even lanes (0, 2, ...) and the odd ones, 8 each, the rounding
// addend with the output offset folded in, the correction for negative
// products, the shift, and (odd lanes) the multiplier moved to where
// vpmuldq reads it.
struct OneStepConstants {
  int64_t add_even[8], add_odd[8], negative_even[8], negative_odd[8], shift_even[8], shift_odd[8],
      multiplier_odd[8];
};
inline OneStepConstants MakeOneStepConstants(const int32_t* multiplier, const int32_t* right_shift,
                                             int32_t output_offset) {
  OneStepConstants k{};
  for (int lane = 0; lane < 16; ++lane) {
    const int e = right_shift[lane];
    const int64_t add = (int64_t{1} << 30) + (e > 0 ? int64_t{1} << (30 + e) : 0) +
                        output_offset * (int64_t{1} << (31 + e));
    const int64_t negative = e > 0 ? int64_t{1} << 31 : 0;
    const int i = lane / 2;
    if (lane % 2) {
      k.add_odd[i] = add;
      k.negative_odd[i] = negative;
      k.shift_odd[i] = 31 + e;
      k.multiplier_odd[i] = multiplier[lane];
    } else {
      k.add_even[i] = add;
      k.negative_even[i] = negative;
      k.shift_even[i] = 31 + e;
    }
  }
  return k;
}

}  // namespace edgetl::optimized
