// Per-kernel throughput in GMAC/s on MobileNet V1's layer shapes, each op
// run alone through the interpreter (one thread): the reference loops (the
// oracle) against the default optimized kernels. BM_VnniPeak measures the
// core's int8 multiply-add peak with independent vpdpbusd chains, the bar
// the 1x1 convolutions are compared with; BM_AmxPeak the same for AMX tile
// multiplies, where the CPU has them; BM_Avx2Peak vpmaddwd (with its
// vpaddd), the bar on CPUs without AVX-512 VNNI.
#include <benchmark/benchmark.h>

#include <random>

#include "edgetl/interpreter.h"
#include "invoke_loop.h"
#include "kernels/optimized/cpu.h"
#include "kernels/optimized/requantize_avx2.h"
#include "kernels/optimized/requantize_avx512.h"
#include "model/model_builder.h"

namespace edgetl {
namespace {

Quantization PerTensor(float scale, int64_t zero_point) { return {{scale}, {zero_point}}; }

// One uint8 CONV_2D (depthwise: DEPTHWISE_CONV_2D) layer, SAME padding;
// with int8, quantized as TensorFlow 2's converter does (int8 activations,
// symmetric per-channel int8 weights).
Model ConvLayer(int hw, int in_c, int out_c, int k, bool depthwise, int stride = 1,
                bool int8 = false) {
  ModelBuilder b;
  std::mt19937 rng(3);
  const TensorType type = int8 ? TensorType::kInt8 : TensorType::kUInt8;
  const int in = b.AddTensor("in", type, {1, hw, hw, in_c}, PerTensor(0.02f, int8 ? 0 : 128));
  std::vector<uint8_t> w(static_cast<size_t>(depthwise ? 1 : out_c) * k * k *
                         (depthwise ? out_c : in_c));
  // As trained layers are: weights within int8 of the zero point (120)
  // except in the one channel whose extreme sets the layer's range.
  for (size_t i = 0; i < w.size(); ++i) {
    const bool wide = i % out_c == 0;
    w[i] = static_cast<uint8_t>(wide ? rng() % 256 : 20 + rng() % 220);
    if (int8) w[i] = static_cast<uint8_t>(static_cast<int8_t>(w[i] - 128));  // around 0
  }
  const std::vector<int> w_shape =
      depthwise ? std::vector<int>{1, k, k, out_c} : std::vector<int>{out_c, k, k, in_c};
  Quantization wq = PerTensor(0.01f, 120);
  if (int8) {
    wq = {{}, {}, depthwise ? 3 : 0};
    for (int c = 0; c < out_c; ++c) {
      wq.scale.push_back(0.008f + 0.00001f * c);
      wq.zero_point.push_back(0);
    }
  }
  const int tw = b.AddTensor("w", type, w_shape, wq, w);
  const int tb = b.AddConstTensor("b", TensorType::kInt32, {out_c},
                                  std::vector<int32_t>(out_c, 100), PerTensor(0.0002f, 0));
  const int out_hw = (hw + stride - 1) / stride;
  const int out =
      b.AddTensor("out", type, {1, out_hw, out_hw, out_c}, PerTensor(0.05f, int8 ? -128 : 0));
  fb::BuiltinOptionsUnion u;
  if (depthwise) {
    fb::DepthwiseConv2DOptionsT o;
    o.padding = fb::Padding::SAME;
    o.stride_w = o.stride_h = stride;
    o.depth_multiplier = 1;
    o.fused_activation_function = fb::ActivationFunctionType::RELU6;
    u.Set(o);
  } else {
    fb::Conv2DOptionsT o;
    o.padding = fb::Padding::SAME;
    o.stride_w = o.stride_h = stride;
    o.fused_activation_function = fb::ActivationFunctionType::RELU6;
    u.Set(o);
  }
  b.AddOperator(depthwise ? fb::BuiltinOperator::DEPTHWISE_CONV_2D : fb::BuiltinOperator::CONV_2D,
                {in, tw, tb}, {out}, std::move(u));
  b.SetInputs({in});
  b.SetOutputs({out});
  return *b.Build();
}

void RunLayer(benchmark::State& state, const Model& model) {
  const bool optimized = state.range(0) != 0;
  bench::BenchmarkInvoke(
      state, model,
      {.kernels = optimized ? KernelChoice::kAuto : KernelChoice::kReference, .threads = 1});
}

void BM_Conv1x1(benchmark::State& state) {
  const int hw = state.range(1), c = state.range(2), oc = state.range(3);
  RunLayer(state, ConvLayer(hw, c, oc, 1, false));
}
BENCHMARK(BM_Conv1x1)
    ->ArgNames({"optimized", "hw", "in_c", "out_c"})
    ->ArgsProduct({{0, 1}, {112}, {32}, {64}})
    ->ArgsProduct({{0, 1}, {112}, {16}, {96}})  // MobileNet V2's first expansion
    ->ArgsProduct({{0, 1}, {56}, {128}, {128}})
    ->ArgsProduct({{0, 1}, {14}, {512}, {512}})
    ->ArgsProduct({{0, 1}, {7}, {1024}, {1024}})
    ->Unit(benchmark::kMicrosecond);

void BM_Conv3x3(benchmark::State& state) {
  RunLayer(state, ConvLayer(112, 3, 32, 3, false));  // MobileNet's first layer (stride 1 here)
}
BENCHMARK(BM_Conv3x3)->ArgName("optimized")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_Conv3x3Stem8(benchmark::State& state) {
  RunLayer(state, ConvLayer(128, 3, 8, 3, false, 2));  // MobileNet V1 0.25's first layer
}
BENCHMARK(BM_Conv3x3Stem8)->ArgName("optimized")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// MobileNet V2's residual ADD: two same-shape int8 tensors, different
// scales. Its GMAC/s counter is 0 (no multiply-adds); elements/s is the
// rate.
void BM_Add(benchmark::State& state) {
  const int hw = state.range(1), c = state.range(2);
  const std::vector<int> shape = {1, hw, hw, c};
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::kInt8, shape, PerTensor(0.07f, -8));
  const int y = b.AddTensor("y", TensorType::kInt8, shape, PerTensor(0.05f, 3));
  const int out = b.AddTensor("out", TensorType::kInt8, shape, PerTensor(0.1f, -2));
  b.AddOperator(fb::BuiltinOperator::ADD, {x, y}, {out});
  b.SetInputs({x, y});
  b.SetOutputs({out});
  RunLayer(state, *b.Build());
  state.SetItemsProcessed(state.iterations() * hw * hw * c);
}
BENCHMARK(BM_Add)
    ->ArgNames({"optimized", "hw", "c"})
    ->ArgsProduct({{0, 1}, {56}, {24}})
    ->ArgsProduct({{0, 1}, {14}, {96}})
    ->Unit(benchmark::kMicrosecond);

void BM_Depthwise3x3(benchmark::State& state) {
  const int hw = state.range(1), c = state.range(2);
  RunLayer(state, ConvLayer(hw, c, c, 3, true));
}
BENCHMARK(BM_Depthwise3x3)
    ->ArgNames({"optimized", "hw", "c"})
    ->ArgsProduct({{0, 1}, {112}, {32}})
    ->ArgsProduct({{0, 1}, {56}, {128}})
    ->ArgsProduct({{0, 1}, {14}, {512}})
    ->ArgsProduct({{0, 1}, {7}, {1024}})
    ->Unit(benchmark::kMicrosecond);

// Stride 2 (hw: the input's), as MobileNet V2's 112 -> 56 and 28 -> 14
// layers: a kernel tuned on stride 1 alone can lose here.
void BM_Depthwise3x3Stride2(benchmark::State& state) {
  const int hw = state.range(1), c = state.range(2);
  RunLayer(state, ConvLayer(hw, c, c, 3, true, 2));
}
BENCHMARK(BM_Depthwise3x3Stride2)
    ->ArgNames({"optimized", "hw", "c"})
    ->ArgsProduct({{0, 1}, {112}, {96}})
    ->ArgsProduct({{0, 1}, {28}, {192}})
    ->Unit(benchmark::kMicrosecond);

// int8 per-channel (the TF2 MobileNet V2's layers, 144 channels: blocks
// of 32 and one of 16).
void BM_Depthwise3x3Int8(benchmark::State& state) {
  const int hw = state.range(1), c = state.range(2), stride = state.range(3);
  RunLayer(state, ConvLayer(hw, c, c, 3, true, stride, true));
}
BENCHMARK(BM_Depthwise3x3Int8)
    ->ArgNames({"optimized", "hw", "c", "stride"})
    ->ArgsProduct({{1}, {112}, {32}, {1}})
    ->ArgsProduct({{1}, {56}, {144}, {1}})
    ->ArgsProduct({{1}, {112}, {96}, {2}})
    ->Unit(benchmark::kMicrosecond);

#if EDGETL_HAVE_VNNI_CODE
// 12 independent accumulators in named registers, so that neither latency
// nor spills limit throughput.
EDGETL_VNNI_TARGET __attribute__((noinline)) void VnniChains(int64_t iterations, __m512i* out) {
  const __m512i x = _mm512_set1_epi32(0x01020304), y = _mm512_set1_epi32(0x05060708);
  __m512i a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y, a8 = x, a9 = y, a10 = x,
          a11 = y;
  for (int64_t i = 0; i < iterations; ++i) {
    a0 = _mm512_dpbusd_epi32(a0, x, y);
    a1 = _mm512_dpbusd_epi32(a1, x, y);
    a2 = _mm512_dpbusd_epi32(a2, x, y);
    a3 = _mm512_dpbusd_epi32(a3, x, y);
    a4 = _mm512_dpbusd_epi32(a4, x, y);
    a5 = _mm512_dpbusd_epi32(a5, x, y);
    a6 = _mm512_dpbusd_epi32(a6, x, y);
    a7 = _mm512_dpbusd_epi32(a7, x, y);
    a8 = _mm512_dpbusd_epi32(a8, x, y);
    a9 = _mm512_dpbusd_epi32(a9, x, y);
    a10 = _mm512_dpbusd_epi32(a10, x, y);
    a11 = _mm512_dpbusd_epi32(a11, x, y);
  }
  a0 = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
                        _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7)));
  *out =
      _mm512_add_epi32(a0, _mm512_add_epi32(_mm512_add_epi32(a8, a9), _mm512_add_epi32(a10, a11)));
}
#endif

