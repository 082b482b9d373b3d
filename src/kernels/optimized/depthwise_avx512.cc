#include "kernels/optimized/depthwise_avx512.h"

#include <algorithm>
#include <type_traits>

#include "kernels/optimized/requantize_avx512.h"

namespace edgetl::optimized {

namespace {

bool ColumnKernelApplies(const reference::ConvGeometry& g) {
  return g.filter_h == 3 && g.filter_w == 3 && g.dilation_w == 1 &&
         (g.stride_w == 1 || g.stride_w == 2) && g.depth_multiplier == 1;
}

// Quarter k, lane l of a 64-channel block: the channel byte unpacking puts there.
int ColumnLaneChannel(int k, int l) { return 16 * (l / 4) + 4 * k + l % 4; }

template <typename W>
void PackColumnKernel(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                      DepthwiseAvx512* p) {
  constexpr bool kUnsigned = std::is_same_v<W, uint8_t>;
  const int channels = g.out_c;
  // w - zero point is p->w; the raw int8 bits differ from it by one constant.
  const int32_t raw_to_weight = q.filter_offset + (kUnsigned ? 128 : 0);
  auto fits = [&](int c) {
    for (int t = 0; t < 9; ++t) {
      const int32_t w = p->w[static_cast<size_t>(t) * p->c16 + c];
      if (w < -128 || w > 127) return false;
    }
    return true;
  };
  for (int c = 0; c < channels; ++c) p->kappa_used |= !fits(c);
  if (p->kappa_used && (raw_to_weight < -128 || raw_to_weight > 127)) return;  // 16-lane path
  // Stride 2: the even pixels of 2 * 64 / channels, picked in 8-byte units.
  const bool packs = channels < 64 && 64 % channels == 0 && (g.stride_w == 1 || channels % 8 == 0);
  p->pixels_per_block = packs ? 64 / channels : 1;
  const int tail = channels > 64 ? channels % 64 : 0;
  p->tail_pixels = tail == 16 || tail == 32 ? 64 / tail : 1;
  p->column_blocks.assign((channels + 63) / 64, DepthwiseAvx512::ColumnBlock{});
  const int32_t offset_u = ActivationByteOffset<W>(q.input_offset);
  for (size_t block = 0; block < p->column_blocks.size(); ++block) {
    DepthwiseAvx512::ColumnBlock& r = p->column_blocks[block];
    int32_t right_shift[4][16] = {};
    for (int k = 0; k < 4; ++k) {
      for (int l = 0; l < 16; ++l) {
        const bool tail_block = p->tail_pixels > 1 && block + 1 == p->column_blocks.size();
        const int c = p->pixels_per_block > 1 ? ColumnLaneChannel(k, l) % channels
                      : tail_block ? static_cast<int>(block) * 64 + ColumnLaneChannel(k, l) % tail
                                   : static_cast<int>(block) * 64 + ColumnLaneChannel(k, l);
        if (c >= channels) continue;
        const bool channel_fits = fits(c);
        int32_t sum = 0;
        for (int t = 0; t < 9; ++t) {
          const int32_t w = p->w[static_cast<size_t>(t) * p->c16 + c];  // w - zero point
          sum += w;
          const int8_t omega = static_cast<int8_t>(channel_fits ? w : w - raw_to_weight);
          r.omega[t % 3][k][4 * l + t / 3] = omega;
          r.omega_low[t % 3][k][4 * l + t / 3 + 1] = omega;
        }
        if (!channel_fits) {
          r.kappa_quarter[k] = true;
          for (int row = 0; row < 3; ++row) {
            r.kappa[k][4 * l + row] = static_cast<int8_t>(raw_to_weight);
            r.kappa_low[k][4 * l + row + 1] = static_cast<int8_t>(raw_to_weight);
          }
        }
        r.bias[k][l] = p->bias[c] + offset_u * sum;
        r.multiplier[k][l] = p->requant.multiplier[c];
        r.left_shift[k][l] = p->requant.left_shift[c];
        right_shift[k][l] = p->requant.right_shift[c];
        if (p->requant.as_float) {
          r.scale[k][l] = p->requant.as_float->scale[c];
          r.offset[k][l] = p->requant.as_float->offset[c];
        }
      }
      r.one_step[k] = MakeOneStepConstants(r.multiplier[k], right_shift[k], q.output_offset);
    }
  }
  p->zero_point_byte = static_cast<uint8_t>(-q.input_offset);
  p->padding_row.assign(static_cast<size_t>(g.in_w) * g.in_c,
                        static_cast<uint8_t>(-q.input_offset));
}

}  // namespace

template <typename W>
DepthwiseAvx512 PackDepthwiseAvx512(const W* filter, const reference::ConvGeometry& g,
                                    const int32_t* bias, const reference::ConvQuant& q,
                                    const ParallelFor& parallel) {
  DepthwiseAvx512 p;
  const int channels = g.out_c;
  p.taps = g.filter_h * g.filter_w;
  p.c16 = (channels + 15) / 16 * 16;
  p.w.assign(static_cast<size_t>(p.taps) * p.c16, 0);
  for (int t = 0; t < p.taps; ++t) {
    for (int c = 0; c < channels; ++c) {
      p.w[static_cast<size_t>(t) * p.c16 + c] =
          static_cast<int32_t>(filter[static_cast<size_t>(t) * channels + c]) + q.filter_offset;
    }
  }
  p.bias.assign(p.c16, 0);
  for (int c = 0; c < channels; ++c) p.bias[c] = bias ? bias[c] : 0;
  const int32_t alpha = ActivationByteOffset<W>(q.input_offset);
  std::vector<AccumulatorRange> ranges(channels);
  for (int c = 0; c < channels; ++c) {
    int64_t sum = 0, positive_sum = 0;
    for (int t = 0; t < p.taps; ++t) {
      const int32_t v = p.w[static_cast<size_t>(t) * p.c16 + c];
      sum += v;
      positive_sum += std::max(v, 0);
    }
    ranges[c] = RangeOfAccumulator(p.bias[c], alpha, sum, positive_sum);
  }
  p.requant = MakeChannelRequantization(q, channels, p.c16, ranges.data(), parallel);
  // The depthwise kernels take the float form in one piece only (MobileNets'
  // depthwise layers all have ReLU6, where it serves).
  if (p.requant.as_float && p.requant.as_float->two_pieces) p.requant.as_float.reset();
  if ((p.requant.one_step || p.requant.as_float) && ColumnKernelApplies(g)) {
    PackColumnKernel<W>(g, q, &p);
  }
  return p;
}

#if EDGETL_HAVE_VNNI_CODE
namespace {

// The column kernel's pieces are forced inline into each walk: with all
// the walks' instantiations in this file GCC's inliner stopped inlining
// them (a call per column and per pixel), which cost MobileNet V1 3%.
#define EDGETL_VNNI_INLINE EDGETL_VNNI_TARGET __attribute__((always_inline)) inline

// 16 channels from c of output pixels [ox_begin, ox_end) of one row, any
// window and position: taps outside the input are skipped as in the
// reference.
template <typename T>
EDGETL_VNNI_TARGET void Block16(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                const DepthwiseAvx512& p, const T* input, int b, int oy, int c,
                                int ox_begin, int ox_end, T* out_row) {
  const int c_out = g.out_c;
  const __mmask16 m = FirstLanes16(c_out - c);
  const __m512i in_offset = _mm512_set1_epi32(q.input_offset);
  const __m512i out_offset = _mm512_set1_epi32(q.output_offset);
  const __m512i lo = _mm512_set1_epi32(q.act_min), hi = _mm512_set1_epi32(q.act_max);
  const __m512i bias = _mm512_loadu_si512(p.bias.data() + c);
  const ChannelRequantization& rq = p.requant;
  const __m512i mult = _mm512_loadu_si512(rq.multiplier.data() + c);
  const __m512i ls = _mm512_loadu_si512(rq.left_shift.data() + c);
  const __m512i rs = _mm512_loadu_si512(rq.right_shift.data() + c);
  // Loaded once: the 8-bit stores below would force reloads in the loop.
  const OneStep16 k = rq.one_step ? LoadOneStep(rq.one_step_constants[c / 16]) : OneStep16{};
  const __m512 scale = rq.as_float ? _mm512_loadu_ps(rq.as_float->scale.data() + c) : __m512{};
  const __m512 offset = rq.as_float ? _mm512_loadu_ps(rq.as_float->offset.data() + c) : __m512{};
  const size_t pixel_step = static_cast<size_t>(g.in_c);
  const int y0 = oy * g.stride_h - g.pad_h;
  for (int ox = ox_begin; ox < ox_end; ++ox) {
    const int x0 = ox * g.stride_w - g.pad_w;
    __m512i acc = bias;
    for (int fy = 0; fy < g.filter_h; ++fy) {
      const int iy = y0 + fy * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) continue;
      const T* r = input + (static_cast<size_t>(b) * g.in_h + iy) * g.in_w * pixel_step + c;
      const int32_t* w_row = p.w.data() + static_cast<size_t>(fy * g.filter_w) * p.c16 + c;
      for (int fx = 0; fx < g.filter_w; ++fx) {
        const int ix = x0 + fx * g.dilation_w;
        if (ix < 0 || ix >= g.in_w) continue;
        const __m512i x = _mm512_add_epi32(Load16(r + ix * pixel_step, m), in_offset);
        const __m512i w = _mm512_loadu_si512(w_row + static_cast<size_t>(fx) * p.c16);
        acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(x, w));
      }
    }
    const __m512i r =
        rq.as_float
            ? _mm512_min_epi32(
                  _mm512_max_epi32(
                      _mm512_add_epi32(RequantizeFloat16(acc, scale, offset), out_offset), lo),
                  hi)
        : !rq.one_step     ? Requantize16(acc, mult, ls, rs, out_offset, lo, hi)
        : rq.clamped_below ? RequantizeOneStep16Clamped<true, false>(acc, mult, ls, k, lo, hi)
                           : RequantizeOneStep16Clamped<true, true>(acc, mult, ls, k, lo, hi);
    _mm512_mask_cvtepi32_storeu_epi8(out_row + static_cast<size_t>(ox) * c_out + c, m, r);
  }
}

