#include "cli/image_args.h"

#include <cstdio>

namespace edgetl::cli {

const char kPreprocessingHelp[] =
    "  --resize stretch|center-crop|letterbox  how images fit the input (default stretch)\n"
    "  --mean M --std S  float inputs get (pixel - M) / S (default: the input's quantization,\n"
    "                    else [-1, 1])\n"
    "  --raw-int8        copy 8-bit pixels into an int8 input unchanged instead of subtracting\n"
    "                    128 (TFLite Micro sample images store int8 values)\n";

const char kCacheHelp[] =
    "  --cache FILE      embedding cache file (default: one per dataset under\n"
    "                    $XDG_CACHE_HOME/edgetl or ~/.cache/edgetl)\n"
    "  --no-cache        always extract, read and write no cache\n";

Result<Preprocessing> PreprocessingFromArgs(const Args& args) {
  Preprocessing pre;
  if (auto mode = args.get("resize")) {
    EDGETL_ASSIGN_OR_RETURN(pre.resize, ParseResizeMode(*mode));
  }
  pre.raw_int8 = args.has("raw-int8");
  EDGETL_ASSIGN_OR_RETURN(double mean, args.get_double("mean", 0));
  EDGETL_ASSIGN_OR_RETURN(double std_dev, args.get_double("std", 0));
  if ((args.has("mean") || args.has("std")) && !(std_dev > 0)) {
    return InvalidArgument("--mean/--std need a positive --std");
  }
  pre.mean = static_cast<float>(mean);
  pre.std_dev = static_cast<float>(std_dev);
  return pre;
}

std::optional<EmbeddingCache> OpenCacheFromArgs(const Args& args,
                                                const std::filesystem::path& dataset,
                                                const Model& model, const Preprocessing& pre) {
  if (args.has("no-cache")) return std::nullopt;
  const std::filesystem::path path = args.has("cache") ? std::filesystem::path(*args.get("cache"))
                                                       : EmbeddingCache::DefaultPath(dataset);
  EmbeddingCache cache = EmbeddingCache::Open(path, model, pre);
  if (!cache.discarded().empty()) {
    std::fprintf(stderr, "warning: embedding cache %s not used (%s); rebuilding it\n", path.c_str(),
                 cache.discarded().c_str());
  }
  return cache;
}

void SaveCache(std::optional<EmbeddingCache>& cache) {
  if (!cache) return;
  std::fprintf(stderr, "embedding cache: %zu of %zu images from %s\n", cache->hits(),
               cache->hits() + cache->misses(), cache->path().c_str());
  if (Status s = cache->Save(); !s.ok()) {
    std::fprintf(stderr, "warning: embedding cache not saved: %s\n", s.message().c_str());
  }
}

std::set<std::string> Union(std::initializer_list<std::set<std::string>> sets) {
  std::set<std::string> all;
  for (const auto& s : sets) all.insert(s.begin(), s.end());
  return all;
}

}  // namespace edgetl::cli
