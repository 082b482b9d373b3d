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

enum class ArenaLayout {
  // Each buffer at the lowest offset that fits: the smallest arena.
  kCompact,
  // For a pool of several threads. Every op splits its buffers into bands
  // at the same fractions (thread 0 the first half of the rows, thread 1
  // the second), so where buffers share a midpoint each core writes the
  // cache lines it wrote before. Placed compactly, a 14x14x384 tensor over
  // the first half of a 28x28x192 one has thread 1 write lines that sit
  // modified in the other core's cache, and each of them crosses between
  // the cores (measured: the second thread up to 1.7x slower than the first
  // on the expansions after a change of size). So each buffer is centred on
  // the midpoint of a larger one where it fits, and otherwise opens a new
  // slot past the others (slots never overlap: no address lies above one
  // midpoint and below another). The arena grows by the slots' sum over
  // the largest live pair: 1.44 to 1.79 MB for MobileNet V2.
  kSharedMidpoints,
};

// Greedy by size: the largest buffer first, each placed as `layout` says
// without colliding with an already placed buffer of overlapping lifetime.
// Offsets are multiples of `alignment`. Returns the arena size.
size_t PlanArena(const std::vector<BufferRequest>& requests, size_t alignment, ArenaLayout layout,
                 std::vector<size_t>* offsets);

}  // namespace edgetl
