// Reference SOFTMAX: TensorFlow Lite's fixed-point algorithm for 8-bit
// tensors (exp of input differences in Q5.26, sum in Q12.19, reciprocal by
// Newton-Raphson) and plain float.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

struct SoftmaxQuant {
  int32_t input_multiplier = 0;
  int input_left_shift = 0;
  int diff_min = 0;  // input differences below this give 0
};

constexpr int kSoftmaxScaledDiffIntegerBits = 5;
constexpr int kSoftmaxAccumulationIntegerBits = 12;

// From beta and the input scale (TFLite's PreprocessSoftmaxScaling and
// CalculateInputRadius).
inline SoftmaxQuant MakeSoftmaxQuant(double beta, double input_scale) {
  SoftmaxQuant q;
  const int bits = kSoftmaxScaledDiffIntegerBits;
  const double real = std::min(beta * input_scale * static_cast<double>(int64_t{1} << (31 - bits)),
                               static_cast<double>((int64_t{1} << 31) - 1));
  fixedpoint::QuantizeMultiplier(real, &q.input_multiplier, &q.input_left_shift);
  const double max_input_rescaled = 1.0 * ((1 << bits) - 1) *
                                    static_cast<double>(int64_t{1} << (31 - bits)) /
                                    static_cast<double>(int64_t{1} << q.input_left_shift);
  q.diff_min = -static_cast<int>(std::floor(max_input_rescaled));
  return q;
}

// exp(beta * scale * diff) in Q0.31 for an input difference diff <= 0.
inline fixedpoint::Fixed<0> SoftmaxExp(const SoftmaxQuant& q, int32_t diff) {
  using namespace fixedpoint;
  const int32_t rescaled =
      MultiplyByQuantizedMultiplierGreaterThanOne(diff, q.input_multiplier, q.input_left_shift);
  return ExpOnNegativeValues(Fixed<kSoftmaxScaledDiffIntegerBits>::FromRaw(rescaled));
}

// The sum of a row's exponentials, as TFLite accumulates it (wrapping int32
// additions, so their order does not matter).
using SoftmaxSum = fixedpoint::Fixed<kSoftmaxAccumulationIntegerBits>;
inline SoftmaxSum SoftmaxTerm(fixedpoint::Fixed<0> exp) {
  return fixedpoint::Rescale<kSoftmaxAccumulationIntegerBits>(exp);
}

// What turns one exponential of a row into an output: the reciprocal of the
// row's sum and its exponent.
struct SoftmaxScale {
  fixedpoint::Fixed<0> reciprocal;
  int bits_over_unit = 0;
};
inline SoftmaxScale SoftmaxScaleOf(SoftmaxSum sum) {
  SoftmaxScale s;
  s.reciprocal = fixedpoint::Fixed<0>::FromRaw(
      fixedpoint::GetReciprocal(sum.raw, kSoftmaxAccumulationIntegerBits, &s.bits_over_unit));
  return s;
}

// The output for an element whose difference to the row's maximum reaches
// diff_min, with exponential `exp`.
template <typename TOut>
TOut SoftmaxOutput(const SoftmaxScale& s, fixedpoint::Fixed<0> exp) {
  constexpr int kOutBits = 8 * sizeof(TOut);
  const int32_t unsat =
      fixedpoint::RoundingDivideByPOT((s.reciprocal * exp).raw, s.bits_over_unit + 31 - kOutBits);
  const int32_t shifted = unsat + static_cast<int32_t>(std::numeric_limits<TOut>::min());
  return static_cast<TOut>(std::clamp<int32_t>(shifted, std::numeric_limits<TOut>::min(),
                                               std::numeric_limits<TOut>::max()));
}

template <typename TIn, typename TOut>
void SoftmaxQuantized(const SoftmaxQuant& q, int rows, int depth, const TIn* input, TOut* output) {
  for (int r = 0; r < rows; ++r) {
    const TIn* in = input + r * depth;
    TOut* out = output + r * depth;
    int32_t max_in_row = std::numeric_limits<TIn>::lowest();
    for (int c = 0; c < depth; ++c) max_in_row = std::max<int32_t>(max_in_row, in[c]);
    auto exp_of = [&](int c) { return SoftmaxExp(q, static_cast<int32_t>(in[c]) - max_in_row); };
    SoftmaxSum sum = SoftmaxSum::Zero();
    for (int c = 0; c < depth; ++c) {
      if (static_cast<int32_t>(in[c]) - max_in_row >= q.diff_min)
        sum = sum + SoftmaxTerm(exp_of(c));
    }
    const SoftmaxScale scale = SoftmaxScaleOf(sum);
    for (int c = 0; c < depth; ++c) {
      out[c] = static_cast<int32_t>(in[c]) - max_in_row >= q.diff_min
                   ? SoftmaxOutput<TOut>(scale, exp_of(c))
                   : std::numeric_limits<TOut>::min();
    }
  }
}

inline void SoftmaxFloat(float beta, int rows, int depth, const float* input, float* output) {
  for (int r = 0; r < rows; ++r) {
    const float* in = input + r * depth;
    float* out = output + r * depth;
    float max = std::numeric_limits<float>::lowest();
    for (int c = 0; c < depth; ++c) max = std::max(max, in[c]);
    float sum = 0.f;
    for (int c = 0; c < depth; ++c) sum += std::exp((in[c] - max) * beta);
    for (int c = 0; c < depth; ++c) out[c] = std::exp((in[c] - max) * beta) / sum;
  }
}

}  // namespace edgetl::reference
