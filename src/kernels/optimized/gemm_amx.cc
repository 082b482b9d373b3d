#include "kernels/optimized/gemm_amx.h"

#include <algorithm>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/requantize_avx512.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl::optimized {

std::vector<int32_t> SignedRowsConstants(const VnniConv& w) {
  std::vector<int32_t> k = w.col_const;
  for (int c = 0; c < w.n; ++c) {
    const int panel = c / kVnniPanel, lane = c % kVnniPanel;
    const int width = std::min(kVnniPanel, w.n16 - panel * kVnniPanel);
    const uint8_t* b = w.b.data() + static_cast<size_t>(panel) * kVnniPanel * w.k4;
    uint32_t sum = 0;  // wrapping, as col_const
    for (int i = 0; i < w.k4; ++i) {
      sum += static_cast<uint32_t>(
          static_cast<int8_t>(b[(static_cast<size_t>(i / 4) * width + lane) * 4 + i % 4]));
    }
    k[c] = static_cast<int32_t>(static_cast<uint32_t>(k[c]) + 128u * sum);
  }
  return k;
}

std::optional<AmxForm> MakeAmxForm(VnniConv* w, const reference::ConvQuant& q,
                                   const int32_t* col_const, const ParallelFor& parallel) {
  if (!HasAmxInt8()) return std::nullopt;
  std::optional<FloatRequantization> f =
      ProveFloatRequantization(q, w->ranges.data(), w->n, w->n16, parallel, w->n / 32, col_const);
  if (f) return AmxForm{std::move(*f), true};
  ChannelRequantization& r = w->requant;
  if (!r.as_float && !r.partly_float) AddFloatForm(q, w->n, w->n16, w->ranges.data(), parallel, &r);
  if (r.as_float) return AmxForm{*r.as_float, false};
  if (r.partly_float) return AmxForm{*r.partly_float, false};
  return std::nullopt;
}

#if EDGETL_HAVE_VNNI_CODE
#define EDGETL_AMX_TARGET \
  __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,amx-tile,amx-int8")))

