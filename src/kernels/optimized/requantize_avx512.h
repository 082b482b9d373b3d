// AVX-512 building blocks shared by the VNNI kernels: the target attribute
// and TensorFlow Lite's requantization on 16 lanes. Internal header.
#pragma once

#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() as the unused
// merge operand, which -Wmaybe-uninitialized reports once inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define EDGETL_HAVE_VNNI_CODE 1
#define EDGETL_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#else
#define EDGETL_HAVE_VNNI_CODE 0
#endif

#if EDGETL_HAVE_VNNI_CODE
namespace edgetl::optimized {

// (ab + nudge) / 2^31 per 64-bit lane, truncated toward zero: the core of
// SaturatingRoundingDoublingHighMul.
EDGETL_VNNI_TARGET inline __m512i RoundedHigh64(__m512i ab) {
  const __m512i zero = _mm512_setzero_si512();
  const __mmask8 neg = _mm512_cmplt_epi64_mask(ab, zero);
  __m512i s =
      _mm512_add_epi64(ab, _mm512_mask_blend_epi64(neg, _mm512_set1_epi64(int64_t{1} << 30),
                                                   _mm512_set1_epi64(1 - (int64_t{1} << 30))));
  const __mmask8 s_neg = _mm512_cmplt_epi64_mask(s, zero);
  s = _mm512_mask_add_epi64(s, s_neg, s, _mm512_set1_epi64((int64_t{1} << 31) - 1));
  return _mm512_srai_epi64(s, 31);
}

// TensorFlow Lite's MultiplyByQuantizedMultiplier (double rounding), 16 lanes;
// see fixedpoint::MultiplyByQuantizedMultiplier for the scalar definition.
// The multiplier is never INT32_MIN (it is in [2^30, 2^31) or 0), so the
// saturating case of the doubling high multiply cannot occur.
EDGETL_VNNI_TARGET inline __m512i MultiplyByQuantizedMultiplier16(__m512i x, __m512i mult,
                                                                  __m512i lshift, __m512i rshift) {
  x = _mm512_sllv_epi32(x, lshift);
  // 64-bit products of the even and the odd lanes.
  const __m512i even = _mm512_mul_epi32(x, mult);
  const __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32));
  const __m512i hi = _mm512_mask_blend_epi32(0xAAAA, RoundedHigh64(even),
                                             _mm512_slli_epi64(RoundedHigh64(odd), 32));
  // RoundingDivideByPOT(hi, rshift): round half away from zero.
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, rshift), one);
  const __m512i remainder = _mm512_and_si512(hi, mask);
  const __m512i threshold = _mm512_add_epi32(_mm512_srai_epi32(mask, 1), _mm512_srli_epi32(hi, 31));
  const __m512i q = _mm512_srav_epi32(hi, rshift);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, one);
}

// Requantizes 16 accumulators to output values in [lo, hi] (still int32).
EDGETL_VNNI_TARGET inline __m512i Requantize16(__m512i acc, __m512i mult, __m512i lshift,
                                               __m512i rshift, __m512i out_offset, __m512i lo,
                                               __m512i hi) {
  const __m512i x =
      _mm512_add_epi32(MultiplyByQuantizedMultiplier16(acc, mult, lshift, rshift), out_offset);
  return _mm512_min_epi32(_mm512_max_epi32(x, lo), hi);
}

}  // namespace edgetl::optimized
#endif
