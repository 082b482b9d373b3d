#include "kernels/optimized/add_float_form.h"

#include <algorithm>
#include <cfenv>
#include <cmath>

// Only CPUs with FMA (the AVX2 and AVX-512 kernels') prove the form: their
// FMA and rounding instructions, inline where libm would be called, make
// the 65536 checks several times faster.
#if defined(__x86_64__) && defined(__GNUC__)
#define EDGETL_PROOF_TARGET __attribute__((target("avx2,fma")))
#else
#define EDGETL_PROOF_TARGET
#endif

namespace edgetl::optimized {
namespace {

// The float form's t for one pair, in the kernel's operations and order.
EDGETL_PROOF_TARGET inline float AddFloatT(const AddFloatForm& f, float x, float y) {
  return std::fma(x, f.a, std::fma(y, f.b, f.c));
}

// Whether the form gives every pair's byte in `table`; where not, *worst
// gets the largest distance from an integer of a t that disagrees.
template <typename T>
EDGETL_PROOF_TARGET bool GivesTable(const AddFloatForm& f, const std::vector<uint8_t>& table,
                                    float* worst) {
  bool gives = true;
  *worst = 0;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; ++j) {
      const float t = AddFloatT(f, TableValue<T>(i), TableValue<T>(j));
      const int32_t v =
          std::clamp(static_cast<int32_t>(std::floor(t)) - f.bias, f.act_min, f.act_max);
      if (static_cast<T>(v) == static_cast<T>(table[static_cast<size_t>(i) * 256 + j])) continue;
      gives = false;
      *worst = std::max(*worst, std::fabs(t - std::nearbyint(t)));
    }
  }
  return gives;
}

}  // namespace

template <typename T, bool kSub>
std::optional<AddFloatForm> ProveAddFloatForm(const reference::AddQuant& q,
                                              const std::vector<uint8_t>& table) {
  if (table.size() < 256 * 256) return std::nullopt;
  // The rescalings' real multipliers (TFLite's m * 2^(shift - 31)): the
  // inputs' scale over the output's.
  const auto real = [](int32_t m, int shift) {
    return std::ldexp(static_cast<double>(m), shift - 31);
  };
  const double to_out = real(q.output_multiplier, q.output_shift) * std::ldexp(1.0, q.left_shift);
  const double a = real(q.input1_multiplier, q.input1_shift) * to_out;
  const double b = (kSub ? -1 : 1) * real(q.input2_multiplier, q.input2_shift) * to_out;
  AddFloatForm f;
  f.a = static_cast<float>(a);
  f.b = static_cast<float>(b);
  f.bias = std::is_same_v<T, int8_t> ? 128 : 0;
  f.act_min = q.act_min;
  f.act_max = q.act_max;
  // Offsets, the output's zero point and the bias; + 0.5: floor rounds.
  f.c = static_cast<float>(q.input1_offset * a + q.input2_offset * b + q.output_offset + 0.5 +
                           f.bias);
  float worst = 0;  // the largest distance from an integer of a t that disagrees
  // In the kernels' rounding, to nearest, whatever the caller's.
  const int mode = std::fegetround();
  std::fesetround(FE_TONEAREST);
  const bool disagrees = !GivesTable<T>(f, table, &worst);
  std::fesetround(mode);
  // Disagreements far from an integer would send a good part of the values
  // to the exact path (the table, or the integer arithmetic), and mean the
  // form is off. (They lie on exact ties in
  // MobileNet V2's adds, which TFLite rounds away from zero, so both ways.)
  if (worst >= 1.f / 256) return std::nullopt;
  // A power of two above the worst (t - nearbyint(t) is exact in float).
  if (disagrees)
    f.near = worst == 0 ? std::ldexp(1.f, -24) : std::ldexp(1.f, std::ilogb(worst) + 1);
  return f;
}

template std::optional<AddFloatForm> ProveAddFloatForm<uint8_t, false>(const reference::AddQuant&,
                                                                       const std::vector<uint8_t>&);
template std::optional<AddFloatForm> ProveAddFloatForm<uint8_t, true>(const reference::AddQuant&,
                                                                      const std::vector<uint8_t>&);
template std::optional<AddFloatForm> ProveAddFloatForm<int8_t, false>(const reference::AddQuant&,
                                                                      const std::vector<uint8_t>&);
template std::optional<AddFloatForm> ProveAddFloatForm<int8_t, true>(const reference::AddQuant&,
                                                                     const std::vector<uint8_t>&);

}  // namespace edgetl::optimized
