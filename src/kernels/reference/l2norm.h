// Reference L2_NORMALIZATION over the last axis. Quantized outputs have scale
// 1/128 (uint8 zero point 128, int8 zero point 0).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

inline void L2NormalizeUInt8(int rows, int depth, int32_t input_zero_point, const uint8_t* input,
                             uint8_t* output) {
  using namespace fixedpoint;
  for (int r = 0; r < rows; ++r) {
    const uint8_t* in = input + r * depth;
    int32_t square_sum = 0;
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - input_zero_point;
      square_sum += diff * diff;
    }
    int32_t inv_multiplier;
    int inv_shift;
    GetInvSqrtQuantizedMultiplierExp(square_sum, -1, &inv_multiplier, &inv_shift);
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - input_zero_point;
      const int32_t rescaled =
          MultiplyByQuantizedMultiplierSmallerThanOneExp(128 * diff, inv_multiplier, inv_shift);
      output[r * depth + c] = static_cast<uint8_t>(std::clamp(128 + rescaled, 0, 255));
    }
  }
}

inline void L2NormalizeInt8(int rows, int depth, int32_t input_zero_point, const int8_t* input,
                            int8_t* output) {
  using namespace fixedpoint;
  constexpr int kOutputScaleBits = 7;  // output scale 1/128
  for (int r = 0; r < rows; ++r) {
    const int8_t* in = input + r * depth;
    int32_t square_sum = 0;
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - input_zero_point;
      square_sum += diff * diff;
    }
    int32_t inv_multiplier;
    int inv_shift;
    GetInvSqrtQuantizedMultiplierExp(square_sum, -1, &inv_multiplier, &inv_shift);
    for (int c = 0; c < depth; ++c) {
      const int32_t diff = in[c] - input_zero_point;
      const int32_t v =
          MultiplyByQuantizedMultiplier(diff, inv_multiplier, inv_shift + kOutputScaleBits);
      output[r * depth + c] = static_cast<int8_t>(std::clamp(v, -128, 127));
    }
  }
}

inline void L2NormalizeFloat(int rows, int depth, const float* input, float* output) {
  for (int r = 0; r < rows; ++r) {
    const float* in = input + r * depth;
    float square_sum = 0.f;
    for (int c = 0; c < depth; ++c) square_sum += in[c] * in[c];
    const float norm = std::max(std::sqrt(square_sum), 1e-6f);
    for (int c = 0; c < depth; ++c) output[r * depth + c] = in[c] / norm;
  }
}

}  // namespace edgetl::reference
