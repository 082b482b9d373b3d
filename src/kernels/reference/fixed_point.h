// Integer fixed-point arithmetic with TensorFlow Lite's exact rounding rules
// (the gemmlowp conventions its reference kernels are defined by). Every
// function here is bit-exact to those rules; the reference kernels and, later,
// the optimized ones rely on that for byte-identical outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace edgetl::fixedpoint {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

// round(a * b / 2^31), saturating the one overflow case (min * min).
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == kInt32Min) return kInt32Max;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero, for exponents 0
// to 62. gemmlowp defines it for 0 to 31 only, but TFLite's SOFTMAX asks for
// up to 35 (a sum of exponentials of 2^8 or more, as near-uniform rows over
// 1001 classes give); in 64 bits the larger ones keep the same rule (the
// result is 0, or -1 for -2^31 / 2^32) instead of an undefined shift.
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((int64_t{x} >> exponent) + (remainder > threshold ? 1 : 0));
}

// x * 2^exponent: saturating for exponent > 0, rounding for exponent < 0.
inline int32_t SaturatingRoundingMultiplyByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int32_t threshold = static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return kInt32Max;
  if (x < -threshold) return kInt32Min;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// x * multiplier * 2^shift, multiplier a Q0.31 in [0.5, 1): TFLite's
// MultiplyByQuantizedMultiplier with its default double rounding.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(
          static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), multiplier),
      right_shift);
}

// For multipliers < 1 (shift <= 0), as ADD/SUB/L2NORM use them.
inline int32_t MultiplyByQuantizedMultiplierSmallerThanOneExp(int32_t x, int32_t multiplier,
                                                              int left_shift) {
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), -left_shift);
}

// For multipliers > 1 (left_shift >= 0), as SOFTMAX uses them.
inline int32_t MultiplyByQuantizedMultiplierGreaterThanOne(int32_t x, int32_t multiplier,
                                                           int left_shift) {
  return SaturatingRoundingDoublingHighMul(
      static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), multiplier);
}

