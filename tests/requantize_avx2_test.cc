// The 8-lane AVX2 requantization against the scalar fixed-point code it
// must reproduce bit for bit, on edge values and random cases.
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

#if EDGETL_HAVE_AVX2_CODE
EDGETL_AVX2_TARGET void Simd(const int32_t* x, const int32_t* m, const int32_t* ls,
                             const int32_t* rs, int32_t* out) {
  auto load = [](const int32_t* p) { return reinterpret_cast<const __m256i*>(p); };
  const __m256i r = optimized::MultiplyByQuantizedMultiplier8(
      _mm256_loadu_si256(load(x)), _mm256_loadu_si256(load(m)), _mm256_loadu_si256(load(ls)),
      _mm256_loadu_si256(load(rs)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), r);
}

TEST(RequantizeAvx2, MatchesScalarMultiplyByQuantizedMultiplier) {
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(7);
  const int32_t edges[] = {0,       1,          -1,        2,          -2,
                           1 << 30, -(1 << 30), INT32_MAX, INT32_MIN,  INT32_MAX - 1,
                           12345,   -12345,     1 << 20,   -(1 << 20), INT32_MIN + 1};
  int32_t x[8], m[8], ls[8], rs[8], out[8];
  for (int trial = 0; trial < 1 << 17; ++trial) {
    for (int i = 0; i < 8; ++i) {
      x[i] = trial < 64 ? edges[(trial + i) % std::size(edges)] : static_cast<int32_t>(rng());
      if (trial % 3 == 1) x[i] >>= rng() % 31;  // the small accumulators real layers give
      m[i] = i == 7 ? 0 : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
      const int shift = static_cast<int>(rng() % 40) - 31;  // -31 .. 8
      ls[i] = shift > 0 ? shift : 0;
      rs[i] = shift > 0 ? 0 : -shift;
    }
    Simd(x, m, ls, rs, out);
    for (int i = 0; i < 8; ++i) {
      const int shift = ls[i] > 0 ? ls[i] : -rs[i];
      ASSERT_EQ(out[i], fixedpoint::MultiplyByQuantizedMultiplier(x[i], m[i], shift))
          << "x " << x[i] << " m " << m[i] << " shift " << shift;
    }
  }
}
#endif

}  // namespace
}  // namespace edgetl
