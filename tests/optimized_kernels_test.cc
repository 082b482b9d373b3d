// The optimized kernels against the reference oracle: identical bytes on
// random shapes (tails, strides, dilation, padding, depth multipliers) and on
// whole models.
#include <algorithm>
#include <cfenv>
#include <cstdlib>
#include <random>
#include <string>

#include <gtest/gtest.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "testing/op_test_util.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

using fb::BuiltinOperator;
using testing::ConvOptions;
using testing::DepthwiseOptions;
using testing::PoolOptions;
using testing::SoftmaxOptions;

template <typename T>
std::vector<T> RandomBytes(size_t n, std::mt19937& rng) {
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(rng());
  return v;
}

// Runs the model both ways on the same input and returns whether the
// outputs match; `threads` for the optimized kernels (0: every hardware
// thread).
void ExpectSameBothWays(const ModelBuilder& b, const std::vector<uint8_t>& input,
                        const std::string& what, int threads = 0) {
  auto model = b.Build();
  ASSERT_TRUE(model.ok()) << what << ": " << model.status().ToString();
  auto fast = Interpreter::Create(*model, {.kernels = KernelChoice::kAuto, .threads = threads});
  auto ref = Interpreter::Create(*model, {.kernels = KernelChoice::kReference});
  ASSERT_TRUE(fast.ok() && ref.ok()) << what << ": " << fast.status().ToString();
  ASSERT_TRUE(fast->SetInput(0, input).ok() && ref->SetInput(0, input).ok());
  ASSERT_TRUE(fast->Invoke().ok() && ref->Invoke().ok());
  EXPECT_TRUE(std::ranges::equal(fast->output(0).data, ref->output(0).data)) << what;
}

TEST(OptimizedKernels, ConvMatchesReferenceOnRandomShapes) {
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 80; ++trial) {
    const bool u8 = trial % 2 == 0;
    const TensorType type = u8 ? TensorType::kUInt8 : TensorType::kInt8;
    const int h = 1 + rng() % 9, w = 1 + rng() % 9, c = 1 + rng() % 37, oc = 1 + rng() % 19;
    // Dilations drawn apart: k x k windows with dilation_w 1 are read from a
    // padded input (whatever dilation_h), the others go through im2col.
    const int k = 1 + rng() % 3, stride = 1 + rng() % 2;
    const int dilation_h = 1 + rng() % 2, dilation_w = 1 + rng() % 2;
    const bool same = rng() % 2;
    const int eff_h = (k - 1) * dilation_h + 1, eff_w = (k - 1) * dilation_w + 1;
    if (!same && (h < eff_h || w < eff_w)) continue;
    const int oh = same ? (h + stride - 1) / stride : (h - eff_h + stride) / stride;
    const int ow = same ? (w + stride - 1) / stride : (w - eff_w + stride) / stride;
    ModelBuilder b;
    const int in = b.AddTensor("in", type, {1, h, w, c}, PerTensor(0.05f, u8 ? 117 : -9));
    Quantization wq;
    for (int o = 0; o < oc; ++o) {
      wq.scale.push_back(u8 ? 0.01f : 0.002f * (1 + o));
      // uint8 zero points far from the middle put many weights beyond int8
      // of it: the kernels' sparse remainder list.
      // Zero point 0: remainders up to 128 (a weight of 255).
      wq.zero_point.push_back(u8 ? (trial % 4 == 0    ? 5
                                    : trial % 8 == 2  ? 250
                                    : trial % 16 == 6 ? 0
                                                      : 131)
                                 : 0);
      if (u8) break;
    }
    const auto weights = RandomBytes<uint8_t>(static_cast<size_t>(oc) * k * k * c, rng);
    const int tw = b.AddTensor("w", type, {oc, k, k, c}, wq, weights);
    std::vector<int32_t> bias(oc);
    for (int32_t& v : bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
    const int tb =
        b.AddConstTensor("b", TensorType::kInt32, {oc}, bias, PerTensor(0.05f * wq.scale[0], 0));
    const int out = b.AddTensor("out", type, {1, oh, ow, oc}, PerTensor(0.3f, u8 ? 10 : -3));
    fb::BuiltinOptionsUnion u;
    fb::Conv2DOptionsT o;
    o.padding = same ? fb::Padding::SAME : fb::Padding::VALID;
    o.stride_w = o.stride_h = stride;
    o.dilation_h_factor = dilation_h;
    o.dilation_w_factor = dilation_w;
    o.fused_activation_function =
        trial % 3 == 0 ? fb::ActivationFunctionType::RELU6 : fb::ActivationFunctionType::NONE;
    u.Set(o);
    b.AddOperator(BuiltinOperator::CONV_2D, {in, tw, tb}, {out}, std::move(u));
    b.SetInputs({in});
    b.SetOutputs({out});
    ExpectSameBothWays(b, RandomBytes<uint8_t>(static_cast<size_t>(h) * w * c, rng),
                       "conv trial " + std::to_string(trial));
  }
}