// 64 bytes as u (see DepthwiseAvx512); masked-off bytes read the zero point.
// kWhole: m is all ones, and a plain load (one uop, where merging in the
// zero point takes a second on the vector ports) serves.
template <typename T, bool kWhole = false>
EDGETL_VNNI_INLINE __m512i LoadU64(const T* p, __mmask64 m, __m512i zero_point) {
  if constexpr (kWhole) return FlipInt8<T>(_mm512_loadu_si512(p));
  return FlipInt8<T>(_mm512_mask_loadu_epi8(zero_point, m, p));
}

// Four rows' 64 bytes of one window column as the four quarters of a
// block: per lane the bytes (row 0, row 1, row 2, row 3). With three rows
// r3 is r2 again, whose weight is 0.
EDGETL_VNNI_INLINE void Interleave(__m512i r0, __m512i r1, __m512i r2, __m512i r3, __m512i col[4]) {
  const __m512i a = _mm512_unpacklo_epi8(r0, r1), b = _mm512_unpackhi_epi8(r0, r1);
  const __m512i c = _mm512_unpacklo_epi8(r2, r3), d = _mm512_unpackhi_epi8(r2, r3);
  col[0] = _mm512_unpacklo_epi16(a, c);
  col[1] = _mm512_unpackhi_epi16(a, c);
  col[2] = _mm512_unpacklo_epi16(b, d);
  col[3] = _mm512_unpackhi_epi16(b, d);
}

