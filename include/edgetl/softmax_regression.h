// Last-layer training by backprop: softmax regression (fully connected +
// softmax) on embeddings, trained with minibatch SGD, then appended to the
// embedding extractor as a quantized FULLY_CONNECTED + SOFTMAX.
//
// Compared with Coral's SoftmaxRegression: the L2 term is 0.5*l2*||W||^2 in
// the loss and l2*W in the gradient (Coral's C++ puts a wrong term in the
// loss and none in the gradient); the gradient is (P - Y)/N directly from
// max-subtracted logits (no log(0)); all randomness comes from one seed; the
// logits are quantized over the final model's range on the training set.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgetl/model.h"
#include "edgetl/status.h"

namespace edgetl {

// Row-major float matrix: `rows` samples of `cols` features.
struct Matrix {
  int rows = 0;
  int cols = 0;
  std::vector<float> values;

  std::span<const float> row(int r) const {
    return {values.data() + static_cast<size_t>(r) * cols, size_t(cols)};
  }
};

struct SoftmaxRegressionOptions {
  float weight_scale = 0.01f;  // W ~ weight_scale * N(0, 1), b = 0
  float l2 = 0.f;              // L2 regularization strength
  float learning_rate = 0.01f;
  int batch_size = 100;
  // Training length: `epochs` > 0 runs that many passes over the shuffled
  // data; otherwise `iterations` minibatches sampled with replacement (Coral).
  int iterations = 500;
  int epochs = 0;
  float momentum = 0.f;  // classical momentum, 0 = plain SGD
  float lr_decay = 0.f;  // learning rate at step t: lr / (1 + lr_decay * t)
  // Stop after this many reports without a lower validation loss, keeping the
  // best weights (0 = never; needs validation data).
  int early_stopping_patience = 0;
  int report_every = 100;  // iterations between reports (0 = only at the end)
  uint64_t seed = 1;       // the same seed gives the same model, bit for bit
};

struct TrainingReport {
  int iteration = 0;
  float learning_rate = 0.f;
  float train_loss = 0.f;
  float train_accuracy = 0.f;
  float val_loss = 0.f;  // 0 without validation data
  float val_accuracy = 0.f;
};

struct TrainingResult {
  std::vector<TrainingReport> curve;
  int iterations = 0;
  bool stopped_early = false;
};

class SoftmaxRegression {
 public:
  // Errors: kInvalidArgument for non-positive sizes or invalid options.
  static Result<SoftmaxRegression> Create(int dim, int num_classes,
                                          const SoftmaxRegressionOptions& options = {});

  SoftmaxRegression(SoftmaxRegression&&) noexcept;
  SoftmaxRegression& operator=(SoftmaxRegression&&) noexcept;
  ~SoftmaxRegression();

  // Trains on `x` (N x dim) with labels in [0, num_classes); `val_x`/`val_y`
  // may be empty. `on_report` sees each report as it is made; `on_iteration`
  // is called after every minibatch step (progress display).
  // Errors (kInvalidArgument, nothing trained): empty data, dimension or
  // label-count mismatch, labels out of range, non-finite inputs;
  // kFailedPrecondition when the loss becomes NaN/inf (the message names the
  // iteration and suggests a lower learning rate).
  Result<TrainingResult> Train(const Matrix& x, std::span<const int> y, const Matrix& val_x = {},
                               std::span<const int> val_y = {},
                               const std::function<void(const TrainingReport&)>& on_report = {},
                               const std::function<void(int done, int total)>& on_iteration = {});

  // Float inference. Errors: kInvalidArgument (dimension).
  Result<Matrix> Logits(const Matrix& x) const;
  Result<std::vector<int>> Predict(const Matrix& x) const;
  Result<float> Accuracy(const Matrix& x, std::span<const int> y) const;
  // Mean cross-entropy + 0.5*l2*||W||^2, and its gradients (for checks).
  Result<float> Loss(const Matrix& x, std::span<const int> y) const;
  Status Gradients(const Matrix& x, std::span<const int> y, std::vector<float>* grad_w,
                   std::vector<float>* grad_b) const;

  int dim() const;
  int num_classes() const;
  bool trained() const;
  // W as dim x num_classes, column-major (class-major: W[c * dim + d]), and b.
  std::vector<float> weights() const;
  std::vector<float> bias() const;
  void set_parameters(std::span<const float> weights, std::span<const float> bias);

  // Appends FULLY_CONNECTED + SOFTMAX after the extractor's only output
  // (shape [1,D] or [1,1,1,D], uint8 or int8), quantized to match it: uint8
  // graphs get per-tensor asymmetric uint8 weights (range including 0), int8
  // graphs symmetric per-channel int8 weights; int32 bias at input_scale x
  // weight_scale; logits quantized over the range of this model's logits on
  // `train_x`; softmax output scale 1/256 with the type's zero point. All
  // else in the extractor is kept.
  // Errors: kFailedPrecondition (not trained), kInvalidArgument (extractor
  // output shape/type/dimension).
  Result<Model> AppendToExtractor(const Model& extractor, const Matrix& train_x) const;
  // The appended layers alone, with the extractor's output as the model
  // input: given the extractor's output bytes it computes exactly what the
  // full appended model does.
  Result<Model> HeadModel(const Model& extractor, const Matrix& train_x) const;

 private:
  struct State;
  explicit SoftmaxRegression(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace edgetl
