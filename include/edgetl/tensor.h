// Tensor descriptions shared by the model and the interpreter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace edgetl {

// Element types. The numeric values are the .tflite format's TensorType codes.
enum class TensorType : int8_t {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kUInt8 = 3,
  kInt64 = 4,
  kString = 5,
  kBool = 6,
  kInt16 = 7,
  kComplex64 = 8,
  kInt8 = 9,
  kFloat64 = 10,
};

// "FLOAT32", "UINT8", ... ("TYPE_<n>" for codes edgetl has no name for).
std::string TensorTypeName(TensorType type);
// Bytes per element; 0 for types without a fixed size (string, sub-byte).
size_t TensorTypeSize(TensorType type);

// Affine quantization: real = scale * (q - zero_point). One entry per tensor,
// or one per slice along `axis` (per-channel weights).
struct Quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int axis = 0;

  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct TensorInfo {
  int index = -1;  // index in subgraph 0
  std::string name;
  TensorType type = TensorType::kFloat32;
  std::vector<int> shape;
  Quantization quant;
  bool is_constant = false;  // holds data in the model (weights, biases, shapes)

  size_t num_elements() const;
  size_t num_bytes() const { return num_elements() * TensorTypeSize(type); }
  // e.g. "[1,224,224,3]"
  std::string ShapeString() const;
};

// A tensor and its data inside an Interpreter: valid while the interpreter
// lives; the data of intermediate tensors is overwritten as the graph runs.
struct TensorView {
  const TensorInfo* info = nullptr;
  std::span<uint8_t> data;

  template <typename T>
  std::span<T> as() const {
    return {reinterpret_cast<T*>(data.data()), data.size() / sizeof(T)};
  }
};

}  // namespace edgetl
