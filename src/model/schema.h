// The generated FlatBuffers API for the .tflite format (namespace edgetl::fb),
// plus small helpers every reader of the format needs. Internal header.
#pragma once

#include "tflite_schema_generated.h"

namespace edgetl {

// The real builtin code of an operator code. Old writers set only the
// deprecated byte field (capped at 127); newer ones set both, so the larger
// of the two is the truth.
inline fb::BuiltinOperator BuiltinCodeOf(const fb::OperatorCode& code) {
  const int deprecated = code.deprecated_builtin_code();
  const int extended = static_cast<int>(code.builtin_code());
  return static_cast<fb::BuiltinOperator>(deprecated > extended ? deprecated : extended);
}
inline fb::BuiltinOperator BuiltinCodeOf(const fb::OperatorCodeT& code) {
  const int deprecated = code.deprecated_builtin_code;
  const int extended = static_cast<int>(code.builtin_code);
  return static_cast<fb::BuiltinOperator>(deprecated > extended ? deprecated : extended);
}

inline const char* BuiltinName(fb::BuiltinOperator op) {
  const char* name = fb::EnumNameBuiltinOperator(op);
  return (name && *name) ? name : "UNKNOWN_OP";
}

constexpr const char kEdgeTpuCustomCode[] = "edgetpu-custom-op";

}  // namespace edgetl
