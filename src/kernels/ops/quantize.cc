// QUANTIZE (float -> 8-bit, or 8-bit -> 8-bit requantization, e.g. the
// uint8 <-> int8 shims at the ends of TF2 models) and DEQUANTIZE.
#include <cmath>
#include <limits>
#include <type_traits>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/quantize_avx512.h"
#include "kernels/reference/fixed_point.h"

namespace edgetl {
namespace {

template <typename T>
void QuantizeFloat(bool simd, const float* in, T* out, size_t n, float scale, int32_t zp) {
  if (simd) {
    optimized::QuantizeFloatAvx512(in, out, n, scale, zp);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    // Quotients beyond +-2^16 (and NaN, to the low end) clamp first, so
    // that the conversion is defined; as the vector loop.
    float r = std::round(in[i] / scale);
    r = r > 65536.f ? 65536.f : r >= -65536.f ? r : -65536.f;
    const int32_t v = static_cast<int32_t>(r) + zp;
    out[i] = static_cast<T>(
        std::clamp<int32_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
  }
}

template <typename TIn, typename TOut>
void Requantize(bool simd, const TIn* in, TOut* out, size_t n, int32_t in_zp, int32_t out_zp,
                int32_t multiplier, int shift) {
  if (multiplier == (1 << 30) && shift == 1) {
    // Equal scales (TF2's uint8 <-> int8 shims): the multiplier is exactly
    // one, MultiplyByQuantizedMultiplier(x, 2^30, 1) == x for |x| < 2^30.
    if (simd) {
      optimized::ShiftZeroPointAvx512(in, out, n, out_zp - in_zp);
      return;
    }
    for (size_t i = 0; i < n; ++i) {
      out[i] = static_cast<TOut>(std::clamp<int32_t>(in[i] - in_zp + out_zp,
                                                     std::numeric_limits<TOut>::min(),
                                                     std::numeric_limits<TOut>::max()));
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t v =
        fixedpoint::MultiplyByQuantizedMultiplier(in[i] - in_zp, multiplier, shift) + out_zp;
    out[i] = static_cast<TOut>(
        std::clamp<int32_t>(v, std::numeric_limits<TOut>::min(), std::numeric_limits<TOut>::max()));
  }
}

class Quantize final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(
        CheckType(*in_, {TensorType::kFloat32, TensorType::kUInt8, TensorType::kInt8}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {TensorType::kUInt8, TensorType::kInt8}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, in_->shape()));
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*out_, "output"));
    if (out_->info.quant.per_channel()) return Unsupported("per-channel quantize");
    simd_ = UseAvx512Vnni(ctx);
    pool_ = ctx.pool;
    if (in_->type() != TensorType::kFloat32) {
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*in_, "input"));
      const double real = static_cast<double>(in_->scale()) / static_cast<double>(out_->scale());
      fixedpoint::QuantizeMultiplier(real, &multiplier_, &shift_);
    }
    return Status::Ok();
  }

  void Eval() override {
    // Usually the model's input (224x224x3 floats, or a TF2 model's uint8
    // shim): in halves, each thread writes the rows that it then reads in
    // the first layer (with QUANTIZE on the first thread alone, the first
    // layer's second thread read its half from the other core, 13% slower).
    ParallelOverValues(pool_, in_->num_elements(), [this](size_t begin, size_t count) {
      switch (in_->type()) {
        case TensorType::kFloat32:
          Range<float>(begin, count);
          break;
        case TensorType::kUInt8:
          Range<uint8_t>(begin, count);
          break;
        default:
          Range<int8_t>(begin, count);
      }
    });
  }

 private:
  template <typename TIn>
  void Range(size_t begin, size_t count) {
    if (out_->type() == TensorType::kUInt8) {
      Range<TIn, uint8_t>(begin, count);
    } else {
      Range<TIn, int8_t>(begin, count);
    }
  }

  template <typename TIn, typename TOut>
  void Range(size_t begin, size_t count) {
    const TIn* in = in_->ptr<TIn>() + begin;
    TOut* out = out_->ptr<TOut>() + begin;
    const int32_t ozp = out_->zero_point();
    if constexpr (std::is_same_v<TIn, float>) {
      QuantizeFloat(simd_, in, out, count, out_->scale(), ozp);
    } else {
      Requantize(simd_, in, out, count, in_->zero_point(), ozp, multiplier_, shift_);
    }
  }

  RtTensor *in_ = nullptr, *out_ = nullptr;
  ThreadPool* pool_ = nullptr;
  int32_t multiplier_ = 0;
  int shift_ = 0;
  bool simd_ = false;  // the AVX-512 loops
};

class Dequantize final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 1, 1, 1));
    in_ = ctx.inputs[0];
    out_ = ctx.outputs[0];
    EDGETL_RETURN_IF_ERROR(CheckType(*in_, {TensorType::kUInt8, TensorType::kInt8}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {TensorType::kFloat32}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, in_->shape()));
    EDGETL_RETURN_IF_ERROR(CheckQuantized(*in_, "input"));
    if (in_->info.quant.per_channel()) return Unsupported("per-channel dequantize");
    return Status::Ok();
  }

  void Eval() override {
    const size_t n = in_->num_elements();
    const double scale = in_->scale();
    const int32_t zp = in_->zero_point();
    float* out = out_->ptr<float>();
    if (in_->type() == TensorType::kUInt8) {
      for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(scale * (in_->ptr<uint8_t>()[i] - zp));
    } else {
      for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(scale * (in_->ptr<int8_t>()[i] - zp));
    }
  }

 private:
  RtTensor *in_ = nullptr, *out_ = nullptr;
};

}  // namespace

EDGETL_REGISTER_KERNEL(QUANTIZE, Quantize);
EDGETL_REGISTER_KERNEL(DEQUANTIZE, Dequantize);

}  // namespace edgetl
