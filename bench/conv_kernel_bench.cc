// The reference 1x1 and 3x3 depthwise convolutions on MobileNet-sized
// layers, in GMAC/s: the baseline optimized kernels are measured against.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/reference/conv.h"

namespace edgetl {
namespace {

struct Layer {
  reference::ConvGeometry g;
  std::vector<uint8_t> input, filter, output;
  std::vector<int32_t> bias, multiplier;
  std::vector<int> shift;
  reference::ConvQuant q;
};

Layer MakeLayer(int hw, int in_c, int out_c, int k, bool depthwise) {
  Layer l;
  auto& g = l.g;
  g.in_h = g.in_w = g.out_h = g.out_w = hw;
  g.in_c = in_c;
  g.out_c = out_c;
  g.filter_h = g.filter_w = k;
  g.pad_h = g.pad_w = k / 2;
  std::mt19937 rng(3);
  l.input.resize(hw * hw * in_c);
  l.filter.resize(depthwise ? k * k * out_c : out_c * k * k * in_c);
  l.output.resize(hw * hw * out_c);
  for (auto& v : l.input) v = static_cast<uint8_t>(rng());
  for (auto& v : l.filter) v = static_cast<uint8_t>(rng());
  l.bias.assign(out_c, 100);
  l.multiplier.assign(out_c, 1 << 30);
  l.shift.assign(out_c, -10);
  l.q = {-128, -120, 0, l.multiplier.data(), l.shift.data(), 0, 255};
  return l;
}

void BM_Conv1x1(benchmark::State& state) {
  const int hw = state.range(0), in_c = state.range(1), out_c = state.range(2);
  Layer l = MakeLayer(hw, in_c, out_c, 1, false);
  for (auto _ : state) {
    reference::ConvQuantized(l.g, l.q, l.input.data(), l.filter.data(), l.bias.data(),
                             l.output.data());
    benchmark::DoNotOptimize(l.output.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(hw) * hw * in_c * out_c * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Conv1x1)
    ->Args({56, 128, 128})
    ->Args({14, 512, 512})
    ->Args({7, 1024, 1024})
    ->Unit(benchmark::kMillisecond);

void BM_Depthwise3x3(benchmark::State& state) {
  const int hw = state.range(0), c = state.range(1);
  Layer l = MakeLayer(hw, c, c, 3, true);
  for (auto _ : state) {
    reference::DepthwiseConvQuantized(l.g, l.q, l.input.data(), l.filter.data(), l.bias.data(),
                                      l.output.data());
    benchmark::DoNotOptimize(l.output.data());
  }
  state.counters["GMAC/s"] = benchmark::Counter(double(hw) * hw * c * 9 * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Depthwise3x3)->Args({112, 32})->Args({14, 512})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgetl
