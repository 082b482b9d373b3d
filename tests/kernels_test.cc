// Per-kernel tests: hand-computed cases, and quantized kernels against a
// float computation of the same op within one output quantization step.
#include <random>

#include <gtest/gtest.h>

#include "kernels/reference/fixed_point.h"
#include "kernels/reference/pooling.h"
#include "runtime/memory_planner.h"
#include "testing/op_test_util.h"

namespace edgetl {
namespace {

using fb::BuiltinOperator;
using testing::Bytes;
using testing::ConvOptions;
using testing::DepthwiseOptions;
using testing::Quantize;
using testing::RunModel;
using testing::SoftmaxOptions;

std::vector<float> RandomReals(size_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Dequantized `got` is within `steps` output steps of `expected` (clamped to
// what the output type can represent).
template <typename T>
void ExpectWithinSteps(const std::vector<T>& got, const std::vector<float>& expected, float scale,
                       int zero_point, float steps = 1.0f) {
  ASSERT_EQ(got.size(), expected.size());
  const float lo = scale * (std::numeric_limits<T>::min() - zero_point);
  const float hi = scale * (std::numeric_limits<T>::max() - zero_point);
  for (size_t i = 0; i < got.size(); ++i) {
    const float real = scale * (static_cast<int>(got[i]) - zero_point);
    EXPECT_LE(std::abs(real - std::clamp(expected[i], lo, hi)), steps * scale + 1e-6f)
        << "element " << i << ": got " << real << " expected " << expected[i];
  }
}

// ---- Fixed-point arithmetic -------------------------------------------------

TEST(FixedPoint, QuantizeMultiplierSplitsIntoQ31AndShift) {
  int32_t m;
  int shift;
  fixedpoint::QuantizeMultiplier(0.5, &m, &shift);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 0);
  fixedpoint::QuantizeMultiplier(3.0, &m, &shift);  // 0.75 * 2^2
  EXPECT_EQ(m, 3 << 29);
  EXPECT_EQ(shift, 2);
  fixedpoint::QuantizeMultiplier(0.0, &m, &shift);
  EXPECT_EQ(m, 0);
}

TEST(FixedPoint, RoundingDivideRoundsHalfAwayFromZero) {
  EXPECT_EQ(fixedpoint::RoundingDivideByPOT(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(fixedpoint::RoundingDivideByPOT(-5, 1), -3);  // -2.5 -> -3
  EXPECT_EQ(fixedpoint::RoundingDivideByPOT(7, 2), 2);    // 1.75 -> 2
  EXPECT_EQ(fixedpoint::RoundingDivideByPOT(-6, 2), -2);  // -1.5 -> -2
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierApproximatesRealProduct) {
  int32_t m;
  int shift;
  fixedpoint::QuantizeMultiplier(0.0123, &m, &shift);
  EXPECT_EQ(fixedpoint::MultiplyByQuantizedMultiplier(10000, m, shift), 123);
  EXPECT_EQ(fixedpoint::MultiplyByQuantizedMultiplier(-10000, m, shift), -123);
  EXPECT_EQ(
      fixedpoint::SaturatingRoundingDoublingHighMul(fixedpoint::kInt32Min, fixedpoint::kInt32Min),
      fixedpoint::kInt32Max);
}

TEST(FixedPoint, ExpAndReciprocalAreAccurate) {
  using F5 = fixedpoint::Fixed<5>;
  for (double x : {0.0, -0.1, -0.5, -1.0, -2.5, -7.0}) {
    const F5 a = F5::FromRaw(static_cast<int32_t>(std::lround(x * (1 << 26))));
    const double got = fixedpoint::ExpOnNegativeValues(a).raw / 2147483648.0;
    EXPECT_NEAR(got, std::exp(x), 1e-6) << x;
  }
  int bits;
  const int32_t r = fixedpoint::GetReciprocal(3 << 19, 12, &bits);  // 1/3 in Q12.19
  EXPECT_NEAR(r / 2147483648.0 / std::pow(2.0, bits), 1.0 / 3, 1e-6);
}

// ---- Memory planner ---------------------------------------------------------

TEST(MemoryPlanner, DisjointLifetimesShareMemory) {
  std::vector<size_t> offsets;
  // a: ops 0-1, b: ops 1-2, c: ops 2-3. a and c never live together.
  const size_t size =
      PlanArena({{1000, 0, 1}, {500, 1, 2}, {1000, 2, 3}}, 64, ArenaLayout::kCompact, &offsets);
  EXPECT_EQ(offsets[0], offsets[2]);
  EXPECT_GE(offsets[1], 1000u);
  EXPECT_EQ(size, 1536u);  // the largest live pair, not the sum
}

TEST(MemoryPlanner, SharedMidpointsPutTheSmallerBufferAcrossTheLargerOnesMiddle) {
  std::vector<size_t> offsets;
  // a: ops 0-1, b: ops 1-2, c: ops 2-3. c may take a's memory; centred on
  // a's midpoint (1024), its first half is where a's first half was.
  const size_t size = PlanArena({{2000, 0, 1}, {500, 1, 2}, {1000, 2, 3}}, 64,
                                ArenaLayout::kSharedMidpoints, &offsets);
  EXPECT_EQ(offsets[0], 0u);
  EXPECT_EQ(offsets[1], 2048u);  // live with a: a new slot past a's
  EXPECT_EQ(offsets[2], 512u);
  EXPECT_EQ(size, 2560u);
  PlanArena({{2000, 0, 1}, {500, 1, 2}, {1000, 2, 3}}, 64, ArenaLayout::kCompact, &offsets);
  EXPECT_EQ(offsets[2], 0u);
}

TEST(MemoryPlanner, OverlappingLifetimesNeverOverlapInMemory) {
  for (ArenaLayout layout : {ArenaLayout::kCompact, ArenaLayout::kSharedMidpoints}) {
    std::mt19937 rng(7);
    std::vector<BufferRequest> requests;
    for (int i = 0; i < 60; ++i) {
      const int first = static_cast<int>(rng() % 20);
      requests.push_back({1 + rng() % 5000, first, first + static_cast<int>(rng() % 6)});
    }
    std::vector<size_t> offsets;
    const size_t size = PlanArena(requests, 64, layout, &offsets);
    for (size_t i = 0; i < requests.size(); ++i) {
      EXPECT_EQ(offsets[i] % 64, 0u);
      EXPECT_LE(offsets[i] + requests[i].size, size);
      for (size_t j = i + 1; j < requests.size(); ++j) {
        const bool live_together = requests[i].first_use <= requests[j].last_use &&
                                   requests[j].first_use <= requests[i].last_use;
        const bool overlap = offsets[i] < offsets[j] + requests[j].size &&
                             offsets[j] < offsets[i] + requests[i].size;
        EXPECT_FALSE(live_together && overlap) << i << " and " << j;
      }
    }
  }
}

// ---- Convolutions -----------------------------------------------------------

TEST(Conv2D, HandComputedUInt8Valid) {
  // 3x3 input, 2x2 filter of ones, all scales 1, zero points 0: sums of 2x2 windows.
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 3, 3, 1}, PerTensor(1.f, 0));
  const int w = b.AddConstTensor<uint8_t>("w", TensorType::kUInt8, {1, 2, 2, 1}, {1, 1, 1, 1},
                                          PerTensor(1.f, 0));
  const int bias = b.AddConstTensor<int32_t>("b", TensorType::kInt32, {1}, {3}, PerTensor(1.f, 0));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 2, 2, 1}, PerTensor(1.f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, w, bias}, {out}, ConvOptions(fb::Padding::VALID, 1));
  b.SetInputs({in});
  b.SetOutputs({out});
  std::string error;
  const auto got = RunModel<uint8_t>(b, {{1, 2, 3, 4, 5, 6, 7, 8, 9}}, &error);
  EXPECT_EQ(got, (std::vector<uint8_t>{1 + 2 + 4 + 5 + 3, 2 + 3 + 5 + 6 + 3, 4 + 5 + 7 + 8 + 3,
                                       5 + 6 + 8 + 9 + 3}))
      << error;
}

TEST(Conv2D, ZeroPointOutsideTheTypeIsRejected) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 3, 3, 1}, PerTensor(1.f, 300));
  const int w = b.AddConstTensor<uint8_t>("w", TensorType::kUInt8, {1, 2, 2, 1}, {1, 1, 1, 1},
                                          PerTensor(1.f, 0));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 2, 2, 1}, PerTensor(1.f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, w}, {out}, ConvOptions(fb::Padding::VALID, 1));
  b.SetInputs({in});
  b.SetOutputs({out});
  std::string error;
  EXPECT_TRUE(RunModel<uint8_t>(b, {std::vector<uint8_t>(9, 1)}, &error).empty());
  EXPECT_NE(error.find("zero point 300, outside its type's range [0, 255]"), std::string::npos)
      << error;
}

