// Same-shape ADD/SUB kernels against TensorFlow Lite's integer arithmetic
// (reference::AddOne) on every one of the 65536 input pairs, then a tail
// shorter than a vector. In float (optimized::AddFloatForm, AVX-512):
// quantizations whose float form has no lanes near a rounding step, some
// with exact ties (the lanes read from the table), ReLU ranges, int8 and
// uint8, ADD and SUB; and the prover turning down a table the form does not
// give. The same float form on AVX2 (optimized::AddByFloatAvx2, its near
// lanes in integers), and in integers alone (optimized::AddAvx2): the same
// quantizations, and rescalings at the shift's limit and beyond it.
#include <algorithm>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/optimized/add_avx2.h"
#include "kernels/optimized/add_avx512.h"
#include "kernels/optimized/cpu.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

struct Scales {
  float s1;
  int z1;
  float s2;
  int z2;
  float so;
  int zo;
  bool relu;
};

// As the ADD kernel's Prepare computes them (TFLite's rescalings).
reference::AddQuant MakeQuant(const Scales& s, bool u8) {
  reference::AddQuant p;
  p.input1_offset = -s.z1;
  p.input2_offset = -s.z2;
  p.output_offset = s.zo;
  p.left_shift = 20;
  p.act_min = s.relu ? s.zo : (u8 ? 0 : -128);
  p.act_max = u8 ? 255 : 127;
  const double twice_max = 2 * static_cast<double>(std::max(s.s1, s.s2));
  fixedpoint::QuantizeMultiplier(s.s1 / twice_max, &p.input1_multiplier, &p.input1_shift);
  fixedpoint::QuantizeMultiplier(s.s2 / twice_max, &p.input2_multiplier, &p.input2_shift);
  fixedpoint::QuantizeMultiplier(twice_max / ((1 << p.left_shift) * static_cast<double>(s.so)),
                                 &p.output_multiplier, &p.output_shift);
  return p;
}

// Every pair (x, y) once, then 37 more: a tail past the last whole vector.
template <typename T>
void AllPairs(std::vector<T>* x, std::vector<T>* y) {
  for (int i = 0; i < 256 * 256 + 37; ++i) {
    x->push_back(static_cast<T>(i / 256 % 256));
    y->push_back(static_cast<T>(i % 256));
  }
}

