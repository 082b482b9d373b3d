#include "kernels/optimized/requantize_avx2.h"

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
  r.as_float = ProveFloatRequantization(q, ranges, channels, padded, parallel, 0, r.bias.data());
  return r;
}

}  // namespace edgetl::optimized
