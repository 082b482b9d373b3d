#include "edgetl/softmax_regression.h"

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "backprop/gaussian.h"

namespace edgetl {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct SoftmaxRegression::State {
  SoftmaxRegressionOptions options;
  Eigen::MatrixXf w;     // dim x classes
  Eigen::RowVectorXf b;  // 1 x classes
  bool trained = false;
};

namespace {

Eigen::Map<const RowMatrix> View(const Matrix& m) { return {m.values.data(), m.rows, m.cols}; }

Status CheckData(const Matrix& x, std::span<const int> y, int dim, int classes, const char* what) {
  if (x.rows <= 0) return InvalidArgument(std::string(what) + " data is empty");
  if (x.cols != dim) {
    return InvalidArgument(std::string(what) + " data has " + std::to_string(x.cols) +
                           " features per sample, the model expects " + std::to_string(dim));
  }
  if (x.values.size() != static_cast<size_t>(x.rows) * x.cols) {
    return InvalidArgument(std::string(what) + " matrix holds the wrong number of values");
  }
  if (static_cast<int>(y.size()) != x.rows) {
    return InvalidArgument(std::string(what) + " data has " + std::to_string(x.rows) +
                           " samples but " + std::to_string(y.size()) + " labels");
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0 || y[i] >= classes) {
      return InvalidArgument(std::string(what) + " label " + std::to_string(y[i]) + " (sample " +
                             std::to_string(i) + ") is outside [0, " + std::to_string(classes) +
                             ")");
    }
  }
  for (float v : x.values) {
    if (!std::isfinite(v))
      return InvalidArgument(std::string(what) + " data contains a non-finite value");
  }
  return Status::Ok();
}

// Row-wise softmax of Z, max-subtracted; also returns each row's log-sum-exp
// of the shifted logits so that log P[y] = z_y - max - lse without log(0).
void Softmax(const Eigen::MatrixXf& z, Eigen::MatrixXf* p, Eigen::VectorXf* row_max,
             Eigen::VectorXf* lse) {
  *row_max = z.rowwise().maxCoeff();
  *p = (z.colwise() - *row_max).array().exp();
  const Eigen::VectorXf sums = p->rowwise().sum();
  *lse = sums.array().log();
  *p = p->array().colwise() / sums.array();
}

}  // namespace

SoftmaxRegression::SoftmaxRegression(std::unique_ptr<State> state) : state_(std::move(state)) {}
SoftmaxRegression::SoftmaxRegression(SoftmaxRegression&&) noexcept = default;
SoftmaxRegression& SoftmaxRegression::operator=(SoftmaxRegression&&) noexcept = default;
SoftmaxRegression::~SoftmaxRegression() = default;

Result<SoftmaxRegression> SoftmaxRegression::Create(int dim, int num_classes,
                                                    const SoftmaxRegressionOptions& o) {
  if (dim <= 0 || num_classes <= 0) {
    return InvalidArgument("dimension and class count must be positive, got " +
                           std::to_string(dim) + " and " + std::to_string(num_classes));
  }
  if (!(o.learning_rate > 0) || o.batch_size <= 0 || o.l2 < 0 || o.momentum < 0 ||
      o.momentum >= 1 || o.lr_decay < 0 || o.weight_scale < 0 || o.epochs < 0 ||
      (o.epochs == 0 && o.iterations <= 0) || o.report_every < 0 || o.early_stopping_patience < 0) {
    return InvalidArgument(
        "invalid training options (learning rate, batch size, iterations/epochs must be "
        "positive; l2, lr_decay, weight_scale >= 0; momentum in [0, 1))");
  }
  auto state = std::make_unique<State>();
  state->options = o;
  state->w.resize(dim, num_classes);
  state->b = Eigen::RowVectorXf::Zero(num_classes);
  GaussianSource gauss(o.seed);
  for (int c = 0; c < num_classes; ++c) {
    for (int d = 0; d < dim; ++d) state->w(d, c) = o.weight_scale * gauss.Next();
  }
  return SoftmaxRegression(std::move(state));
}

int SoftmaxRegression::dim() const { return static_cast<int>(state_->w.rows()); }
int SoftmaxRegression::num_classes() const { return static_cast<int>(state_->w.cols()); }
bool SoftmaxRegression::trained() const { return state_->trained; }