// Float conv on dequantized values, SAME padding, NHWC/OHWI.
std::vector<float> FloatConv(const std::vector<float>& in, int h, int w, int c,
                             const std::vector<float>& f, int oc, int k, int stride, int dilation,
                             const std::vector<float>& bias, int* oh, int* ow) {
  *oh = (h + stride - 1) / stride;
  *ow = (w + stride - 1) / stride;
  const int eff = (k - 1) * dilation + 1;
  const int pad_h = std::max(0, (*oh - 1) * stride + eff - h) / 2;
  const int pad_w = std::max(0, (*ow - 1) * stride + eff - w) / 2;
  std::vector<float> out;
  for (int y = 0; y < *oh; ++y)
    for (int x = 0; x < *ow; ++x)
      for (int o = 0; o < oc; ++o) {
        float acc = bias[o];
        for (int ky = 0; ky < k; ++ky)
          for (int kx = 0; kx < k; ++kx) {
            const int iy = y * stride - pad_h + ky * dilation,
                      ix = x * stride - pad_w + kx * dilation;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (int i = 0; i < c; ++i)
              acc += in[(iy * w + ix) * c + i] * f[((o * k + ky) * k + kx) * c + i];
          }
        out.push_back(acc);
      }
  return out;
}

TEST(Conv2D, Int8PerChannelMatchesFloatWithinOneStep) {
  const int h = 7, w = 6, c = 5, oc = 4, k = 3;
  const float in_scale = 0.05f, out_scale = 0.3f;
  const std::vector<float> in_real = RandomReals(h * w * c, -3, 3, 1);
  const std::vector<float> w_real = RandomReals(oc * k * k * c, -1, 1, 2);
  const std::vector<float> bias_real = RandomReals(oc, -1, 1, 3);
  const auto in_q = Quantize<int8_t>(in_real, in_scale, -3);
  Quantization wq;
  std::vector<int8_t> w_q;
  std::vector<int32_t> bias_q;
  for (int o = 0; o < oc; ++o) {
    const float s = 0.01f * (o + 1);
    wq.scale.push_back(s);
    wq.zero_point.push_back(0);
    std::vector<float> row(w_real.begin() + o * k * k * c, w_real.begin() + (o + 1) * k * k * c);
    for (int8_t v : Quantize<int8_t>(row, s, 0)) w_q.push_back(v);
    bias_q.push_back(static_cast<int32_t>(std::lround(bias_real[o] / (in_scale * s))));
  }
  // The float reference uses the quantized values, so only the op's own
  // requantization is measured.
  std::vector<float> in_deq, w_deq, bias_deq;
  for (int8_t v : in_q) in_deq.push_back(in_scale * (v + 3));
  for (int o = 0; o < oc; ++o) {
    for (int i = 0; i < k * k * c; ++i) w_deq.push_back(wq.scale[o] * w_q[o * k * k * c + i]);
    bias_deq.push_back(bias_q[o] * in_scale * wq.scale[o]);
  }
  for (int stride : {1, 2}) {
    for (int dilation : {1, 2}) {
      int oh, ow;
      const auto expected =
          FloatConv(in_deq, h, w, c, w_deq, oc, k, stride, dilation, bias_deq, &oh, &ow);
      ModelBuilder b;
      const int tin = b.AddTensor("in", TensorType::kInt8, {1, h, w, c}, PerTensor(in_scale, -3));
      const int tw = b.AddConstTensor("w", TensorType::kInt8, {oc, k, k, c}, w_q, wq);
      Quantization bq = wq;
      for (float& s : bq.scale) s *= in_scale;
      const int tb = b.AddConstTensor("b", TensorType::kInt32, {oc}, bias_q, bq);
      const int tout =
          b.AddTensor("out", TensorType::kInt8, {1, oh, ow, oc}, PerTensor(out_scale, 2));
      b.AddOperator(BuiltinOperator::CONV_2D, {tin, tw, tb}, {tout},
                    ConvOptions(fb::Padding::SAME, stride, dilation));
      b.SetInputs({tin});
      b.SetOutputs({tout});
      std::string error;
      const auto got = RunModel<int8_t>(b, {Bytes(in_q)}, &error);
      ASSERT_FALSE(got.empty()) << error;
      ExpectWithinSteps(got, expected, out_scale, 2);
    }
  }
}

