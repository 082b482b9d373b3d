// Runs a quantized convolution (or a fully connected layer seen as a 1x1
// convolution over its batch rows) through the AVX2 GEMM (gemm_avx2.h) on
// the interpreter's threads: weights packed at Prepare, per-thread int16
// rows, one equal band of output pixels (or, with too few pixels, of
// channel panels) per thread. Shared by CONV_2D and FULLY_CONNECTED.
// Internal header.
#pragma once

#include <vector>

#include "kernels/optimized/gemm_avx2.h"
#include "runtime/rt_tensor.h"
#include "runtime/thread_pool.h"

namespace edgetl {

class Avx2ConvRunner {
 public:
  // `filter` is a constant [out_c][filter_h * filter_w * in_c] tensor of
  // uint8 or int8 values; `bias` int32 or null.
  void Prepare(const reference::ConvGeometry& g, const reference::ConvQuant& q,
               const RtTensor& filter, const RtTensor* bias, ThreadPool* pool);

  bool ready() const { return pool_ != nullptr; }
  size_t packed_bytes() const { return packed_.b.size() * sizeof(int16_t); }

  template <typename T>
  void Run(const T* input, T* output);

 private:
  reference::ConvGeometry g_;
  int32_t input_offset_ = 0;
  optimized::Avx2Conv packed_;
  ThreadPool* pool_ = nullptr;
  bool split_channels_ = false;                     // threads share channel panels, not pixels
  int block_rows_ = 0;                              // output pixels per GEMM call
  std::vector<std::vector<int16_t>> rows_scratch_;  // per thread: a block's rows
};

}  // namespace edgetl
