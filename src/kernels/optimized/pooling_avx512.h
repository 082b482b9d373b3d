// AVERAGE_POOL_2D / MAX_POOL_2D for 8-bit tensors on AVX-512: the window
// walked outside and 64 channels at a time inside (sums or maxima in
// registers over the whole window), the average's rounded division in
// float (exact: see PoolChannelsAvx512). Same bytes as the reference.
// Internal header.
#pragma once

#include <cstdint>

#include "kernels/reference/conv.h"

namespace edgetl::optimized {

// Whether PoolChannelsAvx512 serves windows of geometry g: the average's
// sums must stay below 2^24 for its float division to be exact.
bool PoolChannelsAvx512Applies(const reference::ConvGeometry& g);

// The pooled outputs of all pixels of g, clamped to [act_min, act_max].
template <typename T, bool kMax>
void PoolChannelsAvx512(const reference::ConvGeometry& g, int32_t act_min, int32_t act_max,
                        const T* input, T* output);

}  // namespace edgetl::optimized
