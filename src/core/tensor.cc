#include "edgetl/tensor.h"

namespace edgetl {

std::string TensorTypeName(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
      return "FLOAT32";
    case TensorType::kFloat16:
      return "FLOAT16";
    case TensorType::kInt32:
      return "INT32";
    case TensorType::kUInt8:
      return "UINT8";
    case TensorType::kInt64:
      return "INT64";
    case TensorType::kString:
      return "STRING";
    case TensorType::kBool:
      return "BOOL";
    case TensorType::kInt16:
      return "INT16";
    case TensorType::kComplex64:
      return "COMPLEX64";
    case TensorType::kInt8:
      return "INT8";
    case TensorType::kFloat64:
      return "FLOAT64";
  }
  return "TYPE_" + std::to_string(static_cast<int>(type));
}

size_t TensorTypeSize(TensorType type) {
  switch (type) {
    case TensorType::kFloat32:
      return 4;
    case TensorType::kFloat16:
      return 2;
    case TensorType::kInt32:
      return 4;
    case TensorType::kUInt8:
      return 1;
    case TensorType::kInt64:
      return 8;
    case TensorType::kString:
      return 0;
    case TensorType::kBool:
      return 1;
    case TensorType::kInt16:
      return 2;
    case TensorType::kComplex64:
      return 8;
    case TensorType::kInt8:
      return 1;
    case TensorType::kFloat64:
      return 8;
  }
  // Codes past FLOAT64 in the format: 11 COMPLEX128, 12 UINT64, 13 RESOURCE,
  // 14 VARIANT, 15 UINT32, 16 UINT16, then sub-byte and 8-bit float types.
  switch (static_cast<int>(type)) {
    case 11:
      return 16;
    case 12:
      return 8;
    case 15:
      return 4;
    case 16:
      return 2;
    case 18:
      return 2;
    case 21:
    case 22:
      return 1;
    default:
      return 0;
  }
}

size_t TensorInfo::num_elements() const {
  size_t n = 1;
  for (int d : shape) n *= d < 0 ? 0 : static_cast<size_t>(d);
  return n;
}

std::string TensorInfo::ShapeString() const {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace edgetl
