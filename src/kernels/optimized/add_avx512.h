// Quantized ADD/SUB of two same-shape tensors on AVX-512. 8-bit inputs have
// 65536 pairs, so the op's outputs for all of them are computed once, 16
// lanes at a time with TensorFlow Lite's exact rescaling arithmetic (see
// reference::AddOne), into a table. The kernels then either gather from it,
// 16 lanes at a time (three exact 64-bit rescalings per output cost more
// than a read of the 64 KB table), or, where a float form is proven against
// the whole table (AddFloatForm, every MobileNet V2 add), compute the
// outputs in float and read the table only for the rare values on a
// rounding step: 2.2-4x faster than gathering. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/optimized/add_float_form.h"
#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// The op's outputs in the layout of add_float_form.h (TabulateAddWith),
// and 3 bytes of slack for 4-byte gathers.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant& q);

// out[i] = the output for (x[i], y[i]), read from a TabulateAddAvx512 table.
template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n);

// out[i] = the output for (x[i], y[i]) by the proven float form, the
// table's byte where t is near an integer.
template <typename T>
void AddByFloatAvx512(const AddFloatForm& f, const std::vector<uint8_t>& table, const T* x,
                      const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
