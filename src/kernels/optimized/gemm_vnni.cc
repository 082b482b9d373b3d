#include "kernels/optimized/gemm_vnni.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <utility>

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

namespace {

// Builds w->excess_steps from w->excess (see VnniConv::ExcessStep).
void AddExcessSteps(VnniConv* w) {
  w->excess_step_begin.assign(w->panels() + 1, 0);
  for (int panel = 0; panel < w->panels(); ++panel) {
    // Remainders per (depth group, vector): 16 lanes x 4 bytes each.
    std::map<std::pair<int, int>, std::array<int32_t, 64>> remainders;
    for (int i = w->excess_begin[panel]; i < w->excess_begin[panel + 1]; ++i) {
      const VnniConv::Excess& x = w->excess[i];
      const int lane = x.channel % kVnniPanel;
      auto [it, added] = remainders.try_emplace({x.k / 4, lane / 16});
      if (added) it->second.fill(0);
      it->second[(lane % 16) * 4 + x.k % 4] += x.value;
    }
    for (auto& [key, left] : remainders) {
      while (std::any_of(left.begin(), left.end(), [](int32_t v) { return v != 0; })) {
        VnniConv::ExcessStep step{key.first, key.second, {}};
        for (int j = 0; j < 64; ++j) {
          const int32_t part = std::clamp(left[j], -128, 127);
          step.w[j] = static_cast<int8_t>(part);
          left[j] -= part;
        }
        w->excess_steps.push_back(step);
      }
    }
    w->excess_step_begin[panel + 1] = static_cast<int>(w->excess_steps.size());
  }
}

}  // namespace

template <typename W>
VnniConv PackVnniConv(const W* filter, int n, int k, const int32_t* bias,
                      const reference::ConvQuant& q, const ParallelFor& parallel, bool float_form) {
  VnniConv w;
  w.n = n;
  w.k = k;
  w.k4 = (k + 3) / 4 * 4;
  w.n16 = (n + 15) / 16 * 16;
  // int8 activations reach the kernel flipped to uint8 (x + 128).
  const int32_t alpha = ActivationByteOffset<W>(q.input_offset);
  w.a_pad = static_cast<uint8_t>(-alpha);
  w.output_offset = q.output_offset;
  w.act_min = q.act_min;
  w.act_max = q.act_max;
  w.b.assign(static_cast<size_t>(w.panels()) * kVnniPanel * w.k4, 0);
  w.col_const.assign(w.n16, 0);
  w.excess_begin.assign(w.panels() + 1, 0);
  std::vector<AccumulatorRange> ranges(n);
  for (int c = 0; c < n; ++c) {
    int32_t positive_sum = 0;
    const int panel = c / kVnniPanel, lane = c % kVnniPanel;
    const int width = std::min(kVnniPanel, w.n16 - panel * kVnniPanel);
    uint8_t* dst = w.b.data() + static_cast<size_t>(panel) * kVnniPanel * w.k4;
    int32_t sum = 0;  // of w + fo
    for (int i = 0; i < k; ++i) {
      const int32_t v =
          static_cast<int32_t>(filter[static_cast<size_t>(c) * k + i]) + q.filter_offset;
      const int32_t p = std::clamp(v, -128, 127);
      sum += v;
      positive_sum += std::max(v, 0);
      if (p != v) w.excess.push_back({i, c, v - p});
      dst[(static_cast<size_t>(i / 4) * width + lane) * 4 + i % 4] = static_cast<uint8_t>(p);
    }
    w.excess_begin[panel + 1] = static_cast<int>(w.excess.size());
    // Wrapping int32 arithmetic, as the accumulators' own.
    const uint32_t konst = static_cast<uint32_t>(bias ? bias[c] : 0) +
                           static_cast<uint32_t>(alpha) * static_cast<uint32_t>(sum);
    w.col_const[c] = static_cast<int32_t>(konst);
    ranges[c] = RangeOfAccumulator(bias ? bias[c] : 0, alpha, sum, positive_sum);
  }
  w.requant = MakeChannelRequantization(q, n, w.n16, ranges.data(), parallel, float_form);
  w.ranges = std::move(ranges);
  AddExcessSteps(&w);
  return w;
}