// Splits a real multiplier into a Q0.31 significand and a power-of-two
// exponent: m = multiplier * 2^(shift - 31).
inline void QuantizeMultiplier(double m, int32_t* multiplier, int* shift) {
  if (m == 0.0) {
    *multiplier = 0;
    *shift = 0;
    return;
  }
  const double q = std::frexp(m, shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++*shift;
  }
  if (*shift < -31) {
    *shift = 0;
    q_fixed = 0;
  }
  if (*shift > 30) {
    *shift = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  *multiplier = static_cast<int32_t>(q_fixed);
}

inline int CountLeadingZeros(uint32_t x) { return x == 0 ? 32 : __builtin_clz(x); }

// A Q(kIntBits).(31-kIntBits) signed fixed-point number.
template <int kIntBits>
struct Fixed {
  static constexpr int kFracBits = 31 - kIntBits;
  int32_t raw;

  static constexpr Fixed FromRaw(int32_t r) { return Fixed{r}; }
  static constexpr Fixed One() {
    return Fixed{kIntBits == 0 ? kInt32Max : static_cast<int32_t>(int64_t{1} << kFracBits)};
  }
  // 2^exponent.
  template <int kExponent>
  static constexpr Fixed ConstantPOT() {
    return Fixed{static_cast<int32_t>(int64_t{1} << (kFracBits + kExponent))};
  }
  static constexpr Fixed Zero() { return Fixed{0}; }
};

template <int A>
inline Fixed<A> operator+(Fixed<A> a, Fixed<A> b) {
  return Fixed<A>{
      static_cast<int32_t>(static_cast<uint32_t>(a.raw) + static_cast<uint32_t>(b.raw))};
}
template <int A>
inline Fixed<A> operator-(Fixed<A> a, Fixed<A> b) {
  return Fixed<A>{
      static_cast<int32_t>(static_cast<uint32_t>(a.raw) - static_cast<uint32_t>(b.raw))};
}
template <int A, int B>
inline Fixed<A + B> operator*(Fixed<A> a, Fixed<B> b) {
  return Fixed<A + B>{SaturatingRoundingDoublingHighMul(a.raw, b.raw)};
}

// Changes the number of integer bits, keeping the value (rounding/saturating).
template <int kDst, int kSrc>
inline Fixed<kDst> Rescale(Fixed<kSrc> x) {
  return Fixed<kDst>{SaturatingRoundingMultiplyByPOT(x.raw, kSrc - kDst)};
}

// exp(x) for x in [-1/4, 0).
inline Fixed<0> ExpOnIntervalNegativeQuarterToZero(Fixed<0> a) {
  const Fixed<0> exp_minus_one_eighth = Fixed<0>::FromRaw(1895147668);
  const Fixed<0> one_third = Fixed<0>::FromRaw(715827883);
  // Taylor series around -1/8: x = a + 1/8.
  const Fixed<0> x = a + Fixed<0>::ConstantPOT<-3>();
  const Fixed<0> x2 = x * x;
  const Fixed<0> x3 = x2 * x;
  const Fixed<0> x4 = x2 * x2;
  const Fixed<0> x4_over_4 = Fixed<0>::FromRaw(SaturatingRoundingMultiplyByPOT(x4.raw, -2));
  const Fixed<0> poly = Fixed<0>::FromRaw(
      SaturatingRoundingMultiplyByPOT(((x4_over_4 + x3) * one_third + x2).raw, -1));
  return exp_minus_one_eighth + exp_minus_one_eighth * (x + poly);
}

// exp(a) for a <= 0, as a Q0.31.
template <int kIntBits>
inline Fixed<0> ExpOnNegativeValues(Fixed<kIntBits> a) {
  using In = Fixed<kIntBits>;
  constexpr int kFrac = In::kFracBits;
  const In one_quarter = In::template ConstantPOT<-2>();
  const int32_t mask = one_quarter.raw - 1;
  const In a_mod_quarter_minus_quarter = In::FromRaw(a.raw & mask) - one_quarter;
  Fixed<0> result = ExpOnIntervalNegativeQuarterToZero(Rescale<0>(a_mod_quarter_minus_quarter));
  const int32_t remainder = (a_mod_quarter_minus_quarter - a).raw;
  // exp(-2^k) for k = -2..4, applied for each bit set in the remainder.
  struct Step {
    int exponent;
    int32_t multiplier;
  };
  constexpr Step kSteps[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
                             {2, 39332535},    {3, 720401},      {4, 242}};
  for (const Step& s : kSteps) {
    if (kIntBits > s.exponent) {
      const int bit = kFrac + s.exponent;
      if (remainder & (int32_t{1} << bit)) result = result * Fixed<0>::FromRaw(s.multiplier);
    }
  }
  if constexpr (kIntBits > 5) {
    const int32_t clamp = -(int32_t{1} << (36 - kIntBits));  // -32.0
    if (a.raw < clamp) result = Fixed<0>::Zero();
  }
  if (a.raw == 0) result = Fixed<0>::One();
  return result;
}

// 1 / (1 + x) for x in [0, 1), by Newton-Raphson.
inline Fixed<0> OneOverOnePlusX(Fixed<0> a) {
  // (a + 1) / 2, rounded, without overflow.
  const int64_t sum = static_cast<int64_t>(a.raw) + Fixed<0>::One().raw;
  const Fixed<0> half_denominator =
      Fixed<0>::FromRaw(static_cast<int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2));
  const Fixed<2> c48_over_17 = Fixed<2>::FromRaw(1515870810);
  const Fixed<2> c_neg32_over_17 = Fixed<2>::FromRaw(-1010580540);
  Fixed<2> x = c48_over_17 + half_denominator * c_neg32_over_17;
  for (int i = 0; i < 3; ++i) {
    const Fixed<2> half_denominator_times_x = half_denominator * x;
    const Fixed<2> one_minus = Fixed<2>::One() - half_denominator_times_x;
    x = x + Rescale<2>(x * one_minus);
  }
  // x / 2, as a Q1.30 with the same raw bits, then back to Q0.31.
  return Rescale<0>(Fixed<1>::FromRaw(x.raw));
}

