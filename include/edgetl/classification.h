// Turning a classifier's output into ranked classes.
#pragma once

#include <span>
#include <vector>

namespace edgetl {

struct ClassScore {
  int id = 0;
  float score = 0.f;
};

// The `k` highest scores, best first; ties keep the lower id first. k <= 0 or
// k > scores.size() means all of them.
std::vector<ClassScore> TopK(std::span<const float> scores, int k);

}  // namespace edgetl
