// The floating-point environment the kernels and the float
// requantization's proofs assume: the default one (round to nearest; on
// x86 no flush-to-zero or denormals-are-zero), whatever the application set
// on its thread. Internal header.
#pragma once

#include <cfenv>

namespace edgetl {

// Sets the default environment for its lifetime, then restores the
// caller's.
class DefaultFloatEnvironment {
 public:
  DefaultFloatEnvironment() {
    std::fegetenv(&saved_);
    std::fesetenv(FE_DFL_ENV);
  }
  ~DefaultFloatEnvironment() { std::fesetenv(&saved_); }
  DefaultFloatEnvironment(const DefaultFloatEnvironment&) = delete;
  DefaultFloatEnvironment& operator=(const DefaultFloatEnvironment&) = delete;

 private:
  std::fenv_t saved_;
};

}  // namespace edgetl
