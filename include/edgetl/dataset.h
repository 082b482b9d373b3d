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

struct InferenceOptions {
  int threads = 0;  // 0: all hardware threads
  PixelConversion pixels;
};

// Runs `model` on every image (decode, half-pixel bilinear resize into
// input 0, invoke) on several threads, one interpreter each, and returns
// output 0 dequantized per image, in order; an image that cannot be decoded
// gets its error instead. `progress(done, total)` is called as images finish
// (from worker threads, serialized). Errors: the model cannot run.
Result<std::vector<Result<std::vector<float>>>> RunOnImages(
    const Model& model, const std::vector<std::filesystem::path>& images,
    const InferenceOptions& options = {}, const std::function<void(size_t, size_t)>& progress = {});

}  // namespace edgetl
