// CONV_2D: NHWC input, OHWI filter, optional bias, fused activation.
#include "kernels/ops/conv_common.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/conv_int16.h"
#include "kernels/optimized/cpu.h"
#include "kernels/optimized/gemm_vnni.h"

namespace edgetl {
namespace {

class Conv2D final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 3, 1));
    input_ = ctx.inputs[0];
    filter_ = ctx.inputs[1];
    bias_ = ctx.input(2);
    output_ = ctx.outputs[0];
    const auto* opts = ctx.op.builtin_options_as_Conv2DOptions();
    if (!opts) return CorruptModel("missing Conv2DOptions");
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    if (input_->rank() != 4 || filter_->rank() != 4) {
      return Unsupported("input and filter must be 4-D");
    }
    if (filter_->dim(3) != input_->dim(3)) {
      return Unsupported("filter depth " + std::to_string(filter_->dim(3)) +
                         " differs from input depth " + std::to_string(input_->dim(3)) +
                         " (grouped convolution)");
    }
    auto& g = geometry_;
    g.batches = input_->dim(0);
    g.in_h = input_->dim(1);
    g.in_w = input_->dim(2);
    g.in_c = input_->dim(3);
    g.out_c = filter_->dim(0);
    g.filter_h = filter_->dim(1);
    g.filter_w = filter_->dim(2);
    EDGETL_RETURN_IF_ERROR(SetWindow(opts->padding(), opts->stride_h(), opts->stride_w(),
                                     opts->dilation_h_factor(), opts->dilation_w_factor(), &g));
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, {g.batches, g.out_h, g.out_w, g.out_c}));
    if (input_->type() == TensorType::kFloat32) {
      ActivationRangeFloat(opts->fused_activation_function(), &act_min_, &act_max_);
      return PrepareFloatConv(*input_, *filter_, bias_, *output_, g.out_c);
    }
    EDGETL_RETURN_IF_ERROR(PrepareQuantizedConv(*input_, *filter_, bias_, *output_, g.out_c, 0,
                                                opts->fused_activation_function(), false, &quant_));
    pool_ = ctx.pool;
    if (!ctx.reference_only && optimized::HasAvx512Vnni()) {
      PrepareVnni();
    } else if (!ctx.reference_only) {
      const int k = g.filter_h * g.filter_w * g.in_c;
      const int32_t offset = quant_.quant.filter_offset;
      packed_ = input_->type() == TensorType::kUInt8
                    ? optimized::PackConvFilter(filter_->ptr<uint8_t>(), g.out_c, k, offset)
                    : optimized::PackConvFilter(filter_->ptr<int8_t>(), g.out_c, k, offset);
      scratch_.resize(4 * static_cast<size_t>(packed_.k_padded));
    }
    return Status::Ok();
  }

  size_t packed_bytes() const override {
    return packed_.values.size() * sizeof(int16_t) + vnni_.b.size();
  }

  void Eval() override {
    switch (input_->type()) {
      case TensorType::kUInt8:
        EvalQuantized<uint8_t>();
        break;
      case TensorType::kInt8:
        EvalQuantized<int8_t>();
        break;
      default:
        reference::ConvFloat(geometry_, act_min_, act_max_, input_->ptr<float>(),
                             filter_->ptr<float>(), bias_ ? bias_->ptr<float>() : nullptr,
                             output_->ptr<float>());
    }
  }

 private:
  // Rows of output pixels per task at most: a multiple of the micro-tile
  // height, small enough for the im2col block to stay in L1/L2.
  static constexpr int kBlockRows = 8 * optimized::kVnniRows;

  void PrepareVnni() {
    const auto& g = geometry_;
    const int k = g.filter_h * g.filter_w * g.in_c;
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    vnni_ = input_->type() == TensorType::kUInt8
                ? optimized::PackVnniConv(filter_->ptr<uint8_t>(), g.out_c, k, bias, quant_.quant)
                : optimized::PackVnniConv(filter_->ptr<int8_t>(), g.out_c, k, bias, quant_.quant);
    // A 1x1 stride-1 conv reads its rows straight from the input.
    direct_ =
        g.filter_h == 1 && g.filter_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.in_c % 4 == 0;
    const int threads = pool_ ? pool_->threads() : 1;
    // One task per thread (the pool gives each thread a fixed share): an
    // equal band of output pixels each, walked in blocks of kBlockRows; with
    // too few pixels for that (under a micro-tile per thread), an equal
    // share of the channel panels instead.
    const int m = g.batches * g.out_h * g.out_w;
    split_channels_ = m < optimized::kVnniRows * threads && vnni_.panels() >= threads;
    vnni_tasks_ = threads;
    const int scratch_rows = std::min(kBlockRows, m);
    rows_scratch_.assign(threads, std::vector<uint8_t>(direct_ ? 0 : scratch_rows * vnni_.k4));
    sums_scratch_.assign(threads, std::vector<int32_t>(scratch_rows));
  }

  template <typename T>
  void EvalVnni() {
    const auto& g = geometry_;
    const int m = g.batches * g.out_h * g.out_w;
    const T* in = input_->ptr<T>();
    T* out = output_->ptr<T>();
    const int panels = vnni_.panels();
    pool_->Run(vnni_tasks_, [&](int task, int thread) {
      const int64_t n = vnni_tasks_;
      int m_begin = 0, m_end = m, p0 = 0, p1 = panels;
      if (split_channels_) {
        p0 = static_cast<int>(panels * task / n);
        p1 = static_cast<int>(panels * (task + 1) / n);
      } else {
        m_begin = static_cast<int>(m * task / n);
        m_end = static_cast<int>(m * (task + 1) / n);
      }
      if (p0 >= p1) return;
      int32_t* sums = vnni_.beta != 0 ? sums_scratch_[thread].data() : nullptr;
      for (int m0 = m_begin; m0 < m_end; m0 += kBlockRows) {
        const int rows = std::min(kBlockRows, m_end - m0);
        const uint8_t* a;
        size_t lda;
        if (direct_) {
          a = reinterpret_cast<const uint8_t*>(in) + static_cast<size_t>(m0) * g.in_c;
          lda = g.in_c;
        } else {
          uint8_t* rows_buf = rows_scratch_[thread].data();
          optimized::Im2RowVnni(g, vnni_, in, m0, rows, rows_buf);
          a = rows_buf;
          lda = vnni_.k4;
        }
        if (sums) optimized::RowSums(reinterpret_cast<const T*>(a), lda, vnni_.k4, rows, sums);
        optimized::GemmVnni(vnni_, a, lda, sums, rows, p0, p1,
                            out + static_cast<size_t>(m0) * g.out_c, g.out_c);
      }
    });
  }

  template <typename T>
  void EvalQuantized() {
    const int32_t* bias = bias_ ? bias_->ptr<int32_t>() : nullptr;
    if (vnni_tasks_ > 0) {
      EvalVnni<T>();
    } else if (scratch_.empty()) {
      reference::ConvQuantized(geometry_, quant_.quant, input_->ptr<T>(), filter_->ptr<T>(), bias,
                               output_->ptr<T>());
    } else {
      optimized::ConvInt16(geometry_, quant_.quant, input_->ptr<T>(), packed_, bias,
                           output_->ptr<T>(), scratch_.data());
    }
  }

  RtTensor *input_ = nullptr, *filter_ = nullptr, *bias_ = nullptr, *output_ = nullptr;
  reference::ConvGeometry geometry_;
  QuantizedConvData quant_;
  optimized::PackedFilter packed_;
  std::vector<int16_t> scratch_;  // empty (and no VNNI tasks): the reference kernel runs
  ThreadPool* pool_ = nullptr;
  optimized::VnniConv vnni_;
  bool direct_ = false;
  int vnni_tasks_ = 0;
  bool split_channels_ = false;
  std::vector<std::vector<uint8_t>> rows_scratch_;  // per thread: im2col rows
  std::vector<std::vector<int32_t>> sums_scratch_;  // per thread: their sums
  float act_min_ = 0, act_max_ = 0;
};

}  // namespace

EDGETL_REGISTER_KERNEL(CONV_2D, Conv2D);

}  // namespace edgetl