void BM_VnniPeak(benchmark::State& state) {
#if EDGETL_HAVE_VNNI_CODE
  if (!optimized::HasAvx512Vnni()) {
    state.SkipWithError("no AVX-512 VNNI on this CPU");
    return;
  }
  constexpr int64_t kIterations = 1 << 20;
  __m512i sink;
  for (auto _ : state) {
    VnniChains(kIterations, &sink);
    benchmark::DoNotOptimize(sink);
  }
  // 12 instructions x 16 lanes x 4 multiply-adds per iteration.
  state.counters["GMAC/s"] = benchmark::Counter(kIterations * 12.0 * 64 * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
#else
  state.SkipWithError("built without AVX-512 code");
#endif
}
BENCHMARK(BM_VnniPeak)->Unit(benchmark::kMillisecond);

#if EDGETL_HAVE_AVX2_CODE
// The AVX2 kernels' unit of work, vpmaddwd then vpaddd into an int32
// accumulator (16 multiply-adds), on 8 independent accumulators. Written in
// asm: from intrinsics GCC computed the loop-invariant product once and
// added it to every accumulator, which measured the adds, not the
// multiplies (this bar read 55 GMAC/s instead of its true value).
EDGETL_AVX2_TARGET __attribute__((noinline)) void Avx2Chains(int64_t iterations, __m256i* out) {
  const __m256i x = _mm256_set1_epi32(0x00010002), y = _mm256_set1_epi32(0x00030004);
  __m256i a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x;
  for (int64_t i = 0; i < iterations; ++i) {
    asm volatile(
        "vpmaddwd %[y], %[x], %%ymm12\n\tvpaddd %%ymm12, %[a0], %[a0]\n\t"
        "vpmaddwd %[y], %[x], %%ymm13\n\tvpaddd %%ymm13, %[a1], %[a1]\n\t"
        "vpmaddwd %[y], %[x], %%ymm14\n\tvpaddd %%ymm14, %[a2], %[a2]\n\t"
        "vpmaddwd %[y], %[x], %%ymm15\n\tvpaddd %%ymm15, %[a3], %[a3]\n\t"
        "vpmaddwd %[y], %[x], %%ymm12\n\tvpaddd %%ymm12, %[a4], %[a4]\n\t"
        "vpmaddwd %[y], %[x], %%ymm13\n\tvpaddd %%ymm13, %[a5], %[a5]\n\t"
        "vpmaddwd %[y], %[x], %%ymm14\n\tvpaddd %%ymm14, %[a6], %[a6]\n\t"
        "vpmaddwd %[y], %[x], %%ymm15\n\tvpaddd %%ymm15, %[a7], %[a7]"
        : [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2), [a3] "+x"(a3), [a4] "+x"(a4), [a5] "+x"(a5),
          [a6] "+x"(a6), [a7] "+x"(a7)
        : [x] "x"(x), [y] "x"(y)
        : "xmm12", "xmm13", "xmm14", "xmm15");
  }
  a0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),
                        _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7)));
  *out = a0;
}
#endif

