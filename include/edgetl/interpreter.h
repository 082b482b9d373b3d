// Runs subgraph 0 of a Model with TensorFlow Lite's exact integer arithmetic.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgetl/model.h"
#include "edgetl/status.h"
#include "edgetl/tensor.h"

namespace edgetl {

enum class KernelChoice {
  kAuto,       // the fastest kernels for this CPU (byte-identical results)
  kReference,  // TensorFlow Lite's reference arithmetic in plain loops: the oracle
};

struct InterpreterOptions {
  // The environment variable EDGETL_KERNELS=reference forces kReference.
  KernelChoice kernels = KernelChoice::kAuto;
  // Give every tensor its own memory instead of letting tensors whose
  // lifetimes do not overlap share arena space, so that every intermediate
  // result can be read after Invoke() (debugging, per-layer comparison).
  bool preserve_intermediates = false;
  // Threads one Invoke() spreads each layer over: 0 uses every hardware
  // thread; 1 runs on the calling thread only (for running many
  // interpreters side by side). The reference kernels always use one.
  int threads = 0;
  // Time every op on each Invoke() (a clock read per op); see op_times_ms().
  bool profile = false;
};

// What Create() did, for benchmarks and memory budgets.
struct InterpreterStats {
  double create_ms = 0;            // Create(), including weight prepacking
  size_t packed_weight_bytes = 0;  // weights repacked for the optimized kernels
  int threads = 1;
  // The kernels Invoke() runs: "reference" (the oracle, KernelChoice::kReference
  // or EDGETL_KERNELS=reference), else the best path this CPU and the
  // EDGETL_NO_* variables allow: "avx512-vnni+amx", "avx512-vnni", "avx2" or
  // "portable".
  std::string kernels;
  // Ops that never run: a TensorFlow 2 int8 model's QUANTIZE from its
  // uint8 input to int8 (equal scales, zero point - 128) whose one consumer
  // reads the uint8 input directly. Never with preserve_intermediates or
  // the reference kernels.
  std::vector<int> skipped_ops;
};

// An Interpreter is not thread-safe (it runs its own worker threads inside
// Invoke()), but any number of them may run the same Model concurrently (the
// model's bytes are shared and read-only). All memory is allocated by
// Create(); Invoke() does not allocate. Create() and Invoke() run in the
// default floating-point environment (round to nearest, no flush-to-zero),
// whatever the calling thread set, and give the caller's back on return.
class Interpreter {
 public:
  // Prepares every op: validates types and shapes, precomputes requantization
  // parameters and plans one arena for all activations.
  // Errors: kUnsupported naming the op index, name and reason (unknown op,
  // unsupported type, a model compiled for the Edge TPU, dynamic shapes),
  // kCorruptModel for inconsistent shapes or parameters.
  static Result<Interpreter> Create(const Model& model, const InterpreterOptions& options = {});

  Interpreter(Interpreter&&) noexcept;
  Interpreter& operator=(Interpreter&&) noexcept;
  ~Interpreter();

  int num_inputs() const;
  int num_outputs() const;
  // Input/output `i` (graph order). Writing into input(i).data is the
  // zero-copy way to feed the model. `i` must be in range.
  TensorView input(int i) const;
  TensorView output(int i) const;
  // Any tensor of subgraph 0 by index; intermediates hold valid data after
  // Invoke() only with preserve_intermediates. Constant tensors are
  // read-only. Errors: kOutOfRange.
  Result<TensorView> tensor(int index) const;

  // Copies `bytes` into input `i`. Errors: kOutOfRange (no such input),
  // kInvalidArgument (size differs from the input tensor's byte size).
  Status SetInput(int i, std::span<const uint8_t> bytes);

  // Runs the graph once. Never fails for a successfully created interpreter.
  Status Invoke();

  // Output `i` as floats: real = scale * (q - zero_point) for quantized
  // outputs, a copy for float ones. Errors: kOutOfRange, kUnsupported (type).
  Result<std::vector<float>> DequantizedOutput(int i) const;

  // Bytes of the activation arena (all non-constant tensors).
  size_t arena_bytes() const;
  const InterpreterStats& stats() const;
  // With InterpreterOptions::profile: milliseconds spent in each op (graph
  // order) summed over all Invoke() calls so far; empty otherwise.
  const std::vector<double>& op_times_ms() const;
  const Model& model() const;

 private:
  struct Impl;
  explicit Interpreter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edgetl
