// The interpreter's thread pool: every task runs exactly once, on a thread
// index below threads(), whether the workers are spinning or asleep.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/thread_pool.h"

namespace edgetl {
namespace {

void RunAndCheck(ThreadPool& pool, int tasks) {
  std::vector<std::atomic<int>> hits(tasks);
  std::atomic<bool> bad_thread{false};
  pool.Run(tasks, [&](int task, int thread) {
    hits[task].fetch_add(1);
    if (thread < 0 || thread >= pool.threads()) bad_thread = true;
  });
  for (int t = 0; t < tasks; ++t) ASSERT_EQ(hits[t].load(), 1) << "task " << t;
  EXPECT_FALSE(bad_thread.load());
}

TEST(ThreadPool, EveryTaskOnceWhileSpinningAndAfterSleeping) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int round = 0; round < 200; ++round) RunAndCheck(pool, 1 + round % 9);
    // Long enough for the workers to stop spinning and wait on the
    // condition variable: the next region must wake them.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    RunAndCheck(pool, 7);
    RunAndCheck(pool, 0);
  }
}

TEST(ThreadPool, SharesAreContiguousAndBalanced) {
  ThreadPool pool(2);
  std::vector<int> owner(10, -1);
  pool.Run(10, [&](int task, int thread) { owner[task] = thread; });
  EXPECT_EQ(owner, (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}));
}

}  // namespace
}  // namespace edgetl
