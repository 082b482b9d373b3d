#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace edgetl {

size_t PlanArena(const std::vector<BufferRequest>& requests, size_t alignment,
                 std::vector<size_t>* offsets) {
  const size_t n = requests.size();
  offsets->assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].size > requests[b].size; });
  auto aligned = [alignment](size_t v) { return (v + alignment - 1) / alignment * alignment; };
  std::vector<size_t> placed;
  size_t arena = 0;
  for (size_t id : order) {
    const BufferRequest& r = requests[id];
    // Buffers already placed whose lifetimes overlap this one, by offset.
    std::vector<size_t> live;
    for (size_t p : placed) {
      const BufferRequest& q = requests[p];
      if (q.first_use <= r.last_use && r.first_use <= q.last_use) live.push_back(p);
    }
    std::sort(live.begin(), live.end(),
              [&](size_t a, size_t b) { return (*offsets)[a] < (*offsets)[b]; });
    size_t candidate = 0;
    for (size_t p : live) {
      if ((*offsets)[p] >= candidate + r.size) break;  // fits in the gap before p
      candidate = std::max(candidate, aligned((*offsets)[p] + requests[p].size));
    }
    (*offsets)[id] = candidate;
    arena = std::max(arena, candidate + r.size);
    placed.push_back(id);
  }
  return aligned(arena);
}

}  // namespace edgetl
