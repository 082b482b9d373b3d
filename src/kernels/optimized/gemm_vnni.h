// CONV_2D as a GEMM on AVX-512 VNNI (vpdpbusd: four u8 x s8 products summed
// into each int32 lane), for uint8 and int8 models, byte-identical to the
// reference kernels.
//
// vpdpbusd wants one unsigned and one signed operand. The activations are
// the unsigned one: uint8 as they are, int8 moved to uint8 by flipping the
// sign bit (x' = x + 128, done while the rows are copied: see Im2RowVnni and
// FlipRowsVnni), which turns the input offset io (-input zero point) into
// alpha = io - 128. Weights are stored as p = clamp(w + fo, -128, 127),
// signed, with fo the filter offset (-filter zero point). w + fo exceeds
// int8 only for the weight or two per layer of a uint8 model that set the
// quantization range (the far extreme from the zero point; int8 filters
// have fo = 0 and never do); the rest, e = w + fo - p, is kept as a sparse
// list and added per row after the dot products. So
//   sum_k (w + fo)(x' + alpha) = sum_k p*x' + sum_(k: e != 0) e*x' + alpha*sum_k (w + fo)
// with the last term a per-channel constant folded with the bias. No
// per-row sums of the activations are needed.
//
// Padding taps hold the input zero point, which contributes exactly zero,
// as the reference's skipped taps do.
// Requantization to the output type is fused into the kernel's epilogue.
// Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/cache_line_allocator.h"
#include "kernels/optimized/channel_requantization.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

inline constexpr int kVnniPanel = 64;  // output channels per packed panel
// Output pixels per micro-tile of 64 channels (narrower tiles: 8, 12).
inline constexpr int kVnniRows = 6;

struct VnniConv {
  int n = 0;    // output channels
  int k = 0;    // depth (filter_h * filter_w * in_c)
  int k4 = 0;   // depth rounded up to 4: bytes per activation row
  int n16 = 0;  // channels rounded up to 16
  // Panels of 64 channels (the last may be narrower, rounded to 16), each
  // [k4 / 4][panel width][4] bytes, panel p at offset p * 64 * k4.
  std::vector<uint8_t, CacheLineAllocator<uint8_t>> b;
  // Per channel (n16 entries): bias + alpha * sum_k (w + fo), and the
  // requantization parameters.
  std::vector<int32_t> col_const;
  ChannelRequantization requant;
  // Per channel, the values its whole accumulator (col_const included) can
  // take: for other forms of the requantization (MakeAmxForm).
  std::vector<AccumulatorRange> ranges;
  // The weights beyond int8, per panel (entries
  // [excess_begin[p], excess_begin[p + 1])).
  struct Excess {
    int k, channel;
    int32_t value;
  };
  std::vector<Excess> excess;
  std::vector<int> excess_begin;
  // The same remainders for the VNNI tiles, as extra depth steps of 64
  // bytes (16 channels x 4): the 4-byte group of the depth a step reads,
  // the 16-channel vector of its panel it adds to, and the remainders in
  // their lane and byte (zero elsewhere). One step costs each row a
  // vpdpbusd, where adding a remainder lane by lane cost a scalar multiply,
  // a broadcast and a masked add per remainder. A remainder of 128 (w + fo
  // = 255 with p = 127), the one int8 lacks, takes two steps. Per panel
  // (entries [excess_step_begin[p], excess_step_begin[p + 1])).
  struct ExcessStep {
    int group, vector;
    int8_t w[64];
  };
  std::vector<ExcessStep> excess_steps;
  std::vector<int> excess_step_begin;
  int32_t output_offset = 0, act_min = 0, act_max = 0;
  uint8_t a_pad = 0;  // activation byte of a padding tap: -alpha (the zero point, flipped for int8)
  // Window layout (PackVnniConvWindows): where k-step s reads, relative to
  // a window's first byte in the padded input. Empty: contiguous rows.
  std::vector<int32_t> k_offsets;

  int panels() const { return (n16 + kVnniPanel - 1) / kVnniPanel; }
};

// Packs an OHWI (or [out][in]) filter of `n` x `k` values with the op's
// quantization. W is uint8_t or int8_t. `parallel` runs the proofs of the
// float requantization (float_requantization.h); float_form false leaves
// them out (MakeAmxForm proves what the AMX kernel takes).
template <typename W>
VnniConv PackVnniConv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q, const ParallelFor& parallel,
                      bool float_form = true);

// Window layout, for k x k convolutions with dilation_w 1: the kernel reads
// each output pixel's window straight from a padded copy of the input
// (PadInputVnni), no im2col rows. Depth is ordered by window row, each of
// filter_w * in_c bytes rounded up to 4; the up to 3 bytes read past a
// window row meet zero weights.
template <typename W>
VnniConv PackVnniConvWindows(const W* filter, const reference::ConvGeometry& g, const int32_t* bias,
                             const reference::ConvQuant& q, const ParallelFor& parallel);

// The padded input of a window-layout conv: rows x width pixels per batch,
// every window inside, padding taps a_pad, int8 flipped to uint8; `bytes`
// includes the slack read past the last window row.
struct PaddedInput {
  int rows = 0, width = 0;
  size_t row_bytes = 0, bytes = 0;
};
PaddedInput PaddedInputShape(const reference::ConvGeometry& g);

// Writes padded rows [row_begin, row_end) (over batch and row) to `padded`.
template <typename T>
void PadInputVnni(const reference::ConvGeometry& g, const VnniConv& w, const T* input,
                  int row_begin, int row_end, uint8_t* padded);

// Writes `rows` im2col rows of the conv's output pixels starting at `m0`
// (pixel index over batch, y, x) into `a` (k4 bytes each, padding taps
// a_pad, int8 values flipped to uint8, zeros beyond k): the layers the
// window layout does not serve (1x1 with stride or a depth not a multiple
// of 4, dilation_w > 1).
template <typename T>
void Im2RowVnni(const reference::ConvGeometry& g, const VnniConv& w, const T* input, int m0,
                int rows, uint8_t* a);

// Copies `bytes` int8 activations to `a` as uint8 (sign bit flipped): the
// rows of a 1x1 convolution over int8 values.
void FlipRowsVnni(const int8_t* input, size_t bytes, uint8_t* a);

// out[r * ldc + c] for r < rows and channels of panels [p_begin, p_end):
// the requantized conv outputs (type T) for activation rows a + r * lda.
template <typename T>
void GemmVnni(const VnniConv& w, const uint8_t* a, size_t lda, int rows, int p_begin, int p_end,
              T* out, size_t ldc);

// The same for a window-layout conv: row r's window starts at windows[r].
template <typename T>
void GemmVnniWindows(const VnniConv& w, const uint8_t* const* windows, int rows, int p_begin,
                     int p_end, T* out, size_t ldc);

}  // namespace edgetl::optimized