// `at` bytes from p (may be negative: masked off). Integer arithmetic: the
// address may lie outside the row where the mask is 0.
template <typename T>
inline const T* BytesFrom(const T* p, ptrdiff_t at) {
  return reinterpret_cast<const T*>(reinterpret_cast<uintptr_t>(p) + at);
}

// Row t of `rows` at byte offset `at` (see BytesFrom).
template <typename T>
inline const T* RowAt(const T* const rows[4], int t, ptrdiff_t at) {
  return BytesFrom(rows[t], at);
}

// The 64 bytes at byte offset `at` (may be negative: masked off) of the
// window's three rows (kTwoRows: the four rows of two windows),
// interleaved; bytes outside `m` (columns outside the input) read the zero
// point (kWhole: m is all ones).
template <bool kTwoRows, bool kWhole = false, typename T>
EDGETL_VNNI_INLINE void Column(const T* const rows[4], ptrdiff_t at, __mmask64 m,
                               __m512i zero_point, __m512i col[4]) {
  const __m512i r2 = LoadU64<T, kWhole>(RowAt(rows, 2, at), m, zero_point);
  Interleave(LoadU64<T, kWhole>(RowAt(rows, 0, at), m, zero_point),
             LoadU64<T, kWhole>(RowAt(rows, 1, at), m, zero_point), r2,
             kTwoRows ? LoadU64<T, kWhole>(RowAt(rows, 3, at), m, zero_point) : r2, col);
}

// Stride 2, several pixels per block: the 128 bytes at `at` (masks m_lo,
// m_hi for their halves) of each row, of which the even pixels of `select`
// (8-byte units) make the column.
template <typename T>
EDGETL_VNNI_INLINE void EvenColumn(const T* const rows[4], ptrdiff_t at, __mmask64 m_lo,
                                   __mmask64 m_hi, __m512i select, __m512i zero_point,
                                   __m512i col[4]) {
  __m512i r[3];
  for (int t = 0; t < 3; ++t) {
    r[t] = _mm512_permutex2var_epi64(LoadU64(RowAt(rows, t, at), m_lo, zero_point), select,
                                     LoadU64(RowAt(rows, t, at + 64), m_hi, zero_point));
  }
  Interleave(r[0], r[1], r[2], r[2], col);
}

// Bits [begin, end) of a 64-bit mask, 0 <= begin < end <= 64.
inline __mmask64 ByteRange(int begin, int end) { return FirstLanes64(end) & ~FirstLanes64(begin); }

// How the column kernel requantizes: the float form, or the one-step form
// with or without the correction for negative products.
enum class ColumnRequant { kFloat, kClampedBelow, kExact };

