// Stands in for <immintrin.h> in the emulated build of run.sh: SIMDe's
// portable AVX-512 (Debian's libsimde-dev) under the native names, plus what
// SIMDe 0.7.4 lacks or gets wrong, written here lane by lane, so that the
// AVX-512 VNNI kernels run on a CPU without AVX-512. Never part of the
// library build.
#pragma once
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <simde/x86/fma.h>

#ifndef _MM_FROUND_NO_EXC
#define _MM_FROUND_NO_EXC SIMDE_MM_FROUND_NO_EXC
#endif
#ifndef _MM_FROUND_TO_ZERO
#define _MM_FROUND_TO_ZERO SIMDE_MM_FROUND_TO_ZERO
#endif
#ifndef _MM_FROUND_CUR_DIRECTION
#define _MM_FROUND_CUR_DIRECTION SIMDE_MM_FROUND_CUR_DIRECTION
#endif
typedef simde__mmask8 __mmask8;
typedef simde__mmask16 __mmask16;
typedef simde__mmask32 __mmask32;
typedef simde__mmask64 __mmask64;

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace emu {
template <typename T, int N>
struct L {
  T v[N];
};
template <typename T, int N, typename V>
inline L<T, N> Get(const V& x) {
  static_assert(sizeof(V) == sizeof(T) * N);
  L<T, N> l;
  std::memcpy(l.v, &x, sizeof(V));
  return l;
}
template <typename V, typename T, int N>
inline V Put(const L<T, N>& l) {
  static_assert(sizeof(V) == sizeof(T) * N);
  V x;
  std::memcpy(&x, l.v, sizeof(V));
  return x;
}
inline int Mode(int r) {
  switch (r & 3) {
    case 0:
      return FE_TONEAREST;
    case 1:
      return FE_DOWNWARD;
    case 2:
      return FE_UPWARD;
    default:
      return FE_TOWARDZERO;
  }
}
struct RoundScope {
  int saved;
  explicit RoundScope(int r) : saved(std::fegetround()) {
    if (!(r & 4)) std::fesetround(Mode(r));  // 4: _MM_FROUND_CUR_DIRECTION
  }
  ~RoundScope() { std::fesetround(saved); }
};
inline int32_t CvtF(float f) {
  if (std::isnan(f) || f >= 2147483648.0f || f < -2147483648.0f) return INT32_MIN;
  return static_cast<int32_t>(std::nearbyint(f));
}
}  // namespace emu

// Masked byte loads and stores.
#define EMU_MASK_LOAD(name, V, K, N, zero)                                       \
  inline V name(V src, K k, const void* p) {                                     \
    auto s = emu::Get<int8_t, N>(src);                                           \
    const int8_t* b = static_cast<const int8_t*>(p);                             \
    for (int i = 0; i < N; ++i) s.v[i] = (uint64_t{k} >> i) & 1 ? b[i] : s.v[i]; \
    return emu::Put<V>(s);                                                       \
  }                                                                              \
  inline V name##_z(K k, const void* p) { return name(zero, k, p); }
EMU_MASK_LOAD(_mm_mask_loadu_epi8, __m128i, __mmask16, 16, _mm_setzero_si128())
EMU_MASK_LOAD(_mm256_mask_loadu_epi8, __m256i, __mmask32, 32, _mm256_setzero_si256())
EMU_MASK_LOAD(_mm512_mask_loadu_epi8, __m512i, __mmask64, 64, _mm512_setzero_si512())
#define _mm_maskz_loadu_epi8 _mm_mask_loadu_epi8_z
#define _mm256_maskz_loadu_epi8 _mm256_mask_loadu_epi8_z
#define _mm512_maskz_loadu_epi8 _mm512_mask_loadu_epi8_z

