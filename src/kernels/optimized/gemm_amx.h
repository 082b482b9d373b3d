// The GEMM of a convolution on Intel AMX (Sapphire Rapids and later), for
// layers whose requantization has the proven float form.
//
// An AMX tile multiply (tdpbusd / tdpbssd) adds to each of 16 x 16 int32
// accumulators the dot product of 64 activation bytes and 64 weight bytes:
// the same four-byte products and exact int32 sums as vpdpbusd, 16 times
// the work per instruction. The weights are read straight from VnniConv's
// panels: a panel's rows of 4-byte groups per channel are the layout a
// weight tile wants (16 channels x 4 bytes per row, one row per 4 depth
// bytes). Activations are u8 rows as the VNNI GEMM takes them, or (int8
// layers without weights beyond int8) the raw int8 rows with tdpbssd, which
// saves flipping them: sum (x + 128) * p = sum x * p + 128 * sum p, so
// those take col_const + 128 * sum p (SignedRowsConstants).
//
// The accumulators go through memory once (a tile store), get the
// remainder of weights beyond int8, the float requantization and the
// clamp, and are stored as bytes, a whole panel row (or 64 consecutive
// outputs of a layer of 8-24 channels) per narrowing. Where a float form
// is proven for the accumulators without the channels' constant terms
// (AmxForm), the epilogue never adds them: one vector instruction fewer per
// 16 outputs, a fifth of the epilogue's (every AMX layer of the uint8
// MobileNets, 25 of 34 of the int8 V2; the others' offsets would need more
// precision than a float has at the constants' scale). Channels the form
// does not cover (FloatRequantization::unproven) are requantized again in
// TFLite's integer arithmetic, constant term added.
// Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "kernels/optimized/gemm_vnni.h"

namespace edgetl::optimized {

// The channels' constant terms (n16 entries) for raw int8 rows.
std::vector<int32_t> SignedRowsConstants(const VnniConv& w);

// The float form GemmAmx takes: of the accumulators without the constant
// terms (without_constants), or else the layer's own (w.requant's as_float
// or partly_float, at most 1 in 32 channels unproven either way).
struct AmxForm {
  FloatRequantization f;
  bool without_constants = false;
};

// The AMX form of layer w (quantization q) with constant terms col_const
// (w.col_const, or SignedRowsConstants(w)); none where the CPU or OS lacks
// AMX or the layer has no float form (the VNNI GEMM then runs it). Where
// the form without constant terms fails and w was packed without its own
// (PackVnniConv's float_form false), proves that one into w->requant. The
// proofs run as tasks of `parallel`.
std::optional<AmxForm> MakeAmxForm(VnniConv* w, const reference::ConvQuant& q,
                                   const int32_t* col_const, const ParallelFor& parallel);

// out[r * ldc + c] for r < rows and channels of panels [p_begin, p_end):
// the requantized outputs for activation rows a + r * lda (k4 bytes each):
// u8 as GemmVnni takes them with col_const = w.col_const, or
// (`signed_rows`) raw int8 bytes of a layer with no weights beyond int8
// with col_const = SignedRowsConstants(w); `form` is MakeAmxForm's for
// those constants. Runs on the calling thread, configuring and releasing
// its tile registers.
template <typename T>
void GemmAmx(const VnniConv& w, const AmxForm& form, const int32_t* col_const, const uint8_t* a,
             size_t lda, bool signed_rows, int rows, int p_begin, int p_end, T* out, size_t ldc);

}  // namespace edgetl::optimized