// Larger convs: several 64-channel panels with a narrow tail, several row
// blocks, row or channel splits over threads, the 1x1 paths (uint8 rows read
// in place, int8 rows copied flipped or, on AMX, read in place; depth % 4 ==
// 0) and im2col, weight zero
// points of 128 and others, multipliers above and below one, on 1-3 threads.
TEST(OptimizedKernels, LargeConvsOnSeveralThreads) {
  std::mt19937 rng(99);
  struct Case {
    bool u8;
    int h, c, oc, k, stride, filter_zp;
    float out_scale;
  };
  const Case cases[] = {{true, 13, 64, 200, 1, 1, 128, 0.3f},
                        {true, 13, 64, 136, 1, 1, 77, 0.3f},
                        {true, 11, 30, 72, 1, 1, 140, 0.02f},
                        {true, 15, 24, 80, 3, 2, 128, 0.5f},
                        {false, 13, 64, 200, 1, 1, 0, 0.3f},
                        {false, 12, 21, 48, 3, 1, 0, 0.01f},
                        // A 64-wide last panel with only 56 (58) real channels.
                        {true, 13, 64, 120, 1, 1, 128, 0.3f},
                        {false, 9, 32, 250, 1, 1, 0, 0.2f},
                        // Fewer pixels than threads x tile: channels are split.
                        {true, 1, 64, 200, 1, 1, 128, 0.3f},
                        {false, 2, 64, 260, 1, 1, 0, 0.3f},
                        // 1x1 with stride 2: im2col rows (on AMX where present).
                        {true, 13, 64, 72, 1, 2, 128, 0.3f},
                        {false, 14, 96, 48, 1, 2, 0, 0.2f}};
  for (const Case& t : cases) {
    const TensorType type = t.u8 ? TensorType::kUInt8 : TensorType::kInt8;
    const int oh = (t.h + t.stride - 1) / t.stride;
    ModelBuilder b;
    const int in = b.AddTensor("in", type, {1, t.h, t.h, t.c}, PerTensor(0.5f, t.u8 ? 3 : -100));
    Quantization wq;
    for (int o = 0; o < (t.u8 ? 1 : t.oc); ++o) {
      wq.scale.push_back(t.u8 ? 0.02f : 0.001f * (1 + o % 7));
      wq.zero_point.push_back(t.filter_zp);
    }
    const auto weights = RandomBytes<uint8_t>(static_cast<size_t>(t.oc) * t.k * t.k * t.c, rng);
    const int tw = b.AddTensor("w", type, {t.oc, t.k, t.k, t.c}, wq, weights);
    std::vector<int32_t> bias(t.oc);
    for (int32_t& v : bias) v = static_cast<int32_t>(rng() % 200001) - 100000;
    const int tb =
        b.AddConstTensor("b", TensorType::kInt32, {t.oc}, bias, PerTensor(0.5f * wq.scale[0], 0));
    const int out =
        b.AddTensor("out", type, {1, oh, oh, t.oc}, PerTensor(t.out_scale, t.u8 ? 128 : 5));
    b.AddOperator(BuiltinOperator::CONV_2D, {in, tw, tb}, {out},
                  ConvOptions(fb::Padding::SAME, t.stride, 1,
                              (t.oc / 8) % 2 ? fb::ActivationFunctionType::RELU6
                                             : fb::ActivationFunctionType::NONE));
    b.SetInputs({in});
    b.SetOutputs({out});
    const auto input = RandomBytes<uint8_t>(static_cast<size_t>(t.h) * t.h * t.c, rng);
    auto model = b.Build();
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto ref = Interpreter::Create(*model, {.kernels = KernelChoice::kReference});
    ASSERT_TRUE(ref.ok() && ref->SetInput(0, input).ok() && ref->Invoke().ok());
    for (int threads : {1, 2, 3}) {
      auto fast = Interpreter::Create(*model, {.threads = threads});
      ASSERT_TRUE(fast.ok() && fast->SetInput(0, input).ok() && fast->Invoke().ok());
      EXPECT_TRUE(std::ranges::equal(fast->output(0).data, ref->output(0).data))
          << "oc " << t.oc << " c " << t.c << " k " << t.k << " u8 " << t.u8 << " threads "
          << threads;
    }
  }
}

