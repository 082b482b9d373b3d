// A verified, immutable .tflite model.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "edgetl/status.h"
#include "edgetl/tensor.h"

namespace edgetl {

struct OperatorInfo {
  int index = -1;
  std::string op_name;  // builtin name ("CONV_2D") or the custom code
  bool is_custom = false;
  int version = 1;
  std::vector<int> inputs;  // -1 marks an omitted optional input
  std::vector<int> outputs;
};

// What a model is good for in edgetl, as `edgetl inspect` reports it.
enum class ModelKind {
  kEdgeTpuCompiled,     // holds an edgetpu-custom-op: needs the CPU version
  kImprintingReady,     // L2Norm -> Conv2D -> Mul -> Reshape -> Softmax tail (Coral format)
  kClassifier,          // ends in SOFTMAX
  kEmbeddingExtractor,  // one output of shape [1,D] or [1,1,1,D], no softmax
  kOther,
};
const char* ModelKindName(ModelKind kind);

// A .tflite model that has passed the FlatBuffers verifier and edgetl's
// semantic checks (indices in range, buffer sizes matching shapes and types,
// subgraph 0 present). Copies are cheap and share the same read-only bytes,
// so one Model can back many interpreters on many threads.
class Model {
 public:
  // Errors: kNotFound / kIoError (file), kCorruptModel (fails verification:
  // the message says what is wrong).
  static Result<Model> FromFile(const std::filesystem::path& path);
  // Copies `bytes`. Errors: kCorruptModel.
  static Result<Model> FromBuffer(std::span<const uint8_t> bytes);

  // The serialized model, exactly as loaded or built.
  std::span<const uint8_t> bytes() const;
  // Writes bytes() atomically (temporary file + rename). Errors: kIoError.
  Status Save(const std::filesystem::path& path) const;

  // Subgraph 0.
  int num_tensors() const;
  int num_operators() const;
  TensorInfo tensor(int index) const;  // index must be in [0, num_tensors())
  OperatorInfo op(int index) const;    // index must be in [0, num_operators())
  // Multiply-accumulates of one inference in CONV_2D, DEPTHWISE_CONV_2D and
  // FULLY_CONNECTED (the bulk of the work), for GMAC/s figures.
  double multiply_accumulates() const;
  std::vector<int> inputs() const;
  std::vector<int> outputs() const;
  // Tensor index by name, or nullopt.
  std::optional<int> FindTensor(const std::string& name) const;
  // Index of the op that writes `tensor_index`, or -1 for inputs/constants.
  int ProducerOf(int tensor_index) const;

  uint32_t schema_version() const;
  std::string description() const;
  // Names in the model's `metadata` list, and one entry's bytes.
  std::vector<std::string> metadata_names() const;
  std::optional<std::vector<uint8_t>> metadata(const std::string& name) const;

  ModelKind kind() const;
  bool is_edgetpu_compiled() const;
  // Problems that edgetl tolerates but reports (e.g. a 1-D per-axis tensor
  // whose quantized_dimension is out of range).
  const std::vector<std::string>& warnings() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  static Result<Model> Verify(std::shared_ptr<Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace edgetl
