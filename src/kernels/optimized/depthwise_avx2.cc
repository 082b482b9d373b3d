#include "kernels/optimized/depthwise_avx2.h"

#include <algorithm>
#include <cstring>

namespace edgetl::optimized {
namespace {

#if EDGETL_HAVE_AVX2_CODE

// 8 channels of one tap's input pixel; a block of fewer than 8 (the
// last, kWhole false) reads no further than its channels.
template <bool kWhole>
EDGETL_AVX2_TARGET inline __m128i Load8Bytes(const void* src, int count) {
  if constexpr (kWhole) {
    return _mm_loadl_epi64(static_cast<const __m128i*>(src));
  } else {
    int64_t bytes = 0;
    std::memcpy(&bytes, src, count);
    return _mm_cvtsi64_si128(bytes);
  }
}

// Activation bytes as the kernel multiplies them: uint8 as they are, int8
// with the sign bit flipped (x + 128, as ActivationByteOffset), so that
// every path widens with zeros (in-lane unpacks have no sign extension).
template <typename T, typename V>
EDGETL_AVX2_TARGET inline V AsUnsigned(V bytes) {
  if constexpr (std::is_same_v<T, uint8_t>) {
    return bytes;
  } else if constexpr (sizeof(V) == 16) {
    return _mm_xor_si128(bytes, _mm_set1_epi8(-128));
  } else {
    return _mm256_xor_si256(bytes, _mm256_set1_epi8(-128));
  }
}

// Interleaved bytes (x0 c0, x1 c0, x0 c1, ...) to int16 pairs.
template <typename T>
EDGETL_AVX2_TARGET inline __m256i WidenPairs(__m128i bytes) {
  return _mm256_cvtepu8_epi16(AsUnsigned<T>(bytes));
}

// 8 bytes to 32-bit lanes whose low int16 is the value: the lone tap of an
// odd window, whose partner weight is 0.
template <typename T>
EDGETL_AVX2_TARGET inline __m256i WidenSingles(__m128i bytes) {
  return _mm256_cvtepu8_epi32(AsUnsigned<T>(bytes));
}

// Two taps' bytes of 32 channels (x0, x1) as int16 pairs in four vectors,
// in the lane order of Lane32Channel: in-lane unpacks only (widening
// across lanes, vpmovzxbw ymm, runs at under one a cycle).
template <typename T>
EDGETL_AVX2_TARGET inline void WidenPairs32(__m256i x0, __m256i x1, __m256i* pairs) {
  const __m256i lo = AsUnsigned<T>(_mm256_unpacklo_epi8(x0, x1));
  const __m256i hi = AsUnsigned<T>(_mm256_unpackhi_epi8(x0, x1));
  const __m256i zero = _mm256_setzero_si256();
  pairs[0] = _mm256_unpacklo_epi8(lo, zero);
  pairs[1] = _mm256_unpackhi_epi8(lo, zero);
  pairs[2] = _mm256_unpacklo_epi8(hi, zero);
  pairs[3] = _mm256_unpackhi_epi8(hi, zero);
}

EDGETL_AVX2_TARGET inline __m256i Load32(const uint8_t* src) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
}

// acc[v] += the products of one tap pair's bytes of 32 channels (x0, x1)
// with their weights w[0 .. 4).
template <typename T>
EDGETL_AVX2_TARGET inline void AddPair32(__m256i x0, __m256i x1, const __m256i* w, __m256i* acc) {
  __m256i pairs[4];
  WidenPairs32<T>(x0, x1, pairs);
  for (int v = 0; v < 4; ++v) {
    acc[v] = _mm256_add_epi32(acc[v], _mm256_madd_epi16(pairs[v], _mm256_load_si256(w + v)));
  }
}

// Channels [c, c + 32) of one pixel, as WidenPairs32's four vectors
// (Scaled), narrowed to T: the in-lane packs undo its lane order.
template <typename Narrowing, typename T>
EDGETL_AVX2_TARGET inline void Store32(const Narrowing& n, const __m256i* v, T* out) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out),
                      n.Bytes(n.Words(v[0], v[1]), n.Words(v[2], v[3])));
}

