#include "model/model_builder.h"

#include <algorithm>

#include "model/model_impl.h"

namespace edgetl {

ModelBuilder::ModelBuilder() : model_(std::make_unique<fb::ModelT>()) {
  model_->version = 3;
  model_->buffers.push_back(std::make_unique<fb::BufferT>());  // sentinel
  model_->subgraphs.push_back(std::make_unique<fb::SubGraphT>());
}

ModelBuilder ModelBuilder::FromModel(const Model& model) {
  ModelBuilder b;
  b.model_.reset(model.impl().root->UnPack());
  return b;
}

int ModelBuilder::AddBuffer(std::span<const uint8_t> data) {
  auto buffer = std::make_unique<fb::BufferT>();
  buffer->data.assign(data.begin(), data.end());
  model_->buffers.push_back(std::move(buffer));
  return static_cast<int>(model_->buffers.size() - 1);
}

int ModelBuilder::AddTensor(const std::string& name, TensorType type, const std::vector<int>& shape,
                            const Quantization& quant, std::span<const uint8_t> data) {
  auto t = std::make_unique<fb::TensorT>();
  t->name = name;
  t->type = static_cast<fb::TensorType>(type);
  t->shape = shape;
  // Activations get an empty buffer of their own, as converters write them;
  // TFLite treats tensors sharing a buffer with data as read-only.
  t->buffer = static_cast<uint32_t>(AddBuffer(data));
  if (!quant.empty()) {
    t->quantization = std::make_unique<fb::QuantizationParametersT>();
    t->quantization->scale = quant.scale;
    t->quantization->zero_point = quant.zero_point;
    t->quantization->quantized_dimension = quant.axis;
  }
  graph().tensors.push_back(std::move(t));
  return static_cast<int>(graph().tensors.size() - 1);
}

int ModelBuilder::OperatorCode(fb::BuiltinOperator op, int version,
                               const std::string& custom_code) {
  auto& codes = model_->operator_codes;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (BuiltinCodeOf(*codes[i]) == op && codes[i]->custom_code == custom_code &&
        codes[i]->version == version) {
      return static_cast<int>(i);
    }
  }
  auto code = std::make_unique<fb::OperatorCodeT>();
  code->builtin_code = op;
  code->deprecated_builtin_code = static_cast<int8_t>(std::min(static_cast<int>(op), 127));
  code->custom_code = custom_code;
  code->version = version;
  codes.push_back(std::move(code));
  return static_cast<int>(codes.size() - 1);
}

int ModelBuilder::AddOperator(fb::BuiltinOperator op, const std::vector<int>& inputs,
                              const std::vector<int>& outputs, fb::BuiltinOptionsUnion options,
                              int version) {
  auto o = std::make_unique<fb::OperatorT>();
  o->opcode_index = static_cast<uint32_t>(OperatorCode(op, version));
  o->inputs = inputs;
  o->outputs = outputs;
  o->builtin_options = std::move(options);
  graph().operators.push_back(std::move(o));
  return static_cast<int>(graph().operators.size() - 1);
}

std::vector<uint8_t> ModelBuilder::Pack() const {
  flatbuffers::FlatBufferBuilder fbb;
  fb::FinishModelBuffer(fbb, fb::Model::Pack(fbb, model_.get()));
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

Result<Model> ModelBuilder::Build() const {
  const std::vector<uint8_t> bytes = Pack();
  return Model::FromBuffer(bytes);
}

Quantization PerTensor(float scale, int64_t zero_point) {
  Quantization q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

}  // namespace edgetl
