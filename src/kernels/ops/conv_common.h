// Prepare-time set-up shared by CONV_2D, DEPTHWISE_CONV_2D and
// FULLY_CONNECTED: type checks and per-channel requantization. Internal.
#pragma once

#include <vector>

#include "kernels/ops/op_util.h"
#include "kernels/reference/conv.h"

namespace edgetl {

struct QuantizedConvData {
  std::vector<int32_t> multipliers;  // per output channel
  std::vector<int> shifts;
  reference::ConvQuant quant;  // points into the vectors above
};

// Checks input/filter/bias/output types and quantization for a quantized
// conv-like op with `channels` outputs whose per-channel axis in the filter is
// `filter_axis`, and fills `data`. uint8 uses TFLite's legacy per-tensor
// multiplier; int8 uses per-channel multipliers, or the legacy one for a
// per-tensor filter when `legacy_per_tensor` (FULLY_CONNECTED does that,
// CONV_2D does not: the two round the multiplier differently in TFLite).
Status PrepareQuantizedConv(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                            const RtTensor& output, int channels, int filter_axis,
                            fb::ActivationFunctionType activation, bool legacy_per_tensor,
                            QuantizedConvData* data);

// Sets strides, dilations, output size and leading padding of `g`, whose
// input and filter sizes are already set. Errors: non-positive strides,
// dilations or window.
Status SetWindow(fb::Padding padding, int stride_h, int stride_w, int dilation_h, int dilation_w,
                 reference::ConvGeometry* g);

// Checks types for the float variant.
Status PrepareFloatConv(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                        const RtTensor& output, int channels);

}  // namespace edgetl
