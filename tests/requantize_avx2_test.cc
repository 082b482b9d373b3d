// The 8-lane AVX2 requantization against the scalar fixed-point code it
// must reproduce bit for bit, on edge values and random cases.
#include <algorithm>
#include <iterator>
#include <limits>
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

// Avx2Narrowing (offset and clamp after the int16 and byte saturations) gives
// clamp(q + offset) for any int32 q, where the saturations bite included;
// kFullRange for the clamps it is chosen for, the other for any.
template <typename T, bool kFullRange>
EDGETL_AVX2_TARGET void CheckNarrowing(std::mt19937& rng) {
  using Narrowing = optimized::Avx2Narrowing<T, kFullRange>;
  constexpr int kLo = std::numeric_limits<T>::min(), kHi = std::numeric_limits<T>::max();
  optimized::Avx2Requantization r;
  for (int trial = 0; trial < 1 << 13; ++trial) {
    r.output_offset = static_cast<int32_t>(rng() % 511) - 255;
    const int a = kLo + static_cast<int>(rng() % 256), b = kLo + static_cast<int>(rng() % 256);
    r.act_min = std::min(a, b);
    r.act_max = trial % 4 == 0 ? kHi : std::max(a, b);
    if (kFullRange || trial % 4 == 1) {  // the whole range after the offset
      r.output_offset = kLo;
      r.act_min = kLo;
      r.act_max = kHi;
    }
    ASSERT_EQ(Narrowing::FullRange(r),
              r.output_offset == kLo && r.act_min == kLo && r.act_max == kHi);
    const auto n = Narrowing::Load(r);
    alignas(32) int32_t q[32] = {};
    for (int32_t& v : q) {
      switch (rng() % 4) {
        case 0: {  // around the int16 limits, where the offset could carry a value back
          const int64_t edges[] = {32767, -32768, INT32_MAX, INT32_MIN};
          v = static_cast<int32_t>(std::clamp<int64_t>(
              edges[rng() % 4] - r.output_offset + static_cast<int64_t>(rng() % 5) - 2, INT32_MIN,
              INT32_MAX));
          break;
        }
        case 1:
          v = static_cast<int32_t>(rng());
          break;
        default:  // the outputs' own range and a little past it
          v = static_cast<int32_t>(rng() % 1200) - 600;
      }
    }
    auto expected = [&](int i) {
      return static_cast<T>(
          std::clamp<int64_t>(int64_t{q[i]} + r.output_offset, r.act_min, r.act_max));
    };
    __m256i vec[4];
    for (int v = 0; v < 4; ++v)
      vec[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(q + 8 * v));
    T out[2][16], one[16];
    n.Store16x2(vec[0], vec[1], vec[2], vec[3], out[0], out[1]);
    n.Store16(vec[0], vec[1], one);
    for (int i = 0; i < 16; ++i) {
      ASSERT_EQ(out[0][i], expected(i)) << "q " << q[i] << " offset " << r.output_offset;
      ASSERT_EQ(out[1][i], expected(16 + i)) << "q " << q[16 + i] << " offset " << r.output_offset;
      ASSERT_EQ(one[i], expected(i)) << "q " << q[i] << " offset " << r.output_offset;
    }
    const int count = 1 + static_cast<int>(rng() % 8);
    T eight[9];
    std::fill(std::begin(eight), std::end(eight), T{42});
    n.Store8(vec[1], eight, count);
    for (int i = 0; i < count; ++i) ASSERT_EQ(eight[i], expected(8 + i)) << "q " << q[8 + i];
    for (int i = count; i < 9; ++i) ASSERT_EQ(eight[i], T{42}) << "Store8 wrote past its count";
  }
}

TEST(RequantizeAvx2, NarrowingMatchesClampOfOffsetSum) {
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2";
  std::mt19937 rng(11);
  CheckNarrowing<uint8_t, false>(rng);
  CheckNarrowing<uint8_t, true>(rng);
  CheckNarrowing<int8_t, false>(rng);
  CheckNarrowing<int8_t, true>(rng);
}
#endif

}  // namespace
}  // namespace edgetl
