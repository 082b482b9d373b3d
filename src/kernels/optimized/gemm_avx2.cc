#include "kernels/optimized/gemm_avx2.h"

#include <algorithm>
#include <cstring>

namespace edgetl::optimized {
namespace {

int PanelWidth(const Avx2Conv& w, int p) {
  return std::min(kAvx2Panel, (w.n - p * kAvx2Panel + 7) / 8 * 8);
}

#if EDGETL_HAVE_AVX2_CODE

// A micro-tile: kRows output pixels x kVectors * 8 channels from channel c0,
// accumulators in registers across the whole depth.
template <int kRows, int kVectors, typename Requant, typename Narrowing, typename T>
EDGETL_AVX2_TARGET void Tile(const Avx2Conv& w, const int16_t* a, const int16_t* b, int c0, T* out,
                             size_t ldc) {
  // Every loop over acc is unrolled whole (pragmas): only then does GCC
  // keep it in registers rather than on the stack.
  __m256i acc[kRows][kVectors];
#pragma GCC unroll 8
  for (int r = 0; r < kRows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < kVectors; ++v) acc[r][v] = _mm256_setzero_si256();
  }
  const size_t lda = w.k2;
  // Two k pairs per iteration: GCC then keeps the accumulators in place
  // (one iteration at a time, it copies each between registers).
#pragma GCC unroll 2
  for (int kk = 0; kk < w.k2; kk += 2, b += kVectors * 16) {
    __m256i bv[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      bv[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(b + v * 16));
    }
    for (int r = 0; r < kRows; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * lda + kk, sizeof(pair));
      const __m256i x = _mm256_set1_epi32(pair);
      for (int v = 0; v < kVectors; ++v) {
        acc[r][v] = _mm256_add_epi32(acc[r][v], _mm256_madd_epi16(x, bv[v]));
      }
    }
  }
  const auto narrowing = Narrowing::Load(w.requant);
  if constexpr (kVectors == 2) {
    if (c0 + 16 <= w.n) {
      const Requant lo = Requant::Load(w.requant, c0), hi = Requant::Load(w.requant, c0 + 8);
      // Rows in pairs: one narrowing for both.
      int r = 0;
#pragma GCC unroll 4
      for (; r + 1 < kRows; r += 2) {
        narrowing.Store16x2(lo.Scaled(acc[r][0]), hi.Scaled(acc[r][1]), lo.Scaled(acc[r + 1][0]),
                            hi.Scaled(acc[r + 1][1]), out + r * ldc + c0, out + (r + 1) * ldc + c0);
      }
      if constexpr (kRows % 2 != 0) {
        narrowing.Store16(lo.Scaled(acc[kRows - 1][0]), hi.Scaled(acc[kRows - 1][1]),
                          out + (kRows - 1) * ldc + c0);
      }
      return;
    }
  }
#pragma GCC unroll 2
  for (int v = 0; v < kVectors; ++v) {
    const int c = c0 + v * 8;
    if (c >= w.n) break;
    const Requant requant = Requant::Load(w.requant, c);
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      narrowing.Store8(requant.Scaled(acc[r][v]), out + r * ldc + c, std::min(8, w.n - c));
    }
  }
}

template <int kVectors, typename Requant, typename Narrowing, typename T>
void PanelRows(const Avx2Conv& w, const int16_t* a, int rows, const int16_t* b, int c0, T* out,
               size_t ldc) {
  int r = 0;
  for (; r + kAvx2Rows <= rows; r += kAvx2Rows) {
    Tile<kAvx2Rows, kVectors, Requant, Narrowing>(w, a + r * w.k2, b, c0, out + r * ldc, ldc);
  }
  const int16_t* a_tail = a + r * w.k2;
  T* out_tail = out + r * ldc;
  switch (rows - r) {
    case 3:
      Tile<3, kVectors, Requant, Narrowing>(w, a_tail, b, c0, out_tail, ldc);
      break;
    case 2:
      Tile<2, kVectors, Requant, Narrowing>(w, a_tail, b, c0, out_tail, ldc);
      break;
    case 1:
      Tile<1, kVectors, Requant, Narrowing>(w, a_tail, b, c0, out_tail, ldc);
      break;
    default:
      break;
  }
}
static_assert(kAvx2Rows == 4, "PanelRows's tail cases cover kAvx2Rows - 1 rows");