template <typename W>
VnniConv PackVnniConvWindows(const W* filter, const reference::ConvGeometry& g, const int32_t* bias,
                             const reference::ConvQuant& q, const ParallelFor& parallel) {
  const int run = g.filter_w * g.in_c, run4 = (run + 3) / 4 * 4;
  const int k = g.filter_h * run, k_windows = g.filter_h * run4;
  // Each window row padded to run4 with weights w + fo = 0.
  std::vector<W> laid(static_cast<size_t>(g.out_c) * k_windows, static_cast<W>(-q.filter_offset));
  for (int c = 0; c < g.out_c; ++c) {
    for (int fy = 0; fy < g.filter_h; ++fy) {
      const W* src = filter + static_cast<size_t>(c) * k + fy * run;
      std::copy(src, src + run, laid.begin() + static_cast<size_t>(c) * k_windows + fy * run4);
    }
  }
  VnniConv w = PackVnniConv(laid.data(), g.out_c, k_windows, bias, q, parallel);
  const size_t row_bytes = PaddedInputShape(g).row_bytes;
  for (int fy = 0; fy < g.filter_h; ++fy) {
    for (int i = 0; i < run4; i += 4) {
      w.k_offsets.push_back(static_cast<int32_t>(fy * g.dilation_h * row_bytes + i));
    }
  }
  return w;
}

PaddedInput PaddedInputShape(const reference::ConvGeometry& g) {
  PaddedInput p;
  p.rows = (g.out_h - 1) * g.stride_h + (g.filter_h - 1) * g.dilation_h + 1;
  p.width = (g.out_w - 1) * g.stride_w + g.filter_w;
  p.row_bytes = static_cast<size_t>(p.width) * g.in_c;
  p.bytes = static_cast<size_t>(g.batches) * p.rows * p.row_bytes + 4;
  return p;
}

#if EDGETL_HAVE_VNNI_CODE
namespace {

// A micro-tile's height for NV * 16 channels. Narrower tiles take more
// rows, so that each keeps about 24 accumulators: enough independent
// vpdpbusd chains to hide their latency, and the tile's fixed costs spread
// over more outputs.
template <int NV>
constexpr int kTileRows = NV >= 4   ? kVnniRows
                          : NV == 3 ? 8
                                    : 12;

// Requantizes column v of a tile's accumulators in place (one-step form,
// output offset added, not yet clamped).
template <bool kLeftShift, bool kExact, int NV, int kRows>
EDGETL_VNNI_TARGET inline void RequantizeColumn(__m512i (&acc)[kRows][NV], int v, int rows,
                                                __m512i mult, __m512i ls,
                                                const OneStepConstants& constants) {
  const OneStep16 k = LoadOneStep(constants);
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    if (r >= rows) break;
    acc[r][v] = RequantizeOneStep16<kLeftShift, kExact>(acc[r][v], mult, ls, k);
  }
}

// The same in the float form (channels c .. c + 15), output offset not
// yet added.
template <bool kTwoPieces, int NV, int kRows>
EDGETL_VNNI_TARGET inline void RequantizeColumnFloat(__m512i (&acc)[kRows][NV], int v, int rows,
                                                     const FloatRequantization& f, int c) {
  const __m512 scale = _mm512_loadu_ps(f.scale.data() + c);
  const __m512 offset = _mm512_loadu_ps(f.offset.data() + c);
  const __m512 below = kTwoPieces ? _mm512_loadu_ps(f.offset_below.data() + c) : offset;
  const __m512i split = kTwoPieces ? _mm512_loadu_si512(f.split.data() + c) : __m512i{};
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    if (r >= rows) break;
    acc[r][v] = kTwoPieces ? RequantizeFloat16(acc[r][v], scale, offset, below, split)
                           : RequantizeFloat16(acc[r][v], scale, offset);
  }
}

