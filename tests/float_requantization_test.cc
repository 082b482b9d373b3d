// The float requantization against TensorFlow Lite's integer one: where
// ProveFloatRequantization accepts a layer, the kernels' three float
// instructions must give the reference's bytes for every accumulator the
// range allows; and it must refuse what it cannot prove.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/optimized/cpu.h"
#include "kernels/optimized/float_requantization.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/optimized/requantize_avx512.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

using optimized::AccumulatorRange;

// One layer's quantization, with storage for its per-channel arrays.
struct Layer {
  std::vector<int32_t> multiplier;
  std::vector<int> shift;
  reference::ConvQuant q;
  std::vector<AccumulatorRange> ranges;
};

Layer RandomLayer(std::mt19937& rng, int channels, bool relu) {
  Layer l;
  const int32_t zero_point = static_cast<int32_t>(rng() % 256) - 128;
  for (int c = 0; c < channels; ++c) {
    // Effective scales 2^-14 .. 2^-2, as real conv layers have.
    double m = std::ldexp(1.0 + (rng() % 1000) / 1000.0, -static_cast<int>(2 + rng() % 13));
    int32_t multiplier;
    int shift;
    fixedpoint::QuantizeMultiplier(m, &multiplier, &shift);
    l.multiplier.push_back(multiplier);
    l.shift.push_back(shift);
    // A range reaching a few hundred output steps past both clamp ends.
    const int64_t reach = static_cast<int64_t>(300.0 / m) + rng() % 1000;
    l.ranges.push_back({-reach + static_cast<int64_t>(rng() % 100), reach});
  }
  l.q.output_offset = zero_point;
  l.q.multiplier = l.multiplier.data();
  l.q.shift = l.shift.data();
  l.q.act_min = relu ? zero_point : -128;
  l.q.act_max = 127;
  return l;
}

// The kernels' float form on 16 accumulators of one channel, output offset
// added and clamped as the kernels do.
using FloatForm = void (*)(const int32_t* x, const optimized::FloatRequantization& f, size_t c,
                           const reference::ConvQuant& q, int32_t* out);

#if EDGETL_HAVE_VNNI_CODE
EDGETL_VNNI_TARGET void FloatFormAvx512(const int32_t* x, const optimized::FloatRequantization& f,
                                        size_t c, const reference::ConvQuant& q, int32_t* out) {
  const __m512i in = _mm512_loadu_si512(x);
  const __m512 scale = _mm512_set1_ps(f.scale[c]), offset = _mm512_set1_ps(f.offset[c]);
  // The one-piece form where the layer needs no more, as the kernels choose.
  const __m512i r = f.two_pieces ? optimized::RequantizeFloat16(in, scale, offset,
                                                                _mm512_set1_ps(f.offset_below[c]),
                                                                _mm512_set1_epi32(f.split[c]))
                                 : optimized::RequantizeFloat16(in, scale, offset);
  const __m512i shifted = _mm512_add_epi32(r, _mm512_set1_epi32(q.output_offset));
  _mm512_storeu_si512(out, _mm512_min_epi32(_mm512_max_epi32(shifted, _mm512_set1_epi32(q.act_min)),
                                            _mm512_set1_epi32(q.act_max)));
}
#endif

#if EDGETL_HAVE_AVX2_CODE
// The AVX2 kernels' form (FloatRequant8) on two vectors of 8, in their
// rounding mode, then their output offset and clamp (Avx2Narrowing, here on
// int32 lanes: requantize_avx2_test checks Avx2Narrowing against that). They
// take it only where accumulators stay within 2^24, as every range here
// does.
template <bool kTwoPieces>
EDGETL_AVX2_TARGET void FloatFormAvx2(const int32_t* x, const optimized::FloatRequantization& f,
                                      size_t c, const reference::ConvQuant& q, int32_t* out) {
  optimized::FloatRequant8<kTwoPieces> r;
  r.scale = _mm256_set1_ps(f.scale[c]);
  r.offset = _mm256_set1_ps(f.offset[c]);
  r.offset_below = _mm256_set1_ps(f.offset_below[c]);
  r.split = _mm256_set1_epi32(f.split[c]);
  const optimized::RoundDownScope round_down;
  for (int half = 0; half < 2; ++half) {
    const __m256i in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + 8 * half));
    const __m256i shifted = _mm256_add_epi32(r.Scaled(in), _mm256_set1_epi32(q.output_offset));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * half),
                        _mm256_min_epi32(_mm256_max_epi32(shifted, _mm256_set1_epi32(q.act_min)),
                                         _mm256_set1_epi32(q.act_max)));
  }
}

void FloatFormAvx2Dispatch(const int32_t* x, const optimized::FloatRequantization& f, size_t c,
                           const reference::ConvQuant& q, int32_t* out) {
  // As the kernels choose: the one-piece form where the layer needs no more.
  (f.two_pieces ? FloatFormAvx2<true> : FloatFormAvx2<false>)(x, f, c, q, out);
}
#endif

