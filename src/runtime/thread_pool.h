// The interpreter's worker threads. One Invoke runs ~30-70 ops of 0.02-0.5 ms
// each, so a parallel region must start in well under a microsecond: while
// work is likely to follow, workers spin on an atomic generation counter and
// only block on a condition variable after a few milliseconds idle.
// Internal header.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/function_ref.h"

namespace edgetl {

class ThreadPool {
 public:
  // `threads` counts the calling thread: 1 runs everything inline.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(task, thread) for every task in [0, tasks) and returns when all
  // are done. Thread i (the caller is thread 0; `thread` < threads() indexes
  // per-thread scratch) runs the i-th contiguous share of the tasks, so
  // callers should make tasks of equal cost. Not re-entrant: fn must not
  // call Run. Allocates nothing (fn is referred to, not copied).
  using TaskFn = FunctionRef<void(int task, int thread)>;
  void Run(int tasks, TaskFn fn);

 private:
  void WorkerLoop(int thread);
  void Work(int thread);

  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // workers still inside the current region
  int tasks_ = 0;
  const TaskFn* fn_ = nullptr;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleeping_{0};
};

}  // namespace edgetl
