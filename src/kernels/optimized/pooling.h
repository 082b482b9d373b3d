// AVERAGE_POOL_2D / MAX_POOL_2D for 8-bit tensors with the window walked
// outside and the channels inside, so that the inner loop is a contiguous
// vector add/max over a row of channels (the reference walks one channel at
// a time through the window). Same integer arithmetic, same bytes.
// Internal header.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "kernels/reference/pooling.h"

namespace edgetl::optimized {

// `acc` must hold g.out_c int32 values.
template <typename T, bool kMax>
void PoolChannelsInner(const reference::ConvGeometry& g, int32_t act_min, int32_t act_max,
                       const T* input, T* output, int32_t* acc) {
  const int channels = g.out_c;
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const reference::PoolWindow window = reference::PoolWindowAt(g, oy, ox);
        const auto [y0, x0, fy_begin, fy_end, fx_begin, fx_end] = window;
        std::fill(acc, acc + channels, kMax ? int32_t{std::numeric_limits<T>::lowest()} : 0);
        for (int fy = fy_begin; fy < fy_end; ++fy) {
          for (int fx = fx_begin; fx < fx_end; ++fx) {
            const T* in =
                input + ((static_cast<size_t>(b) * g.in_h + y0 + fy) * g.in_w + x0 + fx) * g.in_c;
            for (int c = 0; c < channels; ++c) {
              acc[c] = kMax ? std::max<int32_t>(acc[c], in[c]) : acc[c] + in[c];
            }
          }
        }
        const int count = window.count();
        T* out = output + ((static_cast<size_t>(b) * g.out_h + oy) * g.out_w + ox) * channels;
        for (int c = 0; c < channels; ++c) {
          int32_t v = acc[c];
          if (!kMax && count > 0) {
            // Round half away from zero, as the reference.
            v = v > 0 ? (v + count / 2) / count : (v - count / 2) / count;
          }
          out[c] = static_cast<T>(std::clamp(v, act_min, act_max));
        }
      }
    }
  }
}

}  // namespace edgetl::optimized