TEST(DepthwiseConv2D, DepthMultiplierAndDilationMatchFloat) {
  const int h = 6, w = 6, c = 3, mult = 2, k = 3, oc = c * mult;
  const float in_scale = 0.04f, w_scale = 0.02f, out_scale = 0.05f;
  const auto in_q = Quantize<uint8_t>(RandomReals(h * w * c, -2, 2, 4), in_scale, 128);
  const auto w_q = Quantize<uint8_t>(RandomReals(k * k * oc, -1, 1, 5), w_scale, 120);
  for (int dilation : {1, 2}) {
    const int eff = (k - 1) * dilation + 1;
    const int oh = h - eff + 1, ow = w - eff + 1;  // VALID
    std::vector<float> expected;
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < oc; ++o) {
          const int ic = o / mult;
          float acc = 0;
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const float iv =
                  in_scale * (in_q[((y + ky * dilation) * w + x + kx * dilation) * c + ic] - 128);
              const float fv = w_scale * (w_q[(ky * k + kx) * oc + o] - 120);
              acc += iv * fv;
            }
          expected.push_back(std::clamp(acc, 0.f, 6.f));
        }
    ModelBuilder b;
    const int tin = b.AddTensor("in", TensorType::kUInt8, {1, h, w, c}, PerTensor(in_scale, 128));
    const int tw =
        b.AddConstTensor("w", TensorType::kUInt8, {1, k, k, oc}, w_q, PerTensor(w_scale, 120));
    const int tout =
        b.AddTensor("out", TensorType::kUInt8, {1, oh, ow, oc}, PerTensor(out_scale, 0));
    b.AddOperator(
        BuiltinOperator::DEPTHWISE_CONV_2D, {tin, tw, -1}, {tout},
        DepthwiseOptions(fb::Padding::VALID, 1, mult, dilation, fb::ActivationFunctionType::RELU6));
    b.SetInputs({tin});
    b.SetOutputs({tout});
    std::string error;
    const auto got = RunModel<uint8_t>(b, {Bytes(in_q)}, &error);
    ASSERT_FALSE(got.empty()) << error;
    ExpectWithinSteps(got, expected, out_scale, 0);
  }
}