namespace {

// Tile registers: 0-3 accumulators (rows x 16 int32, as 2 x 2 blocks of
// 16 rows and 16 channels), 4-5 activations (rows x chunk bytes), 6-7
// weights (chunk / 4 rows of 16 channels x 4 bytes).
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

// `upper` rows in the first row of tiles (accumulators 0, 1, activations
// 4), `lower` in the second (2, 3, 5; 0: as upper, unused).
TileConfig MakeTileConfig(int upper, int lower, int chunk) {
  TileConfig c;
  const uint8_t second = static_cast<uint8_t>(lower > 0 ? lower : upper);
  for (int t = 0; t < 4; ++t) {
    c.rows[t] = t < 2 ? static_cast<uint8_t>(upper) : second;
    c.colsb[t] = 64;
  }
  for (int t = 4; t < 6; ++t) {
    c.rows[t] = t == 4 ? static_cast<uint8_t>(upper) : second;
    c.colsb[t] = static_cast<uint16_t>(chunk);
  }
  for (int t = 6; t < 8; ++t) {
    c.rows[t] = static_cast<uint8_t>(chunk / 4);
    c.colsb[t] = 64;
  }
  return c;
}

// GCC's _tile_loadconfig declares a read of only the configuration's first
// 8 bytes, so stores to the rest could be dropped as dead: the empty asm
// with a memory clobber (and the address) keeps them.
EDGETL_AMX_TARGET inline void LoadTileConfig(const TileConfig& config) {
  asm volatile("" : : "r"(&config) : "memory");
  _tile_loadconfig(&config);
}

// Depth bytes per tile multiply: the largest multiple of 4 up to 64 that
// divides the depth, so that no tile reads past a row (MobileNet's depths
// 96, 144, 160 take 48, 48, 40; 8, 16, 24 their whole).
int DepthChunk(int k4) {
  for (int chunk = 64; chunk > 4; chunk -= 4) {
    if (k4 % chunk == 0) return chunk;
  }
  return 4;
}

// int32 per row of the accumulator buffer: a whole panel (64 channels), so
// that the epilogue narrows 64 outputs at a time (two blocks of 32 fill it).
constexpr int kAccStride = kVnniPanel;

// The same channels' weights in the panel a block runs next (a GEMM walks
// the weights once per 32 rows, panel after panel): `lines` (0-2) cache
// lines of each weight row, rows `ld` bytes apart from `b`. A layer's
// weights are read from L3 on its first walk (the whole model's do not fit
// in L2), and the hardware prefetchers do not run far enough ahead of
// tile loads that take 64 or 128 bytes of every 256. Prefetching the next
// panel while this one computes, on the first walk only (later walks find
// the weights in L2), made MobileNet V2's 7x7 960-channel layers faster in
// 7 of 8 paired runs on 1 and on 2 threads: 7-13% on 1 thread, more when
// other guests load the machine's memory.
struct NextWeights {
  const uint8_t* b = nullptr;
  size_t ld = 0;
  int lines = 0;
};

// MT x NT blocks of 16 rows x 16 channels: rows a (lda apart), channels of
// the weight rows b (ldb apart), accumulated over the whole depth and
// stored to acc, rows acc_ld int32 apart; `next` prefetched into L1 as it
// goes. Each row's second 16 channels are stored before its first: where
// acc_ld < 32 (a compact layout, see RowBlock) their lanes past the row
// land on the next row's first channels, which the first 16's store then
// rewrites.
template <int MT, int NT, bool kSigned>
EDGETL_AMX_TARGET void Block(const uint8_t* a, size_t lda, const uint8_t* b, size_t ldb, int k4,
                             int chunk, int32_t* acc, int acc_ld, const NextWeights& next) {
  _tile_zero(0);
  if constexpr (NT == 2) _tile_zero(1);
  if constexpr (MT == 2) _tile_zero(2);
  if constexpr (MT == 2 && NT == 2) _tile_zero(3);
  const uint8_t* a1 = a + 16 * lda;
  for (int k = 0; k < k4; k += chunk) {
    const uint8_t* bk = b + static_cast<size_t>(k / 4) * ldb;
    for (int i = k / 4; next.lines > 0 && i < (k + chunk) / 4; ++i) {
      const char* row = reinterpret_cast<const char*>(next.b + static_cast<size_t>(i) * next.ld);
      for (int line = 0; line < next.lines; ++line) _mm_prefetch(row + 64 * line, _MM_HINT_T0);
    }
    _tile_loadd(4, a + k, lda);
    if constexpr (MT == 2) _tile_loadd(5, a1 + k, lda);
    _tile_loadd(6, bk, ldb);
    if constexpr (NT == 2) _tile_loadd(7, bk + 64, ldb);
    if constexpr (kSigned) {
      _tile_dpbssd(0, 4, 6);
      if constexpr (NT == 2) _tile_dpbssd(1, 4, 7);
      if constexpr (MT == 2) _tile_dpbssd(2, 5, 6);
      if constexpr (MT == 2 && NT == 2) _tile_dpbssd(3, 5, 7);
    } else {
      _tile_dpbusd(0, 4, 6);
      if constexpr (NT == 2) _tile_dpbusd(1, 4, 7);
      if constexpr (MT == 2) _tile_dpbusd(2, 5, 6);
      if constexpr (MT == 2 && NT == 2) _tile_dpbusd(3, 5, 7);
    }
  }
  const size_t stride_bytes = acc_ld * sizeof(int32_t);
  int32_t* lower = acc + 16 * acc_ld;
  if constexpr (NT == 2) _tile_stored(1, acc + 16, stride_bytes);
  _tile_stored(0, acc, stride_bytes);
  if constexpr (MT == 2 && NT == 2) _tile_stored(3, lower + 16, stride_bytes);
  if constexpr (MT == 2) _tile_stored(2, lower, stride_bytes);
}

using BlockFn = void (*)(const uint8_t*, size_t, const uint8_t*, size_t, int, int, int32_t*, int,
                         const NextWeights&);

template <bool kSigned>
BlockFn SelectBlock(int mt, int nt) {
  if (mt == 2) return nt == 2 ? Block<2, 2, kSigned> : Block<2, 1, kSigned>;
  return nt == 2 ? Block<1, 2, kSigned> : Block<1, 1, kSigned>;
}

// Rows of the NV * 16 channels of the panel from c0 in acc: the constant
// term (kConstants: f takes the whole accumulator), the weights beyond int8
// (u8 rows only: signed rows have none), float requantization, clamp,
// bytes.
template <typename T, bool kTwoPieces, bool kConstants, int NV>
EDGETL_AMX_TARGET void Epilogue(const VnniConv& w, const FloatRequantization& f,
                                const int32_t* col_const, int32_t* acc, int rows, int c0,
                                const uint8_t* a, size_t lda, T* out, size_t ldc) {
  const int panel = c0 / kVnniPanel;
  for (int i = w.excess_begin[panel]; i < w.excess_begin[panel + 1]; ++i) {
    const VnniConv::Excess& x = w.excess[i];
    const int lane = x.channel - c0;
    for (int r = 0; r < rows; ++r) acc[r * kAccStride + lane] += a[r * lda + x.k] * x.value;
  }
  __m512 scale[NV], offset[NV], below[NV];
  __m512i konst[NV], split[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int c = c0 + 16 * v;
    konst[v] = kConstants ? _mm512_loadu_si512(col_const + c) : __m512i{};
    scale[v] = _mm512_loadu_ps(f.scale.data() + c);
    offset[v] = _mm512_loadu_ps(f.offset.data() + c);
    below[v] = kTwoPieces ? _mm512_loadu_ps(f.offset_below.data() + c) : offset[v];
    split[v] = kTwoPieces ? _mm512_loadu_si512(f.split.data() + c) : __m512i{};
  }
  // As in the VNNI kernel's epilogue.
  const Narrowing narrowing = MakeNarrowing(true, w.output_offset, w.act_min, w.act_max);
  const __mmask64 store = FirstLanes64(std::min(16 * NV, w.n - c0));
  for (int r = 0; r < rows; ++r) {
    __m512i v[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; ++j) {
      __m512i x = _mm512_load_si512(acc + r * kAccStride + 16 * j);
      if constexpr (kConstants) x = _mm512_add_epi32(x, konst[j]);
      v[j] = kTwoPieces ? RequantizeFloat16(x, scale[j], offset[j], below[j], split[j])
                        : RequantizeFloat16(x, scale[j], offset[j]);
    }
    // Fewer than four vectors: the last one repeats, and is not stored.
    _mm512_mask_storeu_epi8(
        out + r * ldc + c0, store,
        Narrow<T>(narrowing, v[0], v[std::min(1, NV - 1)], v[std::min(2, NV - 1)], v[NV - 1]));
  }
  // Channels without a proven float form: TFLite's arithmetic on the whole
  // accumulator, one value at a time (a channel or two in a layer).
  for (const int c : f.unproven) {
    const int lane = c - c0;
    if (lane < 0 || lane >= 16 * NV) continue;
    const ChannelRequantization& q = w.requant;
    const int shift = q.left_shift[c] - q.right_shift[c];
    for (int r = 0; r < rows; ++r) {
      const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc[r * kAccStride + lane]) +
                                             static_cast<uint32_t>(col_const[c]));
      const int32_t v =
          fixedpoint::MultiplyByQuantizedMultiplier(x, q.multiplier[c], shift) + w.output_offset;
      out[r * ldc + c] = static_cast<T>(std::clamp(v, w.act_min, w.act_max));
    }
  }
}

