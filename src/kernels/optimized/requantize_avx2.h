// AVX2 building blocks shared by the AVX2 kernels (gemm_avx2.h,
// depthwise_avx2.h, add_avx2.h): the target attribute, the per-channel
// requantization parameters, TensorFlow Lite's requantization on 8 lanes
// (integer and proven float forms, and the dispatch between them) and the
// narrowing stores (Avx2Narrowing, which adds the output offset and clamps
// as it narrows, for the conv kernels; Store8 and Store16 of lanes already
// clamped, for ADD). Internal header.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>
#include <vector>

#include "kernels/optimized/float_requantization.h"
#include "kernels/reference/conv.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EDGETL_HAVE_AVX2_CODE 1
#define EDGETL_AVX2_TARGET __attribute__((target("avx2,fma")))
#else
#define EDGETL_HAVE_AVX2_CODE 0
#endif

namespace edgetl::optimized {

// Per output channel, padded with zeros to a multiple of 16 (so every
// 8-channel vector of a 16-channel block loads whole): what the kernel's
// accumulator lacks of TFLite's (the bias, and any constant term the
// kernel folds out), and TFLite's multiplier with its exponent split into
// a left and a right shift. Plain C++.
struct Avx2Requantization {
  std::vector<int32_t> bias, multiplier, left_shift, right_shift;
  int32_t output_offset = 0, act_min = 0, act_max = 0;
  // The float form (float_requantization.h) of the kernel's accumulator,
  // the bias folded into its offsets, where every channel's accumulator
  // stays within +-2^24 (float(acc) is then exact under any rounding) and
  // some block of 16 channels has a proven form for each of its channels:
  // the kernels take it for those blocks (FloatAt), rounding toward minus
  // infinity throughout (RoundDownScope), and the integer form elsewhere.
  // A per-channel layer often has one channel in a few hundred without a
  // proven form (the int8 MobileNet V2: 20 of its 53 convolutions).
  std::optional<FloatRequantization> as_float;
  std::vector<uint8_t> float_blocks;  // per 16 channels, where as_float: 1 if proven

  // Whether channel c's block of 16 (c / 16) takes the float form.
  bool FloatAt(size_t c) const { return as_float && float_blocks[c / 16]; }
};

// `ranges` (TFLite's accumulator range per channel, bias included) allows
// the float form, its proofs run as tasks of `parallel`; null (or the
// environment variable EDGETL_NO_FLOAT_REQUANT=1): integer arithmetic only.
Avx2Requantization MakeAvx2Requantization(const reference::ConvQuant& q, const int32_t* bias,
                                          int channels, const AccumulatorRange* ranges = nullptr,
                                          const ParallelFor& parallel = {});

#if EDGETL_HAVE_AVX2_CODE

// TensorFlow Lite's requantization of 8 channels, its per-channel
// parameters loaded (and the derived ones computed) once, for kernels that
// apply it to many pixels: a store through T* may alias anything, so the
// compiler would reload them from the vectors after every output.
struct Requant8 {
  __m256i bias, mult, mult_odd, left_shift, right_shift, round_mask, half_mask;
  __m256i output_offset, act_min, act_max;

  // Channels [c, c + 8) of r (padded, so every 8-channel vector loads whole).
  EDGETL_AVX2_TARGET static Requant8 Load(const Avx2Requantization& r, size_t c) {
    Requant8 q;
    q.bias = LoadAt(r.bias, c);
    q.mult = LoadAt(r.multiplier, c);
    q.mult_odd = _mm256_srli_epi64(q.mult, 32);
    q.left_shift = LoadAt(r.left_shift, c);
    q.right_shift = LoadAt(r.right_shift, c);
    const __m256i one = _mm256_set1_epi32(1);
    q.round_mask = _mm256_sub_epi32(_mm256_sllv_epi32(one, q.right_shift), one);
    q.half_mask = _mm256_srai_epi32(q.round_mask, 1);
    q.output_offset = _mm256_set1_epi32(r.output_offset);
    q.act_min = _mm256_set1_epi32(r.act_min);
    q.act_max = _mm256_set1_epi32(r.act_max);
    return q;
  }

