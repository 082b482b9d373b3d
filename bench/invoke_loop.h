// The timing loop shared by the model and kernel benchmarks: one
// interpreter, a random input, Invoke() per iteration, GMAC/s and arena size
// as counters.
#pragma once

#include <benchmark/benchmark.h>

#include <random>

#include "edgetl/interpreter.h"

namespace edgetl::bench {

inline void BenchmarkInvoke(benchmark::State& state, const Model& model,
                            const InterpreterOptions& options) {
  auto interpreter = Interpreter::Create(model, options);
  if (!interpreter.ok()) {
    state.SkipWithError(interpreter.status().ToString().c_str());
    return;
  }
  std::mt19937 rng(1);
  for (uint8_t& b : interpreter->input(0).data) b = static_cast<uint8_t>(rng());
  for (auto _ : state) {
    (void)interpreter->Invoke();
    benchmark::DoNotOptimize(interpreter->output(0).data.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(model.multiply_accumulates() * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["arena_MB"] = interpreter->arena_bytes() / 1048576.0;
}

}  // namespace edgetl::bench
