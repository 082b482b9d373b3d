// Builds and edits .tflite models through the FlatBuffers object API. Used by
// the trainers (to rewrite or append the last layers) and by tests (to make
// small synthetic models). Internal header: its types are the generated
// schema types.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgetl/model.h"
#include "edgetl/status.h"
#include "model/schema.h"

namespace edgetl {

class ModelBuilder {
 public:
  // An empty model: schema version 3, the buffer-0 sentinel, one subgraph.
  ModelBuilder();
  // Everything in `model`, unpacked for editing. Nothing is dropped: every
  // field of the format round-trips.
  static ModelBuilder FromModel(const Model& model);

  fb::ModelT& model() { return *model_; }
  const fb::ModelT& model() const { return *model_; }
  fb::SubGraphT& graph() { return *model_->subgraphs[0]; }

  // Appends a buffer holding `data`; returns its index.
  int AddBuffer(std::span<const uint8_t> data);
  // Appends a tensor to subgraph 0; `data` (if any) goes into a new buffer,
  // otherwise the tensor gets an empty buffer of its own. Returns its index.
  int AddTensor(const std::string& name, TensorType type, const std::vector<int>& shape,
                const Quantization& quant = {}, std::span<const uint8_t> data = {});
  template <typename T>
  int AddConstTensor(const std::string& name, TensorType type, const std::vector<int>& shape,
                     const std::vector<T>& values, const Quantization& quant = {}) {
    return AddTensor(name, type, shape, quant,
                     {reinterpret_cast<const uint8_t*>(values.data()), values.size() * sizeof(T)});
  }
  // Index of the operator code for `op` (added when missing).
  int OperatorCode(fb::BuiltinOperator op, int version = 1, const std::string& custom_code = "");
  // Appends an operator to subgraph 0; returns its index.
  int AddOperator(fb::BuiltinOperator op, const std::vector<int>& inputs,
                  const std::vector<int>& outputs, fb::BuiltinOptionsUnion options = {},
                  int version = 1);
  void SetInputs(const std::vector<int>& inputs) { graph().inputs = inputs; }
  void SetOutputs(const std::vector<int>& outputs) { graph().outputs = outputs; }

  // Serializes (with the "TFL3" identifier) without verification.
  std::vector<uint8_t> Pack() const;
  // Serializes and loads the result, so it passes the same verification as
  // any model read from disk. Errors: those of Model::FromBuffer.
  Result<Model> Build() const;

 private:
  std::unique_ptr<fb::ModelT> model_;
};

// Quantization for a tensor: one scale/zero point.
Quantization PerTensor(float scale, int64_t zero_point);

}  // namespace edgetl
