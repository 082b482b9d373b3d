// FULLY_CONNECTED: input flattened to [batches, in_depth], filter [out, in].
#include "kernels/reference/fully_connected.h"
#include "kernels/ops/avx2_conv_runner.h"
#include "kernels/ops/conv_common.h"
#include "kernels/ops/registry.h"
#include "kernels/ops/vnni_conv_runner.h"
#include "kernels/optimized/conv_int16.h"

namespace edgetl {
namespace {

class FullyConnected final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    input_ = ctx.inputs[0];
    filter_ = ctx.inputs[1];
    bias_ = ctx.input(2);
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_FullyConnectedOptions();
    const auto activation =
        opts ? opts->fused_activation_function() : fb::ActivationFunctionType::NONE;
    if (opts && opts->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
      return Unsupported("shuffled weights format");
    }
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    if (filter_->rank() != 2) return Unsupported("filter must be 2-D");
    out_depth_ = filter_->dim(0);
    in_depth_ = filter_->dim(1);
    const size_t elements = input_->num_elements();
    if (in_depth_ <= 0 || elements % in_depth_ != 0) {
      return CorruptModel("input has " + std::to_string(elements) +
                          " elements, not a multiple of the filter's " + std::to_string(in_depth_));
    }
    batches_ = static_cast<int>(elements / in_depth_);
    std::vector<int> expected = {batches_, out_depth_};
    if (opts && opts->keep_num_dims()) {
      expected = input_->shape();
      expected.back() = out_depth_;
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, expected));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(activation, &act_min_, &act_max_);
      return PrepareFloatConv(*input_, *filter_, bias_, *output_, out_depth_);
    }
    EDGETL_RETURN_IF_ERROR(PrepareQuantizedConv(*input_, *filter_, bias_, *output_, out_depth_, 0,
                                                activation, true, &quant_));
    // The optimized paths see a 1x1 convolution over `batches` pixels.
    geometry_.in_h = geometry_.out_h = 1;
    geometry_.in_w = geometry_.out_w = batches_;
    geometry_.in_c = in_depth_;
    geometry_.out_c = out_depth_;
    geometry_.filter_h = geometry_.filter_w = 1;
    if (UseAvx512Vnni(ctx)) {
      vnni_.Prepare(geometry_, quant_.quant, *filter_, bias_, ctx.pool);
    } else if (UseAvx2(ctx)) {
      avx2_.Prepare(geometry_, quant_.quant, *filter_, bias_, ctx.pool);
    } else if (!ctx.reference_only) {
      const int32_t offset = quant_.quant.filter_offset;
      packed_ =
          input_->type() == TensorType::kUInt8
              ? optimized::PackConvFilter(filter_->ptr<uint8_t>(), out_depth_, in_depth_, offset)
              : optimized::PackConvFilter(filter_->ptr<int8_t>(), out_depth_, in_depth_, offset);
      scratch_.resize(4 * static_cast<size_t>(packed_.k_padded));
    }
    return Status::Ok();
  }

  size_t packed_bytes() const override {
    return packed_.values.size() * sizeof(int16_t) + vnni_.packed_bytes() + avx2_.packed_bytes();
  }

  void Eval() override {
    ByElementType(
        input_->type(), [this]<typename T>() { EvalQuantized<T>(); },
        [this] {
          reference::FullyConnectedFloat(
              batches_, in_depth_, out_depth_, act_min_, act_max_, input_->ptr<float>(),
              filter_->ptr<float>(), bias_ ? bias_->ptr<float>() : nullptr, output_->ptr<float>());
        });
  }

 private:
  template <typename T>
  void EvalQuantized() {
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    if (vnni_.ready()) {
      vnni_.Run(input_->ptr<T>(), output_->ptr<T>());
    } else if (avx2_.ready()) {
      avx2_.Run(input_->ptr<T>(), output_->ptr<T>());
    } else if (scratch_.empty()) {
      reference::FullyConnectedQuantized(batches_, in_depth_, out_depth_, quant_.quant,
                                         input_->ptr<T>(), filter_->ptr<T>(), bias,
                                         output_->ptr<T>());
    } else {
      optimized::ConvInt16(geometry_, quant_.quant, input_->ptr<T>(), packed_, bias,
                           output_->ptr<T>(), scratch_.data());
    }
  }

  RtTensor *input_ = nullptr, *filter_ = nullptr, *bias_ = nullptr, *output_ = nullptr;
  int batches_ = 0, in_depth_ = 0, out_depth_ = 0;
  QuantizedConvData quant_;
  reference::ConvGeometry geometry_;  // the optimized path's view: a 1x1 conv
  optimized::PackedFilter packed_;
  std::vector<int16_t> scratch_;  // empty (and no VNNI or AVX2 runner): the reference kernel runs
  VnniConvRunner vnni_;
  Avx2ConvRunner avx2_;
  float act_min_ = 0, act_max_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(FULLY_CONNECTED, FullyConnected);

}  // namespace edgetl
