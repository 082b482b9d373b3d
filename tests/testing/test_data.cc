#include "testing/test_data.h"

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace edgetl::testing {

std::filesystem::path DataDir() {
  if (const char* env = std::getenv("EDGETL_DATA_DIR"); env && *env) return env;
  return EDGETL_DEFAULT_DATA_DIR;
}

std::filesystem::path DataPath(const std::string& relative) { return DataDir() / relative; }

std::vector<uint8_t> ReadBytes(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

}  // namespace edgetl::testing
