// PAD and PADV2 with constant paddings; the fill value is the output zero
// point (a real 0) or, for PADV2, the given constant.
#include <cstring>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"

namespace edgetl {
namespace {

class Pad final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    const RtTensor& paddings = *ctx.inputs[1];
    EDGETL_RETURN_IF_ERROR(CheckType(
        *in_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32, TensorType::kInt32},
        "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {in_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckConstant(paddings, "paddings"));
    EDGETL_RETURN_IF_ERROR(
        CheckType(paddings, {TensorType::kInt32, TensorType::kInt64}, "paddings"));
    const int rank = in_->rank();
    if (paddings.num_elements() != static_cast<size_t>(rank) * 2) {
      return CorruptModel("paddings must be [rank, 2]");
    }
    if (IsQuantizedType(in_->type()) &&
        (in_->scale() != out_->scale() || in_->zero_point() != out_->zero_point())) {
      return Unsupported("input and output quantization differ");
    }
    before_.resize(rank);
    std::vector<int> shape(rank);
    for (int d = 0; d < rank; ++d) {
      const int64_t lo = paddings.type() == TensorType::kInt32 ? paddings.ptr<int32_t>()[2 * d]
                                                               : paddings.ptr<int64_t>()[2 * d];
      const int64_t hi = paddings.type() == TensorType::kInt32 ? paddings.ptr<int32_t>()[2 * d + 1]
                                                               : paddings.ptr<int64_t>()[2 * d + 1];
      if (lo < 0 || hi < 0) return CorruptModel("negative padding");
      before_[d] = static_cast<int>(lo);
      shape[d] = in_->dim(d) + static_cast<int>(lo + hi);
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, shape));
    elem_ = TensorTypeSize(in_->type());
    fill_.assign(elem_, 0);
    if (const RtTensor* value = ctx.input(2)) {
      EDGETL_RETURN_IF_ERROR(CheckConstant(*value, "constant value"));
      EDGETL_RETURN_IF_ERROR(CheckType(*value, {in_->type()}, "constant value"));
      std::memcpy(fill_.data(), value->data, elem_);
    } else if (IsQuantizedType(in_->type())) {
      fill_[0] = static_cast<uint8_t>(out_->zero_point());
    }
    return Status::Ok();
  }

  void Eval() override {
    const size_t n = out_->num_elements();
    for (size_t i = 0; i < n; ++i) std::memcpy(out_->data + i * elem_, fill_.data(), elem_);
    // Copy the input rows (innermost axis contiguous) into place.
    const int rank = in_->rank();
    const int inner = rank ? in_->dim(rank - 1) : 1;
    const size_t rows = inner ? in_->num_elements() / inner : 0;
    std::vector<int> idx(rank, 0);
    for (size_t r = 0; r < rows; ++r) {
      size_t offset = 0;
      for (int d = 0; d < rank; ++d) {
        const int pos = idx[d] + before_[d];
        offset = offset * out_->dim(d) + (d == rank - 1 ? before_[d] : pos);
      }
      std::memcpy(out_->data + offset * elem_, in_->data + r * inner * elem_, inner * elem_);
      for (int d = rank - 2; d >= 0; --d) {
        if (++idx[d] < in_->dim(d)) break;
        idx[d] = 0;
      }
    }
  }

 private:
  RtTensor *in_ = nullptr, *out_ = nullptr;
  std::vector<int> before_;
  std::vector<uint8_t> fill_;
  size_t elem_ = 1;
};

}  // namespace

EDGETL_REGISTER_KERNEL(PAD, Pad);
EDGETL_REGISTER_KERNEL(PADV2, Pad);

}  // namespace edgetl
