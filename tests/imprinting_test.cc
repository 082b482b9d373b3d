// Weight imprinting: Coral's scenarios on the shared images, every error,
// the 200-sample cap across save/load, metadata, and losslessness.
#include <cmath>
#include <iostream>
#include <set>

#include <gtest/gtest.h>

#include "edgetl/classification.h"
#include "edgetl/image.h"
#include "edgetl/imprinting.h"
#include "edgetl/interpreter.h"
#include "model/model_builder.h"
#include "testing/test_data.h"

namespace edgetl {
namespace {

using testing::DataPath;

std::vector<float> RunOnImage(const Model& model, const std::string& name) {
  auto interpreter = Interpreter::Create(model);
  EXPECT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  auto image = LoadImage(DataPath("images/imprinting/" + name + ".bmp"));
  EXPECT_TRUE(image.ok()) << image.status().ToString();
  EXPECT_TRUE(ResizeBilinearInto(*image, interpreter->input(0)).ok());
  EXPECT_TRUE(interpreter->Invoke().ok());
  return *interpreter->DequantizedOutput(0);
}

class ImprintingOnSharedImages : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto path = DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing " << path;
    auto extractor = Model::FromFile(path);
    ASSERT_TRUE(extractor.ok());
    auto model = MakeImprintable(*extractor);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    model_ = std::make_unique<Model>(*model);
  }

  // Embeddings are cached per image: extraction is the slow part.
  std::vector<float> Embedding(const ImprintingEngine& engine, const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
    return cache_[name] = RunOnImage(engine.extractor(), name);
  }

  // Every train and test image is classified as its class, with score > 0.99.
  void ExpectAllCorrect(const Model& trained, const std::string& context) {
    const std::vector<std::pair<std::string, int>> expected = {
        {"cat_train_0", 0},   {"cat_test_0", 0},  {"hotdog_train_0", 1}, {"hotdog_train_1", 1},
        {"hotdog_test_0", 1}, {"dog_train_0", 2}, {"dog_test_0", 2}};
    for (const auto& [image, id] : expected) {
      const ClassScore top = TopK(RunOnImage(trained, image), 1)[0];
      EXPECT_EQ(top.id, id) << context << ": " << image;
      EXPECT_GT(top.score, 0.99f) << context << ": " << image;
      std::cout << "  [" << context << "] " << image << " -> class " << top.id << " score "
                << top.score << "\n";
    }
  }

  std::unique_ptr<Model> model_;
  static inline std::map<std::string, std::vector<float>> cache_;
};

TEST_F(ImprintingOnSharedImages, ThreeClassesFromFourImages) {
  auto engine = ImprintingEngine::Create(*model_, /*keep_classes=*/false);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ(engine->embedding_dim(), 1024);
  ASSERT_TRUE(engine->Train(Embedding(*engine, "cat_train_0"), 0).ok());
  ASSERT_TRUE(engine->Train(Embedding(*engine, "hotdog_train_0"), 1).ok());
  ASSERT_TRUE(engine->Train(Embedding(*engine, "hotdog_train_1"), 1).ok());
  ASSERT_TRUE(engine->Train(Embedding(*engine, "dog_train_0"), 2).ok());
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  EXPECT_EQ(trained->kind(), ModelKind::kImprintingReady);
  ExpectAllCorrect(*trained, "one session");
}

TEST_F(ImprintingOnSharedImages, IncrementalAcrossSaveAndReload) {
  auto first = ImprintingEngine::Create(*model_, false);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->Train(Embedding(*first, "cat_train_0"), 0).ok());
  ASSERT_TRUE(first->Train(Embedding(*first, "hotdog_train_0"), 1).ok());
  auto saved = first->SerializeModel();
  ASSERT_TRUE(saved.ok());
  // Through bytes, as a file would go.
  auto reloaded = Model::FromBuffer(saved->bytes());
  ASSERT_TRUE(reloaded.ok());
  auto second = ImprintingEngine::Create(*reloaded, /*keep_classes=*/true);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_EQ(second->num_classes(), 2);
  EXPECT_TRUE(second->classes()[0].trainable);
  EXPECT_EQ(second->classes()[1].samples, 1);
  ASSERT_TRUE(second->Train(Embedding(*second, "hotdog_train_1"), 1).ok());
  ASSERT_TRUE(second->Train(Embedding(*second, "dog_train_0"), 2).ok());
  auto trained = second->SerializeModel();
  ASSERT_TRUE(trained.ok());
  ExpectAllCorrect(*trained, "across reload");
  // Without keep_classes a reload starts from nothing.
  auto fresh = ImprintingEngine::Create(*trained, false);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->num_classes(), 0);
}

