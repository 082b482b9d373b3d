// Reference CONV_2D and DEPTHWISE_CONV_2D: plain loops with TensorFlow Lite's
// exact integer arithmetic. These are the spec that optimized kernels are
// tested against, so they favour obviousness over speed.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

// NHWC input/output, OHWI filter (depthwise: 1HW(I*M)).
struct ConvGeometry {
  int batches = 1;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  int filter_h = 0, filter_w = 0;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_h = 0, pad_w = 0;  // leading padding
  int depth_multiplier = 1;  // depthwise only
};

// Quantized requantization: per output channel multiplier and shift (for a
// per-tensor model every channel holds the same values).
struct ConvQuant {
  int32_t input_offset = 0;   // -input zero point
  int32_t filter_offset = 0;  // -filter zero point (0 for int8)
  int32_t output_offset = 0;  // output zero point
  const int32_t* multiplier = nullptr;
  const int* shift = nullptr;
  int32_t act_min = 0, act_max = 0;
};

inline int32_t Requantize(int32_t acc, const ConvQuant& q, int channel) {
  acc = fixedpoint::MultiplyByQuantizedMultiplier(acc, q.multiplier[channel], q.shift[channel]);
  acc += q.output_offset;
  return std::clamp(acc, q.act_min, q.act_max);
}

template <typename T, typename W>
void ConvQuantized(const ConvGeometry& g, const ConvQuant& q, const T* input, const W* filter,
                   const int32_t* bias, T* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int in_y0 = oy * g.stride_h - g.pad_h;
        const int in_x0 = ox * g.stride_w - g.pad_w;
        for (int oc = 0; oc < g.out_c; ++oc) {
          int32_t acc = 0;
          for (int fy = 0; fy < g.filter_h; ++fy) {
            const int iy = in_y0 + fy * g.dilation_h;
            if (iy < 0 || iy >= g.in_h) continue;  // padding contributes zero
            for (int fx = 0; fx < g.filter_w; ++fx) {
              const int ix = in_x0 + fx * g.dilation_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const T* in = input + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
              const W* f = filter + ((oc * g.filter_h + fy) * g.filter_w + fx) * g.in_c;
              for (int ic = 0; ic < g.in_c; ++ic) {
                acc += (static_cast<int32_t>(f[ic]) + q.filter_offset) *
                       (static_cast<int32_t>(in[ic]) + q.input_offset);
              }
            }
          }
          if (bias) acc += bias[oc];
          output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
              static_cast<T>(Requantize(acc, q, oc));
        }
      }
    }
  }
}

inline void ConvFloat(const ConvGeometry& g, float act_min, float act_max, const float* input,
                      const float* filter, const float* bias, float* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int in_y0 = oy * g.stride_h - g.pad_h;
        const int in_x0 = ox * g.stride_w - g.pad_w;
        for (int oc = 0; oc < g.out_c; ++oc) {
          float acc = 0.f;
          for (int fy = 0; fy < g.filter_h; ++fy) {
            const int iy = in_y0 + fy * g.dilation_h;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int fx = 0; fx < g.filter_w; ++fx) {
              const int ix = in_x0 + fx * g.dilation_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const float* in = input + ((b * g.in_h + iy) * g.in_w + ix) * g.in_c;
              const float* f = filter + ((oc * g.filter_h + fy) * g.filter_w + fx) * g.in_c;
              for (int ic = 0; ic < g.in_c; ++ic) acc += in[ic] * f[ic];
            }
          }
          if (bias) acc += bias[oc];
          output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
              std::clamp(acc, act_min, act_max);
        }
      }
    }
  }
}

// Output channel oc = ic * depth_multiplier + m.
template <typename T, typename W>
void DepthwiseConvQuantized(const ConvGeometry& g, const ConvQuant& q, const T* input,
                            const W* filter, const int32_t* bias, T* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int in_y0 = oy * g.stride_h - g.pad_h;
        const int in_x0 = ox * g.stride_w - g.pad_w;
        for (int ic = 0; ic < g.in_c; ++ic) {
          for (int m = 0; m < g.depth_multiplier; ++m) {
            const int oc = ic * g.depth_multiplier + m;
            int32_t acc = 0;
            for (int fy = 0; fy < g.filter_h; ++fy) {
              const int iy = in_y0 + fy * g.dilation_h;
              if (iy < 0 || iy >= g.in_h) continue;
              for (int fx = 0; fx < g.filter_w; ++fx) {
                const int ix = in_x0 + fx * g.dilation_w;
                if (ix < 0 || ix >= g.in_w) continue;
                const int32_t in = input[((b * g.in_h + iy) * g.in_w + ix) * g.in_c + ic];
                const int32_t f = filter[(fy * g.filter_w + fx) * g.out_c + oc];
                acc += (f + q.filter_offset) * (in + q.input_offset);
              }
            }
            if (bias) acc += bias[oc];
            output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
                static_cast<T>(Requantize(acc, q, oc));
          }
        }
      }
    }
  }
}

inline void DepthwiseConvFloat(const ConvGeometry& g, float act_min, float act_max,
                               const float* input, const float* filter, const float* bias,
                               float* output) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int in_y0 = oy * g.stride_h - g.pad_h;
        const int in_x0 = ox * g.stride_w - g.pad_w;
        for (int ic = 0; ic < g.in_c; ++ic) {
          for (int m = 0; m < g.depth_multiplier; ++m) {
            const int oc = ic * g.depth_multiplier + m;
            float acc = 0.f;
            for (int fy = 0; fy < g.filter_h; ++fy) {
              const int iy = in_y0 + fy * g.dilation_h;
              if (iy < 0 || iy >= g.in_h) continue;
              for (int fx = 0; fx < g.filter_w; ++fx) {
                const int ix = in_x0 + fx * g.dilation_w;
                if (ix < 0 || ix >= g.in_w) continue;
                acc += input[((b * g.in_h + iy) * g.in_w + ix) * g.in_c + ic] *
                       filter[(fy * g.filter_w + fx) * g.out_c + oc];
              }
            }
            if (bias) acc += bias[oc];
            output[((b * g.out_h + oy) * g.out_w + ox) * g.out_c + oc] =
                std::clamp(acc, act_min, act_max);
          }
        }
      }
    }
  }
}

}  // namespace edgetl::reference
