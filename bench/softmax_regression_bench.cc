// Coral's backprop benchmark cases: 1024 training + 256 validation uniform
// random samples, 500 iterations, batch 100, learning rate 0.01, for
// (classes, dim) in (4,256), (16,256), (4,1024), (16,1024). Coral publishes
// no timings for these.
#include <benchmark/benchmark.h>

#include <random>

#include "edgetl/softmax_regression.h"

namespace edgetl {
namespace {

Matrix Uniform(int rows, int cols, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(0.f, 1.f);
  Matrix m{rows, cols, std::vector<float>(static_cast<size_t>(rows) * cols)};
  for (float& v : m.values) v = dist(rng);
  return m;
}

void BM_SoftmaxRegression500Iterations(benchmark::State& state) {
  const int classes = static_cast<int>(state.range(0)), dim = static_cast<int>(state.range(1));
  std::mt19937 rng(12345);
  const Matrix x = Uniform(1024, dim, rng), vx = Uniform(256, dim, rng);
  std::vector<int> y(1024), vy(256);
  for (int& v : y) v = static_cast<int>(rng() % classes);
  for (int& v : vy) v = static_cast<int>(rng() % classes);
  SoftmaxRegressionOptions o;
  o.iterations = 500;
  o.batch_size = 100;
  o.learning_rate = 0.01f;
  o.report_every = 100;  // as Coral's benchmark prints every 100
  for (auto _ : state) {
    auto model = SoftmaxRegression::Create(dim, classes, o);
    auto result = model->Train(x, y, vx, vy);
    benchmark::DoNotOptimize(result->iterations);
  }
}
BENCHMARK(BM_SoftmaxRegression500Iterations)
    ->Args({4, 256})
    ->Args({16, 256})
    ->Args({4, 1024})
    ->Args({16, 1024})
    ->ArgNames({"classes", "dim"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgetl
