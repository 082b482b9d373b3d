#include "kernels/optimized/add_avx512.h"

#include <algorithm>

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

}  // namespace

template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant& q) {
  const AddConstants constants = MakeAddConstants(q);
  // Row x of the table: x against every y, through the arithmetic.
  T xs[256], ys[256], row[256];
  for (int b = 0; b < 256; ++b) {
    ys[b] = static_cast<T>(std::is_same_v<T, int8_t> ? b ^ 0x80 : b);
  }
  std::vector<uint8_t> table(256 * 256 + 3, 0);
  for (int a = 0; a < 256; ++a) {
    std::fill(xs, xs + 256, ys[a]);
    Add<T, kSub>(q, constants, xs, ys, row, 256);
    std::copy(row, row + 256, reinterpret_cast<T*>(table.data() + a * 256));
  }
  return table;
}

template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n) {
  AddByTable(table.data(), x, y, out, n);
}
#else
// Never called: HasAvx512Vnni() is false where this code is not built.
template <typename T, bool kSub>
std::vector<uint8_t> TabulateAddAvx512(const reference::AddQuant&) {
  return {};
}
template <typename T>
void AddByTableAvx512(const std::vector<uint8_t>&, const T*, const T*, T*, size_t) {}
#endif

template std::vector<uint8_t> TabulateAddAvx512<uint8_t, false>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<uint8_t, true>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<int8_t, false>(const reference::AddQuant&);
template std::vector<uint8_t> TabulateAddAvx512<int8_t, true>(const reference::AddQuant&);
template void AddByTableAvx512<uint8_t>(const std::vector<uint8_t>&, const uint8_t*, const uint8_t*,
                                        uint8_t*, size_t);
template void AddByTableAvx512<int8_t>(const std::vector<uint8_t>&, const int8_t*, const int8_t*,
                                       int8_t*, size_t);

}  // namespace edgetl::optimized
