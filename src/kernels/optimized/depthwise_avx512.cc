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
  if (taps == 9) {
    p.blocks32 = channels / 32;
    p.zero_point_row.assign(static_cast<size_t>(p.blocks32) * 32,
                            static_cast<uint8_t>(-q.input_offset));
    p.pairs.assign(static_cast<size_t>(p.blocks32) * 5 * 2 * 32, 0);
    const size_t params = static_cast<size_t>(p.blocks32) * 2 * 16;
    p.pair_bias.assign(params, 0);
    p.pair_multiplier.assign(params, 0);
    p.pair_left_shift.assign(params, 0);
    p.pair_right_shift.assign(params, 0);
    for (int block = 0; block < p.blocks32; ++block) {
      for (int half = 0; half < 2; ++half) {
        for (int lane = 0; lane < 16; ++lane) {
          // Lanes 0-7: channels 8*half + 0..7; lanes 8-15: 16 + 8*half + 0..7.
          const int c = block * 32 + (lane < 8 ? 0 : 16) + 8 * half + lane % 8;
          int32_t sum = 0;
          for (int pair = 0; pair < 5; ++pair) {
            for (int j = 0; j < 2; ++j) {
              const int t = 2 * pair + j;
              const int32_t w = t < 9 ? p.w[static_cast<size_t>(t) * p.c16 + c] : 0;
              sum += w;
              p.pairs[((static_cast<size_t>(block) * 5 + pair) * 2 + half) * 32 + 2 * lane + j] =
                  static_cast<int16_t>(w);
            }
          }
          const size_t i = (static_cast<size_t>(block) * 2 + half) * 16 + lane;
          p.pair_bias[i] = p.bias[c] + q.input_offset * sum;
          p.pair_multiplier[i] = p.multiplier[c];
          p.pair_left_shift[i] = p.left_shift[c];
          p.pair_right_shift[i] = p.right_shift[c];
        }
      }
    }
  }
  p.clamped_below = q.act_min >= q.output_offset;
  if (p.clamped_below) {
    for (int c = 0; c < p.c16; c += 16) {
      p.clamped_below_constants.push_back(MakeClampedBelowConstants(p.right_shift.data() + c));
    }
    for (size_t i = 0; i < p.pair_right_shift.size(); i += 16) {
      p.pair_clamped_below_constants.push_back(
          MakeClampedBelowConstants(p.pair_right_shift.data() + i));
    }
  }
  return p;
}

#if EDGETL_HAVE_VNNI_CODE
namespace {

// 16 channels from c of output pixels [ox_begin, ox_end) of one row, any
// window and position: taps outside the input are skipped as in the
// reference.
template <typename T>
EDGETL_VNNI_TARGET void Block16(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                const DepthwiseAvx512& p, const T* input, int b, int oy, int c,
                                int ox_begin, int ox_end, T* out_row) {
  const int c_out = g.out_c;
  const __mmask16 m = c_out - c >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (c_out - c)) - 1);
  const __m512i in_offset = _mm512_set1_epi32(q.input_offset);
  const __m512i out_offset = _mm512_set1_epi32(q.output_offset);
  const __m512i lo = _mm512_set1_epi32(q.act_min), hi = _mm512_set1_epi32(q.act_max);
  const __m512i bias = _mm512_loadu_si512(p.bias.data() + c);
  const __m512i mult = _mm512_loadu_si512(p.multiplier.data() + c);
  const __m512i ls = _mm512_loadu_si512(p.left_shift.data() + c);
  const __m512i rs = _mm512_loadu_si512(p.right_shift.data() + c);
  // Loaded once: the 8-bit stores below would force reloads in the loop.
  const ClampedBelow16 below =
      p.clamped_below ? LoadClampedBelow(p.clamped_below_constants[c / 16]) : ClampedBelow16{};
  const size_t pixel_step = static_cast<size_t>(g.in_c);
  const int y0 = oy * g.stride_h - g.pad_h;
  for (int ox = ox_begin; ox < ox_end; ++ox) {
    const int x0 = ox * g.stride_w - g.pad_w;
    __m512i acc = bias;
    for (int fy = 0; fy < g.filter_h; ++fy) {
      const int iy = y0 + fy * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) continue;
      const T* r = input + (static_cast<size_t>(b) * g.in_h + iy) * g.in_w * pixel_step + c;
      const int32_t* w_row = p.w.data() + static_cast<size_t>(fy * g.filter_w) * p.c16 + c;
      for (int fx = 0; fx < g.filter_w; ++fx) {
        const int ix = x0 + fx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) continue;
        const __m512i x = _mm512_add_epi32(Load16(r + ix * pixel_step, m), in_offset);
        const __m512i w = _mm512_loadu_si512(w_row + static_cast<size_t>(fx) * p.c16);
        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, w));
      }
    }
    const __m512i r = p.clamped_below
                          ? Requantize16ClampedBelow<true>(acc, mult, ls, below, out_offset, lo, hi)
                          : Requantize16(acc, mult, ls, rs, out_offset, lo, hi);
    _mm512_mask_cvtepi32_storeu_epi8(out_row + static_cast<size_t>(ox) * c_out + c, m, r);
  }
}

