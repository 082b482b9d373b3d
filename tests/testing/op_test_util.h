// Helpers to run one op on hand-made tensors through the real interpreter.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "edgetl/interpreter.h"
#include "model/model_builder.h"

namespace edgetl::testing {

// Quantizes reals to the given type with scale/zero point (round, clamp).
template <typename T>
std::vector<T> Quantize(const std::vector<float>& values, float scale, int zero_point) {
  std::vector<T> q;
  for (float v : values) {
    const long r = std::lround(v / scale) + zero_point;
    q.push_back(static_cast<T>(
        std::clamp<long>(r, std::numeric_limits<T>::min(), std::numeric_limits<T>::max())));
  }
  return q;
}

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  return std::vector<uint8_t>(p, p + v.size() * sizeof(T));
}

// Builds the model, feeds `inputs` (raw bytes, graph-input order), runs it
// and returns output 0 as T. Fails the test (empty result) on any error.
template <typename T>
std::vector<T> RunModel(const ModelBuilder& builder,
                        const std::vector<std::vector<uint8_t>>& inputs,
                        std::string* error = nullptr) {
  auto model = builder.Build();
  if (!model.ok()) {
    if (error) *error = model.status().ToString();
    return {};
  }
  auto interpreter = Interpreter::Create(*model);
  if (!interpreter.ok()) {
    if (error) *error = interpreter.status().ToString();
    return {};
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Status s = interpreter->SetInput(static_cast<int>(i), inputs[i]);
    if (!s.ok()) {
      if (error) *error = s.ToString();
      return {};
    }
  }
  (void)interpreter->Invoke();
  auto view = interpreter->output(0);
  const T* p = reinterpret_cast<const T*>(view.data.data());
  return std::vector<T>(p, p + view.data.size() / sizeof(T));
}

// CONV_2D's options: the same stride and dilation both ways.
inline fb::BuiltinOptionsUnion ConvOptions(
    fb::Padding padding, int stride, int dilation = 1,
    fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE) {
  fb::BuiltinOptionsUnion u;
  fb::Conv2DOptionsT o;
  o.padding = padding;
  o.stride_w = o.stride_h = stride;
  o.dilation_w_factor = o.dilation_h_factor = dilation;
  o.fused_activation_function = act;
  u.Set(o);
  return u;
}

// DEPTHWISE_CONV_2D's options: the same stride and dilation both ways.
inline fb::BuiltinOptionsUnion DepthwiseOptions(
    fb::Padding padding, int stride, int multiplier = 1, int dilation = 1,
    fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE) {
  fb::BuiltinOptionsUnion u;
  fb::DepthwiseConv2DOptionsT o;
  o.padding = padding;
  o.stride_w = o.stride_h = stride;
  o.depth_multiplier = multiplier;
  o.dilation_w_factor = o.dilation_h_factor = dilation;
  o.fused_activation_function = act;
  u.Set(o);
  return u;
}

// AVERAGE_POOL_2D's and MAX_POOL_2D's options: a square window, the same
// stride both ways.
inline fb::BuiltinOptionsUnion PoolOptions(
    fb::Padding padding, int window, int stride,
    fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE) {
  fb::BuiltinOptionsUnion u;
  fb::Pool2DOptionsT o;
  o.padding = padding;
  o.stride_w = o.stride_h = stride;
  o.filter_width = o.filter_height = window;
  o.fused_activation_function = act;
  u.Set(o);
  return u;
}

// SOFTMAX's options.
inline fb::BuiltinOptionsUnion SoftmaxOptions(float beta = 1.f) {
  fb::BuiltinOptionsUnion u;
  fb::SoftmaxOptionsT o;
  o.beta = beta;
  u.Set(o);
  return u;
}

}  // namespace edgetl::testing