struct DepthwiseCase {
  bool u8 = true;
  int batches = 1, h = 1, w = 1, c = 1, k = 3, stride = 1, mult = 1, dilation = 1;
  int k_w = 0;  // the window's width where it differs from its height k
  bool bias = true, relu6 = false;
  // uint8 only: weights within int8 of the zero point except channel `wide`
  // (-1: all over the full range).
  int wide = -1;
  // With relu6: the output quantized as real MobileNets' are (scale 6/255,
  // zero point 0 or -128), so that the clamp is the whole output range.
  bool full_range = false;
  // int8 only: this channel's weight scale puts its multiplier near 2^16,
  // where TFLite's left shift can wrap: it has no proven float form.
  int huge_scale_channel = -1;
};

// A DEPTHWISE_CONV_2D model with random weights (as `t` says) and SAME
// padding, run both ways on a random input.
void ExpectDepthwiseSameBothWays(const DepthwiseCase& t, std::mt19937& rng,
                                 const std::string& what) {
  const TensorType type = t.u8 ? TensorType::kUInt8 : TensorType::kInt8;
  const int oc = t.c * t.mult;
  const int oh = (t.h + t.stride - 1) / t.stride, ow = (t.w + t.stride - 1) / t.stride;
  ModelBuilder b;
  const int in =
      b.AddTensor("in", type, {t.batches, t.h, t.w, t.c}, PerTensor(0.05f, t.u8 ? 117 : -9));
  Quantization wq;
  wq.axis = 3;
  for (int o = 0; o < (t.u8 ? 1 : oc); ++o) {
    wq.scale.push_back(o == t.huge_scale_channel ? 1e5f : 0.01f + 0.001f * o);
    wq.zero_point.push_back(t.u8 ? 100 : 0);
  }
  const int k_w = t.k_w > 0 ? t.k_w : t.k;
  auto weights = RandomBytes<uint8_t>(static_cast<size_t>(t.k) * k_w * oc, rng);
  if (t.u8 && t.wide >= 0) {
    for (size_t i = 0; i < weights.size(); ++i) {
      if (static_cast<int>(i % oc) != t.wide) weights[i] = static_cast<uint8_t>(40 + rng() % 180);
    }
  }
  const int tw = b.AddTensor("w", type, {1, t.k, k_w, oc}, wq, weights);
  int tb = -1;
  if (t.bias) {
    std::vector<int32_t> bias(oc);
    for (int32_t& v : bias) v = static_cast<int32_t>(rng() % 20001) - 10000;
    tb = b.AddConstTensor("b", TensorType::kInt32, {oc}, bias, PerTensor(0.0005f, 0));
  }
  const int out = b.AddTensor(
      "out", type, {t.batches, oh, ow, oc},
      t.full_range ? PerTensor(6.0f / 255, t.u8 ? 0 : -128) : PerTensor(0.1f, t.u8 ? 3 : -7));
  // RELU6 clamps at the output zero point: the one-step requantization.
  b.AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {in, tw, tb}, {out},
                DepthwiseOptions(fb::Padding::SAME, t.stride, t.mult, t.dilation,
                                 t.relu6 ? fb::ActivationFunctionType::RELU6
                                         : fb::ActivationFunctionType::NONE));
  b.SetInputs({in});
  b.SetOutputs({out});
  // Two images on one thread: one band over both, where rows pair up
  // within each image only.
  ExpectSameBothWays(b, RandomBytes<uint8_t>(static_cast<size_t>(t.batches) * t.h * t.w * t.c, rng),
                     what, t.batches > 1 ? 1 : 0);
}

