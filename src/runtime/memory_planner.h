// Arena planning: places buffers with known lifetimes so that buffers alive
// at the same time never overlap, while the arena stays small. Internal.
#pragma once

#include <cstddef>
#include <vector>

namespace edgetl {

struct BufferRequest {
  size_t size = 0;
  int first_use = 0;  // index of the first op that writes or reads it
  int last_use = 0;   // index of the last op that reads it (inclusive)
};

// Greedy by size: the largest buffer first, each at the lowest offset that
// does not collide with an already placed buffer of overlapping lifetime.
// Offsets are multiples of `alignment`. Returns the arena size.
size_t PlanArena(const std::vector<BufferRequest>& requests, size_t alignment,
                 std::vector<size_t>* offsets);

}  // namespace edgetl
