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
    const auto sep = line.find_last_of(",\t");
    const std::string where = list.string() + ":" + std::to_string(number);
    if (sep == std::string::npos) {
      return InvalidArgument(where + ": expected 'image,class' (or a tab between them), got '" +
                             line + "'");
    }
    std::string file = Trim(line.substr(0, sep)), name = Trim(line.substr(sep + 1));
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
