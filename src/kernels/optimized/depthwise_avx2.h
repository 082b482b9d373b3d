// DEPTHWISE_CONV_2D (depth multiplier 1) on AVX2 with fused requantization,
// byte-identical to the reference kernel.
//
// Products are vpmaddwd of int16 operands, as in the AVX2 GEMM
// (gemm_avx2.h), 8 channels a vector: the window's taps go in pairs, the
// two taps' input bytes interleaved and widened so that each 32-bit lane
// holds one channel's two inputs, against the two taps' weights (w +
// filter offset) interleaved the same way at Prepare. Bytes widen as
// unsigned, int8 ones with the sign bit flipped (a = x + 128; uint8: a =
// x), and the input offset is not added per tap: sum (x + io)(w + fo) =
// sum a (w + fo) + alpha sum (w + fo) with alpha = io - 128 (uint8: io),
// and the second sum, over the whole window, joins the bias at Prepare. A
// tap in the padding reads a row of the input zero point instead, whose x
// + io is 0 as the reference's skipped tap. Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/cache_line_allocator.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct DepthwiseAvx2 {
  int taps = 0, pairs = 0, c8 = 0;  // filter taps, (taps + 1) / 2; channels rounded up to 8
  int c32 = 0;                      // channels in whole blocks of 32 (the wide blocks below)
  // Channels [0, c32) go 32 a step, in four vectors whose lanes follow the
  // in-lane unpacks (no lane-crossing widening; the narrowing packs put
  // the channels back in order): vector v, lane l holds channel
  // Lane32Channel(v, l) of the block. Per block of 32 and tap pair, 4 x 8
  // int16 pairs in that order.
  std::vector<int16_t, CacheLineAllocator<int16_t>> w32;
  // The rest 16 or 8 a step: per block of 8 channels and tap pair, 8 int16
  // pairs (w + filter offset of the pair's first and second tap, channel by
  // channel); 0 for the missing second tap of an odd window and beyond the
  // channels.
  std::vector<int16_t, CacheLineAllocator<int16_t>> w;
  // An input row of the zero point (as the input's type), read by the taps
  // in the padding.
  std::vector<uint8_t> zero_row;
  // Its bias holds alpha * sum (w + fo) too.
  Avx2Requantization requant;
  // The same with its per-channel entries in [0, c32) in the wide blocks'
  // lane order. A block of 32 whose halves take different forms (one of its
  // channels has no proven float form) runs as two blocks of 16 instead.
  Avx2Requantization requant32;
};

// The channel (within its block of 32) in lane l of vector v.
constexpr int Lane32Channel(int v, int l) { return (v / 2) * 8 + (v % 2) * 4 + l % 4 + l / 4 * 16; }

// The float form's proofs run as tasks of `parallel`.
template <typename W>
DepthwiseAvx2 PackDepthwiseAvx2(const W* filter, const reference::ConvGeometry& g,
                                const int32_t* bias, const reference::ConvQuant& q,
                                const ParallelFor& parallel);

// One thread's working memory for DepthwiseRowsAvx2, sized for the
// layer's geometry when the interpreter is created (Invoke() allocates
// nothing): an output row's window taps, as pointers to input bytes (uint8
// or int8 alike). Tap (fy, fx) of pixel ox in [interior_begin,
// interior_end), whose window lies inside the row span, reads rows[fy] + ox
// * step + cols[fx] (rows beyond the image are the zero row); the edge
// pixels before and after list theirs in `edges`, pixel by pixel.
struct DepthwiseAvx2Taps {
  std::vector<const uint8_t*> rows, edges;
  std::vector<std::ptrdiff_t> cols;
  std::ptrdiff_t step = 0;
  int interior_begin = 0, interior_end = 0;
};

DepthwiseAvx2Taps MakeDepthwiseAvx2Taps(const reference::ConvGeometry& g);

// Output rows [row_begin, row_end) of batches x out_h; `taps` is the
// calling thread's own (MakeDepthwiseAvx2Taps(g)).
template <typename T>
void DepthwiseRowsAvx2(const reference::ConvGeometry& g, const DepthwiseAvx2& p, const T* input,
                       int row_begin, int row_end, T* output, DepthwiseAvx2Taps* taps);

}  // namespace edgetl::optimized
