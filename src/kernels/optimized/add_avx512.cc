#include "kernels/optimized/add_avx512.h"

#include <algorithm>
#include <cmath>

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

#if EDGETL_HAVE_VNNI_CODE
namespace {

// The one-step constants of the op's three rescalings, the same for all 16
// lanes. The inputs' right shifts may exceed kMaxOneStepRightShift: their
// products are below 2^60 (|x| < 2^29 after the left shift) and carry no
// offset.
struct AddConstants {
  OneStepConstants input1, input2, output;
  bool one_step_output = false;  // the output's right shift allows the one-step form
};
OneStepConstants Uniform(int32_t multiplier, int shift, int32_t output_offset) {
  int32_t m[16], e[16];
  std::fill(m, m + 16, multiplier);
  std::fill(e, e + 16, -shift);
  return MakeOneStepConstants(m, e, output_offset);
}
AddConstants MakeAddConstants(const reference::AddQuant& q) {
  const bool one_step_output = -q.output_shift <= kMaxOneStepRightShift;
  return {.input1 = Uniform(q.input1_multiplier, q.input1_shift, 0),
          .input2 = Uniform(q.input2_multiplier, q.input2_shift, 0),
          .output = one_step_output ? Uniform(q.output_multiplier, q.output_shift, q.output_offset)
                                    : OneStepConstants{},
          .one_step_output = one_step_output};
}

// TensorFlow Lite's quantized ADD/SUB: both inputs rescaled to a common
// scale (offset added, shifted left, multiplied down), summed, rescaled to
// the output, each in the exact one-step form where it applies.
template <typename T, bool kSub>
EDGETL_VNNI_TARGET void Add(const reference::AddQuant& p, const AddConstants& constants, const T* x,
                            const T* y, T* out, size_t n) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i off1 = _mm512_set1_epi32(p.input1_offset),
                off2 = _mm512_set1_epi32(p.input2_offset);
  const __m512i left = _mm512_set1_epi32(p.left_shift);
  const __m512i m1 = _mm512_set1_epi32(p.input1_multiplier),
                m2 = _mm512_set1_epi32(p.input2_multiplier),
                mo = _mm512_set1_epi32(p.output_multiplier);
  const OneStep16 k1 = LoadOneStep(constants.input1), k2 = LoadOneStep(constants.input2),
                  ko = LoadOneStep(constants.output);
  const bool one_step_out = constants.one_step_output;
  const __m512i so = _mm512_set1_epi32(-p.output_shift);
  const __m512i out_offset = _mm512_set1_epi32(p.output_offset);
  const __m512i lo = _mm512_set1_epi32(p.act_min), hi = _mm512_set1_epi32(p.act_max);
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = FirstLanes16(n - i);
    const __m512i a = _mm512_sllv_epi32(_mm512_add_epi32(Load16(x + i, m), off1), left);
    const __m512i b = _mm512_sllv_epi32(_mm512_add_epi32(Load16(y + i, m), off2), left);
    const __m512i sa = RequantizeOneStep16<false, true>(a, m1, zero, k1);
    const __m512i sb = RequantizeOneStep16<false, true>(b, m2, zero, k2);
    const __m512i sum = kSub ? _mm512_sub_epi32(sa, sb) : _mm512_add_epi32(sa, sb);
    const __m512i r = one_step_out
                          ? RequantizeOneStep16Clamped<false, true>(sum, mo, zero, ko, lo, hi)
                          : Requantize16<false>(sum, mo, zero, so, out_offset, lo, hi);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, m, r);
  }
}

// The table's bytes of x and y: uint8 as they are, int8 flipped.
template <typename T>
EDGETL_VNNI_TARGET inline __m512i TableIndexBytes(const T* p, __mmask16 m) {
  const __m128i flip = _mm_set1_epi8(std::is_same_v<T, int8_t> ? static_cast<char>(0x80) : 0);
  return _mm512_cvtepu8_epi32(_mm_xor_si128(_mm_maskz_loadu_epi8(m, p), flip));
}

template <typename T>
EDGETL_VNNI_TARGET void AddByTable(const uint8_t* table, const T* x, const T* y, T* out, size_t n) {
  for (size_t i = 0; i < n; i += 16) {
    const __mmask16 m = FirstLanes16(n - i);
    const __m512i index = _mm512_add_epi32(_mm512_slli_epi32(TableIndexBytes(x + i, m), 8),
                                           TableIndexBytes(y + i, m));
    // 4 bytes from each index; the low one is the output.
    const __m512i v = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), m, index, table, 1);
    _mm512_mask_cvtepi32_storeu_epi8(out + i, m, v);
  }
}

// 16 input bytes as floats.
template <typename T>
EDGETL_VNNI_TARGET inline __m512 LoadFloats16(const T* p) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm512_cvtepi32_ps(std::is_same_v<T, uint8_t> ? _mm512_cvtepu8_epi32(bytes)
                                                       : _mm512_cvtepi8_epi32(bytes));
}

