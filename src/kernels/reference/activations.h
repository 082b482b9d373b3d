// Reference LOGISTIC, RELU, RELU6 and HARD_SWISH.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

// A 256-entry table mapping every 8-bit input to its output, as TFLite's
// reference LOGISTIC builds it (float math per entry, round, clamp). Indexed
// by the input's raw byte.
template <typename T, typename F>
std::array<uint8_t, 256> MakeLookupTable(float input_scale, int32_t input_zp, float output_scale,
                                         int32_t output_zp, F transform) {
  std::array<uint8_t, 256> table{};
  const float inverse_scale = 1 / output_scale;
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  for (int32_t v = lo; v <= hi; ++v) {
    const float dequantized = input_scale * static_cast<float>(v - input_zp);
    const float rescaled = std::round(transform(dequantized) * inverse_scale);
    const int32_t q = static_cast<int32_t>(rescaled + static_cast<float>(output_zp));
    table[static_cast<uint8_t>(static_cast<T>(v))] =
        static_cast<uint8_t>(static_cast<T>(std::clamp(q, lo, hi)));
  }
  return table;
}

inline float LogisticFloat(float x) {
  // TFLite's float reference saturates outside this range.
  constexpr float kUpper = 16.619047164916992188f;
  constexpr float kLower = -9.f;
  if (x > kUpper) return 1.f;
  if (x < kLower) return std::exp(x);
  return 1.f / (1.f + std::exp(-x));
}

// RELU/RELU6 on quantized tensors: rescale to the output, then clamp.
struct ReluQuant {
  int32_t input_offset = 0, output_offset = 0;
  int32_t multiplier = 0;
  int shift = 0;
  int32_t act_min = 0, act_max = 0;
};

template <typename T>
inline T ReluOne(const ReluQuant& q, T x) {
  const int32_t v =
      q.output_offset + fixedpoint::MultiplyByQuantizedMultiplier(
                            static_cast<int32_t>(x) - q.input_offset, q.multiplier, q.shift);
  return static_cast<T>(std::clamp(v, q.act_min, q.act_max));
}

// HARD_SWISH, x * relu6(x + 3) / 6, in TFLite's 16-bit fixed-point scheme.
struct HardSwishQuant {
  int32_t input_zero_point = 0, output_zero_point = 0;
  int16_t reluish_multiplier = 0, output_multiplier = 0;
  int reluish_exponent = 0, output_exponent = 0;
};

inline HardSwishQuant MakeHardSwishQuant(float input_scale, int32_t input_zp, float output_scale,
                                         int32_t output_zp) {
  HardSwishQuant q;
  q.input_zero_point = input_zp;
  q.output_zero_point = output_zp;
  const float hires_input_scale = (1.0f / 128.0f) * input_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  int32_t m32;
  fixedpoint::QuantizeMultiplier(hires_input_scale / output_scale, &m32, &q.output_exponent);
  q.output_multiplier = fixedpoint::DownScaleInt32ToInt16Multiplier(m32);
  fixedpoint::QuantizeMultiplier(hires_input_scale / reluish_scale, &m32, &q.reluish_exponent);
  q.reluish_multiplier = fixedpoint::DownScaleInt32ToInt16Multiplier(m32);
  return q;
}

template <typename T>
inline T HardSwishOne(const HardSwishQuant& q, T x) {
  using namespace fixedpoint;
  const int16_t input = static_cast<int16_t>(x - q.input_zero_point);
  const int16_t hires = static_cast<int16_t>(input * (1 << 7));
  const int16_t preshift_output = SaturatingRoundingDoublingHighMul16(hires, q.output_multiplier);
  // Rescale to [-1, 1] over x in [-3, 3], saturating; the left shift is split
  // so that saturation only ever happens in its last bit.
  int16_t reluish = hires;
  if (q.reluish_exponent > 0) reluish = SaturatingLeftShift16(reluish, q.reluish_exponent - 1);
  reluish = SaturatingRoundingDoublingHighMul16(reluish, q.reluish_multiplier);
  if (q.reluish_exponent > 0) reluish = SaturatingLeftShift16(reluish, 1);
  if (q.reluish_exponent < 0) reluish = RoundingDivideByPOT16(reluish, -q.reluish_exponent);
  // [-1, 1] -> [0, 1].
  reluish = static_cast<int16_t>((reluish + (1 << 15)) >> 1);
  const int16_t product = SaturatingDoublingHighMul16(reluish, preshift_output);
  int32_t out = RoundingDivideByPOT16(product, -q.output_exponent);
  out += q.output_zero_point;
  return static_cast<T>(
      std::clamp<int32_t>(out, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}

inline float HardSwishFloat(float x) { return x * std::min(6.f, std::max(0.f, x + 3.f)) / 6.f; }

}  // namespace edgetl::reference