  // Accumulators (bias not yet added) to clamped outputs with the output
  // offset. MultiplyByQuantizedMultiplier is the same arithmetic as
  // MultiplyByQuantizedMultiplier16 (requantize_avx512.h, which explains
  // it): (x*m + 2^30) >> 31 per 64-bit product, then a rounding right shift
  // (half away from zero). Only bits 31..62 of each sum are kept, so
  // logical 64-bit shifts do (AVX2 has no arithmetic one).
  EDGETL_AVX2_TARGET __m256i Apply(__m256i acc) const {
    return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(Scaled(acc), output_offset), act_min),
                            act_max);
  }

  // Apply without the output offset and the clamp (Avx2Narrowing's part in
  // the conv kernels).
  EDGETL_AVX2_TARGET __m256i Scaled(__m256i acc) const {
    const __m256i x = _mm256_sllv_epi32(_mm256_add_epi32(acc, bias), left_shift);
    const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mult), nudge);
    const __m256i odd =
        _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mult_odd), nudge);
    const __m256i hi =
        _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
    const __m256i remainder = _mm256_and_si256(hi, round_mask);
    const __m256i threshold = _mm256_add_epi32(half_mask, _mm256_srli_epi32(hi, 31));
    // cmpgt is -1 where the quotient rounds away from zero.
    return _mm256_sub_epi32(_mm256_srav_epi32(hi, right_shift),
                            _mm256_cmpgt_epi32(remainder, threshold));
  }

 private:
  EDGETL_AVX2_TARGET static __m256i LoadAt(const std::vector<int32_t>& v, size_t c) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v.data() + c));
  }
};

// The float form of 8 channels (Avx2Requantization::as_float), loaded
// once as Requant8: floor(float(acc) * scale + offset), with offset_below
// for accumulators below the split where the form has two pieces
// (kTwoPieces); the output offset and the clamp are Avx2Narrowing's. Correct
// only inside a RoundDownScope.
template <bool kTwoPieces>
struct FloatRequant8 {
  __m256 scale, offset, offset_below;
  __m256i split;

  EDGETL_AVX2_TARGET static FloatRequant8 Load(const Avx2Requantization& r, size_t c) {
    const FloatRequantization& f = *r.as_float;
    FloatRequant8 q;
    q.scale = _mm256_loadu_ps(f.scale.data() + c);
    q.offset = _mm256_loadu_ps(f.offset.data() + c);
    q.offset_below = _mm256_loadu_ps(f.offset_below.data() + c);
    q.split = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(f.split.data() + c));
    return q;
  }

  EDGETL_AVX2_TARGET __m256i Scaled(__m256i acc) const {
    __m256 c = offset;
    if constexpr (kTwoPieces) {
      c = _mm256_blendv_ps(offset, offset_below,
                           _mm256_castsi256_ps(_mm256_cmpgt_epi32(split, acc)));
    }
    return _mm256_cvtps_epi32(_mm256_fmadd_ps(_mm256_cvtepi32_ps(acc), scale, c));
  }
};

// Stores the first `count` (<= 8) bytes of `bytes` as T.
template <typename T>
EDGETL_AVX2_TARGET inline void StoreFirst(__m128i bytes, T* out, int count) {
  if (count == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), bytes);
  } else {
    alignas(16) T all[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(all), bytes);
    std::memcpy(out, all, count);
  }
}

