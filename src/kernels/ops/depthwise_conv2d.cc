// DEPTHWISE_CONV_2D: NHWC input, 1HW(I*M) filter; output channel
// ic * depth_multiplier + m reads input channel ic.
#include "kernels/ops/conv_common.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/conv_int16.h"

namespace edgetl {
namespace {

class DepthwiseConv2D final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    input_ = ctx.inputs[0];
    filter_ = ctx.inputs[1];
    bias_ = ctx.input(2);
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_DepthwiseConv2DOptions();
    if (!opts) return CorruptModel("missing DepthwiseConv2DOptions");
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    if (input_->rank() != 4 || filter_->rank() != 4 || filter_->dim(0) != 1) {
      return Unsupported("input must be 4-D and the filter [1,H,W,C]");
    }
    if (opts->stride_h() <= 0 || opts->stride_w() <= 0 || opts->dilation_h_factor() <= 0 ||
        opts->dilation_w_factor() <= 0) {
      return CorruptModel("strides and dilations must be positive");
    }
    auto& g = geometry_;
    g.batches = input_->dim(0);
    g.in_h = input_->dim(1);
    g.in_w = input_->dim(2);
    g.in_c = input_->dim(3);
    g.out_c = filter_->dim(3);
    if (g.in_c <= 0 || g.out_c % g.in_c != 0) {
      return CorruptModel("filter channels " + std::to_string(g.out_c) +
                          " are not a multiple of input channels " + std::to_string(g.in_c));
    }
    // The option is redundant with the shapes (newer converters write 0 or
    // leave it stale); the shapes decide, as in TFLite.
    g.depth_multiplier = g.out_c / g.in_c;
    g.filter_h = filter_->dim(1);
    g.filter_w = filter_->dim(2);
    g.stride_h = opts->stride_h();
    g.stride_w = opts->stride_w();
    g.dilation_h = opts->dilation_h_factor();
    g.dilation_w = opts->dilation_w_factor();
    const PaddedAxis y = ComputePadding(opts->padding(), g.in_h, g.filter_h, g.stride_h, g.dilation_h);
    const PaddedAxis x = ComputePadding(opts->padding(), g.in_w, g.filter_w, g.stride_w, g.dilation_w);
    g.out_h = y.out;
    g.out_w = x.out;
    g.pad_h = y.pad;
    g.pad_w = x.pad;
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, {g.batches, g.out_h, g.out_w, g.out_c}));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(opts->fused_activation_function(), &act_min_, &act_max_);
      return PrepareFloatConv(*input_, *filter_, bias_, *output_, g.out_c);
    }
    EDGETL_RETURN_IF_ERROR(PrepareQuantizedConv(*input_, *filter_, bias_, *output_, g.out_c, 3,
                                                opts->fused_activation_function(), false, &quant_));
    if (!ctx.reference_only) {
      const int taps = g.filter_h * g.filter_w;
      packed_ = input_->type() == TensorType::kUInt8
                    ? optimized::PackDepthwiseFilter(filter_->ptr<uint8_t>(), taps, g.out_c, quant_.quant.filter_offset)
                    : optimized::PackDepthwiseFilter(filter_->ptr<int8_t>(), taps, g.out_c, quant_.quant.filter_offset);
      acc_.resize(g.out_c);
    }
    return Status::Ok();
  }

  void Eval() override {
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    switch (input_->type()) {
      case TensorType::kUInt8:
        if (!acc_.empty()) {
          optimized::DepthwiseInt16(geometry_, quant_.quant, input_->ptr<uint8_t>(), packed_, bias,
                                    output_->ptr<uint8_t>(), acc_.data());
        } else {
          reference::DepthwiseConvQuantized(geometry_, quant_.quant, input_->ptr<uint8_t>(),
                                            filter_->ptr<uint8_t>(), bias, output_->ptr<uint8_t>());
        }
        break;
      case TensorType::kInt8:
        if (!acc_.empty()) {
          optimized::DepthwiseInt16(geometry_, quant_.quant, input_->ptr<int8_t>(), packed_, bias,
                                    output_->ptr<int8_t>(), acc_.data());
        } else {
          reference::DepthwiseConvQuantized(geometry_, quant_.quant, input_->ptr<int8_t>(),
                                            filter_->ptr<int8_t>(), bias, output_->ptr<int8_t>());
        }
        break;
      default:
        reference::DepthwiseConvFloat(geometry_, act_min_, act_max_, input_->ptr<float>(),
                                      filter_->ptr<float>(), bias_ ? bias_->ptr<float>() : nullptr,
                                      output_->ptr<float>());
    }
  }

 private:
  RtTensor *input_ = nullptr, *filter_ = nullptr, *bias_ = nullptr, *output_ = nullptr;
  reference::ConvGeometry geometry_;
  QuantizedConvData quant_;
  optimized::PackedDepthwise packed_;
  std::vector<int32_t> acc_;  // empty: reference kernel
  float act_min_ = 0, act_max_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(DEPTHWISE_CONV_2D, DepthwiseConv2D);

}  // namespace edgetl
