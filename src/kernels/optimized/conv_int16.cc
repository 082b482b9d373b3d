#include "kernels/optimized/conv_int16.h"

#include <algorithm>
#include <cstring>

namespace edgetl::optimized {
namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define EDGETL_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define EDGETL_CLONES
#endif

// Four dot products sharing one filter row: the row is loaded once.
EDGETL_CLONES
void Dot4(const int16_t* __restrict f, const int16_t* __restrict p0, const int16_t* __restrict p1,
          const int16_t* __restrict p2, const int16_t* __restrict p3, int k, int32_t* out) {
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (int i = 0; i < k; ++i) {
    const int32_t w = f[i];
    a0 += w * p0[i];
    a1 += w * p1[i];
    a2 += w * p2[i];
    a3 += w * p3[i];
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

EDGETL_CLONES
int32_t Dot1(const int16_t* __restrict f, const int16_t* __restrict p, int k) {
  int32_t a = 0;
  for (int i = 0; i < k; ++i) a += static_cast<int32_t>(f[i]) * p[i];
  return a;
}

// acc[c] += (x[c] + offset) * w[c] over a row of channels.
template <typename T>
EDGETL_CLONES void MulAccChannels(const T* __restrict x, const int16_t* __restrict w,
                                  int32_t offset, int n, int32_t* __restrict acc) {
  for (int c = 0; c < n; ++c) acc[c] += (static_cast<int32_t>(x[c]) + offset) * w[c];
}

// The im2col row of output pixel (b, oy, ox): int16 x + offset, 0 in padding.
template <typename T>
void BuildPatch(const reference::ConvGeometry& g, const T* input, int32_t input_offset, int b,
                int oy, int ox, int k_padded, int16_t* patch) {
  const int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
  int16_t* dst = patch;
  for (int fy = 0; fy < g.filter_h; ++fy) {
    const int iy = y0 + fy * g.dilation_h;
    for (int fx = 0; fx < g.filter_w; ++fx, dst += g.in_c) {
      const int ix = x0 + fx * g.dilation_w;
      if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) {
        std::memset(dst, 0, g.in_c * sizeof(int16_t));
        continue;
      }
      const T* src = input + ((static_cast<size_t>(b) * g.in_h + iy) * g.in_w + ix) * g.in_c;
      for (int c = 0; c < g.in_c; ++c) dst[c] = static_cast<int16_t>(src[c] + input_offset);
    }
  }
  std::fill(dst, patch + k_padded, int16_t{0});
}

}  // namespace

template <typename W>
PackedFilter PackConvFilter(const W* filter, int out_c, int k, int32_t filter_offset) {
  PackedFilter p;
  p.out_c = out_c;
  p.k = k;
  p.k_padded = (k + 15) / 16 * 16;
  p.values.assign(static_cast<size_t>(out_c) * p.k_padded, 0);
  for (int o = 0; o < out_c; ++o) {
    for (int i = 0; i < k; ++i) {
      p.values[static_cast<size_t>(o) * p.k_padded + i] =
          static_cast<int16_t>(filter[static_cast<size_t>(o) * k + i] + filter_offset);
    }
  }
  return p;
}

template <typename T>
void ConvInt16(const reference::ConvGeometry& g, const reference::ConvQuant& q, const T* input,
               const PackedFilter& filter, const int32_t* bias, T* output, int16_t* scratch) {
  const int kp = filter.k_padded;
  const int pixels = g.out_h * g.out_w;
  int16_t* patches[4] = {scratch, scratch + kp, scratch + 2 * kp, scratch + 3 * kp};
  int32_t acc[4];
  for (int b = 0; b < g.batches; ++b) {
    for (int p = 0; p < pixels; p += 4) {
      const int n = std::min(4, pixels - p);
      for (int i = 0; i < n; ++i) {
        BuildPatch(g, input, q.input_offset, b, (p + i) / g.out_w, (p + i) % g.out_w, kp,
                   patches[i]);
      }
      T* out = output + (static_cast<size_t>(b) * pixels + p) * g.out_c;
      for (int o = 0; o < g.out_c; ++o) {
        const int16_t* f = filter.values.data() + static_cast<size_t>(o) * kp;
        if (n == 4) {
          Dot4(f, patches[0], patches[1], patches[2], patches[3], kp, acc);
        } else {
          for (int i = 0; i < n; ++i) acc[i] = Dot1(f, patches[i], kp);
        }
        for (int i = 0; i < n; ++i) {
          const int32_t a = acc[i] + (bias ? bias[o] : 0);
          out[static_cast<size_t>(i) * g.out_c + o] =
              static_cast<T>(reference::Requantize(a, q, o));
        }
      }
    }
  }
}

template <typename W>
PackedDepthwise PackDepthwiseFilter(const W* filter, int taps, int out_c, int32_t filter_offset) {
  PackedDepthwise p;
  p.taps = taps;
  p.out_c = out_c;
  p.values.resize(static_cast<size_t>(taps) * out_c);
  for (size_t i = 0; i < p.values.size(); ++i)
    p.values[i] = static_cast<int16_t>(filter[i] + filter_offset);
  return p;
}

template <typename T>
void DepthwiseInt16(const reference::ConvGeometry& g, const reference::ConvQuant& q, const T* input,
                    const PackedDepthwise& filter, const int32_t* bias, T* output, int32_t* acc) {
  const int c_out = g.out_c;
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
        if (bias) {
          std::memcpy(acc, bias, c_out * sizeof(int32_t));
        } else {
          std::memset(acc, 0, c_out * sizeof(int32_t));
        }
        for (int fy = 0; fy < g.filter_h; ++fy) {
          const int iy = y0 + fy * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          for (int fx = 0; fx < g.filter_w; ++fx) {
            const int ix = x0 + fx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const T* src = input + ((static_cast<size_t>(b) * g.in_h + iy) * g.in_w + ix) * g.in_c;
            const int16_t* w =
                filter.values.data() + static_cast<size_t>(fy * g.filter_w + fx) * c_out;
            if (g.depth_multiplier == 1) {
              MulAccChannels(src, w, q.input_offset, c_out, acc);
            } else {
              for (int oc = 0; oc < c_out; ++oc) {
                acc[oc] +=
                    (static_cast<int32_t>(src[oc / g.depth_multiplier]) + q.input_offset) * w[oc];
              }
            }
          }
        }
        T* out = output + ((static_cast<size_t>(b) * g.out_h + oy) * g.out_w + ox) * c_out;
        for (int oc = 0; oc < c_out; ++oc)
          out[oc] = static_cast<T>(reference::Requantize(acc[oc], q, oc));
      }
    }
  }
}

