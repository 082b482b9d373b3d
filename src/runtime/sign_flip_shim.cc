#include "runtime/sign_flip_shim.h"

#include <algorithm>

namespace edgetl {
namespace {

bool IsPerTensor(const TensorInfo& t) {
  return t.quant.scale.size() == 1 && t.quant.zero_point.size() == 1;
}

}  // namespace

std::vector<SignFlipShim> FindSignFlipShims(const Model& model) {
  std::vector<SignFlipShim> shims;
  const std::vector<int> graph_outputs = model.outputs();
  for (int i = 0; i < model.num_operators(); ++i) {
    const OperatorInfo op = model.op(i);
    if (op.op_name != "QUANTIZE" || op.inputs.size() != 1 || op.outputs.size() != 1 ||
        op.inputs[0] < 0) {
      continue;
    }
    const TensorInfo in = model.tensor(op.inputs[0]);
    const TensorInfo out = model.tensor(op.outputs[0]);
    if (in.type != TensorType::kUInt8 || out.type != TensorType::kInt8 || !IsPerTensor(in) ||
        !IsPerTensor(out) || in.quant.scale[0] != out.quant.scale[0] ||
        out.quant.zero_point[0] != in.quant.zero_point[0] - 128 ||
        std::count(graph_outputs.begin(), graph_outputs.end(), out.index) > 0) {
      continue;
    }
    // Exactly one read of the output, as input 0 of a later op.
    int consumer = -1, reads = 0;
    for (int j = 0; j < model.num_operators(); ++j) {
      const std::vector<int> inputs = model.op(j).inputs;
      const int n = static_cast<int>(std::count(inputs.begin(), inputs.end(), out.index));
      reads += n;
      if (n > 0) consumer = inputs[0] == out.index && j > i ? j : -1;
    }
    if (reads == 1 && consumer >= 0) shims.push_back({i, in.index, consumer});
  }
  return shims;
}

}  // namespace edgetl
