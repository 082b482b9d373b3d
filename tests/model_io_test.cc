// Loading, verification, round-trip and saving of .tflite models.
#include <atomic>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "edgetl/file_io.h"
#include "edgetl/interpreter.h"
#include "edgetl/model.h"
#include "model/model_builder.h"
#include "testing/temp_dir.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;

// A tiny valid model: input [1,4] uint8 -> RELU -> output.
ModelBuilder TinyModel() {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 4}, PerTensor(0.5f, 10));
  const int out = b.AddTensor("out", TensorType::kUInt8, {1, 4}, PerTensor(0.5f, 10));
  b.AddOperator(fb::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return b;
}

void ExpectError(const Result<Model>& r, StatusCode code, const std::string& fragment) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().ToString();
}

TEST(ModelIo, BuildsAndLoadsSyntheticModel) {
  auto model = TinyModel().Build();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->num_tensors(), 2);
  EXPECT_EQ(model->num_operators(), 1);
  EXPECT_EQ(model->op(0).op_name, "RELU");
  EXPECT_EQ(model->tensor(0).quant.zero_point[0], 10);
}

TEST(ModelIo, MissingFileIsNotFound) {
  ExpectError(Model::FromFile("/nonexistent/model.tflite"), StatusCode::kNotFound, "no such file");
}

TEST(ModelIo, EmptyAndTruncatedFilesAreCorrupt) {
  ExpectError(Model::FromBuffer(std::span<const uint8_t>()), StatusCode::kCorruptModel,
              "too short");
  const auto bytes = TinyModel().Pack();
  for (size_t cut : {bytes.size() / 2, bytes.size() - 8, size_t{20}}) {
    auto r = Model::FromBuffer(std::span<const uint8_t>(bytes.data(), cut));
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruptModel);
  }
  ExpectError(Model::FromBuffer(std::span<const uint8_t>(bytes.data(), bytes.size() / 2)),
              StatusCode::kCorruptModel, "verifier");
}

TEST(ModelIo, BadMagicIsCorrupt) {
  auto bytes = TinyModel().Pack();
  std::memcpy(bytes.data() + 4, "PNG!", 4);
  ExpectError(Model::FromBuffer(bytes), StatusCode::kCorruptModel,
              "bad magic: file identifier is 'PNG!'");
}

TEST(ModelIo, OperatorTensorIndexOutOfRange) {
  ModelBuilder b = TinyModel();
  b.graph().operators[0]->inputs = {7};
  ExpectError(b.Build(), StatusCode::kCorruptModel, "op 0 input 0 refers to tensor 7");
}

TEST(ModelIo, GraphOutputIndexOutOfRange) {
  ModelBuilder b = TinyModel();
  b.graph().outputs = {-3};
  ExpectError(b.Build(), StatusCode::kCorruptModel, "output 0 refers to tensor -3");
}

TEST(ModelIo, BufferIndexOutOfRange) {
  ModelBuilder b = TinyModel();
  b.graph().tensors[0]->buffer = 99;
  ExpectError(b.Build(), StatusCode::kCorruptModel, "refers to buffer 99");
}

TEST(ModelIo, OpcodeIndexOutOfRange) {
  ModelBuilder b = TinyModel();
  b.graph().operators[0]->opcode_index = 5;
  ExpectError(b.Build(), StatusCode::kCorruptModel, "uses operator code 5");
}

TEST(ModelIo, OversizedShapeIsCorrupt) {
  ModelBuilder b = TinyModel();
  b.graph().tensors[1]->shape = {100000, 100000, 100000};
  ExpectError(b.Build(), StatusCode::kCorruptModel, "oversized shape");
}

TEST(ModelIo, BufferSizeMustMatchShape) {
  ModelBuilder b = TinyModel();
  b.AddConstTensor<int32_t>("weights", TensorType::kInt32, {3}, {1, 2});
  ExpectError(b.Build(), StatusCode::kCorruptModel,
              "has 8 bytes of data, but its shape and type need 12");
}

TEST(ModelIo, MissingSubgraphIsCorrupt) {
  ModelBuilder b = TinyModel();
  b.model().subgraphs.clear();
  ExpectError(b.Build(), StatusCode::kCorruptModel, "no subgraph 0");
}

TEST(ModelIo, WrongSchemaVersionIsRejected) {
  ModelBuilder b = TinyModel();
  b.model().version = 2;
  ExpectError(b.Build(), StatusCode::kCorruptModel, "schema version 2");
}

TEST(ModelIo, PerAxisScaleCountMustMatchDimension) {
  ModelBuilder b = TinyModel();
  Quantization q;
  q.scale = {1.f, 2.f, 3.f};
  q.zero_point = {0, 0, 0};
  q.axis = 1;
  b.AddTensor("w", TensorType::kInt8, {2, 4}, q);
  ExpectError(b.Build(), StatusCode::kCorruptModel, "3 per-axis scales but dimension 1 is 4");
}

TEST(ModelIo, SaveIsAtomicAndExact) {
  auto model = TinyModel().Build();
  ASSERT_TRUE(model.ok());
  const testing::TempDir tmp;
  const fs::path& dir = tmp.path();
  const fs::path path = dir / "m.tflite";
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("old content")).ok());
  ASSERT_TRUE(model->Save(path).ok());
  auto reloaded = Model::FromFile(path);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_TRUE(std::ranges::equal(reloaded->bytes(), model->bytes()));
  // No temporary files are left beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  // Saving into a missing directory fails cleanly.
  const Status s = model->Save(dir / "missing" / "m.tflite");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

