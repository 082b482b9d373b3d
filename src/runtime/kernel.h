// The op lifecycle: an OpKernel is created per operator when the interpreter
// is built, Prepare()d once (validation, output-shape check, multipliers,
// weight packing: everything that can fail or be precomputed), then Eval()d on
// every Invoke. Eval cannot fail. Internal header.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "edgetl/status.h"
#include "model/schema.h"
#include "runtime/rt_tensor.h"
#include "runtime/thread_pool.h"

namespace edgetl {

struct KernelContext {
  const fb::Operator& op;  // builtin options live here
  fb::BuiltinOperator code;
  std::vector<RtTensor*> inputs;  // nullptr for an omitted optional input
  std::vector<RtTensor*> outputs;
  bool reference_only = false;  // use the reference kernels (the oracle)
  // The interpreter's threads; kernels may keep the pointer for Eval and
  // size per-thread scratch by pool->threads().
  ThreadPool* pool = nullptr;

  // The input at `i`, or nullptr when absent or omitted.
  RtTensor* input(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }
};

class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Errors name the problem without the op's index and name, which the
  // interpreter prefixes (e.g. "op 12 CONV_2D: filter must be constant").
  // Only constant tensors have data here: the activations' memory is
  // allocated after every op is prepared (a damaged model's shapes are
  // refused before it is), so keep RtTensor pointers, not data pointers.
  virtual Status Prepare(const KernelContext& ctx) = 0;
  virtual void Eval() = 0;
  // Bytes of weights repacked for optimized kernels (reported in stats).
  virtual size_t packed_bytes() const { return 0; }
  // After Prepare: asks the kernel to read its input 0, an int8 tensor,
  // from `source` instead, a uint8 tensor of the same shape holding the
  // input's bytes with the sign bit flipped (sign_flip_shim.h). True if it
  // will from now on (the input tensor is then never written).
  virtual bool ReadInputFlipped(const RtTensor* /*source*/) { return false; }
};

// The kernel for a builtin op, or nullptr when edgetl does not implement it.
std::unique_ptr<OpKernel> CreateKernel(fb::BuiltinOperator code);

}  // namespace edgetl
