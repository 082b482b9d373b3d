// Quantized ADD/SUB of two same-shape tensors on AVX-512, 16 lanes with
// TensorFlow Lite's exact rescaling arithmetic (see reference::AddOne).
// Internal header.
#pragma once

#include <cstddef>

#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

template <typename T, bool kSub>
void AddAvx512(const reference::AddQuant& p, const T* x, const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