// Output pixels of a 64-channel block, requantized and narrowed to 64
// bytes in channel order: kX adjacent pixels of a row, pixel x from the
// window columns cols[kStep * x .. kStep * x + 2] (quarters each; kStep
// the stride), with the upper row's weights (omega, kappa) and with kRows
// 2 also the lower row's (omega_low, kappa_low) from the same columns;
// pixels[x * kRows + row].
// Quarter by quarter, so that all of them use one load of the quarter's
// weights, bias and requantization constants, and pairs of quarters are
// packed as they are done (fewer registers live).
template <typename T, bool kKappa, ColumnRequant kRequant, int kRows, int kX = 1, int kStep = 1>
EDGETL_VNNI_INLINE void ColumnPixels(const DepthwiseAvx512::ColumnBlock& r,
                                     const __m512i* const cols[(kX - 1) * kStep + 3],
                                     const Narrowing& n, __m512i pixels[kX * kRows]) {
  constexpr int kPixels = kX * kRows;
  __m512i packed[kPixels][2];
#pragma GCC unroll 2
  for (int half = 0; half < 2; ++half) {
    __m512i out[kPixels][2];
#pragma GCC unroll 2
    for (int j = 0; j < 2; ++j) {
      const int k = 2 * half + j;
      const __m512i bias = _mm512_load_si512(r.bias[k]);
      __m512i acc[kPixels];
#pragma GCC unroll 4
      for (int i = 0; i < kPixels; ++i) acc[i] = bias;
#pragma GCC unroll 3
      for (int col = 0; col < 3; ++col) {
        const __m512i w = _mm512_load_si512(r.omega[col][k]);
        const __m512i w_low = kRows == 2 ? _mm512_load_si512(r.omega_low[col][k]) : w;
#pragma GCC unroll 2
        for (int x = 0; x < kX; ++x) {
          const __m512i u = cols[kStep * x + col][k];
          acc[x * kRows] = _mm512_dpbusd_epi32(acc[x * kRows], u, w);
          if constexpr (kRows == 2)
            acc[x * kRows + 1] = _mm512_dpbusd_epi32(acc[x * kRows + 1], u, w_low);
        }
      }
      // Only the few channels whose weights reach past int8 (usually the
      // one or two that set the layer's range) need the second product.
      if (kKappa && r.kappa_quarter[k]) {
        const __m512i kk = _mm512_load_si512(r.kappa[k]);
        const __m512i kk_low = _mm512_load_si512(r.kappa_low[k]);
#pragma GCC unroll 3
        for (int col = 0; col < 3; ++col) {
#pragma GCC unroll 2
          for (int x = 0; x < kX; ++x) {
            const __m512i u = cols[kStep * x + col][k];
            acc[x * kRows] = _mm512_dpbusd_epi32(acc[x * kRows], u, kk);
            if constexpr (kRows == 2) {
              acc[x * kRows + 1] = _mm512_dpbusd_epi32(acc[x * kRows + 1], u, kk_low);
            }
          }
        }
      }
      if constexpr (kRequant == ColumnRequant::kFloat) {
        const __m512 scale = _mm512_load_ps(r.scale[k]), offset = _mm512_load_ps(r.offset[k]);
#pragma GCC unroll 4
        for (int i = 0; i < kPixels; ++i) out[i][j] = RequantizeFloat16(acc[i], scale, offset);
      } else {
        const __m512i mult = _mm512_load_si512(r.multiplier[k]);
        const __m512i ls = _mm512_load_si512(r.left_shift[k]);
        const OneStep16 one_step = LoadOneStep(r.one_step[k]);
        // Left shifts are rare in depthwise layers, and one shift per 16
        // outputs is cheaper than another set of instantiations.
#pragma GCC unroll 4
        for (int i = 0; i < kPixels; ++i) {
          out[i][j] = RequantizeOneStep16<true, kRequant == ColumnRequant::kExact>(acc[i], mult, ls,
                                                                                   one_step);
        }
      }
    }
#pragma GCC unroll 4
    for (int i = 0; i < kPixels; ++i) packed[i][half] = _mm512_packs_epi32(out[i][0], out[i][1]);
  }
  // The saturating packs undo the unpacking order (channels come out in
  // order), and saturating to 16 and 8 bits before the clamp does not
  // change its result: the activation range lies inside the output type.
  // The narrowing as in the GEMM epilogues (Narrowing), without their
  // dword permute.
#pragma GCC unroll 4
  for (int i = 0; i < kPixels; ++i) {
    if (kRequant == ColumnRequant::kFloat && n.full_range) {
      pixels[i] = FlipInt8<T>(_mm512_packus_epi16(packed[i][0], packed[i][1]));
      continue;
    }
    const __m512i r01 = _mm512_adds_epi16(packed[i][0], n.offset16);
    const __m512i r23 = _mm512_adds_epi16(packed[i][1], n.offset16);
    if constexpr (std::is_same_v<T, uint8_t>) {
      pixels[i] = _mm512_min_epu8(_mm512_max_epu8(_mm512_packus_epi16(r01, r23), n.lo8), n.hi8);
    } else {
      pixels[i] = _mm512_min_epi8(_mm512_max_epi8(_mm512_packs_epi16(r01, r23), n.lo8), n.hi8);
    }
  }
}

// The state of one row (kTwoRows: two) of one 64-channel block; member
// functions rather than lambdas, which would not inherit the target
// attribute.
template <typename T, bool kKappa, ColumnRequant kRequant, bool kTwoRows>
struct ColumnWalk {
  const T* rows[4];
  int in_w;
  size_t pixel_step, out_step;
  __mmask64 m;
  const DepthwiseAvx512::ColumnBlock* r;
  __m512i zero_point;
  Narrowing narrowing;
  T *out, *out_low;

  // Input column x (all of it, or the zero point outside the input).
  EDGETL_VNNI_INLINE void Load(int x, __m512i* col) const {
    const bool inside = static_cast<unsigned>(x) < static_cast<unsigned>(in_w);
    const ptrdiff_t at = static_cast<ptrdiff_t>(x) * static_cast<ptrdiff_t>(pixel_step);
    if (inside && m == ~__mmask64{0}) {
      Column<kTwoRows, true>(rows, at, m, zero_point, col);
    } else {
      Column<kTwoRows>(rows, at, inside ? m : __mmask64{0}, zero_point, col);
    }
  }
  // The 64 / C pixels from column x (C channels each): those inside the input.
  EDGETL_VNNI_INLINE void LoadPixels(int x, int pixels, int c, __m512i* col) const {
    const int first = std::max(0, -x), end = std::min(pixels, in_w - x);
    Column<kTwoRows>(rows, static_cast<ptrdiff_t>(x) * c,
                     first < end ? ByteRange(first * c, end * c) : 0, zero_point, col);
  }
  // Stride 2: the pixels x, x + 2, ... (64 / C of them, C channels each):
  // those inside the input.
  EDGETL_VNNI_INLINE void LoadEvenPixels(int x, int pixels, int c, __m512i select,
                                         __m512i* col) const {
    const int first = std::max(0, -x), end = std::min(2 * pixels, in_w - x);
    const auto half = [&](int lo) -> __mmask64 {  // pixels [lo, lo + pixels) of the 2 * pixels
      const int b = std::max(first, lo), e = std::min(end, lo + pixels);
      return b < e ? ByteRange((b - lo) * c, (e - lo) * c) : __mmask64{0};
    };
    EvenColumn(rows, static_cast<ptrdiff_t>(x) * c, half(0), half(pixels), select, zero_point, col);
  }
  // The 64 bytes from pixel x (C channels each), all inside the input.
  EDGETL_VNNI_INLINE void LoadWhole(int x, int c, __m512i* col) const {
    Column<kTwoRows, true>(rows, static_cast<ptrdiff_t>(x) * c, ~__mmask64{0}, zero_point, col);
  }
  // The pixels of the window columns given (each 4 quarters): one for
  // three columns, two adjacent ones for 3 + kStep (the stride), where each
  // weight and constant is loaded once for both (ColumnPixels).
  template <int kStep = 1, typename... Columns>
  EDGETL_VNNI_INLINE void Emit(const Columns*... columns) {
    constexpr int kX = (sizeof...(Columns) - 3) / kStep + 1, kRows = kTwoRows ? 2 : 1;
    const __m512i* const cols[] = {columns...};
    __m512i pixels[kX * kRows];
    ColumnPixels<T, kKappa, kRequant, kRows, kX, kStep>(*r, cols, narrowing, pixels);
#pragma GCC unroll 2
    for (int x = 0; x < kX; ++x) {
      _mm512_mask_storeu_epi8(out + x * out_step, m, pixels[x * kRows]);
      if constexpr (kTwoRows) {
        _mm512_mask_storeu_epi8(out_low + x * out_step, m, pixels[x * kRows + 1]);
      }
    }
    out += kX * out_step;
    if constexpr (kTwoRows) out_low += kX * out_step;
  }
  // Stride 1, the window's columns c0-c2: the row's last pixel where one
  // is left, else column x loaded into `next` and two pixels. Whether the
  // row is done.
  EDGETL_VNNI_INLINE bool EmitOneOrTwo(const __m512i* c0, const __m512i* c1, const __m512i* c2,
                                       __m512i* next, int x, int& left) {
    if (left == 1) {
      Emit(c0, c1, c2);
      return true;
    }
    Load(x, next);
    Emit(c0, c1, c2, next);
    return (left -= 2) == 0;
  }
};

