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

#include "kernels/optimized/one_step_constants.h"
#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// An ADD/SUB's quantization with the one-step constants of its three
// rescalings, made once when the op is prepared.
struct AddAvx512Params {
  reference::AddQuant q;
  OneStepConstants input1, input2, output;
  bool one_step_output = false;  // the output's right shift allows the one-step form
  // The output for input bytes (x, y) at x * 256 + y (int8 bytes with the
  // sign bit flipped), and 3 bytes of slack for 4-byte gathers.
  std::vector<uint8_t> table;
};
AddAvx512Params PrepareAddAvx512(const reference::AddQuant& q);

// Fills p->table, which AddAvx512 reads.
template <typename T, bool kSub>
void TabulateAddAvx512(AddAvx512Params* p);

template <typename T, bool kSub>
void AddAvx512(const AddAvx512Params& p, const T* x, const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
