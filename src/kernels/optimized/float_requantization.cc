#include "kernels/optimized/float_requantization.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "kernels/optimized/one_step_constants.h"

namespace edgetl::optimized {

namespace {

using int128 = __int128;

// A float as mantissa * 2^exponent, the mantissa an integer.
struct Dyadic {
  int64_t mantissa = 0;
  int exponent = 0;
};
Dyadic Split(float f) {
  if (f == 0.0f) return {};
  int e = 0;
  const float fraction = std::frexp(f, &e);
  return {static_cast<int64_t>(std::ldexp(fraction, 24)), e - 24};
}

// floor(xf * s + c) computed exactly (xf an integer-valued float), or
// nothing where the exponents lie too far apart for 128 bits.
std::optional<int64_t> FloorOfAffine(float xf, Dyadic s, Dyadic c) {
  const int128 product = static_cast<int128>(static_cast<int64_t>(xf)) * s.mantissa;
  if (product == 0 && c.mantissa == 0) return 0;
  // Both terms over the smaller exponent.
  const int e = product == 0      ? c.exponent
                : c.mantissa == 0 ? s.exponent
                                  : std::min(s.exponent, c.exponent);
  const int up_s = s.exponent - e, up_c = c.exponent - e;
  if ((product != 0 && up_s > 60) || (c.mantissa != 0 && up_c > 60)) return std::nullopt;
  const int128 n = (product != 0 ? product * (int128{1} << up_s) : 0) +
                   (c.mantissa != 0 ? c.mantissa * (int128{1} << up_c) : 0);
  // |n| < 2^116. e >= 0 needs |s| or |c| >= 2^23, never in a real layer.
  if (e >= 0) return std::nullopt;
  if (-e >= 120) return n < 0 ? -1 : 0;
  return static_cast<int64_t>(n >> -e);  // arithmetic: floor; |xf * s + c| < 2^62
}

// floor(n / d) for d > 0.
int64_t FloorDiv(int64_t n, int64_t d) { return n / d - (n % d != 0 && n < 0 ? 1 : 0); }

// ceil((n + i * step) / d) for i = 0, 1, ... (d > 0, step >= 0), one
// division up front and additions after it.
class CeilSequence {
 public:
  CeilSequence(int64_t n, int64_t step, int64_t d)
      : d_(d), step_quotient_(step / d), step_remainder_(step % d) {
    value_ = -FloorDiv(-n, d);
    remainder_ = value_ * d - n;  // in [0, d)
  }
  int64_t value() const { return value_; }
  // Without a branch: whether the remainder wraps follows no pattern the
  // predictor learns, and a layer's proofs take this step 2 * 255 times
  // per channel.
  void Next() {
    remainder_ -= step_remainder_;
    const int64_t wrapped = remainder_ >> 63;  // all ones where it went negative
    value_ += step_quotient_ - wrapped;
    remainder_ += wrapped & d_;
  }

 private:
  int64_t d_, step_quotient_, step_remainder_, value_, remainder_;
};

// The largest |floor(x * s + c)| at the range's ends that the kernels'
// float-to-int conversion takes without overflow, with room to spare.
constexpr int64_t kMaxFloatResult = (int64_t{1} << 31) - (int64_t{1} << 8);

// One channel's G: floor(float(x) * scale + (x < split ? offset_below :
// offset)).
struct ChannelForm {
  float scale, offset, offset_below;
  int32_t split;
};

// The proof for one channel. F and G agree on the range exactly where, for
// every output level k in (act_min, act_max], the first x of the range
// with F(x) >= k (t_k, or max + 1 where there is none) is also G's: G(t_k)
// >= k and G(t_k - 1) < k, each where inside the range. Both are monotonic,
// so a function's values on the range are determined by these thresholds.
class ChannelProof {
 public:
  // For a layer of `channels` channels.
  ChannelProof(const reference::ConvQuant& q, int channels) : q_(q), channels_(channels) {}

