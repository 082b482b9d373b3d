// interpreter.h promises that Invoke() does not allocate (everything is
// sized by Create()): a camera loop must not touch the heap per frame. This
// binary's replacement operator new counts every allocation, on every
// thread, while a test asks it to.
#include <atomic>
#include <cstdlib>
#include <new>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "edgetl/interpreter.h"
#include "testing/test_data.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

void* Allocate(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (size == 0) size = 1;
  void* p = alignment > alignof(std::max_align_t)
                ? std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment)
                : std::malloc(size);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

// The unsized, sized, array and nothrow forms of the standard library call
// these two (and free what they return through the deletes below).
void* operator new(std::size_t size) { return Allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  return Allocate(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace edgetl {
namespace {

// Allocations made by `fn` on any thread.
template <typename Fn>
long AllocationsDuring(Fn&& fn) {
  allocations = 0;
  counting = true;
  fn();
  counting = false;
  return allocations.load();
}

TEST(InvokeAllocation, CounterSeesAnAllocation) {
  // The counter itself works (else the tests below could not fail).
  EXPECT_GE(AllocationsDuring([] {
              auto* v = new std::vector<int>(100);
              delete v;
            }),
            2);
}

struct Case {
  std::string model;
  int threads;
  KernelChoice kernels;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.model << " on " << c.threads << " threads"
      << (c.kernels == KernelChoice::kReference ? ", reference kernels" : "");
}

class InvokeAllocation : public ::testing::TestWithParam<Case> {};

TEST_P(InvokeAllocation, InvokeAllocatesNothing) {
  const Case& c = GetParam();
  const auto path = testing::DataPath("models/" + c.model + ".tflite");
  EDGETL_REQUIRE_DATA(path);
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto interpreter = Interpreter::Create(*model, {.kernels = c.kernels, .threads = c.threads});
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().ToString();
  // The first Invoke() too: nothing may be left to allocate lazily.
  const long made = AllocationsDuring([&] {
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(interpreter->Invoke().ok());
  });
  EXPECT_EQ(made, 0);
}

INSTANTIATE_TEST_SUITE_P(
    AllModels, InvokeAllocation,
    ::testing::Values(
        Case{"mobilenet_v1_1.0_224_quant_embedding_extractor", 1, KernelChoice::kAuto},
        Case{"mobilenet_v1_1.0_224_quant_embedding_extractor", 2, KernelChoice::kAuto},
        Case{"mobilenet_v1_0.25_128_quant", 2, KernelChoice::kAuto},
        Case{"mobilenet_v2_1.0_224_quant", 1, KernelChoice::kAuto},
        Case{"mobilenet_v2_1.0_224_quant", 2, KernelChoice::kAuto},
        Case{"tf2_mobilenet_v2_1.0_224_ptq", 1, KernelChoice::kAuto},
        Case{"tf2_mobilenet_v2_1.0_224_ptq", 2, KernelChoice::kAuto},
        Case{"mobilenet_v1_1.0_224_quant_head_layers", 2, KernelChoice::kAuto},
        Case{"tf2_mobilenet_v2_1.0_224_ptq", 2, KernelChoice::kReference}),
    [](const auto& info) {
      std::string n = info.param.model + "_" + std::to_string(info.param.threads) + "t" +
                      (info.param.kernels == KernelChoice::kReference ? "_reference" : "");
      for (char& ch : n) {
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      }
      return n;
    });

}  // namespace
}  // namespace edgetl
