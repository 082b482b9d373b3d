#include "runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace edgetl {

size_t PlanArena(const std::vector<BufferRequest>& requests, size_t alignment, ArenaLayout layout,
                 std::vector<size_t>* offsets) {
  const size_t n = requests.size();
  offsets->assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].size > requests[b].size; });
  auto aligned = [alignment](size_t v) { return (v + alignment - 1) / alignment * alignment; };
  std::vector<size_t> placed;
  std::vector<size_t> midpoints;  // kSharedMidpoints: in the order they were made
  size_t arena = 0;
  for (size_t id : order) {
    const BufferRequest& r = requests[id];
    // Buffers already placed whose lifetimes overlap this one.
    std::vector<size_t> live;
    for (size_t p : placed) {
      const BufferRequest& q = requests[p];
      if (q.first_use <= r.last_use && r.first_use <= q.last_use) live.push_back(p);
    }
    if (layout == ArenaLayout::kCompact) {
      std::sort(live.begin(), live.end(),
                [&](size_t a, size_t b) { return (*offsets)[a] < (*offsets)[b]; });
      size_t candidate = 0;
      for (size_t p : live) {
        if ((*offsets)[p] >= candidate + r.size) break;  // fits in the gap before p
        candidate = std::max(candidate, aligned((*offsets)[p] + requests[p].size));
      }
      (*offsets)[id] = candidate;
    } else {
      // Each slot's first buffer is its largest, so the others fit inside it.
      const size_t half = aligned(r.size / 2);
      auto fits = [&](size_t offset) {
        return std::none_of(live.begin(), live.end(), [&](size_t p) {
          return (*offsets)[p] < offset + r.size && offset < (*offsets)[p] + requests[p].size;
        });
      };
      auto shared = std::find_if(midpoints.begin(), midpoints.end(),
                                 [&](size_t mid) { return fits(mid - half); });
      if (shared != midpoints.end()) {
        (*offsets)[id] = *shared - half;
      } else {  // a new slot past the others, so no address is below one midpoint and above another
        (*offsets)[id] = aligned(arena);
        midpoints.push_back(aligned(arena) + half);
      }
    }
    arena = std::max(arena, (*offsets)[id] + r.size);
    placed.push_back(id);
  }
  return aligned(arena);
}

}  // namespace edgetl