// One output pixel's channels [c, c + count) before requantization, in
// kVectors accumulators of 8 channels (2: 16 channels, whole; 4: 32, whole,
// in Lane32Channel order, w from DepthwiseAvx2::w32); tap(t) is the pixel
// that window tap t reads. kTaps: the window's taps where known at compile
// time (3x3), else 0.
template <typename T, int kTaps, int kVectors, bool kWhole, typename TapAt>
EDGETL_AVX2_TARGET inline void Window(const DepthwiseAvx2& p, const __m256i* w, int c, int count,
                                      TapAt tap, __m256i* acc) {
  static_assert(kVectors == 1 || kWhole, "16- and 32-channel steps read whole vectors");
  const int taps = kTaps > 0 ? kTaps : p.taps;
  const int pairs = (taps + 1) / 2, full_pairs = taps / 2;
  // The second vector's weights: the next block of 8 channels.
  const __m256i* w_hi = w + pairs;
  for (int v = 0; v < kVectors; ++v) acc[v] = _mm256_setzero_si256();
  if constexpr (kVectors == 4) {
    for (int i = 0; i < full_pairs; ++i) {
      AddPair32<T>(Load32(tap(2 * i) + c), Load32(tap(2 * i + 1) + c), w + i * 4, acc);
    }
    // An odd window's last tap, against a partner weight of 0.
    if (full_pairs < pairs) {
      AddPair32<T>(Load32(tap(2 * full_pairs) + c), _mm256_setzero_si256(), w + full_pairs * 4,
                   acc);
    }
    return;
  }
  for (int i = 0; i < full_pairs; ++i) {
    if constexpr (kVectors == 2) {
      const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tap(2 * i) + c));
      const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tap(2 * i + 1) + c));
      acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(WidenPairs<T>(_mm_unpacklo_epi8(x0, x1)),
                                                          _mm256_load_si256(w + i)));
      acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(WidenPairs<T>(_mm_unpackhi_epi8(x0, x1)),
                                                          _mm256_load_si256(w_hi + i)));
    } else {
      const __m128i x0 = Load8Bytes<kWhole>(tap(2 * i) + c, count);
      const __m128i x1 = Load8Bytes<kWhole>(tap(2 * i + 1) + c, count);
      acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(WidenPairs<T>(_mm_unpacklo_epi8(x0, x1)),
                                                          _mm256_load_si256(w + i)));
    }
  }
  if (full_pairs < pairs) {
    const uint8_t* last = tap(2 * full_pairs) + c;
    acc[0] =
        _mm256_add_epi32(acc[0], _mm256_madd_epi16(WidenSingles<T>(Load8Bytes<kWhole>(last, count)),
                                                   _mm256_load_si256(w + full_pairs)));
    if constexpr (kVectors == 2) {
      acc[1] =
          _mm256_add_epi32(acc[1], _mm256_madd_epi16(WidenSingles<T>(Load8Bytes<true>(last + 8, 8)),
                                                     _mm256_load_si256(w_hi + full_pairs)));
    }
  }
}

