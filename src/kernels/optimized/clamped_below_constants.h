// Per-lane constants of the one-step requantization used for outputs
// clamped at or above their zero point (see requantize_avx512.h). Plain C++,
// so that packing code can include it without the SIMD header. Internal.
#pragma once

#include <cstdint>

namespace edgetl::optimized {

// The 64-bit per-lane constants of MultiplyByQuantizedMultiplierClampedBelow16
// for 16 lanes whose right shifts are `right_shift[0..15]`: add and shift for
// the even lanes (0, 2, ...) and for the odd ones, 8 each.
struct ClampedBelowConstants {
  int64_t add_even[8], add_odd[8], shift_even[8], shift_odd[8];
};
inline ClampedBelowConstants MakeClampedBelowConstants(const int32_t* right_shift) {
  ClampedBelowConstants k{};
  for (int lane = 0; lane < 16; ++lane) {
    const int e = right_shift[lane];
    const int64_t add = (int64_t{1} << 30) + (e > 0 ? int64_t{1} << (30 + e) : 0);
    if (lane % 2) {
      k.add_odd[lane / 2] = add;
      k.shift_odd[lane / 2] = 31 + e;
    } else {
      k.add_even[lane / 2] = add;
      k.shift_even[lane / 2] = 31 + e;
    }
  }
  return k;
}

}  // namespace edgetl::optimized
