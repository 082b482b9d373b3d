#include "kernels/ops/vnni_conv_runner.h"

#include <algorithm>

#include "kernels/ops/op_util.h"
#include "kernels/optimized/cpu.h"

namespace edgetl {
namespace {

// Output pixels per GEMM call at most: a multiple of the micro-tile heights
// (6, 8, 12), small enough for the im2col block to stay in L1/L2.
constexpr int kBlockRows = 8 * optimized::kVnniRows;

}  // namespace

void VnniConvRunner::Prepare(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                             const RtTensor& filter, const RtTensor* bias, ThreadPool* pool) {
  g_ = g;
  pool_ = pool;
  const int k = g.filter_h * g.filter_w * g.in_c;
  const int32_t* b = bias ? bias->ptr<int32_t>() : nullptr;
  const bool u8 = filter.type() == TensorType::kUInt8;
  const optimized::ParallelFor parallel = ParallelOver(pool);
  // k x k convolutions read their windows from a padded copy of the input
  // (no im2col rows: each input byte is copied once, not up to k*k times).
  windows_ = (g.filter_h > 1 || g.filter_w > 1) && g.dilation_w == 1;
  // 1x1 convolutions read uint8 rows straight from the input; int8 ones
  // copy them flipped to uint8, which is what the GEMM takes.
  const bool one_by_one =
      g.filter_h == 1 && g.filter_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.in_c % 4 == 0;
  direct_ = one_by_one && u8;
  // AMX for the layers with rows for its 16-row tiles and the float
  // requantization (its only epilogue); k x k windows stay on VNNI. Below a
  // depth of 64 bytes a tile multiply does a fraction of its work, and AMX
  // pays only on layers with many rows and either 64 channels or more or
  // int8 rows it reads as they are (no flip): MobileNet V2's 112x112 16->96
  // and 32->16 (int8), 56x56 24->144 and 28x28 32->192 ran 4-30% faster on
  // it, V1's 112x112 32->64 20%, while V1 0.25's 32x32 16->32 ran at half
  // the speed of the VNNI kernel.
  // int8 rows: int8 weights never exceed int8 (the filter offset is 0).
  const int m = g.batches * g.out_h * g.out_w, k4 = (k + 3) / 4 * 4;
  const bool int8_rows = one_by_one && !u8;
  const bool amx_depth = k4 >= 64 || (k4 >= 16 && m >= 512 && (g.out_c >= 64 || int8_rows));
  const bool amx_layer = !windows_ && m >= 16 && amx_depth && optimized::HasAmxInt8();
  // AMX layers get their float form from MakeAmxForm (below), not packing.
  if (windows_) {
    packed_ = u8 ? optimized::PackVnniConvWindows(filter.ptr<uint8_t>(), g, b, q, parallel)
                 : optimized::PackVnniConvWindows(filter.ptr<int8_t>(), g, b, q, parallel);
  } else {
    packed_ =
        u8 ? optimized::PackVnniConv(filter.ptr<uint8_t>(), g.out_c, k, b, q, parallel, !amx_layer)
           : optimized::PackVnniConv(filter.ptr<int8_t>(), g.out_c, k, b, q, parallel, !amx_layer);
  }
  if (amx_layer) {
    amx_signed_constants_ =
        int8_rows ? optimized::SignedRowsConstants(packed_) : std::vector<int32_t>{};
    auto form = optimized::MakeAmxForm(
        &packed_, q, int8_rows ? amx_signed_constants_.data() : packed_.col_const.data(), parallel);
    amx_ = form.has_value();
    if (form) amx_form_ = std::move(*form);
  }
  amx_signed_rows_ = amx_ && int8_rows;
  if (!amx_signed_rows_) amx_signed_constants_.clear();
  flip_rows_ = one_by_one && !direct_ && !amx_signed_rows_;
  // The pool gives each thread a fixed share of the tasks, so there is one
  // task per thread: an equal band of output pixels, walked in blocks of
  // kBlockRows; with too few pixels for that (under a micro-tile per
  // thread), an equal share of the channel panels instead.
  const int threads = pool->threads();
  split_channels_ = m < optimized::kVnniRows * threads && packed_.panels() >= threads;
  const int scratch_rows = std::min(kBlockRows, m);
  padded_shape_ = windows_ ? optimized::PaddedInputShape(g) : optimized::PaddedInput{};
  padded_.assign(padded_shape_.bytes, 0);
  const bool in_place = direct_ || windows_ || amx_signed_rows_;
  rows_scratch_.assign(threads, std::vector<uint8_t>(in_place ? 0 : scratch_rows * packed_.k4));
  windows_scratch_.assign(threads, std::vector<const uint8_t*>(windows_ ? scratch_rows : 0));
}

void VnniConvRunner::WindowStarts(int m0, int rows, const uint8_t** windows) const {
  const optimized::PaddedInput& shape = padded_shape_;
  const int pixels = g_.out_h * g_.out_w;
  const size_t step = static_cast<size_t>(g_.stride_w) * g_.in_c;
  // Output row by output row: along one, windows are `step` bytes apart.
  int b = m0 / pixels, oy = (m0 % pixels) / g_.out_w, ox = m0 % g_.out_w;
  for (int r = 0; r < rows;) {
    const int n = std::min(g_.out_w - ox, rows - r);
    const uint8_t* first =
        padded_.data() +
        (static_cast<size_t>(b) * shape.rows + oy * g_.stride_h) * shape.row_bytes + ox * step;
    for (int i = 0; i < n; ++i) windows[r + i] = first + i * step;
    r += n;
    ox = 0;
    if (++oy == g_.out_h) {
      oy = 0;
      ++b;
    }
  }
}

template <typename T>
void VnniConvRunner::Run(const T* input, T* output, const uint8_t* unsigned_input) {
  const int m = g_.batches * g_.out_h * g_.out_w;
  const int panels = packed_.panels();
  const int tasks = pool_->threads();
  if (windows_) {
    const int rows = g_.batches * padded_shape_.rows;
    pool_->Run(tasks, [&](int task, int) {
      const int begin = static_cast<int>(int64_t{rows} * task / tasks);
      const int end = static_cast<int>(int64_t{rows} * (task + 1) / tasks);
      if (unsigned_input) {
        optimized::PadInputVnni(g_, packed_, unsigned_input, begin, end, padded_.data());
      } else {
        optimized::PadInputVnni(g_, packed_, input, begin, end, padded_.data());
      }
    });
  }
  pool_->Run(tasks, [&](int task, int thread) {
    int m_begin = 0, m_end = m, p0 = 0, p1 = panels;
    if (split_channels_) {
      p0 = static_cast<int>(int64_t{panels} * task / tasks);
      p1 = static_cast<int>(int64_t{panels} * (task + 1) / tasks);
    } else {
      // AMX bands in whole tiles of 16 rows.
      const int unit = amx_ ? 16 : 1, units = (m + unit - 1) / unit;
      m_begin = std::min(m, unit * static_cast<int>(int64_t{units} * task / tasks));
      m_end = std::min(m, unit * static_cast<int>(int64_t{units} * (task + 1) / tasks));
    }
    if (p0 >= p1 || m_begin >= m_end) return;
    const size_t in_c = static_cast<size_t>(g_.in_c);
    if (amx_ && (direct_ || amx_signed_rows_)) {  // the band's rows in place, one call
      optimized::GemmAmx(packed_, amx_form_,
                         amx_signed_rows_ ? amx_signed_constants_.data() : packed_.col_const.data(),
                         reinterpret_cast<const uint8_t*>(input + m_begin * in_c), in_c,
                         amx_signed_rows_, m_end - m_begin, p0, p1,
                         output + static_cast<size_t>(m_begin) * g_.out_c, g_.out_c);
      return;
    }
    for (int m0 = m_begin; m0 < m_end; m0 += kBlockRows) {
      const int rows = std::min(kBlockRows, m_end - m0);
      T* out = output + static_cast<size_t>(m0) * g_.out_c;
      if (windows_) {
        const uint8_t** windows = windows_scratch_[thread].data();
        WindowStarts(m0, rows, windows);
        optimized::GemmVnniWindows(packed_, windows, rows, p0, p1, out, g_.out_c);
        continue;
      }
      // 1x1 layers: the block's rows are contiguous in the input.
      const T* block = direct_ || flip_rows_ ? input + static_cast<size_t>(m0) * g_.in_c : nullptr;
      const uint8_t* a = reinterpret_cast<const uint8_t*>(block);
      if (!direct_) {
        uint8_t* rows_buf = rows_scratch_[thread].data();
        if (flip_rows_) {  // int8 only
          optimized::FlipRowsVnni(reinterpret_cast<const int8_t*>(block),
                                  static_cast<size_t>(rows) * g_.in_c, rows_buf);
        } else {
          optimized::Im2RowVnni(g_, packed_, input, m0, rows, rows_buf);
        }
        a = rows_buf;
      }
      // Rows are k4 bytes apart (in_c for the 1x1 layers).
      if (amx_) {
        optimized::GemmAmx(packed_, amx_form_, packed_.col_const.data(), a, packed_.k4, false, rows,
                           p0, p1, out, g_.out_c);
      } else {
        optimized::GemmVnni(packed_, a, packed_.k4, rows, p0, p1, out, g_.out_c);
      }
    }
  });
}

template void VnniConvRunner::Run<uint8_t>(const uint8_t*, uint8_t*, const uint8_t*);
template void VnniConvRunner::Run<int8_t>(const int8_t*, int8_t*, const uint8_t*);

}  // namespace edgetl