// 64 outputs by the float form (AddFloatForm); *near gets the lanes whose t
// lies near an integer, for the table (kNear: the form has such lanes;
// most layers have none, and skip the check).
template <typename T, bool kNear>
EDGETL_VNNI_TARGET inline __m512i AddFloat64(const AddFloatForm& f, const Narrowing& narrowing,
                                             const T* x, const T* y, uint64_t* near) {
  constexpr int kDown = _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC;
  // The FMAs round to nearest, as the form was proven, whatever the
  // caller's mode (MXCSR).
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512 a = _mm512_set1_ps(f.a), b = _mm512_set1_ps(f.b), c = _mm512_set1_ps(f.c);
  const __m512 limit = _mm512_set1_ps(f.near);
  __m512i v[4];
  uint64_t lanes = 0;
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 t = _mm512_fmadd_round_ps(
        LoadFloats16(x + 16 * j), a,
        _mm512_fmadd_round_ps(LoadFloats16(y + 16 * j), b, c, kNearest), kNearest);
    v[j] = _mm512_cvt_roundps_epi32(t, kDown);
    if constexpr (!kNear) continue;
    const __m512 from_integer =
        _mm512_sub_ps(t, _mm512_roundscale_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    lanes |= uint64_t{_mm512_cmp_ps_mask(_mm512_abs_ps(from_integer), limit, _CMP_LT_OQ)}
             << (16 * j);
  }
  *near = lanes;
  return Narrow<T>(narrowing, v[0], v[1], v[2], v[3]);
}

// The table's outputs for the lanes of `lanes`.
template <typename T>
inline void FromTable(const uint8_t* table, const T* x, const T* y, T* out, uint64_t lanes) {
  for (; lanes != 0; lanes &= lanes - 1) {
    const int i = __builtin_ctzll(lanes);
    out[i] = static_cast<T>(table[TableIndex(x[i]) * 256 + TableIndex(y[i])]);
  }
}

template <typename T, bool kNear>
EDGETL_VNNI_TARGET void AddByFloat(const AddFloatForm& f, const uint8_t* table, const T* x,
                                   const T* y, T* out, size_t n) {
  const Narrowing narrowing = MakeNarrowing(true, -f.bias, f.act_min, f.act_max);
  size_t i = 0;
  uint64_t near = 0;
  for (; i + 64 <= n; i += 64) {
    _mm512_storeu_si512(out + i, AddFloat64<T, kNear>(f, narrowing, x + i, y + i, &near));
    if (kNear) FromTable(table, x + i, y + i, out + i, near);
  }
  if (i == n) return;
  // The last 1-63 values through 64-byte copies.
  alignas(64) T xs[64] = {}, ys[64] = {};
  std::copy(x + i, x + n, xs);
  std::copy(y + i, y + n, ys);
  const __mmask64 tail = FirstLanes64(static_cast<int64_t>(n - i));
  _mm512_mask_storeu_epi8(out + i, tail, AddFloat64<T, kNear>(f, narrowing, xs, ys, &near));
  if (kNear) FromTable(table, xs, ys, out + i, near & tail);
}

}  // namespace

template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant& q) {
  const AddConstants constants = MakeAddConstants(q);
  std::vector<uint8_t> table = TabulateAddWith<T>(
      [&](const T* x, const T* y, T* out, size_t n) { Add<T, kSub>(q, constants, x, y, out, n); });
  table.resize(table.size() + 3, 0);
  return table;
}

template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n) {
  AddByTable(table.data(), x, y, out, n);
}

template <typename T>
void AddByFloatAvx512(const AddFloatForm& f, const std::vector<uint8_t>& table, const T* x,
                      const T* y, T* out, size_t n) {
  if (f.near > 0) {
    AddByFloat<T, true>(f, table.data(), x, y, out, n);
  } else {
    AddByFloat<T, false>(f, table.data(), x, y, out, n);
  }
}
#else
// Never called: HasAvx512Vnni() is false where this code is not built.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant&) {
  return {};
}
template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>&, const T*, const T*, T*, size_t) {}
template <typename T>
void AddByFloatAvx512(const AddFloatForm&, const std::vector<uint8_t>&, const T*, const T*, T*,
                      size_t) {}
#endif

template std::vector<uint8_t> TabulateAddAvx512<uint8_t, false>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<uint8_t, true>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<int8_t, false>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<int8_t, true>(const reference::AddQuant&);
template void AddByTableAvx512<uint8_t>(const std::vector<uint8_t>&, const uint8_t*, const uint8_t*,
                                        uint8_t*, size_t);
template void AddByTableAvx512<int8_t>(const std::vector<uint8_t>&, const int8_t*, const int8_t*,
                                       int8_t*, size_t);
template void AddByFloatAvx512<uint8_t>(const AddFloatForm&, const std::vector<uint8_t>&,
                                        const uint8_t*, const uint8_t*, uint8_t*, size_t);
template void AddByFloatAvx512<int8_t>(const AddFloatForm&, const std::vector<uint8_t>&,
                                       const int8_t*, const int8_t*, int8_t*, size_t);

}  // namespace edgetl::optimized
