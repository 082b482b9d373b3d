// Whole-file reads and crash-safe writes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "edgetl/status.h"

namespace edgetl {

// Reads a whole file. Errors: kNotFound (no such file), kIoError (unreadable,
// a directory, or larger than `max_bytes`).
Result<std::vector<uint8_t>> ReadFileBytes(const std::filesystem::path& path,
                                           uint64_t max_bytes = uint64_t{1} << 31);

// Writes `bytes` to `path` atomically: a temporary file beside it is written,
// flushed to disk and renamed over `path`, so `path` holds either its old
// content or the new one, never a partial file. Errors: kIoError (directory
// missing or not writable, disk full); on error `path` is untouched and the
// temporary file is removed.
Status WriteFileAtomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);
Status WriteFileAtomic(const std::filesystem::path& path, std::string_view text);

}  // namespace edgetl