TEST(FullyConnected, UInt8MatchesFloatWithinOneStep) {
  const int batches = 2, in_depth = 10, out_depth = 3;
  const float in_scale = 0.1f, w_scale = 0.01f, out_scale = 0.15f;
  const auto in_q = Quantize<uint8_t>(RandomReals(batches * in_depth, -5, 5, 6), in_scale, 100);
  const auto w_q = Quantize<uint8_t>(RandomReals(out_depth * in_depth, -1, 1, 7), w_scale, 130);
  const std::vector<int32_t> bias_q = {100, -50, 0};
  std::vector<float> expected;
  for (int bb = 0; bb < batches; ++bb)
    for (int o = 0; o < out_depth; ++o) {
      float acc = bias_q[o] * in_scale * w_scale;
      for (int i = 0; i < in_depth; ++i)
        acc += in_scale * (in_q[bb * in_depth + i] - 100) * w_scale * (w_q[o * in_depth + i] - 130);
      expected.push_back(acc);
    }
  ModelBuilder b;
  const int tin =
      b.AddTensor("in", TensorType::kUInt8, {batches, in_depth}, PerTensor(in_scale, 100));
  const int tw = b.AddConstTensor("w", TensorType::kUInt8, {out_depth, in_depth}, w_q,
                                  PerTensor(w_scale, 130));
  const int tb = b.AddConstTensor("b", TensorType::kInt32, {out_depth}, bias_q,
                                  PerTensor(in_scale * w_scale, 0));
  const int tout =
      b.AddTensor("out", TensorType::kUInt8, {batches, out_depth}, PerTensor(out_scale, 128));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {tin, tw, tb}, {tout});
  b.SetInputs({tin});
  b.SetOutputs({tout});
  std::string error;
  const auto got = RunModel<uint8_t>(b, {Bytes(in_q)}, &error);
  ASSERT_FALSE(got.empty()) << error;
  ExpectWithinSteps(got, expected, out_scale, 128);
}

// ---- Pooling and reductions ------------------------------------------------

ModelBuilder PoolModel(BuiltinOperator op, TensorType type, std::vector<int> in_shape, int window,
                       int stride, fb::Padding padding, std::vector<int> out_shape) {
  ModelBuilder b;
  const int in = b.AddTensor("in", type, in_shape, PerTensor(0.5f, 0));
  const int out = b.AddTensor("out", type, out_shape, PerTensor(0.5f, 0));
  b.AddOperator(op, {in}, {out}, testing::PoolOptions(padding, window, stride));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b;
}

TEST(Pooling, AveragePoolRoundsHalfAwayFromZeroAndSkipsPadding) {
  // 2x2 input; SAME 2x2 window stride 1: windows clipped at the border.
  auto b = PoolModel(BuiltinOperator::AVERAGE_POOL_2D, TensorType::kInt8, {1, 2, 2, 1}, 2, 1,
                     fb::Padding::SAME, {1, 2, 2, 1});
  const std::vector<int8_t> in = {1, 2, -4, -3};
  const auto got = RunModel<int8_t>(b, {Bytes(in)});
  // (1+2-4-3)/4=-1; (2-3)/2=-0.5 -> -1; (-4-3)/2=-3.5 -> -4; -3/1=-3
  EXPECT_EQ(got, (std::vector<int8_t>{-1, -1, -4, -3}));
}

