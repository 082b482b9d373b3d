#include "runtime/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define EDGETL_PAUSE() _mm_pause()
#else
#define EDGETL_PAUSE() std::this_thread::yield()
#endif

namespace edgetl {

namespace {
// How long an idle worker spins before it sleeps: longer than the gap
// between two ops of one Invoke, short enough not to burn a core for long
// after the last one.
constexpr auto kSpinFor = std::chrono::milliseconds(5);
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::Work(int thread) {
  // A fixed contiguous share per thread: consecutive layers split the same
  // way, so each core mostly reads rows that it wrote itself (still in its
  // own cache), and no atomic is touched per task.
  const int n = threads();
  const int begin = static_cast<int>(int64_t{tasks_} * thread / n);
  const int end = static_cast<int>(int64_t{tasks_} * (thread + 1) / n);
  for (int t = begin; t < end; ++t) (*fn_)(t, thread);
}

void ThreadPool::Run(int tasks, TaskFn fn) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  tasks_ = tasks;
  fn_ = &fn;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  // Sequentially consistent: the bump must be ordered before the read of
  // sleeping_, as a worker's sleeping_ increment is before its re-check of
  // the generation (otherwise a worker could sleep through this region).
  generation_.fetch_add(1);
  if (sleeping_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  Work(0);
  for (int spins = 1; pending_.load(std::memory_order_acquire) > 0; ++spins) {
    EDGETL_PAUSE();
    if (spins % 256 == 0) std::this_thread::yield();  // more threads than cores
  }
}

void ThreadPool::WorkerLoop(int thread) {
  uint64_t seen = 0;
  for (;;) {
    // Spin for new work, then sleep.
    auto spin_start = std::chrono::steady_clock::now();
    int spins = 0;
    while (generation_.load(std::memory_order_acquire) == seen) {
      EDGETL_PAUSE();
      // Yielding now and then lets a pool with more threads than free cores
      // make progress instead of spinning against the threads doing work.
      if (++spins % 256 == 0) std::this_thread::yield();
      if (spins % 1024 == 0 && std::chrono::steady_clock::now() - spin_start > kSpinFor) {
        std::unique_lock<std::mutex> lock(mutex_);
        sleeping_.fetch_add(1);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        sleeping_.fetch_sub(1);
        spin_start = std::chrono::steady_clock::now();
      }
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stop_.load()) return;
    Work(thread);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace edgetl