// The activation rows of a tile: contiguous rows `lda` bytes apart, or
// (window layout) one pointer per row, read at the k-step offsets.
struct TileRows {
  const uint8_t* a;
  size_t lda;
  const uint8_t* const* windows;
};

// How far ahead (bytes of the panel) a one-row tile prefetches its
// weights: 4 KB took the 1280 x 1001 classifier of MobileNet V2 from 0.08-0.11
// to 0.06 ms on one thread (1 KB: 0.11, 8 KB: 0.065, 16 KB: 0.08).
constexpr int kPrefetchAhead = 4096;

// One micro-tile: up to kRows (kTileRows<NV>, or 1) rows x NV * 16
// channels starting at c0.
template <int NV, bool kWindows, int kRows, typename T>
EDGETL_VNNI_TARGET void Tile(const VnniConv& w, TileRows in, int rows, const uint8_t* panel, int c0,
                             T* out, size_t ldc) {
  // The accumulators start at the channels' constant term (bias and
  // offsets), which saves an add per accumulator in the epilogue.
  __m512i konst[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) konst[v] = _mm512_loadu_si512(w.col_const.data() + c0 + v * 16);
  __m512i acc[kRows][NV];
  const uint8_t* ar[kRows];
#pragma GCC unroll 12
  for (int r = 0; r < kRows; ++r) {
    const int row = r < rows ? r : 0;  // spare rows recompute row 0
    ar[r] = kWindows ? in.windows[row] : in.a + row * in.lda;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = konst[v];
  }
  const int32_t* k_offsets = w.k_offsets.data();
  const uint8_t* bp = panel;
  for (int kk = 0; kk < w.k4; kk += 4, bp += NV * 64) {
    const int32_t at = kWindows ? k_offsets[kk / 4] : kk;
    __m512i bv[NV];
    if constexpr (kRows == 1) {
      // One row: the tile streams its weights (and barely computes), so
      // ask for them well ahead.
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(bp + kPrefetchAhead + v * 64), _MM_HINT_T0);
    }
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_si512(bp + v * 64);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      int32_t four;
      std::memcpy(&four, ar[r] + at, 4);
      const __m512i av = _mm512_set1_epi32(four);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], av, bv[v]);
    }
  }
  // Weights beyond int8: their remainders' steps.
  const int panel_index = c0 / kVnniPanel;
  for (int i = w.excess_step_begin[panel_index]; i < w.excess_step_begin[panel_index + 1]; ++i) {
    const VnniConv::ExcessStep& s = w.excess_steps[i];
    const int32_t at = kWindows ? k_offsets[s.group] : 4 * s.group;
    const __m512i bv = _mm512_loadu_si512(s.w);
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (v != s.vector) continue;
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        int32_t four;
        std::memcpy(&four, ar[r] + at, 4);
        acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], _mm512_set1_epi32(four), bv);
      }
    }
  }
  const __m512i out_offset = _mm512_set1_epi32(w.output_offset);
  // Requantize in place (output offset added, not yet clamped, except
  // after the float form: see below); constant row indices keep the
  // accumulators in registers, and each branch loads only the constants it
  // uses.
  const bool as_float = w.requant.as_float.has_value();
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int c = c0 + v * 16;
    if (as_float) {
      if (w.requant.as_float->two_pieces) {
        RequantizeColumnFloat<true, NV, kRows>(acc, v, rows, *w.requant.as_float, c);
      } else {
        RequantizeColumnFloat<false, NV, kRows>(acc, v, rows, *w.requant.as_float, c);
      }
      continue;
    }
    const __m512i mult = _mm512_loadu_si512(w.requant.multiplier.data() + c);
    const __m512i ls = _mm512_loadu_si512(w.requant.left_shift.data() + c);
    if (w.requant.one_step) {
      // One loop per variant, so that each keeps only its own constants in
      // registers beside the 24 accumulators.
      const OneStepConstants& k = w.requant.one_step_constants[c / 16];
      if (w.requant.clamped_below) {
        if (w.requant.any_left_shift) {
          RequantizeColumn<true, false, NV, kRows>(acc, v, rows, mult, ls, k);
        } else {
          RequantizeColumn<false, false, NV, kRows>(acc, v, rows, mult, ls, k);
        }
      } else if (w.requant.any_left_shift) {
        RequantizeColumn<true, true, NV, kRows>(acc, v, rows, mult, ls, k);
      } else {
        RequantizeColumn<false, true, NV, kRows>(acc, v, rows, mult, ls, k);
      }
      continue;
    }
    const __m512i rs = _mm512_loadu_si512(w.requant.right_shift.data() + c);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      if (r >= rows) break;
      const __m512i x = acc[r][v];
      acc[r][v] = _mm512_add_epi32(w.requant.any_left_shift
                                       ? MultiplyByQuantizedMultiplier16<true>(x, mult, ls, rs)
                                       : MultiplyByQuantizedMultiplier16<false>(x, mult, ls, rs),
                                   out_offset);
    }
  }
  const Narrowing narrowing = MakeNarrowing(as_float, w.output_offset, w.act_min, w.act_max);
  // Rows of 16 (32) channels that lie exactly 16 (32) bytes apart fill 64
  // contiguous bytes four (two) at a time: one Narrow and one store
  // for them, where each row took a narrowing store of its own. Vector j
  // of a group is acc[r + j / NV][j % NV].
  constexpr int kGroup = NV == 1 ? 4 : NV == 2 ? 2 : 1;
  if constexpr (kGroup > 1 && kRows % kGroup == 0) {
    if (ldc == NV * 16 && w.n - c0 >= NV * 16) {
#pragma GCC unroll 12
      for (int r = 0; r < kRows; r += kGroup) {
        if (r >= rows) break;
        _mm512_mask_storeu_epi8(out + r * ldc + c0, FirstLanes64((rows - r) * NV * 16),
                                Narrow<T>(narrowing, acc[r][0], acc[r + 1 / NV][1 % NV],
                                          acc[r + 2 / NV][2 % NV], acc[r + 3 / NV][3 % NV]));
      }
      return;
    }
  }
  if constexpr (NV == 4 || NV == 2) {
    // Narrow the 64 (32) channels of a row at once and store 64 (32)
    // bytes.
    const int valid = std::min(NV * 16, w.n - c0);
    const __mmask64 store = FirstLanes64(valid);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      if (r >= rows) break;
      // Two vectors: the upper half of the result repeats the lower one and
      // is not stored.
      _mm512_mask_storeu_epi8(out + r * ldc + c0, store,
                              Narrow<T>(narrowing, acc[r][0], acc[r][1], acc[r][NV == 4 ? 2 : 0],
                                        acc[r][NV == 4 ? 3 : 1]));
    }
    return;
  }
  const __m512i lo = _mm512_set1_epi32(w.act_min), hi = _mm512_set1_epi32(w.act_max);
  const __m512i offset32 = _mm512_set1_epi32(as_float ? w.output_offset : 0);
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int c = c0 + v * 16;
    if (c >= w.n) break;
    const __mmask16 store = FirstLanes16(w.n - c);
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) {
      if (r >= rows) break;
      _mm512_mask_cvtepi32_storeu_epi8(
          out + r * ldc + c, store,
          _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(acc[r][v], offset32), lo), hi));
    }
  }
}