TEST_F(ImprintingOnSharedImages, MetadataRecordsNormsLikeCoral) {
  // Coral's legacy test: cat once and the same hotdog image twice give
  // norms {0: 1.0, 1: 2.0} within 0.05.
  auto engine = ImprintingEngine::Create(*model_, false);
  ASSERT_TRUE(engine.ok());
  const auto cat = Embedding(*engine, "cat_train_0");
  const auto hotdog = Embedding(*engine, "hotdog_train_0");
  ASSERT_TRUE(engine->Train(cat, 0).ok());
  ASSERT_TRUE(engine->Train(hotdog, 1).ok());
  ASSERT_TRUE(engine->Train(hotdog, 1).ok());
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok());
  const auto norms = ParseImprintingMetadata(trained->description());
  ASSERT_EQ(norms.size(), 2u);
  EXPECT_NEAR(norms.at(0), 1.0f, 0.05f);
  EXPECT_NEAR(norms.at(1), 2.0f, 0.05f);
  EXPECT_EQ(trained->description(), "0 1.000000\n1 2.000000\n");
}

TEST_F(ImprintingOnSharedImages, UntouchedContentIsPreserved) {
  auto engine = ImprintingEngine::Create(*model_, false);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(engine->Train(Embedding(*engine, "cat_train_0"), 0).ok());
  ASSERT_TRUE(engine->Train(Embedding(*engine, "dog_train_0"), 1).ok());
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok());
  const ModelBuilder before = ModelBuilder::FromModel(*model_);
  const ModelBuilder after = ModelBuilder::FromModel(*trained);
  const auto& gb = *before.model().subgraphs[0];
  const auto& ga = *after.model().subgraphs[0];
  ASSERT_EQ(gb.operators.size(), ga.operators.size());
  ASSERT_EQ(gb.tensors.size(), ga.tensors.size());
  const auto& cb = before.model().operator_codes;
  const auto& ca = after.model().operator_codes;
  ASSERT_EQ(cb.size(), ca.size());
  for (size_t i = 0; i < cb.size(); ++i) EXPECT_TRUE(*cb[i] == *ca[i]) << "operator code " << i;
  EXPECT_EQ(gb.inputs, ga.inputs);
  const int tail = static_cast<int>(gb.operators.size()) - 4;
  std::set<int> rewritten;
  for (size_t i = tail; i < gb.operators.size(); ++i) {
    for (int t : gb.operators[i]->inputs) rewritten.insert(t);
    for (int t : gb.operators[i]->outputs) rewritten.insert(t);
  }
  for (size_t i = 0; i < gb.operators.size(); ++i) {
    EXPECT_TRUE(*gb.operators[i] == *ga.operators[i] || i >= size_t(tail)) << "op " << i;
  }
  for (size_t t = 0; t < gb.tensors.size(); ++t) {
    if (rewritten.count(static_cast<int>(t))) continue;
    EXPECT_TRUE(*gb.tensors[t] == *ga.tensors[t]) << "tensor " << t;
    EXPECT_TRUE(*before.model().buffers[gb.tensors[t]->buffer] ==
                *after.model().buffers[ga.tensors[t]->buffer])
        << "buffer of tensor " << t;
  }
  EXPECT_EQ(trained->metadata_names(),
            model_->metadata_names());  // min_runtime_version + edgetl's entry
}

// ---- Errors and the sample cap, on a small synthetic model -------------------

