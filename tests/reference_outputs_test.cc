// Byte-exact agreement with TensorFlow Lite's reference kernels on every
// input/output pair in shared/reference, final and per layer.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "edgetl/interpreter.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;
using testing::DataPath;
using testing::ReadBytes;

fs::path ModelPathFor(const std::string& name) { return DataPath("models/" + name + ".tflite"); }

// Number of bytes that differ, and the largest difference (as unsigned bytes).
std::string DescribeDiff(std::span<const uint8_t> got, const std::vector<uint8_t>& want) {
  size_t differing = 0;
  int max_diff = 0;
  size_t first = 0;
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    if (got[i] != want[i]) {
      if (!differing) first = i;
      ++differing;
      max_diff = std::max(max_diff, std::abs(int(got[i]) - int(want[i])));
    }
  }
  std::ostringstream s;
  s << differing << " of " << want.size() << " bytes differ (max " << max_diff << ", first at "
    << first << ")";
  return s.str();
}

class ReferenceOutputs : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceOutputs, FinalOutputsMatchByteForByte) {
  const fs::path dir = DataPath("reference/" + GetParam());
  EDGETL_REQUIRE_DATA(dir);
  auto model = Model::FromFile(ModelPathFor(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  int compared = 0;
  for (const auto& entry : fs::directory_iterator(dir / "inputs")) {
    const fs::path expected_path = dir / "outputs" / entry.path().filename();
    if (!fs::exists(expected_path)) continue;
    const auto input = ReadBytes(entry.path());
    ASSERT_TRUE(interpreter->SetInput(0, input).ok());
    ASSERT_TRUE(interpreter->Invoke().ok());
    const auto expected = ReadBytes(expected_path);
    const auto got = interpreter->output(0).data;
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), expected.begin()))
        << entry.path().filename() << ": " << DescribeDiff(got, expected);
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(AllModels, ReferenceOutputs,
                         ::testing::Values("mobilenet_v1_0.25_128_quant",
                                           "mobilenet_v1_0.5_160_quant",
                                           "mobilenet_v1_1.0_224_quant_embedding_extractor",
                                           "mobilenet_v1_1.0_224_quant_head_layers",
                                           "mobilenet_v2_1.0_224_quant",
                                           "tf2_mobilenet_v2_1.0_224_ptq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

class ReferenceLayers : public ::testing::TestWithParam<std::string> {};

// Every operator's output for the cat input, so that a mismatch names the
// first layer that goes wrong.
TEST_P(ReferenceLayers, EveryLayerMatchesByteForByte) {
  const fs::path dir = DataPath("reference/" + GetParam());
  EDGETL_REQUIRE_DATA(dir / "layers_cat/index.tsv");
  auto model = Model::FromFile(ModelPathFor(GetParam()));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  InterpreterOptions options;
  options.preserve_intermediates = true;
  auto interpreter = Interpreter::Create(*model, options);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  ASSERT_TRUE(interpreter->SetInput(0, ReadBytes(dir / "inputs/cat.bin")).ok());
  ASSERT_TRUE(interpreter->Invoke().ok());
  std::ifstream index(dir / "layers_cat/index.tsv");
  std::string line;
  std::getline(index, line);  // header
  int layers = 0;
  while (std::getline(index, line)) {
    std::istringstream fields(line);
    std::string op, code, tensor;
    std::getline(fields, op, '\t');
    std::getline(fields, code, '\t');
    std::getline(fields, tensor, '\t');
    const auto expected = ReadBytes(dir / ("layers_cat/tensor_" + tensor + ".bin"));
    auto view = interpreter->tensor(std::stoi(tensor));
    ASSERT_TRUE(view.ok());
    ASSERT_EQ(view->data.size(), expected.size()) << "op " << op << " " << code;
    ASSERT_TRUE(std::equal(view->data.begin(), view->data.end(), expected.begin()))
        << "first mismatch at op " << op << " " << code << " (tensor " << tensor
        << "): " << DescribeDiff(view->data, expected);
    ++layers;
  }
  EXPECT_GT(layers, 0);
}

INSTANTIATE_TEST_SUITE_P(PerLayer, ReferenceLayers,
                         ::testing::Values("mobilenet_v1_1.0_224_quant_embedding_extractor",
                                           "tf2_mobilenet_v2_1.0_224_ptq"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace edgetl
