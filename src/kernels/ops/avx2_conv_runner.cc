#include "kernels/ops/avx2_conv_runner.h"

#include <algorithm>

#include "kernels/ops/op_util.h"

namespace edgetl {
namespace {

// A block's int16 rows stay within this many bytes (L1 holds them while
// every channel panel passes over them), but at least one micro-tile.
constexpr size_t kBlockBytes = 24 * 1024;

}  // namespace

void Avx2ConvRunner::Prepare(const reference::ConvGeometry& g, const reference::ConvQuant& q,
                             const RtTensor& filter, const RtTensor* bias, ThreadPool* pool) {
  g_ = g;
  input_offset_ = q.input_offset;
  pool_ = pool;
  const int k = g.filter_h * g.filter_w * g.in_c;
  const int32_t* b = bias ? bias->ptr<int32_t>() : nullptr;
  packed_ =
      filter.type() == TensorType::kUInt8
          ? optimized::PackAvx2Conv(filter.ptr<uint8_t>(), g.out_c, k, b, q, ParallelOver(pool))
          : optimized::PackAvx2Conv(filter.ptr<int8_t>(), g.out_c, k, b, q, ParallelOver(pool));
  const int m = g.batches * g.out_h * g.out_w;
  const int threads = pool->threads();
  split_channels_ = m < 4 * optimized::kAvx2Rows * threads && packed_.panels() >= threads;
  const size_t row_bytes = static_cast<size_t>(packed_.k2) * sizeof(int16_t);
  block_rows_ =
      static_cast<int>(kBlockBytes / row_bytes) / optimized::kAvx2Rows * optimized::kAvx2Rows;
  block_rows_ = std::min(std::max(block_rows_, optimized::kAvx2Rows), m);
  rows_scratch_.assign(threads, std::vector<int16_t>(static_cast<size_t>(block_rows_) * packed_.k2 +
                                                     optimized::kAvx2RowSlack));
}

template <typename T>
void Avx2ConvRunner::Run(const T* input, T* output) {
  const int m = g_.batches * g_.out_h * g_.out_w;
  const int panels = packed_.panels();
  const int tasks = pool_->threads();
  pool_->Run(tasks, [&](int task, int thread) {
    int m_begin = 0, m_end = m, p_begin = 0, p_end = panels;
    if (split_channels_) {
      p_begin = panels * task / tasks;
      p_end = panels * (task + 1) / tasks;
    } else {
      m_begin = static_cast<int>(int64_t{m} * task / tasks);
      m_end = static_cast<int>(int64_t{m} * (task + 1) / tasks);
    }
    int16_t* a = rows_scratch_[thread].data();
    for (int m0 = m_begin; m0 < m_end; m0 += block_rows_) {
      const int rows = std::min(block_rows_, m_end - m0);
      optimized::RowsAvx2(g_, input_offset_, input, m0, rows, packed_.k2, a);
      optimized::GemmAvx2(packed_, a, rows, p_begin, p_end,
                          output + static_cast<size_t>(m0) * g_.out_c, g_.out_c);
    }
  });
}

template void Avx2ConvRunner::Run<uint8_t>(const uint8_t*, uint8_t*);
template void Avx2ConvRunner::Run<int8_t>(const int8_t*, int8_t*);

}  // namespace edgetl
