// AVX2 building blocks shared by the AVX2 conv kernels (gemm_avx2.h,
// depthwise_avx2.h): the target attribute, the per-channel requantization
// parameters, TensorFlow Lite's requantization on 8 lanes and the narrowing
// store. Internal header.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/reference/conv.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EDGETL_HAVE_AVX2_CODE 1
#define EDGETL_AVX2_TARGET __attribute__((target("avx2")))
#else
#define EDGETL_HAVE_AVX2_CODE 0
#endif

namespace edgetl::optimized {

// Per output channel, padded with zeros to a multiple of 16 (so every
// 8-channel vector of a 16-channel block loads whole): the bias and TFLite's multiplier with its
// exponent split into a left and a right shift. Plain C++.
struct Avx2Requantization {
  std::vector<int32_t> bias, multiplier, left_shift, right_shift;
  int32_t output_offset = 0, act_min = 0, act_max = 0;
};

inline Avx2Requantization MakeAvx2Requantization(const reference::ConvQuant& q, const int32_t* bias,
                                                 int channels) {
  const size_t padded = (static_cast<size_t>(channels) + 15) / 16 * 16;
  Avx2Requantization r;
  r.bias.assign(padded, 0);
  r.multiplier.assign(padded, 0);
  r.left_shift.assign(padded, 0);
  r.right_shift.assign(padded, 0);
  for (int c = 0; c < channels; ++c) {
    r.bias[c] = bias ? bias[c] : 0;
    r.multiplier[c] = q.multiplier[c];
    r.left_shift[c] = q.shift[c] > 0 ? q.shift[c] : 0;
    r.right_shift[c] = q.shift[c] > 0 ? 0 : -q.shift[c];
  }
  r.output_offset = q.output_offset;
  r.act_min = q.act_min;
  r.act_max = q.act_max;
  return r;
}

#if EDGETL_HAVE_AVX2_CODE

// TensorFlow Lite's MultiplyByQuantizedMultiplier on 8 lanes, the same
// arithmetic as MultiplyByQuantizedMultiplier16 (requantize_avx512.h, which
// explains it): (x*m + 2^30) >> 31 per 64-bit product, then a rounding
// right shift (half away from zero). Only bits 31..62 of each sum are kept,
// so logical 64-bit shifts do (AVX2 has no arithmetic one).
EDGETL_AVX2_TARGET inline __m256i MultiplyByQuantizedMultiplier8(__m256i x, __m256i mult,
                                                                 __m256i lshift, __m256i rshift) {
  x = _mm256_sllv_epi32(x, lshift);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(mult, 32)), nudge);
  const __m256i hi =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i one = _mm256_set1_epi32(1);
  const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, rshift), one);
  const __m256i remainder = _mm256_and_si256(hi, mask);
  const __m256i threshold = _mm256_add_epi32(_mm256_srai_epi32(mask, 1), _mm256_srli_epi32(hi, 31));
  // cmpgt is -1 where the quotient rounds away from zero.
  return _mm256_sub_epi32(_mm256_srav_epi32(hi, rshift), _mm256_cmpgt_epi32(remainder, threshold));
}

// Channels [c, c + 8): accumulators (bias not yet added) to clamped
// outputs with the output offset.
EDGETL_AVX2_TARGET inline __m256i Requantize8(__m256i acc, const Avx2Requantization& r, size_t c) {
  const auto* bias = reinterpret_cast<const __m256i*>(r.bias.data() + c);
  const auto* mult = reinterpret_cast<const __m256i*>(r.multiplier.data() + c);
  const auto* lshift = reinterpret_cast<const __m256i*>(r.left_shift.data() + c);
  const auto* rshift = reinterpret_cast<const __m256i*>(r.right_shift.data() + c);
  acc = _mm256_add_epi32(acc, _mm256_loadu_si256(bias));
  acc = MultiplyByQuantizedMultiplier8(acc, _mm256_loadu_si256(mult), _mm256_loadu_si256(lshift),
                                       _mm256_loadu_si256(rshift));
  acc = _mm256_add_epi32(acc, _mm256_set1_epi32(r.output_offset));
  acc = _mm256_max_epi32(acc, _mm256_set1_epi32(r.act_min));
  return _mm256_min_epi32(acc, _mm256_set1_epi32(r.act_max));
}

// Stores the first `count` (<= 8) of 8 clamped lanes as T.
template <typename T>
EDGETL_AVX2_TARGET inline void Store8(__m256i v, T* out, int count) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i bytes =
      std::is_same_v<T, uint8_t> ? _mm_packus_epi16(words, words) : _mm_packs_epi16(words, words);
  if (count == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) T all[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(all), bytes);
    std::memcpy(out, all, count);
  }
}

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace edgetl::optimized
