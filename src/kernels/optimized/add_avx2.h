// Quantized ADD/SUB of two same-shape 8-bit tensors on AVX2, 8 elements a
// step, in TensorFlow Lite's own integer arithmetic: reference::AddOne's
// three rescalings (each input to the common scale, then the sum to the
// output) as Requant8's MultiplyByQuantizedMultiplier, so exact by
// construction. The portable kernel's 64 KB table (add_table.h) outgrows
// L1 and its reads miss; this needs nothing at Prepare but the constants.
// Where the float form (add_float_form.h) is proven, two FMAs an output
// replace the three rescalings, which then serve only the outputs near a
// rounding step. Internal header.
#pragma once

#include <cstddef>
#include <optional>

#include "kernels/optimized/add_float_form.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// Each rescaling as a requantization whose eight channels are the same:
// input k is (x + input offset) << left_shift times its multiplier, with
// no output offset or clamp; the output is the sum times the output
// multiplier, plus the output offset, clamped to the activation range.
struct AddAvx2 {
  Avx2Requantization input1, input2, output;
};

// q's shifts must be within [-31, 0]: QuantizeMultiplier gives no shift
// below -31 (a smaller multiplier becomes 0), and the ADD op's Prepare
// turns down positive ones.
AddAvx2 MakeAddAvx2(const reference::AddQuant& q);

// out[i] = x[i] + y[i] (kSub: x[i] - y[i]) as TFLite's quantized ADD
// (SUB) computes it, for i < n. Runs only where optimized::HasAvx2() (a
// build without AVX2 code compiles it empty).
template <typename T, bool kSub>
void AddByAvx2(const AddAvx2& p, const reference::AddQuant& q, const T* x, const T* y, T* out,
               size_t n);

// The float form where it gives this kernel's outputs (TFLite's) for all
// 65536 input pairs; none where it does not hold. Call only where optimized::HasAvx2().
template <typename T, bool kSub>
std::optional<AddFloatForm> ProveAddFloatFormAvx2(const AddAvx2& p, const reference::AddQuant& q);

// out[i] = x[i] + y[i] (kSub: x[i] - y[i]) for i < n by f, a form proven
// for p (ProveAddFloatFormAvx2); the lanes near a rounding step by
// AddByAvx2's arithmetic. Runs only where optimized::HasAvx2().
template <typename T, bool kSub>
void AddByFloatAvx2(const AddFloatForm& f, const AddAvx2& p, const T* x, const T* y, T* out,
                    size_t n);

}  // namespace edgetl::optimized
