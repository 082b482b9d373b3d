// End-to-end classification of the shared images with the real models.
#include <gtest/gtest.h>

#include "edgetl/classification.h"
#include "edgetl/image.h"
#include "edgetl/interpreter.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

using testing::DataPath;

// Top class and score of `model` on `image`.
ClassScore Classify(const std::string& model_name, const std::string& image_path,
                    Preprocessing conversion = {}) {
  auto model = Model::FromFile(DataPath("models/" + model_name));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return {};
  auto interpreter = Interpreter::Create(*model);
  EXPECT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  if (!interpreter.ok()) return {};
  const int channels = interpreter->input(0).info->shape[3];
  auto image = LoadImage(image_path, channels);
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  if (!image.ok()) return {};
  EXPECT_TRUE(ResizeBilinearInto(*image, interpreter->input(0), conversion).ok());
  EXPECT_TRUE(interpreter->Invoke().ok());
  auto scores = interpreter->DequantizedOutput(0);
  EXPECT_TRUE(scores.ok());
  return TopK(*scores, 1).at(0);
}

TEST(Classification, CatWithEachClassifier) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat.bmp"));
  const std::string cat = DataPath("images/cat.bmp");
  EXPECT_EQ(Classify("mobilenet_v1_0.25_128_quant.tflite", cat).id, 283);  // tiger cat
  EXPECT_EQ(Classify("mobilenet_v1_0.5_160_quant.tflite", cat).id, 286);   // Egyptian cat
  EXPECT_EQ(Classify("mobilenet_v2_1.0_224_quant.tflite", cat).id, 286);
  EXPECT_EQ(Classify("tf2_mobilenet_v2_1.0_224_ptq.tflite", cat).id, 286);
}

TEST(Classification, EmbeddingExtractorFollowedByHeadLayers) {
  EDGETL_REQUIRE_DATA(DataPath("images/cat.bmp"));
  auto extractor =
      Model::FromFile(DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"));
  auto head = Model::FromFile(DataPath("models/mobilenet_v1_1.0_224_quant_head_layers.tflite"));
  ASSERT_TRUE(extractor.ok() && head.ok());
  auto run_extractor = Interpreter::Create(*extractor);
  auto run_head = Interpreter::Create(*head);
  ASSERT_TRUE(run_extractor.ok() && run_head.ok());
  auto image = LoadImage(DataPath("images/cat.bmp"));
  ASSERT_TRUE(image.ok());
  ASSERT_TRUE(ResizeBilinearInto(*image, run_extractor->input(0)).ok());
  ASSERT_TRUE(run_extractor->Invoke().ok());
  ASSERT_TRUE(run_head->SetInput(0, run_extractor->output(0).data).ok());
  ASSERT_TRUE(run_head->Invoke().ok());
  auto scores = run_head->DequantizedOutput(0);
  ASSERT_TRUE(scores.ok());
  const ClassScore top = TopK(*scores, 1)[0];
  EXPECT_EQ(top.id, 286);
  EXPECT_GT(top.score, 0.8f);
}

// TensorFlow Lite refuses this model (1-D per-axis biases declaring
// quantized_dimension 3); edgetl warns and runs it. Its sample BMPs hold
// int8 values in their bytes, hence raw_int8.
TEST(Classification, PersonDetectGrayscaleInt8) {
  const auto dir = DataPath("models/person_detect");
  EDGETL_REQUIRE_DATA(dir);
  const Preprocessing raw{.raw_int8 = true};
  EXPECT_EQ(Classify("person_detect/person_detect.tflite", dir / "person.bmp", raw).id, 1);
  EXPECT_EQ(Classify("person_detect/person_detect.tflite", dir / "no_person.bmp", raw).id, 0);
}

TEST(TopK, OrdersByScoreThenId) {
  const std::vector<float> scores = {0.1f, 0.5f, 0.2f, 0.5f};
  const auto top = TopK(scores, 3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].id, 1);
  EXPECT_EQ(top[1].id, 3);
  EXPECT_EQ(top[2].id, 2);
  EXPECT_EQ(TopK(scores, 0).size(), 4u);
}

}  // namespace
}  // namespace edgetl