// One output row of one 64-channel block: a window of three columns slides
// along the row, gaining kStride new columns per output pixel. The loop is
// unrolled three times so that the window rotates by renaming, not moves.
// kStride 0: stride 1 with pixels_per_block pixels per block, each window
// column loaded afresh (64 bytes from pixel x cover pixels x, x + 1, ...);
// kStride 3: stride 2 with pixels_per_block pixels per block, each window
// column the even pixels of 128 bytes. kTwoRows (strides 1): the rows
// out_rows[0] and [1] from the input rows row_ptrs[0..3]; else out_rows[0]
// from row_ptrs[0..2].
template <typename T, int kStride, bool kKappa, ColumnRequant kRequant, bool kTwoRows>
EDGETL_VNNI_TARGET void ColumnBlockRow(const reference::ConvGeometry& g,
                                       const reference::ConvQuant& q, const DepthwiseAvx512& p,
                                       const T* const row_ptrs[4], int block,
                                       T* const out_rows[2]) {
  // Everything the loop reads is copied into locals first: the 8-bit
  // stores could alias the containers, which would force reloads.
  const int c = block * 64;
  ColumnWalk<T, kKappa, kRequant, kTwoRows> w{
      .rows = {row_ptrs[0] + c, row_ptrs[1] + c, row_ptrs[2] + c, row_ptrs[3] + c},
      .in_w = g.in_w,
      .pixel_step = static_cast<size_t>(g.in_c),
      .out_step = static_cast<size_t>(g.out_c),
      .m = FirstLanes64(g.out_c - c),
      .r = &p.column_blocks[block],
      .zero_point = _mm512_set1_epi8(static_cast<char>(p.zero_point_byte)),
      .narrowing =
          MakeNarrowing(kRequant == ColumnRequant::kFloat, q.output_offset, q.act_min, q.act_max),
      .out = out_rows[0] + c,
      .out_low = kTwoRows ? out_rows[1] + c : nullptr};
  if constexpr (kStride == 0 || kStride == 3) {
    constexpr int kStep = kStride == 0 ? 1 : 2;  // input pixels per output pixel
    const int pixels = p.pixels_per_block, in_c = g.in_c;
    // Stride 2: the 8-byte units of the even pixels of two 64-byte halves.
    alignas(64) int64_t pick[8] = {};
    if constexpr (kStep == 2) {
      const int units = in_c / 8;
      for (int u = 0; u < 8; ++u) pick[u] = (u / units) * 2 * units + u % units;
    }
    const __m512i select = _mm512_load_si512(pick);
    w.out_step = 64;
    for (int ox = 0; ox < g.out_w; ox += pixels) {
      const int x = kStep * ox - g.pad_w;
      if (kStep == 1 && pixels == 2 && x >= 0 && x + 6 <= g.in_w && ox + 4 <= g.out_w) {
        // Two blocks of two pixels (32 channels) from five columns, the
        // middle one shared, each weight and constant loaded once for both.
        __m512i cols[5][4];
        for (int dx = 0; dx < 5; ++dx) w.LoadWhole(x + dx, in_c, cols[dx]);
        w.m = ~__mmask64{0};
        w.template Emit<2>(cols[0], cols[1], cols[2], cols[3], cols[4]);
        ox += pixels;
        continue;
      }
      __m512i cols[3][4];
      if (x >= 0 && x + 2 + kStep * pixels <= g.in_w && ox + pixels <= g.out_w) {
        // Inside the input and the output row: whole columns, no masks to
        // compute (they cost as much as the loads they guard).
        for (int dx = 0; dx < 3; ++dx) {
          if constexpr (kStep == 1) {
            w.LoadWhole(x + dx, in_c, cols[dx]);
          } else {
            EvenColumn(w.rows, static_cast<ptrdiff_t>(x + dx) * in_c, ~__mmask64{0}, ~__mmask64{0},
                       select, w.zero_point, cols[dx]);
          }
        }
        w.m = ~__mmask64{0};
      } else {
        for (int dx = 0; dx < 3; ++dx) {
          if constexpr (kStep == 1) {
            w.LoadPixels(x + dx, pixels, in_c, cols[dx]);
          } else {
            w.LoadEvenPixels(x + dx, pixels, in_c, select, cols[dx]);
          }
        }
        w.m = ByteRange(0, std::min(pixels, g.out_w - ox) * in_c);
      }
      w.Emit(cols[0], cols[1], cols[2]);
    }
    return;
  }
  int ix = -g.pad_w;  // the window's first column
  __m512i a[4], b[4], d[4];
  w.Load(ix, a);
  w.Load(ix + 1, b);
  w.Load(ix + 2, d);
  for (int left = g.out_w;;) {
    if constexpr (kStride == 1) {
      // Two pixels per step from a window of four columns, which moves
      // two columns on (unrolled twice: the columns rotate by renaming).
      __m512i e[4];
      if (w.EmitOneOrTwo(a, b, d, e, ix + 3, left)) break;
      w.Load(ix + 4, a);
      if (w.EmitOneOrTwo(d, e, a, b, ix + 5, left)) break;
      w.Load(ix + 6, d);
      ix += 4;
    } else {
      // Two pixels per step from a window of five columns, which moves four
      // columns on (the last one becomes the first).
      __m512i e[4], f[4];
      if (left == 1) {
        w.template Emit<2>(a, b, d);
        break;
      }
      w.Load(ix + 3, e);
      w.Load(ix + 4, f);
      w.template Emit<2>(a, b, d, e, f);
      if ((left -= 2) == 0) break;
      std::copy_n(f, 4, a);
      w.Load(ix + 5, b);
      w.Load(ix + 6, d);
      ix += 4;
    }
  }
}

