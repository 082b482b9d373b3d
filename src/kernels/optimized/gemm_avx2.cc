#include "kernels/optimized/gemm_avx2.h"

#include <algorithm>
#include <cstring>

#include "kernels/optimized/conv_int16.h"

namespace edgetl::optimized {
namespace {

int PanelWidth(const Avx2Conv& w, int p) {
  return std::min(kAvx2Panel, (w.n - p * kAvx2Panel + 7) / 8 * 8);
}

#if EDGETL_HAVE_AVX2_CODE

// A micro-tile: kRows output pixels x kVectors * 8 channels from channel c0,
// accumulators in registers across the whole depth.
template <int kRows, int kVectors, typename T>
EDGETL_AVX2_TARGET void Tile(const Avx2Conv& w, const int16_t* a, const int16_t* b, int c0, T* out,
                             size_t ldc) {
  __m256i acc[kRows][kVectors];
  for (auto& row : acc) {
    for (auto& v : row) v = _mm256_setzero_si256();
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
  for (int r = 0; r < kRows; ++r) {
    for (int v = 0; v < kVectors; ++v) {
      const int c = c0 + v * 8;
      if (c >= w.n) break;
      Store8(Requantize8(acc[r][v], w.requant, c), out + r * ldc + c, std::min(8, w.n - c));
    }
  }
}

template <int kVectors, typename T>
void PanelRows(const Avx2Conv& w, const int16_t* a, int rows, const int16_t* b, int c0, T* out,
               size_t ldc) {
  int r = 0;
  for (; r + kAvx2Rows <= rows; r += kAvx2Rows) {
    Tile<kAvx2Rows, kVectors>(w, a + r * w.k2, b, c0, out + r * ldc, ldc);
  }
  const int16_t* a_tail = a + r * w.k2;
  T* out_tail = out + r * ldc;
  switch (rows - r) {
    case 3:
      Tile<3, kVectors>(w, a_tail, b, c0, out_tail, ldc);
      break;
    case 2:
      Tile<2, kVectors>(w, a_tail, b, c0, out_tail, ldc);
      break;
    case 1:
      Tile<1, kVectors>(w, a_tail, b, c0, out_tail, ldc);
      break;
    default:
      break;
  }
}
static_assert(kAvx2Rows == 4, "PanelRows's tail cases cover kAvx2Rows - 1 rows");

#endif  // EDGETL_HAVE_AVX2_CODE

}  // namespace

template <typename W>
Avx2Conv PackAvx2Conv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q) {
  Avx2Conv w;
  w.n = n;
  w.k2 = (k + 1) / 2 * 2;
  w.b.assign(static_cast<size_t>(w.panels()) * kAvx2Panel * w.k2, 0);
  for (int p = 0; p < w.panels(); ++p) {
    const int width = PanelWidth(w, p);
    int16_t* panel = w.b.data() + static_cast<size_t>(p) * kAvx2Panel * w.k2;
    for (int j = 0; j < width && p * kAvx2Panel + j < n; ++j) {
      const W* row = filter + static_cast<size_t>(p * kAvx2Panel + j) * k;
      for (int i = 0; i < k; ++i) {
        panel[(i / 2) * width * 2 + j * 2 + i % 2] = static_cast<int16_t>(row[i] + q.filter_offset);
      }
    }
  }
  w.requant = MakeAvx2Requantization(q, bias, n);
  return w;
}

template <typename T>
void RowsAvx2(const reference::ConvGeometry& g, int32_t input_offset, const T* input, int m0,
              int rows, int k2, int16_t* a) {
  const int pixels = g.out_h * g.out_w;
  for (int r = 0; r < rows; ++r) {
    const int m = m0 + r, p = m % pixels;
    BuildPatchInt16(g, input, input_offset, m / pixels, p / g.out_w, p % g.out_w, k2,
                    a + static_cast<size_t>(r) * k2);
  }
}

template <typename T>
void GemmAvx2(const Avx2Conv& w, const int16_t* a, int rows, int p_begin, int p_end, T* out,
              size_t ldc) {
#if EDGETL_HAVE_AVX2_CODE
  // Panel by panel: its weights stay in L1 across the block's rows.
  for (int p = p_begin; p < p_end; ++p) {
    const int16_t* b = w.b.data() + static_cast<size_t>(p) * kAvx2Panel * w.k2;
    const int c0 = p * kAvx2Panel;
    if (PanelWidth(w, p) == 16) {
      PanelRows<2>(w, a, rows, b, c0, out, ldc);
    } else {
      PanelRows<1>(w, a, rows, b, c0, out, ldc);
    }
  }
#else
  (void)w, (void)a, (void)rows, (void)p_begin, (void)p_end, (void)out, (void)ldc;
#endif
}

template Avx2Conv PackAvx2Conv<uint8_t>(const uint8_t*, int, int, const int32_t*,
                                        const reference::ConvQuant&);
template Avx2Conv PackAvx2Conv<int8_t>(const int8_t*, int, int, const int32_t*,
                                       const reference::ConvQuant&);
template void RowsAvx2<uint8_t>(const reference::ConvGeometry&, int32_t, const uint8_t*, int, int,
                                int, int16_t*);
template void RowsAvx2<int8_t>(const reference::ConvGeometry&, int32_t, const int8_t*, int, int,
                               int, int16_t*);
template void GemmAvx2<uint8_t>(const Avx2Conv&, const int16_t*, int, int, int, uint8_t*, size_t);
template void GemmAvx2<int8_t>(const Avx2Conv&, const int16_t*, int, int, int, int8_t*, size_t);

}  // namespace edgetl::optimized
