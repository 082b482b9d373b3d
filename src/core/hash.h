// 64-bit FNV-1a: a small, dependency-free content hash for cache keys and
// checksums (detects damage and changes, not adversaries).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace edgetl {

inline constexpr uint64_t kFnvOffset = 14695981039346656037ull;

inline uint64_t Fnv1a(std::span<const uint8_t> bytes, uint64_t h = kFnvOffset) {
  for (uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

inline uint64_t Fnv1a(std::string_view text, uint64_t h = kFnvOffset) {
  return Fnv1a({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, h);
}

}  // namespace edgetl
