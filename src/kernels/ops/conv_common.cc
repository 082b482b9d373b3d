#include "kernels/ops/conv_common.h"

#include "kernels/reference/fixed_point.h"

namespace edgetl {

Status PrepareQuantizedConv(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                            const RtTensor& output, int channels, int filter_axis,
                            fb::ActivationFunctionType activation, bool legacy_per_tensor,
                            QuantizedConvData* data) {
  EDGETL_RETURN_IF_ERROR(CheckType(output, {input.type()}, "output"));
  EDGETL_RETURN_IF_ERROR(CheckConstant(filter, "filter"));
  EDGETL_RETURN_IF_ERROR(CheckQuantized(input, "input"));
  EDGETL_RETURN_IF_ERROR(CheckQuantized(filter, "filter"));
  EDGETL_RETURN_IF_ERROR(CheckQuantized(output, "output"));
  const auto& fq = filter.info.quant;
  if (input.type() == TensorType::kUInt8) {
    EDGETL_RETURN_IF_ERROR(CheckType(filter, {TensorType::kUInt8}, "filter"));
    if (fq.per_channel()) {
      return Unsupported("uint8 filter with per-channel quantization (only int8 is per-channel)");
    }
  } else {
    EDGETL_RETURN_IF_ERROR(CheckType(filter, {TensorType::kInt8}, "filter"));
    for (int64_t zp : fq.zero_point) {
      if (zp != 0)
        return Unsupported("int8 filter zero point " + std::to_string(zp) + " (must be 0)");
    }
    if (fq.per_channel() &&
        (fq.axis != filter_axis || static_cast<int>(fq.scale.size()) != channels)) {
      return Unsupported("per-channel filter quantization must be along the output channels");
    }
  }
  EDGETL_RETURN_IF_ERROR(CheckBias(bias, channels, TensorType::kInt32));

  if (input.type() == TensorType::kUInt8 || (legacy_per_tensor && !fq.per_channel())) {
    double real_multiplier = 0;
    EDGETL_RETURN_IF_ERROR(LegacyConvMultiplier(input, filter, bias, output, &real_multiplier));
    int32_t m;
    int shift;
    fixedpoint::QuantizeMultiplier(real_multiplier, &m, &shift);
    data->multipliers.assign(channels, m);
    data->shifts.assign(channels, shift);
  } else {
    PerChannelMultipliers(input, filter, output, channels, &data->multipliers, &data->shifts);
  }
  reference::ConvQuant& q = data->quant;
  q.input_offset = -input.zero_point();
  q.filter_offset = -filter.zero_point();
  q.output_offset = output.zero_point();
  q.multiplier = data->multipliers.data();
  q.shift = data->shifts.data();
  return ActivationRangeQuantized(activation, output, &q.act_min, &q.act_max);
}

Status SetWindow(fb::Padding padding, int stride_h, int stride_w, int dilation_h, int dilation_w,
                 reference::ConvGeometry* g) {
  if (stride_h <= 0 || stride_w <= 0 || dilation_h <= 0 || dilation_w <= 0 || g->filter_h <= 0 ||
      g->filter_w <= 0) {
    return CorruptModel("strides, dilations and window sizes must be positive");
  }
  g->stride_h = stride_h;
  g->stride_w = stride_w;
  g->dilation_h = dilation_h;
  g->dilation_w = dilation_w;
  const PaddedAxis y = ComputePadding(padding, g->in_h, g->filter_h, stride_h, dilation_h);
  const PaddedAxis x = ComputePadding(padding, g->in_w, g->filter_w, stride_w, dilation_w);
  g->out_h = y.out;
  g->out_w = x.out;
  g->pad_h = y.pad;
  g->pad_w = x.pad;
  return Status::Ok();
}

Status PrepareFloatConv(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                        const RtTensor& output, int channels) {
  (void)input;
  EDGETL_RETURN_IF_ERROR(CheckType(filter, {TensorType::kFloat32}, "filter"));
  EDGETL_RETURN_IF_ERROR(CheckType(output, {TensorType::kFloat32}, "output"));
  return CheckBias(bias, channels, TensorType::kFloat32);
}

}  // namespace edgetl
