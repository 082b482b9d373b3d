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

#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// The op's output for input bytes (x, y) at x * 256 + y (int8 bytes with
// the sign bit flipped), and 3 bytes of slack for 4-byte gathers.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant& q);

// out[i] = the output for (x[i], y[i]), read from a TabulateAddAvx512 table.
template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n);

// The op in float, where it gives the table's bytes: with
// t = fma(x, a, fma(y, b, c)) (x, y the input values, correctly rounded
// float steps), the output is clamp(floor(t) - bias, act_min, act_max) for
// every pair whose t lies `near` or further from an integer (the only
// places where TFLite's integer roundings and float's can disagree); the
// kernel reads the table for the others, a few in ten thousand. `bias`
// (128 for int8, else 0) keeps floor(t) in [0, 255] over the type's range,
// so that a saturating unsigned pack is the clamp there.
struct AddFloatForm {
  float a = 0, b = 0, c = 0, near = 0;
  int32_t bias = 0, act_min = 0, act_max = 0;
};

// Checks the float form on all 65536 pairs against the table; none where
// some pair disagrees with t 1/256 or further from an integer (the form is
// off there, and the table alone serves). Otherwise `near` is a power of
// two above every disagreeing t's distance from an integer (2^-24 where
// they all lie on one; 0 where none disagree).
template <typename T, bool kSub>
std::optional<AddFloatForm> ProveAddFloatForm(const reference::AddQuant& q,
                                              const std::vector<uint8_t>& table);

// out[i] = the output for (x[i], y[i]) by the proven float form, the
// table's byte where t is near an integer.
template <typename T>
void AddByFloatAvx512(const AddFloatForm& f, const std::vector<uint8_t>& table, const T* x,
                      const T* y, T* out, size_t n);

}  // namespace edgetl::optimized