// The layer-wide end of the conv kernels' requantization, after the
// per-channel Scaled: the output offset and the activation clamp, applied
// to narrowed vectors (16 or 32 values an instruction, not 8), as on
// AVX-512 (requantize_avx512.h's Narrowing). int32 to int16 (saturating),
// plus the offset (saturating), to T (saturating), clamped to [act_min,
// act_max]: the same bytes as clamping q + offset, since each saturation
// moves only values already past T's range, toward the end the clamp
// would take them to. Where the clamp is all of [offset, offset + 255]
// (ReLU6 layers whose range the activation fills: uint8 offset 0, int8
// -128), the unsigned saturating pack is the whole clamp and the offset
// nothing or a flip of the sign bit.
template <typename T, bool kFullRange>
struct Avx2Narrowing {
  __m256i offset, act_min, act_max;

  // Whether r's clamp is all of [offset, offset + 255] (kFullRange).
  static bool FullRange(const Avx2Requantization& r) {
    return r.act_min == r.output_offset && r.act_max == r.output_offset + 255;
  }

  EDGETL_AVX2_TARGET static Avx2Narrowing Load(const Avx2Requantization& r) {
    return {_mm256_set1_epi16(static_cast<int16_t>(r.output_offset)),
            _mm256_set1_epi8(static_cast<char>(r.act_min)),
            _mm256_set1_epi8(static_cast<char>(r.act_max))};
  }

  // packs_epi32's lane order: a 0-3, b 0-3 | a 4-7, b 4-7, offset added.
  EDGETL_AVX2_TARGET __m256i Words(__m256i a, __m256i b) const {
    const __m256i words = _mm256_packs_epi32(a, b);
    return kFullRange ? words : _mm256_adds_epi16(words, offset);
  }

  // The bytes of two Words vectors (packs' lane order again), clamped.
  EDGETL_AVX2_TARGET __m256i Bytes(__m256i words_a, __m256i words_b) const {
    if constexpr (kFullRange) {
      const __m256i bytes = _mm256_packus_epi16(words_a, words_b);
      if constexpr (std::is_same_v<T, int8_t>) {
        return _mm256_xor_si256(bytes, _mm256_set1_epi8(static_cast<char>(0x80)));
      }
      return bytes;
    }
    if constexpr (std::is_same_v<T, uint8_t>) {
      return _mm256_min_epu8(_mm256_max_epu8(_mm256_packus_epi16(words_a, words_b), act_min),
                             act_max);
    } else {
      return _mm256_min_epi8(_mm256_max_epi8(_mm256_packs_epi16(words_a, words_b), act_min),
                             act_max);
    }
  }

  // Channels [c, c + 16) of two pixels, as two Scaled vectors of 8 each
  // (lo, hi), to out0 and out1.
  EDGETL_AVX2_TARGET void Store16x2(__m256i lo0, __m256i hi0, __m256i lo1, __m256i hi1, T* out0,
                                    T* out1) const {
    // Dwords of the bytes: pixel 0's lo 0-3, hi 0-3, pixel 1's lo 0-3,
    // hi 0-3 | the same for 4-7.
    const __m256i bytes = _mm256_permutevar8x32_epi32(Bytes(Words(lo0, hi0), Words(lo1, hi1)),
                                                      _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out0), _mm256_castsi256_si128(bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out1), _mm256_extracti128_si256(bytes, 1));
  }

  // Channels [c, c + 16) of one pixel.
  EDGETL_AVX2_TARGET void Store16(__m256i lo, __m256i hi, T* out) const {
    const __m256i words = Words(lo, hi);
    const __m256i bytes =
        _mm256_permutevar8x32_epi32(Bytes(words, words), _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
  }

  // The first `count` (<= 8) channels of one Scaled vector.
  EDGETL_AVX2_TARGET void Store8(__m256i v, T* out, int count) const {
    // Words(v, v): v 0-3 twice | v 4-7 twice; Bytes repeats each lane's
    // words, so dwords 0 and 4 hold the 8 bytes in channel order.
    const __m256i words = Words(v, v);
    const __m256i bytes = Bytes(words, words);
    StoreFirst(
        _mm_unpacklo_epi32(_mm256_castsi256_si128(bytes), _mm256_extracti128_si256(bytes, 1)), out,
        count);
  }
};