TEST(Pooling, MaxPoolTakesWindowMaximum) {
  auto b = PoolModel(BuiltinOperator::MAX_POOL_2D, TensorType::kUInt8, {1, 4, 4, 1}, 2, 2,
                     fb::Padding::VALID, {1, 2, 2, 1});
  std::vector<uint8_t> in(16);
  for (int i = 0; i < 16; ++i) in[i] = static_cast<uint8_t>((i * 7) % 16);
  // windows: {0,7,12,3}->12? compute: rows 0..3: [0,7,14,5],[12,3,10,1],[8,15,6,13],[4,11,2,9]
  EXPECT_EQ(RunModel<uint8_t>(b, {in}), (std::vector<uint8_t>{12, 14, 15, 13}));
}

TEST(Mean, Int8OverHeightAndWidthMatchesFloat) {
  const float in_scale = 0.1f, out_scale = 0.03f;
  const auto in_q = Quantize<int8_t>(RandomReals(5 * 5 * 3, -4, 4, 8), in_scale, 5);
  std::vector<float> expected(3, 0.f);
  for (int i = 0; i < 25; ++i)
    for (int ch = 0; ch < 3; ++ch) expected[ch] += in_scale * (in_q[i * 3 + ch] - 5) / 25.f;
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kInt8, {1, 5, 5, 3}, PerTensor(in_scale, 5));
  const int axes = b.AddConstTensor<int32_t>("axes", TensorType::kInt32, {2}, {1, 2});
  const int out = b.AddTensor("out", TensorType::kInt8, {1, 1, 1, 3}, PerTensor(out_scale, -2));
  fb::BuiltinOptionsUnion u;
  fb::ReducerOptionsT o;
  o.keep_dims = true;
  u.Set(o);
  b.AddOperator(BuiltinOperator::MEAN, {in, axes}, {out}, std::move(u));
  b.SetInputs({in});
  b.SetOutputs({out});
  std::string error;
  const auto got = RunModel<int8_t>(b, {Bytes(in_q)}, &error);
  ASSERT_FALSE(got.empty()) << error;
  ExpectWithinSteps(got, expected, out_scale, -2);
}

// Reduced axes in one run (summed as rows: in channel blocks, shared by the
// threads when there are enough channels, here 100 = 3 blocks and a tail;
// on AVX-512 in blocks of 64 with a masked tail) and scattered ones (summed
// through an index map), against sums taken here and TFLite's
// requantization; uint8 and int8, and an input-to-output scale ratio whose
// requantization shifts left where few values are averaged.
template <typename T>
void CheckMeanAgainstDirectSums(float in_scale, float out_scale, int in_zp, int out_zp) {
  constexpr TensorType kType = std::is_same_v<T, uint8_t> ? TensorType::kUInt8 : TensorType::kInt8;
  for (const std::vector<int>& shape : {std::vector<int>{2, 3, 4, 5}, {2, 7, 7, 100}}) {
    std::vector<T> in(static_cast<size_t>(shape[0]) * shape[1] * shape[2] * shape[3]);
    std::mt19937 rng(5);
    for (T& v : in) v = static_cast<T>(rng());
    for (const std::vector<int32_t>& axes :
         std::vector<std::vector<int32_t>>{{1, 2}, {3}, {0}, {1, 2, 3}, {0, 2}, {-1, 1}}) {
      bool reduced[4] = {};
      for (int a : axes) reduced[a < 0 ? a + 4 : a] = true;
      std::vector<int> out_shape;
      int count = 1;
      for (int d = 0; d < 4; ++d) {
        if (reduced[d])
          count *= shape[d];
        else
          out_shape.push_back(shape[d]);
      }
      std::vector<int64_t> sums(in.size() / count, 0);
      for (size_t i = 0; i < in.size(); ++i) {
        int rest = static_cast<int>(i), o = 0, stride = 1;
        for (int d = 3; d >= 0; --d) {
          if (!reduced[d]) {
            o += rest % shape[d] * stride;
            stride *= shape[d];
          }
          rest /= shape[d];
        }
        sums[o] += in[i];
      }
      std::vector<T> expected(sums.size());
      reference::MeanQuantized(sums.data(), sums.size(), count, in_zp,
                               reference::MakeMeanQuant(in_scale, out_scale, count), out_zp,
                               expected.data());
      ModelBuilder b;
      const int tin = b.AddTensor("in", kType, shape, PerTensor(in_scale, in_zp));
      const int tax = b.AddConstTensor<int32_t>("axes", TensorType::kInt32,
                                                {static_cast<int>(axes.size())}, axes);
      const int tout = b.AddTensor("out", kType, out_shape, PerTensor(out_scale, out_zp));
      b.AddOperator(BuiltinOperator::MEAN, {tin, tax}, {tout});
      b.SetInputs({tin});
      b.SetOutputs({tout});
      std::string error;
      EXPECT_EQ(RunModel<T>(b, {Bytes(in)}, &error), expected)
          << "shape [..., " << shape[3] << "] axes " << axes[0] << " scales " << in_scale << " "
          << out_scale << " " << error;
    }
  }
}

