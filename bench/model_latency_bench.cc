// Whole-model latency of one inference per shared model on 1 and 2 threads
// (the default kernels), with the model's multiply-accumulates per second;
// and the time Interpreter::Create takes for it (weight prepacking and the
// requantization proofs).
#include <benchmark/benchmark.h>

#include "bench_data.h"
#include "invoke_loop.h"

namespace edgetl {
namespace {

void BM_Model(benchmark::State& state, const std::string& name) {
  auto model = Model::FromFile(bench::DataDir() / "models" / name);
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return;
  }
  bench::BenchmarkInvoke(state, *model, {.threads = static_cast<int>(state.range(0))});
}

void BM_Create(benchmark::State& state, const std::string& name) {
  auto model = Model::FromFile(bench::DataDir() / "models" / name);
  if (!model.ok()) {
    state.SkipWithError(model.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    auto interpreter = Interpreter::Create(*model, {.threads = static_cast<int>(state.range(0))});
    if (!interpreter.ok()) {
      state.SkipWithError(interpreter.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(interpreter);
  }
}

BENCHMARK_CAPTURE(BM_Model, mobilenet_v1_1_0_224_extractor,
                  std::string("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Model, mobilenet_v2_1_0_224, std::string("mobilenet_v2_1.0_224_quant.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Model, tf2_mobilenet_v2_int8,
                  std::string("tf2_mobilenet_v2_1.0_224_ptq.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Model, mobilenet_v1_0_25_128,
                  std::string("mobilenet_v1_0.25_128_quant.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_CAPTURE(BM_Create, mobilenet_v1_1_0_224_extractor,
                  std::string("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Create, mobilenet_v2_1_0_224, std::string("mobilenet_v2_1.0_224_quant.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Create, tf2_mobilenet_v2_int8,
                  std::string("tf2_mobilenet_v2_1.0_224_ptq.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Create, mobilenet_v1_0_25_128,
                  std::string("mobilenet_v1_0.25_128_quant.tflite"))
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace edgetl