// Sets this thread's float rounding (MXCSR) to kMode for its lifetime:
// toward minus infinity for the float requantization's multiply-add and
// conversion, to nearest for the ADD's float form (add_float_form.h),
// whichever mode the caller left. AVX2 has no per-instruction rounding
// (AVX-512's embedded rounding).
template <unsigned kMode>
class RoundingScope {
 public:
  EDGETL_AVX2_TARGET RoundingScope() : saved_(_mm_getcsr()) {
    _mm_setcsr((saved_ & ~_MM_ROUND_MASK) | kMode);
  }
  EDGETL_AVX2_TARGET ~RoundingScope() { _mm_setcsr(saved_); }
  RoundingScope(const RoundingScope&) = delete;
  RoundingScope& operator=(const RoundingScope&) = delete;

 private:
  unsigned saved_;
};
using RoundDownScope = RoundingScope<_MM_ROUND_DOWN>;
using RoundNearestScope = RoundingScope<_MM_ROUND_NEAREST>;

// Stores the first `count` (<= 8) of 8 clamped lanes as T.
template <typename T>
EDGETL_AVX2_TARGET inline void Store8(__m256i v, T* out, int count) {
  const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  StoreFirst(
      std::is_same_v<T, uint8_t> ? _mm_packus_epi16(words, words) : _mm_packs_epi16(words, words),
      out, count);
}

// Channels [c, c + 16) of one pixel, as two vectors of 8 (lo, hi),
// narrowed (saturating) to T.
template <typename T>
EDGETL_AVX2_TARGET inline void Store16(__m256i lo, __m256i hi, T* out) {
  // packs interleave within 128-bit lanes: words are lo 0-3, hi 0-3 | lo
  // 4-7, hi 4-7, and the bytes repeat each lane's 8 twice; dwords 0, 4, 1,
  // 5 are the 16 in channel order.
  const __m256i words = _mm256_packs_epi32(lo, hi);
  const __m256i bytes = std::is_same_v<T, uint8_t> ? _mm256_packus_epi16(words, words)
                                                   : _mm256_packs_epi16(words, words);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out),
                   _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, order)));
}

// Calls fn.template operator()<Float, Narrowing>() with the float
// requantization that suits r (a FloatRequant8, inside a RoundDownScope),
// or Requant8 where r has no float form, and r's Avx2Narrowing for outputs
// of type T: the kernel takes Float for the blocks where r.FloatAt and
// Requant8 elsewhere (WithBlockRequantization).
template <typename T, typename Fn>
EDGETL_AVX2_TARGET void WithRequantization(const Avx2Requantization& r, Fn&& fn) {
  auto with_narrowing = [&]<typename Float>() {
    if (Avx2Narrowing<T, true>::FullRange(r)) {
      fn.template operator()<Float, Avx2Narrowing<T, true>>();
    } else {
      fn.template operator()<Float, Avx2Narrowing<T, false>>();
    }
  };
  if (!r.as_float) {
    with_narrowing.template operator()<Requant8>();
    return;
  }
  const RoundDownScope round_down;
  if (r.as_float->two_pieces) {
    with_narrowing.template operator()<FloatRequant8<true>>();
  } else {
    with_narrowing.template operator()<FloatRequant8<false>>();
  }
}

// Calls fn.template operator()<Requant>() with the requantization of
// channel c's block of 16: Float (WithRequantization's float form) where
// r.FloatAt(c), else Requant8. The kernels choose block by block.
template <typename Float, typename Fn>
inline void WithBlockRequantization(const Avx2Requantization& r, size_t c, Fn&& fn) {
  if (r.FloatAt(c)) {
    fn.template operator()<Float>();
  } else {
    fn.template operator()<Requant8>();
  }
}

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace edgetl::optimized
