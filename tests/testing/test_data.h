// Access to the shared test material (models, images, TFLite reference
// outputs) through the one setting EDGETL_DATA_DIR.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edgetl::testing {

// $EDGETL_DATA_DIR, or the shared/ folder beside the checkout.
std::filesystem::path DataDir();
// DataDir() / relative; the test is skipped by the caller when missing.
std::filesystem::path DataPath(const std::string& relative);
std::vector<uint8_t> ReadBytes(const std::filesystem::path& path);

}  // namespace edgetl::testing

// Skips the current test when a shared file is not there (e.g. a checkout
// without ../shared), instead of failing for a reason unrelated to the code.
#define EDGETL_REQUIRE_DATA(path)                                                       \
  do {                                                                                  \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "missing test data " << (path); \
  } while (0)
