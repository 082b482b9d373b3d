// The uint8-to-int8 input shim of TF2 int8 models: which QUANTIZE ops are
// shims, and that skipping one (its convolution reading the uint8 input)
// leaves every output byte as the reference kernels make it.
#include "runtime/sign_flip_shim.h"

#include <random>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "testing/op_test_util.h"

namespace edgetl {
namespace {

using fb::BuiltinOperator;

struct ShimModel {
  float in_scale = 0.02f, mid_scale = 0.02f;
  int in_zp = 120, mid_zp = -8;  // a shim: mid_zp == in_zp - 128
  int k = 3, stride = 2;         // the convolution's window and stride
  bool mid_is_output = false;    // the shim's output also a graph output
  bool second_reader = false;    // a second op reads the shim's output
};

// uint8 input [1, 9, 11, 3] -> QUANTIZE -> int8 -> CONV_2D (k x k, 5
// channels, per-channel weights, SAME) -> int8 output (and, with
// second_reader, an ADD of the shim's output to itself as a second output).
Result<Model> BuildShimModel(const ShimModel& s, std::mt19937& rng) {
  ModelBuilder b;
  const int h = 9, w = 11, c = 3, oc = 5;
  const int in =
      b.AddTensor("in", TensorType::kUInt8, {1, h, w, c}, PerTensor(s.in_scale, s.in_zp));
  const int mid =
      b.AddTensor("mid", TensorType::kInt8, {1, h, w, c}, PerTensor(s.mid_scale, s.mid_zp));
  b.AddOperator(BuiltinOperator::QUANTIZE, {in}, {mid});
  Quantization wq;
  for (int o = 0; o < oc; ++o) {
    wq.scale.push_back(0.003f * (o + 1));
    wq.zero_point.push_back(0);
  }
  std::vector<uint8_t> weights(static_cast<size_t>(oc) * s.k * s.k * c);
  for (uint8_t& v : weights) v = static_cast<uint8_t>(rng());
  const int tw = b.AddTensor("w", TensorType::kInt8, {oc, s.k, s.k, c}, wq, weights);
  std::vector<int32_t> bias(oc);
  for (int32_t& v : bias) v = static_cast<int32_t>(rng() % 2001) - 1000;
  const int tb = b.AddConstTensor("b", TensorType::kInt32, {oc}, bias, PerTensor(0.0001f, 0));
  const int oh = (h + s.stride - 1) / s.stride, ow = (w + s.stride - 1) / s.stride;
  const int out = b.AddTensor("out", TensorType::kInt8, {1, oh, ow, oc}, PerTensor(0.1f, 3));
  fb::BuiltinOptionsUnion u;
  fb::Conv2DOptionsT o;
  o.padding = fb::Padding::SAME;
  o.stride_w = o.stride_h = s.stride;
  o.fused_activation_function = fb::ActivationFunctionType::RELU6;
  u.Set(o);
  b.AddOperator(BuiltinOperator::CONV_2D, {mid, tw, tb}, {out}, std::move(u));
  std::vector<int> outputs{out};
  if (s.mid_is_output) outputs.push_back(mid);
  if (s.second_reader) {
    const int sum = b.AddTensor("sum", TensorType::kInt8, {1, h, w, c}, PerTensor(0.04f, 0));
    b.AddOperator(BuiltinOperator::ADD, {mid, mid}, {sum});
    outputs.push_back(sum);
  }
  b.SetInputs({in});
  b.SetOutputs(outputs);
  return b.Build();
}

TEST(SignFlipShim, FindsTheQuantizeThatOnlyFlipsTheSignBit) {
  std::mt19937 rng(3);
  auto model = BuildShimModel({}, rng);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto shims = FindSignFlipShims(*model);
  ASSERT_EQ(shims.size(), 1u);
  EXPECT_EQ(shims[0].op, 0);
  EXPECT_EQ(shims[0].source, model->inputs()[0]);
  EXPECT_EQ(shims[0].consumer, 1);
}

TEST(SignFlipShim, LeavesOtherQuantizeOpsAlone) {
  std::mt19937 rng(4);
  ShimModel rescales;  // different scales: a real requantization
  rescales.mid_scale = 0.03f;
  ShimModel other_offset;  // zero points 127 apart: not the same bytes
  other_offset.mid_zp = other_offset.in_zp - 127;
  ShimModel read_as_output;  // the output must be written
  read_as_output.mid_is_output = true;
  ShimModel read_twice;  // the other reader needs the int8 tensor
  read_twice.second_reader = true;
  for (const ShimModel& s : {rescales, other_offset, read_as_output, read_twice}) {
    auto model = BuildShimModel(s, rng);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_TRUE(FindSignFlipShims(*model).empty());
    auto interpreter = Interpreter::Create(*model);
    ASSERT_TRUE(interpreter.ok()) << interpreter.status().ToString();
    EXPECT_TRUE(interpreter->stats().skipped_ops.empty());
  }
}

// Runs `model` with the optimized kernels on `threads` and with the
// reference ones on random inputs; returns the optimized interpreter's
// skipped ops.
std::vector<int> ExpectSameAsReference(const Model& model, int threads, std::mt19937& rng,
                                       bool preserve = false) {
  auto fast = Interpreter::Create(model, {.preserve_intermediates = preserve, .threads = threads});
  auto ref = Interpreter::Create(model, {.kernels = KernelChoice::kReference});
  EXPECT_TRUE(fast.ok() && ref.ok());
  if (!fast.ok() || !ref.ok()) return {};
  for (int trial = 0; trial < 3; ++trial) {
    std::vector<uint8_t> input(fast->input(0).data.size());
    for (uint8_t& v : input) v = static_cast<uint8_t>(rng());
    EXPECT_TRUE(fast->SetInput(0, input).ok() && ref->SetInput(0, input).ok());
    EXPECT_TRUE(fast->Invoke().ok() && ref->Invoke().ok());
    for (int o = 0; o < ref->num_outputs(); ++o) {
      EXPECT_TRUE(std::ranges::equal(fast->output(o).data, ref->output(o).data))
          << "output " << o << " on " << threads << " threads";
    }
  }
  return fast->stats().skipped_ops;
}

TEST(SignFlipShim, SkippedShimGivesTheReferenceBytes) {
  std::mt19937 rng(5);
  auto model = BuildShimModel({}, rng);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  // The convolution reads the uint8 input where it pads its input for the
  // VNNI GEMM; elsewhere the QUANTIZE runs.
  const std::vector<int> expected =
      optimized::HasAvx512Vnni() ? std::vector<int>{0} : std::vector<int>{};
  for (int threads = 1; threads <= 3; ++threads) {
    EXPECT_EQ(ExpectSameAsReference(*model, threads, rng), expected);
  }
  // Intermediates kept for reading: every op runs.
  EXPECT_TRUE(ExpectSameAsReference(*model, 2, rng, true).empty());
}

TEST(SignFlipShim, ConsumerThatDoesNotPadRunsTheShim) {
  std::mt19937 rng(6);
  ShimModel one_by_one;  // 1x1 layers read their rows in place: no padded copy
  one_by_one.k = 1;
  one_by_one.stride = 1;
  auto model = BuildShimModel(one_by_one, rng);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(FindSignFlipShims(*model).size(), 1u);
  EXPECT_TRUE(ExpectSameAsReference(*model, 2, rng).empty());
}

}  // namespace
}  // namespace edgetl
