// Model's private state, shared by the model, interpreter and trainers.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "edgetl/model.h"
#include "model/schema.h"

namespace edgetl {

// 64-byte aligned, immutable copy of the model bytes: FlatBuffers aligns
// buffer data relative to the start of the file, so the start must be aligned
// for weights and biases to be readable in place.
class AlignedBytes {
 public:
  explicit AlignedBytes(size_t size);
  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t size_;
};

struct Model::Impl {
  AlignedBytes bytes;
  const fb::Model* root = nullptr;
  const fb::SubGraph* graph = nullptr;  // subgraph 0
  // Per tensor of subgraph 0: the axis to use for per-channel quantization
  // (corrected for the 1-D quirk, see model_check.cc).
  std::vector<int> quant_axis;
  std::vector<std::string> warnings;

  explicit Impl(size_t size) : bytes(size) {}

  const fb::Tensor& tensor(int i) const { return *graph->tensors()->Get(i); }
  // The constant data of tensor i, or nullptr with size 0 when it has none.
  std::span<const uint8_t> tensor_data(int i) const;
  fb::BuiltinOperator op_code(int op_index) const;
  const fb::OperatorCode& op_code_entry(int op_index) const;
};

// Checks subgraph 0 of a verified flatbuffer for what the FlatBuffers verifier
// cannot see. Fills impl.quant_axis and impl.warnings.
Status CheckModelSemantics(Model::Impl& impl);

}  // namespace edgetl
