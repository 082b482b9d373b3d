// AVERAGE_POOL_2D and MAX_POOL_2D.
#include "kernels/reference/pooling.h"
#include "kernels/ops/conv_common.h"
#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/pooling.h"
#include "kernels/optimized/pooling_avx512.h"

namespace edgetl {
namespace {

template <bool kMax>
class Pool2D final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    input_ = ctx.inputs[0];
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_Pool2DOptions();
    if (!opts) return CorruptModel("missing Pool2DOptions");
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*output_, {input_->type()}, "output"));
    if (input_->rank() != 4) return Unsupported("input must be 4-D");
    auto& g = geometry_;
    g.batches = input_->dim(0);
    g.in_h = input_->dim(1);
    g.in_w = input_->dim(2);
    g.in_c = g.out_c = input_->dim(3);
    g.filter_h = opts->filter_height();
    g.filter_w = opts->filter_width();
    EDGETL_RETURN_IF_ERROR(
        SetWindow(opts->padding(), opts->stride_h(), opts->stride_w(), 1, 1, &g));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, {g.batches, g.out_h, g.out_w, g.out_c}));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(opts->fused_activation_function(), &fmin_, &fmax_);
      return Status::Ok();
    }
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*input_, "input"));
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*output_, "output"));
    // The quantized kernels pass values through unscaled.
    if (input_->scale() != output_->scale() || input_->zero_point() != output_->zero_point()) {
      return Unsupported("input and output quantization differ");
    }
    simd_ = UseAvx512Vnni(ctx) && optimized::PoolChannelsAvx512Applies(g);
    if (!ctx.reference_only && !simd_) acc_.resize(g.out_c);
    return ActivationRangeQuantized(opts->fused_activation_function(), *output_, &qmin_, &qmax_);
  }

  void Eval() override {
    ByElementType(
        input_->type(), [this]<typename T>() { EvalQuantized<T>(); },
        [this] {
          reference::PoolFloat<kMax>(geometry_, fmin_, fmax_, input_->ptr<float>(),
                                     output_->ptr<float>());
        });
  }

 private:
  template <typename T>
  void EvalQuantized() {
    if (simd_) {
      optimized::PoolChannelsAvx512<T, kMax>(geometry_, qmin_, qmax_, input_->ptr<T>(),
                                             output_->ptr<T>());
    } else if (acc_.empty()) {
      reference::PoolQuantized<T, kMax>(geometry_, qmin_, qmax_, input_->ptr<T>(),
                                        output_->ptr<T>());
    } else {
      optimized::PoolChannelsInner<T, kMax>(geometry_, qmin_, qmax_, input_->ptr<T>(),
                                            output_->ptr<T>(), acc_.data());
    }
  }

  RtTensor *input_ = nullptr, *output_ = nullptr;
  bool simd_ = false;         // PoolChannelsAvx512
  std::vector<int32_t> acc_;  // else: PoolChannelsInner; empty: the reference kernel runs
  reference::ConvGeometry geometry_;
  int32_t qmin_ = 0, qmax_ = 0;
  float fmin_ = 0, fmax_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(AVERAGE_POOL_2D, Pool2D<false>);
EDGETL_REGISTER_KERNEL(MAX_POOL_2D, Pool2D<true>);

}  // namespace edgetl
