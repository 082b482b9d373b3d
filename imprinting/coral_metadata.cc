// Coral's imprinting metadata in the model description: "%d %f\n" per
// trainable class, ascending by class id.
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "edgetl/imprinting.h"

namespace edgetl {

std::string FormatImprintingMetadata(const std::map<int, float>& norms) {
  std::string out;
  char line[64];
  for (const auto& [id, norm] : norms) {
    std::snprintf(line, sizeof(line), "%d %f\n", id, norm);
    out += line;
  }
  return out;
}

std::map<int, float> ParseImprintingMetadata(const std::string& description) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : description) {
    if (c == ' ' || c == '\n') {
      if (!current.empty()) tokens.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(current);
  std::map<int, float> norms;
  for (size_t i = 0; i + 1 < tokens.size(); i += 2) {
    char* end = nullptr;
    errno = 0;
    const long id = std::strtol(tokens[i].c_str(), &end, 10);
    if (*end != '\0' || tokens[i].empty() || errno != 0 || id < 0 || id > INT_MAX) return {};
    const float norm = std::strtof(tokens[i + 1].c_str(), &end);
    // A norm is a vector's length: finite and not negative.
    if (*end != '\0' || tokens[i + 1].empty() || !std::isfinite(norm) || norm < 0) return {};
    norms[static_cast<int>(id)] = norm;
  }
  return norms;
}

}  // namespace edgetl