// The tail block's row t: kPixels chunks of 64 / kPixels bytes, chunk j
// from input pixel x + j * kStep (the zero point outside the input), as u.
// kWhole: all kPixels pixels lie inside the input (plain loads, see
// LoadU64).
template <typename T, int kPixels, int kStep, bool kWhole>
EDGETL_VNNI_INLINE __m512i GatherTail(const T* row, int x, int in_w, size_t pixel_bytes,
                                      __m512i zero_point) {
  const T* at[kPixels];
  bool inside[kPixels];
  for (int j = 0; j < kPixels; ++j) {
    at[j] =
        BytesFrom(row, static_cast<ptrdiff_t>(x + j * kStep) * static_cast<ptrdiff_t>(pixel_bytes));
    inside[j] = kWhole || static_cast<unsigned>(x + j * kStep) < static_cast<unsigned>(in_w);
  }
  __m512i v;
  if constexpr (kWhole && kPixels == 2) {
    v = _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(at[0]))),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at[1])), 1);
  } else if constexpr (kWhole) {
    const __m128i* chunk[4];
    for (int j = 0; j < 4; ++j) chunk[j] = reinterpret_cast<const __m128i*>(at[j]);
    v = _mm512_inserti32x4(_mm512_castsi128_si512(_mm_loadu_si128(chunk[0])),
                           _mm_loadu_si128(chunk[1]), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128(chunk[2]), 2);
    v = _mm512_inserti32x4(v, _mm_loadu_si128(chunk[3]), 3);
  } else if constexpr (kPixels == 2) {
    const __m256i zp = _mm512_castsi512_si256(zero_point);
    const __m256i lo = _mm256_mask_loadu_epi8(zp, inside[0] ? ~__mmask32{0} : 0, at[0]);
    const __m256i hi = _mm256_mask_loadu_epi8(zp, inside[1] ? ~__mmask32{0} : 0, at[1]);
    v = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  } else {
    const __m128i zp = _mm512_castsi512_si128(zero_point);
    __m128i chunk[4];
    for (int j = 0; j < 4; ++j) {
      chunk[j] = _mm_mask_loadu_epi8(zp, inside[j] ? __mmask16{0xFFFF} : __mmask16{0}, at[j]);
    }
    v = _mm512_inserti32x4(_mm512_castsi128_si512(chunk[0]), chunk[1], 1);
    v = _mm512_inserti32x4(v, chunk[2], 2);
    v = _mm512_inserti32x4(v, chunk[3], 3);
  }
  return FlipInt8<T>(v);
}

// The three window columns from input pixel x0 of the tail block's rows
// (GatherTail), interleaved as Column's.
template <typename T, int kPixels, int kStep, bool kTwoRows, bool kWhole>
EDGETL_VNNI_INLINE void TailColumns(const T* const rows[4], int x0, int in_w, size_t in_step,
                                    __m512i zero_point, __m512i cols[3][4]) {
  // (No lambdas: they would not inherit the target attribute.)
  for (int dx = 0; dx < 3; ++dx) {
    __m512i r[4];
    for (int t = 0; t < (kTwoRows ? 4 : 3); ++t) {
      r[t] = GatherTail<T, kPixels, kStep, kWhole>(rows[t], x0 + dx, in_w, in_step, zero_point);
    }
    Interleave(r[0], r[1], r[2], kTwoRows ? r[3] : r[2], cols[dx]);
  }
}

// Stores the first `pixels` of the kPixels chunks of v, chunk j at out + j
// * pixel_bytes.
template <typename T, int kPixels>
EDGETL_VNNI_INLINE void ScatterTail(__m512i v, int pixels, T* out, size_t pixel_bytes) {
  if constexpr (kPixels == 2) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm512_castsi512_si256(v));
    if (pixels > 1) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + pixel_bytes),
                          _mm512_extracti64x4_epi64(v, 1));
    }
  } else {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm512_castsi512_si128(v));
    if (pixels > 1) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + pixel_bytes),
                       _mm512_extracti32x4_epi32(v, 1));
    }
    if (pixels > 2) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * pixel_bytes),
                       _mm512_extracti32x4_epi32(v, 2));
    }
    if (pixels > 3) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 3 * pixel_bytes),
                       _mm512_extracti32x4_epi32(v, 3));
    }
  }
}

