#include "kernels/optimized/add_avx2.h"

#include <limits>

namespace edgetl::optimized {
namespace {

// A requantization with the same constants in its first 8 channels (as
// many as Requant8::Load reads).
Avx2Requantization Uniform(int32_t bias, int32_t multiplier, int left_shift, int shift,
                           int32_t output_offset, int32_t act_min, int32_t act_max) {
  Avx2Requantization r;
  r.bias.assign(8, bias);
  r.multiplier.assign(8, multiplier);
  r.left_shift.assign(8, left_shift);
  r.right_shift.assign(8, -shift);
  r.output_offset = output_offset;
  r.act_min = act_min;
  r.act_max = act_max;
  return r;
}

#if EDGETL_HAVE_AVX2_CODE

template <typename T>
EDGETL_AVX2_TARGET inline __m256i Load8(const T* src) {
  const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src));
  return std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi32(bytes) : _mm256_cvtepi8_epi32(bytes);
}

template <typename T, bool kSub>
EDGETL_AVX2_TARGET void Add8s(const AddAvx2& p, const reference::AddQuant& q, const T* x,
                              const T* y, T* out, size_t n) {
  const Requant8 input1 = Requant8::Load(p.input1, 0), input2 = Requant8::Load(p.input2, 0);
  const Requant8 output = Requant8::Load(p.output, 0);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i a = input1.Apply(Load8(x + i)), b = input2.Apply(Load8(y + i));
    Store8(output.Apply(kSub ? _mm256_sub_epi32(a, b) : _mm256_add_epi32(a, b)), out + i, 8);
  }
  for (; i < n; ++i) out[i] = reference::AddOne<T, kSub>(q, x[i], y[i]);
}

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace

AddAvx2 MakeAddAvx2(const reference::AddQuant& q) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  return AddAvx2{
      Uniform(q.input1_offset, q.input1_multiplier, q.left_shift, q.input1_shift, 0, kMin, kMax),
      Uniform(q.input2_offset, q.input2_multiplier, q.left_shift, q.input2_shift, 0, kMin, kMax),
      Uniform(0, q.output_multiplier, 0, q.output_shift, q.output_offset, q.act_min, q.act_max)};
}

template <typename T, bool kSub>
void AddByAvx2(const AddAvx2& p, const reference::AddQuant& q, const T* x, const T* y, T* out,
               size_t n) {
#if EDGETL_HAVE_AVX2_CODE
  Add8s<T, kSub>(p, q, x, y, out, n);
#else
  (void)p, (void)q, (void)x, (void)y, (void)out, (void)n;
#endif
}

template void AddByAvx2<uint8_t, false>(const AddAvx2&, const reference::AddQuant&, const uint8_t*,
                                        const uint8_t*, uint8_t*, size_t);
template void AddByAvx2<uint8_t, true>(const AddAvx2&, const reference::AddQuant&, const uint8_t*,
                                       const uint8_t*, uint8_t*, size_t);
template void AddByAvx2<int8_t, false>(const AddAvx2&, const reference::AddQuant&, const int8_t*,
                                       const int8_t*, int8_t*, size_t);
template void AddByAvx2<int8_t, true>(const AddAvx2&, const reference::AddQuant&, const int8_t*,
                                      const int8_t*, int8_t*, size_t);

}  // namespace edgetl::optimized
