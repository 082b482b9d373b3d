#include "edgetl/interpreter.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "kernels/optimized/cpu.h"
#include "model/model_impl.h"
#include "runtime/float_environment.h"
#include "runtime/kernel.h"
#include "runtime/memory_planner.h"
#include "runtime/sign_flip_shim.h"
#include "runtime/thread_pool.h"

namespace edgetl {

struct Interpreter::Impl {
  Model model;
  std::vector<RtTensor> tensors;
  std::vector<std::unique_ptr<OpKernel>> kernels;
  std::vector<int> schedule;  // the ops Invoke runs, in order (not the skipped ones)
  std::vector<int> inputs, outputs;
  AlignedBytes arena{0};
  // Copies of constants whose in-model data is not aligned for their type.
  std::vector<std::unique_ptr<AlignedBytes>> realigned;
  std::unique_ptr<ThreadPool> pool;
  InterpreterStats stats;
  std::vector<double> op_ms;  // per op, with options.profile

  explicit Impl(const Model& m) : model(m) {}
};

namespace {

constexpr size_t kArenaAlignment = 64;

std::string OpLabel(int index, const Model::Impl& m) {
  const fb::OperatorCode& code = m.op_code_entry(index);
  const fb::BuiltinOperator builtin = BuiltinCodeOf(code);
  std::string name = BuiltinName(builtin);
  if (builtin == fb::BuiltinOperator::CUSTOM && code.custom_code()) {
    name = "CUSTOM '" + code.custom_code()->str() + "'";
  }
  return "op " + std::to_string(index) + " " + name;
}

}  // namespace

Interpreter::Interpreter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Interpreter::Interpreter(Interpreter&&) noexcept = default;
Interpreter& Interpreter::operator=(Interpreter&&) noexcept = default;
Interpreter::~Interpreter() = default;

Result<Interpreter> Interpreter::Create(const Model& model, const InterpreterOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // The proofs of the float requantization run here and on the pool,
  // whose workers (created below) inherit this thread's environment.
  const DefaultFloatEnvironment float_environment;
  auto impl = std::make_unique<Impl>(model);
  const Model::Impl& m = model.impl();
  const int num_ops = model.num_operators();
  const int num_tensors = model.num_tensors();

  // Refuse what cannot run before doing any work.
  for (int i = 0; i < num_ops; ++i) {
    const fb::OperatorCode& code = m.op_code_entry(i);
    const fb::BuiltinOperator builtin = BuiltinCodeOf(code);
    if (builtin == fb::BuiltinOperator::CUSTOM && code.custom_code() &&
        code.custom_code()->str() == kEdgeTpuCustomCode) {
      return Unsupported(OpLabel(i, m) +
                         ": this model is compiled for the Edge TPU; edgetl runs the CPU "
                         "version of the same model (the .tflite before edgetpu_compiler)");
    }
    auto kernel = CreateKernel(builtin);
    if (!kernel) {
      return Unsupported(OpLabel(i, m) + ": edgetl has no kernel for this op");
    }
    impl->kernels.push_back(std::move(kernel));
  }

  impl->tensors.resize(num_tensors);
  for (int t = 0; t < num_tensors; ++t) {
    RtTensor& rt = impl->tensors[t];
    rt.info = model.tensor(t);
    rt.bytes = rt.info.num_bytes();
    if (rt.info.is_constant) {
      const auto data = m.tensor_data(t);
      rt.data = const_cast<uint8_t*>(data.data());  // kernels never write constants
      rt.bytes = data.size();
      const size_t elem = TensorTypeSize(rt.info.type);
      if (elem > 1 && reinterpret_cast<uintptr_t>(rt.data) % elem != 0) {
        auto copy = std::make_unique<AlignedBytes>(data.size());
        std::memcpy(copy->data(), data.data(), data.size());
        rt.data = copy->data();
        impl->realigned.push_back(std::move(copy));
      }
    }
  }
  impl->inputs = model.inputs();
  impl->outputs = model.outputs();

  const char* env = std::getenv("EDGETL_KERNELS");
  const bool reference_only =
      options.kernels == KernelChoice::kReference || (env && std::string(env) == "reference");
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = reference_only ? 1 : options.threads > 0 ? options.threads : hardware;

  // Lifetimes of the activations, in op indices. Graph inputs live from the
  // start, graph outputs to the end.
  std::vector<int> first(num_tensors, -2), last(num_tensors, -2);
  auto touch = [&](int t, int op) {
    if (t < 0 || impl->tensors[t].info.is_constant) return;
    if (first[t] == -2) first[t] = op;
    first[t] = std::min(first[t], op);
    last[t] = std::max(last[t], op);
  };
  for (int t : impl->inputs) touch(t, 0);
  for (int i = 0; i < num_ops; ++i) {
    const OperatorInfo op = model.op(i);
    for (int t : op.inputs) touch(t, i);
    for (int t : op.outputs) touch(t, i);
  }
  for (int t : impl->outputs) touch(t, std::max(0, num_ops - 1));
  // A shim's consumer may read the shim's input instead of its output (see
  // below), so that input lives until the consumer has run. (Intermediates
  // kept for reading are all written: no shim is skipped.)
  const std::vector<SignFlipShim> shims = reference_only || options.preserve_intermediates
                                              ? std::vector<SignFlipShim>{}
                                              : FindSignFlipShims(model);
  for (const SignFlipShim& s : shims) touch(s.source, s.consumer);

  std::vector<BufferRequest> requests;
  std::vector<int> request_tensor;
  for (int t = 0; t < num_tensors; ++t) {
    if (first[t] == -2) continue;
    const RtTensor& rt = impl->tensors[t];
    for (int d : rt.info.shape) {
      if (d < 0) {
        return Unsupported("tensor " + std::to_string(t) + " '" + rt.info.name +
                           "' has a dynamic shape " + rt.info.ShapeString() +
                           "; edgetl runs models with static shapes only");
      }
    }
    if (TensorTypeSize(rt.info.type) == 0) {
      return Unsupported("tensor " + std::to_string(t) + " '" + rt.info.name + "' has type " +
                         TensorTypeName(rt.info.type) + ", which edgetl cannot run");
    }
    if (m.tensor(t).is_variable()) {
      return Unsupported("tensor " + std::to_string(t) + " is a variable (stateful models)");
    }
    BufferRequest r;
    r.size = rt.bytes;
    r.first_use = options.preserve_intermediates ? 0 : first[t];
    r.last_use = options.preserve_intermediates ? num_ops : last[t];
    requests.push_back(r);
    request_tensor.push_back(t);
  }
  impl->pool = std::make_unique<ThreadPool>(threads);
  for (int i = 0; i < num_ops; ++i) {
    const fb::Operator& op = *m.graph->operators()->Get(i);
    KernelContext ctx{op, m.op_code(i), {}, {}, reference_only, impl->pool.get()};
    for (int t : model.op(i).inputs) ctx.inputs.push_back(t < 0 ? nullptr : &impl->tensors[t]);
    for (int t : model.op(i).outputs) ctx.outputs.push_back(&impl->tensors[t]);
    for (const RtTensor* out : ctx.outputs) {
      if (out->info.is_constant) {
        return CorruptModel(OpLabel(i, m) + ": writes constant tensor " +
                            std::to_string(out->info.index));
      }
    }
    Status s = impl->kernels[i]->Prepare(ctx);
    if (!s.ok()) return s.WithContext(OpLabel(i, m));
    impl->stats.packed_weight_bytes += impl->kernels[i]->packed_bytes();
  }
  // The arena only now, with every op's shapes checked: a damaged file
  // can declare tensors of gigabytes, which would be allocated (and
  // zeroed) before an op refused them. Prepare reads constants only
  // (OpKernel::Prepare).
  std::vector<size_t> offsets;
  const size_t arena_size =
      PlanArena(requests, kArenaAlignment,
                threads > 1 ? ArenaLayout::kSharedMidpoints : ArenaLayout::kCompact, &offsets);
  impl->arena = AlignedBytes(arena_size);
  std::memset(impl->arena.data(), 0, arena_size);
  for (size_t k = 0; k < requests.size(); ++k) {
    impl->tensors[request_tensor[k]].data = impl->arena.data() + offsets[k];
  }
  std::vector<bool> skipped(num_ops, false);
  for (const SignFlipShim& s : shims) {
    if (impl->kernels[s.consumer]->ReadInputFlipped(&impl->tensors[s.source])) {
      skipped[s.op] = true;
      impl->stats.skipped_ops.push_back(s.op);
    }
  }
  for (int i = 0; i < num_ops; ++i) {
    if (!skipped[i]) impl->schedule.push_back(i);
  }
  impl->stats.threads = threads;
  impl->stats.kernels = reference_only ? "reference" : optimized::KernelPathName();
  if (options.profile) impl->op_ms.assign(num_ops, 0.0);
  impl->stats.create_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return Interpreter(std::move(impl));
}

int Interpreter::num_inputs() const { return static_cast<int>(impl_->inputs.size()); }
int Interpreter::num_outputs() const { return static_cast<int>(impl_->outputs.size()); }

static TensorView ViewOf(const RtTensor& t) {
  return TensorView{&t.info, std::span<uint8_t>(t.data, t.bytes)};
}

TensorView Interpreter::input(int i) const { return ViewOf(impl_->tensors[impl_->inputs[i]]); }
TensorView Interpreter::output(int i) const { return ViewOf(impl_->tensors[impl_->outputs[i]]); }

Result<TensorView> Interpreter::tensor(int index) const {
  if (index < 0 || index >= static_cast<int>(impl_->tensors.size())) {
    return OutOfRange("no tensor " + std::to_string(index) + " (the model has " +
                      std::to_string(impl_->tensors.size()) + ")");
  }
  return ViewOf(impl_->tensors[index]);
}

Status Interpreter::SetInput(int i, std::span<const uint8_t> bytes) {
  if (i < 0 || i >= num_inputs()) {
    return OutOfRange("the model has " + std::to_string(num_inputs()) +
                      " input(s); there is no input " + std::to_string(i));
  }
  const RtTensor& t = impl_->tensors[impl_->inputs[i]];
  if (bytes.size() != t.bytes) {
    return InvalidArgument("input " + std::to_string(i) + " '" + t.info.name + "' is " +
                           TensorTypeName(t.info.type) + " " + t.info.ShapeString() + " = " +
                           std::to_string(t.bytes) + " bytes, but " + std::to_string(bytes.size()) +
                           " bytes were given");
  }
  std::memcpy(t.data, bytes.data(), bytes.size());
  return Status::Ok();
}

Status Interpreter::Invoke() {
  const DefaultFloatEnvironment float_environment;
  if (impl_->op_ms.empty()) {
    for (int i : impl_->schedule) impl_->kernels[i]->Eval();
    return Status::Ok();
  }
  for (int i : impl_->schedule) {
    const auto start = std::chrono::steady_clock::now();
    impl_->kernels[i]->Eval();
    impl_->op_ms[i] +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  return Status::Ok();
}

const std::vector<double>& Interpreter::op_times_ms() const { return impl_->op_ms; }

Result<std::vector<float>> Interpreter::DequantizedOutput(int i) const {
  if (i < 0 || i >= num_outputs()) return OutOfRange("no output " + std::to_string(i));
  const RtTensor& t = impl_->tensors[impl_->outputs[i]];
  const size_t n = t.num_elements();
  std::vector<float> out(n);
  switch (t.type()) {
    case TensorType::kFloat32:
      std::memcpy(out.data(), t.data, n * sizeof(float));
      break;
    case TensorType::kUInt8:
      for (size_t k = 0; k < n; ++k) out[k] = t.scale() * (t.ptr<uint8_t>()[k] - t.zero_point());
      break;
    case TensorType::kInt8:
      for (size_t k = 0; k < n; ++k) out[k] = t.scale() * (t.ptr<int8_t>()[k] - t.zero_point());
      break;
    default:
      return Unsupported("output " + std::to_string(i) + " has type " + TensorTypeName(t.type()));
  }
  return out;
}

size_t Interpreter::arena_bytes() const { return impl_->arena.size(); }
const InterpreterStats& Interpreter::stats() const { return impl_->stats; }
const Model& Interpreter::model() const { return impl_->model; }

}  // namespace edgetl
