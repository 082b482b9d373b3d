#include "kernels/optimized/depthwise_avx2.h"

#include <algorithm>
#include <cstring>

namespace edgetl::optimized {
namespace {

#if EDGETL_HAVE_AVX2_CODE

// 16 input values widened to int16 with the input offset added; `count`
// < 16 (the last channels) reads no further than them.
template <typename T>
EDGETL_AVX2_TARGET inline __m256i LoadTap(const T* src, int count, __m256i offset) {
  __m128i bytes;
  if (count >= 16) {
    bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  } else {
    alignas(16) T tail[16] = {};
    std::memcpy(tail, src, count);
    bytes = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
  }
  const __m256i x =
      std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi16(bytes) : _mm256_cvtepi8_epi16(bytes);
  return _mm256_add_epi16(x, offset);
}

// One output pixel: `taps` holds each window tap's input pixel, null for
// taps in the padding.
template <typename T>
EDGETL_AVX2_TARGET void Pixel(const DepthwiseAvx2& p, int channels, const T* const* taps,
                              __m256i offset, T* out) {
  const __m256i* w = reinterpret_cast<const __m256i*>(p.w.data());
  const int blocks = p.c16 / 16;
  for (int block = 0; block < blocks; ++block) {
    const int c = block * 16, count = std::min(16, channels - c);
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
    for (int pair = 0; pair < p.pairs; ++pair) {
      const T* first = taps[2 * pair];
      const T* second = 2 * pair + 1 < p.taps ? taps[2 * pair + 1] : nullptr;
      if (!first && !second) continue;
      const __m256i x0 = first ? LoadTap(first + c, count, offset) : _mm256_setzero_si256();
      const __m256i x1 = second ? LoadTap(second + c, count, offset) : _mm256_setzero_si256();
      const __m256i* wp = w + (static_cast<size_t>(pair) * blocks + block) * 2;
      lo = _mm256_add_epi32(
          lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), _mm256_load_si256(wp)));
      hi = _mm256_add_epi32(
          hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), _mm256_load_si256(wp + 1)));
    }
    // lo holds channels 0-3 | 8-11, hi 4-7 | 12-15.
    const __m256i first8 = _mm256_permute2x128_si256(lo, hi, 0x20);
    const __m256i last8 = _mm256_permute2x128_si256(lo, hi, 0x31);
    Store8(Requantize8(first8, p.requant, c), out + c, std::min(8, count));
    if (count > 8) Store8(Requantize8(last8, p.requant, c + 8), out + c + 8, count - 8);
  }
}

template <typename T>
EDGETL_AVX2_TARGET void Rows(const reference::ConvGeometry& g, int32_t input_offset,
                             const DepthwiseAvx2& p, const T* input, int row_begin, int row_end,
                             T* output) {
  const __m256i offset = _mm256_set1_epi16(static_cast<int16_t>(input_offset));
  std::vector<const T*> taps(p.taps);
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const T* image = input + static_cast<size_t>(b) * g.in_h * g.in_w * g.in_c;
    const int y0 = oy * g.stride_h - g.pad_h;
    T* out = output + static_cast<size_t>(row) * g.out_w * g.out_c;
    for (int ox = 0; ox < g.out_w; ++ox, out += g.out_c) {
      const int x0 = ox * g.stride_w - g.pad_w;
      for (int fy = 0, t = 0; fy < g.filter_h; ++fy) {
        const int iy = y0 + fy * g.dilation_h;
        for (int fx = 0; fx < g.filter_w; ++fx, ++t) {
          const int ix = x0 + fx * g.dilation_w;
          const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
          taps[t] = inside ? image + (static_cast<size_t>(iy) * g.in_w + ix) * g.in_c : nullptr;
        }
      }
      Pixel(p, g.out_c, taps.data(), offset, out);
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
  p.pairs = (p.taps + 1) / 2;
  p.c16 = (g.out_c + 15) / 16 * 16;
  const int blocks = p.c16 / 16;
  p.w.assign(static_cast<size_t>(p.pairs) * p.c16 * 2, 0);
  for (int t = 0; t < p.taps; ++t) {
    for (int c = 0; c < g.out_c; ++c) {
      // Within the block: vector (lane / 4) % 2, lane channel / 8 * 4 + channel % 4.
      const int block = c / 16, j = c % 16;
      const int vector = (j / 4) % 2, lane = j / 8 * 4 + j % 4;
      const size_t at =
          ((static_cast<size_t>(t / 2) * blocks + block) * 2 + vector) * 16 + lane * 2 + t % 2;
      p.w[at] =
          static_cast<int16_t>(filter[static_cast<size_t>(t) * g.out_c + c] + q.filter_offset);
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
