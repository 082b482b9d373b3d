// AVX-512 building blocks shared by the VNNI kernels: the target attribute,
// 8-bit loads, and TensorFlow Lite's requantization on 16 lanes. Internal
// header.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/optimized/one_step_constants.h"

#if defined(__x86_64__) && defined(__GNUC__)
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_epi32() as the unused
// merge operand, which -W(maybe-)uninitialized reports once inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#define EDGETL_HAVE_VNNI_CODE 1
#define EDGETL_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#else
#define EDGETL_HAVE_VNNI_CODE 0
#endif

#if EDGETL_HAVE_VNNI_CODE
namespace edgetl::optimized {

// Masks of the first `count` lanes of 16, 32 or 64 (all of them where
// count reaches the width): the tails of masked loops.
inline __mmask16 FirstLanes16(int64_t count) {
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
}
inline __mmask32 FirstLanes32(int64_t count) {
  return count >= 32 ? ~__mmask32{0} : (__mmask32{1} << count) - 1;
}
inline __mmask64 FirstLanes64(int64_t count) {
  return count >= 64 ? ~__mmask64{0} : (__mmask64{1} << count) - 1;
}

// 16 bytes (masked) widened to 16 int32 lanes, by the sign of T.
template <typename T>
EDGETL_VNNI_TARGET inline __m512i Load16(const T* p, __mmask16 m) {
  const __m128i bytes = _mm_maskz_loadu_epi8(m, p);
  if constexpr (std::is_same_v<T, uint8_t>) {
    return _mm512_cvtepu8_epi32(bytes);
  } else {
    return _mm512_cvtepi8_epi32(bytes);
  }
}

// TensorFlow Lite's MultiplyByQuantizedMultiplier (double rounding), 16 lanes;
// see fixedpoint::MultiplyByQuantizedMultiplier for the scalar definition.
//
// SaturatingRoundingDoublingHighMul(x, m) is (x*m + nudge) / 2^31 truncated
// toward zero, nudge = 2^30 for x*m >= 0 and 1 - 2^30 otherwise. For
// x*m < 0 that equals floor((x*m + 1 - 2^30 + 2^31 - 1) / 2^31), so in both
// cases it is (x*m + 2^30) >> 31 (arithmetic): one add and one shift per
// 64-bit product. Its saturating case (x = m = INT32_MIN) cannot occur: the
// multiplier is in [2^30, 2^31) or 0. RoundingDivideByPOT follows the scalar
// code (remainder against threshold), which never overflows.
//
// kLeftShift = false skips the left shift, for callers that know it is zero
// in every lane.
template <bool kLeftShift = true>
EDGETL_VNNI_TARGET inline __m512i MultiplyByQuantizedMultiplier16(__m512i x, __m512i mult,
                                                                  __m512i lshift, __m512i rshift) {
  if (kLeftShift) x = _mm512_sllv_epi32(x, lshift);
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  // Even lanes: the low dword of (x*m + 2^30) >> 31. Odd lanes: the same
  // bits, 31..62 of the sum, are the high dword of the sum << 1.
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, mult), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(x, 32), _mm512_srli_epi64(mult, 32)), nudge);
  const __m512i hi =
      _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31), _mm512_slli_epi64(odd, 1));
  // RoundingDivideByPOT(hi, rshift): round half away from zero.
  const __m512i one = _mm512_set1_epi32(1);
  const __m512i mask = _mm512_sub_epi32(_mm512_sllv_epi32(one, rshift), one);
  const __m512i remainder = _mm512_and_si512(hi, mask);
  const __m512i threshold = _mm512_add_epi32(_mm512_srai_epi32(mask, 1), _mm512_srli_epi32(hi, 31));
  const __m512i q = _mm512_srav_epi32(hi, rshift);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(remainder, threshold), q, one);
}