// The forms this CPU runs.
std::vector<FloatForm> FormsToTest() {
  std::vector<FloatForm> forms;
#if EDGETL_HAVE_VNNI_CODE
  if (optimized::HasAvx512Vnni()) forms.push_back(FloatFormAvx512);
#endif
#if EDGETL_HAVE_AVX2_CODE
  if (optimized::HasAvx2()) forms.push_back(FloatFormAvx2Dispatch);
#endif
  return forms;
}

// Every accumulator of every channel's range, 16 at a time; with `folded`,
// the form takes x - folded[c] for each x of the range.
void ExpectEqualOverRanges(FloatForm form, const Layer& l, const optimized::FloatRequantization& f,
                           const int32_t* folded = nullptr) {
  for (size_t c = 0; c < l.ranges.size(); ++c) {
    const int32_t k = folded ? folded[c] : 0;
    const AccumulatorRange r = {l.ranges[c].min - k, l.ranges[c].max - k};
    int32_t y[16], out[16];
    for (int64_t base = r.min; base <= r.max; base += 16) {
      for (int i = 0; i < 16; ++i) y[i] = static_cast<int32_t>(std::min(base + i, r.max));
      form(y, f, c, l.q, out);
      for (int i = 0; i < 16; ++i) {
        ASSERT_EQ(out[i], reference::Requantize(y[i] + k, l.q, static_cast<int>(c)))
            << "channel " << c << " accumulator " << y[i] + k << " folded " << k;
      }
    }
  }
}

TEST(FloatRequantization, ProvenLayersMatchTheReferenceOnTheirWholeRange) {
  const std::vector<FloatForm> forms = FormsToTest();
  if (forms.empty()) GTEST_SKIP() << "no AVX-512 VNNI or AVX2";
  std::mt19937 rng(11);
  int proven = 0, two_pieces = 0;
  constexpr int kTrials = 40;
  for (int trial = 0; trial < kTrials; ++trial) {
    const Layer l = RandomLayer(rng, 4, /*relu=*/trial % 2 == 0);
    const auto f = optimized::ProveFloatRequantization(l.q, l.ranges.data(), 4, 16);
    if (!f) continue;
    ++proven;
    two_pieces += f->two_pieces;
    for (const FloatForm form : forms) ExpectEqualOverRanges(form, l, *f);
  }
  // Not vacuous: most layers are proven, the linear ones (whose negative
  // outputs round the other way) in two pieces.
  EXPECT_GE(proven, kTrials * 3 / 4);
  EXPECT_GE(two_pieces, kTrials / 4);
}

// With the channels' constant terms left out of the accumulators (the AMX
// epilogue's form): constants up to a few output steps' worth and up to
// the whole range's, both signs.
TEST(FloatRequantization, FoldedConstantsMatchTheReferenceOnTheirWholeRange) {
  const std::vector<FloatForm> forms = FormsToTest();
  if (forms.empty()) GTEST_SKIP() << "no AVX-512 VNNI or AVX2";
  std::mt19937 rng(23);
  int proven = 0, two_pieces = 0;
  constexpr int kTrials = 40;
  for (int trial = 0; trial < kTrials; ++trial) {
    const Layer l = RandomLayer(rng, 4, /*relu=*/trial % 2 == 0);
    std::vector<int32_t> folded(16, 0);
    for (int c = 0; c < 4; ++c) {
      const int64_t reach = l.ranges[c].max;
      const int64_t span = trial % 4 < 2 ? std::max<int64_t>(reach / 64, 1) : reach;
      folded[c] = static_cast<int32_t>(static_cast<int64_t>(rng() % (2 * span + 1)) - span);
    }
    const auto f =
        optimized::ProveFloatRequantization(l.q, l.ranges.data(), 4, 16, {}, 0, folded.data());
    if (!f) continue;
    ++proven;
    two_pieces += f->two_pieces;
    for (const FloatForm form : forms) ExpectEqualOverRanges(form, l, *f, folded.data());
  }
  EXPECT_GE(proven, kTrials / 2);
  EXPECT_GE(two_pieces, kTrials / 8);
}