// A tiny extractor: input [1,4] uint8 -> RELU -> output [1,4].
Model TinyImprintingModel() {
  ModelBuilder b;
  const int in = b.AddTensor("in", TensorType::kUInt8, {1, 4}, PerTensor(0.1f, 0));
  const int out = b.AddTensor("emb", TensorType::kUInt8, {1, 4}, PerTensor(0.1f, 0));
  b.AddOperator(fb::BuiltinOperator::RELU, {in}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  auto extractor = b.Build();
  EXPECT_TRUE(extractor.ok());
  auto model = MakeImprintable(*extractor);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return *model;
}

void ExpectMessage(const Status& s, StatusCode code, const std::string& text) {
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(text), std::string::npos) << s.ToString();
}

TEST(Imprinting, CoralValidationMessages) {
  const auto classifier = DataPath("models/mobilenet_v1_0.25_128_quant.tflite");
  EDGETL_REQUIRE_DATA(classifier);
  auto plain = Model::FromFile(classifier);
  ASSERT_TRUE(plain.ok());
  ExpectMessage(ImprintingEngine::Create(*plain, false).status(), StatusCode::kInvalidArgument,
                "Unsupported model architecture. Input model must have an L2Norm layer.");
  // An L2Norm but the wrong tail.
  ModelBuilder b = ModelBuilder::FromModel(TinyImprintingModel());
  b.graph().operators.pop_back();
  auto cut = b.Build();
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  ExpectMessage(ValidateImprintingModel(*cut).status(), StatusCode::kInvalidArgument,
                "The last 4 operators must be Conv2d, Mul, Reshape, Softmax");
  // A [1,D] L2Norm output.
  ModelBuilder flat = ModelBuilder::FromModel(TinyImprintingModel());
  for (auto& op : flat.graph().operators) {
    if (BuiltinCodeOf(*flat.model().operator_codes[op->opcode_index]) ==
        fb::BuiltinOperator::L2_NORMALIZATION) {
      flat.graph().tensors[op->outputs[0]]->shape = {1, 4};
    }
  }
  auto flat_model = flat.Build();
  ASSERT_TRUE(flat_model.ok());
  ExpectMessage(ValidateImprintingModel(*flat_model).status(), StatusCode::kInvalidArgument,
                "Embedding extractor's output tensor should be [1, 1, 1, x]");
  // The softmax is not the graph output.
  ModelBuilder out = ModelBuilder::FromModel(TinyImprintingModel());
  out.SetOutputs({0});
  auto out_model = out.Build();
  ASSERT_TRUE(out_model.ok());
  ExpectMessage(ValidateImprintingModel(*out_model).status(), StatusCode::kInvalidArgument,
                "Graph must have output from Softmax");
}

TEST(Imprinting, TrainingErrors) {
  auto engine = ImprintingEngine::Create(TinyImprintingModel(), false);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const std::vector<float> e = {1, 0, 0, 0};
  ExpectMessage(engine->SerializeModel().status(), StatusCode::kFailedPrecondition,
                "Model is not trained.");
  ExpectMessage(engine->Train(std::vector<float>{1, 2, 3}, 0), StatusCode::kInvalidArgument,
                "embedding has 3 values, but the model's embedding dimension is 4");
  ExpectMessage(engine->Train(e, 1), StatusCode::kInvalidArgument,
                "The class index of a new category is too large!");
  ExpectMessage(engine->Train(e, -1), StatusCode::kInvalidArgument, "negative");
  ExpectMessage(engine->Train(std::vector<float>{0, 0, 0, 0}, 0), StatusCode::kInvalidArgument,
                "all zeros");
  ExpectMessage(engine->Train(std::vector<float>{NAN, 0, 0, 0}, 0), StatusCode::kInvalidArgument,
                "non-finite");
  // Labels are stored one per line.
  ExpectMessage(engine->TrainLabel(e, "two\nlines").status(), StatusCode::kInvalidArgument,
                "line break");
  EXPECT_EQ(engine->num_classes(), 0);
  ASSERT_TRUE(engine->Train(e, 0).ok());
  EXPECT_EQ(engine->num_classes(), 1);
  ExpectMessage(engine->SetLabel(0, "cr\r"), StatusCode::kInvalidArgument, "line break");
}

