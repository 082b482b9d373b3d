// SOFTMAX over the last axis.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/reference/softmax.h"

namespace edgetl {
namespace {

class Softmax final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    const auto* o = ctx.op.builtin_options_as_SoftmaxOptions();
    beta_ = o ? o->beta() : 1.f;
    EDGETL_RETURN_IF_ERROR(
        CheckType(*in_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {in_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, in_->shape()));
    if (in_->rank() < 1) return Unsupported("scalar input");
    depth_ = in_->dim(in_->rank() - 1);
    rows_ = depth_ ? static_cast<int>(in_->num_elements() / depth_) : 0;
    if (in_->type() == TensorType::kFloat32) return Status::Ok();
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*in_, "input"));
    // The fixed-point algorithm writes probabilities at scale 1/256 with the
    // type's minimum as zero point.
    const int32_t expected_zp = in_->type() == TensorType::kUInt8 ? 0 : -128;
    if (out_->zero_point() != expected_zp || std::abs(out_->scale() - 1.f / 256) > 0.001f / 256) {
      return Unsupported("quantized softmax output must have scale 1/256 and zero point " +
                         std::to_string(expected_zp));
    }
    if (!(beta_ > 0.f)) return Unsupported("softmax beta must be positive");
    // TFLite's fixed-point softmax scales input differences by a multiplier
    // greater than one, beta * scale * 2^26 (its Q5.26 exponent input).
    if (!(static_cast<double>(beta_) * in_->scale() * (int64_t{1} << 26) > 1.0)) {
      return Unsupported("softmax beta * input scale " +
                         std::to_string(static_cast<double>(beta_) * in_->scale()) +
                         " is below 2^-26, the least TensorFlow Lite's quantized softmax takes");
    }
    quant_ = reference::MakeSoftmaxQuant(beta_, in_->scale());
    if (!ctx.reference_only) {
      // 8-bit differences are 0..-255: their exponentials, once.
      exp_table_.resize(256);
      terms_.resize(256);
      for (int d = 0; d < 256; ++d) {
        exp_table_[d] = reference::SoftmaxExp(quant_, -d);
        terms_[d] = reference::SoftmaxTerm(exp_table_[d]);
      }
    }
    return Status::Ok();
  }

  void Eval() override {
    ByElementType(
        in_->type(), [this]<typename T>() { EvalQuantized<T>(); },
        [this] {
          reference::SoftmaxFloat(beta_, rows_, depth_, in_->ptr<float>(), out_->ptr<float>());
        });
  }

 private:
  template <typename T>
  void EvalQuantized() {
    if (exp_table_.empty()) {
      reference::SoftmaxQuantized(quant_, rows_, depth_, in_->ptr<T>(), out_->ptr<T>());
      return;
    }
    for (int r = 0; r < rows_; ++r) {
      EvalRow(in_->ptr<T>() + static_cast<size_t>(r) * depth_,
              out_->ptr<T>() + static_cast<size_t>(r) * depth_);
    }
  }

  // One row by its histogram: an 8-bit row has at most 256 distinct
  // differences to its maximum, and the sum's wrapping additions may come
  // in any order, so the sum is count x term per difference, and each
  // difference's output is computed once and looked up per element.
  template <typename T>
  void EvalRow(const T* in, T* out) {
    const int32_t max_in_row = *std::max_element(in, in + depth_);
    // Four histograms, merged after: logits cluster, and increments of one
    // counter in a row wait for each other through memory.
    std::array<std::array<uint32_t, 256>, 4> counts{};
    int c = 0;
    for (; c + 4 <= depth_; c += 4) {
      for (int j = 0; j < 4; ++j) ++counts[j][max_in_row - in[c + j]];
    }
    for (; c < depth_; ++c) ++counts[0][max_in_row - in[c]];
    std::array<uint32_t, 256> count;
    for (int d = 0; d < 256; ++d)
      count[d] = counts[0][d] + counts[1][d] + counts[2][d] + counts[3][d];
    reference::SoftmaxSum sum = reference::SoftmaxSum::Zero();
    const int last = std::min(255, -quant_.diff_min);  // differences that count
    for (int d = 0; d <= last; ++d) {
      sum.raw = static_cast<int32_t>(static_cast<uint32_t>(sum.raw) +
                                     count[d] * static_cast<uint32_t>(terms_[d].raw));
    }
    const reference::SoftmaxScale scale = reference::SoftmaxScaleOf(sum);
    std::array<T, 256> output_of;
    for (int d = 0; d < 256; ++d) {
      output_of[d] = d <= last && count[d] ? reference::SoftmaxOutput<T>(scale, exp_table_[d])
                                           : std::numeric_limits<T>::min();
    }
    for (int c = 0; c < depth_; ++c) out[c] = output_of[max_in_row - in[c]];
  }

  RtTensor *in_ = nullptr, *out_ = nullptr;
  float beta_ = 1.f;
  int rows_ = 0, depth_ = 0;
  reference::SoftmaxQuant quant_;
  std::vector<fixedpoint::Fixed<0>> exp_table_;  // empty: computed per element (the oracle)
  std::vector<reference::SoftmaxSum> terms_;     // the exponentials as summed
};

}  // namespace

EDGETL_REGISTER_KERNEL(SOFTMAX, Softmax);

}  // namespace edgetl
