#include "kernels/optimized/pooling_avx512.h"

#include <algorithm>
#include <limits>

#include "kernels/optimized/requantize_avx512.h"
#include "kernels/reference/pooling.h"

namespace edgetl::optimized {

bool PoolChannelsAvx512Applies(const reference::ConvGeometry& g) {
  // |sum| + count / 2 <= 256 * count < 2^24.
  return int64_t{g.filter_h} * g.filter_w < (int64_t{1} << 16);
}

#if EDGETL_HAVE_VNNI_CODE
namespace {

// The reference's average: the sum divided by the count, rounded half away
// from zero, as trunc((sum +- count / 2) / count). For integers |a| < 2^24
// and c >= 1 the float quotient a / c is correctly rounded, so within
// 2^-24 * |a / c| < 1 / c of the true one, and no integer lies between
// them unless the true quotient is that integer (a fraction a / c is at
// least 1 / c from every integer): its truncation is exact.
EDGETL_VNNI_TARGET inline __m512i RoundedAverage(__m512i sum, __m512 count, __m512i half) {
  const __mmask16 negative = _mm512_cmplt_epi32_mask(sum, _mm512_setzero_si512());
  const __m512i a = _mm512_mask_sub_epi32(_mm512_add_epi32(sum, half), negative, sum, half);
  return _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(a), count));
}

template <typename T, bool kMax>
EDGETL_VNNI_TARGET void Pool(const reference::ConvGeometry& g, int32_t act_min, int32_t act_max,
                             const T* input, T* output) {
  const int channels = g.out_c;
  const __m512i lo = _mm512_set1_epi32(act_min), hi = _mm512_set1_epi32(act_max);
  const __m512i init = _mm512_set1_epi32(kMax ? std::numeric_limits<T>::lowest() : 0);
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = 0; oy < g.out_h; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        const reference::PoolWindow window = reference::PoolWindowAt(g, oy, ox);
        const auto [y0, x0, fy_begin, fy_end, fx_begin, fx_end] = window;
        const int count = window.count();
        const __m512 count_f = _mm512_set1_ps(static_cast<float>(count));
        const __m512i half = _mm512_set1_epi32(count / 2);
        T* out = output + ((static_cast<size_t>(b) * g.out_h + oy) * g.out_w + ox) * channels;
        for (int c = 0; c < channels; c += 64) {
          __mmask16 m[4];
          __m512i acc[4];
          for (int j = 0; j < 4; ++j) {
            m[j] = FirstLanes16(std::max(0, channels - c - 16 * j));
            acc[j] = init;
          }
          for (int fy = fy_begin; fy < fy_end; ++fy) {
            for (int fx = fx_begin; fx < fx_end; ++fx) {
              const T* in =
                  input +
                  ((static_cast<size_t>(b) * g.in_h + y0 + fy) * g.in_w + x0 + fx) * g.in_c + c;
#pragma GCC unroll 4
              for (int j = 0; j < 4; ++j) {
                const __m512i x = Load16(in + 16 * j, m[j]);
                acc[j] = kMax ? _mm512_max_epi32(acc[j], x) : _mm512_add_epi32(acc[j], x);
              }
            }
          }
          for (int j = 0; j < 4 && m[j] != 0; ++j) {
            const __m512i v = kMax || count == 0 ? acc[j] : RoundedAverage(acc[j], count_f, half);
            _mm512_mask_cvtepi32_storeu_epi8(out + c + 16 * j, m[j],
                                             _mm512_min_epi32(_mm512_max_epi32(v, lo), hi));
          }
        }
      }
    }
  }
}

}  // namespace

template <typename T, bool kMax>
void PoolChannelsAvx512(const reference::ConvGeometry& g, int32_t act_min, int32_t act_max,
                        const T* input, T* output) {
  Pool<T, kMax>(g, act_min, act_max, input, output);
}
#else
template <typename T, bool kMax>
void PoolChannelsAvx512(const reference::ConvGeometry&, int32_t, int32_t, const T*, T*) {
  // Never called: HasAvx512Vnni() is false where this code is not built.
}
#endif

template void PoolChannelsAvx512<uint8_t, false>(const reference::ConvGeometry&, int32_t, int32_t,
                                                 const uint8_t*, uint8_t*);
template void PoolChannelsAvx512<uint8_t, true>(const reference::ConvGeometry&, int32_t, int32_t,
                                                const uint8_t*, uint8_t*);
template void PoolChannelsAvx512<int8_t, false>(const reference::ConvGeometry&, int32_t, int32_t,
                                                const int8_t*, int8_t*);
template void PoolChannelsAvx512<int8_t, true>(const reference::ConvGeometry&, int32_t, int32_t,
                                               const int8_t*, int8_t*);

}  // namespace edgetl::optimized
