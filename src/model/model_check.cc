// Semantic checks on a verified .tflite flatbuffer: everything an index or
// size in the file could get wrong that the FlatBuffers verifier cannot see.
// After these pass, the rest of edgetl may index tensors, buffers and op codes
// of any subgraph without further bounds checks.
#include <string>

#include "model/model_impl.h"

namespace edgetl {
namespace {

constexpr uint64_t kMaxTensorElements = uint64_t{1} << 31;
constexpr uint32_t kSchemaVersion = 3;

std::string TensorLabel(int sg, int t, const fb::Tensor& tensor) {
  std::string s =
      (sg == 0 ? "" : "subgraph " + std::to_string(sg) + " ") + "tensor " + std::to_string(t);
  if (tensor.name() && tensor.name()->size() > 0) s += " '" + tensor.name()->str() + "'";
  return s;
}

Status CheckIndexList(const flatbuffers::Vector<int32_t>* list, int num_tensors, bool allow_omitted,
                      const std::string& what) {
  if (!list) return Status::Ok();
  for (size_t k = 0; k < list->size(); ++k) {
    const int v = list->Get(k);
    if ((v == -1 && allow_omitted) || (v >= 0 && v < num_tensors)) continue;
    return CorruptModel(what + " " + std::to_string(k) + " refers to tensor " + std::to_string(v) +
                        ", but the subgraph has " + std::to_string(num_tensors) + " tensors");
  }
  return Status::Ok();
}

// Checks one tensor and returns the axis its per-channel quantization really
// uses (see the 1-D quirk below).
Status CheckTensor(const fb::Model& model, int sg, int t, const fb::Tensor& tensor, int* axis,
                   std::vector<std::string>* warnings) {
  const std::string label = TensorLabel(sg, t, tensor);
  const int type = static_cast<int>(tensor.type());
  if (type < 0 || type > static_cast<int>(fb::TensorType::MAX)) {
    return CorruptModel(label + " has unknown element type " + std::to_string(type));
  }
  uint64_t elements = 1;
  const int rank = tensor.shape() ? static_cast<int>(tensor.shape()->size()) : 0;
  for (int d = 0; d < rank; ++d) {
    const int dim = tensor.shape()->Get(d);
    if (dim < -1) {
      return CorruptModel(label + " has invalid dimension " + std::to_string(dim) + " at axis " +
                          std::to_string(d));
    }
    elements *= dim < 0 ? 1 : static_cast<uint64_t>(dim);
    if (elements > kMaxTensorElements) {
      return CorruptModel(label + " has an oversized shape (more than 2^31 elements)");
    }
  }
  const uint32_t num_buffers = model.buffers() ? model.buffers()->size() : 0;
  if (tensor.buffer() != 0 && tensor.buffer() >= num_buffers) {
    return CorruptModel(label + " refers to buffer " + std::to_string(tensor.buffer()) +
                        ", but the model has " + std::to_string(num_buffers) + " buffers");
  }
  if (tensor.buffer() != 0) {
    const fb::Buffer& buffer = *model.buffers()->Get(tensor.buffer());
    if (buffer.offset() > 1) {
      return Unsupported(label +
                         " keeps its data outside the flatbuffer (models over 2 GB), "
                         "which edgetl does not read");
    }
    const size_t bytes = buffer.data() ? buffer.data()->size() : 0;
    const size_t elem = TensorTypeSize(static_cast<TensorType>(type));
    if (bytes > 0 && elem > 0) {
      for (int d = 0; d < rank; ++d) {
        if (tensor.shape()->Get(d) < 0) {
          return CorruptModel(label + " holds constant data but has a dynamic shape");
        }
      }
      if (bytes != elements * elem) {
        return CorruptModel(label + " has " + std::to_string(bytes) + " bytes of data, but its " +
                            "shape and type need " + std::to_string(elements * elem));
      }
    }
  }
  *axis = 0;
  const fb::QuantizationParameters* q = tensor.quantization();
  if (q && q->scale() && q->scale()->size() > 0) {
    const size_t n = q->scale()->size();
    if (q->zero_point() && q->zero_point()->size() != n) {
      return CorruptModel(label + " has " + std::to_string(n) + " quantization scales but " +
                          std::to_string(q->zero_point()->size()) + " zero points");
    }
    if (n > 1) {
      const int qd = q->quantized_dimension();
      if (rank == 1 && (qd < 0 || qd >= rank) && tensor.shape()->Get(0) == static_cast<int>(n)) {
        // TFLite refuses such a tensor; TFLite Micro, whose converter wrote
        // some of them (biases of per-channel convolutions), reads the only
        // axis there is. So does edgetl, with a warning.
        warnings->push_back(label + ": 1-D per-axis tensor declares quantized_dimension " +
                            std::to_string(qd) + "; using its only axis (0)");
        *axis = 0;
      } else if (qd < 0 || qd >= rank) {
        return CorruptModel(label + " has quantized_dimension " + std::to_string(qd) +
                            " outside its rank " + std::to_string(rank));
      } else if (tensor.shape()->Get(qd) != static_cast<int>(n)) {
        return CorruptModel(label + " has " + std::to_string(n) +
                            " per-axis scales but dimension " + std::to_string(qd) + " is " +
                            std::to_string(tensor.shape()->Get(qd)));
      } else {
        *axis = qd;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckModelSemantics(Model::Impl& impl) {
  const fb::Model& model = *impl.root;
  if (model.version() != kSchemaVersion) {
    return CorruptModel("schema version " + std::to_string(model.version()) +
                        " is not supported (edgetl reads version 3)");
  }
  if (!model.subgraphs() || model.subgraphs()->size() == 0) {
    return CorruptModel("the model has no subgraph 0");
  }
  const uint32_t num_codes = model.operator_codes() ? model.operator_codes()->size() : 0;
  const uint32_t num_buffers = model.buffers() ? model.buffers()->size() : 0;
  for (uint32_t sg = 0; sg < model.subgraphs()->size(); ++sg) {
    const fb::SubGraph& graph = *model.subgraphs()->Get(sg);
    const int num_tensors = graph.tensors() ? static_cast<int>(graph.tensors()->size()) : 0;
    const std::string where = sg == 0 ? "" : "subgraph " + std::to_string(sg) + " ";
    std::vector<int> axes(num_tensors, 0);
    for (int t = 0; t < num_tensors; ++t) {
      EDGETL_RETURN_IF_ERROR(
          CheckTensor(model, sg, t, *graph.tensors()->Get(t), &axes[t], &impl.warnings));
    }
    if (sg == 0) impl.quant_axis = std::move(axes);
    EDGETL_RETURN_IF_ERROR(CheckIndexList(graph.inputs(), num_tensors, false, where + "input"));
    EDGETL_RETURN_IF_ERROR(CheckIndexList(graph.outputs(), num_tensors, false, where + "output"));
    const int num_ops = graph.operators() ? static_cast<int>(graph.operators()->size()) : 0;
    for (int i = 0; i < num_ops; ++i) {
      const fb::Operator& op = *graph.operators()->Get(i);
      const std::string label = where + "op " + std::to_string(i);
      if (op.opcode_index() >= num_codes) {
        return CorruptModel(label + " uses operator code " + std::to_string(op.opcode_index()) +
                            ", but the model has " + std::to_string(num_codes));
      }
      EDGETL_RETURN_IF_ERROR(CheckIndexList(op.inputs(), num_tensors, true, label + " input"));
      EDGETL_RETURN_IF_ERROR(CheckIndexList(op.outputs(), num_tensors, false, label + " output"));
    }
  }
  if (model.metadata()) {
    for (uint32_t i = 0; i < model.metadata()->size(); ++i) {
      if (model.metadata()->Get(i)->buffer() >= num_buffers) {
        return CorruptModel("metadata entry " + std::to_string(i) + " refers to buffer " +
                            std::to_string(model.metadata()->Get(i)->buffer()) +
                            ", but the model has " + std::to_string(num_buffers) + " buffers");
      }
    }
  }
  if (model.signature_defs()) {
    for (const auto* sig : *model.signature_defs()) {
      if (sig->subgraph_index() >= model.subgraphs()->size()) {
        return CorruptModel("a signature def refers to missing subgraph " +
                            std::to_string(sig->subgraph_index()));
      }
    }
  }
  impl.graph = model.subgraphs()->Get(0);
  return Status::Ok();
}

}  // namespace edgetl
