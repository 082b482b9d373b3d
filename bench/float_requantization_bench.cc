// The cost of proving a layer's float requantization exact
// (float_requantization.h), which Interpreter::Create pays once per conv
// layer: channels per second, for layers clamped at their zero point (ReLU,
// one piece) and linear ones (two pieces), on one thread. Every channel has
// its own multiplier, as in per-channel layers, so each takes the full
// proof (per-tensor layers mostly reuse one).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/optimized/float_requantization.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

void BM_ProveFloatRequantization(benchmark::State& state) {
  const bool relu = state.range(0) != 0;
  constexpr int kChannels = 256;
  std::mt19937 rng(9);
  std::vector<int32_t> multiplier(kChannels);
  std::vector<int> shift(kChannels);
  std::vector<optimized::AccumulatorRange> ranges(kChannels);
  for (int c = 0; c < kChannels; ++c) {
    // A 1x1 layer's effective scales (about 2^-9) and the accumulator
    // ranges of 512 inputs with weights within 100 of their zero point.
    const double m = std::ldexp(1.0 + (rng() % 1000) / 1000.0, -9);
    fixedpoint::QuantizeMultiplier(m, &multiplier[c], &shift[c]);
    const int64_t reach = 2'500'000 + rng() % 1'000'000;
    ranges[c] = {-reach, reach + static_cast<int64_t>(rng() % 100'000)};
  }
  reference::ConvQuant q;
  q.multiplier = multiplier.data();
  q.shift = shift.data();
  q.output_offset = relu ? 0 : 120;
  q.act_min = 0;
  q.act_max = 255;
  for (auto _ : state) {
    auto form = optimized::ProveFloatRequantization(q, ranges.data(), kChannels, kChannels);
    if (!form) state.SkipWithError("no form proven");
    benchmark::DoNotOptimize(form);
  }
  state.counters["channels_per_s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * kChannels, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ProveFloatRequantization)
    ->ArgName("relu")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace edgetl
