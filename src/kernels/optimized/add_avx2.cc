#include "kernels/optimized/add_avx2.h"

#include <algorithm>
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

// TFLite's arithmetic on 8 lanes, its three rescalings loaded once.
struct Exact8 {
  Requant8 input1, input2, output;

  EDGETL_AVX2_TARGET explicit Exact8(const AddAvx2& p)
      : input1(Requant8::Load(p.input1, 0)),
        input2(Requant8::Load(p.input2, 0)),
        output(Requant8::Load(p.output, 0)) {}

  template <typename T, bool kSub>
  EDGETL_AVX2_TARGET __m256i Apply(const T* x, const T* y) const {
    const __m256i a = input1.Apply(Load8(x)), b = input2.Apply(Load8(y));
    return output.Apply(kSub ? _mm256_sub_epi32(a, b) : _mm256_add_epi32(a, b));
  }
};

template <typename T, bool kSub>
EDGETL_AVX2_TARGET void Add8s(const AddAvx2& p, const reference::AddQuant& q, const T* x,
                              const T* y, T* out, size_t n) {
  const Exact8 exact(p);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) Store8(exact.Apply<T, kSub>(x + i, y + i), out + i, 8);
  for (; i < n; ++i) out[i] = reference::AddOne<T, kSub>(q, x[i], y[i]);
}

// The float form's constants in vectors.
struct Float8 {
  __m256 a, b, c, near, magnitude;
  __m256i bias, act_min, act_max;

  EDGETL_AVX2_TARGET explicit Float8(const AddFloatForm& f)
      : a(_mm256_set1_ps(f.a)),
        b(_mm256_set1_ps(f.b)),
        c(_mm256_set1_ps(f.c)),
        near(_mm256_set1_ps(f.near)),
        magnitude(_mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff))),
        bias(_mm256_set1_epi32(f.bias)),
        act_min(_mm256_set1_epi32(f.act_min)),
        act_max(_mm256_set1_epi32(f.act_max)) {}
};

// 8 outputs by the float form, clamped, as int32 lanes; kNear (the form
// has lanes near a rounding step): those lanes by `exact` instead.
template <typename T, bool kSub, bool kNear>
EDGETL_AVX2_TARGET inline __m256i AddFloat8(const Float8& f, const Exact8& exact, const T* x,
                                            const T* y) {
  const __m256 t = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Load8(x)), f.a,
                                   _mm256_fmadd_ps(_mm256_cvtepi32_ps(Load8(y)), f.b, f.c));
  __m256i v = _mm256_sub_epi32(_mm256_cvttps_epi32(_mm256_floor_ps(t)), f.bias);
  v = _mm256_min_epi32(_mm256_max_epi32(v, f.act_min), f.act_max);
  if constexpr (kNear) {
    const __m256 from_integer =
        _mm256_sub_ps(t, _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    const __m256 is_near =
        _mm256_cmp_ps(_mm256_and_ps(from_integer, f.magnitude), f.near, _CMP_LT_OQ);
    if (_mm256_movemask_ps(is_near) != 0) {
      v = _mm256_blendv_epi8(v, exact.Apply<T, kSub>(x, y), _mm256_castps_si256(is_near));
    }
  }
  return v;
}

template <typename T, bool kSub, bool kNear>
EDGETL_AVX2_TARGET void AddByFloat(const AddFloatForm& form, const AddAvx2& p, const T* x,
                                   const T* y, T* out, size_t n) {
  // The form was proven in round-to-nearest; the caller's mode may differ.
  const RoundNearestScope nearest;
  const Float8 f(form);
  const Exact8 exact(p);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    Store16(AddFloat8<T, kSub, kNear>(f, exact, x + i, y + i),
            AddFloat8<T, kSub, kNear>(f, exact, x + i + 8, y + i + 8), out + i);
  }
  for (; i < n; i += 8) {
    // The last 1-15 values through 8-byte copies.
    const int count = static_cast<int>(std::min<size_t>(8, n - i));
    T xs[8] = {}, ys[8] = {};
    std::copy_n(x + i, count, xs);
    std::copy_n(y + i, count, ys);
    Store8(AddFloat8<T, kSub, kNear>(f, exact, xs, ys), out + i, count);
  }
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

template <typename T, bool kSub>
std::optional<AddFloatForm> ProveAddFloatFormAvx2(const AddAvx2& p, const reference::AddQuant& q) {
#if EDGETL_HAVE_AVX2_CODE
  const std::vector<uint8_t> table = TabulateAddWith<T>(
      [&](const T* x, const T* y, T* out, size_t n) { Add8s<T, kSub>(p, q, x, y, out, n); });
  return ProveAddFloatForm<T, kSub>(q, table);
#else
  (void)p, (void)q;
  return std::nullopt;
#endif
}

template <typename T, bool kSub>
void AddByFloatAvx2(const AddFloatForm& f, const AddAvx2& p, const T* x, const T* y, T* out,
                    size_t n) {
#if EDGETL_HAVE_AVX2_CODE
  if (f.near > 0) {
    AddByFloat<T, kSub, true>(f, p, x, y, out, n);
  } else {
    AddByFloat<T, kSub, false>(f, p, x, y, out, n);
  }
#else
  (void)f, (void)p, (void)x, (void)y, (void)out, (void)n;
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
template std::optional<AddFloatForm> ProveAddFloatFormAvx2<uint8_t, false>(
    const AddAvx2&, const reference::AddQuant&);
template void AddByFloatAvx2<uint8_t, false>(const AddFloatForm&, const AddAvx2&, const uint8_t*,
                                             const uint8_t*, uint8_t*, size_t);
template std::optional<AddFloatForm> ProveAddFloatFormAvx2<uint8_t, true>(
    const AddAvx2&, const reference::AddQuant&);
template void AddByFloatAvx2<uint8_t, true>(const AddFloatForm&, const AddAvx2&, const uint8_t*,
                                            const uint8_t*, uint8_t*, size_t);
template std::optional<AddFloatForm> ProveAddFloatFormAvx2<int8_t, false>(
    const AddAvx2&, const reference::AddQuant&);
template void AddByFloatAvx2<int8_t, false>(const AddFloatForm&, const AddAvx2&, const int8_t*,
                                            const int8_t*, int8_t*, size_t);
template std::optional<AddFloatForm> ProveAddFloatFormAvx2<int8_t, true>(
    const AddAvx2&, const reference::AddQuant&);
template void AddByFloatAvx2<int8_t, true>(const AddFloatForm&, const AddAvx2&, const int8_t*,
                                           const int8_t*, int8_t*, size_t);

}  // namespace edgetl::optimized
