#include "edgetl/model.h"

#include <cstring>
#include <new>

#include "edgetl/file_io.h"
#include "model/model_impl.h"

namespace edgetl {

AlignedBytes::AlignedBytes(size_t size) : size_(size) {
  const size_t rounded = (size + 63) / 64 * 64;
  data_.reset(static_cast<uint8_t*>(std::aligned_alloc(64, rounded == 0 ? 64 : rounded)));
  if (!data_) throw std::bad_alloc();
}

std::span<const uint8_t> Model::Impl::tensor_data(int i) const {
  const uint32_t b = tensor(i).buffer();
  if (b == 0 || !root->buffers() || b >= root->buffers()->size()) return {};
  const auto* data = root->buffers()->Get(b)->data();
  if (!data || data->size() == 0) return {};
  return {data->data(), data->size()};
}

const fb::OperatorCode& Model::Impl::op_code_entry(int op_index) const {
  const auto* op = graph->operators()->Get(op_index);
  return *root->operator_codes()->Get(op->opcode_index());
}

fb::BuiltinOperator Model::Impl::op_code(int op_index) const {
  return BuiltinCodeOf(op_code_entry(op_index));
}

Result<Model> Model::Verify(std::shared_ptr<Impl> impl) {
  const uint8_t* data = impl->bytes.data();
  const size_t size = impl->bytes.size();
  if (size < 8) {
    return CorruptModel("file is " + std::to_string(size) +
                        " bytes, too short to be a .tflite model (truncated?)");
  }
  if (!fb::ModelBufferHasIdentifier(data)) {
    std::string magic(reinterpret_cast<const char*>(data) + 4, 4);
    for (char& c : magic) {
      if (c < 32 || c > 126) c = '?';
    }
    return CorruptModel("bad magic: file identifier is '" + magic +
                        "', expected 'TFL3' (not a .tflite flatbuffer)");
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return Unsupported("model is " + std::to_string(size) +
                       " bytes; flatbuffer models must be under 2 GB");
  }
  flatbuffers::Verifier::Options options;
  options.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(data, size, options);
  if (!fb::VerifyModelBuffer(verifier)) {
    return CorruptModel(
        "the FlatBuffers verifier rejected the file: an offset or length points outside "
        "the " +
        std::to_string(size) + "-byte buffer (truncated or damaged file)");
  }
  impl->root = fb::GetModel(data);
  EDGETL_RETURN_IF_ERROR(CheckModelSemantics(*impl));
  return Model(std::move(impl));
}

// The bytes are always copied into 64-byte aligned storage: that is what makes
// reading weights and biases in place safe.
Result<Model> Model::FromBuffer(std::span<const uint8_t> bytes) {
  std::shared_ptr<Impl> impl;
  try {
    impl = std::make_shared<Impl>(bytes.size());
  } catch (const std::bad_alloc&) {
    return IoError("out of memory for a " + std::to_string(bytes.size()) + "-byte model");
  }
  if (!bytes.empty()) std::memcpy(impl->bytes.data(), bytes.data(), bytes.size());
  return Verify(std::move(impl));
}

Result<Model> Model::FromFile(const std::filesystem::path& path) {
  EDGETL_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path));
  auto model = FromBuffer(std::span<const uint8_t>(bytes));
  if (!model.ok()) return model.status().WithContext(path.string());
  return model;
}

std::span<const uint8_t> Model::bytes() const { return {impl_->bytes.data(), impl_->bytes.size()}; }

Status Model::Save(const std::filesystem::path& path) const {
  return WriteFileAtomic(path, bytes());
}

int Model::num_tensors() const {
  return impl_->graph->tensors() ? static_cast<int>(impl_->graph->tensors()->size()) : 0;
}

int Model::num_operators() const {
  return impl_->graph->operators() ? static_cast<int>(impl_->graph->operators()->size()) : 0;
}

TensorInfo Model::tensor(int index) const {
  const fb::Tensor& t = impl_->tensor(index);
  TensorInfo info;
  info.index = index;
  info.name = t.name() ? t.name()->str() : "";
  info.type = static_cast<TensorType>(t.type());
  if (t.shape()) info.shape.assign(t.shape()->begin(), t.shape()->end());
  if (const auto* q = t.quantization()) {
    if (q->scale()) info.quant.scale.assign(q->scale()->begin(), q->scale()->end());
    if (q->zero_point()) {
      info.quant.zero_point.assign(q->zero_point()->begin(), q->zero_point()->end());
    }
    info.quant.zero_point.resize(info.quant.scale.size(), 0);
    info.quant.axis = impl_->quant_axis[index];
  }
  info.is_constant = !impl_->tensor_data(index).empty();
  return info;
}

double Model::multiply_accumulates() const {
  double macs = 0;
  for (int i = 0; i < num_operators(); ++i) {
    const OperatorInfo o = op(i);
    if (o.outputs.empty() || o.inputs.size() < 2 || o.inputs[1] < 0) continue;
    const TensorInfo out = tensor(o.outputs[0]);
    const TensorInfo filter = tensor(o.inputs[1]);
    if (o.op_name == "CONV_2D" && filter.shape.size() == 4) {
      macs += double(out.num_elements()) * filter.shape[1] * filter.shape[2] * filter.shape[3];
    } else if (o.op_name == "DEPTHWISE_CONV_2D" && filter.shape.size() == 4) {
      macs += double(out.num_elements()) * filter.shape[1] * filter.shape[2];
    } else if (o.op_name == "FULLY_CONNECTED" && filter.shape.size() == 2) {
      macs += double(out.num_elements()) * filter.shape[1];
    }
  }
  return macs;
}