  // G's form for one channel, or nothing. One object serves consecutive
  // channels of a layer (its tables keep their storage, and a channel with
  // the last proven one's quantization may take its form, moved).
  std::optional<ChannelForm> Solve(int channel, AccumulatorRange range, int64_t folded) {
    channel_ = channel;
    range_ = range;
    constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
    if (range_.min < -kInt32Max || range_.max > kInt32Max) return std::nullopt;
    if (-q_.shift[channel_] > kMaxOneStepRightShift) return std::nullopt;  // FindThresholds' bounds
    // TFLite shifts left in 32 bits (wrapping); F is monotonic only where
    // that cannot wrap.
    const int left_shift = std::max(q_.shift[channel_], 0);
    const int64_t reach = std::max(-range_.min, range_.max);
    if ((reach << left_shift) > kInt32Max) return std::nullopt;
    if (std::optional<ChannelForm> form = SolveAsLast(folded)) return form;
    if (!FindThresholds()) return std::nullopt;
    if (folded != 0) {
      // G takes x - folded: every threshold, the range and the split move
      // with it (the kernel's int32 accumulator is x - folded exactly where
      // that range fits in 32 bits).
      range_ = {range_.min - folded, range_.max - folded};
      if (!InInt32(range_.min) || !InInt32(range_.max)) return std::nullopt;
      for (int64_t& t : thresholds_) t -= folded;
      split_ = static_cast<int32_t>(split_ - folded);
    }
    LocateConstraints();
    const float s = static_cast<float>(
        std::ldexp(static_cast<double>(q_.multiplier[channel_]), q_.shift[channel_] - 31));
    // The nearest float first, then its neighbours: each tilts G's steps
    // by a fraction of a step across the range.
    const float candidates[] = {s, std::nextafter(s, 0.0f), std::nextafter(s, 1.0f),
                                std::nextafter(std::nextafter(s, 0.0f), 0.0f),
                                std::nextafter(std::nextafter(s, 1.0f), 1.0f)};
    // One piece where no step lies below split_ (ReLU layers: the clamp
    // hides them). Otherwise two: F's rounding of negative products moves
    // its steps there by a fraction of a step (2^-e output units), which one
    // offset rarely follows.
    const int64_t t0 = thresholds_.empty() ? range_.max + 1 : thresholds_.front();  // ascending
    const bool steps_below =
        (t0 <= range_.max && t0 < split_) || (t0 > range_.min && t0 - 1 < split_);
    const size_t n = thresholds_.size();
    if (!steps_below) {
      for (const float scale : candidates) {
        const std::optional<OffsetInterval> offsets =
            OffsetsFor(scale, {0, at_end_, before_begin_, n});
        if (!offsets) continue;
        const float c = offsets->Choose();
        if (Verify({scale, c, c, split_}, offsets->ClearlyInside(c))) {
          Remember(scale, false, *offsets, *offsets, folded);
          return ChannelForm{scale, c, c, std::numeric_limits<int32_t>::min()};
        }
      }
      return std::nullopt;
    }
    // Thresholds t (ascending) at or above the split, and t - 1.
    const size_t at_split =
        std::lower_bound(thresholds_.begin(), thresholds_.end(), split_) - thresholds_.begin();
    const size_t before_split =
        std::lower_bound(thresholds_.begin(), thresholds_.end(), int64_t{split_} + 1) -
        thresholds_.begin();
    const Piece above_split = {at_split, at_end_, std::max(before_split, before_begin_), n};
    const Piece below_split = {0, std::min(at_split, at_end_), before_begin_, before_split};
    for (const float scale : candidates) {
      const std::optional<OffsetInterval> above = OffsetsFor(scale, above_split);
      const std::optional<OffsetInterval> below = OffsetsFor(scale, below_split);
      if (!above || !below) continue;
      const float c_above = above->Choose(), c_below = below->Choose();
      // G stays monotonic with the lower offset below the split.
      if (c_below <= c_above &&
          Verify({scale, c_above, c_below, split_},
                 above->ClearlyInside(c_above) && below->ClearlyInside(c_below))) {
        Remember(scale, true, *above, *below, folded);
        return ChannelForm{scale, c_above, c_below, split_};
      }
    }
    return std::nullopt;
  }

