// A file cache of image embeddings, so that re-running a training on the same
// data and model does not extract the same embeddings again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgetl/image.h"
#include "edgetl/model.h"
#include "edgetl/status.h"

namespace edgetl {

// One cache file holds the embeddings of one dataset for one model and one
// preprocessing. An entry is used only while its image file keeps the size
// and modification time it had when the entry was made. The file has a
// version and a checksum and is replaced atomically; whatever cannot be
// trusted (damaged, truncated, another version, another model or
// preprocessing) is discarded and rebuilt, never used.
class EmbeddingCache {
 public:
  // Opens the cache file at `path` for embeddings that `model` produces from
  // images preprocessed per `pre`. Never fails: a missing file starts an
  // empty cache, and a file that cannot be trusted starts an empty cache
  // with discarded() saying why.
  static EmbeddingCache Open(const std::filesystem::path& path, const Model& model,
                             const Preprocessing& pre = {});

  // The default location for a dataset's cache:
  // $XDG_CACHE_HOME/edgetl (else ~/.cache/edgetl, else the temp folder)
  // /<folder name>-<hash of its absolute path>.embcache
  static std::filesystem::path DefaultPath(const std::filesystem::path& dataset);

  // The cached embedding of `image` if its size and mtime still match; counts
  // a hit or a miss. An image that cannot be stat'ed is a miss.
  std::optional<std::vector<float>> Find(const std::filesystem::path& image);
  // Records `embedding` for `image` with the image's current size and mtime
  // (ignored if the image cannot be stat'ed).
  void Put(const std::filesystem::path& image, std::vector<float> embedding);

  // Writes the cache (atomically) if anything changed since it was opened.
  // Errors: kIoError (folder not creatable, disk full); the old file is then
  // left as it was.
  Status Save();

  const std::filesystem::path& path() const { return path_; }
  size_t size() const { return entries_.size(); }
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  // Why an existing file was not used ("" when it was, or there was none).
  const std::string& discarded() const { return discarded_; }

 private:
  struct Entry {
    uint64_t size = 0;
    int64_t mtime = 0;
    std::vector<float> embedding;
  };
  std::filesystem::path path_;
  uint64_t model_hash_ = 0, preprocessing_hash_ = 0;
  std::map<std::string, Entry> entries_;  // by absolute image path
  size_t hits_ = 0, misses_ = 0;
  bool dirty_ = false;
  std::string discarded_;
};

}  // namespace edgetl
