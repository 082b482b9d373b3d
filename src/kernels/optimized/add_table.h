// Quantized ADD/SUB of two same-shape 8-bit tensors on CPUs without AVX2
// (add_avx2.h computes TFLite's arithmetic in vectors instead): the op's
// outputs for all 65536 input pairs are computed once, at Prepare, with the
// reference arithmetic (reference::AddOne's steps: each input's term once
// per byte value, the output's rescaling per pair), and each output is then
// one table read, where the reference spends three 64-bit rescalings (about 10
// ns an element). The AVX-512 kernels (add_avx512.h) have their own table
// and float form. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/float_requantization.h"
#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// The output byte for inputs (x, y) at index (x * 256 + y), x and y as
// unsigned bytes (int8 ones by their two's-complement bits). `parallel`
// shares the 256 rows out.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAdd(const reference::AddQuant& q, const ParallelFor& parallel);

// out[i] = the output for (x[i], y[i]), read from a TabulateAdd table.
template <typename T>
void LookUpAdd(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
