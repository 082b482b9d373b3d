// Coral's imprinting benchmark: 10 classes x 20 random 224x224 images,
// keep_classes = false, extract + train + serialize. Coral reports 810 ms on
// x86_64 with an Edge TPU doing the extraction.
#include <benchmark/benchmark.h>

#include <random>

#include "bench_data.h"
#include "edgetl/imprinter.h"

namespace edgetl {
namespace {

void BM_CoralImprinting10x20(benchmark::State& state) {
  auto extractor = Model::FromFile(bench::DataDir() /
                                   "models/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  if (!extractor.ok()) {
    state.SkipWithError(extractor.status().ToString().c_str());
    return;
  }
  auto model = MakeImprintable(*extractor);
  std::mt19937 rng(12345);
  std::vector<Image> images(200, Image{224, 224, 3, std::vector<uint8_t>(224 * 224 * 3)});
  for (Image& im : images) {
    for (uint8_t& p : im.pixels) p = static_cast<uint8_t>(rng());
  }
  for (auto _ : state) {
    auto imprinter = Imprinter::Create(*model, false);
    for (int c = 0; c < 10; ++c) {
      for (int i = 0; i < 20; ++i)
        (void)imprinter->Add(images[c * 20 + i], "class" + std::to_string(c));
    }
    auto trained = imprinter->engine().SerializeModel();
    benchmark::DoNotOptimize(trained->bytes().data());
  }
  state.counters["images/s"] =
      benchmark::Counter(200, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CoralImprinting10x20)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace edgetl