// load -> unpack -> pack -> load gives the same content, field for field, for
// every model in the shared folder (including metadata, the Edge TPU custom
// op's options and models written by old converters).
TEST(ModelIo, RoundTripIsLosslessOnAllSharedModels) {
  const fs::path dir = DataPath("models");
  EDGETL_REQUIRE_DATA(dir);
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".tflite") continue;
    SCOPED_TRACE(entry.path().string());
    auto model = Model::FromFile(entry.path());
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    auto rebuilt = ModelBuilder::FromModel(*model).Build();
    ASSERT_TRUE(rebuilt.ok()) << rebuilt.status().ToString();
    const ModelBuilder a = ModelBuilder::FromModel(*model);
    const ModelBuilder b = ModelBuilder::FromModel(*rebuilt);
    EXPECT_TRUE(a.model() == b.model());
    EXPECT_EQ(model->metadata_names(), rebuilt->metadata_names());
    EXPECT_EQ(model->description(), rebuilt->description());
    ++checked;
  }
  EXPECT_GE(checked, 8);
}

TEST(ModelIo, ReportsKinds) {
  EDGETL_REQUIRE_DATA(DataPath("models"));
  auto kind = [](const std::string& name) {
    auto m = Model::FromFile(DataPath("models/" + name));
    return m.ok() ? m->kind() : ModelKind::kOther;
  };
  EXPECT_EQ(kind("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"),
            ModelKind::kEmbeddingExtractor);
  EXPECT_EQ(kind("mobilenet_v1_1.0_224_quant_embedding_extractor_edgetpu.tflite"),
            ModelKind::kEdgeTpuCompiled);
  EXPECT_EQ(kind("mobilenet_v2_1.0_224_quant.tflite"), ModelKind::kClassifier);
}

TEST(ModelIo, PersonDetectWarnsAboutOneDimensionalPerAxisBias) {
  auto model = Model::FromFile(DataPath("models/person_detect/person_detect.tflite"));
  EDGETL_REQUIRE_DATA(DataPath("models/person_detect/person_detect.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_FALSE(model->warnings().empty());
  EXPECT_NE(model->warnings()[0].find("quantized_dimension 3"), std::string::npos);
}

// ---- Interpreter refusals ---------------------------------------------------

void ExpectCreateError(const Model& model, StatusCode code, const std::string& fragment) {
  auto r = Interpreter::Create(model);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  EXPECT_NE(r.status().message().find(fragment), std::string::npos) << r.status().ToString();
}

TEST(InterpreterErrors, EdgeTpuModelNeedsCpuVersion) {
  const auto path =
      DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor_edgetpu.tflite");
  EDGETL_REQUIRE_DATA(path);
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok());
  ExpectCreateError(*model, StatusCode::kUnsupported, "compiled for the Edge TPU");
  ExpectCreateError(*model, StatusCode::kUnsupported, "CPU version");
}

TEST(InterpreterErrors, UnsupportedOpNamesIndexAndOp) {
  ModelBuilder b = TinyModel();
  const int extra = b.AddTensor("t", TensorType::kUInt8, {1, 4}, PerTensor(0.5f, 10));
  b.AddOperator(fb::BuiltinOperator::TANH, {1}, {extra});
  b.SetOutputs({extra});
  auto model = b.Build();
  ASSERT_TRUE(model.ok());
  ExpectCreateError(*model, StatusCode::kUnsupported, "op 1 TANH: edgetl has no kernel");
}

TEST(InterpreterErrors, DynamicShapeIsRefused) {
  ModelBuilder b = TinyModel();
  b.graph().tensors[0]->shape = {-1, 4};
  b.graph().tensors[1]->shape = {-1, 4};
  auto model = b.Build();
  ASSERT_TRUE(model.ok());
  ExpectCreateError(*model, StatusCode::kUnsupported, "dynamic shape [-1,4]");
}

TEST(InterpreterErrors, WrongOutputShapeIsCorrupt) {
  ModelBuilder b = TinyModel();
  b.graph().tensors[1]->shape = {1, 5};
  auto model = b.Build();
  ASSERT_TRUE(model.ok());
  ExpectCreateError(*model, StatusCode::kCorruptModel,
                    "op 0 RELU: output tensor 1 is declared [1,5]");
}

TEST(InterpreterErrors, InputSizeAndIndexAreChecked) {
  auto model = TinyModel().Build();
  ASSERT_TRUE(model.ok());
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok());
  std::vector<uint8_t> three(3);
  Status s = interpreter->SetInput(0, three);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("= 4 bytes, but 3 bytes were given"), std::string::npos)
      << s.message();
  EXPECT_EQ(interpreter->SetInput(1, three).code(), StatusCode::kOutOfRange);
  EXPECT_FALSE(interpreter->tensor(17).ok());
}

TEST(Interpreter, SharedModelRunsOnSeveralThreads) {
  auto model = TinyModel().Build();
  ASSERT_TRUE(model.ok());
  std::vector<std::thread> threads;
  std::atomic<int> correct{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto interpreter = Interpreter::Create(*model);
      if (!interpreter.ok()) return;
      const std::vector<uint8_t> in = {uint8_t(t), 10, 20, uint8_t(30 + t)};
      for (int k = 0; k < 100; ++k) {
        (void)interpreter->SetInput(0, in);
        (void)interpreter->Invoke();
      }
      const auto out = interpreter->output(0).data;
      // RELU clamps below the zero point (10).
      if (out[0] == 10 && out[1] == 10 && out[2] == 20 && out[3] == 30 + t) ++correct;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(correct.load(), 4);
}

}  // namespace
}  // namespace edgetl