// One output row (kTwoRows: two) of the tail block (tail_pixels > 1):
// kPixels output pixels per pass, each window column gathered from their
// kPixels input pixels.
template <typename T, int kPixels, int kStep, bool kKappa, ColumnRequant kRequant, bool kTwoRows>
EDGETL_VNNI_TARGET void ColumnTailRow(const reference::ConvGeometry& g,
                                      const reference::ConvQuant& q, const DepthwiseAvx512& p,
                                      const T* const row_ptrs[4], int block, T* const out_rows[2]) {
  const int c = block * 64;
  const T* rows[4] = {row_ptrs[0] + c, row_ptrs[1] + c, row_ptrs[2] + c, row_ptrs[3] + c};
  const DepthwiseAvx512::ColumnBlock& r = p.column_blocks[block];
  const __m512i zero_point = _mm512_set1_epi8(static_cast<char>(p.zero_point_byte));
  const Narrowing narrowing =
      MakeNarrowing(kRequant == ColumnRequant::kFloat, q.output_offset, q.act_min, q.act_max);
  const size_t in_step = static_cast<size_t>(g.in_c), out_step = static_cast<size_t>(g.out_c);
  const int in_w = g.in_w;
  T* out = out_rows[0] + c;
  T* out_low = kTwoRows ? out_rows[1] + c : nullptr;
  for (int ox = 0; ox < g.out_w; ox += kPixels) {
    __m512i cols[3][4];
    const int x0 = ox * kStep - g.pad_w;
    if (x0 >= 0 && x0 + 2 + (kPixels - 1) * kStep < in_w) {
      TailColumns<T, kPixels, kStep, kTwoRows, true>(rows, x0, in_w, in_step, zero_point, cols);
    } else {
      TailColumns<T, kPixels, kStep, kTwoRows, false>(rows, x0, in_w, in_step, zero_point, cols);
    }
    const int pixels = std::min(kPixels, g.out_w - ox);
    __m512i values[kTwoRows ? 2 : 1];
    const __m512i* const window[3] = {cols[0], cols[1], cols[2]};
    ColumnPixels<T, kKappa, kRequant, kTwoRows ? 2 : 1>(r, window, narrowing, values);
    ScatterTail<T, kPixels>(values[0], pixels, out + ox * out_step, out_step);
    if constexpr (kTwoRows) {
      ScatterTail<T, kPixels>(values[1], pixels, out_low + ox * out_step, out_step);
    }
  }
}

template <typename T>
using ColumnBlockRowFn = void (*)(const reference::ConvGeometry&, const reference::ConvQuant&,
                                  const DepthwiseAvx512&, const T* const[4], int, T* const[2]);

template <typename T, int kStride, bool kKappa, bool kTwoRows>
ColumnBlockRowFn<T> SelectColumnBlockRow(ColumnRequant requant) {
  switch (requant) {
    case ColumnRequant::kFloat:
      return ColumnBlockRow<T, kStride, kKappa, ColumnRequant::kFloat, kTwoRows>;
    case ColumnRequant::kClampedBelow:
      return ColumnBlockRow<T, kStride, kKappa, ColumnRequant::kClampedBelow, kTwoRows>;
    default:
      return ColumnBlockRow<T, kStride, kKappa, ColumnRequant::kExact, kTwoRows>;
  }
}

template <typename T, int kStride, bool kTwoRows>
ColumnBlockRowFn<T> SelectColumnBlockRow(bool kappa, ColumnRequant requant) {
  return kappa ? SelectColumnBlockRow<T, kStride, true, kTwoRows>(requant)
               : SelectColumnBlockRow<T, kStride, false, kTwoRows>(requant);
}

// mode: the kStride of ColumnBlockRow (0 and 3: several pixels per block);
// two_rows: modes 0 and 1 only.
template <typename T>
ColumnBlockRowFn<T> SelectColumnBlockRow(int mode, bool kappa, ColumnRequant requant,
                                         bool two_rows) {
  switch (mode) {
    case 0:
      return two_rows ? SelectColumnBlockRow<T, 0, true>(kappa, requant)
                      : SelectColumnBlockRow<T, 0, false>(kappa, requant);
    case 1:
      return two_rows ? SelectColumnBlockRow<T, 1, true>(kappa, requant)
                      : SelectColumnBlockRow<T, 1, false>(kappa, requant);
    case 2:
      return SelectColumnBlockRow<T, 2, false>(kappa, requant);
    default:
      return SelectColumnBlockRow<T, 3, false>(kappa, requant);
  }
}

template <typename T, int kPixels, int kStep, bool kTwoRows>
ColumnBlockRowFn<T> SelectColumnTailRow(bool kappa, ColumnRequant requant) {
  const auto pick = [&]<bool kKappa>() -> ColumnBlockRowFn<T> {
    switch (requant) {
      case ColumnRequant::kFloat:
        return ColumnTailRow<T, kPixels, kStep, kKappa, ColumnRequant::kFloat, kTwoRows>;
      case ColumnRequant::kClampedBelow:
        return ColumnTailRow<T, kPixels, kStep, kKappa, ColumnRequant::kClampedBelow, kTwoRows>;
      default:
        return ColumnTailRow<T, kPixels, kStep, kKappa, ColumnRequant::kExact, kTwoRows>;
    }
  };
  return kappa ? pick.template operator()<true>() : pick.template operator()<false>();
}