template <int NV, bool kWindows, typename T>
EDGETL_VNNI_TARGET void PanelTiles(const VnniConv& w, TileRows in, int rows, const uint8_t* panel,
                                   int c0, T* out, size_t ldc) {
  // One row (a classifier, a fully connected layer of batch 1): a tile one
  // row high, not kTileRows copies of it; the weights streaming in bound it.
  if (rows == 1) {
    Tile<NV, kWindows, 1>(w, in, 1, panel, c0, out, ldc);
    return;
  }
  constexpr int kRows = kTileRows<NV>;
  for (int r = 0; r < rows; r += kRows) {
    const TileRows tile_in = kWindows ? TileRows{nullptr, 0, in.windows + r}
                                      : TileRows{in.a + r * in.lda, in.lda, nullptr};
    Tile<NV, kWindows, kRows>(w, tile_in, std::min(kRows, rows - r), panel, c0, out + r * ldc, ldc);
  }
}

// Lanes 0-7 of v in lanes 8-15 as well.
EDGETL_VNNI_TARGET inline __m512i DuplicateLow8(__m512i v) {
  return _mm512_shuffle_i64x2(v, v, 0x44);
}
EDGETL_VNNI_TARGET inline __m512 DuplicateLow8(__m512 v) {
  return _mm512_shuffle_f32x4(v, v, 0x44);
}

