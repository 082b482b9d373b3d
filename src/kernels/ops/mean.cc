// MEAN over constant axes, with or without keep_dims.
#include <algorithm>

#include "kernels/ops/op_util.h"
#include "kernels/ops/registry.h"
#include "kernels/optimized/mean_avx512.h"
#include "kernels/reference/pooling.h"

namespace edgetl {
namespace {

class Mean final : public OpKernel {
 public:
  Status Prepare(const KernelContext& ctx) override {
    EDGETL_RETURN_IF_ERROR(CheckArity(ctx, 2, 2, 1));
    input_ = ctx.inputs[0];
    output_ = ctx.outputs[0];
    pool_ = ctx.pool;
    simd_ = UseAvx512Vnni(ctx);
    const RtTensor& axes = *ctx.inputs[1];
    EDGETL_RETURN_IF_ERROR(
        CheckType(*input_, {TensorType::kUInt8, TensorType::kInt8, TensorType::kFloat32}, "input"));
    EDGETL_RETURN_IF_ERROR(CheckType(*output_, {input_->type()}, "output"));
    EDGETL_RETURN_IF_ERROR(CheckType(axes, {TensorType::kInt32}, "axis"));
    EDGETL_RETURN_IF_ERROR(CheckConstant(axes, "axis"));
    const auto* opts = ctx.op.builtin_options_as_ReducerOptions();
    const bool keep_dims = opts && opts->keep_dims();
    const int rank = input_->rank();
    std::vector<bool> reduced(rank, false);
    for (size_t i = 0; i < axes.num_elements(); ++i) {
      int a = axes.ptr<int32_t>()[i];
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return CorruptModel("axis " + std::to_string(a) + " out of range");
      reduced[a] = true;
    }
    std::vector<int> out_shape;
    std::vector<int> out_dims;  // per input axis: the output extent (1 when reduced)
    count_ = 1;
    for (int d = 0; d < rank; ++d) {
      if (reduced[d]) count_ *= input_->dim(d);
      out_dims.push_back(reduced[d] ? 1 : input_->dim(d));
      if (!reduced[d] || keep_dims) out_shape.push_back(out_dims.back());
    }
    EDGETL_RETURN_IF_ERROR(CheckOutputShape(*output_, out_shape));
    if (count_ == 0) return Unsupported("mean over an empty axis");
    const size_t n = input_->num_elements();
    // Reduced axes in one run (MobileNet's global average: H and W of
    // NHWC): the input is [outer][count_][inner] (see EvalQuantized).
    const auto first = std::find(reduced.begin(), reduced.end(), true);
    const auto last = std::find(first, reduced.end(), false);
    rows_ = std::find(last, reduced.end(), true) == reduced.end() && count_ < (1 << 23);
    if (rows_) {
      inner_ = 1;
      for (auto d = last; d != reduced.end(); ++d)
        inner_ *= input_->dim(static_cast<int>(d - reduced.begin()));
      outer_ = static_cast<int>(n / (static_cast<size_t>(count_) * inner_));
    }
    // Otherwise: map every input element to its output element once.
    out_index_.resize(rows_ ? 0 : n);
    std::vector<int> idx(rank, 0);
    for (size_t i = 0; i < out_index_.size(); ++i) {
      int32_t o = 0;
      for (int d = 0; d < rank; ++d) o = o * out_dims[d] + (reduced[d] ? 0 : idx[d]);
      out_index_[i] = o;
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < input_->dim(d)) break;
        idx[d] = 0;
      }
    }
    sums_.resize(output_->num_elements());
    float_sums_.resize(output_->num_elements());
    if (input_->type() != TensorType::kFloat32) {
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*input_, "input"));
      EDGETL_RETURN_IF_ERROR(CheckQuantized(*output_, "output"));
      quant_ = reference::MakeMeanQuant(input_->scale(), output_->scale(), count_);
    }
    return Status::Ok();
  }

  void Eval() override {
    ByElementType(
        input_->type(), [this]<typename T>() { EvalQuantized<T>(); }, [this] { EvalFloat(); });
  }

 private:
  void EvalFloat() {
    const float* in = input_->ptr<float>();
    float* out = output_->ptr<float>();
    std::fill(float_sums_.begin(), float_sums_.end(), 0.f);
    if (rows_) {
      for (int o = 0; o < outer_; ++o) {
        for (int r = 0; r < count_; ++r, in += inner_) {
          for (int i = 0; i < inner_; ++i)
            float_sums_[static_cast<size_t>(o) * inner_ + i] += in[i];
        }
      }
    } else {
      for (size_t i = 0; i < out_index_.size(); ++i) float_sums_[out_index_[i]] += in[i];
    }
    for (size_t o = 0; o < float_sums_.size(); ++o) {
      out[o] = float_sums_[o] / static_cast<float>(count_);
    }
  }

  template <typename T>
  void EvalQuantized() {
    if (!rows_) {
      reference::ReduceSum(input_->ptr<T>(), out_index_.size(), out_index_, sums_.data(),
                           sums_.size());
      reference::MeanQuantized(sums_.data(), sums_.size(), count_, input_->zero_point(), quant_,
                               output_->zero_point(), output_->ptr<T>());
      return;
    }
    // The threads take equal shares of the channels (inner_), in blocks of
    // kBlock whose sums stay in registers over all count_ rows, rather than
    // adding whole rows into memory (MobileNet V2's 7x7x1280 average: 24 ->
    // 22 us on one thread, 21 -> 17 us on two; on AVX-512, 64 channels per
    // block: 4-6 us on one thread, 7 on two, where one task took 7-8).
    const int tasks = inner_ >= 2 * kBlock ? pool_->threads() : 1;
    pool_->Run(tasks, [&](int task, int) {
      const int c_begin = static_cast<int>(int64_t{inner_} * task / tasks);
      const int c_end = static_cast<int>(int64_t{inner_} * (task + 1) / tasks);
      for (int o = 0; o < outer_; ++o) {
        const size_t first = static_cast<size_t>(o) * count_ * inner_;
        int64_t* sums = sums_.data() + static_cast<size_t>(o) * inner_;
        if (simd_) {
          optimized::MeanRowsAvx512(input_->ptr<T>() + first, count_, inner_, c_begin, c_end,
                                    input_->zero_point(), quant_, output_->zero_point(),
                                    output_->ptr<T>() + static_cast<size_t>(o) * inner_);
          continue;
        }
        int c = c_begin;
        for (; c + kBlock <= c_end; c += kBlock) {
          SumBlock<T, kBlock>(input_->ptr<T>() + first + c, count_, inner_, sums + c);
        }
        for (; c < c_end; ++c)
          SumBlock<T, 1>(input_->ptr<T>() + first + c, count_, inner_, sums + c);
        reference::MeanQuantized(sums + c_begin, c_end - c_begin, count_, input_->zero_point(),
                                 quant_, output_->zero_point(),
                                 output_->ptr<T>() + static_cast<size_t>(o) * inner_ + c_begin);
      }
    });
  }

  // Sums of kWidth channels from in over `count` rows `stride` apart; int32
  // sums cannot overflow for counts below 2^23.
  template <typename T, int kWidth>
  static void SumBlock(const T* in, int count, int stride, int64_t* sums) {
    int32_t acc[kWidth] = {};
    for (int r = 0; r < count; ++r, in += stride) {
      for (int j = 0; j < kWidth; ++j) acc[j] += in[j];
    }
    for (int j = 0; j < kWidth; ++j) sums[j] = acc[j];
  }

  static constexpr int kBlock = 32;

  RtTensor *input_ = nullptr, *output_ = nullptr;
  bool rows_ = false;  // reduced axes in one run: [outer_][count_][inner_]
  bool simd_ = false;  // the rows through MeanRowsAvx512
  int outer_ = 1, inner_ = 1;
  std::vector<int32_t> out_index_;  // otherwise: each input element's output
  std::vector<int64_t> sums_;
  std::vector<float> float_sums_;
  int count_ = 1;
  reference::MeanQuant quant_;
  ThreadPool* pool_ = nullptr;
};

}  // namespace

EDGETL_REGISTER_KERNEL(MEAN, Mean);

}  // namespace edgetl