template <typename T, bool kTwoPieces>
using EpilogueFn = void (*)(const VnniConv&, const FloatRequantization&, const int32_t*, int32_t*,
                            int, int, const uint8_t*, size_t, T*, size_t);

template <typename T, bool kTwoPieces, bool kConstants>
EpilogueFn<T, kTwoPieces> SelectEpilogue(int nv) {
  switch (nv) {
    case 4:
      return Epilogue<T, kTwoPieces, kConstants, 4>;
    case 3:
      return Epilogue<T, kTwoPieces, kConstants, 3>;
    case 2:
      return Epilogue<T, kTwoPieces, kConstants, 2>;
    default:
      return Epilogue<T, kTwoPieces, kConstants, 1>;
  }
}

// Layers of 8, 16 or 24 channels whose output rows are contiguous (ldc ==
// n) keep their accumulators compact, [row][n] as the outputs are, and
// requantize and narrow them 64 at a time, where the per-row epilogue
// spends a 64-byte narrowing (and for 8 and 24 channels idle lanes) on 8-24
// outputs: MobileNet V2's 112x112x16 and 56x56x24 projections ran 4-12%
// faster. (With 32, 48 and 64 channels the per-row epilogue wastes less
// than the compact one's constant loads cost: 4-35% slower.) The scale,
// offset (and the two-piece form's) for lane i of a 192-lane period are
// those of channel i % n.
constexpr int kCompactPeriod = 192;
struct CompactConstants {
  alignas(64) int32_t split[kCompactPeriod];
  alignas(64) float scale[kCompactPeriod], offset[kCompactPeriod], below[kCompactPeriod];
};

