// An allocator for packed weights. Internal header.
#pragma once

#include <cstddef>
#include <new>

namespace edgetl::optimized {

// Allocates on 64-byte boundaries: every packed panel then starts a cache
// line (AMX tile rows that straddle two lines load at half speed).
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, size_t) { ::operator delete (p, std::align_val_t{64}); }
  bool operator==(const CacheLineAllocator&) const = default;
};

}  // namespace edgetl::optimized
