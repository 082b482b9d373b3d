// Checks and precomputations shared by the op kernels' Prepare(). Internal.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "edgetl/status.h"
#include "kernels/optimized/float_requantization.h"
#include "model/schema.h"
#include "runtime/function_ref.h"
#include "runtime/kernel.h"

namespace edgetl {

// Requires between min and max inputs (non-omitted up to `min`) and exactly
// `outputs` outputs.
Status CheckArity(const KernelContext& ctx, size_t min_inputs, size_t max_inputs, size_t outputs);

// Requires `t` to have one of the given types; `role` names it in the error.
Status CheckType(const RtTensor& t, std::initializer_list<TensorType> types, const char* role);

// Requires `t` to hold constant data.
Status CheckConstant(const RtTensor& t, const char* role);

// Requires the model's declared output shape to equal what the op computes.
Status CheckOutputShape(const RtTensor& out, const std::vector<int>& expected);

// Requires per-tensor quantization (scale > 0) on a quantized tensor.
Status CheckQuantized(const RtTensor& t, const char* role);

bool IsQuantizedType(TensorType t);

// Whether the op should take its AVX-512 VNNI kernel: optimized kernels
// were asked for and the CPU has them (see optimized::HasAvx512Vnni).
bool UseAvx512Vnni(const KernelContext& ctx);

// Whether the op should take its AVX2 kernel: optimized kernels were asked
// for, the CPU has AVX2 and no AVX-512 VNNI (whose kernels come first).
bool UseAvx2(const KernelContext& ctx);

// The pool's threads as the optimized kernels' preparation takes them.
optimized::ParallelFor ParallelOver(ThreadPool* pool);

// Calls fn(begin, count) over [0, n) in one equal share per thread, each a
// whole number of 64-value vectors, or in one call where there are too few
// values (under 2048 a thread) to be worth a second thread. Each thread
// takes the same share of every elementwise op, so it mostly reads and
// writes the lines it touched in the op before.
void ParallelOverValues(ThreadPool* pool, size_t n,
                        FunctionRef<void(size_t begin, size_t count)> fn);

// [min, max] of the output after a fused activation, in the output's
// quantized domain (TFLite's CalculateActivationRangeQuantized).
Status ActivationRangeQuantized(fb::ActivationFunctionType act, const RtTensor& out, int32_t* min,
                                int32_t* max);
void ActivationRangeFloat(fb::ActivationFunctionType act, float* min, float* max);

// Output size and leading padding of a conv/pool window along one axis.
struct PaddedAxis {
  int out = 0;
  int pad = 0;
};
PaddedAxis ComputePadding(fb::Padding padding, int in, int filter, int stride, int dilation);

// The multiplier TFLite's uint8 conv/FC kernels use: input*filter in float
// precision, divided in double. Errors if the bias scale is inconsistent.
Status LegacyConvMultiplier(const RtTensor& input, const RtTensor& filter, const RtTensor* bias,
                            const RtTensor& output, double* multiplier);

// Per-output-channel multipliers/shifts (int8 per-channel conv/FC/depthwise).
void PerChannelMultipliers(const RtTensor& input, const RtTensor& filter, const RtTensor& output,
                           int channels, std::vector<int32_t>* multipliers,
                           std::vector<int>* shifts);

// Checks an optional bias: constant, `type`, `channels` elements.
Status CheckBias(const RtTensor* bias, int channels, TensorType type);

std::string ShapeToString(const std::vector<int>& shape);

// The type switch of the kernels' Eval: quantized.template operator()<T>()
// with T the element type of a uint8 or int8 tensor, float_path() for any
// other type (the float32 tensors Prepare let through).
template <typename Quantized, typename Float>
void ByElementType(TensorType type, Quantized&& quantized, Float&& float_path) {
  switch (type) {
    case TensorType::kUInt8:
      quantized.template operator()<uint8_t>();
      break;
    case TensorType::kInt8:
      quantized.template operator()<int8_t>();
      break;
    default:
      float_path();
  }
}

}  // namespace edgetl
