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
// channels' constant term, the remainder of weights beyond int8, the float
// requantization and the clamp, and are stored as bytes, a whole panel row
// (or 64 consecutive outputs of a layer of 8-24 channels) per narrowing.
// Channels the float form does not cover (ChannelRequantization::
// partly_float) are requantized again in TFLite's integer arithmetic.
// Internal header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/optimized/gemm_vnni.h"

namespace edgetl::optimized {

// Whether GemmAmx can run layer w: the CPU and the OS allow AMX and the
// layer has the float requantization (as_float or partly_float).
bool AmxApplies(const VnniConv& w);

// The channels' constant terms (n16 entries) for raw int8 rows.
std::vector<int32_t> SignedRowsConstants(const VnniConv& w);

// out[r * ldc + c] for r < rows and channels of panels [p_begin, p_end):
// the requantized outputs for activation rows a + r * lda (k4 bytes each):
// u8 as GemmVnni takes them with col_const = w.col_const, or
// (`signed_rows`) raw int8 bytes of a layer with no weights beyond int8
// with col_const = SignedRowsConstants(w). Runs on the calling thread,
// configuring and releasing its tile registers.
template <typename T>
void GemmAmx(const VnniConv& w, const int32_t* col_const, const uint8_t* a, size_t lda,
             bool signed_rows, int rows, int p_begin, int p_end, T* out, size_t ldc);

}  // namespace edgetl::optimized