inline __m512 _mm512_maskz_loadu_ps(__mmask16 k, const void* p) {
  emu::L<float, 16> r{};
  const float* f = static_cast<const float*>(p);
  for (int i = 0; i < 16; ++i) r.v[i] = (k >> i) & 1 ? f[i] : 0.0f;
  return emu::Put<__m512>(r);
}
inline void _mm_mask_storeu_epi8(void* p, __mmask16 k, __m128i a) {
  auto s = emu::Get<int8_t, 16>(a);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1) static_cast<int8_t*>(p)[i] = s.v[i];
}
inline void _mm512_mask_storeu_epi8(void* p, __mmask64 k, __m512i a) {
  auto s = emu::Get<int8_t, 64>(a);
  for (int i = 0; i < 64; ++i)
    if ((k >> i) & 1) static_cast<int8_t*>(p)[i] = s.v[i];
}
inline void _mm512_mask_cvtepi32_storeu_epi8(void* p, __mmask16 k, __m512i a) {
  auto s = emu::Get<int32_t, 16>(a);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1) static_cast<int8_t*>(p)[i] = static_cast<int8_t>(s.v[i]);
}
inline void _mm512_mask_cvtsepi16_storeu_epi8(void* p, __mmask32 k, __m512i a) {
  auto s = emu::Get<int16_t, 32>(a);
  for (int i = 0; i < 32; ++i)
    if ((k >> i) & 1)
      static_cast<int8_t*>(p)[i] = static_cast<int8_t>(s.v[i] < -128  ? -128
                                                       : s.v[i] > 127 ? 127
                                                                      : s.v[i]);
}
inline void _mm512_mask_cvtusepi16_storeu_epi8(void* p, __mmask32 k, __m512i a) {
  auto s = emu::Get<uint16_t, 32>(a);
  for (int i = 0; i < 32; ++i)
    if ((k >> i) & 1)
      static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(s.v[i] > 255 ? 255 : s.v[i]);
}

// Compares into masks.
inline __mmask16 _mm512_cmplt_epi32_mask(__m512i a, __m512i b) {
  auto x = emu::Get<int32_t, 16>(a), y = emu::Get<int32_t, 16>(b);
  __mmask16 k = 0;
  for (int i = 0; i < 16; ++i) k |= static_cast<__mmask16>((x.v[i] < y.v[i]) << i);
  return k;
}
inline __mmask8 _mm512_cmplt_epi64_mask(__m512i a, __m512i b) {
  auto x = emu::Get<int64_t, 8>(a), y = emu::Get<int64_t, 8>(b);
  __mmask8 k = 0;
  for (int i = 0; i < 8; ++i) k |= static_cast<__mmask8>((x.v[i] < y.v[i]) << i);
  return k;
}

// Conversions.
inline __m512 _mm512_cvtepi32_ps(__m512i a) {
  auto x = emu::Get<int32_t, 16>(a);
  emu::L<float, 16> r;
  for (int i = 0; i < 16; ++i) r.v[i] = static_cast<float>(x.v[i]);  // current rounding
  return emu::Put<__m512>(r);
}
inline __m512i _mm512_cvttps_epi32(__m512 a) {
  auto x = emu::Get<float, 16>(a);
  emu::L<int32_t, 16> r;
  for (int i = 0; i < 16; ++i) r.v[i] = emu::CvtF(std::trunc(x.v[i]));
  return emu::Put<__m512i>(r);
}
inline __m512i _mm512_cvt_roundps_epi32(__m512 a, int rounding) {
  emu::RoundScope scope(rounding);
  auto x = emu::Get<float, 16>(a);
  emu::L<int32_t, 16> r;
  for (int i = 0; i < 16; ++i) r.v[i] = emu::CvtF(x.v[i]);
  return emu::Put<__m512i>(r);
}
inline __m512 _mm512_fmadd_round_ps(__m512 a, __m512 b, __m512 c, int rounding) {
  emu::RoundScope scope(rounding);
  auto x = emu::Get<float, 16>(a), y = emu::Get<float, 16>(b), z = emu::Get<float, 16>(c);
  emu::L<float, 16> r;
  for (int i = 0; i < 16; ++i) r.v[i] = std::fmaf(x.v[i], y.v[i], z.v[i]);
  return emu::Put<__m512>(r);
}
#define EMU_WIDEN(name, From, To, V, N)          \
  inline __m512i name(V a) {                     \
    auto x = emu::Get<From, N>(a);               \
    emu::L<To, N> r;                             \
    for (int i = 0; i < N; ++i) r.v[i] = x.v[i]; \
    return emu::Put<__m512i>(r);                 \
  }
