// Damaged .tflite files: whatever bytes a model holds, loading it, creating
// an interpreter and running it either work or end in an error that names
// the problem; nothing crashes, hangs or reads out of bounds (the sanitizer
// build runs this too).
#include <sys/resource.h>

#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "edgetl/interpreter.h"
#include "edgetl/model.h"
#include "model/model_builder.h"
#include "testing/op_test_util.h"

namespace edgetl {
namespace {

using fb::BuiltinOperator;
using testing::ConvOptions;
using testing::DepthwiseOptions;
using testing::PoolOptions;
using testing::SoftmaxOptions;

template <typename T>
std::vector<T> Ramp(size_t n, int modulo, int offset) {
  std::vector<T> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<T>(static_cast<int>(i * 7 % modulo) + offset);
  return v;
}

// A small uint8 classifier whose file is mostly structure, not weights:
// CONV_2D 3x3 -> DEPTHWISE_CONV_2D 3x3 -> ADD (of both) -> AVERAGE_POOL_2D
// -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX, the ops and tensor kinds
// (per-tensor and per-axis quantization, constants, options) of a MobileNet.
std::vector<uint8_t> SmallClassifier() {
  const TensorType u8 = TensorType::kUInt8;
  ModelBuilder b;
  const int image = b.AddTensor("image", u8, {1, 8, 8, 3}, PerTensor(0.02f, 128));
  const auto conv_w = Ramp<uint8_t>(8 * 3 * 3 * 3, 256, 0);
  const int cw = b.AddTensor("conv/w", u8, {8, 3, 3, 3}, PerTensor(0.01f, 120), conv_w);
  const int cb = b.AddConstTensor("conv/b", TensorType::kInt32, {8}, Ramp<int32_t>(8, 90, -40),
                                  PerTensor(0.0002f, 0));
  const int conv = b.AddTensor("conv", u8, {1, 8, 8, 8}, PerTensor(0.05f, 0));
  b.AddOperator(BuiltinOperator::CONV_2D, {image, cw, cb}, {conv},
                ConvOptions(fb::Padding::SAME, 1, 1, fb::ActivationFunctionType::RELU6));

  Quantization dq;
  dq.axis = 3;
  dq.scale = {0.02f};
  dq.zero_point = {130};
  const int dw = b.AddTensor("dw/w", u8, {1, 3, 3, 8}, dq, Ramp<uint8_t>(3 * 3 * 8, 256, 0));
  const int db = b.AddConstTensor("dw/b", TensorType::kInt32, {8}, Ramp<int32_t>(8, 50, -20),
                                  PerTensor(0.001f, 0));
  const int depthwise = b.AddTensor("dw", u8, {1, 8, 8, 8}, PerTensor(0.04f, 0));
  b.AddOperator(BuiltinOperator::DEPTHWISE_CONV_2D, {conv, dw, db}, {depthwise},
                DepthwiseOptions(fb::Padding::SAME, 1));

  const int sum = b.AddTensor("sum", u8, {1, 8, 8, 8}, PerTensor(0.08f, 3));
  b.AddOperator(BuiltinOperator::ADD, {conv, depthwise}, {sum});

  const int pooled = b.AddTensor("pool", u8, {1, 1, 1, 8}, PerTensor(0.08f, 3));
  b.AddOperator(BuiltinOperator::AVERAGE_POOL_2D, {sum}, {pooled},
                PoolOptions(fb::Padding::VALID, 8, 1));

  const int shape = b.AddConstTensor("shape", TensorType::kInt32, {2}, std::vector<int32_t>{1, 8});
  const int flat = b.AddTensor("flat", u8, {1, 8}, PerTensor(0.08f, 3));
  b.AddOperator(BuiltinOperator::RESHAPE, {pooled, shape}, {flat});

  const int fw = b.AddTensor("fc/w", u8, {5, 8}, PerTensor(0.03f, 125), Ramp<uint8_t>(40, 256, 0));
  const int fb_ = b.AddConstTensor("fc/b", TensorType::kInt32, {5}, Ramp<int32_t>(5, 30, -10),
                                   PerTensor(0.0024f, 0));
  const int logits = b.AddTensor("logits", u8, {1, 5}, PerTensor(0.1f, 128));
  b.AddOperator(BuiltinOperator::FULLY_CONNECTED, {flat, fw, fb_}, {logits});

  const int probs = b.AddTensor("probs", u8, {1, 5}, PerTensor(1.0f / 256, 0));
  b.AddOperator(BuiltinOperator::SOFTMAX, {logits}, {probs}, SoftmaxOptions());
  b.SetInputs({image});
  b.SetOutputs({probs});
  return b.Pack();
}

// Load, create and run; an error must carry a model-problem code and a
// message. Returns the stage reached: 0 not loaded, 1 loaded, 2 created
// and run.
int LoadCreateRun(std::span<const uint8_t> bytes, const InterpreterOptions& options,
                  const std::string& what) {
  const auto expect_model_error = [&](const Status& s) {
    EXPECT_TRUE(s.code() == StatusCode::kCorruptModel || s.code() == StatusCode::kUnsupported)
        << what << ": " << s.ToString();
    EXPECT_FALSE(s.message().empty()) << what;
  };
  auto model = Model::FromBuffer(bytes);
  if (!model.ok()) {
    expect_model_error(model.status());
    return 0;
  }
  auto interpreter = Interpreter::Create(*model, options);
  if (!interpreter.ok()) {
    expect_model_error(interpreter.status());
    return 1;
  }
  for (int i = 0; i < interpreter->num_inputs(); ++i) {
    const TensorView in = interpreter->input(i);
    std::fill(in.data.begin(), in.data.end(), uint8_t{77});
  }
  EXPECT_TRUE(interpreter->Invoke().ok()) << what;
  return 2;
}

TEST(CorruptModels, ValidModelRunsBothWays) {
  const auto bytes = SmallClassifier();
  EXPECT_EQ(LoadCreateRun(bytes, {}, "optimized"), 2);
  EXPECT_EQ(LoadCreateRun(bytes, {.kernels = KernelChoice::kReference}, "reference"), 2);
}

// Seeded damage to 1-4 bytes at a time, every kind a disk or a download
// does: a flipped bit, a byte zeroed, set to 0xFF or to anything.
TEST(CorruptModels, DamagedBytesGiveErrorsNotCrashes) {
  const auto original = SmallClassifier();
  std::mt19937 rng(2026);
  int stages[3] = {};
  for (int trial = 0; trial < 1500; ++trial) {
    std::vector<uint8_t> bytes = original;
    const int damaged = 1 + static_cast<int>(rng() % 4);
    std::string what = "trial " + std::to_string(trial) + ":";
    for (int i = 0; i < damaged; ++i) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:
          bytes[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          bytes[at] = 0;
          break;
        case 2:
          bytes[at] = 0xFF;
          break;
        default:
          bytes[at] = static_cast<uint8_t>(rng());
          break;
      }
      what += " byte " + std::to_string(at) + "=" + std::to_string(bytes[at]);
    }
    // Odd trials on the reference kernels: their checks and code differ.
    const InterpreterOptions options = trial % 2
                                           ? InterpreterOptions{.kernels = KernelChoice::kReference}
                                           : InterpreterOptions{.threads = 1};
    ++stages[LoadCreateRun(bytes, options, what)];
    if (HasFailure()) return;  // one trial's report is enough
  }
  // The damage reached every stage: some files were refused when read,
  // some by the interpreter's checks, and some still ran.
  EXPECT_GT(stages[0], 0);
  EXPECT_GT(stages[1], 0);
  EXPECT_GT(stages[2], 0);
  std::printf("refused on load %d, by Create %d, ran %d\n", stages[0], stages[1], stages[2]);
}

// Peak resident memory of this process so far, in MB.
double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

// A damaged shape can declare a tensor of a gigabyte: the op's check
// refuses it before the interpreter allocates any activation memory.
TEST(CorruptModels, HugeDeclaredShapeIsRefusedBeforeAllocating) {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 8, 8, 8}, PerTensor(0.5f, 10));
  // 2^30 bytes, within the format's limit on elements (2^31).
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 8, 8, 1 << 24}, PerTensor(0.5f, 10));
  b.AddOperator(BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto model = b.Build();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const double before = PeakRssMb();
  auto interpreter = Interpreter::Create(*model);
  ASSERT_FALSE(interpreter.ok());
  EXPECT_EQ(interpreter.status().code(), StatusCode::kCorruptModel)
      << interpreter.status().ToString();
  EXPECT_LT(PeakRssMb() - before, 256.0) << "Create touched the declared tensor's memory";
}

// Cut short anywhere: a download that stopped.
TEST(CorruptModels, EveryTruncationIsRefused) {
  const auto original = SmallClassifier();
  for (size_t size = 0; size < original.size(); size += 7) {
    EXPECT_EQ(LoadCreateRun(std::span(original.data(), size), {}, "size " + std::to_string(size)),
              0);
  }
}

}  // namespace
}  // namespace edgetl