// The 4 bytes at `at` of rows 2p (lanes 0-7) and 2p + 1 (lanes 8-15).
EDGETL_VNNI_TARGET inline __m512i PairBytes(const uint8_t* const* a, int p, int32_t at) {
  int32_t first, second;
  std::memcpy(&first, a[2 * p] + at, 4);
  std::memcpy(&second, a[2 * p + 1] + at, 4);
  return _mm512_mask_set1_epi32(_mm512_set1_epi32(first), 0xFF00, second);
}

// Layers of exactly 8 channels (MobileNet V1 0.25's first layer) with the
// float requantization: two output pixels per 16 lanes (pixel r in lanes
// 0-7, r + 1 in 8-15, the weights in both halves), where a 16-channel tile
// would leave half its lanes, products and requantizations idle. The two
// pixels' outputs are 16 contiguous bytes (ldc is 8). The constants every
// pair tile uses, loaded once:
struct PairConstants {
  __m512i konst, split, out_offset, lo, hi;
  __m512 scale, offset, below;
};

constexpr int kPairs = 8;  // accumulators per pair tile: 16 pixels

// Up to 2 * kPairs rows from `in`. Not inlined: inside the caller's loop
// GCC copied every accumulator to another register and back at each depth
// step, twice the instructions of the loop.
template <bool kWindows, bool kTwoPieces, typename T>
EDGETL_VNNI_TARGET __attribute__((noinline)) void PairTile(const VnniConv& w,
                                                           const PairConstants& c, TileRows in,
                                                           int rows, T* out) {
  const int pairs = (rows + 1) / 2;
  const uint8_t* a[2 * kPairs];
  __m512i acc[kPairs];
#pragma GCC unroll 24
  for (int i = 0; i < 2 * kPairs; ++i) {
    const int row = i < rows ? i : 0;  // spare rows recompute row 0
    a[i] = kWindows ? in.windows[row] : in.a + row * in.lda;
  }
#pragma GCC unroll 12
  for (int p = 0; p < kPairs; ++p) acc[p] = c.konst;
  const int32_t* k_offsets = w.k_offsets.data();
  const uint8_t* bp = w.b.data();
  for (int kk = 0; kk < w.k4; kk += 4, bp += 64) {
    const int32_t at = kWindows ? k_offsets[kk / 4] : kk;
    const __m512i bv = DuplicateLow8(_mm512_loadu_si512(bp));
#pragma GCC unroll 12
    for (int p = 0; p < kPairs; ++p) acc[p] = _mm512_dpbusd_epi32(acc[p], PairBytes(a, p, at), bv);
  }
  // Weights beyond int8: their remainders' steps, for both pixels.
  for (int i = w.excess_step_begin[0]; i < w.excess_step_begin[1]; ++i) {
    const VnniConv::ExcessStep& s = w.excess_steps[i];
    const int32_t at = kWindows ? k_offsets[s.group] : 4 * s.group;
    const __m512i bv = DuplicateLow8(_mm512_loadu_si512(s.w));
#pragma GCC unroll 12
    for (int p = 0; p < kPairs; ++p) acc[p] = _mm512_dpbusd_epi32(acc[p], PairBytes(a, p, at), bv);
  }
#pragma GCC unroll 12
  for (int p = 0; p < kPairs; ++p) {
    if (p >= pairs) break;
    const __m512i v = kTwoPieces ? RequantizeFloat16(acc[p], c.scale, c.offset, c.below, c.split)
                                 : RequantizeFloat16(acc[p], c.scale, c.offset);
    const __mmask16 store = 2 * p + 1 < rows ? 0xFFFF : 0x00FF;
    _mm512_mask_cvtepi32_storeu_epi8(
        out + static_cast<size_t>(2 * p) * 8, store,
        _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(v, c.out_offset), c.lo), c.hi));
  }
}

