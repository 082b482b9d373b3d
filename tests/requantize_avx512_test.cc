// The 16-lane requantization against the scalar fixed-point code it must
// reproduce bit for bit, on edge values and a million random cases.
#include <random>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/requantize_avx512.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

#if EDGETL_HAVE_VNNI_CODE
EDGETL_VNNI_TARGET void Simd(const int32_t* x, const int32_t* m, const int32_t* ls,
                             const int32_t* rs, int32_t* out) {
  const __m512i r = optimized::MultiplyByQuantizedMultiplier16(
      _mm512_loadu_si512(x), _mm512_loadu_si512(m), _mm512_loadu_si512(ls), _mm512_loadu_si512(rs));
  _mm512_storeu_si512(out, r);
}

TEST(RequantizeAvx512, MatchesScalarMultiplyByQuantizedMultiplier) {
  if (!optimized::HasAvx512Vnni()) GTEST_SKIP() << "no AVX-512 VNNI";
  std::mt19937 rng(5);
  const int32_t edges[] = {0,
                           1,
                           -1,
                           2,
                           -2,
                           1 << 30,
                           -(1 << 30),
                           INT32_MAX,
                           INT32_MIN,
                           INT32_MAX - 1,
                           INT32_MIN + 1,
                           12345,
                           -12345,
                           1 << 20};
  int32_t x[16], m[16], ls[16], rs[16], out[16];
  for (int trial = 0; trial < 1 << 16; ++trial) {
    for (int i = 0; i < 16; ++i) {
      x[i] = trial < 64 ? edges[(trial + i) % std::size(edges)] : static_cast<int32_t>(rng());
      if (trial % 3 == 1) x[i] >>= rng() % 31;  // the small accumulators real layers give
      m[i] = i == 15 ? 0 : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
      const int shift = static_cast<int>(rng() % 40) - 31;  // -31 .. 8
      ls[i] = shift > 0 ? shift : 0;
      rs[i] = shift > 0 ? 0 : -shift;
    }
    Simd(x, m, ls, rs, out);
    for (int i = 0; i < 16; ++i) {
      const int shift = ls[i] > 0 ? ls[i] : -rs[i];
      ASSERT_EQ(out[i], fixedpoint::MultiplyByQuantizedMultiplier(x[i], m[i], shift))
          << "x " << x[i] << " m " << m[i] << " shift " << shift;
    }
  }
}
// The one-step form, output offset folded in: exactly the scalar two-step
// rounding plus the offset; without the negative-product correction, the
// same after a clamp starting at or above the offset.
template <bool kExact>
EDGETL_VNNI_TARGET void SimdOneStep(const int32_t* x, const int32_t* m, const int32_t* ls,
                                    const optimized::OneStepConstants& k, int32_t* out) {
  const __m512i r = optimized::RequantizeOneStep16<true, kExact>(
      _mm512_loadu_si512(x), _mm512_loadu_si512(m), _mm512_loadu_si512(ls),
      optimized::LoadOneStep(k));
  _mm512_storeu_si512(out, r);
}

TEST(RequantizeAvx512, OneStepMatchesScalar) {
  if (!optimized::HasAvx512Vnni()) GTEST_SKIP() << "no AVX-512 VNNI";
  std::mt19937 rng(8);
  int32_t x[16], m[16], ls[16], rs[16], exact[16], clamped[16], shift[16];
  for (int trial = 0; trial < 1 << 16; ++trial) {
    for (int i = 0; i < 16; ++i) {
      x[i] = static_cast<int32_t>(rng()) >> (rng() % 31);
      if (trial < 64) x[i] = i % 2 ? INT32_MIN : INT32_MAX;
      m[i] = static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
      // -22 .. 4: every right shift the one-step form is used for.
      shift[i] = static_cast<int>(rng() % (optimized::kMaxOneStepRightShift + 5)) -
                 optimized::kMaxOneStepRightShift;
      ls[i] = shift[i] > 0 ? shift[i] : 0;
      rs[i] = shift[i] > 0 ? 0 : -shift[i];
    }
    const bool u8 = trial % 2;
    const int32_t offset = static_cast<int32_t>(rng() % 256) - (u8 ? 0 : 128);
    const int32_t lo = std::min(offset + static_cast<int32_t>(rng() % 3), u8 ? 255 : 127);
    const int32_t hi = u8 ? 255 : 127;
    const auto k = optimized::MakeOneStepConstants(m, rs, offset);
    SimdOneStep<true>(x, m, ls, k, exact);
    SimdOneStep<false>(x, m, ls, k, clamped);
    for (int i = 0; i < 16; ++i) {
      const int32_t expected =
          fixedpoint::MultiplyByQuantizedMultiplier(x[i], m[i], shift[i]) + offset;
      ASSERT_EQ(exact[i], expected)
          << "x " << x[i] << " m " << m[i] << " shift " << shift[i] << " offset " << offset;
      ASSERT_EQ(std::clamp(clamped[i], lo, hi), std::clamp(expected, lo, hi))
          << "x " << x[i] << " m " << m[i] << " shift " << shift[i] << " offset " << offset;
    }
  }
}
#endif

}  // namespace
}  // namespace edgetl