std::vector<float> SoftmaxRegression::weights() const {
  return std::vector<float>(state_->w.data(), state_->w.data() + state_->w.size());
}
std::vector<float> SoftmaxRegression::bias() const {
  return std::vector<float>(state_->b.data(), state_->b.data() + state_->b.size());
}
void SoftmaxRegression::set_parameters(std::span<const float> weights,
                                       std::span<const float> bias) {
  std::copy(weights.begin(), weights.begin() + state_->w.size(), state_->w.data());
  std::copy(bias.begin(), bias.begin() + state_->b.size(), state_->b.data());
  state_->trained = true;
}

Result<Matrix> SoftmaxRegression::Logits(const Matrix& x) const {
  if (x.rows == 0) return Matrix{0, num_classes(), {}};
  if (x.cols != dim()) {
    return InvalidArgument("the data has " + std::to_string(x.cols) +
                           " features per sample, the model expects " + std::to_string(dim()));
  }
  Eigen::MatrixXf z = (View(x) * state_->w).rowwise() + state_->b;
  Matrix out{static_cast<int>(z.rows()), static_cast<int>(z.cols()), {}};
  out.values.resize(z.size());
  Eigen::Map<RowMatrix>(out.values.data(), z.rows(), z.cols()) = z;
  return out;
}

Result<std::vector<int>> SoftmaxRegression::Predict(const Matrix& x) const {
  EDGETL_ASSIGN_OR_RETURN(Matrix z, Logits(x));
  std::vector<int> out(z.rows);
  for (int r = 0; r < z.rows; ++r) {
    const auto row = z.row(r);
    out[r] = static_cast<int>(std::max_element(row.begin(), row.end()) -
                              row.begin());  // first max on ties
  }
  return out;
}

Result<float> SoftmaxRegression::Accuracy(const Matrix& x, std::span<const int> y) const {
  EDGETL_RETURN_IF_ERROR(CheckData(x, y, dim(), num_classes(), "evaluation"));
  EDGETL_ASSIGN_OR_RETURN(std::vector<int> p, Predict(x));
  int hits = 0;
  for (size_t i = 0; i < p.size(); ++i) hits += p[i] == y[i];
  return static_cast<float>(hits) / static_cast<float>(p.size());
}

Result<float> SoftmaxRegression::Loss(const Matrix& x, std::span<const int> y) const {
  EDGETL_RETURN_IF_ERROR(CheckData(x, y, dim(), num_classes(), "evaluation"));
  const Eigen::MatrixXf z = (View(x) * state_->w).rowwise() + state_->b;
  Eigen::MatrixXf p;
  Eigen::VectorXf max, lse;
  Softmax(z, &p, &max, &lse);
  double nll = 0;
  for (int r = 0; r < x.rows; ++r) nll -= z(r, y[r]) - max(r) - lse(r);
  return static_cast<float>(nll / x.rows + 0.5 * state_->options.l2 * state_->w.squaredNorm());
}

Status SoftmaxRegression::Gradients(const Matrix& x, std::span<const int> y,
                                    std::vector<float>* grad_w, std::vector<float>* grad_b) const {
  EDGETL_RETURN_IF_ERROR(CheckData(x, y, dim(), num_classes(), "evaluation"));
  const auto xv = View(x);
  const Eigen::MatrixXf z = (xv * state_->w).rowwise() + state_->b;
  Eigen::MatrixXf p;
  Eigen::VectorXf max, lse;
  Softmax(z, &p, &max, &lse);
  for (int r = 0; r < x.rows; ++r) p(r, y[r]) -= 1.f;
  p /= static_cast<float>(x.rows);
  const Eigen::MatrixXf gw = xv.transpose() * p + state_->options.l2 * state_->w;
  const Eigen::RowVectorXf gb = p.colwise().sum();
  grad_w->assign(gw.data(), gw.data() + gw.size());
  grad_b->assign(gb.data(), gb.data() + gb.size());
  return Status::Ok();
}