EMU_WIDEN(_mm512_cvtepi8_epi32, int8_t, int32_t, __m128i, 16)
EMU_WIDEN(_mm512_cvtepu8_epi32, uint8_t, int32_t, __m128i, 16)
EMU_WIDEN(_mm512_cvtepu8_epi16, uint8_t, int16_t, __m256i, 32)

// Shifts, shuffles, gathers.
inline __m512i _mm512_srai_epi32(__m512i a, unsigned n) {
  auto x = emu::Get<int32_t, 16>(a);
  for (int i = 0; i < 16; ++i) x.v[i] = x.v[i] >> (n > 31 ? 31 : n);
  return emu::Put<__m512i>(x);
}
inline __m512i _mm512_srav_epi32(__m512i a, __m512i c) {
  auto x = emu::Get<int32_t, 16>(a);
  auto s = emu::Get<uint32_t, 16>(c);
  for (int i = 0; i < 16; ++i) x.v[i] = x.v[i] >> (s.v[i] > 31 ? 31 : s.v[i]);
  return emu::Put<__m512i>(x);
}
inline __m512i _mm512_srav_epi64(__m512i a, __m512i c) {
  auto x = emu::Get<int64_t, 8>(a);
  auto s = emu::Get<uint64_t, 8>(c);
  for (int i = 0; i < 8; ++i) x.v[i] = x.v[i] >> (s.v[i] > 63 ? 63 : s.v[i]);
  return emu::Put<__m512i>(x);
}
inline __m512i _mm512_mask_shuffle_epi32(__m512i src, __mmask16 k, __m512i a, int imm) {
  auto x = emu::Get<int32_t, 16>(a);
  auto r = emu::Get<int32_t, 16>(src);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1) r.v[i] = x.v[(i & ~3) + ((imm >> (2 * (i & 3))) & 3)];
  return emu::Put<__m512i>(r);
}
inline __m512i _mm512_mask_i32gather_epi32(__m512i src, __mmask16 k, __m512i index,
                                           const void* base, int scale) {
  auto idx = emu::Get<int32_t, 16>(index);
  auto r = emu::Get<int32_t, 16>(src);
  for (int i = 0; i < 16; ++i)
    if ((k >> i) & 1)
      std::memcpy(&r.v[i], static_cast<const char*>(base) + int64_t{idx.v[i]} * scale, 4);
  return emu::Put<__m512i>(r);
}
inline __m512i _mm512_undefined_epi32() { return _mm512_setzero_si512(); }

// AMX: never called (HasAmxInt8() is false in this build).
#define _tile_loadconfig(p) std::abort()
#define _tile_release() std::abort()
#define _tile_zero(t) std::abort()
#define _tile_loadd(t, p, s) std::abort()
#define _tile_stored(t, p, s) std::abort()
#define _tile_dpbusd(a, b, c) std::abort()
#define _tile_dpbssd(a, b, c) std::abort()

#define _MM_PERM_CDAB 0xB1
#define _mm512_shuffle_i64x2(a, b, imm) simde_mm512_shuffle_i32x4(a, b, imm)
#define _mm512_shuffle_f32x4(a, b, imm) simde_mm512_shuffle_f32x4(a, b, imm)
// SIMDe 0.7.4's roundscale returns its input for these immediates.
#undef _mm512_roundscale_ps
inline __m512 _mm512_roundscale_ps(__m512 a, int imm) {
  if (imm >> 4) std::abort();  // a scale other than 2^0: not used
  emu::RoundScope scope(imm & 7);
  auto x = emu::Get<float, 16>(a);
  for (int i = 0; i < 16; ++i) x.v[i] = std::nearbyint(x.v[i]);
  return emu::Put<__m512>(x);
}
// run.sh generates this: SIMDe's function-like aliases turned variadic,
// since a template argument's comma splits a macro's arguments.
#include "variadic_aliases.h"
