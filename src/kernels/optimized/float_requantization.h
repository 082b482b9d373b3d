// Requantization as one float multiply-add, proven exact per layer.
//
// TensorFlow Lite's requantization of an int32 accumulator x is a
// monotonic step function F(x) = clamp(round(round(x * m / 2^31) / 2^e) +
// z, lo, hi) that needs a 64-bit product per value (8 to 11 vector
// instructions per 16 outputs on AVX-512). A float form needs three:
//   G(x) = clamp(floor(RD(float(x) * s + c)) + z, lo, hi)
// with RD the fused multiply-add rounded toward minus infinity. For
// float(x) exact and |result| < 2^24, floor(RD(v)) = floor(v) exactly (the
// integers there are floats), so G is the floor of an affine function, and
// monotonic everywhere. Two monotonic step functions with values in [lo,
// hi] agree on an interval [x_min, x_max] if, for every level k in (lo,
// hi], both first reach k at the same x: that x is each one's step.
//
// So for each channel, with [x_min, x_max] the range its accumulator can
// take (from its weights and bias), ProveFloatRequantization computes F's
// steps exactly (integer arithmetic), chooses s and c that put G's steps at
// the same places, and checks G on both sides of every step: in double
// arithmetic where the value lies clearly away from an integer, exactly
// where it is close. A kernel takes the float form only for channels that
// pass (the AVX2 ones block by block of 16, the AVX-512 ones for whole
// layers, AMX for all but a few channels); the rest keep the integer form.
// Channels that share their multiplier and shift (per-tensor layers) take
// an earlier channel's form, moved to their folded constant, where its
// bounds show it carries over: a few operations instead of a pass over
// every level. Plain C++ (no SIMD): runs when the interpreter is created.
//
// Internal header.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/reference/conv.h"

namespace edgetl::optimized {

// Every value one channel's accumulator (bias included) can take lies in
// [min, max].
struct AccumulatorRange {
  int64_t min = 0, max = 0;
};

// alpha for activations of type T as the AVX-512 kernels read them: uint8
// bytes as they are, int8 ones with the sign bit flipped (x + 128), so
// that byte + alpha = activation + input offset.
template <typename T>
int32_t ActivationByteOffset(int32_t input_offset) {
  return input_offset - (std::is_same_v<T, int8_t> ? 128 : 0);
}

// The range of bias + sum_i (a_i + alpha) * v_i over all activation bytes
// a_i in [0, 255]: the accumulator of a channel with effective weights v_i
// (w_i + filter offset) summing to `sum`, of which the positive ones sum to
// `positive_sum`; alpha turns the byte into the activation minus its zero
// point.
inline AccumulatorRange RangeOfAccumulator(int32_t bias, int32_t alpha, int64_t sum,
                                           int64_t positive_sum) {
  const int64_t base = int64_t{bias} + int64_t{alpha} * sum;
  return {base + 255 * (sum - positive_sum), base + 255 * positive_sum};
}

// Whether every integer with |x| <= |v| converts to float exactly (in any
// rounding mode): |v| <= 2^24.
inline bool ExactInFloat(int64_t v) { return v >= -(int64_t{1} << 24) && v <= int64_t{1} << 24; }

// Per channel, G's scale and offset (the output offset is added after the
// conversion), with `padded` entries (zeros past the channels). Where a
// layer's outputs are not clamped at its zero point (no ReLU), TFLite rounds
// negative products the other way, which moves its steps below a split
// point by a fraction of a step: there G takes offset_below for
// accumulators x < split (two_pieces; else offset_below == offset).
struct FloatRequantization {
  std::vector<float> scale, offset, offset_below;
  std::vector<int32_t> split;
  bool two_pieces = false;
  // Channels with no proven form (their entries are zeros), where the
  // caller allowed some: only the AMX kernel takes such a form, and
  // requantizes those channels again in integer arithmetic.
  std::vector<int> unproven;
};

// Runs fn(task) for every task in [0, tasks), possibly in parallel (the
// interpreter's thread pool); empty: one after the other.
using ParallelFor = std::function<void(int tasks, const std::function<void(int task)>& fn)>;

// fn(task) for every task in [0, tasks): through `parallel`, or one after
// the other where it is empty.
inline void RunTasks(const ParallelFor& parallel, int tasks,
                     const std::function<void(int task)>& fn) {
  if (parallel) {
    parallel(tasks, fn);
  } else {
    for (int task = 0; task < tasks; ++task) fn(task);
  }
}

// The float form for `channels` channels with quantization q and
// accumulator ranges ranges[0 .. channels), or nothing where more than
// `max_unproven` channels have no proven-exact one (its accumulator could
// wrap in TFLite's left shift, its right shift exceeds
// kMaxOneStepRightShift, or no float pair reproduces all its steps); those
// up to max_unproven are listed in `unproven`. The channels' proofs run as
// tasks of `parallel`. With `folded` (per channel), the form takes x -
// folded[c] in place of x: a kernel that leaves a channel's constant term
// out of its accumulators (scale and offset then differ only in the
// offset's rounding; the split moves by the constant). A channel whose x -
// folded[c] could leave the int32 range has no such form.
std::optional<FloatRequantization> ProveFloatRequantization(
    const reference::ConvQuant& q, const AccumulatorRange* ranges, int channels, int padded,
    const ParallelFor& parallel = {}, int max_unproven = 0, const int32_t* folded = nullptr);

}  // namespace edgetl::optimized
