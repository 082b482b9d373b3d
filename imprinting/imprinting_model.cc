// Coral's imprinting model format: validation, and building it on top of any
// embedding extractor.
#include <cmath>
#include <set>

#include "edgetl/imprinting.h"
#include "model/model_builder.h"
#include "model/model_impl.h"

namespace edgetl {
namespace {

using Op = fb::BuiltinOperator;

Status ArchitectureError(const std::string& message) { return InvalidArgument(message); }

}  // namespace

Result<ImprintingLayout> ValidateImprintingModel(const Model& model) {
  const Model::Impl& m = model.impl();
  const int n = model.num_operators();
  ImprintingLayout layout;
  for (int i = 0; i < n; ++i) {
    if (m.op_code(i) != Op::L2_NORMALIZATION) continue;
    if (layout.l2norm_op >= 0) {
      // Coral's index helper returns -1 here and goes on undefined; say so.
      return ArchitectureError(
          "Unsupported model architecture. The model has more than one L2Norm layer.");
    }
    layout.l2norm_op = i;
  }
  if (layout.l2norm_op < 0) {
    return ArchitectureError(
        "Unsupported model architecture. Input model must have an L2Norm layer.");
  }
  if (n < 5 || m.op_code(n - 4) != Op::CONV_2D || m.op_code(n - 3) != Op::MUL ||
      m.op_code(n - 2) != Op::RESHAPE || m.op_code(n - 1) != Op::SOFTMAX) {
    return ArchitectureError("The last 4 operators must be Conv2d, Mul, Reshape, Softmax");
  }
  layout.conv_op = n - 4;
  const int gap = layout.conv_op - layout.l2norm_op;
  if (gap > 2 || gap < 1 || (gap == 2 && m.op_code(layout.l2norm_op + 1) != Op::QUANTIZE)) {
    return ArchitectureError(
        "Unsupported model architecture. L2Norm operator must be followed with the last Conv2d "
        "operator.");
  }
  const OperatorInfo l2 = model.op(layout.l2norm_op);
  const TensorInfo embedding = model.tensor(l2.outputs.at(0));
  const auto& es = embedding.shape;
  if (es.size() != 4 || es[0] != 1 || es[1] != 1 || es[2] != 1) {
    return ArchitectureError("Embedding extractor's output tensor should be [1, 1, 1, x]");
  }
  layout.embedding_dim = es[3];
  const OperatorInfo conv = model.op(layout.conv_op);
  if (conv.inputs.size() < 3 || conv.inputs[2] < 0) {
    return ArchitectureError("The Conv2d classification layer needs a bias.");
  }
  const TensorInfo bias = model.tensor(conv.inputs[2]);
  if (!bias.quant.empty() && (bias.quant.zero_point[0] < 0 || bias.quant.zero_point[0] > 255)) {
    return ArchitectureError("bias_zero_point is out of [0, 255] range!");
  }
  const OperatorInfo softmax = model.op(n - 1);
  const TensorInfo logits = model.tensor(softmax.outputs.at(0));
  if (logits.shape.size() != 2 || logits.shape[0] != 1) {
    return ArchitectureError("Logit output tensor should be [1, x]");
  }
  if (model.outputs() != std::vector<int>{softmax.outputs[0]}) {
    return ArchitectureError("Graph must have output from Softmax");
  }
  const TensorInfo kernel = model.tensor(conv.inputs[1]);
  if (kernel.shape.size() != 4 || kernel.shape[1] != 1 || kernel.shape[2] != 1 ||
      kernel.shape[3] != layout.embedding_dim) {
    return ArchitectureError(
        "The Conv2d classification layer must be 1x1 over the embedding, got kernel " +
        kernel.ShapeString());
  }
  if (kernel.quant.empty() ||
      (kernel.type != TensorType::kUInt8 && kernel.type != TensorType::kInt8)) {
    return Unsupported("the Conv2d kernel must be quantized uint8 or int8");
  }
  layout.num_rows = kernel.shape[0];
  return layout;
}

Result<Model> MakeImprintable(const Model& extractor, const MakeImprintableOptions& options) {
  const float scale = options.scale > 0 ? options.scale : kDefaultImprintingScale;
  if (!std::isfinite(scale) || scale > 1000.f) {
    return InvalidArgument("scale factor must be a positive number up to 1000, got " +
                           std::to_string(scale));
  }
  int embedding = -1;
  if (!options.embedding_tensor.empty()) {
    auto found = extractor.FindTensor(options.embedding_tensor);
    if (!found)
      return InvalidArgument("the model has no tensor named '" + options.embedding_tensor + "'");
    embedding = *found;
  } else {
    const auto outs = extractor.outputs();
    if (outs.size() != 1) {
      return InvalidArgument("the model has " + std::to_string(outs.size()) +
                             " outputs; name the embedding tensor");
    }
    embedding = outs[0];
  }
  const TensorInfo e = extractor.tensor(embedding);
  const auto& s = e.shape;
  const bool vec2 = s.size() == 2 && s[0] == 1;
  const bool vec4 = s.size() == 4 && s[0] == 1 && s[1] == 1 && s[2] == 1;
  if (!vec2 && !vec4) {
    return InvalidArgument("embedding tensor '" + e.name + "' is " + e.ShapeString() +
                           "; it must be [1,D] or [1,1,1,D]");
  }
  if (e.type != TensorType::kUInt8 && e.type != TensorType::kInt8) {
    return Unsupported("embedding tensor '" + e.name + "' has type " + TensorTypeName(e.type) +
                       "; imprinting needs a uint8 or int8 graph");
  }
  const int dim = s.back();
  const bool u8 = e.type == TensorType::kUInt8;
  const int64_t unit_zp = u8 ? 128 : 0;  // zero point of the [-1, 1] tensors

  ModelBuilder b = ModelBuilder::FromModel(extractor);
  auto& graph = b.graph();
  // Keep only the ops the embedding depends on (a classifier's head is
  // dropped, so it costs nothing at run time).
  std::set<int> needed = {embedding};
  std::vector<bool> keep(graph.operators.size(), false);
  for (int i = static_cast<int>(graph.operators.size()) - 1; i >= 0; --i) {
    const auto& op = *graph.operators[i];
    bool produces = false;
    for (int o : op.outputs) produces |= needed.count(o) > 0;
    if (!produces) continue;
    keep[i] = true;
    for (int in : op.inputs) {
      if (in >= 0) needed.insert(in);
    }
  }
  std::vector<std::unique_ptr<fb::OperatorT>> kept;
  for (size_t i = 0; i < graph.operators.size(); ++i) {
    if (keep[i]) kept.push_back(std::move(graph.operators[i]));
  }
  graph.operators = std::move(kept);

  int x = embedding;
  if (vec2) {
    const int shape = b.AddConstTensor<int32_t>("Imprinting/EmbeddingShape", TensorType::kInt32,
                                                {4}, {1, 1, 1, dim});
    const int reshaped = b.AddTensor("Imprinting/Embedding4D", e.type, {1, 1, 1, dim}, e.quant);
    fb::BuiltinOptionsUnion opts;
    fb::ReshapeOptionsT ro;
    ro.new_shape = {1, 1, 1, dim};
    opts.Set(ro);
    b.AddOperator(Op::RESHAPE, {x, shape}, {reshaped}, std::move(opts));
    x = reshaped;
  }
  const int l2 =
      b.AddTensor("Imprinting/L2Norm", e.type, {1, 1, 1, dim}, PerTensor(1.f / 128, unit_zp));
  {
    fb::BuiltinOptionsUnion opts;
    opts.Set(fb::L2NormOptionsT{});
    b.AddOperator(Op::L2_NORMALIZATION, {x}, {l2}, std::move(opts));
  }
  // One placeholder row (C = 1): a tensor cannot have zero rows. edgetl's
  // class metadata (none yet) says the row is no class.
  const float kernel_scale = u8 ? 1.f / 128 : 1.f / 127;
  const int kernel =
      b.AddTensor("Imprinting/Weights", e.type, {1, 1, 1, dim}, PerTensor(kernel_scale, unit_zp),
                  std::vector<uint8_t>(dim, static_cast<uint8_t>(unit_zp)));
  const int bias = b.AddConstTensor<int32_t>("Imprinting/Bias", TensorType::kInt32, {1}, {0},
                                             PerTensor(kernel_scale / 128, 0));
  const int cos =
      b.AddTensor("Imprinting/Cosine", e.type, {1, 1, 1, 1}, PerTensor(1.f / 128, unit_zp));
  {
    fb::BuiltinOptionsUnion opts;
    fb::Conv2DOptionsT co;
    co.padding = fb::Padding::VALID;
    co.stride_w = co.stride_h = 1;
    opts.Set(co);
    b.AddOperator(Op::CONV_2D, {l2, kernel, bias}, {cos}, std::move(opts));
  }
  const int qmax = u8 ? 255 : 127;
  const int factor = b.AddTensor("Imprinting/ScaleFactor", e.type, {1}, PerTensor(scale / qmax, 0),
                                 std::vector<uint8_t>{static_cast<uint8_t>(qmax)});
  const int scaled =
      b.AddTensor("Imprinting/Logits", e.type, {1, 1, 1, 1}, PerTensor(scale / 128, unit_zp));
  {
    fb::BuiltinOptionsUnion opts;
    opts.Set(fb::MulOptionsT{});
    b.AddOperator(Op::MUL, {cos, factor}, {scaled}, std::move(opts));
  }
  const int shape =
      b.AddConstTensor<int32_t>("Imprinting/LogitsShape", TensorType::kInt32, {2}, {1, 1});
  const int logits =
      b.AddTensor("Imprinting/Logits2D", e.type, {1, 1}, PerTensor(scale / 128, unit_zp));
  {
    fb::BuiltinOptionsUnion opts;
    fb::ReshapeOptionsT ro;
    ro.new_shape = {1, 1};
    opts.Set(ro);
    b.AddOperator(Op::RESHAPE, {scaled, shape}, {logits}, std::move(opts));
  }
  const int probs =
      b.AddTensor("Imprinting/Softmax", e.type, {1, 1}, PerTensor(1.f / 256, u8 ? 0 : -128));
  {
    fb::BuiltinOptionsUnion opts;
    fb::SoftmaxOptionsT so;
    so.beta = 1.f;
    opts.Set(so);
    b.AddOperator(Op::SOFTMAX, {logits}, {probs}, std::move(opts));
  }
  b.SetOutputs({probs});
  // An empty class list marks the placeholder row as no class.
  b.model().metadata.push_back(std::make_unique<fb::MetadataT>());
  b.model().metadata.back()->name = kImprintingClassesMetadata;
  b.model().metadata.back()->buffer = static_cast<uint32_t>(b.AddBuffer({}));
  return b.Build();
}

}  // namespace edgetl
