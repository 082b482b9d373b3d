#include "kernels/optimized/cpu.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif
#if defined(__x86_64__) && defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace edgetl::optimized {

namespace {
bool TurnedOff(const char* variable) {
  const char* off = std::getenv(variable);
  return off && std::strcmp(off, "1") == 0;
}
}  // namespace

bool HasAvx512Vnni() {
  static const bool has = [] {
    if (TurnedOff("EDGETL_NO_VNNI")) return false;
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

bool HasAvx2() {
  static const bool has = [] {
    if (TurnedOff("EDGETL_NO_AVX2")) return false;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    // FMA: the float form of the requantization (requantize_avx2.h); every
    // AVX2 CPU from Intel (Haswell on) and AMD (Excavator on) has it.
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false;
#endif
  }();
  return has;
}

bool HasAmxInt8() {
  static const bool has = [] {
    if (!HasAvx512Vnni() || TurnedOff("EDGETL_NO_AMX")) return false;
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    constexpr unsigned kAmxTile = 1u << 24, kAmxInt8 = 1u << 25;
    if ((edx & kAmxTile) == 0 || (edx & kAmxInt8) == 0) return false;
    // The tile data is a dynamically enabled state component: a process
    // must ask for it before its first tile instruction (Linux 5.16+).
    constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtileData = 18;
    return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtileData) == 0;
#else
    return false;
#endif
  }();
  return has;
}

const char* KernelPathName() {
  if (HasAmxInt8()) return "avx512-vnni+amx";
  if (HasAvx512Vnni()) return "avx512-vnni";
  if (HasAvx2()) return "avx2";
  return "portable";
}

}  // namespace edgetl::optimized