// Runs `form`, which must be proven, through `run(form, x, y, out, n)` on
// every pair and a tail against TFLite's arithmetic; returns its `near`
// (-1: not proven).
template <typename T, bool kSub, typename Run>
float ExpectFormExact(const Scales& s, const reference::AddQuant& q,
                      const std::optional<optimized::AddFloatForm>& form, Run run) {
  EXPECT_TRUE(form) << "scales " << s.s1 << " " << s.s2 << " " << s.so << " sub " << kSub;
  if (!form) return -1;
  std::vector<T> x, y;
  AllPairs(&x, &y);
  std::vector<T> out(x.size()), expected(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected[i] = reference::AddOne<T, kSub>(q, x[i], y[i]);
  run(*form, x.data(), y.data(), out.data(), x.size());
  size_t wrong = 0;
  for (size_t i = 0; i < x.size(); ++i) wrong += out[i] != expected[i];
  EXPECT_EQ(wrong, 0u) << "scales " << s.s1 << " " << s.s2 << " " << s.so << " sub " << kSub;
  return form->near;
}

// The AVX-512 kernel, its form proven against its table.
template <typename T, bool kSub>
float ExpectFloatFormExact(const Scales& s) {
  const reference::AddQuant q = MakeQuant(s, std::is_same_v<T, uint8_t>);
  const std::vector<uint8_t> table = optimized::TabulateAddAvx512<T, kSub>(q);
  return ExpectFormExact<T, kSub>(
      s, q, optimized::ProveAddFloatForm<T, kSub>(q, table),
      [&](const optimized::AddFloatForm& f, const T* x, const T* y, T* out, size_t n) {
        optimized::AddByFloatAvx512(f, table, x, y, out, n);
      });
}

// The AVX2 kernel, its form proven and run where the caller's rounding is
// toward minus infinity: both set their own.
template <typename T, bool kSub>
float ExpectAvx2FloatFormExact(const Scales& s) {
  const reference::AddQuant q = MakeQuant(s, std::is_same_v<T, uint8_t>);
  const optimized::AddAvx2 kernel = optimized::MakeAddAvx2(q);
  std::optional<optimized::AddFloatForm> form;
  {
    const optimized::RoundDownScope other_mode;
    form = optimized::ProveAddFloatFormAvx2<T, kSub>(kernel, q);
  }
  return ExpectFormExact<T, kSub>(
      s, q, form, [&](const optimized::AddFloatForm& f, const T* x, const T* y, T* out, size_t n) {
        const optimized::RoundDownScope other_mode;
        optimized::AddByFloatAvx2<T, kSub>(f, kernel, x, y, out, n);
      });
}

// int8 zero points (uint8 ones are 128 more).
constexpr Scales kCases[] = {
    {0.07f, 120, 0.02f, 7, 0.09f, 131, false}, {0.0235f, 3, 0.031f, -20, 0.04f, -7, false},
    {0.05f, 10, 0.05f, 10, 0.1f, 5, false},  // equal scales: exact ties
    {0.1f, 0, 0.1f, 0, 0.1f, 0, true},         {0.013f, -100, 0.4f, 50, 0.37f, 12, true},
};

Scales AsUint8(Scales s) {
  s.z1 += 128;
  s.z2 += 128;
  s.zo += 128;
  return s;
}

// Runs `expect` (int8 and uint8, ADD and SUB) on every case; both of the
// kernel's forms must run: with lanes near a rounding step and without.
template <typename Expect>
void ExpectBothFormsExact(Expect expect) {
  int with_near = 0, without_near = 0;
  for (const Scales& s : kCases) {
    for (const float near : expect(s)) {
      with_near += near > 0;
      without_near += near == 0;
    }
  }
  EXPECT_GT(with_near, 0);
  EXPECT_GT(without_near, 0);
}

TEST(AddFloatForm, MatchesTfLiteOnEveryPair) {
  if (!optimized::HasAvx512Vnni()) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
  ExpectBothFormsExact([](const Scales& s) {
    const Scales u = AsUint8(s);
    return std::vector<float>{
        ExpectFloatFormExact<int8_t, false>(s), ExpectFloatFormExact<int8_t, true>(s),
        ExpectFloatFormExact<uint8_t, false>(u), ExpectFloatFormExact<uint8_t, true>(u)};
  });
}

TEST(AddAvx2, FloatFormMatchesTfLiteOnEveryPair) {
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  ExpectBothFormsExact([](const Scales& s) {
    const Scales u = AsUint8(s);
    return std::vector<float>{
        ExpectAvx2FloatFormExact<int8_t, false>(s), ExpectAvx2FloatFormExact<int8_t, true>(s),
        ExpectAvx2FloatFormExact<uint8_t, false>(u), ExpectAvx2FloatFormExact<uint8_t, true>(u)};
  });
}

TEST(AddFloatForm, TurnsDownATableItDoesNotGive) {
  // The prover runs only where a kernel uses the form, and is compiled for
  // their FMA.
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  const Scales s{0.07f, 120, 0.02f, 7, 0.09f, 131, false};
  const reference::AddQuant q = MakeQuant(s, true);
  std::vector<uint8_t> table(256 * 256 + 3);
  for (int i = 0; i < 256 * 256; ++i) {
    table[i] = reference::AddOne<uint8_t, false>(q, static_cast<uint8_t>(i / 256),
                                                 static_cast<uint8_t>(i % 256));
  }
  ASSERT_TRUE((optimized::ProveAddFloatForm<uint8_t, false>(q, table)));
  // One output one step off, away from any tie.
  const int at = 200 * 256 + 100;
  table[at] = static_cast<uint8_t>(table[at] == 255 ? 254 : table[at] + 1);
  EXPECT_FALSE((optimized::ProveAddFloatForm<uint8_t, false>(q, table)));
}

template <typename T, bool kSub>
reference::AddQuant ExpectAvx2Exact(const Scales& s) {
  const reference::AddQuant q = MakeQuant(s, std::is_same_v<T, uint8_t>);
  const optimized::AddAvx2 kernel = optimized::MakeAddAvx2(q);
  std::vector<T> x, y;
  AllPairs(&x, &y);
  std::vector<T> out(x.size());
  optimized::AddByAvx2<T, kSub>(kernel, q, x.data(), y.data(), out.data(), x.size());
  size_t wrong = 0;
  for (size_t i = 0; i < x.size(); ++i)
    wrong += out[i] != reference::AddOne<T, kSub>(q, x[i], y[i]);
  EXPECT_EQ(wrong, 0u) << "scales " << s.s1 << " " << s.s2 << " " << s.so << " sub " << kSub;
  return q;
}

TEST(AddAvx2, MatchesTfLiteOnEveryPair) {
  if (!optimized::HasAvx2()) GTEST_SKIP() << "no AVX2 on this CPU";
  std::vector<Scales> cases(std::begin(kCases), std::end(kCases));
  // The second input's rescaling at the largest shift (-31), then below
  // it, where its multiplier is 0.
  cases.push_back({0.1f, 3, 0.1f * 1.5f * 0x1p-31f, -9, 0.2f, 1, false});
  cases.push_back({0.1f, 3, 0.1f * 0x1p-40f, -9, 0.2f, 1, true});
  int at_limit = 0, zero_multiplier = 0;
  for (const Scales& s : cases) {
    const reference::AddQuant q = ExpectAvx2Exact<int8_t, false>(s);
    at_limit += q.input2_shift == -31;
    zero_multiplier += q.input2_multiplier == 0;
    ExpectAvx2Exact<int8_t, true>(s);
    ExpectAvx2Exact<uint8_t, false>(AsUint8(s));
    ExpectAvx2Exact<uint8_t, true>(AsUint8(s));
  }
  EXPECT_EQ(at_limit, 1);
  EXPECT_EQ(zero_multiplier, 1);
}

}  // namespace
}  // namespace edgetl