template PackedFilter PackConvFilter<uint8_t>(const uint8_t*, int, int, int32_t);
template PackedFilter PackConvFilter<int8_t>(const int8_t*, int, int, int32_t);
template void ConvInt16<uint8_t>(const reference::ConvGeometry&, const reference::ConvQuant&,
                                 const uint8_t*, const PackedFilter&, const int32_t*, uint8_t*,
                                 int16_t*);
template void ConvInt16<int8_t>(const reference::ConvGeometry&, const reference::ConvQuant&,
                                const int8_t*, const PackedFilter&, const int32_t*, int8_t*,
                                int16_t*);
template PackedDepthwise PackDepthwiseFilter<uint8_t>(const uint8_t*, int, int, int32_t);
template PackedDepthwise PackDepthwiseFilter<int8_t>(const int8_t*, int, int, int32_t);
template void DepthwiseInt16<uint8_t>(const reference::ConvGeometry&, const reference::ConvQuant&,
                                      const uint8_t*, const PackedDepthwise&, const int32_t*,
                                      uint8_t*, int32_t*);
template void DepthwiseInt16<int8_t>(const reference::ConvGeometry&, const reference::ConvQuant&,
                                     const int8_t*, const PackedDepthwise&, const int32_t*, int8_t*,
                                     int32_t*);

}  // namespace edgetl::optimized