// TensorFlow Lite's requantization in one rounding step, output offset
// added. With h = SaturatingRoundingDoublingHighMul(x, m) =
// floor((x*m + 2^30) / 2^31) and e > 0, RoundingDivideByPOT(h, e) =
// floor((h + 2^(e-1) - [h < 0]) / 2^e), and nested floors merge exactly
// (floor((floor(a / b) + c) / d) = floor((a + c*b) / (b*d))):
//   floor((x*m + 2^30 + 2^(30+e) - [x*m < -2^30] * 2^31) / 2^(31+e)),
// as h < 0 exactly where x*m + 2^30 < 0. e == 0 is
// floor((x*m + 2^30) / 2^31). The output offset z joins the addend as
// z * 2^(31+e) (floor(a / 2^s) + z = floor((a + z * 2^s) / 2^s)). The
// constants (OneStepConstants) are per 64-bit lane, for the even channels
// (lanes 0, 2, ...) and the odd ones.
//
// kExact = false leaves out the correction for negative products: the
// result can then be one more than the true value where that is <= 0,
// which no longer matters once clamped to a range starting at or above the
// output offset (fused ReLU/ReLU6: act_min >= output offset).
struct OneStep16 {
  __m512i add_even, add_odd, negative_even, negative_odd, shift_even, shift_odd, multiplier_odd;
};
EDGETL_VNNI_TARGET inline OneStep16 LoadOneStep(const OneStepConstants& k) {
  return {_mm512_loadu_si512(k.add_even),      _mm512_loadu_si512(k.add_odd),
          _mm512_loadu_si512(k.negative_even), _mm512_loadu_si512(k.negative_odd),
          _mm512_loadu_si512(k.shift_even),    _mm512_loadu_si512(k.shift_odd),
          _mm512_loadu_si512(k.multiplier_odd)};
}

template <bool kExact>
EDGETL_VNNI_TARGET inline __m512i OneStep8(__m512i product, __m512i add, __m512i negative,
                                           __m512i shift) {
  __m512i sum = _mm512_add_epi64(product, add);
  if (kExact) {
    const __mmask8 below = _mm512_cmplt_epi64_mask(product, _mm512_set1_epi64(-(int64_t{1} << 30)));
    sum = _mm512_mask_sub_epi64(sum, below, sum, negative);
  }
  return _mm512_srav_epi64(sum, shift);
}

// 16 accumulators requantized with the output offset added, not clamped.
template <bool kLeftShift, bool kExact>
EDGETL_VNNI_TARGET inline __m512i RequantizeOneStep16(__m512i x, __m512i mult, __m512i lshift,
                                                      const OneStep16& k) {
  if (kLeftShift) x = _mm512_sllv_epi32(x, lshift);
  const __m512i even =
      OneStep8<kExact>(_mm512_mul_epi32(x, mult), k.add_even, k.negative_even, k.shift_even);
  const __m512i odd = OneStep8<kExact>(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), k.multiplier_odd),
                                       k.add_odd, k.negative_odd, k.shift_odd);
  // Each result fits in 32 bits: the low dword of the even lanes' qwords,
  // and the odd lanes' results moved up into the high dwords.
  return _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
}

// The same, clamped to [lo, hi] (still int32).
template <bool kLeftShift, bool kExact>
EDGETL_VNNI_TARGET inline __m512i RequantizeOneStep16Clamped(__m512i acc, __m512i mult,
                                                             __m512i lshift, const OneStep16& k,
                                                             __m512i lo, __m512i hi) {
  return _mm512_min_epi32(
      _mm512_max_epi32(RequantizeOneStep16<kLeftShift, kExact>(acc, mult, lshift, k), lo), hi);
}

// The float form of a proven layer (float_requantization.h):
// floor(RD(float(x) * scale + offset)), output offset not yet added. Both
// roundings toward minus infinity (RD).
EDGETL_VNNI_TARGET inline __m512i RequantizeFloat16(__m512i x, __m512 scale, __m512 offset) {
  constexpr int kDown = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
  return _mm512_cvt_roundps_epi32(
      _mm512_fmadd_round_ps(_mm512_cvtepi32_ps(x), scale, offset, kDown), kDown);
}

// The same with two pieces: offset_below for accumulators below split.
EDGETL_VNNI_TARGET inline __m512i RequantizeFloat16(__m512i x, __m512 scale, __m512 offset,
                                                    __m512 offset_below, __m512i split) {
  const __mmask16 below = _mm512_cmplt_epi32_mask(x, split);
  return RequantizeFloat16(x, scale, _mm512_mask_blend_ps(below, offset, offset_below));
}