// The tail block's walk (tail_pixels > 1), or null.
template <typename T>
ColumnBlockRowFn<T> SelectColumnTailRow(const DepthwiseAvx512& p, int stride, bool kappa,
                                        ColumnRequant requant, bool two_rows) {
  if (p.tail_pixels == 1) return nullptr;
  const bool four = p.tail_pixels == 4;
  if (stride == 2) {
    return four ? SelectColumnTailRow<T, 4, 2, false>(kappa, requant)
                : SelectColumnTailRow<T, 2, 2, false>(kappa, requant);
  }
  if (two_rows) {
    return four ? SelectColumnTailRow<T, 4, 1, true>(kappa, requant)
                : SelectColumnTailRow<T, 2, 1, true>(kappa, requant);
  }
  return four ? SelectColumnTailRow<T, 4, 1, false>(kappa, requant)
              : SelectColumnTailRow<T, 2, 1, false>(kappa, requant);
}

// 3x3 windows through the column kernel: two output rows at a time where
// they share input rows (stride_h and dilation_h 1), else one.
template <typename T>
EDGETL_VNNI_TARGET void ColumnRows(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                                   const DepthwiseAvx512& p, const T* input, int row_begin,
                                   int row_end, T* output) {
  const ColumnRequant requant = p.requant.as_float        ? ColumnRequant::kFloat
                                : p.requant.clamped_below ? ColumnRequant::kClampedBelow
                                                          : ColumnRequant::kExact;
  const int mode = p.pixels_per_block == 1 ? g.stride_w : g.stride_w == 1 ? 0 : 3;
  const ColumnBlockRowFn<T> one_row = SelectColumnBlockRow<T>(mode, p.kappa_used, requant, false);
  const bool pairs = g.stride_h == 1 && g.dilation_h == 1 && mode <= 1;
  const ColumnBlockRowFn<T> two_rows =
      pairs ? SelectColumnBlockRow<T>(mode, p.kappa_used, requant, true) : nullptr;
  const ColumnBlockRowFn<T> tail_one_row =
      SelectColumnTailRow<T>(p, g.stride_w, p.kappa_used, requant, false);
  const ColumnBlockRowFn<T> tail_two_rows =
      pairs ? SelectColumnTailRow<T>(p, g.stride_w, p.kappa_used, requant, true) : nullptr;
  const int blocks = static_cast<int>(p.column_blocks.size());
  const int full_blocks = p.tail_pixels > 1 ? blocks - 1 : blocks;
  const size_t row_step = static_cast<size_t>(g.in_w) * g.in_c;
  const T* padding_row = reinterpret_cast<const T*>(p.padding_row.data());
  for (int row = row_begin; row < row_end;) {
    const int b = row / g.out_h, oy = row % g.out_h;
    // Both rows of a pair in this call's band and image.
    const bool pair = pairs && row + 1 < row_end && oy + 1 < g.out_h;
    const T* image = input + static_cast<size_t>(b) * g.in_h * row_step;
    const T* rows[4];
    for (int t = 0; t < 4; ++t) {
      const int iy = oy * g.stride_h - g.pad_h + t * g.dilation_h;
      rows[t] = iy >= 0 && iy < g.in_h ? image + static_cast<size_t>(iy) * row_step : padding_row;
    }
    T* out_row = output + (static_cast<size_t>(b) * g.out_h + oy) * g.out_w * g.out_c;
    T* const out_rows[2] = {out_row, out_row + static_cast<size_t>(g.out_w) * g.out_c};
    const ColumnBlockRowFn<T> fn = pair ? two_rows : one_row;
    for (int block = 0; block < full_blocks; ++block) fn(g, q, p, rows, block, out_rows);
    if (full_blocks < blocks)
      (pair ? tail_two_rows : tail_one_row)(g, q, p, rows, blocks - 1, out_rows);
    row += pair ? 2 : 1;
  }
}

}  // namespace

template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                         const DepthwiseAvx512& p, const T* input, int row_begin, int row_end,
                         T* output) {
  if (!p.column_blocks.empty()) {
    ColumnRows(g, q, p, input, row_begin, row_end, output);
    return;
  }
  for (int row = row_begin; row < row_end; ++row) {
    const int b = row / g.out_h, oy = row % g.out_h;
    T* out_row = output + (static_cast<size_t>(b) * g.out_h + oy) * g.out_w * g.out_c;
    for (int c = 0; c < g.out_c; c += 16) Block16(g, q, p, input, b, oy, c, 0, g.out_w, out_row);
  }
}
#undef EDGETL_VNNI_INLINE
#else
template <typename T>
void DepthwiseRowsAvx512(const reference::ConvGeometry&, const reference::ConvQuant&,
                         const DepthwiseAvx512&, const T*, int, int, T*) {
  // Never called: HasAvx512Vnni() is false where this code is not built.
}
#endif

template DepthwiseAvx512 PackDepthwiseAvx512<uint8_t>(const uint8_t*,
                                                      const reference::ConvGeometry&,
                                                      const int32_t*, const reference::ConvQuant&,
                                                      const ParallelFor&);
template DepthwiseAvx512 PackDepthwiseAvx512<int8_t>(const int8_t*, const reference::ConvGeometry&,
                                                     const int32_t*, const reference::ConvQuant&,
                                                     const ParallelFor&);
template void DepthwiseRowsAvx512<uint8_t>(const reference::ConvGeometry&,
                                           const reference::ConvQuant&, const DepthwiseAvx512&,
                                           const uint8_t*, int, int, uint8_t*);
template void DepthwiseRowsAvx512<int8_t>(const reference::ConvGeometry&,
                                          const reference::ConvQuant&, const DepthwiseAvx512&,
                                          const int8_t*, int, int, int8_t*);

}  // namespace edgetl::optimized