TEST(OptimizedKernels, DepthwiseMatchesReferenceOnRandomShapes) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 80; ++trial) {
    // Every fifth trial, channels dividing 64 and stride 1 (trials 31-56:
    // stride 2): the kernels that put several pixels in one block (with
    // stride 2 for channels that are a multiple of 8).
    const bool pixels_packed = trial % 5 == 1;
    DepthwiseCase t;
    t.u8 = trial % 2 == 0;
    // Every third trial two images: stride-1 rows go in pairs, never one
    // row of each image.
    t.batches = trial % 3 == 1 ? 2 : 1;
    t.h = 3 + rng() % 9;
    t.w = 3 + rng() % 14;
    t.c = pixels_packed ? 1 << (trial / 5 % 6) : 1 + static_cast<int>(rng() % 150);
    t.mult = 1 + (trial % 4 == 3 && !pixels_packed);
    // Mostly 3x3; every fifth a 5x5 window (the kernels' generic path).
    t.k = trial % 5 == 4 ? 5 : 3;
    t.stride = pixels_packed ? 1 + trial / 30 % 2 : 1 + static_cast<int>(rng() % 2);
    const int drawn_dilation = 1 + static_cast<int>(rng() % 2);
    t.dilation = pixels_packed ? 1 : drawn_dilation;
    // Mostly weights within int8 of the zero point, as trained layers have,
    // with one channel over the full range (the kernels' two-product case);
    // every fourth trial all over the full range.
    t.wide = trial % 4 != 1 ? static_cast<int>(rng() % (t.c * t.mult)) : -1;
    t.bias = trial % 3 != 2;
    t.relu6 = trial % 3 == 0;
    t.full_range = t.relu6 && trial % 4 < 2;
    ExpectDepthwiseSameBothWays(t, rng, "depthwise trial " + std::to_string(trial));
  }
}

// Windows that are not square, with as many taps as a 3x3 one or one
// more (2x5: five pairs and no single tap), a single row or column; with
// channels below 32 and past it (blocks of 32, then the rest).
TEST(OptimizedKernels, DepthwiseNonSquareWindowsMatchReference) {
  std::mt19937 rng(19);
  for (const auto& [k_h, k_w] : {std::pair{2, 5}, {5, 2}, {1, 9}, {9, 1}, {1, 3}, {3, 1}, {2, 2}}) {
    for (const int c : {13, 24, 45, 64}) {
      const bool u8 = c % 2 == 0;
      DepthwiseCase t;
      t.u8 = u8;
      t.h = 6 + k_h;
      t.w = 7 + k_w;
      t.c = c;
      t.k = k_h;
      t.k_w = k_w;
      t.stride = 1 + (k_h + k_w) % 2;
      t.relu6 = u8;
      ExpectDepthwiseSameBothWays(t, rng,
                                  std::to_string(k_h) + "x" + std::to_string(k_w) + " c " +
                                      std::to_string(c) + (u8 ? " uint8" : " int8"));
    }
  }
}

// The application's floating-point environment on the calling thread
// (rounding upward; on x86 flush-to-zero and denormals-are-zero) must not
// change a byte: the interpreter runs its proofs and kernels in the
// default one, the pool's workers included.
TEST(OptimizedKernels, CallersFloatEnvironmentChangesNothing) {
  std::mt19937 rng(29);
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 9, 11, 40}, PerTensor(0.05f, 117));
  const int w = b.AddTensor("w", TensorType::kUInt8, {24, 3, 3, 40}, PerTensor(0.004f, 121),
                            RandomBytes<uint8_t>(24 * 9 * 40, rng));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 9, 11, 24}, PerTensor(0.07f, 131));
  b.AddOperator(BuiltinOperator::CONV_2D, {in, w}, {out}, ConvOptions(fb::Padding::SAME, 1));
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = b.Build();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto input = RandomBytes<uint8_t>(9 * 11 * 40, rng);
  auto run = [&](int threads) {
    auto interpreter = Interpreter::Create(*model, {.threads = threads});
    EXPECT_TRUE(interpreter.ok()) << interpreter.status().ToString();
    if (!interpreter.ok()) return std::vector<uint8_t>{};
    EXPECT_TRUE(interpreter->SetInput(0, input).ok() && interpreter->Invoke().ok());
    return std::vector<uint8_t>(interpreter->output(0).data.begin(),
                                interpreter->output(0).data.end());
  };
  const std::vector<uint8_t> expected = run(1);
  std::fenv_t saved;
  std::fegetenv(&saved);
  std::fesetround(FE_UPWARD);