// Float: the layer's float requantization, for the panels that have it (a
// panel is one block of 16 channels); Narrowing its end (both from
// WithRequantization).
template <typename Float, typename Narrowing, typename T>
void Panels(const Avx2Conv& w, const int16_t* a, int rows, int p_begin, int p_end, T* out,
            size_t ldc) {
  static_assert(kAvx2Panel == 16, "a panel is one of Avx2Requantization's float blocks");
  // Panel by panel: its weights stay in L1 across the block's rows.
  for (int p = p_begin; p < p_end; ++p) {
    const int16_t* b = w.b.data() + static_cast<size_t>(p) * kAvx2Panel * w.k2;
    const int c0 = p * kAvx2Panel;
    WithBlockRequantization<Float>(w.requant, c0, [&]<typename Requant>() {
      if (PanelWidth(w, p) == 16) {
        PanelRows<2, Requant, Narrowing>(w, a, rows, b, c0, out, ldc);
      } else {
        PanelRows<1, Requant, Narrowing>(w, a, rows, b, c0, out, ldc);
      }
    });
  }
}

// dst[i] = src[i] + offset for i < 16.
template <typename T>
EDGETL_AVX2_TARGET inline void Widen16(const T* src, __m256i offset, int16_t* dst) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
  const __m256i x =
      std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi16(bytes) : _mm256_cvtepi8_epi16(bytes);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_add_epi16(x, offset));
}

// dst[i] = src[i] + offset for i < n, 16 values a step. The last step
// may write up to 15 values past n (the caller's slack) and, where that
// stays before `end`, read past them; otherwise it goes value by value.
template <typename T>
EDGETL_AVX2_TARGET inline void Widen(const T* src, int n, int32_t offset, const T* end,
                                     int16_t* dst) {
  const __m256i off = _mm256_set1_epi16(static_cast<int16_t>(offset));
  int i = 0;
  for (; i < n && src + i + 16 <= end; i += 16) Widen16(src + i, off, dst + i);
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] + offset);
}

// The int16 rows of `pixels` consecutive output pixels whose windows lie
// whole inside the input along x (dilation_w 1): window rows [fy_begin,
// fy_end), not empty, are `span` contiguous values each, from src (plus
// row_step per window row, pixel_step per pixel); the others are padding. Its own
// function, not inlined into Patches: there its pointers were spilled to
// the stack, and a 3-channel stem's loop ran at the pace of store-to-load
// forwarding (40% of the layer's time).
template <typename T>
EDGETL_AVX2_TARGET __attribute__((noinline)) void WindowsInsideX(const T* src, size_t pixel_step,
                                                                 size_t row_step, int fy_begin,
                                                                 int fy_end, int filter_h, int span,
                                                                 int32_t input_offset, const T* end,
                                                                 int16_t* dst, int k2, int pixels) {
  const size_t before = static_cast<size_t>(fy_begin) * span * sizeof(int16_t);
  const size_t after = static_cast<size_t>(filter_h - fy_end) * span * sizeof(int16_t);
  // Window rows of at most 16 values (3-channel stems: 9) take one vector
  // each, which may write past the row: the next row, the next pixel's
  // padding or the slack takes it back, so rows and pixels go in order.
  // This loop is all a stem's rows take, apart from the last pixels', whose
  // vectors might read past the input.
  const __m256i offset = _mm256_set1_epi16(static_cast<int16_t>(input_offset));
  const size_t rows_span = static_cast<size_t>(fy_end - 1 - fy_begin) * row_step;
  int p = 0;
  if (span <= 16) {
    for (; p < pixels && src + p * pixel_step + rows_span + 16 <= end; ++p) {
      int16_t* out = dst + static_cast<size_t>(p) * k2;
      if (before > 0) std::memset(out, 0, before);
      const T* row = src + p * pixel_step;
      out += fy_begin * span;
      for (int fy = fy_begin; fy < fy_end; ++fy, out += span, row += row_step) {
        Widen16(row, offset, out);
      }
      if (after > 0) std::memset(out, 0, after);
    }
  }
  for (; p < pixels; ++p) {
    int16_t* out = dst + static_cast<size_t>(p) * k2;
    if (before > 0) std::memset(out, 0, before);
    const T* row = src + p * pixel_step;
    out += fy_begin * span;
    for (int fy = fy_begin; fy < fy_end; ++fy, out += span, row += row_step) {
      Widen(row, span, input_offset, end, out);
    }
    if (after > 0) std::memset(out, 0, after);
  }
}