 private:
  int32_t F(int64_t x) const {
    return reference::Requantize(static_cast<int32_t>(x), q_, channel_);
  }

  // t_k for k = act_min + 1 .. act_max, from TFLite's rounding in one step
  // (requantize_avx512.h): F(x) = clamp(floor((x * m + a(x)) / D) + z)
  // with m = multiplier * 2^left_shift, D = 2^(31 + e), a(x) = 2^30 +
  // 2^(30 + e) (e > 0), less 2^31 (e > 0) where x * m < -2^30. x * m + a(x)
  // grows with x, so F(x) >= k from the first x where it reaches (k - z) *
  // D: ceil(((k - z) * D - a) / m) if that x has x * m >= -2^30, else the
  // same with the lower addend, or the first x with x * m >= -2^30,
  // whichever is smaller. The reference F confirms the ends.
  bool FindThresholds() {
    const int shift = q_.shift[channel_];
    const int e = shift > 0 ? 0 : -shift;
    // 64 bits suffice: |x| * 2^left_shift < 2^31 (Solve), multiplier <
    // 2^31, |k - z| < 2^9 and e <= kMaxOneStepRightShift.
    const int64_t m = int64_t{q_.multiplier[channel_]} << std::max(shift, 0);
    const int64_t a = (int64_t{1} << 30) + (e > 0 ? int64_t{1} << (30 + e) : 0);
    const int64_t a_negative = a - (e > 0 ? int64_t{1} << 31 : 0);
    const int64_t first_positive =
        m == 0 ? range_.min : -FloorDiv(int64_t{1} << 30, m);  // x * m >= -2^30
    first_positive_ = first_positive;
    split_ = static_cast<int32_t>(std::clamp(first_positive, range_.min, range_.max));
    const int32_t z = q_.output_offset;
    thresholds_.resize(std::max(q_.act_max - q_.act_min, 0));
    const int64_t first_target = int64_t{q_.act_min + 1 - z} << (31 + e),
                  step = int64_t{1} << (31 + e);
    if (m == 0) {
      // F is constant.
      for (size_t i = 0; i < thresholds_.size(); ++i) {
        const int64_t k = q_.act_min + 1 + static_cast<int64_t>(i);
        thresholds_[i] = a >= ((k - z) << (31 + e)) ? range_.min : range_.max + 1;
      }
    } else {
      CeilSequence positive(first_target - a, step, m),
          negative(first_target - a_negative, step, m);
      // The positive sequence ascends: once it reaches first_positive, the
      // negative one is never taken again, and stops.
      size_t i = 0;
      for (; i < thresholds_.size() && positive.value() < first_positive; ++i) {
        thresholds_[i] =
            std::clamp(std::min(negative.value(), first_positive), range_.min, range_.max + 1);
        positive.Next();
        negative.Next();
      }
      for (; i < thresholds_.size(); ++i) {
        thresholds_[i] = std::clamp(positive.value(), range_.min, range_.max + 1);
        positive.Next();
      }
    }
    return AgreesAtEnds(thresholds_);
  }

  // The reference agrees with thresholds (ascending) at the range's ends:
  // F(min) and F(max) count the levels reached there.
  bool AgreesAtEnds(const std::vector<int64_t>& thresholds) const {
    auto level_at = [&](int64_t x) {
      return q_.act_min +
             static_cast<int32_t>(std::upper_bound(thresholds.begin(), thresholds.end(), x) -
                                  thresholds.begin());
    };
    return level_at(range_.min) == F(range_.min) && level_at(range_.max) == F(range_.max);
  }

  // The constraints on G at the thresholds: for the i-th level k - z
  // (first_level_ + i), float(t_k) * s + c >= k - z where t_k is inside the
  // range (i < at_end_) and float(t_k - 1) * s + c < k - z where t_k - 1
  // is (i >= before_begin_); the thresholds are ascending and clamped to
  // [min, max + 1].
  void LocateConstraints() {
    at_end_ = std::lower_bound(thresholds_.begin(), thresholds_.end(), range_.max + 1) -
              thresholds_.begin();
    before_begin_ =
        std::upper_bound(thresholds_.begin(), thresholds_.end(), range_.min) - thresholds_.begin();
    first_level_ = q_.act_min + 1 - q_.output_offset;
  }

