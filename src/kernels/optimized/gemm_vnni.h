// CONV_2D as a GEMM on AVX-512 VNNI (vpdpbusd: four u8 x s8 products summed
// into each int32 lane), for uint8 and int8 models, byte-identical to the
// reference kernels.
//
// vpdpbusd wants one unsigned and one signed operand. With the ops' offsets
// io (-input zero point) and fo (-filter zero point):
//
// uint8 models: activations x are the unsigned operand, and weights are
// stored as p = clamp(w + fo, -128, 127), signed. w + fo exceeds int8 only
// for the weight or two per layer that set the quantization range (the
// far extreme from the zero point); the rest, e = w + fo - p, is kept as a
// sparse list and added per row after the dot products. So
//   sum_k (w + fo)(x + io) = sum_k p*x + sum_(k: e != 0) e*x + io*sum_k (w + fo)
// with the last term a per-channel constant folded with the bias.
//
// int8 models: activations are the signed operand and weights are stored
// as p = w + 128, unsigned, so
//   sum_k (w + fo)(x + io) = sum_k p*x + io*sum_k p + beta*sum_k x + K*io*beta
// with beta = fo - 128: a per-channel constant and a per-row sum of the
// activations.
//
// Padding taps hold the input zero point, which contributes exactly zero,
// as the reference's skipped taps do.
// Requantization to the output type is fused into the kernel's epilogue.
// Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/channel_requantization.h"
#include "kernels/reference/conv.h"

namespace edgetl::optimized {

inline constexpr int kVnniPanel = 64;  // output channels per packed panel
inline constexpr int kVnniRows = 6;    // output pixels per micro-tile

struct VnniConv {
  int n = 0;    // output channels
  int k = 0;    // depth (filter_h * filter_w * in_c)
  int k4 = 0;   // depth rounded up to 4: bytes per activation row
  int n16 = 0;  // channels rounded up to 16
  // Panels of 64 channels (the last may be narrower, rounded to 16), each
  // [k4 / 4][panel width][4] bytes, panel p at offset p * 64 * k4.
  std::vector<uint8_t> b;
  // Per channel (n16 entries): bias + io * sum_k p + K * io * beta, and the
  // requantization parameters.
  std::vector<int32_t> col_const;
  ChannelRequantization requant;
  int32_t beta = 0;  // 0: no activation sums (uint8 models)
  // uint8 models: the weights beyond int8, per panel (entries
  // [excess_begin[p], excess_begin[p + 1])).
  struct Excess {
    int k, channel;
    int32_t value;
  };
  std::vector<Excess> excess;
  std::vector<int> excess_begin;
  int32_t output_offset = 0, act_min = 0, act_max = 0;
  uint8_t a_pad = 0;  // activation byte of a padding tap (the input zero point)

  int panels() const { return (n16 + kVnniPanel - 1) / kVnniPanel; }
};

// Packs an OHWI (or [out][in]) filter of `n` x `k` values with the op's
// quantization. W is uint8_t or int8_t.
template <typename W>
VnniConv PackVnniConv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q);

// Writes `rows` im2col rows of the conv's output pixels starting at `m0`
// (pixel index over batch, y, x) into `a` (k4 bytes each, padding taps
// a_pad, zeros beyond k). Short window rows are stored 16 bytes at a time,
// so `a` needs kIm2RowSlack bytes beyond the last row.
constexpr size_t kIm2RowSlack = 16;
template <typename T>
void Im2RowVnni(const reference::ConvGeometry& g, const VnniConv& w, const T* input, int m0,
                int rows, uint8_t* a);

// Sums of `rows` rows of `k` values of T, `lda` bytes apart.
template <typename T>
void RowSums(const T* a, size_t lda, int k, int rows, int32_t* sums);

// out[r * ldc + c] for r < rows and channels of panels [p_begin, p_end):
// the requantized conv outputs for activation rows a + r * lda.
// `sums` must hold the rows' sums when w.beta != 0.
template <typename T>
void GemmVnni(const VnniConv& w, const uint8_t* a, size_t lda, const int32_t* sums, int rows,
              int p_begin, int p_end, T* out, size_t ldc);

}  // namespace edgetl::optimized