// The bar for the AVX2 path (CPUs without AVX-512 VNNI).
void BM_Avx2Peak(benchmark::State& state) {
#if EDGETL_HAVE_AVX2_CODE
  if (!optimized::HasAvx2()) {
    state.SkipWithError("no AVX2 on this CPU");
    return;
  }
  constexpr int64_t kIterations = 1 << 20;
  __m256i sink;
  for (auto _ : state) {
    Avx2Chains(kIterations, &sink);
    benchmark::DoNotOptimize(sink);
  }
  // 8 vpmaddwd x 8 lanes x 2 multiply-adds per iteration.
  state.counters["GMAC/s"] = benchmark::Counter(kIterations * 8.0 * 16 * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
#else
  state.SkipWithError("built without AVX2 code");
#endif
}
BENCHMARK(BM_Avx2Peak)->Unit(benchmark::kMillisecond);

#if EDGETL_HAVE_VNNI_CODE
// Four independent tile accumulators (16 x 16 int32 each) fed by tiles
// that stay in registers: the tile unit's own peak, no loads.
struct alignas(64) AmxPeakConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
  uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
};

__attribute__((target("amx-tile,amx-int8"), noinline)) void AmxChains(int64_t n) {
  const AmxPeakConfig config;
  // _tile_loadconfig declares a read of 8 bytes only: keep the other stores.
  asm volatile("" : : "r"(&config) : "memory");
  _tile_loadconfig(&config);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_zero(4);
  _tile_zero(5);
  _tile_zero(6);
  _tile_zero(7);
  for (int64_t i = 0; i < n; ++i) {
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    _tile_dpbusd(2, 5, 6);
    _tile_dpbusd(3, 5, 7);
  }
  _tile_release();
}
#endif

void BM_AmxPeak(benchmark::State& state) {
#if EDGETL_HAVE_VNNI_CODE
  if (!optimized::HasAmxInt8()) {
    state.SkipWithError("no AMX-INT8 on this CPU or OS");
    return;
  }
  constexpr int64_t kIterations = 1 << 16;
  for (auto _ : state) AmxChains(kIterations);
  // 4 tile multiplies x 16 x 16 outputs x 64 multiply-adds per iteration.
  state.counters["GMAC/s"] = benchmark::Counter(kIterations * 4.0 * 16 * 16 * 64 * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
#else
  state.SkipWithError("built without AVX-512 code");
#endif
}
BENCHMARK(BM_AmxPeak)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace edgetl
