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

// Any window: taps checked against the borders one by one.
template <typename T>
EDGETL_VNNI_TARGET void RowsGeneric(const reference::ConvGeometry& g, const reference::ConvQuant& q,
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

// 3x3 windows (every MobileNet): per 16-channel block the nine weight
// vectors and the requantization parameters stay in registers along the row.
// Interior pixels use sum (x + io) w = sum x w + io sum w, with io sum w
// folded into the bias, and no border checks; border pixels take the
// generic path's per-tap checks.
template <typename T>
EDGETL_VNNI_TARGET void Rows3x3(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                const DepthwiseAvx512& p, const T* input, int row_begin,
                                int row_end, T* output) {
  const int c_out = g.out_c;
  const __m512i in_offset = _mm512_set1_epi32(q.input_offset);
  const __m512i out_offset = _mm512_set1_epi32(q.output_offset);
  const __m512i lo = _mm512_set1_epi32(q.act_min), hi = _mm512_set1_epi32(q.act_max);
  const size_t pixel_step = static_cast<size_t>(g.in_c);
  // Output columns whose whole window is inside the input.
  const int span = 2 * g.dilation_w;
  int ox_lo = 0;
  while (ox_lo < g.out_w && ox_lo * g.stride_w - g.pad_w < 0) ++ox_lo;
  int ox_hi = ox_lo;
  while (ox_hi < g.out_w && ox_hi * g.stride_w - g.pad_w + span < g.in_w) ++ox_hi;
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const int y0 = oy * g.stride_h - g.pad_h;
    const bool rows_inside = y0 >= 0 && y0 + 2 * g.dilation_h < g.in_h;
    T* out_row = output + (static_cast<size_t>(b) * g.out_h + oy) * g.out_w * c_out;
    for (int c = 0; c < c_out; c += 16) {
      const __mmask16 m = c_out - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c_out - c)) - 1);
      __m512i w[9];
      __m512i wsum = _mm512_setzero_si512();
      for (int t = 0; t < 9; ++t) {
        w[t] = _mm512_loadu_si512(p.w.data() + static_cast<size_t>(t) * p.c16 + c);
        wsum = _mm512_add_epi32(wsum, w[t]);
      }
      const __m512i bias = _mm512_loadu_si512(p.bias.data() + c);
      const __m512i bias_interior = _mm512_add_epi32(bias, _mm512_mullo_epi32(wsum, in_offset));
      const __m512i mult = _mm512_loadu_si512(p.multiplier.data() + c);
      const __m512i ls = _mm512_loadu_si512(p.left_shift.data() + c);
      const __m512i rs = _mm512_loadu_si512(p.right_shift.data() + c);
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int x0 = ox * g.stride_w - g.pad_w;
        __m512i acc;
        if (rows_inside && ox >= ox_lo && ox < ox_hi) {
          acc = bias_interior;
          const T* base = input + ((static_cast<size_t>(b) * g.in_h + y0) * g.in_w + x0) * g.in_c + c;
#pragma GCC unroll 3
          for (int fy = 0; fy < 3; ++fy) {
            const T* r = base + static_cast<size_t>(fy) * g.dilation_h * g.in_w * pixel_step;
#pragma GCC unroll 3
            for (int fx = 0; fx < 3; ++fx) {
              const __m512i x = Load16(r + static_cast<size_t>(fx) * g.dilation_w * pixel_step, m);
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, w[fy * 3 + fx]));
            }
          }
        } else {
          acc = bias;
          for (int fy = 0; fy < 3; ++fy) {
            const int iy = y0 + fy * g.dilation_h;
            if (iy < 0 || iy >= g.in_h) continue;
            const T* r = input + (static_cast<size_t>(b) * g.in_h + iy) * g.in_w * pixel_step + c;
            for (int fx = 0; fx < 3; ++fx) {
              const int ix = x0 + fx * g.dilation_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const __m512i x = _mm512_add_epi32(Load16(r + ix * pixel_step, m), in_offset);
              acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, w[fy * 3 + fx]));
            }
          }
        }
        const __m512i r = Requantize16(acc, mult, ls, rs, out_offset, lo, hi);
        _mm512_mask_cvtepi32_storeu_epi8(out_row + static_cast<size_t>(ox) * c_out + c, m, r);
      }
    }
  }
}

}  // namespace

template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                         const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                         T* output) {
  if (g.filter_h == 3 && g.filter_w == 3) {
    Rows3x3(g, q, p, input, row_begin, row_end, output);
  } else {
    RowsGeneric(g, q, p, input, row_begin, row_end, output);
  }
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