  // The constraints one offset serves: those at thresholds [at_begin,
  // at_end) and before thresholds [before_begin, before_end) (empty where
  // an end lies before its beginning).
  struct Piece {
    size_t at_begin, at_end, before_begin, before_end;
  };

  // The offsets c that meet a piece's constraints are [low, high), as far
  // as double arithmetic can tell: each bound is a max (min) of terms
  // level - float(t) * s, each rounded once from its exact value (the
  // product of two floats is exact in double).
  struct OffsetInterval {
    double low, high;

    // The middle, or one step inside a bound where the other is infinite.
    float Choose() const {
      if (std::isinf(low)) return static_cast<float>(std::isinf(high) ? 0.0 : high - 1);
      if (std::isinf(high)) return static_cast<float>(low + 1);
      return static_cast<float>((low + high) / 2);
    }

    // Whether c lies inside the exact interval: a term's rounding error is
    // at most |term| * 2^-53, so the exact bounds lie within |bound| *
    // 2^-53 of the computed ones; bounds computed in more steps are within
    // (|bound| + extra) * 2^-51, extra bounding the other values involved.
    // The margin here is far wider.
    bool ClearlyInside(float c, double extra = 0) const {
      constexpr double kRelative = 0x1p-40;
      const bool above_low = std::isinf(low) || c >= low + (1 + std::abs(low) + extra) * kRelative;
      const bool below_high =
          std::isinf(high) || c <= high - (1 + std::abs(high) + extra) * kRelative;
      return above_low && below_high;
    }
  };

  // The offsets for one piece at scale s, or nothing where none meets
  // every constraint.
  std::optional<OffsetInterval> OffsetsFor(float scale, Piece piece) const {
    const OffsetInterval offsets{Extreme<true>(0, piece.at_begin, piece.at_end, scale),
                                 Extreme<false>(1, piece.before_begin, piece.before_end, scale)};
    if (!(offsets.low < offsets.high)) return std::nullopt;
    return offsets;
  }

  // The max (kMax) or min over i in [begin, end) of level_i -
  // float(thresholds_[i] - minus) * scale (the product of two floats is
  // exact in double): -inf (+inf) where that is empty. Four independent
  // chains in locals: one chain would wait on each comparison, and an
  // indexed array of chains lives on the stack (these loops are most of a
  // proof's time).
  template <bool kMax>
  double Extreme(int64_t minus, size_t begin, size_t end, float scale) const {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double s = scale;
    auto pick = [](double a, double b) { return kMax ? std::max(a, b) : std::min(a, b); };
    auto term = [&](size_t i) {
      return first_level_ + static_cast<double>(i) -
             static_cast<double>(static_cast<float>(thresholds_[i] - minus)) * s;
    };
    double e0 = kMax ? -kInf : kInf, e1 = e0, e2 = e0, e3 = e0;
    size_t i = begin;
    for (; i + 4 <= end; i += 4) {
      e0 = pick(e0, term(i));
      e1 = pick(e1, term(i + 1));
      e2 = pick(e2, term(i + 2));
      e3 = pick(e3, term(i + 3));
    }
    for (; i < end; ++i) e0 = pick(e0, term(i));
    return pick(pick(e0, e1), pick(e2, e3));
  }

