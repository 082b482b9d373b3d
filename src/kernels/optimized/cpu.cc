#include "kernels/optimized/cpu.h"

#include <cstdlib>
#include <cstring>

namespace edgetl::optimized {

bool HasAvx512Vnni() {
  static const bool has = [] {
    if (const char* off = std::getenv("EDGETL_NO_VNNI"); off && std::strcmp(off, "1") == 0) {
      return false;
    }
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#else
    return false;
#endif
  }();
  return has;
}

}  // namespace edgetl::optimized