template <bool kWindows, bool kTwoPieces, typename T>
EDGETL_VNNI_TARGET void PairTiles(const VnniConv& w, TileRows in, int rows, T* out) {
  const FloatRequantization& f = *w.requant.as_float;
  PairConstants c;
  c.konst = DuplicateLow8(_mm512_loadu_si512(w.col_const.data()));
  c.scale = DuplicateLow8(_mm512_loadu_ps(f.scale.data()));
  c.offset = DuplicateLow8(_mm512_loadu_ps(f.offset.data()));
  c.below = kTwoPieces ? DuplicateLow8(_mm512_loadu_ps(f.offset_below.data())) : c.offset;
  c.split = kTwoPieces ? DuplicateLow8(_mm512_loadu_si512(f.split.data())) : __m512i{};
  c.out_offset = _mm512_set1_epi32(w.output_offset);
  c.lo = _mm512_set1_epi32(w.act_min);
  c.hi = _mm512_set1_epi32(w.act_max);
  for (int r = 0; r < rows; r += 2 * kPairs) {
    const TileRows tile_in = kWindows ? TileRows{nullptr, 0, in.windows + r}
                                      : TileRows{in.a + r * in.lda, in.lda, nullptr};
    PairTile<kWindows, kTwoPieces>(w, c, tile_in, std::min(2 * kPairs, rows - r),
                                   out + static_cast<size_t>(r) * 8);
  }
}

template <bool kWindows, typename T>
EDGETL_VNNI_TARGET void Gemm(const VnniConv& w, TileRows in, int rows, int p_begin, int p_end,
                             T* out, size_t ldc) {
  if (w.n == 8 && ldc == 8 && w.requant.as_float && p_begin == 0 && p_end == 1) {
    if (w.requant.as_float->two_pieces) {
      PairTiles<kWindows, true>(w, in, rows, out);
    } else {
      PairTiles<kWindows, false>(w, in, rows, out);
    }
    return;
  }
  for (int p = p_begin; p < p_end; ++p) {
    const int c0 = p * kVnniPanel;
    const int width = std::min(kVnniPanel, w.n16 - c0);
    const uint8_t* panel = w.b.data() + static_cast<size_t>(c0) * w.k4;
    switch (width / 16) {
      case 4:
        PanelTiles<4, kWindows>(w, in, rows, panel, c0, out, ldc);
        break;
      case 3:
        PanelTiles<3, kWindows>(w, in, rows, panel, c0, out, ldc);
        break;
      case 2:
        PanelTiles<2, kWindows>(w, in, rows, panel, c0, out, ldc);
        break;
      default:
        PanelTiles<1, kWindows>(w, in, rows, panel, c0, out, ldc);
    }
  }
}

}  // namespace

template <typename T>
void GemmVnni(const VnniConv& w, const uint8_t* a, size_t lda, int rows, int p_begin, int p_end,
              T* out, size_t ldc) {
  Gemm<false>(w, {a, lda, nullptr}, rows, p_begin, p_end, out, ldc);
}

