// The AMX and VNNI GEMMs against TensorFlow Lite's arithmetic, computed here
// in scalar code: random 1x1 layers with row counts around the 16-row tiles,
// depths whose tile chunks are 64, 48, 40 or 8 bytes, channel counts that
// leave narrow panels and pairs, uint8 weights beyond int8 (the sparse
// remainder), int8 rows read raw (the signed tile multiply), layers with and
// without ReLU (the float form's one and two pieces; ReLU layers also with
// the clamp over the whole output range, packs-only narrowing), and panel
// subsets; for VNNI also single rows (the one-row tile) and 8 channels (two
// pixels per vector). Each kernel is skipped where the CPU or OS lacks it.
#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/gemm_amx.h"
#include "kernels/optimized/gemm_vnni.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

struct Case {
  bool u8;
  int rows, k, n;
  bool relu;
  int filter_zero_point;  // uint8 only
};

enum class Kernel { kAmx, kVnni };

// full_range: a ReLU layer whose clamp is all of [0, 255] before the output
// offset (0 for uint8, -128 for int8), the epilogues' packs-only narrowing.
// without_constants counts the AMX layers whose form leaves out the
// constant terms.
template <typename T>
void CheckCase(const Case& t, bool full_range, Kernel kernel, std::mt19937& rng, int* proven,
               int* two_pieces, int* without_constants) {
  std::vector<T> filter(static_cast<size_t>(t.n) * t.k);
  for (T& v : filter) v = static_cast<T>(rng());
  std::vector<int32_t> bias(t.n), multiplier(t.n);
  std::vector<int> shift(t.n);
  for (int c = 0; c < t.n; ++c) {
    bias[c] = static_cast<int32_t>(rng() % 40001) - 20000;
    // Effective scales around 1 / (depth * 128): outputs spread over the range.
    const double m = std::ldexp(1.0 + (rng() % 1000) / 1000.0, -10 - static_cast<int>(rng() % 3));
    fixedpoint::QuantizeMultiplier(m, &multiplier[c], &shift[c]);
  }
  reference::ConvQuant q;
  q.input_offset = t.u8 ? -121 : 7;
  q.filter_offset = t.u8 ? -t.filter_zero_point : 0;
  q.output_offset = full_range ? (t.u8 ? 0 : -128) : (t.u8 ? 130 : -5);
  q.multiplier = multiplier.data();
  q.shift = shift.data();
  q.act_min = t.relu ? q.output_offset : (t.u8 ? 0 : -128);
  q.act_max = t.u8 ? 255 : 127;
  const bool amx = kernel == Kernel::kAmx;
  // Packed as the interpreter packs AMX layers: without the layer's own
  // float form, which MakeAmxForm proves where it needs it.
  optimized::VnniConv w =
      optimized::PackVnniConv(filter.data(), t.n, t.k, bias.data(), q, {}, !amx);
  std::vector<T> input(static_cast<size_t>(t.rows) * t.k);
  for (T& v : input) v = static_cast<T>(rng());
  // The rows as the kernel takes them: u8, or raw int8 with the signed
  // constants where the layer allows (int8 weights never exceed int8).
  const bool signed_rows = amx && !t.u8 && w.excess.empty();
  std::vector<uint8_t> rows(input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    rows[i] = static_cast<uint8_t>(input[i]) ^ (t.u8 || signed_rows ? 0 : 0x80);
  }
  const std::vector<int32_t> signed_constants = optimized::SignedRowsConstants(w);
  const int32_t* col_const = signed_rows ? signed_constants.data() : w.col_const.data();
  // AMX's float form leaves the constant terms out of the accumulators,
  // or else is the layer's own, proven into w; AMX serves proven layers
  // only.
  std::optional<optimized::AmxForm> form;
  if (amx) {
    form = optimized::MakeAmxForm(&w, q, col_const, {});
    if (form && !form->without_constants) {
      ASSERT_TRUE(w.requant.as_float || w.requant.partly_float);
    }
  }
  const optimized::FloatRequantization* proven_form =
      amx ? (form ? &form->f : nullptr) : (w.requant.as_float ? &*w.requant.as_float : nullptr);
  if (proven_form && proven_form->unproven.empty()) {
    ++*proven;
    *two_pieces += proven_form->two_pieces;
  }
  if (amx) {
    if (!form) return;
    *without_constants += form->without_constants;
  }

  // Output rows wider than n, and exactly n (the layout of real layers,
  // where VNNI stores 16 or 32 channels of several rows together and AMX
  // keeps layers of one panel compact; VNNI with 8 channels: only that, the
  // two-pixel vectors' layout).
  std::vector<size_t> ldcs = {static_cast<size_t>(t.n) + 3, static_cast<size_t>(t.n)};
  if (!amx && t.n == 8) ldcs.erase(ldcs.begin());
  // AMX also takes a float form with a few unproven channels, which its
  // epilogue requantizes again in integer arithmetic: the same layer with
  // its first, middle and last channels taken as unproven (their float
  // entries zeroed) must give the same bytes.
  std::vector<const optimized::AmxForm*> forms = {amx ? &*form : nullptr};
  optimized::AmxForm partly;
  if (amx) {
    partly = *form;
    std::vector<int>& unproven = partly.f.unproven;
    for (const int c : {0, t.n / 2, t.n - 1}) {
      if (std::find(unproven.begin(), unproven.end(), c) != unproven.end()) continue;
      unproven.push_back(c);
      partly.f.scale[c] = partly.f.offset[c] = partly.f.offset_below[c] = 0.f;
    }
    forms.push_back(&partly);
  }
  // All panels, then only the last one (a thread's share of a channel split).
  for (const optimized::AmxForm* f : forms)
    for (const size_t ldc : ldcs)
      for (const int p_begin : {0, w.panels() - 1}) {
        // Two rows more than the kernel may write: every byte outside its
        // channels and rows must stay as it was.
        constexpr T kUntouched = static_cast<T>(0x5A);
        std::vector<T> out(static_cast<size_t>(t.rows + 2) * ldc, kUntouched);
        if (amx) {
          optimized::GemmAmx(w, *f, col_const, rows.data(), static_cast<size_t>(t.k), signed_rows,
                             t.rows, p_begin, w.panels(), out.data(), ldc);
        } else {
          optimized::GemmVnni(w, rows.data(), static_cast<size_t>(t.k), t.rows, p_begin, w.panels(),
                              out.data(), ldc);
        }
        for (int r = 0; r < t.rows + 2; ++r) {
          for (size_t c = 0; c < ldc; ++c) {
            const T got = out[static_cast<size_t>(r) * ldc + c];
            if (r >= t.rows || static_cast<int>(c) >= t.n ||
                static_cast<int>(c) < p_begin * optimized::kVnniPanel) {
              ASSERT_EQ(got, kUntouched) << "row " << r << " channel " << c << " was written";
              continue;
            }
            int32_t acc = bias[c];
            for (int i = 0; i < t.k; ++i) {
              acc +=
                  (static_cast<int32_t>(input[static_cast<size_t>(r) * t.k + i]) + q.input_offset) *
                  (static_cast<int32_t>(filter[c * t.k + i]) + q.filter_offset);
            }
            ASSERT_EQ(static_cast<int32_t>(got), reference::Requantize(acc, q, static_cast<int>(c)))
                << (amx ? "AMX" : "VNNI") << " u8 " << t.u8 << " rows " << t.rows << " k " << t.k
                << " n " << t.n << " relu " << t.relu << " full range " << full_range << " at row "
                << r << " channel " << c << " from panel " << p_begin << " ldc " << ldc
                << (f == &partly ? " (partly float)" : "");
          }
        }
      }
}

