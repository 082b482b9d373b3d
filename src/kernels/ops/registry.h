// Op registration. Each op file ends with EDGETL_REGISTER_KERNEL(OP, Class),
// which defines the factory registry.cc dispatches to. Explicit factories
// (rather than static initializers) keep kernels from being dropped when
// edgetl is linked as a static library.
#pragma once

#include <memory>

#include "runtime/kernel.h"

#define EDGETL_REGISTER_KERNEL(OP, Class) \
  std::unique_ptr<OpKernel> CreateKernel_##OP() { return std::make_unique<Class>(); }
