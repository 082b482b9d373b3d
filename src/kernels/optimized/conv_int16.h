// Faster CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED for 8-bit tensors.
//
// Same integer arithmetic as the reference kernels, reorganized: zero points
// are folded in once (filters are stored as int16 `w + filter_offset` when the
// op is prepared; input patches as int16 `x + input_offset`, 0 for padding),
// so every output is a plain int16 dot product accumulated in int32, which
// compilers turn into multiply-add SIMD instructions (vpmaddwd). The inner
// loops are compiled for several instruction sets and picked at run time
// (target_clones). Results are byte-identical to the reference kernels,
// which tests check on random shapes and on every shared model.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/reference/conv.h"

namespace edgetl::optimized {

// Filters of a conv as [out_c][K] int16 with the filter offset applied;
// K = filter_h * filter_w * in_c, padded to a multiple of 16 with zeros.
struct PackedFilter {
  int out_c = 0;
  int k = 0;         // real depth
  int k_padded = 0;  // stored depth
  std::vector<int16_t> values;
};

template <typename W>
PackedFilter PackConvFilter(const W* filter, int out_c, int k, int32_t filter_offset);

// Per output pixel row: builds int16 patches, then out_c dot products.
// `scratch` must hold 4 * k_padded int16 values.
template <typename T>
void ConvInt16(const reference::ConvGeometry& g, const reference::ConvQuant& q, const T* input,
               const PackedFilter& filter, const int32_t* bias, T* output, int16_t* scratch);

// Depthwise: filter packed as [taps][out_c] int16 with the offset applied.
struct PackedDepthwise {
  int taps = 0;
  int out_c = 0;
  std::vector<int16_t> values;
};

template <typename W>
PackedDepthwise PackDepthwiseFilter(const W* filter, int taps, int out_c, int32_t filter_offset);

// `acc` must hold out_c int32 values.
template <typename T>
void DepthwiseInt16(const reference::ConvGeometry& g, const reference::ConvQuant& q, const T* input,
                    const PackedDepthwise& filter, const int32_t* bias, T* output, int32_t* acc);

}  // namespace edgetl::optimized