#if defined(__x86_64__)
  _mm_setcsr(_mm_getcsr() | 0x8040);  // flush-to-zero, denormals-are-zero
  const unsigned csr = _mm_getcsr();
#endif
  const std::vector<uint8_t> one = run(1), two = run(2);
  // The caller's environment is back.
  EXPECT_EQ(std::fegetround(), FE_UPWARD);
#if defined(__x86_64__)
  EXPECT_EQ(_mm_getcsr(), csr);
#endif
  std::fesetenv(&saved);
  EXPECT_EQ(one, expected);
  EXPECT_EQ(two, expected);
}

// The stats name the kernels that ran, as the CPU and the EDGETL_NO_*
// variables decide (CI runs this under each of them).
TEST(OptimizedKernels, StatsNameTheKernelPath) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 4, 4, 8}, PerTensor(0.05f, 117));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 4, 4, 8}, PerTensor(0.05f, 117));
  b.AddOperator(BuiltinOperator::ADD, {in, in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = b.Build();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto reference = Interpreter::Create(*model, {.kernels = KernelChoice::kReference});
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  EXPECT_EQ(reference->stats().kernels, "reference");

  auto on = [](const char* variable) {
    const char* value = std::getenv(variable);
    return !value || std::string(value) != "1";
  };
  std::vector<std::string> expected = {"portable"};
#if defined(__x86_64__) && defined(__GNUC__)
  if (on("EDGETL_NO_VNNI") && __builtin_cpu_supports("avx512vnni") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")) {
    // AMX also needs the kernel's permission, so either name fits here.
    expected = {"avx512-vnni", "avx512-vnni+amx"};
  } else if (on("EDGETL_NO_AVX2") && __builtin_cpu_supports("avx2") &&
             __builtin_cpu_supports("fma")) {
    expected = {"avx2"};
  }
#endif
  if (const char* forced = std::getenv("EDGETL_KERNELS");
      forced && std::string(forced) == "reference") {
    expected = {"reference"};
  }
  auto optimized = Interpreter::Create(*model);
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  EXPECT_NE(std::find(expected.begin(), expected.end(), optimized->stats().kernels), expected.end())
      << optimized->stats().kernels;
}

// MobileNet's narrow stride-2 layers (the 0.25 and 0.5 models' 16 and 32
// channels): several output pixels per block, each window column the even
// pixels of twice as many; rows wider than a block, edges on both sides.
TEST(OptimizedKernels, DepthwiseStride2PackedMatchesReference) {
  std::mt19937 rng(11);
  for (const int c : {8, 16, 32}) {
    for (const int w : {9, 17, 24}) {
      for (const bool u8 : {true, false}) {
        const DepthwiseCase t{.u8 = u8,
                              .batches = 1,
                              .h = 6,
                              .w = w,
                              .c = c,
                              .k = 3,
                              .stride = 2,
                              .mult = 1,
                              .dilation = 1,
                              .bias = true,
                              .relu6 = true,
                              .wide = c / 2,
                              .full_range = c == 16};
        ExpectDepthwiseSameBothWays(
            t, rng,
            "c " + std::to_string(c) + " w " + std::to_string(w) + (u8 ? " uint8" : " int8"));
      }
    }
  }
}

// Above 64 channels with a last block of 16 or 32 (MobileNet V2's 144 and
// 96): that block gathers 4 or 2 pixels' last channels; rows whose width
// leaves a partial last pass, edges on both sides, both strides, two-image
// batches (row pairs), weights beyond int8 (uint8), and the three
// requantizations (full-range float, ReLU6 clamped at the zero point, none).
TEST(OptimizedKernels, DepthwiseTailBlocksMatchReference) {
  std::mt19937 rng(17);
  int trial = 0;
  for (const int c : {80, 96, 144, 160}) {
    for (const int stride : {1, 2}) {
      for (const bool u8 : {true, false}) {
        ++trial;
        const DepthwiseCase t{.u8 = u8,
                              .batches = stride == 1 ? 2 : 1,
                              .h = 5 + trial % 3,
                              .w = 7 + 2 * (trial % 4),
                              .c = c,
                              .k = 3,
                              .stride = stride,
                              .mult = 1,
                              .dilation = 1,
                              .bias = true,
                              .relu6 = trial % 3 != 2,
                              .wide = c - 1 - trial % 16,
                              .full_range = trial % 3 == 0};
        ExpectDepthwiseSameBothWays(t, rng,
                                    "c " + std::to_string(c) + " stride " + std::to_string(stride) +
                                        (u8 ? " uint8" : " int8"));
      }
    }
  }
}

// A per-channel layer where one channel has no proven float form, in
// either half of a block of 32 (channels 20 and 40 of 64): the AVX2 kernel
// runs that block's halves as blocks of 16, each with its own
// requantization.
TEST(OptimizedKernels, DepthwiseUnprovenChannelMatchesReference) {
  std::mt19937 rng(23);
  for (const int unproven : {20, 40}) {
    const DepthwiseCase t{.u8 = false,
                          .batches = 1,
                          .h = 6,
                          .w = 9,
                          .c = 64,
                          .k = 3,
                          .stride = 1,
                          .mult = 1,
                          .dilation = 1,
                          .bias = true,
                          .relu6 = false,
                          .huge_scale_channel = unproven};
    ExpectDepthwiseSameBothWays(t, rng, "unproven channel " + std::to_string(unproven));
  }
}

TEST(OptimizedKernels, PoolingMatchesReferenceOnRandomShapes) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 40; ++trial) {
    const bool u8 = trial % 2 == 0, max = trial % 4 >= 2;
    const TensorType type = u8 ? TensorType::kUInt8 : TensorType::kInt8;
    const int h = 1 + rng() % 9, w = 1 + rng() % 9, c = 1 + rng() % 70;
    // Every eighth trial a window over the whole input (MobileNet V1's
    // global average: many values per output).
    const int window = trial % 8 == 7 ? std::min(h, w) : 1 + static_cast<int>(rng() % 4);
    const int stride = 1 + rng() % 3;
    const bool same = rng() % 2 || h < window || w < window;
    const int oh = same ? (h + stride - 1) / stride : (h - window + stride) / stride;
    const int ow = same ? (w + stride - 1) / stride : (w - window + stride) / stride;
    ModelBuilder b;
    const Quantization q = PerTensor(0.1f, u8 ? 7 : -3);
    const int in = b.AddTensor("in", type, {1, h, w, c}, q);
    const int out = b.AddTensor("out", type, {1, oh, ow, c}, q);
    b.AddOperator(max ? BuiltinOperator::MAX_POOL_2D : BuiltinOperator::AVERAGE_POOL_2D, {in},
                  {out},
                  PoolOptions(same ? fb::Padding::SAME : fb::Padding::VALID, window, stride,
                              trial % 3 == 0 ? fb::ActivationFunctionType::RELU6
                                             : fb::ActivationFunctionType::NONE));
    b.SetInputs({in});
    b.SetOutputs({out});
    ExpectSameBothWays(b, RandomBytes<uint8_t>(static_cast<size_t>(h) * w * c, rng),
                       "pool trial " + std::to_string(trial));
  }
}

