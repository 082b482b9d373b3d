// Whole-model latency of one inference per shared model on 1 and 2 threads
// (the default kernels), with the model's multiply-accumulates per second;
// and the time Interpreter::Create takes for it (weight prepacking and the
// requantization proofs).
#include <benchmark/benchmark.h>

#include <optional>
#include <string>
#include <utility>

#include "bench_data.h"
#include "invoke_loop.h"

namespace edgetl {
namespace {

// The shared model `name`, or nothing (the benchmark skipped with why).
std::optional<Model> LoadModel(benchmark::State& state, const std::string& name) {
  auto model = Model::FromFile(bench::DataDir() / "models" / name);
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return std::nullopt;
  }
  return std::move(*model);
}

void BM_Model(benchmark::State& state, const std::string& name) {
  const std::optional<Model> model = LoadModel(state, name);
  if (!model) return;
  bench::BenchmarkInvoke(state, *model, {.threads = static_cast<int>(state.range(0))});
}

void BM_Create(benchmark::State& state, const std::string& name) {
  const std::optional<Model> model = LoadModel(state, name);
  if (!model) return;
  for (auto _ : state) {
    auto interpreter = Interpreter::Create(*model, {.threads = static_cast<int>(state.range(0))});
    if (!interpreter.ok()) {
      state.SkipWithError(interpreter.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(interpreter);
  }
}

// Both benchmarks for every model, as BM_Model/<name> and BM_Create/<name>.
int RegisterModelBenchmarks() {
  const std::pair<const char*, const char*> models[] = {
      {"mobilenet_v1_1_0_224_extractor", "mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"},
      {"mobilenet_v2_1_0_224", "mobilenet_v2_1.0_224_quant.tflite"},
      {"tf2_mobilenet_v2_int8", "tf2_mobilenet_v2_1.0_224_ptq.tflite"},
      {"mobilenet_v1_0_25_128", "mobilenet_v1_0.25_128_quant.tflite"}};
  for (const auto& [fn, prefix] :
       {std::pair{&BM_Model, "BM_Model/"}, std::pair{&BM_Create, "BM_Create/"}}) {
    for (const auto& [name, file] : models) {
      benchmark::RegisterBenchmark((std::string(prefix) + name).c_str(), fn, std::string(file))
          ->ArgName("threads")
          ->Arg(1)
          ->Arg(2)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
  return 0;
}
const int kRegistered = RegisterModelBenchmarks();

}  // namespace
}  // namespace edgetl
