// Softmax regression: Coral's synthetic checks, gradients, determinism,
// errors, and the quantized layer appended to an extractor.
#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "backprop/gaussian.h"
#include "edgetl/classification.h"
#include "edgetl/interpreter.h"
#include "edgetl/softmax_regression.h"
#include "model/model_builder.h"

namespace edgetl {
namespace {

struct Data {
  Matrix x;
  std::vector<int> y;
};

// Coral's test data: 3 Gaussian classes in 2-D with identity covariance;
// class 0 takes the remainder of n / 3.
Data Gaussians(const std::vector<std::pair<float, float>>& means, int n, uint64_t seed) {
  GaussianSource g(seed);
  Data d;
  d.x.cols = 2;
  const int per = n / 3;
  for (int c = 0; c < 3; ++c) {
    const int count = c == 0 ? n - 2 * per : per;
    for (int i = 0; i < count; ++i) {
      d.x.values.push_back(means[c].first + g.Next());
      d.x.values.push_back(means[c].second + g.Next());
      d.y.push_back(c);
    }
  }
  d.x.rows = static_cast<int>(d.y.size());
  return d;
}

TEST(SoftmaxRegression, SeparableGaussiansIn20Iterations) {
  const std::vector<std::pair<float, float>> means = {{3, 3}, {-3, -3}, {3, -3}};
  const Data train = Gaussians(means, 200, 12345), val = Gaussians(means, 30, 777);
  SoftmaxRegressionOptions o;
  o.iterations = 20;
  o.learning_rate = 0.01f;
  o.batch_size = 100;
  o.report_every = 0;
  auto model = SoftmaxRegression::Create(2, 3, o);
  ASSERT_TRUE(model.ok());
  auto result = model->Train(train.x, train.y, val.x, val.y);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_GT(*model->Accuracy(train.x, train.y), 0.99f);
  EXPECT_EQ(result->iterations, 20);
}

TEST(SoftmaxRegression, NonSeparableGaussiansIn50Iterations) {
  const std::vector<std::pair<float, float>> means = {{1, 1}, {-1, -1}, {1, -1}};
  const Data train = Gaussians(means, 200, 54321), val = Gaussians(means, 30, 99);
  SoftmaxRegressionOptions o;
  o.iterations = 50;
  o.learning_rate = 0.1f;
  auto model = SoftmaxRegression::Create(2, 3, o);
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Train(train.x, train.y, val.x, val.y).ok());
  EXPECT_GT(*model->Accuracy(train.x, train.y), 0.8f);
}

TEST(SoftmaxRegression, GradientsMatchNumericalDifferences) {
  const Data d = Gaussians({{1, 2}, {-1, 0}, {2, -1}}, 30, 5);
  SoftmaxRegressionOptions o;
  o.l2 = 0.3f;
  o.weight_scale = 0.5f;
  auto model = SoftmaxRegression::Create(2, 3, o);
  ASSERT_TRUE(model.ok());
  std::vector<float> gw, gb;
  ASSERT_TRUE(model->Gradients(d.x, d.y, &gw, &gb).ok());
  std::vector<float> w = model->weights(), b = model->bias();
  const float eps = 1e-2f;
  auto loss_at = [&](std::vector<float> ww, std::vector<float> bb) {
    model->set_parameters(ww, bb);
    return *model->Loss(d.x, d.y);
  };
  for (size_t i = 0; i < w.size(); ++i) {
    auto plus = w, minus = w;
    plus[i] += eps;
    minus[i] -= eps;
    const float numeric = (loss_at(plus, b) - loss_at(minus, b)) / (2 * eps);
    EXPECT_NEAR(gw[i], numeric, 1e-3f) << "w[" << i << "]";
  }
  for (size_t i = 0; i < b.size(); ++i) {
    auto plus = b, minus = b;
    plus[i] += eps;
    minus[i] -= eps;
    const float numeric = (loss_at(w, plus) - loss_at(w, minus)) / (2 * eps);
    EXPECT_NEAR(gb[i], numeric, 1e-3f) << "b[" << i << "]";
  }
}

TEST(SoftmaxRegression, LossIsStableAndIncludesRegularization) {
  // A huge logit gap must not produce log(0) = -inf.
  Matrix x{1, 1, {1000.f}};
  std::vector<int> y = {1};
  auto model = SoftmaxRegression::Create(1, 2, {});
  ASSERT_TRUE(model.ok());
  model->set_parameters(std::vector<float>{1.f, 0.f}, std::vector<float>{0.f, 0.f});
  EXPECT_NEAR(*model->Loss(x, y), 1000.f, 1e-3f);
  SoftmaxRegressionOptions o;
  o.l2 = 2.f;
  auto reg = SoftmaxRegression::Create(1, 2, o);
  reg->set_parameters(std::vector<float>{3.f, 4.f}, std::vector<float>{0.f, 0.f});
  Matrix zero{1, 1, {0.f}};
  // -log(0.5) + 0.5 * 2 * (9 + 16)
  EXPECT_NEAR(*reg->Loss(zero, y), std::log(2.f) + 25.f, 1e-4f);
}

TEST(SoftmaxRegression, SameSeedSameModelBitForBit) {
  const Data d = Gaussians({{1, 1}, {-1, -1}, {1, -1}}, 120, 3);
  for (bool epochs : {false, true}) {
    SoftmaxRegressionOptions o;
    o.iterations = 30;
    o.epochs = epochs ? 3 : 0;
    o.batch_size = 16;
    o.momentum = 0.9f;
    o.seed = 42;
    auto a = SoftmaxRegression::Create(2, 3, o), b = SoftmaxRegression::Create(2, 3, o);
    o.seed = 43;
    auto c = SoftmaxRegression::Create(2, 3, o);
    ASSERT_TRUE(a->Train(d.x, d.y).ok() && b->Train(d.x, d.y).ok() && c->Train(d.x, d.y).ok());
    EXPECT_EQ(a->weights(), b->weights());
    EXPECT_EQ(a->bias(), b->bias());
    EXPECT_NE(a->weights(), c->weights());
  }
}

TEST(SoftmaxRegression, EarlyStoppingAndReports) {
  const Data train = Gaussians({{3, 3}, {-3, -3}, {3, -3}}, 200, 1),
             val = Gaussians({{3, 3}, {-3, -3}, {3, -3}}, 30, 2);
  SoftmaxRegressionOptions o;
  o.iterations = 5000;
  o.learning_rate = 0.5f;
  o.report_every = 10;
  o.early_stopping_patience = 3;
  auto model = SoftmaxRegression::Create(2, 3, o);
  int reports = 0;
  auto r = model->Train(train.x, train.y, val.x, val.y, [&](const TrainingReport&) { ++reports; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(reports, static_cast<int>(r->curve.size()));
  EXPECT_TRUE(r->stopped_early);
  EXPECT_LT(r->iterations, 5000);
}

TEST(SoftmaxRegression, ErrorsInsteadOfCrashes) {
  auto model = SoftmaxRegression::Create(2, 3, {});
  ASSERT_TRUE(model.ok());
  const Matrix x{2, 2, {1, 2, 3, 4}};
  auto expect = [](const Status& s, StatusCode code, const std::string& text) {
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_NE(s.message().find(text), std::string::npos) << s.ToString();
  };
  expect(model->Train(Matrix{}, std::vector<int>{}).status(), StatusCode::kInvalidArgument,
         "empty");
  expect(model->Train(x, std::vector<int>{0, 3}).status(), StatusCode::kInvalidArgument,
         "label 3 (sample 1) is outside [0, 3)");
  expect(model->Train(Matrix{1, 3, {1, 2, 3}}, std::vector<int>{0}).status(),
         StatusCode::kInvalidArgument, "3 features");
  expect(model->Train(Matrix{1, 2, {NAN, 1}}, std::vector<int>{0}).status(),
         StatusCode::kInvalidArgument, "non-finite");
  expect(model->Train(x, std::vector<int>{0}).status(), StatusCode::kInvalidArgument,
         "2 samples but 1 labels");
  expect(SoftmaxRegression::Create(0, 3).status(), StatusCode::kInvalidArgument, "positive");
  SoftmaxRegressionOptions wild;
  wild.learning_rate = 1e30f;
  wild.iterations = 50;
  auto diverging = SoftmaxRegression::Create(2, 3, wild);
  const Matrix big{2, 2, {1e10f, -1e10f, -1e10f, 1e10f}};
  expect(diverging->Train(big, std::vector<int>{0, 1}).status(), StatusCode::kFailedPrecondition,
         "diverged");
}

// A synthetic uint8/int8 "extractor": input [1,D] -> RELU -> [1,D].
Model TinyExtractor(TensorType type, int dim) {
  ModelBuilder b;
  const int64_t zp = type == TensorType::kUInt8 ? 128 : 0;
  const int in = b.AddTensor("in", type, {1, dim}, PerTensor(0.05f, zp));
  const int out = b.AddTensor("emb", type, {1, 1, 1, dim}, PerTensor(0.05f, zp));
  const int shape = b.AddConstTensor<int32_t>("shape", TensorType::kInt32, {4}, {1, 1, 1, dim});
  b.AddOperator(fb::BuiltinOperator::RESHAPE, {in, shape}, {out});
  b.SetInputs({in});
  b.SetOutputs({out});
  return *b.Build();
}

TEST(SoftmaxRegression, QuantizedLayerAgreesWithFloat) {
  const int dim = 8, classes = 4, n = 400;
  for (TensorType type : {TensorType::kUInt8, TensorType::kInt8}) {
    SCOPED_TRACE(TensorTypeName(type));
    const Model extractor = TinyExtractor(type, dim);
    const int64_t zp = type == TensorType::kUInt8 ? 128 : 0;
    // Samples on the embedding's quantization grid, clustered by class.
    std::mt19937 rng(9);
    std::normal_distribution<float> noise(0.f, 1.2f);
    Matrix x{n, dim, {}};
    std::vector<int> y;
    std::vector<std::vector<uint8_t>> raw;
    for (int i = 0; i < n; ++i) {
      const int c = i % classes;
      y.push_back(c);
      std::vector<uint8_t> q(dim);
      for (int d = 0; d < dim; ++d) {
        const float v = (d % classes == c ? 2.f : -1.f) + noise(rng);
        const long qv =
            std::clamp<long>(std::lround(v / 0.05f) + zp, type == TensorType::kUInt8 ? 0 : -128,
                             type == TensorType::kUInt8 ? 255 : 127);
        q[d] = static_cast<uint8_t>(qv);
        x.values.push_back(
            0.05f *
            static_cast<float>((type == TensorType::kUInt8 ? int(q[d]) : int(int8_t(q[d]))) - zp));
      }
      raw.push_back(q);
    }
    SoftmaxRegressionOptions o;
    o.epochs = 20;
    o.batch_size = 32;
    o.learning_rate = 0.1f;
    auto model = SoftmaxRegression::Create(dim, classes, o);
    ASSERT_TRUE(model->Train(x, y).ok());
    EXPECT_EQ(model->AppendToExtractor(extractor, x).ok(), true);
    auto appended = model->AppendToExtractor(extractor, x);
    ASSERT_TRUE(appended.ok()) << appended.status().ToString();
    EXPECT_EQ(appended->kind(), ModelKind::kClassifier);
    auto head = model->HeadModel(extractor, x);
    ASSERT_TRUE(head.ok()) << head.status().ToString();
    // The embedding is an intermediate of the full model: keep it readable.
    auto full = Interpreter::Create(*appended, {.preserve_intermediates = true});
    auto head_run = Interpreter::Create(*head);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    ASSERT_TRUE(head_run.ok()) << head_run.status().ToString();
    ASSERT_TRUE(full->tensor(extractor.outputs()[0]).ok());
    const auto float_pred = *model->Predict(x);
    int agree = 0;
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(full->SetInput(0, raw[i]).ok());
      ASSERT_TRUE(full->Invoke().ok());
      const Status fed = head_run->SetInput(0, full->tensor(extractor.outputs()[0])->data);
      ASSERT_TRUE(fed.ok()) << fed.ToString();
      ASSERT_TRUE(head_run->Invoke().ok());
      // The head alone computes exactly what the appended model does.
      ASSERT_TRUE(std::ranges::equal(full->output(0).data, head_run->output(0).data));
      agree += TopK(*full->DequantizedOutput(0), 1)[0].id == float_pred[i];
    }
    EXPECT_GE(agree, n * 99 / 100) << agree << " of " << n;
  }
}

TEST(SoftmaxRegression, UntrainedModelIsNotAppended) {
  auto model = SoftmaxRegression::Create(8, 3, {});
  const auto s = model->AppendToExtractor(TinyExtractor(TensorType::kUInt8, 8),
                                          Matrix{1, 8, std::vector<float>(8)});
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  model->set_parameters(std::vector<float>(24, 0.1f), std::vector<float>(3, 0.f));
  EXPECT_EQ(model
                ->AppendToExtractor(TinyExtractor(TensorType::kUInt8, 9),
                                    Matrix{1, 8, std::vector<float>(8)})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace edgetl
