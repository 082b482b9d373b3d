#include "kernels/optimized/depthwise_avx2.h"

#include <algorithm>
#include <cstring>

namespace edgetl::optimized {
namespace {

#if EDGETL_HAVE_AVX2_CODE

// The window taps of output pixel (oy, ox) inside the input, as ranges of
// filter rows and columns.
struct TapRange {
  int fy0, fy1, fx0, fx1;
};

int FirstInside(int origin, int dilation, int taps) {
  int f = 0;
  while (f < taps && origin + f * dilation < 0) ++f;
  return f;
}

int EndInside(int origin, int dilation, int taps, int size) {
  int f = taps;
  while (f > 0 && origin + (f - 1) * dilation >= size) --f;
  return f;
}

template <typename T>
EDGETL_AVX2_TARGET void Pixel(const reference::ConvGeometry& g, __m256i input_offset,
                              const DepthwiseAvx2& p, const T* image, int y0, int x0,
                              const TapRange& t, T* out) {
  const int n = g.out_c;
  for (int c = 0; c < n; c += 8) {
    const int count = std::min(8, n - c);
    __m256i acc = _mm256_setzero_si256();
    for (int fy = t.fy0; fy < t.fy1; ++fy) {
      const T* row = image + static_cast<size_t>(y0 + fy * g.dilation_h) * g.in_w * g.in_c;
      for (int fx = t.fx0; fx < t.fx1; ++fx) {
        const T* src = row + static_cast<size_t>(x0 + fx * g.dilation_w) * g.in_c + c;
        __m256i x;
        if (count == 8) {
          x = Load8(src);
        } else {
          // The last channels: no reading past the tensor.
          T tail[8] = {};
          std::memcpy(tail, src, count);
          x = Load8(tail);
        }
        const __m256i w = _mm256_loadu_si256(
            reinterpret_cast<const __m256i*>(p.w.data() + (fy * g.filter_w + fx) * p.c8 + c));
        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(_mm256_add_epi32(x, input_offset), w));
      }
    }
    Store8(Requantize8(acc, p.requant, c), out + c, count);
  }
}

template <typename T>
EDGETL_AVX2_TARGET void Rows(const reference::ConvGeometry& g, int32_t input_offset,
                             const DepthwiseAvx2& p, const T* input, int row_begin, int row_end,
                             T* output) {
  const __m256i offset = _mm256_set1_epi32(input_offset);
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const T* image = input + static_cast<size_t>(b) * g.in_h * g.in_w * g.in_c;
    const int y0 = oy * g.stride_h - g.pad_h;
    TapRange t;
    t.fy0 = FirstInside(y0, g.dilation_h, g.filter_h);
    t.fy1 = EndInside(y0, g.dilation_h, g.filter_h, g.in_h);
    T* out = output + static_cast<size_t>(row) * g.out_w * g.out_c;
    for (int ox = 0; ox < g.out_w; ++ox, out += g.out_c) {
      const int x0 = ox * g.stride_w - g.pad_w;
      t.fx0 = FirstInside(x0, g.dilation_w, g.filter_w);
      t.fx1 = EndInside(x0, g.dilation_w, g.filter_w, g.in_w);
      Pixel(g, offset, p, image, y0, x0, t, out);
    }
  }
}

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace

template <typename W>
DepthwiseAvx2 PackDepthwiseAvx2(const W* filter, const reference::ConvGeometry& g,
                                const int32_t* bias, const reference::ConvQuant& q) {
  DepthwiseAvx2 p;
  p.taps = g.filter_h * g.filter_w;
  p.c8 = (g.out_c + 7) / 8 * 8;
  p.w.assign(static_cast<size_t>(p.taps) * p.c8, 0);
  for (int t = 0; t < p.taps; ++t) {
    for (int c = 0; c < g.out_c; ++c) {
      p.w[static_cast<size_t>(t) * p.c8 + c] =
          filter[static_cast<size_t>(t) * g.out_c + c] + q.filter_offset;
    }
  }
  p.requant = MakeAvx2Requantization(q, bias, g.out_c);
  return p;
}

template <typename T>
void DepthwiseRowsAvx2(const reference::ConvGeometry& g, int32_t input_offset,
                       const DepthwiseAvx2& p, const T* input, int row_begin, int row_end,
                       T* output) {
#if EDGETL_HAVE_AVX2_CODE
  Rows(g, input_offset, p, input, row_begin, row_end, output);
#else
  (void)g, (void)input_offset, (void)p, (void)input, (void)row_begin, (void)row_end, (void)output;
#endif
}

template DepthwiseAvx2 PackDepthwiseAvx2<uint8_t>(const uint8_t*, const reference::ConvGeometry&,
                                                  const int32_t*, const reference::ConvQuant&);
template DepthwiseAvx2 PackDepthwiseAvx2<int8_t>(const int8_t*, const reference::ConvGeometry&,
                                                 const int32_t*, const reference::ConvQuant&);
template void DepthwiseRowsAvx2<uint8_t>(const reference::ConvGeometry&, int32_t,
                                         const DepthwiseAvx2&, const uint8_t*, int, int, uint8_t*);
template void DepthwiseRowsAvx2<int8_t>(const reference::ConvGeometry&, int32_t,
                                        const DepthwiseAvx2&, const int8_t*, int, int, int8_t*);

}  // namespace edgetl::optimized
