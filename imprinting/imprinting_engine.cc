#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <sstream>
#include <string_view>

#include "edgetl/imprinting.h"
#include "model/model_builder.h"
#include "model/model_impl.h"

namespace edgetl {
namespace {

// Norms below this count as zero: the class vector is left unnormalized
// (Coral's threshold).
constexpr float kMinNorm = 1e-5f;

float L2Norm(std::span<const float> v) {
  double s = 0;
  for (float x : v) s += double(x) * x;
  return static_cast<float>(std::sqrt(s));
}

// edgetl's class metadata: one "id<TAB>samples<TAB>label" line per class, in
// id order, ids 0..n-1. Rows of the weight tensor past n are placeholders.
std::string FormatClasses(const std::vector<ImprintedClass>& classes) {
  std::string out;
  for (size_t i = 0; i < classes.size(); ++i) {
    out += std::to_string(i) + "\t" + std::to_string(classes[i].samples) + "\t" + classes[i].label +
           "\n";
  }
  return out;
}

struct StoredClass {
  int samples = 0;
  std::string label;
};

// A non-negative decimal int filling all of `text`.
std::optional<int> ParseCount(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

Result<std::vector<StoredClass>> ParseClasses(const std::vector<uint8_t>& bytes) {
  std::vector<StoredClass> classes;
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const size_t t1 = line.find('\t'), t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos)
      return CorruptModel("malformed edgetl class metadata line: " + line);
    const std::optional<int> id = ParseCount(std::string_view(line).substr(0, t1));
    const std::optional<int> samples =
        ParseCount(std::string_view(line).substr(t1 + 1, t2 - t1 - 1));
    if (!id || !samples) return CorruptModel("malformed edgetl class metadata line: " + line);
    if (*id != static_cast<int>(classes.size()))
      return CorruptModel("edgetl class metadata out of order");
    classes.push_back({*samples, line.substr(t2 + 1)});
  }
  return classes;
}

// Labels are stored one per line (here and in label files).
Status CheckLabel(const std::string& label) {
  if (label.find_first_of("\n\r") != std::string::npos) {
    return InvalidArgument("a class label cannot contain a line break");
  }
  return Status::Ok();
}

std::string ClassName(int id, const ImprintedClass& c) {
  return "class " + std::to_string(id) + (c.label.empty() ? "" : " ('" + c.label + "')");
}

}  // namespace

struct ImprintingEngine::State {
  Model model;
  Model extractor;
  ImprintingLayout layout;
  std::vector<ImprintedClass> classes;
  TensorInfo kernel;  // the prototype's weights: type and quantization to reuse

  explicit State(const Model& m, const Model& e) : model(m), extractor(e) {}
};

ImprintingEngine::ImprintingEngine(std::unique_ptr<State> state) : state_(std::move(state)) {}
ImprintingEngine::ImprintingEngine(ImprintingEngine&&) noexcept = default;
ImprintingEngine& ImprintingEngine::operator=(ImprintingEngine&&) noexcept = default;
ImprintingEngine::~ImprintingEngine() = default;

Result<ImprintingEngine> ImprintingEngine::Create(const Model& model, bool keep_classes) {
  EDGETL_ASSIGN_OR_RETURN(ImprintingLayout layout, ValidateImprintingModel(model));
  // The extractor ends at the L2Norm: the classification tail is dropped
  // rather than left running for nothing.
  ModelBuilder eb = ModelBuilder::FromModel(model);
  eb.graph().operators.resize(layout.l2norm_op + 1);
  eb.SetOutputs({model.op(layout.l2norm_op).outputs[0]});
  EDGETL_ASSIGN_OR_RETURN(Model extractor, eb.Build());

  auto state = std::make_unique<State>(model, extractor);
  state->layout = layout;
  const OperatorInfo conv = model.op(layout.conv_op);
  state->kernel = model.tensor(conv.inputs[1]);
  if (keep_classes) {
    const int dim = layout.embedding_dim;
    const auto data = model.impl().tensor_data(conv.inputs[1]);
    if (data.size() != static_cast<size_t>(layout.num_rows) * dim) {
      return CorruptModel("the Conv2d weights hold " + std::to_string(data.size()) +
                          " bytes, not a multiple of the embedding dimension " +
                          std::to_string(dim));
    }
    const std::map<int, float> norms = ParseImprintingMetadata(model.description());
    std::vector<StoredClass> stored;
    int rows = layout.num_rows;
    if (auto entry = model.metadata(kImprintingClassesMetadata)) {
      EDGETL_ASSIGN_OR_RETURN(stored, ParseClasses(*entry));
      if (static_cast<int>(stored.size()) > rows)
        return CorruptModel("more classes in metadata than weight rows");
      rows = static_cast<int>(stored.size());
    }
    const float scale = state->kernel.quant.scale[0];
    const int64_t zp = state->kernel.quant.zero_point[0];
    const bool u8 = state->kernel.type == TensorType::kUInt8;
    for (int r = 0; r < rows; ++r) {
      ImprintedClass c;
      c.sum.resize(dim);
      for (int k = 0; k < dim; ++k) {
        const int q = u8 ? data[r * dim + k] : static_cast<int8_t>(data[r * dim + k]);
        c.sum[k] = scale * static_cast<float>(q - zp);
      }
      auto norm = norms.find(r);
      c.trainable = norm != norms.end();
      if (c.trainable) {
        for (float& v : c.sum) v *= norm->second;
      }
      if (r < static_cast<int>(stored.size())) {
        c.samples = stored[r].samples;
        c.label = stored[r].label;
      } else if (c.trainable) {
        // A Coral-trained class has no count; the sum of n unit vectors has
        // norm <= n, so ceil(norm) is a lower bound on its samples.
        // Capped at the per-class limit: a class whose norm reaches it is
        // full either way, and a hand-edited norm cannot overflow the int.
        c.samples = static_cast<int>(
            std::min(std::ceil(double{norm->second} - 1e-3), double{kMaxSamplesPerClass}));
      }
      state->classes.push_back(std::move(c));
    }
  }
  return ImprintingEngine(std::move(state));
}