// (Only forms without the constant terms: every such layer of the
// MobileNets has one.)
bool CompactApplies(const VnniConv& w, const AmxForm& form, size_t ldc, int p_begin, int p_end) {
  return p_begin == 0 && p_end == 1 && ldc == static_cast<size_t>(w.n) &&
         (w.n == 8 || w.n == 16 || w.n == 24) && form.without_constants && form.f.unproven.empty();
}

void MakeCompactConstants(const VnniConv& w, const FloatRequantization& f, CompactConstants* k) {
  const size_t n = static_cast<size_t>(w.n);
  for (size_t i = 0; i < kCompactPeriod; i += n) {
    std::copy_n(f.split.data(), n, k->split + i);
    std::copy_n(f.scale.data(), n, k->scale + i);
    std::copy_n(f.offset.data(), n, k->offset + i);
    std::copy_n(f.offset_below.data(), n, k->below + i);
  }
}

// The outputs of `rows` rows in the compact layout (acc and out both
// [row][n]); the weights beyond int8 read rows a (lda apart).
template <typename T, bool kTwoPieces>
EDGETL_AMX_TARGET void CompactEpilogue(const VnniConv& w, const CompactConstants& k, int32_t* acc,
                                       int rows, const uint8_t* a, size_t lda, T* out) {
  const int n = w.n;
  for (const VnniConv::Excess& x : w.excess) {
    for (int r = 0; r < rows; ++r) acc[r * n + x.channel] += a[r * lda + x.k] * x.value;
  }
  const Narrowing narrowing = MakeNarrowing(true, w.output_offset, w.act_min, w.act_max);
  const int count = rows * n;
  for (int i = 0, phase = 0; i < count; i += 64, phase = (phase + 64) % kCompactPeriod) {
    __m512i v[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const int at = phase + 16 * j;
      const __m512i x = _mm512_load_si512(acc + i + 16 * j);
      const __m512 scale = _mm512_load_ps(k.scale + at), offset = _mm512_load_ps(k.offset + at);
      v[j] = kTwoPieces ? RequantizeFloat16(x, scale, offset, _mm512_load_ps(k.below + at),
                                            _mm512_load_si512(k.split + at))
                        : RequantizeFloat16(x, scale, offset);
    }
    _mm512_mask_storeu_epi8(out + i, FirstLanes64(count - i),
                            Narrow<T>(narrowing, v[0], v[1], v[2], v[3]));
  }
}

// `rows` (<= 32: mt = 2 covers 32, mt = 1 up to 16) rows from a through
// all channels of panels [p_begin, p_end): per panel, blocks of up to 32
// channels fill acc, then one epilogue.
// With `compact` (CompactApplies), the accumulators are [row][n] and the
// higher channel groups are stored first (see Block). `prefetch`: the
// call's first walk over the weights, which asks for each next panel
// (NextWeights).
template <typename T, bool kTwoPieces, bool kConstants>
EDGETL_AMX_TARGET void RowBlock(const VnniConv& w, const FloatRequantization& f,
                                const int32_t* col_const, const CompactConstants* compact,
                                const uint8_t* a, size_t lda, bool signed_rows, int rows, int mt,
                                int chunk, int p_begin, int p_end, T* out, size_t ldc, int32_t* acc,
                                bool prefetch) {
  const int acc_ld = compact ? w.n : kAccStride;
  for (int p = p_begin; p < p_end; ++p) {
    const int c_panel = p * kVnniPanel;
    const int nv = std::min(kVnniPanel, w.n16 - c_panel) / 16;
    const uint8_t* panel = w.b.data() + static_cast<size_t>(c_panel) * w.k4;
    const int next_nv =
        prefetch && p + 1 < p_end ? std::min(kVnniPanel, w.n16 - c_panel - kVnniPanel) / 16 : 0;
    const uint8_t* next_panel =
        next_nv > 0 ? panel + static_cast<size_t>(kVnniPanel) * w.k4 : nullptr;
    for (int g = (nv - 1) / 2 * 2; g >= 0; g -= 2) {
      const int nt = std::min(2, nv - g);
      const BlockFn block = signed_rows ? SelectBlock<true>(mt, nt) : SelectBlock<false>(mt, nt);
      const int lines = std::clamp(next_nv - g, 0, nt);
      const NextWeights next{lines > 0 ? next_panel + g * 64 : nullptr,
                             static_cast<size_t>(next_nv) * 64, lines};
      block(a, lda, panel + g * 64, static_cast<size_t>(nv) * 64, w.k4, chunk, acc + 16 * g, acc_ld,
            next);
    }
    if (compact) {
      CompactEpilogue<T, kTwoPieces>(w, *compact, acc, rows, a, lda, out);
    } else {
      SelectEpilogue<T, kTwoPieces, kConstants>(nv)(w, f, col_const, acc, rows, c_panel, a, lda,
                                                    out, ldc);
    }
  }
}