// Two taps of 32 channels as int16 pairs per channel, in the pair layout
// (see DepthwiseAvx512::pairs): half 0 and half 1.
template <typename T>
EDGETL_VNNI_TARGET inline void LoadPair(const T* a, const T* b, __m512i* h0, __m512i* h1) {
  const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a));
  const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
  const __m256i lo = _mm256_unpacklo_epi8(va, vb), hi = _mm256_unpackhi_epi8(va, vb);
  if constexpr (std::is_same_v<T, uint8_t>) {
    *h0 = _mm512_cvtepu8_epi16(lo);
    *h1 = _mm512_cvtepu8_epi16(hi);
  } else {
    *h0 = _mm512_cvtepi8_epi16(lo);
    *h1 = _mm512_cvtepi8_epi16(hi);
  }
}

// The nine tap addresses (at channel 0) of up to kChunk output pixels of one
// row. Taps outside the input read the input zero point, which contributes
// exactly zero: x * w + io * w = (zp - zp) * w (io * sum w is in the bias).
constexpr int kChunk = 16;

template <typename T>
void TapsOfRow(const reference::ConvGeometry& g, const DepthwiseAvx512& p, const T* input, int b,
               int y0, int ox_begin, int count, const T* taps[][9]) {
  const size_t pixel_step = static_cast<size_t>(g.in_c);
  const T* image = input + static_cast<size_t>(b) * g.in_h * g.in_w * pixel_step;
  const T* padding = reinterpret_cast<const T*>(p.zero_point_row.data());
  const bool rows_inside = y0 >= 0 && y0 + 2 * g.dilation_h < g.in_h;
  const size_t row_step = static_cast<size_t>(g.dilation_h) * g.in_w * pixel_step;
  const size_t col_step = static_cast<size_t>(g.dilation_w) * pixel_step;
  for (int i = 0; i < count; ++i) {
    const int x0 = (ox_begin + i) * g.stride_w - g.pad_w;
    if (rows_inside && x0 >= 0 && x0 + 2 * g.dilation_w < g.in_w) {
      const T* t0 = image + (static_cast<size_t>(y0) * g.in_w + x0) * pixel_step;
      for (int t = 0; t < 9; ++t) taps[i][t] = t0 + (t / 3) * row_step + (t % 3) * col_step;
      continue;
    }
    for (int fy = 0; fy < 3; ++fy) {
      const int iy = y0 + fy * g.dilation_h;
      for (int fx = 0; fx < 3; ++fx) {
        const int ix = x0 + fx * g.dilation_w;
        taps[i][fy * 3 + fx] = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w
                                   ? image + (static_cast<size_t>(iy) * g.in_w + ix) * pixel_step
                                   : padding;
      }
    }
  }
}