// Per-tensor layers (one multiplier and shift for all channels, as the
// uint8 MobileNets have), where a channel may take a form proven for an
// earlier one, moved to its own fold: ranges that hold every step and
// ranges that end inside the levels, constant terms of both signs.
TEST(FloatRequantization, PerTensorLayersMatchTheReferenceOnTheirWholeRange) {
  const std::vector<FloatForm> forms = FormsToTest();
  if (forms.empty()) GTEST_SKIP() << "no AVX-512 VNNI or AVX2";
  std::mt19937 rng(31);
  constexpr int kChannels = 16, kTrials = 24;
  int proven = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    Layer l = RandomLayer(rng, kChannels, /*relu=*/trial % 2 == 0);
    const double m = std::ldexp(1.0 + (rng() % 1000) / 1000.0, -static_cast<int>(2 + rng() % 9));
    std::vector<int32_t> folded(kChannels, 0);
    for (int c = 0; c < kChannels; ++c) {
      fixedpoint::QuantizeMultiplier(m, &l.multiplier[c], &l.shift[c]);
      // Every other channel, the first among them, reaches only a few of
      // the levels (a form proven for it alone must not serve the others).
      const double steps = c % 2 == 0 ? 2 + rng() % 30 : 300;
      const int64_t reach = static_cast<int64_t>(steps / m) + rng() % 1000;
      l.ranges[c] = {-reach + static_cast<int64_t>(rng() % 100), reach};
      if (trial % 3 != 0) {
        const int64_t span = trial % 3 == 1 ? std::max<int64_t>(reach / 16, 1) : reach;
        folded[c] = static_cast<int32_t>(static_cast<int64_t>(rng() % (2 * span + 1)) - span);
      }
    }
    const auto f = optimized::ProveFloatRequantization(l.q, l.ranges.data(), kChannels, kChannels,
                                                       {}, 0, folded.data());
    if (!f) continue;
    ++proven;
    for (const FloatForm form : forms) ExpectEqualOverRanges(form, l, *f, folded.data());
  }
  EXPECT_GE(proven, kTrials * 2 / 3);
}

// A clamped layer whose first step is at accumulator 1: x = 0 is no
// negative product, so one piece serves (the depthwise kernels take no
// other). TF2 MobileNet V2's 56x56x144 depthwise layer has such a channel.
TEST(FloatRequantization, FirstStepAtOneNeedsOnePiece) {
  const std::vector<FloatForm> forms = FormsToTest();
  if (forms.empty()) GTEST_SKIP() << "no AVX-512 VNNI or AVX2";
  std::mt19937 rng(5);
  Layer l = RandomLayer(rng, 1, /*relu=*/true);
  fixedpoint::QuantizeMultiplier(0.75, &l.multiplier[0], &l.shift[0]);  // F(1) = z + 1
  l.ranges[0] = {-1000, 1000};
  const auto f = optimized::ProveFloatRequantization(l.q, l.ranges.data(), 1, 16);
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->two_pieces);
  for (const FloatForm form : forms) ExpectEqualOverRanges(form, l, *f);
}

TEST(FloatRequantization, RefusesRangesTfliteWrapsInItsLeftShift) {
  std::mt19937 rng(3);
  Layer l = RandomLayer(rng, 1, true);
  l.multiplier[0] = 1 << 30;
  l.shift[0] = 2;  // x * 4 wraps in 32 bits beyond 2^29
  l.ranges[0] = {-1000, int64_t{1} << 29};
  EXPECT_FALSE(optimized::ProveFloatRequantization(l.q, l.ranges.data(), 1, 16));
  l.ranges[0] = {-1000, (int64_t{1} << 29) - 1};
  EXPECT_TRUE(optimized::ProveFloatRequantization(l.q, l.ranges.data(), 1, 16));
}

// Where the caller allows a few unproven channels, the others keep their
// forms and the unproven ones are listed.
TEST(FloatRequantization, ListsUpToMaxUnprovenChannels) {
  std::mt19937 rng(3);
  Layer l = RandomLayer(rng, 3, true);
  l.multiplier[1] = 1 << 30;
  l.shift[1] = 2;
  l.ranges[1] = {-1000, int64_t{1} << 29};  // wraps: no form for channel 1
  EXPECT_FALSE(optimized::ProveFloatRequantization(l.q, l.ranges.data(), 3, 16));
  const auto f = optimized::ProveFloatRequantization(l.q, l.ranges.data(), 3, 16, {}, 1);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->unproven, std::vector<int>{1});
  const auto alone = optimized::ProveFloatRequantization(l.q, l.ranges.data(), 1, 16);
  ASSERT_TRUE(alone);  // channel 0 proven by itself: the same form
  EXPECT_EQ(f->scale[0], alone->scale[0]);
  EXPECT_EQ(f->offset[0], alone->offset[0]);
}

TEST(FloatRequantization, AccumulatorRangeCoversEveryActivation) {
  // Weights 3, -2 and 0 with activation offset alpha = -100 and bias 7:
  // 7 + 3 * (a0 - 100) - 2 * (a1 - 100) over bytes a0, a1.
  const AccumulatorRange r = optimized::RangeOfAccumulator(7, -100, 3 - 2, 3);
  EXPECT_EQ(r.min, 7 + 3 * -100 - 2 * 155);
  EXPECT_EQ(r.max, 7 + 3 * 155 - 2 * -100);
}

}  // namespace
}  // namespace edgetl