OperatorInfo Model::op(int index) const {
  const fb::Operator& op = *impl_->graph->operators()->Get(index);
  const fb::OperatorCode& code = impl_->op_code_entry(index);
  OperatorInfo info;
  info.index = index;
  const fb::BuiltinOperator builtin = BuiltinCodeOf(code);
  info.is_custom = builtin == fb::BuiltinOperator::CUSTOM;
  info.op_name = info.is_custom ? (code.custom_code() ? code.custom_code()->str() : "CUSTOM")
                                : BuiltinName(builtin);
  info.version = code.version();
  if (op.inputs()) info.inputs.assign(op.inputs()->begin(), op.inputs()->end());
  if (op.outputs()) info.outputs.assign(op.outputs()->begin(), op.outputs()->end());
  return info;
}

std::vector<int> Model::inputs() const {
  const auto* v = impl_->graph->inputs();
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
}

std::vector<int> Model::outputs() const {
  const auto* v = impl_->graph->outputs();
  return v ? std::vector<int>(v->begin(), v->end()) : std::vector<int>{};
}

std::optional<int> Model::FindTensor(const std::string& name) const {
  for (int i = 0; i < num_tensors(); ++i) {
    const auto* n = impl_->tensor(i).name();
    if (n && n->str() == name) return i;
  }
  return std::nullopt;
}

int Model::ProducerOf(int tensor_index) const {
  for (int i = 0; i < num_operators(); ++i) {
    const auto* outs = impl_->graph->operators()->Get(i)->outputs();
    if (!outs) continue;
    for (int o : *outs) {
      if (o == tensor_index) return i;
    }
  }
  return -1;
}

uint32_t Model::schema_version() const { return impl_->root->version(); }

std::string Model::description() const {
  return impl_->root->description() ? impl_->root->description()->str() : "";
}

std::vector<std::string> Model::metadata_names() const {
  std::vector<std::string> names;
  if (const auto* md = impl_->root->metadata()) {
    for (const auto* m : *md) names.push_back(m->name() ? m->name()->str() : "");
  }
  return names;
}

std::optional<std::vector<uint8_t>> Model::metadata(const std::string& name) const {
  const auto* md = impl_->root->metadata();
  if (!md) return std::nullopt;
  for (const auto* m : *md) {
    if (!m->name() || m->name()->str() != name) continue;
    const auto* data = impl_->root->buffers()->Get(m->buffer())->data();
    if (!data) return std::vector<uint8_t>{};
    return std::vector<uint8_t>(data->begin(), data->end());
  }
  return std::nullopt;
}

bool Model::is_edgetpu_compiled() const {
  const auto* codes = impl_->root->operator_codes();
  if (!codes) return false;
  for (const auto* code : *codes) {
    if (code->custom_code() && code->custom_code()->str() == kEdgeTpuCustomCode) return true;
  }
  return false;
}

const char* ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kEdgeTpuCompiled:
      return "edgetpu-compiled";
    case ModelKind::kImprintingReady:
      return "imprinting-ready";
    case ModelKind::kClassifier:
      return "classifier";
    case ModelKind::kEmbeddingExtractor:
      return "embedding-extractor";
    case ModelKind::kOther:
      return "other";
  }
  return "other";
}

ModelKind Model::kind() const {
  if (is_edgetpu_compiled()) return ModelKind::kEdgeTpuCompiled;
  const int n = num_operators();
  auto code = [&](int i) { return impl_->op_code(i); };
  int l2norms = 0;
  for (int i = 0; i < n; ++i) l2norms += code(i) == fb::BuiltinOperator::L2_NORMALIZATION;
  using Op = fb::BuiltinOperator;
  if (l2norms == 1 && n >= 5 && code(n - 4) == Op::CONV_2D && code(n - 3) == Op::MUL &&
      code(n - 2) == Op::RESHAPE && code(n - 1) == Op::SOFTMAX) {
    return ModelKind::kImprintingReady;
  }
  const auto outs = outputs();
  // A classifier's output comes from a SOFTMAX, possibly through shims that
  // converters append (QUANTIZE/DEQUANTIZE/RESHAPE).
  int producer = outs.size() == 1 ? ProducerOf(outs[0]) : -1;
  while (producer >= 0) {
    const Op op = code(producer);
    if (op == Op::SOFTMAX) return ModelKind::kClassifier;
    if (op != Op::QUANTIZE && op != Op::DEQUANTIZE && op != Op::RESHAPE) break;
    const std::vector<int> inputs = this->op(producer).inputs;
    producer = inputs.empty() || inputs[0] < 0 ? -1 : ProducerOf(inputs[0]);
  }
  if (outs.size() == 1) {
    const auto shape = tensor(outs[0]).shape;
    const bool vec2 = shape.size() == 2 && shape[0] == 1;
    const bool vec4 = shape.size() == 4 && shape[0] == 1 && shape[1] == 1 && shape[2] == 1;
    if (vec2 || vec4) return ModelKind::kEmbeddingExtractor;
  }
  return ModelKind::kOther;
}

const std::vector<std::string>& Model::warnings() const { return impl_->warnings; }

}  // namespace edgetl
