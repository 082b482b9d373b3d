// MEAN of 8-bit tensors over one run of axes (the input as [count][inner]
// per outer index: MobileNet's global average over H and W) on AVX-512:
// int32 sums of 64 channels at a time kept in registers over all rows,
// then TensorFlow Lite's rescaling (reference::MeanQuantized) 16 lanes at a
// time. Internal header.
#pragma once

#include <cstdint>

#include "kernels/reference/pooling.h"

namespace edgetl::optimized {

// out[c] for channels c in [c_begin, c_end) of one outer index: the mean of
// in[r * inner + c] over r < count (count < 2^23), requantized as
// reference::MeanQuantized does.
template <typename T>
void MeanRowsAvx512(const T* in, int count, int inner, int c_begin, int c_end,
                    int32_t input_zero_point, const reference::MeanQuant& q,
                    int32_t output_zero_point, T* out);

}  // namespace edgetl::optimized