TEST(OptimizedKernels, FullyConnectedMatchesReference) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const bool u8 = trial % 2 == 0;
    const TensorType type = u8 ? TensorType::kUInt8 : TensorType::kInt8;
    const int batches = 1 + rng() % 6, in_depth = 1 + rng() % 70, out_depth = 1 + rng() % 150;
    ModelBuilder b;
    const int in = b.AddTensor("in", type, {batches, in_depth}, PerTensor(0.1f, u8 ? 90 : 4));
    const int tw =
        b.AddTensor("w", type, {out_depth, in_depth}, PerTensor(0.01f, u8 ? 140 : 0),
                    RandomBytes<uint8_t>(static_cast<size_t>(out_depth) * in_depth, rng));
    const int out = b.AddTensor("out", type, {batches, out_depth}, PerTensor(0.2f, u8 ? 128 : 0));
    b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {in, tw, -1}, {out});
    b.SetInputs({in});
    b.SetOutputs({out});
    ExpectSameBothWays(b, RandomBytes<uint8_t>(static_cast<size_t>(batches) * in_depth, rng),
                       "fc trial " + std::to_string(trial));
  }
}

// Same-shape ADD/SUB: sizes below and above the per-thread minimum, shares
// that end inside a vector, on 1-3 threads.
TEST(OptimizedKernels, AddAndSubMatchReferenceOnSeveralThreads) {
  std::mt19937 rng(17);
  for (const BuiltinOperator op : {BuiltinOperator::ADD, BuiltinOperator::SUB}) {
    for (const int n : {5, 2047, 4100, 75277}) {
      const bool u8 = n % 2 == 1;
      const TensorType type = u8 ? TensorType::kUInt8 : TensorType::kInt8;
      ModelBuilder b;
      const int x = b.AddTensor("x", type, {n}, PerTensor(0.07f, u8 ? 120 : -4));
      const int y = b.AddTensor("y", type, {n}, PerTensor(0.02f, u8 ? 7 : 30));
      const int out = b.AddTensor("out", type, {n}, PerTensor(0.09f, u8 ? 131 : 2));
      b.AddOperator(op, {x, y}, {out});
      b.SetInputs({x, y});
      b.SetOutputs({out});
      auto model = b.Build();
      ASSERT_TRUE(model.ok()) << model.status().ToString();
      const auto xs = RandomBytes<uint8_t>(n, rng), ys = RandomBytes<uint8_t>(n, rng);
      auto ref = Interpreter::Create(*model, {.kernels = KernelChoice::kReference});
      ASSERT_TRUE(ref.ok() && ref->SetInput(0, xs).ok() && ref->SetInput(1, ys).ok() &&
                  ref->Invoke().ok());
      for (int threads : {1, 2, 3}) {
        auto fast = Interpreter::Create(*model, {.threads = threads});
        ASSERT_TRUE(fast.ok() && fast->SetInput(0, xs).ok() && fast->SetInput(1, ys).ok() &&
                    fast->Invoke().ok());
        EXPECT_TRUE(std::ranges::equal(fast->output(0).data, ref->output(0).data))
            << fb::EnumNameBuiltinOperator(op) << " n " << n << " threads " << threads;
      }
    }
  }
}