// kConstants: form.f takes the whole accumulators (!form.without_constants).
template <typename T, bool kTwoPieces, bool kConstants>
EDGETL_AMX_TARGET void Gemm(const VnniConv& w, const AmxForm& form, const int32_t* col_const,
                            const uint8_t* a, size_t lda, bool signed_rows, int rows, int p_begin,
                            int p_end, T* out, size_t ldc) {
  const int chunk = DepthChunk(w.k4);
  // Compact rows: the last row's second 16 channels may store past 32 * n.
  alignas(64) int32_t acc[32 * kAccStride + 16];
  CompactConstants compact_constants;
  const FloatRequantization& f = form.f;
  const bool compact = CompactApplies(w, form, ldc, p_begin, p_end);
  if (compact) MakeCompactConstants(w, f, &compact_constants);
  const CompactConstants* k = compact ? &compact_constants : nullptr;
  TileConfig config = MakeTileConfig(16, 16, chunk);
  LoadTileConfig(config);
  // The tile loads are asm statements without a memory operand: make the
  // caller's writes to the rows visible to them.
  asm volatile("" ::: "memory");
  int r = 0;
  for (; rows - r >= 32; r += 32) {
    RowBlock<T, kTwoPieces, kConstants>(w, f, col_const, k, a + r * lda, lda, signed_rows, 32, 2,
                                        chunk, p_begin, p_end, out + r * ldc, ldc, acc, r == 0);
  }
  if (r < rows) {
    // The last 1-31 rows in one pass, the second row of tiles shorter (49
    // rows, a 7x7 layer: 32 + 17 in two passes over the weights, not three).
    const int upper = std::min(16, rows - r), lower = rows - r - upper;
    config = MakeTileConfig(upper, lower, chunk);
    LoadTileConfig(config);
    RowBlock<T, kTwoPieces, kConstants>(w, f, col_const, k, a + r * lda, lda, signed_rows, rows - r,
                                        lower > 0 ? 2 : 1, chunk, p_begin, p_end, out + r * ldc,
                                        ldc, acc, r == 0);
  }
  _tile_release();
}

}  // namespace

template <typename T>
void GemmAmx(const VnniConv& w, const AmxForm& form, const int32_t* col_const, const uint8_t* a,
             size_t lda, bool signed_rows, int rows, int p_begin, int p_end, T* out, size_t ldc) {
  const auto gemm = form.f.two_pieces
                        ? (form.without_constants ? Gemm<T, true, false> : Gemm<T, true, true>)
                        : (form.without_constants ? Gemm<T, false, false> : Gemm<T, false, true>);
  gemm(w, form, col_const, a, lda, signed_rows, rows, p_begin, p_end, out, ldc);
}
#else
template <typename T>
void GemmAmx(const VnniConv&, const AmxForm&, const int32_t*, const uint8_t*, size_t, bool, int,
             int, int, T*, size_t) {
  // Never called: HasAmxInt8() is false where this code is not built.
}
#endif

template void GemmAmx<uint8_t>(const VnniConv&, const AmxForm&, const int32_t*, const uint8_t*,
                               size_t, bool, int, int, int, uint8_t*, size_t);
template void GemmAmx<int8_t>(const VnniConv&, const AmxForm&, const int32_t*, const uint8_t*,
                              size_t, bool, int, int, int, int8_t*, size_t);

}  // namespace edgetl::optimized
