// Label files: one label per line (line number = class id), or "id label"
// per line (as Coral writes them).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "edgetl/status.h"

namespace edgetl {

// Errors: kNotFound, kIoError; kInvalidArgument when an id repeats or
// does not fit an int.
Result<std::map<int, std::string>> ReadLabels(const std::filesystem::path& path);

// Writes "id  label" lines atomically. Errors: kIoError; kInvalidArgument
// for a negative id or a label with a line break (nothing is written).
Status WriteLabels(const std::filesystem::path& path, const std::map<int, std::string>& labels);

}  // namespace edgetl