// float -> 8-bit: exact halves (rounded away from zero), values far beyond
// the range, infinities, NaN, random values, a tail shorter than a vector;
// on 1-3 threads (enough values for each to take a share).
TEST(OptimizedKernels, QuantizeFromFloatMatchesReference) {
  const float scale = 0.25f;  // a power of two: x / scale is exact, halves stay halves
  std::vector<float> values;
  for (int k = -300; k <= 300; ++k) values.push_back(scale * (k + 0.5f));
  for (float v : {1e9f, -1e9f, 3e38f, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(),
                  0.f, -0.f, 0.1249999f, -0.1250001f}) {
    values.push_back(v);
  }
  std::mt19937 rng(21);
  std::uniform_real_distribution<float> dist(-40.f, 40.f);
  for (int i = 0; i < 7000; ++i) values.push_back(dist(rng));
  values.resize(values.size() / 16 * 16 + 7);
  for (const TensorType type : {TensorType::kUInt8, TensorType::kInt8}) {
    ModelBuilder b;
    const int n = static_cast<int>(values.size());
    const int in = b.AddTensor("in", TensorType::kFloat32, {n});
    const int out =
        b.AddTensor("out", type, {n}, PerTensor(scale, type == TensorType::kUInt8 ? 128 : -1));
    b.AddOperator(BuiltinOperator::QUANTIZE, {in}, {out});
    b.SetInputs({in});
    b.SetOutputs({out});
    const auto* bytes = reinterpret_cast<const uint8_t*>(values.data());
    for (int threads : {1, 2, 3}) {
      ExpectSameBothWays(b, std::vector<uint8_t>(bytes, bytes + values.size() * sizeof(float)),
                         "quantize to type " + std::to_string(static_cast<int>(type)), threads);
    }
  }
}

