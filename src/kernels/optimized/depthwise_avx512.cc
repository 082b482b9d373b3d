#include "kernels/optimized/depthwise_avx512.h"

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

template <typename W>
DepthwiseAvx512 PackDepthwiseAvx512(const W* filter, int taps, int channels, const int32_t* bias,
                                    const reference::ConvQuant& q) {
  DepthwiseAvx512 p;
  p.taps = taps;
  p.c16 = (channels + 15) / 16 * 16;
  p.w.assign(static_cast<size_t>(taps) * p.c16, 0);
  for (int t = 0; t < taps; ++t) {
    for (int c = 0; c < channels; ++c) {
      p.w[static_cast<size_t>(t) * p.c16 + c] =
          static_cast<int32_t>(filter[static_cast<size_t>(t) * channels + c]) + q.filter_offset;
    }
  }
  p.bias.assign(p.c16, 0);
  p.multiplier.assign(p.c16, 0);
  p.left_shift.assign(p.c16, 0);
  p.right_shift.assign(p.c16, 0);
  for (int c = 0; c < channels; ++c) {
    p.bias[c] = bias ? bias[c] : 0;
    p.multiplier[c] = q.multiplier[c];
    p.left_shift[c] = q.shift[c] > 0 ? q.shift[c] : 0;
    p.right_shift[c] = q.shift[c] > 0 ? 0 : -q.shift[c];
  }
  return p;
}

#if EDGETL_HAVE_VNNI_CODE
namespace {

template <typename T>
EDGETL_VNNI_TARGET inline __m512i Load16(const T* p, __mmask16 m) {
  const __m128i bytes = _mm_maskz_loadu_epi8(m, p);
  if constexpr (std::is_same_v<T, uint8_t>) {
    return _mm512_cvtepu8_epi32(bytes);
  } else {
    return _mm512_cvtepi8_epi32(bytes);
  }
}

template <typename T>
EDGETL_VNNI_TARGET void Rows(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                             const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                             T* output) {
  const int c_out = g.out_c;
  const __m512i in_offset = _mm512_set1_epi32(q.input_offset);
  const __m512i out_offset = _mm512_set1_epi32(q.output_offset);
  const __m512i lo = _mm512_set1_epi32(q.act_min), hi = _mm512_set1_epi32(q.act_max);
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const int y0 = oy * g.stride_h - g.pad_h;
    for (int ox = 0; ox < g.out_w; ++ox) {
      const int x0 = ox * g.stride_w - g.pad_w;
      T* out = output + ((static_cast<size_t>(b) * g.out_h + oy) * g.out_w + ox) * c_out;
      for (int c = 0; c < c_out; c += 16) {
        const __mmask16 m =
            c_out - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c_out - c)) - 1);
        __m512i acc = _mm512_loadu_si512(p.bias.data() + c);
        for (int fy = 0; fy < g.filter_h; ++fy) {
          const int iy = y0 + fy * g.dilation_h;
          if (iy < 0 || iy >= g.in_h) continue;
          const T* in_row = input + (static_cast<size_t>(b) * g.in_h + iy) * g.in_w * g.in_c + c;
          const int32_t* w_row = p.w.data() + static_cast<size_t>(fy * g.filter_w) * p.c16 + c;
          for (int fx = 0; fx < g.filter_w; ++fx) {
            const int ix = x0 + fx * g.dilation_w;
            if (ix < 0 || ix >= g.in_w) continue;
            const __m512i x =
                _mm512_add_epi32(Load16(in_row + static_cast<size_t>(ix) * g.in_c, m), in_offset);
            const __m512i w = _mm512_loadu_si512(w_row + static_cast<size_t>(fx) * p.c16);
            acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, w));
          }
        }
        const __m512i r =
            Requantize16(acc, _mm512_loadu_si512(p.multiplier.data() + c),
                         _mm512_loadu_si512(p.left_shift.data() + c),
                         _mm512_loadu_si512(p.right_shift.data() + c), out_offset, lo, hi);
        _mm512_mask_cvtepi32_storeu_epi8(out + c, m, r);
      }
    }
  }
}

}  // namespace

template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                         const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                         T* output) {
  Rows(g, q, p, input, row_begin, row_end, output);
}
#else
template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry&, const reference::ConvQuant&,
                         const DepthwiseAvx512&, const T*, int, int, T*) {
  // Never called: HasAvx512Vnni() is false where this code is not built.
}
#endif

template DepthwiseAvx512 PackDepthwiseAvx512<uint8_t>(const uint8_t*, int, int, const int32_t*,
                                                      const reference::ConvQuant&);
template DepthwiseAvx512 PackDepthwiseAvx512<int8_t>(const int8_t*, int, int, const int32_t*,
                                                     const reference::ConvQuant&);
template void DepthwiseRowsAvx512<uint8_t>(const reference::ConvGeometry&,
                                           const reference::ConvQuant&, const DepthwiseAvx512&,
                                           const uint8_t*, int, int, uint8_t*);
template void DepthwiseRowsAvx512<int8_t>(const reference::ConvGeometry&,
                                          const reference::ConvQuant&, const DepthwiseAvx512&,
                                          const int8_t*, int, int, int8_t*);

}  // namespace edgetl::optimized
