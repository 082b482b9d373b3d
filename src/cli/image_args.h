// Command-line options shared by the commands that read images and datasets:
// preprocessing (--resize, --mean, --std, --raw-int8) and the embedding
// cache (--cache FILE, --no-cache).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "cli/args.h"
#include "edgetl/embedding_cache.h"
#include "edgetl/image.h"

namespace edgetl::cli {

inline const std::set<std::string> kPreprocessingOptions = {"resize", "mean", "std"};
inline const std::set<std::string> kPreprocessingFlags = {"raw-int8"};
inline const std::set<std::string> kCacheOptions = {"cache"};
inline const std::set<std::string> kCacheFlags = {"no-cache"};

extern const char kPreprocessingHelp[];
extern const char kCacheHelp[];

// Errors: kInvalidArgument for an unknown resize mode, a non-number, or
// --mean without a positive --std.
Result<Preprocessing> PreprocessingFromArgs(const Args& args);

// The cache for `dataset` (at --cache, or its default place) unless
// --no-cache; a discarded cache file is reported on stderr.
std::optional<EmbeddingCache> OpenCacheFromArgs(const Args& args,
                                                const std::filesystem::path& dataset,
                                                const Model& model, const Preprocessing& pre);

// Saves the cache if there is one and says on stderr how much it answered;
// a cache that cannot be written is a warning, not a failure.
void SaveCache(std::optional<EmbeddingCache>& cache);

// Merges option sets for Args::Parse.
std::set<std::string> Union(std::initializer_list<std::set<std::string>> sets);

}  // namespace edgetl::cli
