#include "kernels/optimized/quantize_avx512.h"

#include <limits>

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

#if EDGETL_HAVE_VNNI_CODE
namespace {

template <typename T>
EDGETL_VNNI_TARGET void Quantize(const float* in, T* out, size_t n, float scale,
                                 int32_t zero_point) {
  const __m512 divisor = _mm512_set1_ps(scale);
  const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.f);
  // Quotients are clamped to +-2^16 before the conversion to int32: far
  // outside every 8-bit range even with the zero point added, and exact.
  const __m512 limit = _mm512_set1_ps(65536.f), neg_limit = _mm512_set1_ps(-65536.f);
  const __m512i zp = _mm512_set1_epi32(zero_point);
  const __m512i lo = _mm512_set1_epi32(std::numeric_limits<T>::min());
  const __m512i hi = _mm512_set1_epi32(std::numeric_limits<T>::max());
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = FirstLanes16(n - i);
    const __m512 q = _mm512_div_ps(_mm512_maskz_loadu_ps(m, in + i), divisor);
    // std::round: truncate, then step away from zero where the dropped
    // fraction (exact: q - trunc(q)) is at least one half.
    const __m512 t = _mm512_roundscale_ps(q, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __mmask16 away = _mm512_cmp_ps_mask(_mm512_abs_ps(_mm512_sub_ps(q, t)), half, _CMP_GE_OQ);
    const __m512 step = _mm512_castsi512_ps(
        _mm512_or_si512(_mm512_castps_si512(one),
                        _mm512_and_si512(_mm512_castps_si512(q), _mm512_set1_epi32(INT32_MIN))));
    __m512 r = _mm512_mask_add_ps(t, away, t, step);
    r = _mm512_min_ps(_mm512_max_ps(r, neg_limit), limit);
    const __m512i v = _mm512_add_epi32(_mm512_cvttps_epi32(r), zp);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, m, _mm512_min_epi32(_mm512_max_epi32(v, lo), hi));
  }
}

// 32 values per step, widened to int16 (|in + delta| < 2^10), narrowed
// back with the saturation of TOut.
template <typename TIn, typename TOut>
EDGETL_VNNI_TARGET void ShiftZeroPoint(const TIn* in, TOut* out, size_t n, int32_t delta) {
  const __m512i d = _mm512_set1_epi16(static_cast<int16_t>(delta));
  for (size_t i = 0; i < n; i += 32) {
    const __mmask32 m = FirstLanes32(n - i);
    const __m256i bytes = _mm256_maskz_loadu_epi8(m, in + i);
    __m512i v =
        std::is_same_v<TIn, uint8_t> ? _mm512_cvtepu8_epi16(bytes) : _mm512_cvtepi8_epi16(bytes);
    v = _mm512_add_epi16(v, d);
    if constexpr (std::is_same_v<TOut, uint8_t>) {
      _mm512_mask_cvtusepi16_storeu_epi8(out + i, m, _mm512_max_epi16(v, _mm512_setzero_si512()));
    } else {
      _mm512_mask_cvtsepi16_storeu_epi8(out + i, m, v);
    }
  }
}

}  // namespace

template <typename TIn, typename TOut>
void ShiftZeroPointAvx512(const TIn* in, TOut* out, size_t n, int32_t delta) {
  ShiftZeroPoint(in, out, n, delta);
}

template <typename T>
void QuantizeFloatAvx512(const float* in, T* out, size_t n, float scale, int32_t zero_point) {
  Quantize(in, out, n, scale, zero_point);
}
#else
// Never called: HasAvx512Vnni() is false where this code is not built.
template <typename T>
void QuantizeFloatAvx512(const float*, T*, size_t, float, int32_t) {}
template <typename TIn, typename TOut>
void ShiftZeroPointAvx512(const TIn*, TOut*, size_t, int32_t) {}
#endif

template void QuantizeFloatAvx512<uint8_t>(const float*, uint8_t*, size_t, float, int32_t);
template void QuantizeFloatAvx512<int8_t>(const float*, int8_t*, size_t, float, int32_t);
template void ShiftZeroPointAvx512(const uint8_t*, uint8_t*, size_t, int32_t);
template void ShiftZeroPointAvx512(const uint8_t*, int8_t*, size_t, int32_t);
template void ShiftZeroPointAvx512(const int8_t*, uint8_t*, size_t, int32_t);
template void ShiftZeroPointAvx512(const int8_t*, int8_t*, size_t, int32_t);

}  // namespace edgetl::optimized
