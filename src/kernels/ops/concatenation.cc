// CONCATENATION along one axis. Quantized inputs whose scale or zero point
// differ from the output's are rescaled (TFLite's uint8 behaviour).
#include <cmath>
#include <cstring>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"

namespace edgetl {
namespace {

class Concatenation final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    if (ctx.inputs.empty() || ctx.outputs.size() != 1)
      return CorruptModel("needs inputs and one output");
    out_ = ctx.outputs[0];
    const auto* o = ctx.op.builtin_options_as_ConcatenationOptions();
    if (!o) return CorruptModel("missing ConcatenationOptions");
    if (o->fused_activation_function() != fb::ActivationFunctionType::NONE) {
      return Unsupported("fused activation on concatenation");
    }
    const int rank = out_->rank();
    axis_ = o->axis() < 0 ? o->axis() + rank : o->axis();
    if (axis_ < 0 || axis_ >= rank) return CorruptModel("axis out of range");
    EDGETL_RETURN_IF_ERROR(CheckType(
        *out_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32, TensorType::kInt32},
        "output"));
    std::vector<int> shape;
    for (RtTensor* in : ctx.inputs) {
      if (!in) return CorruptModel("omitted input");
      EDGETL_RETURN_IF_ERROR(CheckType(*in, {out_->type()}, "input"));
      if (in->rank() != rank) return CorruptModel("inputs differ in rank");
      if (shape.empty()) {
        shape = in->shape();
      } else {
        for (int d = 0; d < rank; ++d) {
          if (d != axis_ && in->dim(d) != shape[d]) {
            return CorruptModel("input shapes differ outside the concatenation axis");
          }
        }
        shape[axis_] += in->dim(axis_);
      }
      inputs_.push_back(in);
      rescale_.push_back(IsQuantizedType(in->type()) &&
                         (in->scale() != out_->scale() || in->zero_point() != out_->zero_point()));
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, shape));
    outer_ = 1;
    for (int d = 0; d < axis_; ++d) outer_ *= shape[d];
    inner_ = 1;
    for (int d = axis_ + 1; d < rank; ++d) inner_ *= shape[d];
    return Status::Ok();
  }

  void Eval() override {
    const size_t elem = TensorTypeSize(out_->type());
    uint8_t* out = out_->data;
    const float inv_out_scale = 1.f / out_->scale();
    for (size_t outer = 0; outer < outer_; ++outer) {
      for (size_t k = 0; k < inputs_.size(); ++k) {
        const RtTensor& in = *inputs_[k];
        const size_t n = static_cast<size_t>(in.dim(axis_)) * inner_;
        const uint8_t* src = in.data + outer * n * elem;
        if (!rescale_[k]) {
          std::memcpy(out, src, n * elem);
        } else if (out_->type() == TensorType::kUInt8) {
          Rescale(src, out, n, in, inv_out_scale, 0, 255);
        } else {
          Rescale(reinterpret_cast<const int8_t*>(src), reinterpret_cast<int8_t*>(out), n, in,
                  inv_out_scale, -128, 127);
        }
        out += n * elem;
      }
    }
  }

 private:
  template <typename T>
  void Rescale(const T* src, T* dst, size_t n, const RtTensor& in, float inv_out_scale, int lo,
               int hi) const {
    const float scale = in.scale() * inv_out_scale;
    const float bias = -static_cast<float>(in.zero_point()) * scale;
    for (size_t i = 0; i < n; ++i) {
      const int32_t v =
          static_cast<int32_t>(std::round(src[i] * scale + bias)) + out_->zero_point();
      dst[i] = static_cast<T>(std::clamp(v, lo, hi));
    }
  }

  RtTensor* out_ = nullptr;
  std::vector<RtTensor*> inputs_;
  std::vector<bool> rescale_;
  int axis_ = 0;
  size_t outer_ = 1, inner_ = 1;
};

}  // namespace

EDGETL_REGISTER_KERNEL(CONCATENATION, Concatenation);

}  // namespace edgetl
