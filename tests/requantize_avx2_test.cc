// The 8-lane AVX2 requantization against the scalar fixed-point code it
// must reproduce bit for bit, on edge values and random cases.
#include <algorithm>
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

#if EDGETL_HAVE_AVX2_CODE
EDGETL_AVX2_TARGET void Simd(const int32_t* x, const optimized::Avx2Requantization& r,
                             int32_t* out) {
  const __m256i acc = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), optimized::Requant8::Load(r, 0).Apply(acc));
}

TEST(RequantizeAvx2, MatchesScalarRequantization) {
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(7);
  const int32_t edges[] = {0,       1,          -1,        2,          -2,
                           1 << 30, -(1 << 30), INT32_MAX, INT32_MIN,  INT32_MAX - 1,
                           12345,   -12345,     1 << 20,   -(1 << 20), INT32_MIN + 1};
  optimized::Avx2Requantization r;
  for (auto* v : {&r.bias, &r.multiplier, &r.left_shift, &r.right_shift}) v->resize(8);
  int32_t x[8], out[8];
  for (int trial = 0; trial < 1 << 17; ++trial) {
    // Every fourth trial a real layer's epilogue: a bias, an output zero
    // point and a uint8 clamp; otherwise the bare multiply, unclamped.
    const bool layer = trial % 4 == 3;
    r.output_offset = layer ? static_cast<int32_t>(rng() % 256) - 128 : 0;
    r.act_min = layer ? 0 : INT32_MIN;
    r.act_max = layer ? 255 : INT32_MAX;
    for (int i = 0; i < 8; ++i) {
      x[i] = trial < 64 ? edges[(trial + i) % std::size(edges)] : static_cast<int32_t>(rng());
      // The small accumulators real layers give (and room for the bias).
      if (layer)
        x[i] >>= 1 + rng() % 30;
      else if (trial % 3 == 1)
        x[i] >>= rng() % 31;
      r.bias[i] = layer ? static_cast<int32_t>(rng() % 20001) - 10000 : 0;
      r.multiplier[i] = i == 7 ? 0 : static_cast<int32_t>((1u << 30) + rng() % (1u << 30));
      const int shift = static_cast<int>(rng() % 40) - 31;  // -31 .. 8
      r.left_shift[i] = shift > 0 ? shift : 0;
      r.right_shift[i] = shift > 0 ? 0 : -shift;
    }
    Simd(x, r, out);
    for (int i = 0; i < 8; ++i) {
      const int shift = r.left_shift[i] > 0 ? r.left_shift[i] : -r.right_shift[i];
      const int32_t scaled =
          fixedpoint::MultiplyByQuantizedMultiplier(x[i] + r.bias[i], r.multiplier[i], shift);
      const int64_t expected =
          std::clamp<int64_t>(int64_t{scaled} + r.output_offset, r.act_min, r.act_max);
      ASSERT_EQ(out[i], expected) << "x " << x[i] << " bias " << r.bias[i] << " m "
                                  << r.multiplier[i] << " shift " << shift;
    }
  }
}
#endif

}  // namespace
}  // namespace edgetl
