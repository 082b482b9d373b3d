// DEPTHWISE_CONV_2D: NHWC input, 1HW(I*M) filter; output channel
// ic * depth_multiplier + m reads input channel ic.
#include "kernels/ops/conv_common.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/conv_int16.h"
#include "kernels/optimized/depthwise_avx2.h"
#include "kernels/optimized/depthwise_avx512.h"

namespace edgetl {
namespace {

class DepthwiseConv2D final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    input_ = ctx.inputs[0];
    filter_ = ctx.inputs[1];
    bias_ = ctx.input(2);
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_DepthwiseConv2DOptions();
    if (!opts) return CorruptModel("missing DepthwiseConv2DOptions");
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    if (input_->rank() != 4 || filter_->rank() != 4 || filter_->dim(0) != 1) {
      return Unsupported("input must be 4-D and the filter [1,H,W,C]");
    }
    auto& g = geometry_;
    g.batches = input_->dim(0);
    g.in_h = input_->dim(1);
    g.in_w = input_->dim(2);
    g.in_c = input_->dim(3);
    g.out_c = filter_->dim(3);
    if (g.in_c <= 0 || g.out_c % g.in_c != 0) {
      return CorruptModel("filter channels " + std::to_string(g.out_c) +
                          " are not a multiple of input channels " + std::to_string(g.in_c));
    }
    // The option is redundant with the shapes (newer converters write 0 or
    // leave it stale); the shapes decide, as in TFLite.
    g.depth_multiplier = g.out_c / g.in_c;
    g.filter_h = filter_->dim(1);
    g.filter_w = filter_->dim(2);
    EDGETL_RETURN_IF_ERROR(SetWindow(opts->padding(), opts->stride_h(), opts->stride_w(),
                                     opts->dilation_h_factor(), opts->dilation_w_factor(), &g));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, {g.batches, g.out_h, g.out_w, g.out_c}));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(opts->fused_activation_function(), &act_min_, &act_max_);
      return PrepareFloatConv(*input_, *filter_, bias_, *output_, g.out_c);
    }
    EDGETL_RETURN_IF_ERROR(PrepareQuantizedConv(*input_, *filter_, bias_, *output_, g.out_c, 3,
                                                opts->fused_activation_function(), false, &quant_));
    pool_ = ctx.pool;
    if (UseAvx512Vnni(ctx) && g.depth_multiplier == 1) {
      const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
      avx512_ = input_->type() == TensorType::kUInt8
                    ? optimized::PackDepthwiseAvx512(filter_->ptr<uint8_t>(), g, bias, quant_.quant,
                                                     ParallelOver(pool_))
                    : optimized::PackDepthwiseAvx512(filter_->ptr<int8_t>(), g, bias, quant_.quant,
                                                     ParallelOver(pool_));
      SplitRows();
    } else if (UseAvx2(ctx) && g.depth_multiplier == 1) {
      const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
      avx2_ = input_->type() == TensorType::kUInt8
                  ? optimized::PackDepthwiseAvx2(filter_->ptr<uint8_t>(), g, bias, quant_.quant,
                                                 ParallelOver(pool_))
                  : optimized::PackDepthwiseAvx2(filter_->ptr<int8_t>(), g, bias, quant_.quant,
                                                 ParallelOver(pool_));
      avx2_taps_.assign(pool_->threads(), optimized::MakeDepthwiseAvx2Taps(g));
      SplitRows();
    } else if (!ctx.reference_only) {
      const int taps = g.filter_h * g.filter_w;
      const int32_t offset = quant_.quant.filter_offset;
      packed_ = input_->type() == TensorType::kUInt8
                    ? optimized::PackDepthwiseFilter(filter_->ptr<uint8_t>(), taps, g.out_c, offset)
                    : optimized::PackDepthwiseFilter(filter_->ptr<int8_t>(), taps, g.out_c, offset);
      acc_.resize(g.out_c);
    }
    return Status::Ok();
  }

  size_t packed_bytes() const override {
    return (packed_.values.size() + avx2_.w.size()) * sizeof(int16_t) +
           avx512_.w.size() * sizeof(int32_t) +
           avx512_.column_blocks.size() * sizeof(optimized::DepthwiseAvx512::ColumnBlock);
  }

  void Eval() override {
    ByElementType(
        input_->type(), [this]<typename T>() { EvalQuantized<T>(); },
        [this] {
          reference::DepthwiseConvFloat(
              geometry_, act_min_, act_max_, input_->ptr<float>(), filter_->ptr<float>(),
              bias_ ? bias_->ptr<float>() : nullptr, output_->ptr<float>());
        });
  }

 private:
  template <typename T>
  void EvalQuantized() {
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    if (tasks_ > 0) {
      const int rows = geometry_.batches * geometry_.out_h;
      pool_->Run(tasks_, [&](int task, int thread) {
        const int begin = task * rows_per_task_;
        const int end = std::min(rows, begin + rows_per_task_);
        if (avx2_.taps > 0) {
          optimized::DepthwiseRowsAvx2(geometry_, avx2_, input_->ptr<T>(), begin, end,
                                       output_->ptr<T>(), &avx2_taps_[thread]);
        } else {
          optimized::DepthwiseRowsAvx512(geometry_, quant_.quant, avx512_, input_->ptr<T>(), begin,
                                         end, output_->ptr<T>());
        }
      });
    } else if (acc_.empty()) {
      reference::DepthwiseConvQuantized(geometry_, quant_.quant, input_->ptr<T>(),
                                        filter_->ptr<T>(), bias, output_->ptr<T>());
    } else {
      optimized::DepthwiseInt16(geometry_, quant_.quant, input_->ptr<T>(), packed_, bias,
                                output_->ptr<T>(), acc_.data());
    }
  }

  // One contiguous band of rows per thread (the pool gives each thread a
  // fixed share), even for the 7x7 layers: the AVX-512 and AVX2 kernels.
  void SplitRows() {
    const int rows = geometry_.batches * geometry_.out_h;
    rows_per_task_ = (rows + pool_->threads() - 1) / pool_->threads();
    tasks_ = (rows + rows_per_task_ - 1) / rows_per_task_;
  }

  RtTensor *input_ = nullptr, *filter_ = nullptr, *bias_ = nullptr, *output_ = nullptr;
  reference::ConvGeometry geometry_;
  QuantizedConvData quant_;
  optimized::PackedDepthwise packed_;
  std::vector<int32_t> acc_;  // empty (and no AVX-512 or AVX2 tasks): the reference kernel runs
  ThreadPool* pool_ = nullptr;
  optimized::DepthwiseAvx512 avx512_;
  optimized::DepthwiseAvx2 avx2_;  // taps > 0: the AVX2 kernel runs (tasks_ > 0)
  std::vector<optimized::DepthwiseAvx2Taps> avx2_taps_;  // per thread
  int tasks_ = 0, rows_per_task_ = 1;
  float act_min_ = 0, act_max_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(DEPTHWISE_CONV_2D, DepthwiseConv2D);

}  // namespace edgetl
