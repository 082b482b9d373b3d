// Reference FULLY_CONNECTED: output[b][o] = sum_i input[b][i] * filter[o][i] + bias[o].
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/reference/conv.h"

namespace edgetl::reference {

template <typename T, typename W>
void FullyConnectedQuantized(int batches, int in_depth, int out_depth, const ConvQuant& q,
                             const T* input, const W* filter, const int32_t* bias, T* output) {
  for (int b = 0; b < batches; ++b) {
    const T* in = input + b * in_depth;
    for (int o = 0; o < out_depth; ++o) {
      const W* f = filter + o * in_depth;
      int32_t acc = 0;
      for (int i = 0; i < in_depth; ++i) {
        acc += (static_cast<int32_t>(f[i]) + q.filter_offset) *
               (static_cast<int32_t>(in[i]) + q.input_offset);
      }
      if (bias) acc += bias[o];
      output[b * out_depth + o] = static_cast<T>(Requantize(acc, q, o));
    }
  }
}

inline void FullyConnectedFloat(int batches, int in_depth, int out_depth, float act_min,
                                float act_max, const float* input, const float* filter,
                                const float* bias, float* output) {
  for (int b = 0; b < batches; ++b) {
    for (int o = 0; o < out_depth; ++o) {
      float acc = 0.f;
      for (int i = 0; i < in_depth; ++i) acc += input[b * in_depth + i] * filter[o * in_depth + i];
      if (bias) acc += bias[o];
      output[b * out_depth + o] = std::clamp(acc, act_min, act_max);
    }
  }
}

}  // namespace edgetl::reference