  // Whether G meets the constraints and its conversion cannot overflow at
  // the range's ends. Where its offsets lie clearly inside their intervals
  // (`clearly_inside`), the constraints are met; otherwise G is computed
  // exactly at every threshold.
  bool Verify(const ChannelForm& form, bool clearly_inside) const {
    const Dyadic s = Split(form.scale), above = Split(form.offset),
                 below = Split(form.offset_below);
    auto exact = [&](int64_t x) {
      return FloorOfAffine(static_cast<float>(x), s, x < form.split ? below : above);
    };
    // No overflow in the kernels' conversion at the ends (G is monotonic).
    for (const int64_t x : {range_.min, range_.max}) {
      const std::optional<int64_t> g = exact(x);
      if (!g || std::abs(*g) > kMaxFloatResult) return false;
    }
    if (clearly_inside) return true;
    for (size_t i = 0; i < thresholds_.size(); ++i) {
      const int64_t t = thresholds_[i], level = first_level_ + static_cast<int64_t>(i);
      if (i < at_end_) {
        const std::optional<int64_t> g = exact(t);
        if (!g || *g < level) return false;
      }
      if (i >= before_begin_) {
        const std::optional<int64_t> g = exact(t - 1);
        if (!g || *g >= level) return false;
      }
    }
    return true;
  }

  // A proven channel's form in terms of x before folding, where every
  // threshold lay inside its range: then it meets the constraints at F's
  // thresholds themselves, which are the same for every channel with its
  // multiplier and shift (per-tensor layers share one quantization across
  // their channels). Moved to another such channel, it meets that one's
  // constraints too: those at thresholds inside its range are among them,
  // and those at a range end that clamps thresholds beyond it follow by
  // monotonicity (G(min) >= G(t) >= level for t <= min; G(max) <= G(t - 1)
  // < level for t > max). With float(t - folded) exact for every
  // threshold t, the constraint float(t - folded) * s + c >= level reads c
  // >= (level - t * s) + folded * s: each bound of the offsets just moves
  // by folded * s.
  struct Reusable {
    int32_t multiplier;
    int shift;
    std::vector<int64_t> thresholds;  // unfolded, ascending
    int64_t first_positive;
    float scale;
    bool two_pieces;
    OffsetInterval above, below;  // unfolded (below: two pieces only)
    // A bound on the magnitudes behind the unfolded bounds' rounding.
    double magnitude;
  };

  // Whether the kernel's int32 accumulator can hold v (a folded range's
  // ends, a folded split).
  static bool InInt32(int64_t v) {
    return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
  }

  // Exact float conversion of every x - folded with x in [first, last].
  static bool ExactAsFloat(int64_t first, int64_t last, int64_t folded) {
    return ExactInFloat(first - folded) && ExactInFloat(last - folded);
  }

  void Remember(float scale, bool two_pieces, OffsetInterval above, OffsetInterval below,
                int64_t folded) {
    last_.reset();
    // Not where the next channel has another quantization (per-channel
    // layers: every one).
    const int next = channel_ + 1;
    if (next == channels_ || q_.multiplier[next] != q_.multiplier[channel_] ||
        q_.shift[next] != q_.shift[channel_]) {
      return;
    }
    const size_t n = thresholds_.size();
    // Thresholds (folded) and split inside the range; split_ is
    // first_positive_ clamped to it.
    if (n == 0 || before_begin_ != 0 || at_end_ != n || split_ + folded != first_positive_ ||
        !ExactAsFloat(thresholds_.front() - 1, thresholds_.back(), 0)) {
      return;
    }
    const double moved = static_cast<double>(folded) * scale;
    auto unfold = [&](OffsetInterval i) { return OffsetInterval{i.low - moved, i.high - moved}; };
    auto finite = [](double v) { return std::isinf(v) ? 0.0 : std::abs(v); };
    const OffsetInterval above0 = unfold(above), below0 = unfold(below);
    const double magnitude =
        std::abs(moved) + std::max({finite(above.low), finite(above.high), finite(below.low),
                                    finite(below.high), finite(above0.low), finite(above0.high),
                                    finite(below0.low), finite(below0.high)});
    std::vector<int64_t> unfolded = thresholds_;
    for (int64_t& t : unfolded) t += folded;
    last_ = Reusable{q_.multiplier[channel_],
                     q_.shift[channel_],
                     std::move(unfolded),
                     first_positive_,
                     scale,
                     two_pieces,
                     above0,
                     below0,
                     magnitude};
  }

