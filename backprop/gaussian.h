// Standard normal samples from a seeded 64-bit Mersenne Twister by the
// Box-Muller transform. std::normal_distribution's algorithm differs between
// standard libraries; this keeps "same seed, same model" true everywhere.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace edgetl {

class GaussianSource {
 public:
  explicit GaussianSource(uint64_t seed) : rng_(seed) {}

  float Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // u1 in (0, 1], u2 in [0, 1), from 53 random bits each.
    const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) / 9007199254740992.0;
    const double u2 = static_cast<double>(rng_() >> 11) / 9007199254740992.0;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 6.283185307179586 * u2;
    spare_ = static_cast<float>(r * std::sin(theta));
    has_spare_ = true;
    return static_cast<float>(r * std::cos(theta));
  }

 private:
  std::mt19937_64 rng_;
  float spare_ = 0.f;
  bool has_spare_ = false;
};

}  // namespace edgetl