TEST(Mean, AnyAxesMatchDirectSums) {
  CheckMeanAgainstDirectSums<uint8_t>(0.2f, 0.15f, 100, 7);
  CheckMeanAgainstDirectSums<int8_t>(0.2f, 0.15f, -20, 9);
  CheckMeanAgainstDirectSums<uint8_t>(0.5f, 0.1f, 128, 0);
  CheckMeanAgainstDirectSums<int8_t>(0.5f, 0.1f, 3, -128);
}

// ---- Elementwise -------------------------------------------------------------

template <typename T>
ModelBuilder BinaryModel(BuiltinOperator op, TensorType type, std::vector<int> a_shape,
                         float a_scale, int a_zp, std::vector<int> b_shape, float b_scale, int b_zp,
                         std::vector<int> out_shape, float out_scale, int out_zp) {
  ModelBuilder b;
  const int ta = b.AddTensor("a", type, a_shape, PerTensor(a_scale, a_zp));
  const int tb = b.AddTensor("b", type, b_shape, PerTensor(b_scale, b_zp));
  const int to = b.AddTensor("out", type, out_shape, PerTensor(out_scale, out_zp));
  b.AddOperator(op, {ta, tb}, {to});
  b.SetInputs({ta, tb});
  b.SetOutputs({to});
  return b;
}

TEST(Elementwise, AddSubMulWithDifferentScalesMatchFloat) {
  const auto a_real = RandomReals(24, -2, 2, 9), b_real = RandomReals(24, -1, 1, 10);
  const auto a_q = Quantize<uint8_t>(a_real, 0.02f, 128),
             b_q = Quantize<uint8_t>(b_real, 0.01f, 100);
  for (auto op : {BuiltinOperator::ADD, BuiltinOperator::SUB, BuiltinOperator::MUL}) {
    std::vector<float> expected;
    for (int i = 0; i < 24; ++i) {
      const float x = 0.02f * (a_q[i] - 128), y = 0.01f * (b_q[i] - 100);
      expected.push_back(op == BuiltinOperator::ADD   ? x + y
                         : op == BuiltinOperator::SUB ? x - y
                                                      : x * y);
    }
    auto m = BinaryModel<uint8_t>(op, TensorType::kUInt8, {2, 3, 4}, 0.02f, 128, {2, 3, 4}, 0.01f,
                                  100, {2, 3, 4}, 0.025f, 120);
    std::string error;
    const auto got = RunModel<uint8_t>(m, {a_q, b_q}, &error);
    ASSERT_FALSE(got.empty()) << error;
    ExpectWithinSteps(got, expected, 0.025f, 120);
  }
}

TEST(Elementwise, MulBroadcastsAScalar) {
  // The imprinting head multiplies a [1,1,1,C] tensor by a scalar scale.
  const std::vector<int8_t> a = {-100, -10, 0, 10, 100};
  const std::vector<int8_t> s = {64};  // 64 * 0.25 = 16
  auto m = BinaryModel<int8_t>(BuiltinOperator::MUL, TensorType::kInt8, {1, 1, 1, 5}, 1.f / 128, 0,
                               {1}, 0.25f, 0, {1, 1, 1, 5}, 16.f / 128, 0);
  std::string error;
  const auto got = RunModel<int8_t>(m, {Bytes(a), Bytes(s)}, &error);
  EXPECT_EQ(got, a) << error;  // x * 16 at scale 16x: the same raw values
}

TEST(Elementwise, IncompatibleShapesAreRejected) {
  auto m = BinaryModel<uint8_t>(BuiltinOperator::ADD, TensorType::kUInt8, {2, 3}, 1, 0, {4}, 1, 0,
                                {2, 3}, 1, 0);
  std::string error;
  EXPECT_TRUE(RunModel<uint8_t>(m, {}, &error).empty());
  EXPECT_NE(error.find("do not broadcast"), std::string::npos) << error;
}

// ---- Data movement -----------------------------------------------------------

TEST(Concatenation, RescalesInputsWithOtherQuantization) {
  ModelBuilder b;
  const int a = b.AddTensor("a", TensorType::kUInt8, {1, 2}, PerTensor(1.f, 0));
  const int c = b.AddTensor("c", TensorType::kUInt8, {1, 2}, PerTensor(0.5f, 10));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 4}, PerTensor(1.f, 0));
  fb::BuiltinOptionsUnion u;
  fb::ConcatenationOptionsT o;
  o.axis = 1;
  u.Set(o);
  b.AddOperator(BuiltinOperator::CONCATENATION, {a, c}, {out}, std::move(u));
  b.SetInputs({a, c});
  b.SetOutputs({out});
  // c: 0.5 * (30 - 10) = 10, 0.5 * (11 - 10) = 0.5 -> rounds to 1 (half away from zero)
  EXPECT_EQ(RunModel<uint8_t>(b, {{7, 9}, {30, 11}}), (std::vector<uint8_t>{7, 9, 10, 1}));
}

