// A one-line progress bar on stderr (count, rate, ETA), drawn only when
// stderr is a terminal so logs and pipes stay clean.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace edgetl::cli {

class Progress {
 public:
  // `unit` names what is counted per second in the bar ("img", "it").
  explicit Progress(std::string what, std::string unit = "img");
  // Redraws at most ~10 times a second, and at the end.
  void Update(size_t done, size_t total);
  // Erases the bar so that a line can be printed; the next Update redraws it.
  void Clear();
  ~Progress();

 private:
  std::string what_, unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace edgetl::cli
