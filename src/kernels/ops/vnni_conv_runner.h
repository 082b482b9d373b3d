// Runs a quantized convolution (or a fully connected layer seen as a 1x1
// convolution over its batch rows) through the AVX-512 VNNI GEMM (or the AMX
// one, gemm_amx.h, where the CPU has it and the layer suits) on the
// interpreter's threads: weights packed at Prepare, per-thread im2col
// scratch, one equal band of output pixels (or of channel panels) per
// thread. Shared by CONV_2D and FULLY_CONNECTED. Internal header.
#pragma once

#include <vector>

#include "kernels/optimized/gemm_amx.h"
#include "kernels/optimized/gemm_vnni.h"
#include "runtime/rt_tensor.h"
#include "runtime/thread_pool.h"

namespace edgetl {

class VnniConvRunner {
 public:
  // `filter` is a constant [out_c][filter_h * filter_w * in_c] tensor of
  // uint8 or int8 values; `bias` int32 or null.
  void Prepare(const reference::ConvGeometry& g, const reference::ConvQuant& q,
               const RtTensor& filter, const RtTensor* bias, ThreadPool* pool);

  bool ready() const { return pool_ != nullptr; }
  size_t packed_bytes() const { return packed_.b.size(); }

  // Whether the layer reads its input only to copy it into a padded
  // unsigned one (k x k windows): then Run can take the input as unsigned
  // bytes.
  bool pads_input() const { return windows_; }

  // `unsigned_input` (pads_input() only; else null): the input's bytes as
  // the GEMM takes them, uint8 as they are or int8 with the sign bit
  // flipped, read instead of `input`.
  template <typename T>
  void Run(const T* input, T* output, const uint8_t* unsigned_input = nullptr);

 private:
  // Where the windows of output pixels [m0, m0 + rows) start in padded_.
  void WindowStarts(int m0, int rows, const uint8_t** windows) const;

  reference::ConvGeometry g_;
  optimized::VnniConv packed_;
  ThreadPool* pool_ = nullptr;
  bool direct_ = false;          // uint8 rows read straight from the input (1x1, stride 1)
  bool flip_rows_ = false;       // int8 rows of a 1x1 layer, copied flipped to uint8
  bool windows_ = false;         // k x k: windows read from padded_ (window layout)
  bool split_channels_ = false;  // threads share channel panels, not pixels
  // The GEMM runs on AMX tiles (not windows_); amx_signed_rows_: int8 rows
  // read in place by the signed tile multiply (1x1, stride 1, no weights
  // beyond int8), so not flipped.
  bool amx_ = false, amx_signed_rows_ = false;
  std::vector<int32_t> amx_signed_constants_;       // amx_signed_rows_: SignedRowsConstants
  optimized::AmxForm amx_form_;                     // amx_: MakeAmxForm's
  std::vector<std::vector<uint8_t>> rows_scratch_;  // per thread: im2col or flipped rows
  optimized::PaddedInput padded_shape_;             // windows_: the padded input's shape
  std::vector<uint8_t> padded_;                     // windows_: the padded input
  std::vector<std::vector<const uint8_t*>> windows_scratch_;  // per thread: a block's windows
};

}  // namespace edgetl