// Channels [c, c + count) of one output row: 32 (kVectors 4, below
// p.c32), 16 (kVectors 2), 8, or the last fewer (kWhole false). kTaps 9: a
// 3x3 window.
template <typename T, int kTaps, int kVectors, bool kWhole, typename Requant, typename Narrowing>
EDGETL_AVX2_TARGET void Block(const DepthwiseAvx2& p, const DepthwiseAvx2Taps& r, int c, int count,
                              int out_w, size_t stride, T* out) {
  const auto* w = kVectors == 4 ? reinterpret_cast<const __m256i*>(p.w32.data()) +
                                      static_cast<size_t>(c / 32) * p.pairs * 4
                                : reinterpret_cast<const __m256i*>(p.w.data()) +
                                      static_cast<size_t>(c / 8) * p.pairs;
  Requant q[kVectors];
  const Avx2Requantization& requant = kVectors == 4 ? p.requant32 : p.requant;
  for (int v = 0; v < kVectors; ++v) q[v] = Requant::Load(requant, c + 8 * v);
  const auto narrowing = Narrowing::Load(requant);
  const uint8_t* const* edge = r.edges.data();
  // A 3x3 window's rows and columns in locals, so that they stay in
  // registers: stores through T* could alias the vectors' contents.
  const uint8_t* rows[3] = {};
  std::ptrdiff_t cols[3] = {};
  if constexpr (kTaps == 9) {
    std::copy_n(r.rows.data(), 3, rows);
    std::copy_n(r.cols.data(), 3, cols);
  }
  const int filter_w = static_cast<int>(r.cols.size());
  for (int ox = 0; ox < out_w; ++ox) {
    __m256i acc[kVectors];
    if (ox >= r.interior_begin && ox < r.interior_end) {
      const std::ptrdiff_t at = ox * r.step;
      if constexpr (kTaps == 9) {
        const std::ptrdiff_t at_col[3] = {at + cols[0], at + cols[1], at + cols[2]};
        Window<T, kTaps, kVectors, kWhole>(
            p, w, c, count, [&](int t) { return rows[t / 3] + at_col[t % 3]; }, acc);
      } else {
        Window<T, kTaps, kVectors, kWhole>(
            p, w, c, count,
            [&](int t) { return r.rows[t / filter_w] + (at + r.cols[t % filter_w]); }, acc);
      }
    } else {
      Window<T, kTaps, kVectors, kWhole>(
          p, w, c, count, [&](int t) { return edge[t]; }, acc);
      edge += p.taps;
    }
    for (int v = 0; v < kVectors; ++v) acc[v] = q[v].Scaled(acc[v]);
    if constexpr (kVectors == 4) {
      Store32(narrowing, acc, out + ox * stride);
    } else if constexpr (kVectors == 2) {
      narrowing.Store16(acc[0], acc[1], out + ox * stride);
    } else {
      narrowing.Store8(acc[0], out + ox * stride, count);
    }
  }
}

// Block with channel c's block's requantization (WithBlockRequantization).
template <typename T, int kTaps, int kVectors, bool kWhole, typename Float, typename Narrowing>
EDGETL_AVX2_TARGET void BlockAs(const DepthwiseAvx2& p, const DepthwiseAvx2Taps& r, int c,
                                int count, int out_w, size_t stride, T* out) {
  WithBlockRequantization<Float>(p.requant, c, [&]<typename Requant>() {
    Block<T, kTaps, kVectors, kWhole, Requant, Narrowing>(p, r, c, count, out_w, stride, out);
  });
}

template <typename T, int kTaps, typename Float, typename Narrowing>
EDGETL_AVX2_TARGET void RowBlocks(const DepthwiseAvx2& p, const DepthwiseAvx2Taps& r, int channels,
                                  int out_w, T* out) {
  int c = 0;
  for (; c < p.c32; c += 32) {
    if (p.requant.FloatAt(c) == p.requant.FloatAt(c + 16)) {
      BlockAs<T, kTaps, 4, true, Float, Narrowing>(p, r, c, 32, out_w, channels, out + c);
    } else {
      BlockAs<T, kTaps, 2, true, Float, Narrowing>(p, r, c, 16, out_w, channels, out + c);
      BlockAs<T, kTaps, 2, true, Float, Narrowing>(p, r, c + 16, 16, out_w, channels, out + c + 16);
    }
  }
  for (; c + 16 <= channels; c += 16) {
    BlockAs<T, kTaps, 2, true, Float, Narrowing>(p, r, c, 16, out_w, channels, out + c);
  }
  if (c + 8 <= channels) {
    BlockAs<T, kTaps, 1, true, Float, Narrowing>(p, r, c, 8, out_w, channels, out + c);
    c += 8;
  }
  if (c < channels) {
    BlockAs<T, kTaps, 1, false, Float, Narrowing>(p, r, c, channels - c, out_w, channels, out + c);
  }
}