template <typename T>
void GemmVnniWindows(const VnniConv& w, const uint8_t* const* windows, int rows, int p_begin,
                     int p_end, T* out, size_t ldc) {
  Gemm<true>(w, {nullptr, 0, windows}, rows, p_begin, p_end, out, ldc);
}

namespace {

// Copies n bytes of T as uint8 (int8 flipped: + 128) with masked 64-byte
// moves: no library call for the short runs of im2row (one tap of a
// few-channel input), and no access past either buffer.
template <typename T>
EDGETL_VNNI_TARGET inline void CopyMasked(uint8_t* dst, const T* src, size_t n) {
  const __m512i flip = _mm512_set1_epi8(std::is_same_v<T, int8_t> ? static_cast<char>(0x80) : 0);
  if (n <= 16) {
    // The narrowest width that fits: a masked access whose full width
    // crosses a page is slow even where the mask excludes the far side.
    const __mmask16 m = FirstLanes16(n);
    _mm_mask_storeu_epi8(dst, m,
                         _mm_xor_si128(_mm_maskz_loadu_epi8(m, src), _mm512_castsi512_si128(flip)));
    return;
  }
  for (size_t i = 0; i < n; i += 64) {
    const __mmask64 m = FirstLanes64(n - i);
    _mm512_mask_storeu_epi8(dst + i, m,
                            _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, src + i), flip));
  }
}

EDGETL_VNNI_TARGET inline void FillMasked(uint8_t* dst, uint8_t value, size_t n) {
  const __m512i v = _mm512_set1_epi8(static_cast<char>(value));
  for (size_t i = 0; i < n; i += 64) {
    const __mmask64 m = FirstLanes64(n - i);
    _mm512_mask_storeu_epi8(dst + i, m, v);
  }
}

template <typename T>
EDGETL_VNNI_TARGET void Im2Row(const reference::ConvGeometry& g, const VnniConv& w, const T* input,
                               int m0, int rows, uint8_t* a) {
  const int pixels = g.out_h * g.out_w;
  const size_t run = static_cast<size_t>(g.filter_w) * g.in_c;  // one window row, contiguous
  // Position of the first row; later rows step through it without divisions.
  int b = m0 / pixels, oy = (m0 % pixels) / g.out_w, ox = m0 % g.out_w;
  for (int r = 0; r < rows; ++r, ++ox) {
    if (ox == g.out_w) {
      ox = 0;
      if (++oy == g.out_h) {
        oy = 0;
        ++b;
      }
    }
    const int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
    const bool cols_inside = x0 >= 0 && x0 + (g.filter_w - 1) * g.dilation_w < g.in_w;
    uint8_t* dst = a + static_cast<size_t>(r) * w.k4;
    for (int fy = 0; fy < g.filter_h; ++fy) {
      const int iy = y0 + fy * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        FillMasked(dst, w.a_pad, run);
        dst += run;
        continue;
      }
      const T* src_row = input + (static_cast<size_t>(b) * g.in_h + iy) * g.in_w * g.in_c;
      if (cols_inside && g.dilation_w == 1) {
        CopyMasked(dst, src_row + static_cast<size_t>(x0) * g.in_c, run);
        dst += run;
        continue;
      }
      for (int fx = 0; fx < g.filter_w; ++fx, dst += g.in_c) {
        const int ix = x0 + fx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) {
          FillMasked(dst, w.a_pad, g.in_c);
        } else {
          CopyMasked(dst, src_row + static_cast<size_t>(ix) * g.in_c, g.in_c);
        }
      }
    }
    FillMasked(dst, 0, w.k4 - w.k);
  }
}

}  // namespace

template <typename T>
void Im2RowVnni(const reference::ConvGeometry& g, const VnniConv& w, const T* input, int m0,
                int rows, uint8_t* a) {
  Im2Row(g, w, input, m0, rows, a);
}

EDGETL_VNNI_TARGET void FlipRowsVnni(const int8_t* input, size_t bytes, uint8_t* a) {
  CopyMasked(a, input, bytes);
}