// 1 / x for a positive Q(x_int_bits) x: a Q0.31 significand and the number of
// bits by which x exceeds one.
inline int32_t GetReciprocal(int32_t x, int x_int_bits, int* num_bits_over_unit) {
  const int headroom_plus_one = CountLeadingZeros(static_cast<uint32_t>(x));
  *num_bits_over_unit = x_int_bits - headroom_plus_one;
  const int32_t shifted_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (static_cast<uint32_t>(1) << 31));
  return OneOverOnePlusX(Fixed<0>::FromRaw(shifted_minus_one)).raw;
}

// 1/sqrt(input) as a multiplier and shift (L2 normalization).
inline void GetInvSqrtQuantizedMultiplierExp(int32_t input, int reverse_shift,
                                             int32_t* output_inv_sqrt, int* output_shift) {
  if (input <= 1) {
    // 0 and 1 both give 1: 0 would divide by zero (untrained or dead inputs).
    *output_inv_sqrt = kInt32Max;
    *output_shift = 0;
    return;
  }
  *output_shift = 11;
  while (input >= (1 << 29)) {
    input /= 4;
    ++*output_shift;
  }
  const unsigned max_left_shift_bits = CountLeadingZeros(static_cast<uint32_t>(input)) - 1;
  const unsigned left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  *output_shift -= static_cast<int>(left_shift_bit_pairs);
  input <<= 2 * left_shift_bit_pairs;
  using F3 = Fixed<3>;
  const F3 fixed_input = F3::FromRaw(input >> 1);
  const F3 half_input = F3::FromRaw(SaturatingRoundingMultiplyByPOT(fixed_input.raw, -1));
  const F3 half_three = F3::FromRaw((1 << 28) + (1 << 27));
  F3 x = F3::One();
  for (int i = 0; i < 5; ++i) {
    const F3 x3 = Rescale<3>(x * x * x);
    x = Rescale<3>(half_three * x - half_input * x3);
  }
  const Fixed<0> half_sqrt_2 = Fixed<0>::FromRaw(1518500250);
  x = x * half_sqrt_2;
  *output_inv_sqrt = x.raw;
  if (*output_shift < 0) {
    *output_inv_sqrt <<= -*output_shift;
    *output_shift = 0;
  }
  *output_shift *= reverse_shift;
}

// ---- 16-bit variants (HARD_SWISH) ------------------------------------------

inline int16_t SaturatingRoundingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min())
    return std::numeric_limits<int16_t>::max();
  const int32_t ab = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((ab + nudge) / (1 << 15));
}

// Like the rounding version but truncating: cancels that one's bias.
inline int16_t SaturatingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min())
    return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>(static_cast<int32_t>(a) * static_cast<int32_t>(b) / (1 << 15));
}

inline int16_t RoundingDivideByPOT16(int16_t x, int exponent) {
  const int16_t mask = static_cast<int16_t>((1 << exponent) - 1);
  const int16_t remainder = static_cast<int16_t>(x & mask);
  const int16_t threshold = static_cast<int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

inline int16_t SaturatingLeftShift16(int16_t value, int amount) {
  const int32_t result = static_cast<int32_t>(value) * (1 << amount);
  return static_cast<int16_t>(std::clamp<int32_t>(result, std::numeric_limits<int16_t>::min(),
                                                  std::numeric_limits<int16_t>::max()));
}

// Rounds a Q0.31 multiplier to Q0.15.
inline int16_t DownScaleInt32ToInt16Multiplier(int32_t multiplier) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (multiplier >= kInt32Max - kRoundingOffset) return std::numeric_limits<int16_t>::max();
  return static_cast<int16_t>((multiplier + kRoundingOffset) >> 16);
}

}  // namespace edgetl::fixedpoint
