// Reference AVERAGE_POOL_2D, MAX_POOL_2D and MEAN.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "kernels/reference/conv.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

// Window geometry reuses ConvGeometry (in_c == out_c, filter_h/w = window).
// Windows are clipped to the input: padding is never averaged in.

// The window of output pixel (oy, ox), clipped to the input: it starts at
// input (y0, x0) and covers rows y0 + [fy_begin, fy_end), columns x0 +
// [fx_begin, fx_end).
struct PoolWindow {
  int y0, x0, fy_begin, fy_end, fx_begin, fx_end;
  int count() const { return std::max(0, fy_end - fy_begin) * std::max(0, fx_end - fx_begin); }
};
inline PoolWindow PoolWindowAt(const ConvGeometry& g, int oy, int ox) {
  PoolWindow w;
  w.y0 = oy * g.stride_h - g.pad_h;
  w.x0 = ox * g.stride_w - g.pad_w;
  w.fy_begin = std::max(0, -w.y0);
  w.fy_end = std::min(g.filter_h, g.in_h - w.y0);
  w.fx_begin = std::max(0, -w.x0);
  w.fx_end = std::min(g.filter_w, g.in_w - w.x0);
  return w;
}

template <typename T, bool kMax>
void PoolQuantized(const ConvGeometry& g, int32_t act_min, int32_t act_max, const T* input,
                   T* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const auto [y0, x0, fy_begin, fy_end, fx_begin, fx_end] = PoolWindowAt(g, oy, ox);
        for (int c = 0; c < g.out_c; ++c) {
          int32_t acc = kMax ? std::numeric_limits<T>::lowest() : 0;
          int count = 0;
          for (int fy = fy_begin; fy < fy_end; ++fy) {
            for (int fx = fx_begin; fx < fx_end; ++fx) {
              const int32_t v = input[((b * g.in_h + y0 + fy) * g.in_w + x0 + fx) * g.in_c + c];
              acc = kMax ? std::max(acc, v) : acc + v;
              ++count;
            }
          }
          if (!kMax && count > 0) {
            // Round half away from zero.
            acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
          }
          output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + c] =
              static_cast<T>(std::clamp(acc, act_min, act_max));
        }
      }
    }
  }
}

template <bool kMax>
void PoolFloat(const ConvGeometry& g, float act_min, float act_max, const float* input,
               float* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const auto [y0, x0, fy_begin, fy_end, fx_begin, fx_end] = PoolWindowAt(g, oy, ox);
        for (int c = 0; c < g.out_c; ++c) {
          float acc = kMax ? std::numeric_limits<float>::lowest() : 0.f;
          int count = 0;
          for (int fy = fy_begin; fy < fy_end; ++fy) {
            for (int fx = fx_begin; fx < fx_end; ++fx) {
              const float v = input[((b * g.in_h + y0 + fy) * g.in_w + x0 + fx) * g.in_c + c];
              acc = kMax ? std::max(acc, v) : acc + v;
              ++count;
            }
          }
          if (!kMax && count > 0) acc /= static_cast<float>(count);
          output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + c] =
              std::clamp(acc, act_min, act_max);
        }
      }
    }
  }
}

// MEAN over a set of axes, as sums per output element. `out_index[i]` is the
// output element input element i reduces into (computed once at Prepare).
template <typename T>
void ReduceSum(const T* input, size_t num_inputs, const std::vector<int32_t>& out_index,
               int64_t* sums, size_t num_outputs) {
  std::fill(sums, sums + num_outputs, 0);
  for (size_t i = 0; i < num_inputs; ++i) sums[out_index[i]] += input[i];
}

// Quantized MEAN (TFLite's QuantizedMeanOrSum): the division by the element
// count is folded into the input/output rescaling multiplier, then
// (sum - count * input_zero_point) is requantized once.
struct MeanQuant {
  int32_t multiplier = 0;
  int shift = 0;
};

inline MeanQuant MakeMeanQuant(float input_scale, float output_scale, int64_t count) {
  MeanQuant q;
  fixedpoint::QuantizeMultiplier(
      static_cast<double>(input_scale) / static_cast<double>(output_scale), &q.multiplier,
      &q.shift);
  // Keep the shifted multiplier within 64 bits and the final shift >= -31.
  int shift = 63 - __builtin_clzll(static_cast<uint64_t>(count));
  shift = std::min(shift, 32);
  shift = std::min(shift, 31 + q.shift);
  q.multiplier = static_cast<int32_t>((static_cast<int64_t>(q.multiplier) << shift) / count);
  q.shift -= shift;
  return q;
}

template <typename T>
void MeanQuantized(const int64_t* sums, size_t num_outputs, int64_t count, int32_t input_zero_point,
                   const MeanQuant& q, int32_t output_zero_point, T* output) {
  for (size_t o = 0; o < num_outputs; ++o) {
    const int32_t shifted_sum = static_cast<int32_t>(sums[o] - input_zero_point * count);
    const int32_t v =
        fixedpoint::MultiplyByQuantizedMultiplier(shifted_sum, q.multiplier, q.shift) +
        output_zero_point;
    output[o] = static_cast<T>(
        std::clamp<int32_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
  }
}

}  // namespace edgetl::reference
