// Datasets from a list file, and the one entry point for both dataset forms.
#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "edgetl/dataset.h"

namespace edgetl {
namespace fs = std::filesystem;

namespace {

std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Splits a list line into (image, class). Quoted CSV fields ("a, b" with ""
// for a quote) are parsed as such; an unquoted line splits at its last comma
// or tab, so unquoted paths may still hold commas. False when malformed.
bool SplitLine(const std::string& line, std::string* file, std::string* name) {
  if (line.find('"') == std::string::npos) {
    const auto sep = line.find_last_of(",\t");
    if (sep == std::string::npos) return false;
    *file = Trim(line.substr(0, sep));
    *name = Trim(line.substr(sep + 1));
    return true;
  }
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == '\t') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted || fields.size() != 2) return false;
  *file = Trim(fields[0]);
  *name = Trim(fields[1]);
  return true;
}

}  // namespace

Result<Dataset> ReadDatasetList(const fs::path& list) {
  std::ifstream in(list);
  if (!in) return NotFound("cannot open dataset list " + list.string());
  const fs::path base = list.parent_path();
  std::map<std::string, std::vector<fs::path>> by_class;
  std::set<fs::path> seen;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    const std::string where = list.string() + ":" + std::to_string(number);
    std::string file, name;
    if (!SplitLine(line, &file, &name)) {
      return InvalidArgument(where + ": expected 'image,class' (or a tab between them), got '" +
                             line + "'");
    }
    if (number == 1 && (file == "path" || file == "image") && (name == "class" || name == "label"))
      continue;  // a CSV header
    if (file.empty() || name.empty()) return InvalidArgument(where + ": empty image or class");
    fs::path path = fs::path(file).is_absolute() ? fs::path(file) : base / file;
    path = path.lexically_normal();
    if (!seen.insert(path).second) return InvalidArgument(where + ": " + file + " is listed twice");
    by_class[name].push_back(std::move(path));
  }
  if (by_class.empty())
    return InvalidArgument("dataset list " + list.string() + " lists no images");
  // Classes sorted by name and files sorted within a class, as for folders,
  // so ids and the Coral split do not depend on the order of the lines.
  Dataset ds;
  for (auto& [name, files] : by_class) {
    std::sort(files.begin(), files.end());
    const int label = static_cast<int>(ds.class_names.size());
    ds.class_names.push_back(name);
    for (auto& f : files) ds.samples.push_back({std::move(f), label});
  }
  return ds;
}

Result<Dataset> LoadDataset(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return ListImageFolder(path);
  if (fs::is_regular_file(path, ec)) return ReadDatasetList(path);
  return NotFound("no such dataset folder or list: " + path.string());
}

}  // namespace edgetl
