// Float32 models through the interpreter: every kernel with a float path
// (each Eval's type switch sends float tensors there) on small hand-computed
// cases. The quantized tests compare with float arithmetic done in the test;
// these run the kernels' own float code.
#include <cmath>

#include <gtest/gtest.h>

#include "testing/op_test_util.h"

namespace edgetl {
namespace {

using fb::BuiltinOperator;
using testing::Bytes;
using testing::ConvOptions;
using testing::DepthwiseOptions;
using testing::RunModel;
using testing::SoftmaxOptions;

// A model of one op from float input tensors of `in_shapes` (the first
// `inputs` of them fed, the rest constants from `constants`) to a float
// output of `out_shape`.
struct FloatOp {
  BuiltinOperator op;
  std::vector<std::vector<int>> in_shapes;
  std::vector<std::vector<float>> constants;  // for in_shapes[fed...]
  size_t fed = 1;
  std::vector<int> out_shape;
  fb::BuiltinOptionsUnion options;
};

std::vector<float> RunFloatOp(FloatOp spec, const std::vector<std::vector<float>>& inputs) {
  ModelBuilder b;
  std::vector<int> in_tensors, fed;
  for (size_t i = 0; i < spec.in_shapes.size(); ++i) {
    const std::string name = "in" + std::to_string(i);
    const int t = i < spec.fed ? b.AddTensor(name, TensorType::kFloat32, spec.in_shapes[i])
                               : b.AddConstTensor(name, TensorType::kFloat32, spec.in_shapes[i],
                                                  spec.constants[i - spec.fed]);
    in_tensors.push_back(t);
    if (i < spec.fed) fed.push_back(t);
  }
  const int out = b.AddTensor("out", TensorType::kFloat32, spec.out_shape);
  b.AddOperator(spec.op, in_tensors, {out}, std::move(spec.options));
  b.SetInputs(fed);
  b.SetOutputs({out});
  std::vector<std::vector<uint8_t>> bytes;
  for (const std::vector<float>& v : inputs) bytes.push_back(Bytes(v));
  std::string error;
  std::vector<float> got = RunModel<float>(b, bytes, &error);
  EXPECT_TRUE(error.empty()) << error;
  return got;
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-5f) << "at " << i;
}

TEST(FloatOps, Conv2DWithBiasAndRelu) {
  // Two 2x2 filters over a 2x2 image: 1 + 4 + 0.5 and 2 - 3 - 1 (ReLU: 0).
  const std::vector<float> got =
      RunFloatOp({BuiltinOperator::CONV_2D,
                  {{1, 2, 2, 1}, {2, 2, 2, 1}, {2}},
                  {{1, 0, 0, 1, 0, 1, -1, 0}, {0.5f, -1}},
                  1,
                  {1, 1, 1, 2},
                  ConvOptions(fb::Padding::VALID, 1, 1, fb::ActivationFunctionType::RELU)},
                 {{1, 2, 3, 4}});
  ExpectNear(got, {5.5f, 0.f});
}

TEST(FloatOps, DepthwiseConv2DPerChannel) {
  // Channel 0: 1*1 + 3*2 + 5*3 + 7*4; channel 1: -(2 + 8) + 1.
  const std::vector<float> got = RunFloatOp({BuiltinOperator::DEPTHWISE_CONV_2D,
                                             {{1, 2, 2, 2}, {1, 2, 2, 2}, {2}},
                                             {{1, -1, 2, 0, 3, 0, 4, -1}, {0, 1}},
                                             1,
                                             {1, 1, 1, 2},
                                             DepthwiseOptions(fb::Padding::VALID, 1)},
                                            {{1, 2, 3, 4, 5, 6, 7, 8}});
  ExpectNear(got, {50.f, -9.f});
}

TEST(FloatOps, FullyConnectedWithRelu6) {
  fb::FullyConnectedOptionsT o;
  o.fused_activation_function = fb::ActivationFunctionType::RELU6;
  fb::BuiltinOptionsUnion u;
  u.Set(o);
  // 1 + 2 + 3 + 1 clamped to 6; 1 - 2 + 2.5.
  const std::vector<float> got = RunFloatOp({BuiltinOperator::FULLY_CONNECTED,
                                             {{1, 3}, {2, 3}, {2}},
                                             {{1, 1, 1, 1, -1, 0}, {1, 2.5f}},
                                             1,
                                             {1, 2},
                                             std::move(u)},
                                            {{1, 2, 3}});
  ExpectNear(got, {6.f, 1.5f});
}

TEST(FloatOps, PoolingAndMean) {
  const std::vector<float> image = {1, 2, 3, 6};
  for (const BuiltinOperator op :
       {BuiltinOperator::AVERAGE_POOL_2D, BuiltinOperator::MAX_POOL_2D}) {
    const std::vector<float> got = RunFloatOp(
        {op, {{1, 2, 2, 1}}, {}, 1, {1, 1, 1, 1}, testing::PoolOptions(fb::Padding::VALID, 2, 1)},
        {image});
    ExpectNear(got, {op == BuiltinOperator::MAX_POOL_2D ? 6.f : 3.f});
  }
  fb::ReducerOptionsT r;
  r.keep_dims = false;
  fb::BuiltinOptionsUnion u;
  u.Set(r);
  ModelBuilder b;  // MEAN's axes are an int32 constant
  const int in = b.AddTensor("in", TensorType::kFloat32, {1, 2, 2, 1});
  const int axes = b.AddConstTensor("axes", TensorType::kInt32, {2}, std::vector<int32_t>{1, 2});
  const int out = b.AddTensor("out", TensorType::kFloat32, {1, 1});
  b.AddOperator(BuiltinOperator::MEAN, {in, axes}, {out}, std::move(u));
  b.SetInputs({in});
  b.SetOutputs({out});
  ExpectNear(RunModel<float>(b, {Bytes(image)}), {3.f});
}

TEST(FloatOps, SoftmaxAndActivations) {
  ExpectNear(RunFloatOp({BuiltinOperator::SOFTMAX, {{1, 2}}, {}, 1, {1, 2}, SoftmaxOptions()},
                        {{0.f, std::log(3.f)}}),
             {0.25f, 0.75f});
  const std::vector<float> x = {-1.f, 0.5f, 7.f};
  ExpectNear(RunFloatOp({BuiltinOperator::RELU, {{3}}, {}, 1, {3}, {}}, {x}), {0.f, 0.5f, 7.f});
  ExpectNear(RunFloatOp({BuiltinOperator::RELU6, {{3}}, {}, 1, {3}, {}}, {x}), {0.f, 0.5f, 6.f});
  ExpectNear(
      RunFloatOp({BuiltinOperator::LOGISTIC, {{3}}, {}, 1, {3}, {}}, {x}),
      {1.f / (1.f + std::exp(1.f)), 1.f / (1.f + std::exp(-0.5f)), 1.f / (1.f + std::exp(-7.f))});
  ExpectNear(
      RunFloatOp({BuiltinOperator::L2_NORMALIZATION, {{1, 2}}, {}, 1, {1, 2}, {}}, {{3.f, 4.f}}),
      {0.6f, 0.8f});
}

TEST(FloatOps, ElementwiseWithFusedRelu6) {
  const std::vector<float> a = {4.f, 2.f, -3.f}, c = {1.f, 10.f, 1.f};
  const struct {
    BuiltinOperator op;
    std::vector<float> expected;
  } cases[] = {{BuiltinOperator::ADD, {5.f, 6.f, 0.f}},
               {BuiltinOperator::SUB, {3.f, 0.f, 0.f}},
               {BuiltinOperator::MUL, {4.f, 6.f, 0.f}}};
  for (const auto& t : cases) {
    SCOPED_TRACE(fb::EnumNameBuiltinOperator(t.op));
    fb::BuiltinOptionsUnion u;
    if (t.op == BuiltinOperator::ADD) {
      fb::AddOptionsT o;
      o.fused_activation_function = fb::ActivationFunctionType::RELU6;
      u.Set(o);
    } else if (t.op == BuiltinOperator::SUB) {
      fb::SubOptionsT o;
      o.fused_activation_function = fb::ActivationFunctionType::RELU6;
      u.Set(o);
    } else {
      fb::MulOptionsT o;
      o.fused_activation_function = fb::ActivationFunctionType::RELU6;
      u.Set(o);
    }
    ExpectNear(RunFloatOp({t.op, {{3}, {3}}, {}, 2, {3}, std::move(u)}, {a, c}), t.expected);
  }
}

}  // namespace
}  // namespace edgetl
