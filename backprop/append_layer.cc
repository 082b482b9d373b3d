// Writes a trained softmax regression into a model as a quantized
// FULLY_CONNECTED + SOFTMAX after the embedding.
#include <algorithm>
#include <cmath>

#include "edgetl/softmax_regression.h"
#include "model/model_builder.h"

namespace edgetl {
namespace {

using Op = fb::BuiltinOperator;

struct AffineQuant {
  float scale = 1.f;
  int64_t zero_point = 0;
};

// Asymmetric quantization of [lo, hi] widened to include 0, with the zero
// point nudged from whichever end has the smaller error (Coral's and TFLite's
// converter scheme).
AffineQuant ChooseAffine(float lo, float hi, int qmin, int qmax) {
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  AffineQuant q;
  if (hi - lo <= 0.f) return q;  // all zeros: any positive scale is exact
  q.scale = (hi - lo) / static_cast<float>(qmax - qmin);
  const double from_min = qmin - lo / q.scale, from_max = qmax - hi / q.scale;
  const double err_min = std::abs(qmin) + std::abs(lo / q.scale);
  const double err_max = std::abs(qmax) + std::abs(hi / q.scale);
  const double zp = err_min < err_max ? from_min : from_max;
  q.zero_point = std::clamp<int64_t>(std::llround(zp), qmin, qmax);
  return q;
}

struct Embedding {
  int tensor = -1;
  TensorInfo info;
};

Result<Embedding> ExtractorOutput(const Model& extractor, int dim) {
  const auto outs = extractor.outputs();
  if (outs.size() != 1) {
    return InvalidArgument("the extractor must have exactly one output, it has " +
                           std::to_string(outs.size()));
  }
  Embedding e{outs[0], extractor.tensor(outs[0])};
  const auto& s = e.info.shape;
  const bool vec2 = s.size() == 2 && s[0] == 1;
  const bool vec4 = s.size() == 4 && s[0] == 1 && s[1] == 1 && s[2] == 1;
  if (!vec2 && !vec4) {
    return InvalidArgument("the extractor output " + e.info.ShapeString() +
                           " is not [1,D] or [1,1,1,D]");
  }
  if (s.back() != dim) {
    return InvalidArgument("the extractor's embedding has " + std::to_string(s.back()) +
                           " values, the trained layer expects " + std::to_string(dim));
  }
  if ((e.info.type != TensorType::kUInt8 && e.info.type != TensorType::kInt8) ||
      e.info.quant.empty()) {
    return InvalidArgument("the extractor output must be quantized uint8 or int8, not " +
                           TensorTypeName(e.info.type));
  }
  return e;
}

}  // namespace

// Appends the layers to `b` after tensor `input` (described by `e`); returns
// the softmax output tensor.
static Result<int> AppendLayers(ModelBuilder& b, int input, const TensorInfo& e,
                                const SoftmaxRegression& model, const Matrix& train_x) {
  const int dim = model.dim(), classes = model.num_classes();
  const std::vector<float> w = model.weights();  // [C][D]
  const std::vector<float> bias = model.bias();
  const bool u8 = e.type == TensorType::kUInt8;
  const float in_scale = e.quant.scale[0];

  // Weights.
  Quantization wq;
  std::vector<uint8_t> wbytes(static_cast<size_t>(classes) * dim);
  if (u8) {
    const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
    const AffineQuant q = ChooseAffine(*lo, *hi, 0, 255);
    wq = PerTensor(q.scale, q.zero_point);
    for (size_t i = 0; i < w.size(); ++i) {
      wbytes[i] = static_cast<uint8_t>(
          std::clamp<long>(std::lround(q.zero_point + w[i] / q.scale), 0, 255));
    }
  } else {
    wq.axis = 0;
    for (int c = 0; c < classes; ++c) {
      float amax = 0.f;
      for (int d = 0; d < dim; ++d) amax = std::max(amax, std::abs(w[c * dim + d]));
      const float scale = amax > 0 ? amax / 127.f : 1.f;
      wq.scale.push_back(scale);
      wq.zero_point.push_back(0);
      for (int d = 0; d < dim; ++d) {
        const long v = std::clamp<long>(std::lround(w[c * dim + d] / scale), -127, 127);
        wbytes[c * dim + d] = static_cast<uint8_t>(static_cast<int8_t>(v));
      }
    }
  }
  const int weights = b.AddTensor("Appended/FC/Weights", e.type, {classes, dim}, wq, wbytes);
  // Bias at input_scale x weight_scale (per channel for int8).
  Quantization bq;
  bq.axis = 0;
  std::vector<int32_t> bvalues(classes);
  for (int c = 0; c < classes; ++c) {
    const float s = in_scale * (wq.scale.size() > 1 ? wq.scale[c] : wq.scale[0]);
    if (c == 0 || wq.scale.size() > 1) {
      bq.scale.push_back(s);
      bq.zero_point.push_back(0);
    }
    const double v = std::round(static_cast<double>(bias[c]) / s);
    bvalues[c] = static_cast<int32_t>(std::clamp(v, -2147483648.0, 2147483647.0));
  }
  const int bias_tensor =
      b.AddConstTensor("Appended/FC/Bias", TensorType::kInt32, {classes}, bvalues, bq);
  // Logits over the range this model produces on the training set.
  EDGETL_ASSIGN_OR_RETURN(Matrix logits, model.Logits(train_x));
  const auto [lo, hi] = std::minmax_element(logits.values.begin(), logits.values.end());
  const AffineQuant lq = u8 ? ChooseAffine(*lo, *hi, 0, 255) : ChooseAffine(*lo, *hi, -128, 127);
  const int fc_out =
      b.AddTensor("Appended/FC/Output", e.type, {1, classes}, PerTensor(lq.scale, lq.zero_point));
  fb::BuiltinOptionsUnion fc_options;
  fc_options.Set(fb::FullyConnectedOptionsT{});
  b.AddOperator(Op::FULLY_CONNECTED, {input, weights, bias_tensor}, {fc_out}, std::move(fc_options),
                u8 ? 1 : 5);
  const int probs = b.AddTensor("Appended/Softmax/Output", e.type, {1, classes},
                                PerTensor(1.f / 256, u8 ? 0 : -128));
  fb::BuiltinOptionsUnion sm_options;
  fb::SoftmaxOptionsT so;
  so.beta = 1.f;
  sm_options.Set(so);
  b.AddOperator(Op::SOFTMAX, {fc_out}, {probs}, std::move(sm_options), u8 ? 1 : 2);
  return probs;
}

Result<Model> SoftmaxRegression::AppendToExtractor(const Model& extractor,
                                                   const Matrix& train_x) const {
  if (!trained())
    return FailedPrecondition("the softmax regression has not been trained; nothing to append");
  EDGETL_ASSIGN_OR_RETURN(Embedding e, ExtractorOutput(extractor, dim()));
  ModelBuilder b = ModelBuilder::FromModel(extractor);
  EDGETL_ASSIGN_OR_RETURN(int probs, AppendLayers(b, e.tensor, e.info, *this, train_x));
  b.SetOutputs({probs});
  return b.Build();
}

Result<Model> SoftmaxRegression::HeadModel(const Model& extractor, const Matrix& train_x) const {
  if (!trained()) return FailedPrecondition("the softmax regression has not been trained");
  EDGETL_ASSIGN_OR_RETURN(Embedding e, ExtractorOutput(extractor, dim()));
  ModelBuilder b;
  const int input = b.AddTensor("embedding", e.info.type, e.info.shape, e.info.quant);
  EDGETL_ASSIGN_OR_RETURN(int probs, AppendLayers(b, input, e.info, *this, train_x));
  b.SetInputs({input});
  b.SetOutputs({probs});
  return b.Build();
}

}  // namespace edgetl
