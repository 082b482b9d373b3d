#include "kernels/optimized/mean_avx512.h"

#include <algorithm>
#include <limits>

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

#if EDGETL_HAVE_VNNI_CODE
namespace {

template <typename T>
EDGETL_VNNI_TARGET void MeanRows(const T* in, int count, int inner, int c_begin, int c_end,
                                 int32_t input_zero_point, const reference::MeanQuant& q,
                                 int32_t output_zero_point, T* out) {
  // The reference's int64 sum minus zp * count, truncated to int32: the
  // same value as in wrapping int32 arithmetic (and it fits: |.| <= 255 *
  // count < 2^31).
  const __m512i zero_point_sum = _mm512_set1_epi32(
      static_cast<int32_t>(static_cast<uint32_t>(input_zero_point) * static_cast<uint32_t>(count)));
  const __m512i mult = _mm512_set1_epi32(q.multiplier);
  const __m512i left = _mm512_set1_epi32(std::max(q.shift, 0));
  const __m512i right = _mm512_set1_epi32(std::max(-q.shift, 0));
  const __m512i out_offset = _mm512_set1_epi32(output_zero_point);
  const __m512i lo = _mm512_set1_epi32(std::numeric_limits<T>::min());
  const __m512i hi = _mm512_set1_epi32(std::numeric_limits<T>::max());
  for (int c = c_begin; c < c_end; c += 64) {
    __mmask16 m[4];
    __m512i acc[4];
    for (int j = 0; j < 4; ++j) {
      m[j] = FirstLanes16(std::max(0, c_end - c - 16 * j));
      acc[j] = _mm512_setzero_si512();
    }
    const T* row = in + c;
    for (int r = 0; r < count; ++r, row += inner) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[j] = _mm512_add_epi32(acc[j], Load16(row + 16 * j, m[j]));
    }
    for (int j = 0; j < 4 && m[j] != 0; ++j) {
      const __m512i x = _mm512_sub_epi32(acc[j], zero_point_sum);
      const __m512i v =
          _mm512_add_epi32(MultiplyByQuantizedMultiplier16(x, mult, left, right), out_offset);
      _mm512_mask_cvtepi32_storeu_epi8(out + c + 16 * j, m[j],
                                       _mm512_min_epi32(_mm512_max_epi32(v, lo), hi));
    }
  }
}

}  // namespace

template <typename T>
void MeanRowsAvx512(const T* in, int count, int inner, int c_begin, int c_end,
                    int32_t input_zero_point, const reference::MeanQuant& q,
                    int32_t output_zero_point, T* out) {
  MeanRows(in, count, inner, c_begin, c_end, input_zero_point, q, output_zero_point, out);
}
#else
template <typename T>
void MeanRowsAvx512(const T*, int, int, int, int, int32_t, const reference::MeanQuant&, int32_t,
                    T*) {
  // Never called: HasAvx512Vnni() is false where this code is not built.
}
#endif

template void MeanRowsAvx512<uint8_t>(const uint8_t*, int, int, int, int, int32_t,
                                      const reference::MeanQuant&, int32_t, uint8_t*);
template void MeanRowsAvx512<int8_t>(const int8_t*, int, int, int, int, int32_t,
                                     const reference::MeanQuant&, int32_t, int8_t*);

}  // namespace edgetl::optimized