const Case kCases[] = {
    {true, 1, 64, 16, true, 128},
    {true, 15, 64, 48, false, 128},
    {true, 16, 96, 80, true, 120},
    {true, 17, 144, 24, false, 140},
    {true, 33, 160, 200, true, 30},
    {true, 49, 256, 64, false, 0},
    {true, 80, 512, 130, true, 128},
    {false, 1, 64, 16, false, 0},
    {false, 31, 96, 72, true, 0},
    {false, 32, 144, 32, false, 0},
    {false, 47, 192, 260, true, 0},
    {false, 64, 1024, 40, false, 0},
    {true, 20, 8, 16, true, 128},
    {false, 23, 24, 36, false, 0},
    // Many outputs without ReLU: the few accumulators where the two
    // pieces differ (one per step below the split) do occur.
    {true, 600, 64, 64, false, 128},
    {false, 600, 64, 64, false, 0},
    // 8 channels, odd and even rows; one row through wide panels.
    {true, 37, 28, 8, true, 100},
    {false, 50, 12, 8, false, 0},
    // 16 and 32 channels, rows not filling the last 64-byte group.
    {true, 43, 8, 16, true, 100},
    {false, 29, 32, 16, false, 0},
    {true, 35, 16, 32, false, 128},
    {false, 13, 64, 32, true, 0},
    // More ReLU layers, for the full-range narrowing of both types.
    {false, 40, 64, 64, true, 0},
    {false, 24, 128, 48, true, 0},
    {false, 50, 16, 16, true, 0},
    {true, 40, 64, 64, true, 128},
    {true, 1, 1280, 200, false, 128},
};

void CheckAll(Kernel kernel) {
  int proven = 0, two_pieces = 0, without_constants = 0, seed = 7;
  int full_range_proven[2] = {};  // int8, uint8
  for (const Case& t : kCases) {
    for (const bool full_range : {false, true}) {
      if (full_range && !t.relu) continue;
      // Each layer its own seed: both kernels see the same layers.
      std::mt19937 rng(seed++);
      const int proven_before = proven;
      if (t.u8) {
        CheckCase<uint8_t>(t, full_range, kernel, rng, &proven, &two_pieces, &without_constants);
      } else {
        CheckCase<int8_t>(t, full_range, kernel, rng, &proven, &two_pieces, &without_constants);
      }
      if (::testing::Test::HasFatalFailure()) return;
      if (full_range && proven > proven_before) ++full_range_proven[t.u8];
    }
  }
  // The float form is proven for most such layers; if it never were, the
  // AMX test would check nothing.
  EXPECT_GE(proven, 10);
  EXPECT_GE(two_pieces, 1);
  EXPECT_GE(full_range_proven[0], 1);
  EXPECT_GE(full_range_proven[1], 1);
  // AMX: forms with and without the constant terms (two epilogues).
  if (kernel == Kernel::kAmx) {
    EXPECT_GE(without_constants, 1);
    EXPECT_LT(without_constants, proven);
  }
}

TEST(GemmAmx, MatchesTheReferenceArithmetic) {
  if (!optimized::HasAmxInt8()) GTEST_SKIP() << "no AMX on this CPU or OS";
  CheckAll(Kernel::kAmx);
}

TEST(GemmVnni, MatchesTheReferenceArithmetic) {
  if (!optimized::HasAvx512Vnni()) GTEST_SKIP() << "no AVX-512 VNNI on this CPU";
  CheckAll(Kernel::kVnni);
}

}  // namespace
}  // namespace edgetl
