// Quantized ADD/SUB of two same-shape tensors on AVX-512, 16 lanes with
// TensorFlow Lite's exact rescaling arithmetic (see reference::AddOne).
// Internal header.
#pragma once

#include <cstddef>

#include "kernels/optimized/one_step_constants.h"
#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// An ADD/SUB's quantization with the one-step constants of its three
// rescalings, made once when the op is prepared.
struct AddAvx512Params {
  reference::AddQuant q;
  OneStepConstants input1, input2, output;
  bool one_step_output = false;  // the output's right shift allows the one-step form
};
AddAvx512Params PrepareAddAvx512(const reference::AddQuant& q);

template <typename T, bool kSub>
void AddAvx512(const AddAvx512Params& p, const T* x, const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