TEST(Pad, FillsWithTheZeroPoint) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 1, 2, 1}, PerTensor(0.1f, 77));
  const int pads =
      b.AddConstTensor<int32_t>("p", TensorType::kInt32, {4, 2}, {0, 0, 1, 0, 0, 1, 0, 0});
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 2, 3, 1}, PerTensor(0.1f, 77));
  b.AddOperator(BuiltinOperator::PAD, {in, pads}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  EXPECT_EQ(RunModel<uint8_t>(b, {{5, 6}}), (std::vector<uint8_t>{77, 77, 77, 5, 6, 77}));
}

TEST(ReshapeSqueeze, KeepBytesAndCheckShapes) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kInt8, {1, 1, 1, 3}, PerTensor(1.f, 0));
  const int mid = b.AddTensor("mid", TensorType::kInt8, {1, 3}, PerTensor(1.f, 0));
  const int out = b.AddTensor("out", TensorType::kInt8, {3}, PerTensor(1.f, 0));
  const int shape = b.AddConstTensor<int32_t>("shape", TensorType::kInt32, {2}, {1, -1});
  b.AddOperator(BuiltinOperator::RESHAPE, {in, shape}, {mid});
  b.AddOperator(BuiltinOperator::SQUEEZE, {mid}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  const std::vector<int8_t> v = {-1, 0, 5};
  EXPECT_EQ(RunModel<int8_t>(b, {Bytes(v)}), v);
}

// ---- Activations and normalizations ---------------------------------------------

ModelBuilder UnaryModel(BuiltinOperator op, TensorType type, std::vector<int> shape, float in_scale,
                        int in_zp, float out_scale, int out_zp,
                        fb::BuiltinOptionsUnion options = {}) {
  ModelBuilder b;
  const int in = b.AddTensor("in", type, shape, PerTensor(in_scale, in_zp));
  const int out = b.AddTensor("out", type, shape, PerTensor(out_scale, out_zp));
  b.AddOperator(op, {in}, {out}, std::move(options));
  b.SetInputs({in});
  b.SetOutputs({out});
  return b;
}

TEST(Softmax, UInt8MatchesFloatWithinOneStep) {
  const float scale = 0.08f;
  const auto in_q = Quantize<uint8_t>(RandomReals(2 * 50, -5, 5, 11), scale, 128);
  std::vector<float> expected;
  for (int r = 0; r < 2; ++r) {
    float sum = 0;
    for (int c = 0; c < 50; ++c) sum += std::exp(scale * (in_q[r * 50 + c] - 128));
    for (int c = 0; c < 50; ++c)
      expected.push_back(std::exp(scale * (in_q[r * 50 + c] - 128)) / sum);
  }
  auto m = UnaryModel(BuiltinOperator::SOFTMAX, TensorType::kUInt8, {2, 50}, scale, 128, 1.f / 256,
                      0, SoftmaxOptions());
  std::string error;
  const auto got = RunModel<uint8_t>(m, {in_q}, &error);
  ASSERT_FALSE(got.empty()) << error;
  ExpectWithinSteps(got, expected, 1.f / 256, 0, 1.0f);
}

// TFLite's fixed-point softmax needs beta * input scale above 2^-26 (its
// input multiplier is greater than one); below, a clear refusal, not
// undefined shifts.
TEST(Softmax, InputScaleTooSmallIsRefused) {
  for (const float scale : {1e-9f, 1e-12f}) {
    auto m = UnaryModel(BuiltinOperator::SOFTMAX, TensorType::kUInt8, {1, 4}, scale, 128, 1.f / 256,
                        0, SoftmaxOptions());
    auto model = m.Build();
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    for (const KernelChoice kernels : {KernelChoice::kAuto, KernelChoice::kReference}) {
      auto interpreter = Interpreter::Create(*model, {.kernels = kernels});
      ASSERT_FALSE(interpreter.ok());
      EXPECT_EQ(interpreter.status().code(), StatusCode::kUnsupported);
      EXPECT_NE(interpreter.status().message().find("below 2^-26"), std::string::npos)
          << interpreter.status().ToString();
    }
  }
}

