#include <algorithm>
#include <cctype>
#include <map>
#include <random>

#include "edgetl/dataset.h"

namespace edgetl {
namespace fs = std::filesystem;

namespace {

bool IsImageFile(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

}  // namespace

Result<Dataset> ListImageFolder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return NotFound("no such dataset folder: " + dir.string());
  std::vector<fs::path> class_dirs;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) class_dirs.push_back(entry.path());
  }
  if (ec) return IoError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(class_dirs.begin(), class_dirs.end());
  if (class_dirs.empty()) {
    return InvalidArgument(dir.string() +
                           " has no class folders (expected one subfolder per class)");
  }
  Dataset ds;
  for (const fs::path& class_dir : class_dirs) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(class_dir, ec)) {
      if (entry.is_regular_file() && IsImageFile(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    const std::string name = class_dir.filename().string();
    if (files.empty())
      return InvalidArgument("class '" + name + "' has no images (" + class_dir.string() + ")");
    const int label = static_cast<int>(ds.class_names.size());
    ds.class_names.push_back(name);
    for (auto& f : files) ds.samples.push_back({std::move(f), label});
  }
  return ds;
}

Result<DatasetSplit> CoralSplit(const Dataset& dataset, double test_ratio) {
  if (!(test_ratio >= 0 && test_ratio < 1)) {
    return InvalidArgument("test ratio must be in [0, 1), got " + std::to_string(test_ratio));
  }
  DatasetSplit split;
  for (size_t c = 0; c < dataset.class_names.size(); ++c) {
    std::vector<const Sample*> members;
    for (const Sample& s : dataset.samples) {
      if (s.label == static_cast<int>(c)) members.push_back(&s);
    }
    const size_t n = members.size();
    const size_t test =
        test_ratio == 0 ? 0 : std::max<size_t>(1, static_cast<size_t>(test_ratio * n));
    for (size_t i = 0; i < n; ++i) (i < test ? split.test : split.train).push_back(*members[i]);
  }
  return split;
}

Result<DatasetSplit> StratifiedSplit(const std::vector<Sample>& samples, double ratio,
                                     uint64_t seed) {
  if (!(ratio >= 0 && ratio < 1))
    return InvalidArgument("split ratio must be in [0, 1), got " + std::to_string(ratio));
  std::map<int, std::vector<Sample>> by_class;
  for (const Sample& s : samples) by_class[s.label].push_back(s);
  DatasetSplit split;
  for (auto& [label, members] : by_class) {
    // One generator per class, seeded from (seed, label): adding a class does
    // not reshuffle the others.
    std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(label));
    for (size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng() % i]);
    size_t held = static_cast<size_t>(std::llround(ratio * members.size()));
    if (ratio > 0 && held == 0 && members.size() > 1) held = 1;
    for (size_t i = 0; i < members.size(); ++i)
      (i < held ? split.test : split.train).push_back(members[i]);
  }
  return split;
}

}  // namespace edgetl
