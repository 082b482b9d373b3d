// RESHAPE and SQUEEZE: same bytes, new shape. The declared output shape is
// checked against the op's own description of it.
#include <cstring>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"

namespace edgetl {
namespace {

Status CheckSameQuantization(const RtTensor& in, const RtTensor& out) {
  if (in.type() != out.type()) return Unsupported("input and output types differ");
  if (IsQuantizedType(in.type()) &&
      (in.scale() != out.scale() || in.zero_point() != out.zero_point())) {
    return Unsupported("input and output quantization differ");
  }
  return Status::Ok();
}

class Reshape final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 2, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(CheckSameQuantization(*in_, *out_));
    // The target shape: the shape tensor if constant, else the options, else
    // the declared output shape. A computed shape tensor would make the
    // output shape dynamic.
    std::vector<int> target;
    if (const RtTensor* shape = ctx.input(1);
        shape && shape->rank() == 1 && shape->num_elements() > 0) {
      if (!shape->info.is_constant) {
        return Unsupported("dynamic shapes: the target shape is computed at run time");
      }
      EDGETL_RETURN_IF_ERROR(CheckType(*shape, {TensorType::kInt32}, "shape"));
      target.assign(shape->ptr<int32_t>(), shape->ptr<int32_t>() + shape->num_elements());
    } else if (const auto* o = ctx.op.builtin_options_as_ReshapeOptions();
               o && o->new_shape() && o->new_shape()->size() > 0) {
      target.assign(o->new_shape()->begin(), o->new_shape()->end());
    } else {
      target = out_->shape();
    }
    // Resolve one -1.
    int64_t known = 1;
    int unknown = -1;
    for (size_t i = 0; i < target.size(); ++i) {
      if (target[i] == -1 && unknown < 0) {
        unknown = static_cast<int>(i);
      } else if (target[i] < 0) {
        return CorruptModel("invalid target shape " + ShapeToString(target));
      } else {
        known *= target[i];
      }
    }
    const int64_t total = static_cast<int64_t>(in_->num_elements());
    if (unknown >= 0 && known > 0) target[unknown] = static_cast<int>(total / known);
    int64_t product = 1;
    for (int d : target) product *= d;
    if (product != total) {
      return CorruptModel("cannot reshape " + ShapeToString(in_->shape()) + " to " +
                          ShapeToString(target));
    }
    return CheckOutputShape(*out_, target);
  }

  void Eval() override {
    if (out_->data != in_->data) std::memcpy(out_->data, in_->data, in_->bytes);
  }

 private:
  RtTensor *in_ = nullptr, *out_ = nullptr;
};

class Squeeze final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(CheckSameQuantization(*in_, *out_));
    const int rank = in_->rank();
    std::vector<bool> drop(rank, false);
    const auto* o = ctx.op.builtin_options_as_SqueezeOptions();
    if (o && o->squeeze_dims() && o->squeeze_dims()->size() > 0) {
      for (int d : *o->squeeze_dims()) {
        const int axis = d < 0 ? d + rank : d;
        if (axis < 0 || axis >= rank || in_->dim(axis) != 1) {
          return CorruptModel("cannot squeeze axis " + std::to_string(d) + " of " +
                              ShapeToString(in_->shape()));
        }
        drop[axis] = true;
      }
    } else {
      for (int d = 0; d < rank; ++d) drop[d] = in_->dim(d) == 1;
    }
    std::vector<int> shape;
    for (int d = 0; d < rank; ++d) {
      if (!drop[d]) shape.push_back(in_->dim(d));
    }
    return CheckOutputShape(*out_, shape);
  }

  void Eval() override {
    if (out_->data != in_->data) std::memcpy(out_->data, in_->data, in_->bytes);
  }

 private:
  RtTensor *in_ = nullptr, *out_ = nullptr;
};

}  // namespace

EDGETL_REGISTER_KERNEL(RESHAPE, Reshape);
EDGETL_REGISTER_KERNEL(SQUEEZE, Squeeze);

}  // namespace edgetl