TEST(L2Normalization, UInt8AndInt8MatchFloatWithinOneStep) {
  const auto real = RandomReals(64, -3, 3, 12);
  float norm = 0;
  for (float v : real) norm += v * v;
  norm = std::sqrt(norm);
  std::vector<float> expected;
  const auto u8 = Quantize<uint8_t>(real, 0.03f, 128);
  for (uint8_t v : u8) expected.push_back(0.03f * (v - 128));
  float qnorm = 0;
  for (float v : expected) qnorm += v * v;
  for (float& v : expected) v /= std::sqrt(qnorm);
  auto m = UnaryModel(BuiltinOperator::L2_NORMALIZATION, TensorType::kUInt8, {1, 64}, 0.03f, 128,
                      1.f / 128, 128);
  std::string error;
  const auto got = RunModel<uint8_t>(m, {u8}, &error);
  ASSERT_FALSE(got.empty()) << error;
  ExpectWithinSteps(got, expected, 1.f / 128, 128, 1.0f);
  const auto i8 = Quantize<int8_t>(real, 0.03f, 0);
  auto m8 = UnaryModel(BuiltinOperator::L2_NORMALIZATION, TensorType::kInt8, {1, 64}, 0.03f, 0,
                       1.f / 128, 0);
  const auto got8 = RunModel<int8_t>(m8, {Bytes(i8)}, &error);
  ASSERT_FALSE(got8.empty()) << error;
  ExpectWithinSteps(got8, expected, 1.f / 128, 0, 1.0f);
}

TEST(Activations, QuantizedMatchFloatWithinOneStep) {
  const float in_scale = 0.05f;
  std::vector<float> reals;
  for (int v = -128; v <= 127; ++v) reals.push_back(in_scale * v);
  std::vector<int8_t> in;
  for (int v = -128; v <= 127; ++v) in.push_back(static_cast<int8_t>(v));
  struct Case {
    BuiltinOperator op;
    float out_scale;
    int out_zp;
    float (*f)(float);
  };
  const Case cases[] = {
      {BuiltinOperator::LOGISTIC, 1.f / 256, -128,
       [](float x) { return 1.f / (1.f + std::exp(-x)); }},
      {BuiltinOperator::RELU, 0.03f, -128, [](float x) { return std::max(0.f, x); }},
      {BuiltinOperator::RELU6, 6.f / 255, -128, [](float x) { return std::clamp(x, 0.f, 6.f); }},
      {BuiltinOperator::HARD_SWISH, 0.04f, -20,
       [](float x) { return x * std::clamp(x + 3.f, 0.f, 6.f) / 6.f; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(fb::EnumNameBuiltinOperator(c.op));
    std::vector<float> expected;
    for (float x : reals) {
      expected.push_back(
          std::clamp(c.f(x), c.out_scale * (-128 - c.out_zp), c.out_scale * (127 - c.out_zp)));
    }
    auto m = UnaryModel(c.op, TensorType::kInt8, {256}, in_scale, 0, c.out_scale, c.out_zp);
    std::string error;
    const auto got = RunModel<int8_t>(m, {Bytes(in)}, &error);
    ASSERT_FALSE(got.empty()) << error;
    ExpectWithinSteps(got, expected, c.out_scale, c.out_zp, 1.0f);
  }
}

TEST(Quantize, RequantizesUInt8ToInt8AndDequantizes) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {4}, PerTensor(0.5f, 128));
  const int mid = b.AddTensor("mid", TensorType::kInt8, {4}, PerTensor(0.5f, 0));
  const int out = b.AddTensor("out", TensorType::kFloat32, {4});
  b.AddOperator(BuiltinOperator::QUANTIZE, {in}, {mid});
  b.AddOperator(BuiltinOperator::DEQUANTIZE, {mid}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  EXPECT_EQ(RunModel<float>(b, {{0, 127, 128, 255}}),
            (std::vector<float>{-64.f, -0.5f, 0.f, 63.5f}));
  // float -> uint8
  ModelBuilder f;
  const int fin = f.AddTensor("in", TensorType::kFloat32, {3});
  const int fout = f.AddTensor("out", TensorType::kUInt8, {3}, PerTensor(0.1f, 10));
  f.AddOperator(BuiltinOperator::QUANTIZE, {fin}, {fout});
  f.SetInputs({fin});
  f.SetOutputs({fout});
  EXPECT_EQ(RunModel<uint8_t>(f, {Bytes(std::vector<float>{-5.f, 0.26f, 100.f})}),
            (std::vector<uint8_t>{0, 13, 255}));
  // Halves round away from zero: 2.5 -> 3, -2.5 -> -3, 1.5 -> 2, -0.5 -> -1.
  ModelBuilder h;
  const int hin = h.AddTensor("in", TensorType::kFloat32, {4});
  const int hout = h.AddTensor("out", TensorType::kInt8, {4}, PerTensor(0.5f, 0));
  h.AddOperator(BuiltinOperator::QUANTIZE, {hin}, {hout});
  h.SetInputs({hin});
  h.SetOutputs({hout});
  EXPECT_EQ(RunModel<int8_t>(h, {Bytes(std::vector<float>{1.25f, -1.25f, 0.75f, -0.25f})}),
            (std::vector<int8_t>{3, -3, 2, -1}));
}

}  // namespace
}  // namespace edgetl