TEST(Imprinting, BaseClassesAreLocked) {
  const auto path = DataPath("models/mobilenet_v1_1.0_224_quant_head_layers.tflite");
  EDGETL_REQUIRE_DATA(path);
  // A Coral-style model whose rows carry no metadata: build one by
  // serializing with two classes, then dropping the description.
  auto engine = ImprintingEngine::Create(TinyImprintingModel(), false);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(engine->Train(std::vector<float>{1, 0, 0, 0}, 0).ok());
  ASSERT_TRUE(engine->Train(std::vector<float>{0, 1, 0, 0}, 1).ok());
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok());
  ModelBuilder b = ModelBuilder::FromModel(*trained);
  b.model().description = "MLIR Converted.";
  b.model().metadata.clear();
  auto base = b.Build();
  ASSERT_TRUE(base.ok());
  auto kept = ImprintingEngine::Create(*base, true);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->num_classes(), 2);
  EXPECT_FALSE(kept->classes()[0].trainable);
  ExpectMessage(kept->Train(std::vector<float>{1, 1, 0, 0}, 1), StatusCode::kInvalidArgument,
                "Cannot change the base model classes not trained with imprinting method!");
  ASSERT_TRUE(kept->Train(std::vector<float>{0, 0, 1, 0}, 2).ok());
  auto again = kept->SerializeModel();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->description(), "2 1.000000\n");  // only the trainable class
}

TEST(Imprinting, SampleCapHoldsAcrossSaveAndLoad) {
  auto engine = ImprintingEngine::Create(TinyImprintingModel(), false);
  ASSERT_TRUE(engine.ok());
  std::vector<float> e = {1, 0.5f, 0, 0};
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(engine->TrainLabel(e, "cat").ok());
  auto saved = engine->SerializeModel();
  ASSERT_TRUE(saved.ok());
  auto resumed = ImprintingEngine::Create(*saved, true);
  ASSERT_TRUE(resumed.ok());
  ASSERT_EQ(resumed->classes()[0].samples, 150);
  EXPECT_EQ(resumed->classes()[0].label, "cat");
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(resumed->Train(e, 0).ok()) << i;
  const std::vector<float> sum_before = resumed->classes()[0].sum;
  const Status s = resumed->Train(e, 0);
  ExpectMessage(s, StatusCode::kOutOfRange, "class 0 ('cat') already has 200 samples");
  EXPECT_EQ(resumed->classes()[0].samples, 200);
  EXPECT_EQ(resumed->classes()[0].sum, sum_before);  // nothing changed
  // Still refused after another save/load.
  auto saved2 = resumed->SerializeModel();
  ASSERT_TRUE(saved2.ok());
  auto resumed2 = ImprintingEngine::Create(*saved2, true);
  ASSERT_TRUE(resumed2.ok());
  EXPECT_EQ(resumed2->Train(e, 0).code(), StatusCode::kOutOfRange);
  // Other classes are unaffected.
  EXPECT_TRUE(resumed2->TrainLabel(e, "dog").ok());
}

TEST(Imprinting, LabelsAndRemoval) {
  auto engine = ImprintingEngine::Create(TinyImprintingModel(), false);
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ(*engine->TrainLabel(std::vector<float>{1, 0, 0, 0}, "a"), 0);
  EXPECT_EQ(*engine->TrainLabel(std::vector<float>{0, 1, 0, 0}, "b"), 1);
  EXPECT_EQ(*engine->TrainLabel(std::vector<float>{0, 0, 1, 0}, "c"), 2);
  EXPECT_EQ(*engine->TrainLabel(std::vector<float>{0, 1, 1, 0}, "b"), 1);
  ASSERT_TRUE(engine->RemoveClass(0).ok());
  ASSERT_EQ(engine->num_classes(), 2);
  EXPECT_EQ(engine->classes()[0].label, "b");
  EXPECT_EQ(engine->classes()[0].samples, 2);
  EXPECT_EQ(engine->RemoveClass(5).code(), StatusCode::kOutOfRange);
  auto model = engine->SerializeModel();
  ASSERT_TRUE(model.ok());
  auto reloaded = ImprintingEngine::Create(*model, true);
  ASSERT_TRUE(reloaded.ok());
  EXPECT_EQ(reloaded->classes()[1].label, "c");
  // The trained tiny model runs, and class "c" wins for its own direction.
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  ASSERT_TRUE(interpreter->SetInput(0, std::vector<uint8_t>{0, 0, 50, 0}).ok());
  ASSERT_TRUE(interpreter->Invoke().ok());
  EXPECT_EQ(TopK(*interpreter->DequantizedOutput(0), 1)[0].id, 1);
}