template <typename T, typename Float, typename Narrowing>
void Rows(const reference::ConvGeometry& g, const DepthwiseAvx2& p, const T* input, int row_begin,
          int row_end, T* output, DepthwiseAvx2Taps& r) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(input);
  const uint8_t* zero = p.zero_row.data();
  const size_t row_bytes = static_cast<size_t>(g.in_w) * g.in_c;
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    const uint8_t* image = bytes + static_cast<size_t>(b) * g.in_h * row_bytes;
    for (int fy = 0; fy < g.filter_h; ++fy) {
      const int iy = oy * g.stride_h - g.pad_h + fy * g.dilation_h;
      r.rows[fy] = iy >= 0 && iy < g.in_h ? image + iy * row_bytes : zero;
    }
    const uint8_t** edge = r.edges.data();
    for (int ox = 0; ox < g.out_w; ++ox) {
      if (ox == r.interior_begin) ox = r.interior_end;
      if (ox == g.out_w) break;
      const int x0 = ox * g.stride_w - g.pad_w;
      for (int fy = 0; fy < g.filter_h; ++fy) {
        for (int fx = 0; fx < g.filter_w; ++fx) {
          const int ix = x0 + fx * g.dilation_w;
          *edge++ = ix >= 0 && ix < g.in_w ? r.rows[fy] + static_cast<size_t>(ix) * g.in_c : zero;
        }
      }
    }
    T* out = output + static_cast<size_t>(row) * g.out_w * g.out_c;
    if (g.filter_h == 3 && g.filter_w == 3) {
      RowBlocks<T, 9, Float, Narrowing>(p, r, g.out_c, g.out_w, out);
    } else {
      RowBlocks<T, 0, Float, Narrowing>(p, r, g.out_c, g.out_w, out);
    }
  }
}

#endif  // EDGETL_HAVE_AVX2_CODE

// Where channel j of a block of 32 lies in its four vectors: vector * 8 +
// lane, Lane32Channel's inverse.
int Lane32Position(int j) {
  for (int position = 0; position < 32; ++position) {
    if (Lane32Channel(position / 8, position % 8) == j) return position;
  }
  return -1;  // unreachable: Lane32Channel is a permutation of [0, 32)
}

// r with its per-channel entries in [0, c32) in the wide blocks' lane
// order.
Avx2Requantization InLane32Order(Avx2Requantization r, int c32) {
  auto reorder = [c32](auto& entries) {
    const auto copy = entries;
    for (int b = 0; b < c32; b += 32) {
      for (int position = 0; position < 32; ++position) {
        entries[b + position] = copy[b + Lane32Channel(position / 8, position % 8)];
      }
    }
  };
  reorder(r.bias);
  reorder(r.multiplier);
  reorder(r.left_shift);
  reorder(r.right_shift);
  if (r.as_float) {
    reorder(r.as_float->scale);
    reorder(r.as_float->offset);
    reorder(r.as_float->offset_below);
    reorder(r.as_float->split);
  }
  return r;
}

}  // namespace

