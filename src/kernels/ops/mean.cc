// MEAN over constant axes, with or without keep_dims.
#include <algorithm>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/reference/pooling.h"

namespace edgetl {
namespace {

class Mean final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
    input_ = ctx.inputs[0];
    output_ = ctx.outputs[0];
    const RtTensor& axes = *ctx.inputs[1];
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*output_, {input_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckType(axes, {TensorType::kInt32}, "axis"));
    EDGETL_RETURN_IF_ERROR(CheckConstant(axes, "axis"));
    const auto* opts = ctx.op.builtin_options_as_ReducerOptions();
    const bool keep_dims = opts && opts->keep_dims();
    const int rank = input_->rank();
    std::vector<bool> reduced(rank, false);
    for (size_t i = 0; i < axes.num_elements(); ++i) {
      int a = axes.ptr<int32_t>()[i];
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return CorruptModel("axis " + std::to_string(a) + " out of range");
      reduced[a] = true;
    }
    std::vector<int> out_shape;
    std::vector<int> out_dims;  // per input axis: the output extent (1 when reduced)
    count_ = 1;
    for (int d = 0; d < rank; ++d) {
      if (reduced[d]) count_ *= input_->dim(d);
      out_dims.push_back(reduced[d] ? 1 : input_->dim(d));
      if (!reduced[d] || keep_dims) out_shape.push_back(out_dims.back());
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, out_shape));
    if (count_ == 0) return Unsupported("mean over an empty axis");
    // Map every input element to its output element once.
    const size_t n = input_->num_elements();
    out_index_.resize(n);
    std::vector<int> idx(rank, 0);
    for (size_t i = 0; i < n; ++i) {
      int32_t o = 0;
      for (int d = 0; d < rank; ++d) o = o * out_dims[d] + (reduced[d] ? 0 : idx[d]);
      out_index_[i] = o;
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < input_->dim(d)) break;
        idx[d] = 0;
      }
    }
    sums_.resize(output_->num_elements());
    float_sums_.resize(output_->num_elements());
    if (input_->type() != TensorType::kFloat32) {
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*input_, "input"));
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*output_, "output"));
      quant_ = reference::MakeMeanQuant(input_->scale(), output_->scale(), count_);
    }
    return Status::Ok();
  }

  void Eval() override {
    switch (input_->type()) {
      case TensorType::kUInt8:
        EvalQuantized<uint8_t>();
        break;
      case TensorType::kInt8:
        EvalQuantized<int8_t>();
        break;
      default: {
        const float* in = input_->ptr<float>();
        float* out = output_->ptr<float>();
        std::fill(float_sums_.begin(), float_sums_.end(), 0.f);
        for (size_t i = 0; i < out_index_.size(); ++i) float_sums_[out_index_[i]] += in[i];
        for (size_t o = 0; o < float_sums_.size(); ++o) {
          out[o] = float_sums_[o] / static_cast<float>(count_);
        }
      }
    }
  }

 private:
  template <typename T>
  void EvalQuantized() {
    reference::ReduceSum(input_->ptr<T>(), out_index_.size(), out_index_, sums_.data(),
                         sums_.size());
    reference::MeanQuantized(sums_.data(), sums_.size(), count_, input_->zero_point(), quant_,
                             output_->zero_point(), output_->ptr<T>());
  }

  RtTensor *input_ = nullptr, *output_ = nullptr;
  std::vector<int32_t> out_index_;
  std::vector<int64_t> sums_;
  std::vector<float> float_sums_;
  int count_ = 1;
  reference::MeanQuant quant_;
};

}  // namespace

EDGETL_REGISTER_KERNEL(MEAN, Mean);

}  // namespace edgetl