template <typename T>
EDGETL_VNNI_TARGET void PadInputVnni(const reference::ConvGeometry& g, const VnniConv& w,
                                     const T* input, int row_begin, int row_end, uint8_t* padded) {
  const PaddedInput shape = PaddedInputShape(g);
  const size_t in_c = static_cast<size_t>(g.in_c);
  // Input columns [x_begin, x_end) land at padded columns + pad_w.
  const int x_begin = std::max(0, -g.pad_w);
  const int x_end = std::min(g.in_w, shape.width - g.pad_w);
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / shape.rows, iy = row % shape.rows - g.pad_h;
    uint8_t* dst = padded + static_cast<size_t>(row) * shape.row_bytes;
    if (iy < 0 || iy >= g.in_h || x_begin >= x_end) {
      FillMasked(dst, w.a_pad, shape.row_bytes);
      continue;
    }
    const size_t left = (x_begin + g.pad_w) * in_c, middle = (x_end - x_begin) * in_c;
    FillMasked(dst, w.a_pad, left);
    CopyMasked(dst + left,
               input + ((static_cast<size_t>(b) * g.in_h + iy) * g.in_w + x_begin) * in_c, middle);
    FillMasked(dst + left + middle, w.a_pad, shape.row_bytes - left - middle);
  }
}

#else
template <typename T>
void GemmVnni(const VnniConv&, const uint8_t*, size_t, int, int, int, T*, size_t) {
  // Never called: HasAvx512Vnni() is false where this code is not built.
}
void FlipRowsVnni(const int8_t*, size_t, uint8_t*) {}
template <typename T>
void Im2RowVnni(const reference::ConvGeometry&, const VnniConv&, const T*, int, int, uint8_t*) {}
template <typename T>
void GemmVnniWindows(const VnniConv&, const uint8_t* const*, int, int, int, T*, size_t) {}
template <typename T>
void PadInputVnni(const reference::ConvGeometry&, const VnniConv&, const T*, int, int, uint8_t*) {}
#endif

template VnniConv PackVnniConv<uint8_t>(const uint8_t*, int, int, const int32_t*,
                                        const reference::ConvQuant&, const ParallelFor&, bool);
template VnniConv PackVnniConv<int8_t>(const int8_t*, int, int, const int32_t*,
                                       const reference::ConvQuant&, const ParallelFor&, bool);
template void Im2RowVnni<uint8_t>(const reference::ConvGeometry&, const VnniConv&, const uint8_t*,
                                  int, int, uint8_t*);
template void Im2RowVnni<int8_t>(const reference::ConvGeometry&, const VnniConv&, const int8_t*,
                                 int, int, uint8_t*);
template VnniConv PackVnniConvWindows<uint8_t>(const uint8_t*, const reference::ConvGeometry&,
                                               const int32_t*, const reference::ConvQuant&,
                                               const ParallelFor&);
template VnniConv PackVnniConvWindows<int8_t>(const int8_t*, const reference::ConvGeometry&,
                                              const int32_t*, const reference::ConvQuant&,
                                              const ParallelFor&);
template void PadInputVnni<uint8_t>(const reference::ConvGeometry&, const VnniConv&, const uint8_t*,
                                    int, int, uint8_t*);
template void PadInputVnni<int8_t>(const reference::ConvGeometry&, const VnniConv&, const int8_t*,
                                   int, int, uint8_t*);
template void GemmVnniWindows<uint8_t>(const VnniConv&, const uint8_t* const*, int, int, int,
                                       uint8_t*, size_t);
template void GemmVnniWindows<int8_t>(const VnniConv&, const uint8_t* const*, int, int, int,
                                      int8_t*, size_t);
template void GemmVnni<uint8_t>(const VnniConv&, const uint8_t*, size_t, int, int, int, uint8_t*,
                                size_t);
template void GemmVnni<int8_t>(const VnniConv&, const uint8_t*, size_t, int, int, int, int8_t*,
                               size_t);

}  // namespace edgetl::optimized
