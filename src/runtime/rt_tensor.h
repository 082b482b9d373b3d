// A tensor as the interpreter runs it: its description plus where its bytes
// live (in the model for constants, in the arena otherwise). Internal header.
#pragma once

#include <cstdint>
#include <vector>

#include "edgetl/tensor.h"

namespace edgetl {

struct RtTensor {
  TensorInfo info;
  uint8_t* data = nullptr;  // constants point into the model's read-only bytes
  size_t bytes = 0;

  TensorType type() const { return info.type; }
  int rank() const { return static_cast<int>(info.shape.size()); }
  int dim(int i) const { return info.shape[i]; }
  const std::vector<int>& shape() const { return info.shape; }
  size_t num_elements() const { return info.num_elements(); }
  // Per-tensor quantization (the first entry for per-channel tensors).
  float scale() const { return info.quant.scale.empty() ? 0.f : info.quant.scale[0]; }
  int32_t zero_point() const {
    return info.quant.zero_point.empty() ? 0 : static_cast<int32_t>(info.quant.zero_point[0]);
  }

  template <typename T>
  T* ptr() const {
    return reinterpret_cast<T*>(data);
  }
};

}  // namespace edgetl
