// ADD, SUB and MUL with broadcasting and fused activation.
#include <cmath>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/add_avx2.h"
#include "kernels/optimized/add_avx512.h"
#include "kernels/optimized/add_table.h"
#include "kernels/reference/elementwise.h"

namespace edgetl {
namespace {

enum class Kind { kAdd, kSub, kMul };

template <Kind kKind>
class Elementwise final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
    a_ = ctx.inputs[0];
    b_ = ctx.inputs[1];
    out_ = ctx.outputs[0];
    fb::ActivationFunctionType act = fb::ActivationFunctionType::NONE;
    if (kKind == Kind::kAdd) {
      if (const auto* o = ctx.op.builtin_options_as_AddOptions())
        act = o->fused_activation_function();
    } else if (kKind == Kind::kSub) {
      if (const auto* o = ctx.op.builtin_options_as_SubOptions())
        act = o->fused_activation_function();
    } else {
      if (const auto* o = ctx.op.builtin_options_as_MulOptions())
        act = o->fused_activation_function();
    }
    EDGETL_RETURN_IF_ERROR(
        CheckType(*a_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*b_, {a_->type()}, "second input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*out_, {a_->type()}, "output"));
    bool ok = false;
    const std::vector<int> shape = reference::BroadcastShape(a_->shape(), b_->shape(), &ok);
    if (!ok) {
      return InvalidArgument("input shapes " + ShapeToString(a_->shape()) + " and " +
                             ShapeToString(b_->shape()) + " do not broadcast");
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*out_, shape));
    reference::MakeBroadcastMap(a_->shape(), b_->shape(), shape, &map_);
    if (a_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(act, &fmin_, &fmax_);
      return Status::Ok();
    }
    for (const RtTensor* t : {a_, b_, out_})
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*t, "quantized"));
    int32_t act_min, act_max;
    EDGETL_RETURN_IF_ERROR(ActivationRangeQuantized(act, *out_, &act_min, &act_max));
    if (kKind == Kind::kMul) {
      mul_ = {-a_->zero_point(), -b_->zero_point(), out_->zero_point(), 0, 0, act_min, act_max};
      // Float product of the scales, as TFLite computes it.
      const double real = static_cast<double>(a_->scale() * b_->scale() / out_->scale());
      fixedpoint::QuantizeMultiplier(real, &mul_.output_multiplier, &mul_.output_shift);
      return Status::Ok();
    }
    auto& p = add_;
    p.input1_offset = -a_->zero_point();
    p.input2_offset = -b_->zero_point();
    p.output_offset = out_->zero_point();
    p.left_shift = 20;
    p.act_min = act_min;
    p.act_max = act_max;
    const double twice_max = 2 * static_cast<double>(std::max(a_->scale(), b_->scale()));
    const double m1 = static_cast<double>(a_->scale()) / twice_max;
    const double m2 = static_cast<double>(b_->scale()) / twice_max;
    const double mo = twice_max / ((1 << p.left_shift) * static_cast<double>(out_->scale()));
    fixedpoint::QuantizeMultiplier(m1, &p.input1_multiplier, &p.input1_shift);
    fixedpoint::QuantizeMultiplier(m2, &p.input2_multiplier, &p.input2_shift);
    fixedpoint::QuantizeMultiplier(mo, &p.output_multiplier, &p.output_shift);
    if (p.input1_shift > 0 || p.input2_shift > 0 || p.output_shift > 0) {
      return Unsupported("input/output scale ratio too large for quantized add");
    }
    // Same shapes (MobileNet V2's residuals): by table and float form on
    // AVX-512 (add_avx512.h, 16 lanes at a time), by float form or TFLite's
    // arithmetic on AVX2 (add_avx2.h), by table elsewhere (add_table.h); in
    // chunks over the interpreter's threads.
    pool_ = ctx.pool;
    if (ctx.reference_only || a_->shape() != b_->shape()) return Status::Ok();
    constexpr bool kSub = kKind == Kind::kSub;
    const bool u8 = a_->type() == TensorType::kUInt8;
    if (UseAvx512Vnni(ctx)) {
      add_table_ = u8 ? optimized::TabulateAddAvx512<uint8_t, kSub>(p)
                      : optimized::TabulateAddAvx512<int8_t, kSub>(p);
      // The float form where it holds: 3-4x faster than gathering from
      // the table, which it still reads for values near a rounding step.
      add_float_ = u8 ? optimized::ProveAddFloatForm<uint8_t, kSub>(p, add_table_)
                      : optimized::ProveAddFloatForm<int8_t, kSub>(p, add_table_);
    } else if (UseAvx2(ctx)) {
      add_avx2_ = optimized::MakeAddAvx2(p);
      // Its float form where it holds (every MobileNet V2 add): 3 to 5
      // times faster than the three rescalings.
      add_float_ = u8 ? optimized::ProveAddFloatFormAvx2<uint8_t, kSub>(*add_avx2_, p)
                      : optimized::ProveAddFloatFormAvx2<int8_t, kSub>(*add_avx2_, p);
    } else {
      add_table_ = u8 ? optimized::TabulateAdd<uint8_t, kSub>(p, ParallelOver(pool_))
                      : optimized::TabulateAdd<int8_t, kSub>(p, ParallelOver(pool_));
      portable_table_ = true;
    }
    return Status::Ok();
  }

  size_t packed_bytes() const override { return add_table_.size(); }

  void Eval() override {
    const size_t n = out_->num_elements();
    ByElementType(
        a_->type(), [&]<typename T>() { EvalQuantized<T>(n); },
        [&] {
          const float lo = fmin_, hi = fmax_;
          reference::Broadcast(
              map_, n, a_->ptr<float>(), b_->ptr<float>(), out_->ptr<float>(),
              [lo, hi](float x, float y) {
                const float r = kKind == Kind::kAdd ? x + y : kKind == Kind::kSub ? x - y : x * y;
                return std::clamp(r, lo, hi);
              });
        });
  }

 private:
  template <typename T>
  void EvalQuantized(size_t n) {
    if constexpr (kKind == Kind::kMul) {
      const auto& p = mul_;
      reference::Broadcast(map_, n, a_->ptr<T>(), b_->ptr<T>(), out_->ptr<T>(),
                           [&p](T x, T y) { return reference::MulOne<T>(p, x, y); });
    } else if (add_avx2_ || !add_table_.empty()) {
      ParallelOverValues(pool_, n, [&](size_t begin, size_t count) {
        const T *x = a_->ptr<T>() + begin, *y = b_->ptr<T>() + begin;
        constexpr bool kSub = kKind == Kind::kSub;
        if (add_avx2_ && add_float_) {
          optimized::AddByFloatAvx2<T, kSub>(*add_float_, *add_avx2_, x, y, out_->ptr<T>() + begin,
                                             count);
        } else if (add_avx2_) {
          optimized::AddByAvx2<T, kSub>(*add_avx2_, add_, x, y, out_->ptr<T>() + begin, count);
        } else if (portable_table_) {
          optimized::LookUpAdd(add_table_, x, y, out_->ptr<T>() + begin, count);
        } else if (add_float_) {
          optimized::AddByFloatAvx512(*add_float_, add_table_, x, y, out_->ptr<T>() + begin, count);
        } else {
          optimized::AddByTableAvx512(add_table_, x, y, out_->ptr<T>() + begin, count);
        }
      });
    } else {
      const auto& p = add_;
      reference::Broadcast(map_, n, a_->ptr<T>(), b_->ptr<T>(), out_->ptr<T>(), [&p](T x, T y) {
        return reference::AddOne<T, kKind == Kind::kSub>(p, x, y);
      });
    }
  }

  RtTensor *a_ = nullptr, *b_ = nullptr, *out_ = nullptr;
  reference::BroadcastMap map_;
  reference::AddQuant add_;
  // Same shapes: optimized::TabulateAddAvx512's table on AVX-512, else
  // (portable_table_) optimized::TabulateAdd's without AVX2.
  std::vector<uint8_t> add_table_;
  bool portable_table_ = false;
  std::optional<optimized::AddAvx2> add_avx2_;        // same shapes on AVX2
  std::optional<optimized::AddFloatForm> add_float_;  // proven for the AVX-512 or AVX2 kernel
  reference::MulQuant mul_;
  float fmin_ = 0, fmax_ = 0;
  ThreadPool* pool_ = nullptr;
};

}  // namespace

EDGETL_REGISTER_KERNEL(ADD, Elementwise<Kind::kAdd>);
EDGETL_REGISTER_KERNEL(SUB, Elementwise<Kind::kSub>);
EDGETL_REGISTER_KERNEL(MUL, Elementwise<Kind::kMul>);

}  // namespace edgetl
