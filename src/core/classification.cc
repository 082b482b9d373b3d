#include "edgetl/classification.h"

#include <algorithm>

namespace edgetl {

std::vector<ClassScore> TopK(std::span<const float> scores, int k) {
  std::vector<ClassScore> all;
  all.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) all.push_back({static_cast<int>(i), scores[i]});
  const size_t n =
      (k <= 0 || static_cast<size_t>(k) > all.size()) ? all.size() : static_cast<size_t>(k);
  std::partial_sort(all.begin(), all.begin() + n, all.end(),
                    [](const ClassScore& a, const ClassScore& b) {
                      return a.score != b.score ? a.score > b.score : a.id < b.id;
                    });
  all.resize(n);
  return all;
}

}  // namespace edgetl
