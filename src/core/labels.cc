#include "edgetl/labels.h"

#include <cctype>
#include <charconv>
#include <sstream>

#include "edgetl/file_io.h"

namespace edgetl {

Result<std::map<int, std::string>> ReadLabels(const std::filesystem::path& path) {
  EDGETL_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, 64 << 20));
  std::istringstream in(std::string(bytes.begin(), bytes.end()));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  // "id label" form only if every non-empty line starts with an integer and
  // a separator; otherwise line numbers are the ids.
  bool numbered = !lines.empty();
  for (const auto& line : lines) {
    size_t i = 0;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (line.empty()) continue;
    if (i == 0 || i == line.size() || !std::isspace(static_cast<unsigned char>(line[i]))) {
      numbered = false;
      break;
    }
  }
  std::map<int, std::string> labels;
  for (size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (!numbered) {
      labels[static_cast<int>(n)] = line;
      continue;
    }
    if (line.empty()) continue;
    size_t i = 0;
    while (std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    int id = 0;
    if (std::from_chars(line.data(), line.data() + i, id).ec != std::errc()) {
      return InvalidArgument(path.string() + ": line " + std::to_string(n + 1) + ": class id " +
                             line.substr(0, i) + " is too large");
    }
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (!labels.emplace(id, line.substr(i)).second) {
      return InvalidArgument(path.string() + ": class id " + std::to_string(id) + " appears twice");
    }
  }
  return labels;
}

Status WriteLabels(const std::filesystem::path& path, const std::map<int, std::string>& labels) {
  std::string text;
  for (const auto& [id, label] : labels) {
    // Either would read back as something else (ReadLabels).
    if (id < 0) return InvalidArgument("class id " + std::to_string(id) + " is negative");
    if (label.find_first_of("\n\r") != std::string::npos) {
      return InvalidArgument("the label of class " + std::to_string(id) + " contains a line break");
    }
    text += std::to_string(id) + "  " + label + "\n";
  }
  return WriteFileAtomic(path, std::string_view(text));
}

}  // namespace edgetl