// The int16 rows (x + input offset, 0 for padding taps) of output pixels
// [m0, m0 + rows), k2 values each: a window row at a time where it lies
// whole inside the input (its filter_w * in_c values are contiguous), else
// tap by tap. `a` has kAvx2RowSlack values of slack past the last row. A
// row's values past k (k2 > k) are left as they are: their weights are 0.
template <typename T>
EDGETL_AVX2_TARGET void Patches(const reference::ConvGeometry& g, int32_t input_offset,
                                const T* input, int m0, int rows, int k2, int16_t* a) {
  const T* end = input + static_cast<size_t>(g.batches) * g.in_h * g.in_w * g.in_c;
  const int k = g.filter_h * g.filter_w * g.in_c;
  const int pixels = g.out_h * g.out_w;
  const int span = g.filter_w * g.in_c;  // one window row, contiguous where dilation_w is 1
  // A 1x1, stride-1, unpadded layer with an even depth: the block's rows
  // are one run of the input.
  if (g.filter_h == 1 && g.filter_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
      g.pad_w == 0 && k == k2) {
    Widen(input + static_cast<size_t>(m0) * k, rows * k, input_offset, end, a);
    return;
  }
  // Output columns [ox_inside_begin, ox_inside_end) have their windows
  // inside the input along x.
  const int ox_inside_begin =
      g.dilation_w == 1 ? std::min(g.out_w, (g.pad_w + g.stride_w - 1) / g.stride_w) : 0;
  const int ox_inside_end =
      g.dilation_w == 1 && g.in_w + g.pad_w >= g.filter_w
          ? std::clamp((g.in_w + g.pad_w - g.filter_w) / g.stride_w + 1, ox_inside_begin, g.out_w)
          : ox_inside_begin;
  // Pixels go in runs along an output row: the window's rows inside the
  // image, [fy_begin, fy_end), are found once per run (no divisions per
  // pixel: with a 3-channel stem they would cost as much as its products);
  // the rest are padding. Nothing is allocated here: this runs inside
  // Invoke().
  const size_t row_values = static_cast<size_t>(g.in_w) * g.in_c;
  const size_t row_step = static_cast<size_t>(g.dilation_h) * row_values;
  const size_t pixel_step = static_cast<size_t>(g.stride_w) * g.in_c;
  int b = m0 / pixels, oy = m0 % pixels / g.out_w, ox = m0 % g.out_w;
  for (int r = 0; r < rows;) {
    const int y0 = oy * g.stride_h - g.pad_h;
    // y0 + fy * dilation_h in [0, in_h).
    const int fy_begin =
        y0 >= 0 ? 0 : std::min(g.filter_h, (-y0 + g.dilation_h - 1) / g.dilation_h);
    const int fy_end =
        std::clamp((g.in_h - y0 + g.dilation_h - 1) / g.dilation_h, fy_begin, g.filter_h);
    const T* first_row =
        fy_begin < fy_end
            ? input + (static_cast<size_t>(b) * g.in_h + y0 + fy_begin * g.dilation_h) * row_values
            : nullptr;
    const int run_end = r + std::min(rows - r, g.out_w - ox);
    if (first_row == nullptr) {  // every window row is padding
      std::memset(a + static_cast<size_t>(r) * k2, 0,
                  static_cast<size_t>(run_end - r) * k2 * sizeof(int16_t));
      r = run_end;
    }
    while (r < run_end) {
      const int x0 = ox * g.stride_w - g.pad_w;
      int16_t* dst = a + static_cast<size_t>(r) * k2;
      if (ox >= ox_inside_begin && ox < ox_inside_end) {
        const int n = std::min(run_end - r, ox_inside_end - ox);
        WindowsInsideX(first_row + static_cast<size_t>(x0) * g.in_c, pixel_step, row_step, fy_begin,
                       fy_end, g.filter_h, span, input_offset, end, dst, k2, n);
        r += n, ox += n;
        continue;
      }
      // A window that crosses the input's left or right edge: tap by tap,
      // in order (a tap's vector may spill into the next).
      const int16_t* row_end = dst + static_cast<size_t>(g.filter_h) * span;
      if (fy_begin > 0) std::memset(dst, 0, static_cast<size_t>(fy_begin) * span * sizeof(int16_t));
      dst += fy_begin * span;
      const T* row = first_row;
      for (int fy = fy_begin; fy < fy_end; ++fy, row += row_step) {
        for (int fx = 0; fx < g.filter_w; ++fx, dst += g.in_c) {
          const int ix = x0 + fx * g.dilation_w;
          if (ix < 0 || ix >= g.in_w) {
            std::memset(dst, 0, g.in_c * sizeof(int16_t));
          } else {
            Widen(row + static_cast<size_t>(ix) * g.in_c, g.in_c, input_offset, end, dst);
          }
        }
      }
      if (dst < row_end) std::memset(dst, 0, (row_end - dst) * sizeof(int16_t));
      ++r, ++ox;
    }
    ox = 0;
    if (++oy == g.out_h) oy = 0, ++b;
  }
}

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace

template <typename W>
Avx2Conv PackAvx2Conv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q, const ParallelFor& parallel) {
  Avx2Conv w;
  w.n = n;
  w.k2 = (k + 1) / 2 * 2;
  w.b.assign(static_cast<size_t>(w.panels()) * kAvx2Panel * w.k2, 0);
  std::vector<AccumulatorRange> ranges(n);
  const int32_t alpha = ActivationByteOffset<W>(q.input_offset);
  // One task per panel, each writing only its own panel and ranges.
  RunTasks(parallel, w.panels(), [&](int p) {
    const int width = PanelWidth(w, p);
    int16_t* panel = w.b.data() + static_cast<size_t>(p) * kAvx2Panel * w.k2;
    for (int j = 0; j < width && p * kAvx2Panel + j < n; ++j) {
      const int c = p * kAvx2Panel + j;
      const W* row = filter + static_cast<size_t>(c) * k;
      // Sums first, then the copy: each loop stays simple enough to be
      // vectorized or to run at one store a cycle.
      int64_t sum = 0, positive_sum = 0;
      for (int i = 0; i < k; ++i) {
        const int32_t v = row[i] + q.filter_offset;
        sum += v;
        positive_sum += std::max(v, 0);
      }
      // Pair i / 2 of channel j: panel[(i / 2) * width * 2 + j * 2 + i % 2].
      int16_t* pair = panel + j * 2;
      for (int i = 0; i + 1 < k; i += 2, pair += width * 2) {
        pair[0] = static_cast<int16_t>(row[i] + q.filter_offset);
        pair[1] = static_cast<int16_t>(row[i + 1] + q.filter_offset);
      }
      if (k % 2 != 0) pair[0] = static_cast<int16_t>(row[k - 1] + q.filter_offset);
      ranges[c] = RangeOfAccumulator(bias ? bias[c] : 0, alpha, sum, positive_sum);
    }
  });
  w.requant = MakeAvx2Requantization(q, bias, n, ranges.data(), parallel);
  return w;
}

template <typename T>
void RowsAvx2(const reference::ConvGeometry& g, int32_t input_offset, const T* input, int m0,
              int rows, int k2, int16_t* a) {
#if EDGETL_HAVE_AVX2_CODE
  Patches(g, input_offset, input, m0, rows, k2, a);
#else
  (void)g, (void)input_offset, (void)input, (void)m0, (void)rows, (void)k2, (void)a;
#endif
}

template <typename T>
void GemmAvx2(const Avx2Conv& w, const int16_t* a, int rows, int p_begin, int p_end, T* out,
              size_t ldc) {
#if EDGETL_HAVE_AVX2_CODE
  WithRequantization<T>(w.requant, [&]<typename Float, typename Narrowing>() {
    Panels<Float, Narrowing>(w, a, rows, p_begin, p_end, out, ldc);
  });
#else
  (void)w, (void)a, (void)rows, (void)p_begin, (void)p_end, (void)out, (void)ldc;
#endif
}

template Avx2Conv PackAvx2Conv<uint8_t>(const uint8_t*, int, int, const int32_t*,
                                        const reference::ConvQuant&, const ParallelFor&);
template Avx2Conv PackAvx2Conv<int8_t>(const int8_t*, int, int, const int32_t*,
                                       const reference::ConvQuant&, const ParallelFor&);
template void RowsAvx2<uint8_t>(const reference::ConvGeometry&, int32_t, const uint8_t*, int, int,
                                int, int16_t*);
template void RowsAvx2<int8_t>(const reference::ConvGeometry&, int32_t, const int8_t*, int, int,
                               int, int16_t*);
template void GemmAvx2<uint8_t>(const Avx2Conv&, const int16_t*, int, int, int, uint8_t*, size_t);
template void GemmAvx2<int8_t>(const Avx2Conv&, const int16_t*, int, int, int, int8_t*, size_t);

}  // namespace edgetl::optimized