// 64 bytes packed (twice, saturating) from four vectors of 16 channels,
// in channel order again: the packs interleave them across 128-bit lanes.
EDGETL_VNNI_TARGET inline __m512i InChannelOrder(__m512i packed) {
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_epi32(order, packed);
}

// 64 output bytes of type T from two vectors of _mm512_packs_epi32 results
// (channels 0-31 in p01, 32-63 in p23): saturated to bytes, put back in
// channel order (InChannelOrder), clamped to [lo8, hi8]. Saturating first
// does not change the clamp's result: the activation range lies inside the
// output type.
template <typename T>
EDGETL_VNNI_TARGET inline __m512i NarrowToBytes(__m512i p01, __m512i p23, __m512i lo8,
                                                __m512i hi8) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    const __m512i b = InChannelOrder(_mm512_packus_epi16(p01, p23));
    return _mm512_min_epu8(_mm512_max_epu8(b, lo8), hi8);
  } else {
    const __m512i b = InChannelOrder(_mm512_packs_epi16(p01, p23));
    return _mm512_min_epi8(_mm512_max_epi8(b, lo8), hi8);
  }
}

// How the epilogues (GEMM; depthwise without the permute) narrow their
// int32 results to bytes. Where the float form's clamp is exactly [0, 255]
// before the output offset (ReLU6 layers whose output range the activation
// fills: uint8 with offset 0, int8 with offset -128), the unsigned
// saturating pack is the whole clamp and the offset is nothing (uint8) or a
// flip of the sign bit (int8, x - 128 = x ^ 0x80 on [0, 255]): no 16-bit
// adds, no min/max.
struct Narrowing {
  __m512i offset16, lo8, hi8;
  bool full_range;
};
EDGETL_VNNI_TARGET inline Narrowing MakeNarrowing(bool as_float, int32_t output_offset,
                                                  int32_t act_min, int32_t act_max) {
  // The float form's output offset joins on 16 bits, one add per 32
  // outputs; saturating there keeps the clamp's result (as above).
  return {_mm512_set1_epi16(static_cast<int16_t>(as_float ? output_offset : 0)),
          _mm512_set1_epi8(static_cast<char>(act_min)),
          _mm512_set1_epi8(static_cast<char>(act_max)),
          as_float && act_min - output_offset == 0 && act_max - output_offset == 255};
}

// 64 bytes of type T as unsigned bytes, or back: int8 with the sign bit
// flipped (x + 128 on [-128, 127], its own inverse), uint8 as they are.
// Activations enter the kernels this way, and full-range results (packed
// unsigned) leave it as outputs of type T.
template <typename T>
EDGETL_VNNI_TARGET inline __m512i FlipInt8(__m512i bytes) {
  if constexpr (std::is_same_v<T, int8_t>) {
    return _mm512_xor_si512(bytes, _mm512_set1_epi8(static_cast<char>(0x80)));
  }
  return bytes;
}

// 64 output bytes from four vectors of results (channels 0-15 in a, 16-31
// in b, ...).
template <typename T>
EDGETL_VNNI_TARGET inline __m512i Narrow(const Narrowing& n, __m512i a, __m512i b, __m512i c,
                                         __m512i d) {
  const __m512i p01 = _mm512_packs_epi32(a, b), p23 = _mm512_packs_epi32(c, d);
  if (n.full_range) return FlipInt8<T>(InChannelOrder(_mm512_packus_epi16(p01, p23)));
  return NarrowToBytes<T>(_mm512_adds_epi16(p01, n.offset16), _mm512_adds_epi16(p23, n.offset16),
                          n.lo8, n.hi8);
}

// Requantizes 16 accumulators to output values in [lo, hi] (still int32).
template <bool kLeftShift = true>
EDGETL_VNNI_TARGET inline __m512i Requantize16(__m512i acc, __m512i mult, __m512i lshift,
                                               __m512i rshift, __m512i out_offset, __m512i lo,
                                               __m512i hi) {
  const __m512i x = _mm512_add_epi32(
      MultiplyByQuantizedMultiplier16<kLeftShift>(acc, mult, lshift, rshift), out_offset);
  return _mm512_min_epi32(_mm512_max_epi32(x, lo), hi);
}

}  // namespace edgetl::optimized
#endif