// 8-bit -> 8-bit at equal scales (the uint8 <-> int8 shims): every byte,
// zero points that saturate either end, a tail shorter than a vector; on
// 1-3 threads.
TEST(OptimizedKernels, QuantizeShimsMatchReference) {
  std::vector<uint8_t> input(3 * 2048 + 19);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 37);
  struct Case {
    TensorType in, out;
    int in_zp, out_zp;
  };
  const Case cases[] = {{TensorType::kUInt8, TensorType::kInt8, 128, 0},
                        {TensorType::kInt8, TensorType::kUInt8, 0, 128},
                        {TensorType::kUInt8, TensorType::kInt8, 3, 100},
                        {TensorType::kInt8, TensorType::kUInt8, 120, 2},
                        {TensorType::kUInt8, TensorType::kUInt8, 250, 1},
                        {TensorType::kInt8, TensorType::kInt8, -128, 127}};
  for (const Case& c : cases) {
    ModelBuilder b;
    const int n = static_cast<int>(input.size());
    const int in = b.AddTensor("in", c.in, {n}, PerTensor(0.5f, c.in_zp));
    const int out = b.AddTensor("out", c.out, {n}, PerTensor(0.5f, c.out_zp));
    b.AddOperator(BuiltinOperator::QUANTIZE, {in}, {out});
    b.SetInputs({in});
    b.SetOutputs({out});
    for (int threads : {1, 2, 3}) {
      ExpectSameBothWays(
          b, input, "shim " + std::to_string(c.in_zp) + " -> " + std::to_string(c.out_zp), threads);
    }
  }
}

// The histogram softmax: rows of random bytes, and rows of few distinct
// values (repeated differences), at input scales where every difference
// counts and where large ones fall below diff_min.
TEST(OptimizedKernels, SoftmaxMatchesReference) {
  std::mt19937 rng(31);
  for (const TensorType type : {TensorType::kUInt8, TensorType::kInt8}) {
    for (const float scale : {0.01f, 0.1f, 1.0f}) {
      for (const float beta : {1.0f, 0.5f}) {
        const int rows = 3, depth = 1001;
        std::vector<uint8_t> input = RandomBytes<uint8_t>(rows * depth, rng);
        for (int c = 0; c < depth; ++c) input[depth + c] = static_cast<uint8_t>(rng() % 4 * 60);
        ModelBuilder b;
        const int in = b.AddTensor("in", type, {rows, depth}, PerTensor(scale, 3));
        const int out = b.AddTensor("out", type, {rows, depth},
                                    PerTensor(1.f / 256, type == TensorType::kUInt8 ? 0 : -128));
        b.AddOperator(BuiltinOperator::SOFTMAX, {in}, {out}, SoftmaxOptions(beta));
        b.SetInputs({in});
        b.SetOutputs({out});
        ExpectSameBothWays(
            b, input, "softmax scale " + std::to_string(scale) + " beta " + std::to_string(beta));
      }
    }
  }
}

TEST(OptimizedKernels, WholeModelsIdenticalInBothModes) {
  std::mt19937 rng(5);
  for (const char* name :
       {"mobilenet_v1_0.25_128_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite",
        "person_detect/person_detect.tflite"}) {
    const auto path = testing::DataPath(std::string("models/") + name);
    EDGETL_REQUIRE_DATA(path);
    auto model = Model::FromFile(path);
    ASSERT_TRUE(model.ok());
    auto fast = Interpreter::Create(*model, {.kernels = KernelChoice::kAuto});
    auto ref = Interpreter::Create(*model, {.kernels = KernelChoice::kReference});
    ASSERT_TRUE(fast.ok() && ref.ok());
    const auto input = RandomBytes<uint8_t>(fast->input(0).data.size(), rng);
    ASSERT_TRUE(fast->SetInput(0, input).ok() && ref->SetInput(0, input).ok());
    ASSERT_TRUE(fast->Invoke().ok() && ref->Invoke().ok());
    EXPECT_TRUE(std::ranges::equal(fast->output(0).data, ref->output(0).data)) << name;
  }
}

}  // namespace
}  // namespace edgetl