template <typename W>
DepthwiseAvx2 PackDepthwiseAvx2(const W* filter, const reference::ConvGeometry& g,
                                const int32_t* bias, const reference::ConvQuant& q,
                                const ParallelFor& parallel) {
  DepthwiseAvx2 p;
  p.taps = g.filter_h * g.filter_w;
  p.pairs = (p.taps + 1) / 2;
  p.c8 = (g.out_c + 7) / 8 * 8;
  p.c32 = g.out_c / 32 * 32;
  p.w.assign(static_cast<size_t>(p.c8) * p.pairs * 2, 0);
  p.w32.assign(static_cast<size_t>(p.c32) * p.pairs * 2, 0);
  std::vector<int32_t> folded_bias(g.out_c);
  std::vector<AccumulatorRange> ranges(g.out_c);
  const int32_t alpha = ActivationByteOffset<W>(q.input_offset);
  for (int c = 0; c < g.out_c; ++c) {
    int32_t window_sum = 0, positive_sum = 0;
    for (int t = 0; t < p.taps; ++t) {
      const int32_t w = filter[static_cast<size_t>(t) * g.out_c + c] + q.filter_offset;
      p.w[((static_cast<size_t>(c / 8) * p.pairs + t / 2) * 8 + c % 8) * 2 + t % 2] =
          static_cast<int16_t>(w);
      if (c < p.c32) {
        const int lane = Lane32Position(c % 32);
        p.w32[((static_cast<size_t>(c / 32) * p.pairs + t / 2) * 32 + lane) * 2 + t % 2] =
            static_cast<int16_t>(w);
      }
      window_sum += w;
      positive_sum += std::max(w, 0);
    }
    const int32_t b = bias ? bias[c] : 0;
    folded_bias[c] = b + alpha * window_sum;
    ranges[c] = RangeOfAccumulator(b, alpha, window_sum, positive_sum);
  }
  // The input zero point is -input_offset, a value of the input's type
  // (CheckQuantized): its bit pattern as that type.
  p.zero_row.assign(std::max<size_t>(static_cast<size_t>(g.in_w) * g.in_c, p.c8),
                    static_cast<uint8_t>(-q.input_offset));
  p.requant = MakeAvx2Requantization(q, folded_bias.data(), g.out_c, ranges.data(), parallel);
  p.requant32 = InLane32Order(p.requant, p.c32);
  return p;
}

DepthwiseAvx2Taps MakeDepthwiseAvx2Taps(const reference::ConvGeometry& g) {
  DepthwiseAvx2Taps r;
  r.step = static_cast<std::ptrdiff_t>(g.stride_w) * g.in_c;
  // Interior pixels: x0 = ox * stride - pad >= 0 and the last tap,
  // x0 + (filter_w - 1) * dilation, < in_w.
  const int last_tap = (g.filter_w - 1) * g.dilation_w;
  r.interior_begin = std::min(g.out_w, (g.pad_w + g.stride_w - 1) / g.stride_w);
  const int span = g.in_w - 1 - last_tap + g.pad_w;  // the largest x0 + pad
  r.interior_end = std::clamp(span >= 0 ? span / g.stride_w + 1 : 0, r.interior_begin, g.out_w);
  r.rows.resize(g.filter_h);
  r.cols.resize(g.filter_w);
  for (int fx = 0; fx < g.filter_w; ++fx) {
    r.cols[fx] = static_cast<std::ptrdiff_t>(fx * g.dilation_w - g.pad_w) * g.in_c;
  }
  r.edges.resize(static_cast<size_t>(g.out_w - (r.interior_end - r.interior_begin)) * g.filter_h *
                 g.filter_w);
  return r;
}

template <typename T>
void DepthwiseRowsAvx2(const reference::ConvGeometry& g, const DepthwiseAvx2& p, const T* input,
                       int row_begin, int row_end, T* output, DepthwiseAvx2Taps* taps) {
#if EDGETL_HAVE_AVX2_CODE
  WithRequantization<T>(p.requant, [&]<typename Float, typename Narrowing>() {
    Rows<T, Float, Narrowing>(g, p, input, row_begin, row_end, output, *taps);
  });
#else
  (void)g, (void)p, (void)input, (void)row_begin, (void)row_end, (void)output, (void)taps;
#endif
}

template DepthwiseAvx2 PackDepthwiseAvx2<uint8_t>(const uint8_t*, const reference::ConvGeometry&,
                                                  const int32_t*, const reference::ConvQuant&,
                                                  const ParallelFor&);
template DepthwiseAvx2 PackDepthwiseAvx2<int8_t>(const int8_t*, const reference::ConvGeometry&,
                                                 const int32_t*, const reference::ConvQuant&,
                                                 const ParallelFor&);
template void DepthwiseRowsAvx2<uint8_t>(const reference::ConvGeometry&, const DepthwiseAvx2&,
                                         const uint8_t*, int, int, uint8_t*, DepthwiseAvx2Taps*);
template void DepthwiseRowsAvx2<int8_t>(const reference::ConvGeometry&, const DepthwiseAvx2&,
                                        const int8_t*, int, int, int8_t*, DepthwiseAvx2Taps*);

}  // namespace edgetl::optimized
