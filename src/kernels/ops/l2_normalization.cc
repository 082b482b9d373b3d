// L2_NORMALIZATION over the last axis.
#include <cmath>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/reference/l2norm.h"

namespace edgetl {
namespace {

class L2Normalization final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(
        CheckType(*in_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {in_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, in_->shape()));
    if (in_->rank() < 1) return Unsupported("scalar input");
    depth_ = in_->dim(in_->rank() - 1);
    rows_ = depth_ ? static_cast<int>(in_->num_elements() / depth_) : 0;
    if (in_->type() == TensorType::kFloat32) return Status::Ok();
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*in_, "input"));
    const int32_t expected_zp = in_->type() == TensorType::kUInt8 ? 128 : 0;
    if (out_->scale() != 1.f / 128 || out_->zero_point() != expected_zp) {
      return Unsupported("quantized L2 normalization output must have scale 1/128 and zero point " +
                         std::to_string(expected_zp));
    }
    return Status::Ok();
  }

  void Eval() override {
    switch (in_->type()) {
      case TensorType::kUInt8:
        reference::L2NormalizeUInt8(rows_, depth_, in_->zero_point(), in_->ptr<uint8_t>(),
                                    out_->ptr<uint8_t>());
        break;
      case TensorType::kInt8:
        reference::L2NormalizeInt8(rows_, depth_, in_->zero_point(), in_->ptr<int8_t>(),
                                   out_->ptr<int8_t>());
        break;
      default:
        reference::L2NormalizeFloat(rows_, depth_, in_->ptr<float>(), out_->ptr<float>());
    }
  }

 private:
  RtTensor *in_ = nullptr, *out_ = nullptr;
  int rows_ = 0, depth_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(L2_NORMALIZATION, L2Normalization);

}  // namespace edgetl
