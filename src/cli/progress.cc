#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace edgetl::cli {

Progress::Progress(std::string what, std::string unit)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      enabled_(::isatty(2) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::Update(size_t done, size_t total) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const double rate = seconds > 0 ? done / seconds : 0;
  const double eta = rate > 0 ? (total - done) / rate : 0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  std::string bar(filled, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%s [%s] %zu/%zu  %.1f %s/s  ETA %.0fs ", what_.c_str(), bar.c_str(), done,
               total, rate, unit_.c_str(), eta);
  drawn_ = true;
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  drawn_ = false;
  last_ = {};
}

Progress::~Progress() {
  if (drawn_) std::fputc('\n', stderr);
}

}  // namespace edgetl::cli
