#include "kernels/reference/elementwise.h"

namespace edgetl::reference {

std::vector<int> BroadcastShape(const std::vector<int>& a, const std::vector<int>& b, bool* ok) {
  const size_t rank = std::max(a.size(), b.size());
  std::vector<int> out(rank);
  *ok = true;
  for (size_t i = 0; i < rank; ++i) {
    const int da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) *ok = false;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool MakeBroadcastMap(const std::vector<int>& a_shape, const std::vector<int>& b_shape,
                      const std::vector<int>& out_shape, BroadcastMap* map) {
  bool ok = false;
  if (BroadcastShape(a_shape, b_shape, &ok) != out_shape || !ok) return false;
  map->trivial = a_shape == b_shape;
  if (map->trivial) return true;
  const size_t rank = out_shape.size();
  // Strides of each input in the output's rank; 0 along broadcast axes.
  auto strides = [&](const std::vector<int>& shape) {
    std::vector<int64_t> s(rank, 0);
    int64_t stride = 1;
    for (size_t k = 0; k < shape.size(); ++k) {
      const size_t axis = shape.size() - 1 - k;
      const size_t out_axis = rank - 1 - k;
      s[out_axis] = shape[axis] == 1 ? 0 : stride;
      stride *= shape[axis];
    }
    return s;
  };
  const auto sa = strides(a_shape), sb = strides(b_shape);
  size_t n = 1;
  for (int d : out_shape) n *= d;
  map->a.resize(n);
  map->b.resize(n);
  std::vector<int> idx(rank, 0);
  for (size_t i = 0; i < n; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < rank; ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    map->a[i] = static_cast<int32_t>(oa);
    map->b[i] = static_cast<int32_t>(ob);
    for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  return true;
}

}  // namespace edgetl::reference
