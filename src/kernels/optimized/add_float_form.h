// The float form of quantized ADD/SUB of two same-shape 8-bit tensors,
// shared by the AVX-512 and AVX2 kernels (add_avx512.h, add_avx2.h): the
// op's outputs for all 65536 input pairs, tabulated once with TensorFlow
// Lite's exact arithmetic, prove at Prepare where two FMAs per output give
// the same bytes. Plain C++. Internal header.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/reference/elementwise.h"

namespace edgetl::optimized {

// The table's index of an input byte: uint8 as it is, int8 with the sign
// bit flipped; and the input value at an index (the same flip back).
template <typename T>
inline int TableIndex(T v) {
  return std::is_same_v<T, int8_t> ? static_cast<uint8_t>(v) ^ 0x80 : static_cast<uint8_t>(v);
}
template <typename T>
inline T TableValue(int index) {
  return static_cast<T>(std::is_same_v<T, int8_t> ? index ^ 0x80 : index);
}

// The op's outputs for every pair, as bytes: input bytes (x, y) at
// TableIndex(x) * 256 + TableIndex(y). `add(x, y, out, n)` computes n
// outputs exactly; it runs a row of 256 at a time.
template <typename T, typename Add>
std::vector<uint8_t> TabulateAddWith(Add&& add) {
  T xs[256], ys[256];
  for (int b = 0; b < 256; ++b) ys[b] = TableValue<T>(b);
  std::vector<uint8_t> table(256 * 256);
  for (int a = 0; a < 256; ++a) {
    std::fill(xs, xs + 256, ys[a]);
    add(xs, ys, reinterpret_cast<T*>(table.data() + a * 256), size_t{256});
  }
  return table;
}

// The op in float, where it gives the table's bytes: with
// t = fma(x, a, fma(y, b, c)) (x, y the input values, correctly rounded
// float steps), the output is clamp(floor(t) - bias, act_min, act_max) for
// every pair whose t lies `near` or further from an integer (the only
// places where TFLite's integer roundings and float's can disagree); the
// kernels take the others, a few in ten thousand, from TFLite's arithmetic
// (AVX-512: from the table). `bias` (128 for int8, else 0) keeps floor(t)
// in [0, 255] over the type's range, so that a saturating unsigned pack is
// the clamp there.
struct AddFloatForm {
  float a = 0, b = 0, c = 0, near = 0;
  int32_t bias = 0, act_min = 0, act_max = 0;
};

// Checks the float form on all 65536 pairs against `table` (TFLite's
// outputs, as TabulateAddWith lays them out), rounding to nearest as the
// kernels do, whatever the caller's rounding mode. None where some pair
// disagrees with t 1/256 or further from an integer (the form is off
// there). Otherwise `near` is a power of two above every disagreeing t's
// distance from an integer (2^-24 where they all lie on one; 0 where none
// disagree).
template <typename T, bool kSub>
std::optional<AddFloatForm> ProveAddFloatForm(const reference::AddQuant& q,
                                              const std::vector<uint8_t>& table);

}  // namespace edgetl::optimized