// 32 channels (a full block) of `count` output pixels whose taps are given:
// sum x * w over the nine taps with vpmaddwd (two taps per instruction,
// exact: |x * w| <= 255 * 255), plus the bias with the input offset folded.
template <typename T>
EDGETL_VNNI_TARGET void Block32(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                const DepthwiseAvx512& p, const T* const taps[][9], int count,
                                int block, T* out_first) {
  const int c = block * 32;
  __m512i w[5][2];
  for (int pair = 0; pair < 5; ++pair) {
    for (int half = 0; half < 2; ++half) {
      w[pair][half] = _mm512_loadu_si512(p.pairs.data() +
                                         ((static_cast<size_t>(block) * 5 + pair) * 2 + half) * 32);
    }
  }
  __m512i bias[2], mult[2], ls[2], rs[2];
  for (int half = 0; half < 2; ++half) {
    const size_t i = (static_cast<size_t>(block) * 2 + half) * 16;
    bias[half] = _mm512_loadu_si512(p.pair_bias.data() + i);
    mult[half] = _mm512_loadu_si512(p.pair_multiplier.data() + i);
    ls[half] = _mm512_loadu_si512(p.pair_left_shift.data() + i);
    rs[half] = _mm512_loadu_si512(p.pair_right_shift.data() + i);
  }
  const __m512i out_offset = _mm512_set1_epi32(q.output_offset);
  ClampedBelow16 below[2] = {};
  if (p.clamped_below) {
    below[0] = LoadClampedBelow(p.pair_clamped_below_constants[2 * block]);
    below[1] = LoadClampedBelow(p.pair_clamped_below_constants[2 * block + 1]);
  }
  const __m512i lo = _mm512_set1_epi32(q.act_min), hi = _mm512_set1_epi32(q.act_max);
  for (int i = 0; i < count; ++i) {
    const T* const* tap = taps[i];
    __m512i acc0 = bias[0], acc1 = bias[1];
#pragma GCC unroll 5
    for (int pair = 0; pair < 5; ++pair) {
      __m512i x0, x1;
      LoadPair(tap[2 * pair] + c, tap[pair < 4 ? 2 * pair + 1 : 8] + c, &x0, &x1);
      acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(x0, w[pair][0]));
      acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(x1, w[pair][1]));
    }
    __m512i r0, r1;
    if (p.clamped_below) {
      r0 = Requantize16ClampedBelow<true>(acc0, mult[0], ls[0], below[0], out_offset, lo, hi);
      r1 = Requantize16ClampedBelow<true>(acc1, mult[1], ls[1], below[1], out_offset, lo, hi);
    } else {
      r0 = Requantize16(acc0, mult[0], ls[0], rs[0], out_offset, lo, hi);
      r1 = Requantize16(acc1, mult[1], ls[1], rs[1], out_offset, lo, hi);
    }
    // r0 holds channels 0-7, 16-23 and r1 8-15, 24-31: interleave the
    // 64-bit halves back into channel order.
    const __m128i b0 = _mm512_cvtepi32_epi8(r0), b1 = _mm512_cvtepi32_epi8(r1);
    T* out = out_first + static_cast<size_t>(i) * g.out_c + c;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_unpacklo_epi64(b0, b1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_unpackhi_epi64(b0, b1));
  }
}

// 3x3 windows (every MobileNet): full 32-channel blocks through Block32,
// the remaining channels through Block16 (which also serves other windows).
template <typename T>
EDGETL_VNNI_TARGET void Rows3x3(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                const DepthwiseAvx512& p, const T* input, int row_begin,
                                int row_end, T* output) {
  const int c_out = g.out_c;
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const int y0 = oy * g.stride_h - g.pad_h;
    T* out_row = output + (static_cast<size_t>(b) * g.out_h + oy) * g.out_w * c_out;
    // Pixels in chunks: their tap addresses are worked out once for all
    // blocks, and each block's weights are loaded once per chunk.
    for (int ox = 0; ox < g.out_w; ox += kChunk) {
      const int count = std::min(kChunk, g.out_w - ox);
      const T* taps[kChunk][9];
      TapsOfRow(g, p, input, b, y0, ox, count, taps);
      for (int block = 0; block < p.blocks32; ++block) {
        Block32(g, q, p, taps, count, block, out_row + static_cast<size_t>(ox) * c_out);
      }
    }
    for (int c = p.blocks32 * 32; c < c_out; c += 16) {
      Block16(g, q, p, input, b, oy, c, 0, g.out_w, out_row);
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
    return;
  }
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    T* out_row = output + (static_cast<size_t>(b) * g.out_h + oy) * g.out_w * g.out_c;
    for (int c = 0; c < g.out_c; c += 16) Block16(g, q, p, input, b, oy, c, 0, g.out_w, out_row);
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
