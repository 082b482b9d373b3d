// Reference ADD, SUB and MUL, quantized and float, with broadcasting.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/reference/fixed_point.h"

namespace edgetl::reference {

// For each output element, the offsets into both (broadcast) inputs.
// Computed once at Prepare, so every Eval is a flat loop.
struct BroadcastMap {
  bool trivial = true;  // same shapes: offsets are the output index
  std::vector<int32_t> a, b;
};

// Fails (returns false) when the shapes do not broadcast to `out`.
bool MakeBroadcastMap(const std::vector<int>& a_shape, const std::vector<int>& b_shape,
                      const std::vector<int>& out_shape, BroadcastMap* map);

std::vector<int> BroadcastShape(const std::vector<int>& a, const std::vector<int>& b, bool* ok);

// ADD/SUB in the quantized domain, TFLite's scheme: both inputs are shifted
// left by `left_shift` bits, rescaled to a common scale, added, then rescaled
// to the output.
struct AddQuant {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int left_shift = 20;
  int32_t input1_multiplier = 0, input2_multiplier = 0, output_multiplier = 0;
  int input1_shift = 0, input2_shift = 0, output_shift = 0;
  int32_t act_min = 0, act_max = 0;
};

// AddOne in its three steps, for callers that reuse the inputs' terms
// (add_table.h): each input rescaled to the common scale, then their sum
// (difference) rescaled to the output.
inline int32_t AddInput1Term(const AddQuant& p, int32_t x) {
  return fixedpoint::MultiplyByQuantizedMultiplierSmallerThanOneExp(
      (p.input1_offset + x) * (1 << p.left_shift), p.input1_multiplier, p.input1_shift);
}
inline int32_t AddInput2Term(const AddQuant& p, int32_t y) {
  return fixedpoint::MultiplyByQuantizedMultiplierSmallerThanOneExp(
      (p.input2_offset + y) * (1 << p.left_shift), p.input2_multiplier, p.input2_shift);
}
template <typename T>
inline T AddOutput(const AddQuant& p, int32_t sum) {
  const int32_t out = fixedpoint::MultiplyByQuantizedMultiplierSmallerThanOneExp(
                          sum, p.output_multiplier, p.output_shift) +
                      p.output_offset;
  return static_cast<T>(std::clamp(out, p.act_min, p.act_max));
}

template <typename T, bool kSub>
inline T AddOne(const AddQuant& p, T x, T y) {
  const int32_t a = AddInput1Term(p, x), b = AddInput2Term(p, y);
  return AddOutput<T>(p, kSub ? a - b : a + b);
}

struct MulQuant {
  int32_t input1_offset = 0, input2_offset = 0, output_offset = 0;
  int32_t output_multiplier = 0;
  int output_shift = 0;
  int32_t act_min = 0, act_max = 0;
};

template <typename T>
inline T MulOne(const MulQuant& p, T x, T y) {
  const int32_t product = (p.input1_offset + x) * (p.input2_offset + y);
  const int32_t out = p.output_offset + fixedpoint::MultiplyByQuantizedMultiplier(
                                            product, p.output_multiplier, p.output_shift);
  return static_cast<T>(std::clamp(out, p.act_min, p.act_max));
}

// Applies `f(a_elem, b_elem)` over the broadcast map.
template <typename T, typename F>
void Broadcast(const BroadcastMap& map, size_t n, const T* a, const T* b, T* out, F f) {
  if (map.trivial) {
    for (size_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = f(a[map.a[i]], b[map.b[i]]);
  }
}

}  // namespace edgetl::reference