TEST(ImprintingMetadata, CoralFormatParseAndWrite) {
  EXPECT_EQ(FormatImprintingMetadata({{1, 2.4f}, {0, 1.2f}, {2, 5.6f}}),
            "0 1.200000\n1 2.400000\n2 5.600000\n");
  const auto parsed = ParseImprintingMetadata("0 1.200000\n1 2.400000\n2 5.600000\n");
  ASSERT_EQ(parsed.size(), 3u);
  EXPECT_FLOAT_EQ(parsed.at(2), 5.6f);
  EXPECT_TRUE(ParseImprintingMetadata("MLIR Converted.").empty());
  EXPECT_TRUE(ParseImprintingMetadata("").empty());
  EXPECT_TRUE(ParseImprintingMetadata("0 1.0\nx 2.0\n").empty());  // one bad pair empties it
  // Not a norm, or not a class id: not Coral's metadata.
  for (const char* bad : {"0 nan\n", "0 inf\n", "0 -1.0\n", "-1 1.0\n", "4294967296 1.0\n",
                          "99999999999999999999 1.0\n"}) {
    EXPECT_TRUE(ParseImprintingMetadata(bad).empty()) << bad;
  }
}

// Hand-edited or damaged metadata of a trained model: refused, or read
// within bounds, never undefined arithmetic.
TEST(ImprintingMetadata, DamagedEntriesAreRefusedOrBounded) {
  auto engine = ImprintingEngine::Create(TinyImprintingModel(), false);
  ASSERT_TRUE(engine.ok());
  ASSERT_TRUE(engine->TrainLabel(std::vector<float>{1, 0, 0, 0}, "cat").ok());
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok());
  const auto with = [&](const std::string& description, const std::string& classes) {
    ModelBuilder b = ModelBuilder::FromModel(*trained);
    b.model().description = description;
    if (classes.empty()) b.model().metadata.clear();  // a model Coral trained
    for (auto& m : b.model().metadata) {
      if (m->name == kImprintingClassesMetadata) {
        b.model().buffers[m->buffer]->data.assign(classes.begin(), classes.end());
      }
    }
    auto model = b.Build();
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return ImprintingEngine::Create(*model, true);
  };
  ASSERT_TRUE(with("0 1.000000\n", "0\t1\tcat\n").ok());
  // A Coral class (no edgetl entry) with an absurd norm: its sample count,
  // ceil(norm), stops at the cap rather than overflowing an int.
  auto coral = with("0 1e30\n", "");
  ASSERT_TRUE(coral.ok()) << coral.status().ToString();
  ASSERT_EQ(coral->num_classes(), 1);
  EXPECT_EQ(coral->classes()[0].samples, ImprintingEngine::kMaxSamplesPerClass);
  for (const char* bad :
       {"0\t-5\tcat\n", "0\t99999999999\tcat\n", "0\tmany\tcat\n", "x\t1\tcat\n", "0\t1\n"}) {
    auto r = with("0 1.000000\n", bad);
    ASSERT_FALSE(r.ok()) << bad;
    ExpectMessage(r.status(), StatusCode::kCorruptModel, "edgetl class metadata");
  }
}

TEST(MakeImprintable, ErrorsNameTheProblem) {
  const auto path = DataPath("models/mobilenet_v1_0.25_128_quant.tflite");
  EDGETL_REQUIRE_DATA(path);
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok());
  ExpectMessage(MakeImprintable(*model, {.embedding_tensor = "nope"}).status(),
                StatusCode::kInvalidArgument, "no tensor named 'nope'");
  // A classifier with its embedding tensor named: the head is dropped.
  auto head_input = model->op(model->num_operators() - 3).inputs[0];  // the AvgPool output
  auto made = MakeImprintable(*model, {.embedding_tensor = model->tensor(head_input).name});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_TRUE(ValidateImprintingModel(*made).ok());
}

}  // namespace
}  // namespace edgetl

