// DEPTHWISE_CONV_2D (depth multiplier 1) on AVX-512 with fused
// requantization, byte-identical to the reference kernel.
//
// 3x3 windows with stride_w 1 or 2 and no horizontal dilation (every
// MobileNet) run the column kernel: the three input rows of one column are
// interleaved into 4-byte groups per channel once, and each output pixel is
// three vpdpbusd (one per column of the window) per 16 channels; with
// stride 1 a column serves three output pixels, and with stride_h 1 two
// output rows (interleaved from their four input rows). Other windows run
// 16 lanes of int32 (x + input offset) * (w + filter offset) products with
// padding taps skipped as in the reference. Internal header.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/optimized/channel_requantization.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

struct DepthwiseAvx512 {
  // Any window, 16 channels at a time.
  int taps = 0, c16 = 0;          // filter taps; channels rounded up to 16
  std::vector<int32_t> w;         // [taps][c16]: w + filter offset (0 beyond the channels)
  std::vector<int32_t> bias;      // [c16]
  ChannelRequantization requant;  // [c16]

  // The column kernel. vpdpbusd multiplies unsigned bytes by signed ones, so
  // inputs are used as u = x (uint8) or x + 128 (int8, flipped sign bit) and
  // weights as int8 `omega`: w - zero point where all nine weights of the
  // channel fit in int8 that way; otherwise the raw int8 bits (w - 128 for
  // uint8) plus `kappa` = the rest of (w - zero point), applied by a second
  // vpdpbusd. The input offset times the sum of the weights is in the
  // bias, and padding reads the input zero point, so it contributes zero.
  //
  // Channels in blocks of 64 (the last one masked), each as 4 quarters of 16
  // int32 lanes in the order byte unpacking gives: quarter k, lane l holds
  // channel 16 * (l / 4) + 4 * k + l % 4 of the block, and the 4 bytes of a
  // lane are rows 0, 1, 2 of the window column and an unused 0 weight.
  // One record per block, so that the kernel addresses all of it from one
  // pointer. Empty: the column kernel does not run (it needs one_step or
  // the float form).
  //
  // With stride_h and dilation_h 1 two output rows share three of their
  // four input rows: their columns are interleaved from all four (the
  // fourth byte row 3), the upper row's weights as above and the lower
  // row's the same one byte up, (0, row 0, row 1, row 2) (omega_low,
  // kappa_low), which halves the interleaving per output pixel.
  struct alignas(64) ColumnBlock {
    int8_t omega[3][4][64];      // [window column][quarter]
    int8_t omega_low[3][4][64];  // the same for the lower of two rows
    int8_t kappa[4][64];         // [quarter], where kappa_quarter
    int8_t kappa_low[4][64];     // the same for the lower of two rows
    int32_t bias[4][16], multiplier[4][16], left_shift[4][16];
    OneStepConstants one_step[4];
    float scale[4][16], offset[4][16];  // the float form, where requant.as_float
    bool kappa_quarter[4];              // a channel of the quarter needs kappa
  };
  std::vector<ColumnBlock> column_blocks;
  bool kappa_used = false;  // in any block
  // Fewer than 64 channels dividing 64 (MobileNet's 8, 16, 32; with stride
  // 2 a multiple of 8): one block holds 64 / channels output pixels, whose
  // window columns are contiguous input bytes (stride 1) or the even pixels
  // of twice as many (stride 2), lane channels taken modulo the channels.
  int pixels_per_block = 1;
  // Above 64 channels with a last block of 16 or 32 (MobileNet V2's 144 and
  // 96): that block holds 64 / tail pixels, each pixel's last channels
  // gathered into its share of the lanes (lane channels modulo the tail),
  // where one pixel left three quarters or half of the block idle.
  int tail_pixels = 1;
  uint8_t zero_point_byte = 0;       // the input zero point's byte
  std::vector<uint8_t> padding_row;  // an input row of zero points, for rows outside the input
};

template <typename W>
DepthwiseAvx512 PackDepthwiseAvx512(const W* filter, const reference::ConvGeometry& g,
                                    const int32_t* bias, const reference::ConvQuant& q,
                                    const ParallelFor& parallel);

// Output rows [row_begin, row_end) of batches x out_h.
template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                         const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                         T* output);

}  // namespace edgetl::optimized
