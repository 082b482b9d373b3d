// CONV_2D: NHWC input, OHWI filter, optional bias, fused activation.
#include "kernels/ops/avx2_conv_runner.h"
#include "kernels/ops/conv_common.h"
#include "kernels/ops/registry.h"
#include "kernels/ops/vnni_conv_runner.h"
#include "kernels/optimized/conv_int16.h"

namespace edgetl {
namespace {

class Conv2D final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    input_ = ctx.inputs[0];
    filter_ = ctx.inputs[1];
    bias_ = ctx.input(2);
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_Conv2DOptions();
    if (!opts) return CorruptModel("missing Conv2DOptions");
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    if (input_->rank() != 4 || filter_->rank() != 4) {
      return Unsupported("input and filter must be 4-D");
    }
    if (filter_->dim(3) != input_->dim(3)) {
      return Unsupported("filter depth " + std::to_string(filter_->dim(3)) +
                         " differs from input depth " + std::to_string(input_->dim(3)) +
                         " (grouped convolution)");
    }
    auto& g = geometry_;
    g.batches = input_->dim(0);
    g.in_h = input_->dim(1);
    g.in_w = input_->dim(2);
    g.in_c = input_->dim(3);
    g.out_c = filter_->dim(0);
    g.filter_h = filter_->dim(1);
    g.filter_w = filter_->dim(2);
    EDGETL_RETURN_IF_ERROR(SetWindow(opts->padding(), opts->stride_h(), opts->stride_w(),
                                     opts->dilation_h_factor(), opts->dilation_w_factor(), &g));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, {g.batches, g.out_h, g.out_w, g.out_c}));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(opts->fused_activation_function(), &act_min_, &act_max_);
      return PrepareFloatConv(*input_, *filter_, bias_, *output_, g.out_c);
    }
    EDGETL_RETURN_IF_ERROR(PrepareQuantizedConv(*input_, *filter_, bias_, *output_, g.out_c, 0,
                                                opts->fused_activation_function(), false, &quant_));
    if (UseAvx512Vnni(ctx)) {
      vnni_.Prepare(g, quant_.quant, *filter_, bias_, ctx.pool);
    } else if (UseAvx2(ctx)) {
      avx2_.Prepare(g, quant_.quant, *filter_, bias_, ctx.pool);
    } else if (!ctx.reference_only) {
      const int k = g.filter_h * g.filter_w * g.in_c;
      const int32_t offset = quant_.quant.filter_offset;
      packed_ = input_->type() == TensorType::kUInt8
                    ? optimized::PackConvFilter(filter_->ptr<uint8_t>(), g.out_c, k, offset)
                    : optimized::PackConvFilter(filter_->ptr<int8_t>(), g.out_c, k, offset);
      scratch_.resize(4 * static_cast<size_t>(packed_.k_padded));
    }
    return Status::Ok();
  }

  size_t packed_bytes() const override {
    return packed_.values.size() * sizeof(int16_t) + vnni_.packed_bytes() + avx2_.packed_bytes();
  }

  // The padding step copies an int8 input flipped to unsigned bytes: from
  // `source` it copies them as they are, the same bytes.
  bool ReadInputFlipped(const RtTensor* source) override {
    if (!vnni_.ready() || !vnni_.pads_input() || input_->type() != TensorType::kInt8 ||
        source->type() != TensorType::kUInt8 || source->shape() != input_->shape()) {
      return false;
    }
    flipped_source_ = source;
    return true;
  }

  void Eval() override {
    ByElementType(
        input_->type(), [this]<typename T>() { EvalQuantized<T>(); },
        [this] {
          reference::ConvFloat(geometry_, act_min_, act_max_, input_->ptr<float>(),
                               filter_->ptr<float>(), bias_ ? bias_->ptr<float>() : nullptr,
                               output_->ptr<float>());
        });
  }

 private:
  template <typename T>
  void EvalQuantized() {
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    if (vnni_.ready()) {
      vnni_.Run(input_->ptr<T>(), output_->ptr<T>(),
                flipped_source_ ? flipped_source_->ptr<uint8_t>() : nullptr);
    } else if (avx2_.ready()) {
      avx2_.Run(input_->ptr<T>(), output_->ptr<T>());
    } else if (scratch_.empty()) {
      reference::ConvQuantized(geometry_, quant_.quant, input_->ptr<T>(), filter_->ptr<T>(), bias,
                               output_->ptr<T>());
    } else {
      optimized::ConvInt16(geometry_, quant_.quant, input_->ptr<T>(), packed_, bias,
                           output_->ptr<T>(), scratch_.data());
    }
  }

  RtTensor *input_ = nullptr, *filter_ = nullptr, *bias_ = nullptr, *output_ = nullptr;
  reference::ConvGeometry geometry_;
  QuantizedConvData quant_;
  optimized::PackedFilter packed_;
  std::vector<int16_t> scratch_;  // empty (and no VNNI or AVX2 runner): the reference kernel runs
  VnniConvRunner vnni_;
  Avx2ConvRunner avx2_;
  const RtTensor* flipped_source_ = nullptr;  // ReadInputFlipped's: read instead of input_
  float act_min_ = 0, act_max_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(CONV_2D, Conv2D);

}  // namespace edgetl
