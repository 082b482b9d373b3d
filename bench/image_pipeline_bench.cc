// The pixel path: decode + resize of a large phone-size JPEG into a 224x224
// input, with and without TurboJPEG's DCT-domain downscaling, and embedding
// throughput over the shared Oxford-17 flowers dataset (decode + inference on
// all cores).
#include <benchmark/benchmark.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "bench_data.h"
#include "edgetl/dataset.h"
#include "edgetl/image.h"

namespace edgetl {
namespace {

namespace fs = std::filesystem;

// A 4000x3000 JPEG (the size of a 12 MP phone photo) made once from the
// shared 720p cat photo.
const fs::path& LargeJpeg() {
  static const fs::path path = [] {
    const fs::path out = fs::temp_directory_path() / "edgetl_bench_4000x3000.jpg";
    cv::Mat small = cv::imread((bench::DataDir() / "images/cat_720p.jpg").string());
    if (small.empty()) return fs::path();
    cv::Mat big;
    cv::resize(small, big, cv::Size(4000, 3000), 0, 0, cv::INTER_CUBIC);
    cv::imwrite(out.string(), big, {cv::IMWRITE_JPEG_QUALITY, 90});
    return out;
  }();
  return path;
}

void BM_DecodeResizeLargeJpeg(benchmark::State& state) {
  const bool dct_scaling = state.range(0) != 0;
  const fs::path& jpeg = LargeJpeg();
  if (jpeg.empty()) {
    state.SkipWithError("missing images/cat_720p.jpg in the shared data");
    return;
  }
  TensorInfo info;
  info.type = TensorType::kUInt8;
  info.shape = {1, 224, 224, 3};
  std::vector<uint8_t> input(info.num_bytes());
  for (auto _ : state) {
    auto image = LoadImage(jpeg, 3, dct_scaling ? 224 : 0, dct_scaling ? 224 : 0);
    if (!image.ok() || !ResizeBilinearInto(*image, {&info, input}).ok()) {
      state.SkipWithError("decode failed");
      return;
    }
    benchmark::DoNotOptimize(input.data());
  }
  state.counters["images/s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DecodeResizeLargeJpeg)
    ->ArgName("dct_scaling")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// Embeds the first `per_class` images of every Oxford-17 class (no cache).
void BM_DatasetEmbedding(benchmark::State& state) {
  const int per_class = static_cast<int>(state.range(0));
  auto model = Model::FromFile(bench::DataDir() /
                               "models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  auto dataset = LoadDataset(bench::DataDir() / "datasets/oxford17_flowers/images");
  if (!model.ok() || !dataset.ok()) {
    state.SkipWithError("missing the MobileNet V1 extractor or the Oxford-17 dataset");
    return;
  }
  std::vector<fs::path> paths;
  std::vector<int> taken(dataset->class_names.size(), 0);
  for (const Sample& s : dataset->samples) {
    if (taken[s.label]++ < per_class) paths.push_back(s.path);
  }
  for (auto _ : state) {
    auto results = RunOnImages(*model, paths);
    if (!results.ok()) {
      state.SkipWithError(results.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(results->data());
  }
  state.counters["images"] = static_cast<double>(paths.size());
  state.counters["images/s"] = benchmark::Counter(static_cast<double>(paths.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_DatasetEmbedding)
    ->ArgName("per_class")
    ->Arg(5)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

}  // namespace
}  // namespace edgetl
