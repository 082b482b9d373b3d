#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "edgetl/dataset.h"
#include "edgetl/embedding_cache.h"
#include "edgetl/interpreter.h"

namespace edgetl {

Result<std::vector<Result<std::vector<float>>>> RunOnImages(
    const Model& model, const std::vector<std::filesystem::path>& images,
    const InferenceOptions& options, const std::function<void(size_t, size_t)>& progress) {
  std::vector<Result<std::vector<float>>> results(images.size(),
                                                  Result<std::vector<float>>(Internal("not run")));
  // Cached images are answered first; only the rest are decoded and run.
  std::vector<size_t> todo;
  for (size_t i = 0; i < images.size(); ++i) {
    std::optional<std::vector<float>> cached;
    if (options.cache) cached = options.cache->Find(images[i]);
    if (cached) {
      results[i] = std::move(*cached);
    } else {
      todo.push_back(i);
    }
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::clamp(options.threads > 0 ? options.threads : hw, 1,
                                 std::max(1, static_cast<int>(todo.size())));
  // One interpreter per thread, created up front (even when everything was
  // cached) so that a model that cannot run fails once, clearly, every time.
  std::vector<Interpreter> interpreters;
  // Many images: one single-threaded interpreter per thread (no
  // synchronization inside an inference, and one thread's decode overlaps the
  // others' inference). Fewer images than threads: the threads go inside.
  InterpreterOptions interpreter_options;
  interpreter_options.threads = std::max(1, (options.threads > 0 ? options.threads : hw) / threads);
  // Created side by side: each one prepacks its weights and proves its float
  // requantization on its own thread.
  std::vector<std::optional<Result<Interpreter>>> created(threads);
  {
    std::vector<std::thread> creators;
    for (int t = 1; t < threads; ++t) {
      creators.emplace_back(
          [&, t] { created[t] = Interpreter::Create(model, interpreter_options); });
    }
    created[0] = Interpreter::Create(model, interpreter_options);
    for (auto& th : creators) th.join();
  }
  for (std::optional<Result<Interpreter>>& result : created) {
    EDGETL_ASSIGN_OR_RETURN(Interpreter interpreter, std::move(*result));
    const auto& shape = interpreter.input(0).info->shape;
    if (shape.size() != 4 || shape[0] != 1 || (shape[3] != 1 && shape[3] != 3)) {
      return InvalidArgument("model input " + interpreter.input(0).info->ShapeString() +
                             " is not an image tensor [1,H,W,1|3]");
    }
    interpreters.push_back(std::move(interpreter));
  }
  std::atomic<size_t> next{0};
  size_t done = images.size() - todo.size();
  if (progress && done > 0) progress(done, images.size());
  std::mutex progress_mutex;
  auto worker = [&](Interpreter& interpreter) {
    const int channels = interpreter.input(0).info->shape[3];
    for (size_t n; (n = next.fetch_add(1)) < todo.size();) {
      const size_t i = todo[n];
      // Decoding at least the input size is enough for every resize mode.
      auto image = LoadImage(images[i], channels, interpreter.input(0).info->shape[2],
                             interpreter.input(0).info->shape[1]);
      if (!image.ok()) {
        results[i] = image.status();
      } else if (Status s = ResizeBilinearInto(*image, interpreter.input(0), options.preprocessing);
                 !s.ok()) {
        results[i] = s.WithContext(images[i].string());
      } else if (s = interpreter.Invoke(); !s.ok()) {
        results[i] = s;
      } else {
        results[i] = interpreter.DequantizedOutput(0);
      }
      if (progress) {
        std::lock_guard<std::mutex> lock(progress_mutex);
        progress(++done, images.size());
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, std::ref(interpreters[t]));
  worker(interpreters[0]);
  for (auto& th : pool) th.join();
  if (options.cache) {
    for (size_t i : todo) {
      if (results[i].ok()) options.cache->Put(images[i], *results[i]);
    }
  }
  return results;
}

}  // namespace edgetl
