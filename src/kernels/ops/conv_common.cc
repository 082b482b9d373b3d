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
      if (zp != 0) return Unsupported("int8 filter zero point " + std::to_string(zp) + " (must be 0)");
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

Status PrepareFloatConv(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                        const RtTensor& output, int channels) {
  (void)input;
  EDGETL_RETURN_IF_ERROR(CheckType(filter, {TensorType::kFloat32}, "filter"));
  EDGETL_RETURN_IF_ERROR(CheckType(output, {TensorType::kFloat32}, "output"));
  return CheckBias(bias, channels, TensorType::kFloat32);
}

}  // namespace edgetl
