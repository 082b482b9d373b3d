#include "kernels/optimized/add_table.h"

namespace edgetl::optimized {

template <typename T, bool kSub>
std::vector<uint8_t> TabulateAdd(const reference::AddQuant& q, const ParallelFor& parallel) {
  // Each input's term once per byte value, so a pair costs only the
  // output's rescaling.
  int32_t term1[256], term2[256];
  for (int v = 0; v < 256; ++v) {
    term1[v] = reference::AddInput1Term(q, static_cast<T>(v));
    term2[v] = reference::AddInput2Term(q, static_cast<T>(v));
  }
  std::vector<uint8_t> table(256 * 256);
  parallel(256, [&](int x) {
    for (int y = 0; y < 256; ++y) {
      const int32_t sum = kSub ? term1[x] - term2[y] : term1[x] + term2[y];
      table[static_cast<size_t>(x) * 256 + y] =
          static_cast<uint8_t>(reference::AddOutput<T>(q, sum));
    }
  });
  return table;
}

template <typename T>
void LookUpAdd(const std::vector<uint8_t>& table, const T* x, const T* y, T* out, size_t n) {
  const uint8_t* t = table.data();
  for (size_t i = 0; i < n; ++i) {
    const size_t index =
        static_cast<size_t>(static_cast<uint8_t>(x[i])) * 256 + static_cast<uint8_t>(y[i]);
    out[i] = static_cast<T>(t[index]);
  }
}

template std::vector<uint8_t> TabulateAdd<uint8_t, false>(const reference::AddQuant&,
                                                          const ParallelFor&);
template std::vector<uint8_t> TabulateAdd<uint8_t, true>(const reference::AddQuant&,
                                                         const ParallelFor&);
template std::vector<uint8_t> TabulateAdd<int8_t, false>(const reference::AddQuant&,
                                                         const ParallelFor&);
template std::vector<uint8_t> TabulateAdd<int8_t, true>(const reference::AddQuant&,
                                                        const ParallelFor&);
template void LookUpAdd<uint8_t>(const std::vector<uint8_t>&, const uint8_t*, const uint8_t*,
                                 uint8_t*, size_t);
template void LookUpAdd<int8_t>(const std::vector<uint8_t>&, const int8_t*, const int8_t*, int8_t*,
                                size_t);

}  // namespace edgetl::optimized
