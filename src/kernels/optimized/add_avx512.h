// Quantized ADD/SUB of two same-shape tensors on AVX-512 by table: 8-bit
// inputs have 65536 pairs, so the op's outputs for all of them are computed
// once, 16 lanes at a time with TensorFlow Lite's exact rescaling arithmetic
// (see reference::AddOne), and gathered 16 at a time after that (three
// exact 64-bit rescalings per output cost more than a read of the 64 KB
// table). Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// The op's output for input bytes (x, y) at x * 256 + y (int8 bytes with
// the sign bit flipped), and 3 bytes of slack for 4-byte gathers.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant& q);

// out[i] = the output for (x[i], y[i]), read from a TabulateAddAvx512 table.
template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
