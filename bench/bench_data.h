// The shared data folder for benchmarks: $EDGETL_DATA_DIR or ../shared.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace edgetl::bench {

inline std::filesystem::path DataDir() {
  if (const char* env = std::getenv("EDGETL_DATA_DIR"); env && *env) return env;
  return EDGETL_DEFAULT_DATA_DIR;
}

}  // namespace edgetl::bench