const Model& ImprintingEngine::extractor() const { return state_->extractor; }
int ImprintingEngine::embedding_dim() const { return state_->layout.embedding_dim; }
int ImprintingEngine::num_classes() const { return static_cast<int>(state_->classes.size()); }
const std::vector<ImprintedClass>& ImprintingEngine::classes() const { return state_->classes; }

Status ImprintingEngine::Train(std::span<const float> embedding, int class_id) {
  auto& classes = state_->classes;
  const int dim = embedding_dim();
  if (static_cast<int>(embedding.size()) != dim) {
    return InvalidArgument("embedding has " + std::to_string(embedding.size()) +
                           " values, but the model's embedding dimension is " +
                           std::to_string(dim));
  }
  for (float v : embedding) {
    if (!std::isfinite(v)) return InvalidArgument("embedding contains a non-finite value");
  }
  const float norm = L2Norm(embedding);
  if (norm <= kMinNorm) return InvalidArgument("embedding is all zeros");
  if (class_id < 0) return InvalidArgument("class id " + std::to_string(class_id) + " is negative");
  const int n = num_classes();
  if (class_id < n && !classes[class_id].trainable) {
    return InvalidArgument(
        "Cannot change the base model classes not trained with imprinting method!");
  }
  if (class_id > n) return InvalidArgument("The class index of a new category is too large!");
  if (class_id < n && classes[class_id].samples >= kMaxSamplesPerClass) {
    return OutOfRange(ClassName(class_id, classes[class_id]) + " already has " +
                      std::to_string(classes[class_id].samples) +
                      " samples, the most a class may have (" +
                      std::to_string(kMaxSamplesPerClass) + "); the sample was not added");
  }
  if (class_id == n) {
    ImprintedClass c;
    c.sum.assign(dim, 0.f);
    classes.push_back(std::move(c));
  }
  ImprintedClass& c = classes[class_id];
  for (int k = 0; k < dim; ++k) c.sum[k] += embedding[k] / norm;
  ++c.samples;
  return Status::Ok();
}

Result<int> ImprintingEngine::TrainLabel(std::span<const float> embedding,
                                         const std::string& label) {
  EDGETL_RETURN_IF_ERROR(CheckLabel(label));
  auto& classes = state_->classes;
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].label == label) {
      EDGETL_RETURN_IF_ERROR(Train(embedding, static_cast<int>(i)));
      return static_cast<int>(i);
    }
  }
  const int id = num_classes();
  EDGETL_RETURN_IF_ERROR(Train(embedding, id));
  classes[id].label = label;
  return id;
}

Status ImprintingEngine::SetLabel(int class_id, const std::string& label) {
  if (class_id < 0 || class_id >= num_classes())
    return OutOfRange("no class " + std::to_string(class_id));
  EDGETL_RETURN_IF_ERROR(CheckLabel(label));
  state_->classes[class_id].label = label;
  return Status::Ok();
}

Status ImprintingEngine::RemoveClass(int class_id) {
  if (class_id < 0 || class_id >= num_classes())
    return OutOfRange("no class " + std::to_string(class_id));
  state_->classes.erase(state_->classes.begin() + class_id);
  return Status::Ok();
}