Result<TrainingResult> SoftmaxRegression::Train(
    const Matrix& x, std::span<const int> y, const Matrix& val_x, std::span<const int> val_y,
    const std::function<void(const TrainingReport&)>& on_report,
    const std::function<void(int, int)>& on_iteration) {
  const SoftmaxRegressionOptions& o = state_->options;
  EDGETL_RETURN_IF_ERROR(CheckData(x, y, dim(), num_classes(), "training"));
  const bool has_val = val_x.rows > 0;
  if (has_val) EDGETL_RETURN_IF_ERROR(CheckData(val_x, val_y, dim(), num_classes(), "validation"));
  if (o.early_stopping_patience > 0 && !has_val) {
    return InvalidArgument("early stopping needs validation data");
  }
  const auto xv = View(x);
  const int n = x.rows;
  const int batch = std::min(o.batch_size, n);
  const int steps_per_epoch = (n + batch - 1) / batch;
  const int total = o.epochs > 0 ? o.epochs * steps_per_epoch : o.iterations;
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ull);  // distinct from the init stream
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);

  Eigen::MatrixXf w = state_->w, vw = Eigen::MatrixXf::Zero(w.rows(), w.cols());
  Eigen::RowVectorXf b = state_->b, vb = Eigen::RowVectorXf::Zero(b.size());
  Eigen::MatrixXf best_w = w;
  Eigen::RowVectorXf best_b = b;
  float best_val = std::numeric_limits<float>::infinity();
  int since_best = 0;
  TrainingResult result;
  std::vector<int> idx(batch);
  RowMatrix xb(batch, dim());

  auto report = [&](int iteration, float lr) -> Status {
    state_->w = w;
    state_->b = b;
    TrainingReport r;
    r.iteration = iteration;
    r.learning_rate = lr;
    EDGETL_ASSIGN_OR_RETURN(r.train_loss, Loss(x, y));
    EDGETL_ASSIGN_OR_RETURN(r.train_accuracy, Accuracy(x, y));
    if (has_val) {
      EDGETL_ASSIGN_OR_RETURN(r.val_loss, Loss(val_x, val_y));
      EDGETL_ASSIGN_OR_RETURN(r.val_accuracy, Accuracy(val_x, val_y));
    }
    if (!std::isfinite(r.train_loss)) {
      return FailedPrecondition("training diverged at iteration " + std::to_string(iteration) +
                                " (the loss is not finite); try a lower learning rate");
    }
    result.curve.push_back(r);
    if (on_report) on_report(r);
    return Status::Ok();
  };

  for (int t = 0; t < total; ++t) {
    // The minibatch: a slice of this epoch's shuffle, or a sample with
    // replacement (Coral's scheme).
    int rows = batch;
    if (o.epochs > 0) {
      const int step = t % steps_per_epoch;
      if (step == 0) std::shuffle(order.begin(), order.end(), rng);
      rows = std::min(batch, n - step * batch);
      for (int i = 0; i < rows; ++i) idx[i] = order[step * batch + i];
    } else {
      for (int i = 0; i < rows; ++i) idx[i] = static_cast<int>(rng() % static_cast<uint64_t>(n));
    }
    for (int i = 0; i < rows; ++i) xb.row(i) = xv.row(idx[i]);
    const auto xs = xb.topRows(rows);
    const Eigen::MatrixXf z = (xs * w).rowwise() + b;
    Eigen::MatrixXf p;
    Eigen::VectorXf max, lse;
    Softmax(z, &p, &max, &lse);
    for (int i = 0; i < rows; ++i) p(i, y[idx[i]]) -= 1.f;
    p /= static_cast<float>(rows);
    const Eigen::MatrixXf gw = xs.transpose() * p + o.l2 * w;
    const Eigen::RowVectorXf gb = p.colwise().sum();
    const float lr = o.learning_rate / (1.f + o.lr_decay * static_cast<float>(t));
    vw = o.momentum * vw - lr * gw;
    vb = o.momentum * vb - lr * gb;
    w += vw;
    b += vb;
    if (!w.allFinite() || !b.allFinite()) {
      return FailedPrecondition("training diverged at iteration " + std::to_string(t + 1) +
                                " (weights became NaN/inf); try a lower learning rate");
    }
    result.iterations = t + 1;
    if (on_iteration) on_iteration(t + 1, total);
    const bool last = t + 1 == total;
    if ((o.report_every > 0 && (t + 1) % o.report_every == 0) || last) {
      EDGETL_RETURN_IF_ERROR(report(t + 1, lr));
      if (o.early_stopping_patience > 0) {
        if (result.curve.back().val_loss < best_val) {
          best_val = result.curve.back().val_loss;
          best_w = w;
          best_b = b;
          since_best = 0;
        } else if (++since_best >= o.early_stopping_patience) {
          w = best_w;
          b = best_b;
          result.stopped_early = true;
          break;
        }
      }
    }
  }
  if (o.early_stopping_patience > 0 && !result.stopped_early &&
      best_val < result.curve.back().val_loss) {
    w = best_w;
    b = best_b;
  }
  state_->w = w;
  state_->b = b;
  state_->trained = true;
  return result;
}

}  // namespace edgetl
