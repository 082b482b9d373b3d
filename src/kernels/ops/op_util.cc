#include "kernels/ops/op_util.h"

#include <cmath>
#include <limits>

#include "kernels/optimized/cpu.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {

std::string ShapeToString(const std::vector<int>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

Status CheckArity(const KernelContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (ctx.inputs.size() < min_inputs || ctx.inputs.size() > max_inputs) {
    return CorruptModel("has " + std::to_string(ctx.inputs.size()) + " inputs, expected " +
                        (min_inputs == max_inputs
                             ? std::to_string(min_inputs)
                             : std::to_string(min_inputs) + " to " + std::to_string(max_inputs)));
  }
  for (size_t i = 0; i < min_inputs; ++i) {
    if (!ctx.inputs[i]) return CorruptModel("required input " + std::to_string(i) + " is omitted");
  }
  if (ctx.outputs.size() != outputs) {
    return CorruptModel("has " + std::to_string(ctx.outputs.size()) + " outputs, expected " +
                        std::to_string(outputs));
  }
  return Status::Ok();
}

Status CheckType(const RtTensor& t, std::initializer_list<TensorType> types, const char* role) {
  for (TensorType type : types) {
    if (t.type() == type) return Status::Ok();
  }
  std::string allowed;
  for (TensorType type : types) allowed += (allowed.empty() ? "" : "/") + TensorTypeName(type);
  return Unsupported(std::string(role) + " tensor " + std::to_string(t.info.index) + " has type " +
                     TensorTypeName(t.type()) + ", expected " + allowed);
}

Status CheckConstant(const RtTensor& t, const char* role) {
  if (!t.info.is_constant) {
    return Unsupported(std::string(role) + " tensor " + std::to_string(t.info.index) +
                       " must be constant");
  }
  return Status::Ok();
}

Status CheckOutputShape(const RtTensor& out, const std::vector<int>& expected) {
  if (out.shape() != expected) {
    return CorruptModel("output tensor " + std::to_string(out.info.index) + " is declared " +
                        ShapeToString(out.shape()) + " but the op produces " +
                        ShapeToString(expected));
  }
  return Status::Ok();
}

bool IsQuantizedType(TensorType t) {
  return t == TensorType::kUInt8 || t == TensorType::kInt8 || t == TensorType::kInt16;
}

static void TypeRange(TensorType t, int32_t* lo, int32_t* hi) {
  switch (t) {
    case TensorType::kUInt8:
      *lo = 0;
      *hi = 255;
      return;
    case TensorType::kInt8:
      *lo = -128;
      *hi = 127;
      return;
    case TensorType::kInt16:
      *lo = -32768;
      *hi = 32767;
      return;
    default:
      *lo = std::numeric_limits<int32_t>::min();
      *hi = std::numeric_limits<int32_t>::max();
  }
}

Status CheckQuantized(const RtTensor& t, const char* role) {
  if (!IsQuantizedType(t.type())) return Status::Ok();
  if (t.info.quant.scale.empty() || !(t.scale() > 0.f) || !std::isfinite(t.scale())) {
    return Unsupported(std::string(role) + " tensor " + std::to_string(t.info.index) +
                       " is quantized but has no valid scale");
  }
  // The optimized kernels hold (value - zero point) in int16 and pad with
  // the zero point as a value of the type; TFLite's converter never writes
  // anything else.
  int32_t lo, hi;
  TypeRange(t.type(), &lo, &hi);
  for (int64_t zp : t.info.quant.zero_point) {
    if (zp < lo || zp > hi) {
      return CorruptModel(std::string(role) + " tensor " + std::to_string(t.info.index) +
                          " has zero point " + std::to_string(zp) + ", outside its type's range [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
    }
  }
  return Status::Ok();
}

Status ActivationRangeQuantized(fb::ActivationFunctionType act, const RtTensor& out, int32_t* min,
                                int32_t* max) {
  int32_t qmin, qmax;
  TypeRange(out.type(), &qmin, &qmax);
  const float scale = out.scale();
  const int32_t zp = out.zero_point();
  auto quantize = [&](float f) { return zp + static_cast<int32_t>(std::round(f / scale)); };
  using A = fb::ActivationFunctionType;
  switch (act) {
    case A::NONE:
      *min = qmin;
      *max = qmax;
      break;
    case A::RELU:
      *min = std::max(qmin, quantize(0.f));
      *max = qmax;
      break;
    case A::RELU6:
      *min = std::max(qmin, quantize(0.f));
      *max = std::min(qmax, quantize(6.f));
      break;
    case A::RELU_N1_TO_1:
      *min = std::max(qmin, quantize(-1.f));
      *max = std::min(qmax, quantize(1.f));
      break;
    default:
      return Unsupported(std::string("fused activation ") +
                         fb::EnumNameActivationFunctionType(act) +
                         " is not supported on quantized tensors");
  }
  return Status::Ok();
}

void ActivationRangeFloat(fb::ActivationFunctionType act, float* min, float* max) {
  using A = fb::ActivationFunctionType;
  *min = std::numeric_limits<float>::lowest();
  *max = std::numeric_limits<float>::max();
  if (act == A::RELU) *min = 0.f;
  if (act == A::RELU6) {
    *min = 0.f;
    *max = 6.f;
  }
  if (act == A::RELU_N1_TO_1) {
    *min = -1.f;
    *max = 1.f;
  }
}

PaddedAxis ComputePadding(fb::Padding padding, int in, int filter, int stride, int dilation) {
  const int effective = (filter - 1) * dilation + 1;
  PaddedAxis r;
  r.out = padding == fb::Padding::SAME ? (in + stride - 1) / stride
                                       : (in + stride - effective) / stride;
  const int total = std::max(0, (r.out - 1) * stride + effective - in);
  r.pad = total / 2;
  return r;
}

Status LegacyConvMultiplier(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                            const RtTensor& output, double* multiplier) {
  const double product = static_cast<double>(input.scale()) * static_cast<double>(filter.scale());
  if (bias && !bias->info.quant.scale.empty()) {
    const double diff = std::abs(product - static_cast<double>(bias->scale()));
    if (diff / static_cast<double>(output.scale()) > 0.02) {
      return CorruptModel("bias scale " + std::to_string(bias->scale()) +
                          " does not match input scale x filter scale " + std::to_string(product));
    }
  }
  // TFLite multiplies the two scales in float precision here; matching that
  // is what keeps the multiplier, and so every output byte, identical.
  const float product_f = input.scale() * filter.scale();
  *multiplier = static_cast<double>(product_f) / static_cast<double>(output.scale());
  return Status::Ok();
}

void PerChannelMultipliers(const RtTensor& input, const RtTensor& filter, const RtTensor& output,
                           int channels, std::vector<int32_t>* multipliers,
                           std::vector<int>* shifts) {
  multipliers->resize(channels);
  shifts->resize(channels);
  const auto& scales = filter.info.quant.scale;
  for (int c = 0; c < channels; ++c) {
    const double filter_scale = scales.size() > 1 ? scales[c] : scales[0];
    const double effective =
        static_cast<double>(input.scale()) * filter_scale / static_cast<double>(output.scale());
    fixedpoint::QuantizeMultiplier(effective, &(*multipliers)[c], &(*shifts)[c]);
  }
}

Status CheckBias(const RtTensor* bias, int channels, TensorType type) {
  if (!bias) return Status::Ok();
  EDGETL_RETURN_IF_ERROR(CheckConstant(*bias, "bias"));
  EDGETL_RETURN_IF_ERROR(CheckType(*bias, {type}, "bias"));
  if (static_cast<int>(bias->num_elements()) != channels) {
    return CorruptModel("bias has " + std::to_string(bias->num_elements()) +
                        " elements, expected " + std::to_string(channels));
  }
  return Status::Ok();
}

bool UseAvx512Vnni(const KernelContext& ctx) {
  return !ctx.reference_only && optimized::HasAvx512Vnni();
}

bool UseAvx2(const KernelContext& ctx) {
  return !ctx.reference_only && !optimized::HasAvx512Vnni() && optimized::HasAvx2();
}

optimized::ParallelFor ParallelOver(ThreadPool* pool) {
  return [pool](int tasks, const std::function<void(int)>& fn) {
    pool->Run(tasks, [&fn](int task, int /*thread*/) { fn(task); });
  };
}

void ParallelOverValues(ThreadPool* pool, size_t n,
                        FunctionRef<void(size_t begin, size_t count)> fn) {
  constexpr size_t kMinPerTask = 2048;
  const int tasks = static_cast<int>(
      std::clamp<size_t>(n / kMinPerTask, 1, static_cast<size_t>(pool->threads())));
  const size_t chunk = ((n + tasks - 1) / tasks + 63) & ~size_t{63};
  pool->Run(tasks, [&](int task, int) {
    const size_t begin = std::min(n, task * chunk);
    fn(begin, std::min(chunk, n - begin));
  });
}

}  // namespace edgetl