#include "edgetl/imprinter.h"
#include "testing/temp_dir.h"

namespace edgetl {
namespace {

TEST(Imprinter, LearnsFromImagesAndFramesAndSaves) {
  const auto extractor =
      testing::DataPath("models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  EDGETL_REQUIRE_DATA(extractor);
  auto imprinter = Imprinter::Open(extractor, false);
  ASSERT_TRUE(imprinter.ok()) << imprinter.status().ToString();
  auto load = [](const std::string& name) {
    return *LoadImage(testing::DataPath("images/imprinting/" + name + ".bmp"));
  };
  EXPECT_EQ(imprinter->Classify(load("cat_test_0")).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(*imprinter->Add(load("cat_train_0"), "cat"), 0);
  // A camera frame: the dog photo in a buffer with padded rows.
  const Image dog = load("dog_train_0");
  const int stride = dog.width * 3 + 64;
  std::vector<uint8_t> frame(static_cast<size_t>(stride) * dog.height, 0);
  for (int y = 0; y < dog.height; ++y) {
    std::memcpy(frame.data() + y * stride, dog.pixels.data() + y * dog.width * 3, dog.width * 3);
  }
  EXPECT_EQ(
      *imprinter->AddFrame({PixelFormat::kRGB888, dog.width, dog.height, stride, frame}, "dog"), 1);
  EXPECT_EQ(*imprinter->Add(load("hotdog_train_0"), "hotdog"), 2);
  auto top = imprinter->Classify(load("dog_test_0"));
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(imprinter->label((*top)[0].id), "dog");
  EXPECT_EQ(imprinter->AddFrame({PixelFormat::kRGB888, dog.width, dog.height, 10, frame}, "dog")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  testing::TempDir tmp;
  ASSERT_TRUE(imprinter->Save(tmp / "pets.tflite").ok());
  auto reopened = Imprinter::Open(tmp / "pets.tflite", /*keep_classes=*/true);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->label(2), "hotdog");
  EXPECT_TRUE(std::filesystem::exists(tmp / "pets.txt"));
}

}  // namespace
}  // namespace edgetl

namespace edgetl {
namespace {

// The int8 path: TF2 MobileNet V2 keeps int8 inside; its MEAN output
// [1,1,1,1280] serves as the embedding.
TEST(Imprinting, Int8GraphFromNamedEmbeddingTensor) {
  const auto path = testing::DataPath("models/tf2_mobilenet_v2_1.0_224_ptq.tflite");
  EDGETL_REQUIRE_DATA(path);
  auto classifier = Model::FromFile(path);
  ASSERT_TRUE(classifier.ok());
  int mean_out = -1;
  for (int i = 0; i < classifier->num_operators(); ++i) {
    if (classifier->op(i).op_name == "MEAN") mean_out = classifier->op(i).outputs[0];
  }
  ASSERT_GE(mean_out, 0);
  ASSERT_EQ(classifier->tensor(mean_out).type, TensorType::kInt8);
  auto made = MakeImprintable(*classifier, {.embedding_tensor = classifier->tensor(mean_out).name});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto engine = ImprintingEngine::Create(*made, false);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  EXPECT_EQ(engine->embedding_dim(), 1280);
  for (const auto& [image, id] : std::vector<std::pair<std::string, int>>{
           {"cat_train_0", 0}, {"hotdog_train_0", 1}, {"hotdog_train_1", 1}, {"dog_train_0", 2}}) {
    ASSERT_TRUE(engine->Train(RunOnImage(engine->extractor(), image), id).ok());
  }
  auto trained = engine->SerializeModel();
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  for (const auto& [image, id] : std::vector<std::pair<std::string, int>>{
           {"cat_test_0", 0}, {"hotdog_test_0", 1}, {"dog_test_0", 2}}) {
    const ClassScore top = TopK(RunOnImage(*trained, image), 1)[0];
    EXPECT_EQ(top.id, id) << image;
    std::cout << "  [int8] " << image << " -> class " << top.id << " score " << top.score << "\n";
  }
}

}  // namespace
}  // namespace edgetl
