#include "kernels/optimized/requantize_avx2.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace edgetl::optimized {

Avx2Requantization MakeAvx2Requantization(const reference::ConvQuant& q, const int32_t* bias,
                                          int channels, const AccumulatorRange* ranges,
                                          const ParallelFor& parallel) {
  const int padded = (channels + 15) / 16 * 16;
  Avx2Requantization r;
  r.bias.assign(padded, 0);
  r.multiplier.assign(padded, 0);
  r.left_shift.assign(padded, 0);
  r.right_shift.assign(padded, 0);
  for (int c = 0; c < channels; ++c) {
    r.bias[c] = bias ? bias[c] : 0;
    r.multiplier[c] = q.multiplier[c];
    r.left_shift[c] = q.shift[c] > 0 ? q.shift[c] : 0;
    r.right_shift[c] = q.shift[c] > 0 ? 0 : -q.shift[c];
  }
  r.output_offset = q.output_offset;
  r.act_min = q.act_min;
  r.act_max = q.act_max;
  // EDGETL_NO_FLOAT_REQUANT=1 keeps every layer on the integer form, so
  // that tests reach it on layers that have a float one.
  static const bool float_off = [] {
    const char* off = std::getenv("EDGETL_NO_FLOAT_REQUANT");
    return off && *off && std::string(off) != "0";
  }();
  if (!ranges || float_off) return r;
  // The kernel's accumulator is TFLite's less the bias; the float form
  // needs it exact as a float.
  for (int c = 0; c < channels; ++c) {
    if (!ExactInFloat(ranges[c].min - r.bias[c]) || !ExactInFloat(ranges[c].max - r.bias[c])) {
      return r;
    }
  }
  // Any channel may lack a proven form: its block of 16 keeps the integer
  // one.
  r.as_float =
      ProveFloatRequantization(q, ranges, channels, padded, parallel, channels, r.bias.data());
  r.float_blocks.assign(padded / 16, 1);
  for (const int c : r.as_float->unproven) r.float_blocks[c / 16] = 0;
  if (std::find(r.float_blocks.begin(), r.float_blocks.end(), 1) == r.float_blocks.end()) {
    r.as_float.reset();
    r.float_blocks.clear();
  }
  return r;
}

}  // namespace edgetl::optimized
