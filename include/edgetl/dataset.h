// Image datasets: (image path, class) lists and their train/test splits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "edgetl/image.h"
#include "edgetl/model.h"
#include "edgetl/status.h"

namespace edgetl {

struct Sample {
  std::filesystem::path path;
  int label = 0;  // index into Dataset::class_names
};

struct Dataset {
  std::vector<std::string> class_names;
  std::vector<Sample> samples;  // grouped by class, files sorted by name
};

// One subfolder per class, sorted by name (so ids are stable); inside each,
// the image files (.jpg .jpeg .png .bmp, any case) sorted by name.
// Errors: kNotFound (no such folder), kInvalidArgument (no class folders, or
// a class folder without images: "class 'x' has no images").
Result<Dataset> ListImageFolder(const std::filesystem::path& dir);

// A list file: one "image,class" per line (a tab may replace the comma;
// CSV quoting, "a, b" with "" for a quote, is understood; an unquoted line
// splits at its last separator), '#' comments and blank lines
// ignored, an optional "path,class" header. Relative image paths are relative
// to the list's folder. Classes get ids in name order, and files are sorted
// within a class, as for folders. Images are not opened here.
// Errors: kNotFound (no list file); kInvalidArgument naming file:line for a
// malformed line or an image listed twice, or when nothing is listed.
Result<Dataset> ReadDatasetList(const std::filesystem::path& list);

// A folder (ListImageFolder) or a list file (ReadDatasetList).
// Errors: theirs; kNotFound when `path` is neither.
Result<Dataset> LoadDataset(const std::filesystem::path& path);

struct DatasetSplit {
  std::vector<Sample> train, test;
};

// Coral's evaluation split: per class, in sorted file order, the first
// max(1, int(test_ratio * n)) files are test and the rest train;
// test_ratio == 0 puts everything in train. Errors: kInvalidArgument unless
// 0 <= test_ratio < 1.
Result<DatasetSplit> CoralSplit(const Dataset& dataset, double test_ratio);

// A deterministic stratified split: per class, the files are shuffled with
// `seed` and the first round(ratio * n) (at least 1 when ratio > 0 and the
// class has 2+ files) go to `test`. The same seed gives the same split.
// Errors: kInvalidArgument unless 0 <= ratio < 1.
Result<DatasetSplit> StratifiedSplit(const std::vector<Sample>& samples, double ratio,
                                     uint64_t seed);

class EmbeddingCache;

struct InferenceOptions {
  int threads = 0;  // 0: all hardware threads
  Preprocessing preprocessing;
  // When set, images found in the cache are not run, and new results are
  // added to it (the caller saves it). It must be opened for the same model
  // and preprocessing.
  EmbeddingCache* cache = nullptr;
};

// Runs `model` on every image (decode, resize and convert into input 0 per
// options.preprocessing, invoke) on several threads, one interpreter each, and returns
// output 0 dequantized per image, in order; an image that cannot be decoded
// gets its error instead. `progress(done, total)` is called as images finish
// (from worker threads, serialized). Errors: the model cannot run.
Result<std::vector<Result<std::vector<float>>>> RunOnImages(
    const Model& model, const std::vector<std::filesystem::path>& images,
    const InferenceOptions& options = {}, const std::function<void(size_t, size_t)>& progress = {});

}  // namespace edgetl
