// QUANTIZE on AVX-512 with the reference's arithmetic: from float, and
// between 8-bit types of equal scale (the uint8 <-> int8 shims at the ends
// of TF2 models). Internal header.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgetl::optimized {

// round(x / scale) (IEEE division, halves away from zero) plus the zero
// point, clamped to T (uint8_t or int8_t).
template <typename T>
void QuantizeFloatAvx512(const float* in, T* out, size_t n, float scale, int32_t zero_point);

// in + delta clamped to TOut, for 8-bit TIn and TOut.
template <typename TIn, typename TOut>
void ShiftZeroPointAvx512(const TIn* in, TOut* out, size_t n, int32_t delta);

}  // namespace edgetl::optimized