  // The last proven channel's form, moved to this channel's fold, where
  // that is proven here too; else nothing (the full proof runs).
  std::optional<ChannelForm> SolveAsLast(int64_t folded) {
    if (!last_ || last_->multiplier != q_.multiplier[channel_] ||
        last_->shift != q_.shift[channel_]) {
      return std::nullopt;
    }
    const Reusable& l = *last_;
    if (!ExactAsFloat(l.thresholds.front() - 1, l.thresholds.back(), folded)) return std::nullopt;
    if (!AgreesAtEnds(l.thresholds)) return std::nullopt;  // as FindThresholds checks
    const AccumulatorRange unfolded = range_;
    range_ = {range_.min - folded, range_.max - folded};
    std::optional<ChannelForm> form;
    if (InInt32(range_.min) && InInt32(range_.max) && InInt32(l.first_positive - folded)) {
      const double moved = static_cast<double>(folded) * l.scale;
      const double extra = l.magnitude + std::abs(moved);
      const OffsetInterval above{l.above.low + moved, l.above.high + moved},
          below{l.below.low + moved, l.below.high + moved};
      const float c_above = above.Choose();
      const float c_below = l.two_pieces ? below.Choose() : c_above;
      const int32_t split = static_cast<int32_t>(l.first_positive - folded);
      if (above.ClearlyInside(c_above, extra) &&
          (!l.two_pieces || (below.ClearlyInside(c_below, extra) && c_below <= c_above)) &&
          Verify({l.scale, c_above, c_below, split}, /*clearly_inside=*/true)) {
        form = ChannelForm{l.scale, c_above, c_below,
                           l.two_pieces ? split : std::numeric_limits<int32_t>::min()};
      }
    }
    range_ = unfolded;
    return form;
  }

  const reference::ConvQuant& q_;
  int channels_;
  int channel_ = 0;
  AccumulatorRange range_;
  std::vector<int64_t> thresholds_;
  int32_t first_level_ = 0;
  int64_t first_positive_ = 0;  // the first x with x * m >= -2^30
  int32_t split_ = 0;           // first_positive_ clamped to the range
  size_t at_end_ = 0, before_begin_ = 0;
  std::optional<Reusable> last_;
};

}  // namespace

std::optional<FloatRequantization> ProveFloatRequantization(
    const reference::ConvQuant& q, const AccumulatorRange* ranges, int channels, int padded,
    const ParallelFor& parallel, int max_unproven, const int32_t* folded) {
  FloatRequantization r;
  r.scale.assign(padded, 0.0f);
  r.offset.assign(padded, 0.0f);
  r.offset_below.assign(padded, 0.0f);
  r.split.assign(padded, std::numeric_limits<int32_t>::min());
  // Tasks of consecutive channels, each writing only its own entries.
  constexpr int kChannelsPerTask = 16;
  const int tasks = (channels + kChannelsPerTask - 1) / kChannelsPerTask;
  std::vector<char> proven(channels, 0);
  // Failures so far: once past max_unproven, the layer has no form and the
  // remaining proofs are skipped (a failing proof costs the most).
  std::atomic<int> failures{0};
  const std::function<void(int)> prove = [&](int task) {
    ChannelProof proof(q, channels);
    const int end = std::min(channels, (task + 1) * kChannelsPerTask);
    for (int c = task * kChannelsPerTask; c < end; ++c) {
      if (failures.load(std::memory_order_relaxed) > max_unproven) return;
      const std::optional<ChannelForm> form = proof.Solve(c, ranges[c], folded ? folded[c] : 0);
      if (!form) {
        failures.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      r.scale[c] = form->scale;
      r.offset[c] = form->offset;
      r.offset_below[c] = form->offset_below;
      r.split[c] = form->split;
      proven[c] = 1;
    }
  };
  RunTasks(parallel, tasks, prove);
  for (int c = 0; c < channels; ++c) {
    if (!proven[c]) r.unproven.push_back(c);
  }
  if (static_cast<int>(r.unproven.size()) > max_unproven) return std::nullopt;
  for (int c = 0; c < channels; ++c) r.two_pieces |= r.offset_below[c] != r.offset[c];
  return r;
}

}  // namespace edgetl::optimized