Result<Model> ImprintingEngine::SerializeModel() const {
  const auto& classes = state_->classes;
  if (classes.empty()) return FailedPrecondition("Model is not trained.");
  const int c_count = num_classes();
  const int dim = embedding_dim();
  const ImprintingLayout& layout = state_->layout;
  ModelBuilder b = ModelBuilder::FromModel(state_->model);
  auto& graph = b.graph();
  auto tensor = [&](int index) -> fb::TensorT& { return *graph.tensors[index]; };
  auto buffer_of = [&](int index) -> std::vector<uint8_t>& {
    return b.model().buffers[tensor(index).buffer]->data;
  };
  const bool u8 = state_->kernel.type == TensorType::kUInt8;
  const int64_t unit_zp = u8 ? 128 : 0;
  const int qmin = u8 ? 0 : -128, qmax = u8 ? 255 : 127;

  // Weights: each class's sum, normalized, quantized with the prototype's
  // own scale and zero point.
  const fb::OperatorT& conv = *graph.operators[layout.conv_op];
  const float kscale = state_->kernel.quant.scale[0];
  const int64_t kzp = state_->kernel.quant.zero_point[0];
  std::vector<uint8_t> weights(static_cast<size_t>(c_count) * dim);
  std::map<int, float> norms;
  for (int c = 0; c < c_count; ++c) {
    const float norm = L2Norm(classes[c].sum);
    const float divisor = norm > kMinNorm ? norm : 1.f;
    for (int k = 0; k < dim; ++k) {
      const long q = std::lround(kzp + classes[c].sum[k] / divisor / kscale);
      weights[c * dim + k] = static_cast<uint8_t>(std::clamp<long>(q, qmin, qmax));
    }
    if (classes[c].trainable) norms[c] = norm;
  }
  fb::TensorT& kernel = tensor(conv.inputs[1]);
  buffer_of(conv.inputs[1]) = std::move(weights);
  kernel.shape[0] = c_count;
  kernel.quantization->scale = {kscale};
  kernel.quantization->zero_point = {kzp};
  kernel.quantization->quantized_dimension = 0;
  fb::TensorT& bias = tensor(conv.inputs[2]);
  buffer_of(conv.inputs[2]).assign(static_cast<size_t>(c_count) * sizeof(int32_t), 0);
  bias.shape = {c_count};
  if (bias.quantization && bias.quantization->scale.size() > 1) {
    auto& q = *bias.quantization;
    q.scale.erase(q.scale.begin() + 1, q.scale.end());
    q.zero_point.erase(q.zero_point.begin() + 1, q.zero_point.end());
  }
  auto set_quant = [](fb::TensorT& t, float scale, int64_t zp) {
    if (!t.quantization) t.quantization = std::make_unique<fb::QuantizationParametersT>();
    t.quantization->scale = {scale};
    t.quantization->zero_point = {zp};
    t.quantization->min.clear();
    t.quantization->max.clear();
  };
  // Conv output: cosine similarities in [-1, 1].
  fb::TensorT& cos = tensor(conv.outputs[0]);
  cos.shape.back() = c_count;
  set_quant(cos, 1.f / 128, unit_zp);
  // Mul: logits = s * cosine, s read from the model's own constant.
  const fb::OperatorT& mul = *graph.operators[layout.conv_op + 1];
  const int factor_index = mul.inputs.at(1);
  const auto& factor_bytes = buffer_of(factor_index);
  const TensorInfo factor = state_->model.tensor(factor_index);
  if (factor_bytes.empty() || factor.quant.empty()) {
    return Unsupported("the Mul scale factor must be a quantized constant");
  }
  const int q0 = u8 ? factor_bytes[0] : static_cast<int8_t>(factor_bytes[0]);
  const float s = factor.quant.scale[0] * static_cast<float>(q0 - factor.quant.zero_point[0]);
  fb::TensorT& logits = tensor(mul.outputs[0]);
  logits.shape.back() = c_count;
  set_quant(logits, s / 128, unit_zp);
  // Reshape to [1, C].
  const fb::OperatorT& reshape = *graph.operators[layout.conv_op + 2];
  fb::TensorT& flat = tensor(reshape.outputs[0]);
  flat.shape.back() = c_count;
  set_quant(flat, s / 128, unit_zp);
  if (reshape.inputs.size() > 1 && reshape.inputs[1] >= 0) {
    auto& shape_bytes = buffer_of(reshape.inputs[1]);
    if (shape_bytes.size() >= 8) {
      const int32_t last = c_count;
      std::memcpy(shape_bytes.data() + shape_bytes.size() - 4, &last, 4);
    }
  }
  if (auto* ro = graph.operators[layout.conv_op + 2]->builtin_options.AsReshapeOptions();
      ro && !ro->new_shape.empty()) {
    ro->new_shape.back() = c_count;
  }
  // Softmax output [1, C].
  const fb::OperatorT& softmax = *graph.operators[layout.conv_op + 3];
  tensor(softmax.outputs[0]).shape.back() = c_count;
  b.SetOutputs({softmax.outputs[0]});

  b.model().description = FormatImprintingMetadata(norms);
  auto& metadata = b.model().metadata;
  const std::string classes_text = FormatClasses(classes);
  const int classes_buffer =
      b.AddBuffer({reinterpret_cast<const uint8_t*>(classes_text.data()), classes_text.size()});
  bool replaced = false;
  for (auto& entry : metadata) {
    if (entry->name == kImprintingClassesMetadata) {
      entry->buffer = static_cast<uint32_t>(classes_buffer);
      replaced = true;
    }
  }
  if (!replaced) {
    metadata.push_back(std::make_unique<fb::MetadataT>());
    metadata.back()->name = kImprintingClassesMetadata;
    metadata.back()->buffer = static_cast<uint32_t>(classes_buffer);
  }
  return b.Build();
}

}  // namespace edgetl
