// LOGISTIC, RELU, RELU6 and HARD_SWISH: elementwise, shape-preserving.
#include <array>
#include <cmath>
#include <limits>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/reference/activations.h"

namespace edgetl {
namespace {

enum class Act { kLogistic, kRelu, kRelu6, kHardSwish };

template <Act kAct>
class Activation final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(
        CheckType(*in_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {in_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, in_->shape()));
    if (in_->type() == TensorType::kFloat32) return Status::Ok();
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*in_, "input"));
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*out_, "output"));
    if constexpr (kAct == Act::kLogistic) {
      const int32_t expected_zp = in_->type() == TensorType::kUInt8 ? 0 : -128;
      if (out_->scale() != 1.f / 256 || out_->zero_point() != expected_zp) {
        return Unsupported("quantized logistic output must have scale 1/256 and zero point " +
                           std::to_string(expected_zp));
      }
      auto sigmoid = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
      table_ = in_->type() == TensorType::kUInt8
                   ? reference::MakeLookupTable<uint8_t>(in_->scale(), in_->zero_point(),
                                                         out_->scale(), out_->zero_point(), sigmoid)
                   : reference::MakeLookupTable<int8_t>(in_->scale(), in_->zero_point(),
                                                        out_->scale(), out_->zero_point(), sigmoid);
    } else if constexpr (kAct == Act::kHardSwish) {
      hard_swish_ = reference::MakeHardSwishQuant(in_->scale(), in_->zero_point(), out_->scale(),
                                                  out_->zero_point());
      if (hard_swish_.output_exponent > 0) {
        return Unsupported("hard swish output scale too small for the input scale");
      }
    } else {
      auto& q = relu_;
      q.input_offset = in_->zero_point();
      q.output_offset = out_->zero_point();
      const double real = static_cast<double>(in_->scale() / out_->scale());
      fixedpoint::QuantizeMultiplier(real, &q.multiplier, &q.shift);
      // The clamp is the same as a fused RELU/RELU6 on the output.
      return ActivationRangeQuantized(kAct == Act::kRelu6 ? fb::ActivationFunctionType::RELU6
                                                          : fb::ActivationFunctionType::RELU,
                                      *out_, &q.act_min, &q.act_max);
    }
    return Status::Ok();
  }

  void Eval() override {
    const size_t n = in_->num_elements();
    ByElementType(
        in_->type(), [&]<typename T>() { EvalQuantized<T>(n); },
        [&] {
          const float* in = in_->ptr<float>();
          float* out = out_->ptr<float>();
          for (size_t i = 0; i < n; ++i) {
            const float x = in[i];
            if constexpr (kAct == Act::kLogistic) out[i] = reference::LogisticFloat(x);
            if constexpr (kAct == Act::kRelu) out[i] = std::max(0.f, x);
            if constexpr (kAct == Act::kRelu6) out[i] = std::clamp(x, 0.f, 6.f);
            if constexpr (kAct == Act::kHardSwish) out[i] = reference::HardSwishFloat(x);
          }
        });
  }

 private:
  template <typename T>
  void EvalQuantized(size_t n) {
    const T* in = in_->ptr<T>();
    T* out = out_->ptr<T>();
    for (size_t i = 0; i < n; ++i) {
      if constexpr (kAct == Act::kLogistic) {
        out[i] = static_cast<T>(table_[static_cast<uint8_t>(in[i])]);
      } else if constexpr (kAct == Act::kHardSwish) {
        out[i] = reference::HardSwishOne<T>(hard_swish_, in[i]);
      } else {
        out[i] = reference::ReluOne<T>(relu_, in[i]);
      }
    }
  }

  RtTensor *in_ = nullptr, *out_ = nullptr;
  std::array<uint8_t, 256> table_{};
  reference::ReluQuant relu_;
  reference::HardSwishQuant hard_swish_;
};

}  // namespace

EDGETL_REGISTER_KERNEL(LOGISTIC, Activation<Act::kLogistic>);
EDGETL_REGISTER_KERNEL(RELU, Activation<Act::kRelu>);
EDGETL_REGISTER_KERNEL(RELU6, Activation<Act::kRelu6>);
EDGETL_REGISTER_KERNEL(HARD_SWISH, Activation<Act::kHardSwish>);

}  // namespace edgetl
